package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

const demoPassword = "LoaDemo@2021"

// wantThrottled checks that err refuses an attempt for exactly wait.
func wantThrottled(t *testing.T, err error, wait time.Duration) {
	t.Helper()
	var te *accounts.ThrottleError
	if !errors.As(err, &te) || !errors.Is(err, model.ErrThrottled) {
		t.Fatalf("got %v, want a throttling refusal", err)
	}
	if te.Wait != wait {
		t.Fatalf("wait %s, want %s", te.Wait, wait)
	}
}

// TestThrottleDelaysTheAttackerNotTheUser: one address hammering an
// account is delayed; the account's owner signs in from another address
// meanwhile, and the attacker's delays grow up to the cap.
func TestThrottleDelaysTheAttackerNotTheUser(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.freeze()
		const attacker, office = "203.0.113.9", "198.51.100.7"
		for i := 0; i < accounts.PairFreeFailures; i++ {
			if _, err := e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker); !errors.Is(err, model.ErrUnauthorized) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		// The attacker must now wait, even with the right password...
		_, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, attacker)
		wantThrottled(t, err, 2*time.Second)
		// ...while the owner signs in from the office.
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, office); err != nil {
			t.Fatalf("owner from another address: %v", err)
		}
		// The owner's success does not reset the attacker's counter.
		_, err = e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker)
		wantThrottled(t, err, 2*time.Second)
		// Each further failure doubles the delay, up to the cap.
		want := 2 * time.Second
		for i := 0; i < 12; i++ {
			e.clock.advance(want)
			if _, err := e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker); !errors.Is(err, model.ErrUnauthorized) {
				t.Fatalf("attempt after waiting %s: %v", want, err)
			}
			want = min(2*want, accounts.MaxThrottleDelay)
			_, err = e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker)
			wantThrottled(t, err, want)
			e.clock.advance(want - time.Second)
			_, err = e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker)
			wantThrottled(t, err, time.Second)
			e.clock.advance(-(want - time.Second))
		}
		if want != accounts.MaxThrottleDelay {
			t.Fatalf("delay after many failures %s, want the cap %s", want, accounts.MaxThrottleDelay)
		}
		// Waiting long enough, the right password works from there too and
		// clears the counter.
		e.clock.advance(want)
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, attacker); err != nil {
			t.Fatalf("right password after the delay: %v", err)
		}
		for i := 0; i < accounts.PairFreeFailures; i++ {
			if _, err := e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker); !errors.Is(err, model.ErrUnauthorized) {
				t.Fatalf("counter not cleared by the success: failure %d: %v", i, err)
			}
		}
		// A day without failures forgets them.
		e.clock.advance(accounts.FailureMemory + time.Minute)
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker); !errors.Is(err, model.ErrUnauthorized) {
			t.Fatalf("after a quiet day: %v", err)
		}
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", "wrong", attacker); !errors.Is(err, model.ErrUnauthorized) {
			t.Fatalf("counter not forgotten after a quiet day: %v", err)
		}
	})
}

// TestThrottlePerAddress: an address that fails for many accounts is
// delayed for every account, with growing delays; other addresses not.
func TestThrottlePerAddress(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.freeze()
		const sprayer = "203.0.113.66"
		// Password spraying: few attempts per account, many accounts.
		for i := 0; i < accounts.AddrFreeFailures; i++ {
			user := fmt.Sprintf("nobody%02d", i)
			if _, err := e.accounts.Authenticate(ctx, user, "wrong", sprayer); !errors.Is(err, model.ErrUnauthorized) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, sprayer)
		wantThrottled(t, err, 2*time.Second)
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, "198.51.100.7"); err != nil {
			t.Fatalf("another address: %v", err)
		}
		e.clock.advance(2 * time.Second)
		if _, err := e.accounts.Authenticate(ctx, "nobody99", "wrong", sprayer); !errors.Is(err, model.ErrUnauthorized) {
			t.Fatalf("after the delay: %v", err)
		}
		_, err = e.accounts.Authenticate(ctx, "lamvanson", demoPassword, sprayer)
		wantThrottled(t, err, 4*time.Second)
		// A success from the address takes its own attempt back.
		e.clock.advance(4 * time.Second)
		if _, err := e.accounts.Authenticate(ctx, "lamvanson", demoPassword, sprayer); err != nil {
			t.Fatalf("right password after the delay: %v", err)
		}
	})
}

