package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// TestHTTPSBehindTrustedProxy: the session cookie is Secure and HSTS is
// sent when a trusted proxy says the client used HTTPS; the same header
// from anyone else changes nothing, and plain HTTP gets neither.
func TestHTTPSBehindTrustedProxy(t *testing.T) {
	signIn := func(e *env, proto string) (secure bool, hsts string) {
		t.Helper()
		form := url.Values{"username": {e.creds.Users[0].Username}, "password": {e.creds.Users[0].Password}}
		req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp, err := e.browser().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		var found bool
		for _, c := range resp.Cookies() {
			if c.Value != "" {
				found, secure = true, secure || c.Secure
			}
		}
		if !found {
			t.Fatal("sign in set no session cookie")
		}
		return secure, resp.Header.Get("Strict-Transport-Security")
	}
	st, _ := storetest.Open(t, storage.SQLite)
	trusted := newEnvWith(t, st, func(d *web.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	if secure, hsts := signIn(trusted, ""); secure || hsts != "" {
		t.Errorf("plain HTTP: Secure=%v HSTS=%q, want neither", secure, hsts)
	}
	if secure, hsts := signIn(trusted, "https"); !secure || !strings.Contains(hsts, "max-age=") {
		t.Errorf("HTTPS via a trusted proxy: Secure=%v HSTS=%q, want both", secure, hsts)
	}
	st2, _ := storetest.Open(t, storage.SQLite)
	untrusted := newEnv(t, st2)
	if secure, hsts := signIn(untrusted, "https"); secure || hsts != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted peer: Secure=%v HSTS=%q, want neither", secure, hsts)
	}
}
