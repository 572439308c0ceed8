package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

var pageNames = []string{"login", "home", "org", "unit", "users", "user", "tokens", "audit", "error", "documents", "document", "registers", "broadcast", "broadcast_confirm", "broadcast_day", "broadcast_media", "broadcast_orders", "broadcast_order", "broadcast_devices", "archive", "archive_rules", "archive_list", "search", "broadcast_speech", "broadcast_calendar", "broadcast_live", "broadcast_limits"}

func (s *Server) parseTemplates() error {
	funcs := template.FuncMap{
		"node":  func(p *pageData, u *model.Unit) nodeData { return nodeData{P: p, Unit: u} },
		"deref": func(p *int64) int64 { return *p },
		"val":   docmodel.Val,
		"lines": func(l []string) string { return strings.Join(l, "\n") },
		"join":  strings.Join,
		"trail": trailOf,
	}
	s.tmpl = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/trail.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("parse template %s: %w", name, err)
		}
		s.tmpl[name] = t
	}
	return nil
}

type nodeData struct {
	P    *pageData
	Unit *model.Unit
}

// pageData is what every page template receives.
type pageData struct {
	s       *Server
	Lang    string
	Title   string
	Nav     string
	Path    string
	User    *model.User
	Unit    *model.Unit
	CSRF    string
	Flash   string
	Error   string
	Version string
	Data    any
	kinds   map[string]model.UnitKind
	units   map[int64]*model.Unit
	users   map[int64]string
	req     *http.Request // for what the layout asks lazily (UnreadCount)
	actor   model.Actor
}

// UserName names a user by id (where the page loaded the users).
func (p *pageData) UserName(id int64) string {
	if n, ok := p.users[id]; ok {
		return n
	}
	return fmt.Sprintf("#%d", id)
}

// T translates a message key.
func (p *pageData) T(key string, args ...any) string { return p.s.msgs.T(p.Lang, key, args...) }

// DateTime shows an instant as dd/mm/yyyy HH:MM in Vietnam's time zone.
func (p *pageData) DateTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return i18n.DateTime(t, p.s.loc)
	case *time.Time:
		if t == nil {
			return ""
		}
		return i18n.DateTime(*t, p.s.loc)
	}
	return ""
}

// ISODate shows YYYY-MM-DD as dd/mm/yyyy.
func (p *pageData) ISODate(v any) string { return i18n.ISODate(fmt.Sprint(v)) }

// KindName names a unit kind in the page's language.
func (p *pageData) KindName(code string) string {
	k, ok := p.kinds[code]
	if !ok {
		return code
	}
	if p.Lang == i18n.EN {
		return k.NameEN
	}
	return k.NameVI
}

// UnitName names a unit by id.
func (p *pageData) UnitName(id int64) string {
	if u, ok := p.units[id]; ok {
		return u.Name
	}
	return fmt.Sprintf("#%d", id)
}

// IsAdmin reports whether the signed-in user is an administrator.
func (p *pageData) IsAdmin() bool { return p.User != nil && p.User.HasRole(model.RoleAdmin) }

func (s *Server) newPage(r *http.Request, p *principal, title, nav string) *pageData {
	pd := &pageData{s: s, Title: title, Nav: nav, Path: r.URL.Path, Version: s.deps.Version, req: r}
	pref := ""
	if p != nil {
		pd.actor = p.Actor
		pd.User = p.User
		pref = p.User.Lang
		if p.Session != nil {
			pd.CSRF = p.Session.CSRF
		}
	}
	pd.Lang = i18n.FromRequest(r, pref)
	pd.Title = pd.T(title)
	if c, err := r.Cookie("loa_flash"); err == nil {
		pd.Flash = pd.T(c.Value)
	}
	return pd
}