// TestThrottleBehindTrustedProxy: behind a trusted proxy the address in
// X-Forwarded-For is throttled, not the proxy's; from an untrusted peer
// the header is ignored, so rotating a spoofed header does not escape.
// The refusal tells how long to wait, in Vietnamese first.
func TestThrottleBehindTrustedProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *storage.Store) {
				e := newEnvWith(t, st, func(d *web.Deps) {
					if trusted {
						d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
					}
				})
				e.clock.freeze()
				login := func(xff, password string) *http.Response {
					t.Helper()
					form := url.Values{"username": {"lamvanson"}, "password": {password}}
					req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Forwarded-For", xff)
					resp, err := e.browser().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					return resp
				}
				for i := 0; i < accounts.PairFreeFailures; i++ {
					// Untrusted: a different spoofed address every time.
					resp := login(fmt.Sprintf("6.6.6.%d, 203.0.113.9", i), "wrong")
					resp.Body.Close()
					if resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("failure %d: %d", i, resp.StatusCode)
					}
				}
				resp := login("6.6.6.99, 203.0.113.9", demoPassword)
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" ||
					!strings.Contains(string(page), "Vui lòng thử lại sau 2 giây") {
					t.Fatalf("attacker: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
				}
				resp = login("198.51.100.7", demoPassword)
				resp.Body.Close()
				if trusted && resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("the owner behind the proxy: %d, want signed in", resp.StatusCode)
				}
				if !trusted && resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("a spoofed header from an untrusted peer changed the address: %d", resp.StatusCode)
				}
				if trusted {
					// The audit line names the client, not the proxy.
					r := e.do("GET", "/api/v1/audit?action=login.failed", e.creds.AdminToken, nil)
					var a struct{ Entries []model.AuditEntry }
					r.json(t, &a)
					if len(a.Entries) == 0 || a.Entries[0].ClientAddr != "203.0.113.9" {
						t.Fatalf("audit client address: %+v", a.Entries)
					}
				}
			})
		})
	}
}

// signIn opens a web session and returns its client and CSRF token.
func (e *env) signIn(username, password string) (*http.Client, string) {
	e.t.Helper()
	c := e.browser()
	resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d", username, resp.StatusCode)
	}
	return c, e.csrfOf(c)
}

func (e *env) csrfOf(c *http.Client) string {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + "/")
	if err != nil {
		e.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("home page: %d", resp.StatusCode)
	}
	return string(m[1])
}

// signedIn reports whether a web session still works.
func (e *env) signedIn(c *http.Client) bool {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + "/")
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// audit returns the audit entries of one action, newest first.
func (e *env) audit(action string) []model.AuditEntry {
	e.t.Helper()
	r := e.do("GET", "/api/v1/audit?action="+action, e.creds.AdminToken, nil)
	var a struct{ Entries []model.AuditEntry }
	r.json(e.t, &a)
	var out []model.AuditEntry
	for _, x := range a.Entries {
		if x.Action == action {
			out = append(out, x)
		}
	}
	return out
}

func (e *env) readOnlyToken(username string) string {
	e.t.Helper()
	u, _, err := e.store.Accounts().UserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	secret, _, err := e.accounts.CreateToken(context.Background(), model.System("test"), accounts.NewToken{UserID: u.ID, Name: "ro", Scopes: []string{"read"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// TestReadOnlyTokenCannotChangeAccount: the account writes the issue
// named, with a read-only token of the account's owner.
func TestReadOnlyTokenCannotChangeAccount(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _, _ := e.store.Accounts().UserByUsername(context.Background(), "lamvanson")
		ro, rw := e.readOnlyToken("lamvanson"), e.tokenFor("lamvanson")
		var list struct{ Tokens []model.Token }
		e.do("GET", "/api/v1/tokens", ro, nil).json(t, &list)
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"PUT", fmt.Sprintf("/api/v1/users/%d/password", u.ID), map[string]any{"password": "Chiem-Quyen-2026", "current_password": demoPassword}},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"full_name": "Kẻ chiếm quyền"}},
			{"DELETE", fmt.Sprintf("/api/v1/tokens/%d", list.Tokens[0].ID), nil},
		} {
			r := e.do(c.method, c.path, ro, c.body)
			if r.code != http.StatusForbidden || !strings.Contains(string(r.body), "read-only") {
				t.Errorf("%s %s with a read-only token: %d %s", c.method, c.path, r.code, r.body)
			}
		}
		if r := e.do("GET", "/api/v1/me", ro, nil); r.code != 200 {
			t.Fatalf("a read-only token reads: %d", r.code)
		}
		if r := e.do("GET", "/api/v1/me", rw, nil); r.code != 200 {
			t.Fatalf("read-write token revoked by a read-only one: %d", r.code)
		}
		if _, err := e.accounts.Authenticate(context.Background(), "lamvanson", demoPassword, "192.0.2.1"); err != nil {
			t.Fatalf("password changed by a read-only token: %v", err)
		}
	})
}

