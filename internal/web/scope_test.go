package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// scopeAccounts authenticates two API tokens of an administrator: "ro"
// with the read scope only, "rw" with read and write.
type scopeAccounts struct{ Accounts }

func (scopeAccounts) TokenUser(_ context.Context, secret string) (*model.User, *model.Token, error) {
	u := &model.User{ID: 1, Username: "admin", UnitID: 1, Roles: []model.Role{model.RoleAdmin}, Active: true, Lang: "vi"}
	switch secret {
	case "ro":
		return u, &model.Token{ID: 1, UserID: 1, Scopes: []string{model.ScopeRead}}, nil
	case "rw":
		return u, &model.Token{ID: 2, UserID: 1, Scopes: []string{model.ScopeRead, model.ScopeWrite}}, nil
	}
	return nil, nil, fmt.Errorf("unknown token: %w", model.ErrUnauthorized)
}

func (scopeAccounts) ActorFor(_ context.Context, u *model.User, client string, scopes []string) (model.Actor, error) {
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: "/1/", Roles: u.Roles, Scopes: scopes, ClientAddr: client}, nil
}

// scopeBroadcast refuses every device credential, as the real service
// does for a user's API token.
type scopeBroadcast struct{ stubBroadcast }

func (scopeBroadcast) AuthenticateDevice(context.Context, string, int64) (*broadcast.DeviceAuth, error) {
	return nil, fmt.Errorf("not a device credential: %w", model.ErrUnauthorized)
}

var wildcardRe = regexp.MustCompile(`\{[^}]*\}`)

// TestEveryWriteNeedsTheWriteScope walks every registered route with a
// read-only and a read-write API token. Every unsafe method must refuse
// the read-only token with 403 before the handler runs or the body is
// read (the body sent is malformed JSON: decoding it first would answer
// 400); the read-write token must get past the scope check. The services
// behind the handlers are empty stand-ins: a handler that calls one
// panics, which the server turns into a bare 500 "internal error".
func TestEveryWriteNeedsTheWriteScope(t *testing.T) {
	s, err := New(Deps{Accounts: scopeAccounts{}, Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Documents: stubDocuments{}, Registry: stubRegistry{}, Broadcast: scopeBroadcast{}, Channels: stubChannels{}, Directives: stubDirectives{}, Scheduler: stubScheduler{}})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token string) (w *httptest.ResponseRecorder, reached bool) {
		w = httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(`{"password":`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		s.ServeHTTP(w, req)
		return w, w.Code == http.StatusInternalServerError && w.Body.String() == "internal error\n"
	}
	readOnly := func(w *httptest.ResponseRecorder) bool {
		return w.Code == http.StatusForbidden && strings.Contains(w.Body.String(), "read-only")
	}
	var unsafeAPI int
	for _, rt := range s.routes {
		path := wildcardRe.ReplaceAllString(strings.ReplaceAll(rt.Pattern, "{$}", ""), "1")
		name := rt.Method + " " + rt.Pattern
		device := strings.HasPrefix(rt.Pattern, "/api/v1/device/")
		for _, token := range []string{"ro", "rw"} {
			w, reached := call(rt.Method, path, token)
			switch {
			case !rt.API && (!unsafeMethod(rt.Method) || rt.Pattern == "/login"):
				// Public pages, static files, feeds, sign-in.
			case !rt.API:
				// Page forms take web sessions only: a token is sent to sign in.
				if reached || w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
					t.Errorf("%s with token %s: %d (reached handler: %v), want a redirect to sign in", name, token, w.Code, reached)
				}
			case device:
				// The device protocol takes device credentials only.
				if reached || (w.Code != http.StatusUnauthorized && w.Code != http.StatusBadRequest) {
					t.Errorf("%s with user token %s: %d (reached handler: %v), want 401 or 400", name, token, w.Code, reached)
				}
			case unsafeMethod(rt.Method) && token == "ro":
				unsafeAPI++
				if reached || !readOnly(w) {
					t.Errorf("%s with a read-only token: %d %s (reached handler: %v), want 403 read-only before the body is read",
						name, w.Code, strings.TrimSpace(w.Body.String()), reached)
				}
			default:
				if readOnly(w) {
					t.Errorf("%s with token %s refused as read-only: %s", name, token, w.Body.String())
				}
			}
		}
	}
	if unsafeAPI < 50 {
		t.Fatalf("only %d unsafe API routes walked; the route list is incomplete", unsafeAPI)
	}
}

// TestClientAddr: X-Forwarded-For counts only when the direct peer is a
// trusted proxy, and then its right-most address that is not a proxy.
func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("192.0.2.7/32")}
	cases := []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxy configured, header ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"untrusted peer spoofs the header", "203.0.113.5:4000", []string{"198.51.100.1"}, trusted, "203.0.113.5"},
		{"untrusted peer spoofs a proxy chain", "203.0.113.5:4000", []string{"198.51.100.1, 10.0.0.3"}, trusted, "203.0.113.5"},
		{"trusted peer without header", "10.1.2.3:4000", nil, trusted, "10.1.2.3"},
		{"trusted peer, one hop", "10.1.2.3:4000", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"client prepends a spoofed address", "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"two trusted hops", "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1, 10.9.9.9, 192.0.2.7"}, trusted, "198.51.100.1"},
		{"hops in several header lines", "10.1.2.3:4000", []string{"6.6.6.6", "198.51.100.1", "10.9.9.9"}, trusted, "198.51.100.1"},
		{"every hop a proxy", "10.1.2.3:4000", []string{"10.0.0.9, 10.0.0.8"}, trusted, "10.0.0.9"},
		{"garbage hop stops the walk", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip, 10.0.0.8"}, trusted, "10.0.0.8"},
		{"hop with a port", "10.1.2.3:4000", []string{"198.51.100.1:5555"}, trusted, "198.51.100.1"},
		{"IPv6 proxy and client", "[fd00::1]:4000", []string{"2001:db8::5"}, trusted, "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"address just outside a /32", "192.0.2.8:4000", []string{"198.51.100.1"}, trusted, "192.0.2.8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{deps: Deps{TrustedProxies: c.trusted}}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, h := range c.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := s.clientAddr(r); got != c.want {
				t.Errorf("clientAddr = %q, want %q", got, c.want)
			}
		})
	}
}