// withDirectory loads units and kinds for pages that name them.
func (s *Server) withDirectory(r *http.Request, pd *pageData) error {
	units, err := s.deps.Orgs.Units(r.Context())
	if err != nil {
		return err
	}
	kinds, err := s.deps.Orgs.Kinds(r.Context())
	if err != nil {
		return err
	}
	pd.units = make(map[int64]*model.Unit, len(units))
	for _, u := range units {
		pd.units[u.ID] = u
	}
	pd.kinds = make(map[string]model.UnitKind, len(kinds))
	for _, k := range kinds {
		pd.kinds[k.Code] = k
	}
	if pd.User != nil {
		pd.Unit = pd.units[pd.User.UnitID]
	}
	return nil
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, pd *pageData, code int) {
	var buf bytes.Buffer
	if err := s.tmpl[name].ExecuteTemplate(&buf, "layout", pd); err != nil {
		s.deps.Log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if pd.Flash != "" {
		http.SetCookie(w, &http.Cookie{Name: "loa_flash", Value: "", Path: "/", MaxAge: -1})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows an error page with the status the error maps to.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p *principal, err error) {
	code, _ := errorStatus(err)
	s.errorPage(w, r, p, err, code, s.reqText(r, p, err))
}

// errorPage renders the error page with a status and message (see
// publicError); server errors are logged.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, p *principal, err error, code int, msg string) {
	switch {
	case code == http.StatusServiceUnavailable:
		s.deps.Log.Warn("page refused: server busy", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", overloadRetryAfter())
	case code == StatusClientClosedRequest:
		w.WriteHeader(code) // the reader left: nothing to render, nothing went wrong
		return
	case code >= 500:
		s.deps.Log.Error("page failed", "path", r.URL.Path, "err", err)
	}
	pd := s.newPage(r, p, "error.title", "")
	if p != nil {
		_ = s.withDirectory(r, pd)
	}
	pd.Data = map[string]string{"Title": pd.T(fmt.Sprintf("error.%d", code)), "Message": msg}
	s.render(w, r, "error", pd, code)
}

// redirectFlash redirects after a successful form with a message key.
func redirectFlash(w http.ResponseWriter, r *http.Request, to, flashKey string) {
	http.SetCookie(w, &http.Cookie{Name: "loa_flash", Value: flashKey, Path: "/", MaxAge: 30, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) registerUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /{$}", false, pg(s.uiHome))
	s.handle("GET /login", false, s.uiLogin)
	s.handle("POST /login", false, s.uiLoginPost)
	s.handle("POST /logout", false, pg(s.uiLogout))
	s.handle("GET /lang", false, s.uiLang)
	s.handle("GET /org", false, pg(s.orgs().uiOrg))
	s.handle("GET /org/new", false, pg(s.orgs().uiUnitNew))
	s.handle("POST /org/units", false, pg(s.orgs().uiUnitCreate))
	s.handle("GET /org/units/{id}", false, pg(s.orgs().uiUnit))
	s.handle("POST /org/units/{id}", false, pg(s.orgs().uiUnitSave))
	s.handle("POST /org/units/{id}/merge", false, pg(s.orgs().uiUnitMerge))
	s.handle("POST /org/import", false, s.page(orgs.MaxImportBytes+64<<10, s.orgs().uiOrgImport))
	s.handle("GET /users", false, pg(s.accounts().uiUsers))
	s.handle("POST /users", false, pg(s.accounts().uiUserCreate))
	s.handle("GET /users/{id}", false, pg(s.accounts().uiUser))
	s.handle("POST /users/{id}", false, pg(s.accounts().uiUserSave))
	s.handle("POST /users/{id}/password", false, pg(s.accounts().uiUserPassword))
	s.handle("GET /tokens", false, pg(s.accounts().uiTokens))
	s.handle("POST /tokens", false, pg(s.accounts().uiTokenCreate))
	s.handle("POST /tokens/{id}/revoke", false, pg(s.accounts().uiTokenRevoke))
	s.handle("GET /audit", false, pg(s.accounts().uiAudit))
}

func (s *Server) uiLang(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("set")
	if lang != i18n.VI && lang != i18n.EN {
		lang = i18n.VI
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

type loginData struct {
	Next, Username string
}

func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request) {
	pd := s.newPage(r, nil, "login.title", "")
	pd.Data = loginData{Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, "login", pd, http.StatusOK)
}

func (s *Server) uiLoginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, nil, toFormError(err))
		return
	}
	username, next := r.PostFormValue("username"), safeNext(r.PostFormValue("next"))
	u, err := s.deps.Accounts.Authenticate(r.Context(), username, r.PostFormValue("password"), s.clientAddr(r))
	if err != nil {
		pd := s.newPage(r, nil, "login.title", "")
		pd.Data = loginData{Next: next, Username: username}
		code := http.StatusUnauthorized
		switch {
		case errors.Is(err, model.ErrThrottled):
			pd.Error, code = s.accounts().errorText(r, nil, err), http.StatusTooManyRequests
			var te *accounts.ThrottleError
			if errors.As(err, &te) {
				w.Header().Set("Retry-After", strconv.Itoa(int(te.Wait.Seconds())))
			}
		case errors.Is(err, model.ErrUnauthorized):
			pd.Error = pd.T("login.failed")
		default:
			s.renderError(w, r, nil, err)
			return
		}
		s.render(w, r, "login", pd, code)
		return
	}
	secret, sess, err := s.deps.Accounts.StartSession(r.Context(), u, s.clientAddr(r))
	if err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	s.setSession(w, r, secret, sess.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := s.deps.Accounts.EndSession(r.Context(), p.Secret, p.Actor); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