// TestOwnPasswordChange: users changing their own password give the
// current one (a wrong one is audited and throttled); the change ends
// their other sessions, keeps the one it was made from, and revokes their
// API tokens when asked.
func TestOwnPasswordChange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.freeze()
		u, _, _ := e.store.Accounts().UserByUsername(context.Background(), "lamvanson")
		path := fmt.Sprintf("/api/v1/users/%d/password", u.ID)
		rw := e.tokenFor("lamvanson")
		other, _ := e.signIn("lamvanson", demoPassword)

		r := e.do("PUT", path, rw, map[string]any{"password": "Mat-Khau-Moi-2026"})
		if r.code != http.StatusBadRequest || !strings.Contains(string(r.body), `"field": "current_password"`) {
			t.Fatalf("without the current password: %d %s", r.code, r.body)
		}
		r = e.do("PUT", path, rw, map[string]any{"password": "Mat-Khau-Moi-2026", "current_password": "wrong"})
		if r.code != http.StatusBadRequest || !strings.Contains(string(r.body), "current password is wrong") {
			t.Fatalf("wrong current password: %d %s", r.code, r.body)
		}
		if a := e.audit("user.password.failed"); len(a) != 1 || a[0].Username != "lamvanson" {
			t.Fatalf("audit of the wrong current password: %+v", a)
		}
		if a := e.audit("user.password"); len(a) != 0 {
			t.Fatalf("password changed: %+v", a)
		}
		// Through the API with a token: every session ends, tokens stay
		// unless asked.
		r = e.do("PUT", path, rw, map[string]any{"password": "Mat-Khau-Moi-2026", "current_password": demoPassword})
		if r.code != http.StatusNoContent {
			t.Fatalf("change: %d %s", r.code, r.body)
		}
		if e.signedIn(other) {
			t.Fatal("another session survived the password change")
		}
		if r := e.do("GET", "/api/v1/me", rw, nil); r.code != 200 {
			t.Fatalf("token revoked without being asked: %d", r.code)
		}

		// From the web form: this session stays, the others end, and the
		// tokens are revoked when the box is ticked.
		mine, csrf := e.signIn("lamvanson", "Mat-Khau-Moi-2026")
		other, _ = e.signIn("lamvanson", "Mat-Khau-Moi-2026")
		form := func(current string) *http.Response {
			resp, err := mine.PostForm(e.srv.URL+fmt.Sprintf("/users/%d/password", u.ID), url.Values{"csrf": {csrf},
				"current_password": {current}, "password": {"Mat-Khau-Thu-Ba-2026"}, "revoke_tokens": {"1"}})
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		resp := form("sai-mat-khau")
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "Mật khẩu hiện tại không đúng") {
			t.Fatalf("form with a wrong current password: %d", resp.StatusCode)
		}
		resp = form("Mat-Khau-Moi-2026")
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("form: %d", resp.StatusCode)
		}
		if !e.signedIn(mine) {
			t.Fatal("the session the password was changed from was ended")
		}
		if e.signedIn(other) {
			t.Fatal("another session survived the password change")
		}
		if r := e.do("GET", "/api/v1/me", rw, nil); r.code != http.StatusUnauthorized {
			t.Fatalf("token after a change asking to revoke tokens: %d", r.code)
		}
		a := e.audit("user.password")
		if len(a) != 2 || !strings.Contains(a[0].Detail, "1 API tokens revoked") || a[0].Username != "lamvanson" {
			t.Fatalf("audit: %+v", a)
		}

		// Wrong current passwords count toward sign-in throttling (the
		// right ones above cleared the earlier failures).
		rw = e.tokenFor("lamvanson")
		for i := 0; i < accounts.PairFreeFailures; i++ {
			if r := e.do("PUT", path, rw, map[string]any{"password": "x-Mat-Khau-2026", "current_password": "wrong"}); r.code != http.StatusBadRequest {
				t.Fatalf("wrong current password %d: %d", i, r.code)
			}
		}
		r = e.do("PUT", path, rw, map[string]any{"password": "x-Mat-Khau-2026", "current_password": "Mat-Khau-Thu-Ba-2026"})
		if r.code != http.StatusTooManyRequests {
			t.Fatalf("after %d wrong current passwords: %d %s", accounts.PairFreeFailures, r.code, r.body)
		}
	})
}

// TestAdminPasswordReset: an administrator sets another user's password
// without the current one; it is audited, ends the user's sessions and
// revokes the user's tokens when asked.
func TestAdminPasswordReset(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _, _ := e.store.Accounts().UserByUsername(context.Background(), "lamvanson")
		var me struct{ User model.User }
		e.do("GET", "/api/v1/me", e.creds.AdminToken, nil).json(t, &me)
		victim := e.tokenFor("lamvanson")
		sess, _ := e.signIn("lamvanson", demoPassword)
		r := e.do("PUT", fmt.Sprintf("/api/v1/users/%d/password", u.ID), e.creds.AdminToken, map[string]any{"password": "Dat-Lai-2026", "revoke_tokens": true})
		if r.code != http.StatusNoContent {
			t.Fatalf("admin reset: %d %s", r.code, r.body)
		}
		a := e.audit("user.password")
		if len(a) != 1 || a[0].Username != me.User.Username || a[0].ObjectID != fmt.Sprint(u.ID) || !strings.Contains(a[0].Detail, "reset by "+me.User.Username) {
			t.Fatalf("audit of the reset: %+v", a)
		}
		if e.signedIn(sess) {
			t.Fatal("the user's session survived the reset")
		}
		if r := e.do("GET", "/api/v1/me", victim, nil); r.code != http.StatusUnauthorized {
			t.Fatalf("the user's token after a reset revoking tokens: %d", r.code)
		}
		if _, err := e.accounts.Authenticate(context.Background(), "lamvanson", "Dat-Lai-2026", "192.0.2.1"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
}
