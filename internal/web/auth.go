package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// Accounts is what the web layer needs of the accounts service: the
// union of the small interfaces its handler groups declare.
type Accounts interface {
	Authenticator
	UserAdmin
	TokenAdmin
	AuditLog
}

// Authenticator is what signing in and finding a request's caller need.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password, client string) (*model.User, error)
	StartSession(ctx context.Context, u *model.User, client string) (string, model.Session, error)
	SessionUser(ctx context.Context, secret string) (*model.User, *model.Session, error)
	EndSession(ctx context.Context, secret string, a model.Actor) error
	TokenUser(ctx context.Context, secret string) (*model.User, *model.Token, error)
	ActorFor(ctx context.Context, u *model.User, client string, scopes []string) (model.Actor, error)
}

const sessionCookie = "loa_session"

// principal is the authenticated caller of a request.
type principal struct {
	User    *model.User
	Actor   model.Actor
	Session *model.Session // nil for API tokens
	Secret  string         // the session secret, to sign out
	Token   *model.Token
}

// authenticate finds the caller from a bearer token or a session cookie.
// It returns (nil, nil) when the request carries neither.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, fmt.Errorf("the Authorization header must be \"Bearer <token>\": %w", model.ErrUnauthorized)
		}
		u, t, err := s.deps.Accounts.TokenUser(ctx, strings.TrimSpace(secret))
		if err != nil {
			return nil, err
		}
		a, err := s.deps.Accounts.ActorFor(ctx, u, s.clientAddr(r), t.Scopes)
		if err != nil {
			return nil, err
		}
		return &principal{User: u, Actor: a, Token: t}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, sess, err := s.deps.Accounts.SessionUser(ctx, c.Value)
	if err != nil {
		return nil, err
	}
	a, err := s.deps.Accounts.ActorFor(ctx, u, s.clientAddr(r), nil)
	if err != nil {
		return nil, err
	}
	return &principal{User: u, Actor: a, Session: sess, Secret: c.Value}, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func csrfOK(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// tokenScopeError refuses an unsafe method to an API token without the
// write scope, whatever the route, before the body is read.
func tokenScopeError(r *http.Request, p *principal) error {
	if p.Token == nil || !unsafeMethod(r.Method) || slices.Contains(p.Token.Scopes, model.ScopeWrite) {
		return nil
	}
	return i18n.Localise(fmt.Errorf("this API token is read-only: %s needs a token with the %q scope: %w", r.Method, model.ScopeWrite, model.ErrForbidden), "err.token_read_only")
}

// apiHandler is an API handler with its caller.
type apiHandler func(w http.ResponseWriter, r *http.Request, p *principal)

// api wraps an API handler: body size limit, authentication (401 without
// credentials), CSRF for cookie sessions on unsafe methods.
func (s *Server) api(limit int64, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			s.writeError(w, r, &http.MaxBytesError{Limit: limit})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p == nil {
			s.writeError(w, r, fmt.Errorf("sign in, or send an API token as \"Authorization: Bearer <token>\": %w", model.ErrUnauthorized))
			return
		}
		if err := tokenScopeError(r, p); err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.Session != nil && unsafeMethod(r.Method) && !csrfOK(p.Session.CSRF, r.Header.Get("X-CSRF-Token")) {
			s.writeError(w, r, fmt.Errorf("missing or wrong X-CSRF-Token header for a cookie session: %w", model.ErrForbidden))
			return
		}
		release, ok := s.uploadSlot(w, r, p, limit) // formguard.go
		if !ok {
			return
		}
		defer release()
		h(w, r, p)
	}
}

// pageHandler is a UI handler with its caller.
type pageHandler func(w http.ResponseWriter, r *http.Request, p *principal)

// page wraps a UI handler: a signed-in session is required (else redirect
// to the login page) and unsafe methods need the form's CSRF token.
func (s *Server) page(limit int64, h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		p, err := s.authenticate(r)
		if err != nil && !errors.Is(err, model.ErrUnauthorized) {
			s.renderError(w, r, nil, err)
			return
		}
		if p == nil || p.Session == nil {
			s.clearSession(w, r)
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		// The CSRF token is checked before the body is read (formguard.go).
		cleanup, ok := s.readForm(w, r, p, limit)
		if !ok {
			return
		}
		defer cleanup()
		h(w, r, p)
	}
}

func toFormError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return model.Invalid("", "the form could not be read: %v", err)
}

// secure reports whether cookies must be Secure: always when configured,
// and whenever the request came over HTTPS (directly or via a trusted
// proxy).
func (s *Server) secure(r *http.Request) bool {
	return s.deps.SecureCookies || s.viaHTTPS(r)
}

// viaHTTPS reports whether the client reached Loa over HTTPS: the
// connection is TLS, or the direct peer is a trusted proxy (Deps.
// TrustedProxies) whose X-Forwarded-Proto says https. Anyone else's
// X-Forwarded-Proto is ignored.
func (s *Server) viaHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if r.Header.Get("X-Forwarded-Proto") != "https" {
		return false
	}
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		peer = host
	}
	ip, err := netip.ParseAddr(peer)
	return err == nil && s.trustedProxy(ip)
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, secret string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}
