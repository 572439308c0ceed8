package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

type usersData struct {
	Users     []*model.User
	Units     []unitOption
	Roles     []model.Role
	CanCreate bool
}

func (s accountHandlers) usersPage(w http.ResponseWriter, r *http.Request, p *principal, errMsg string, code int) {
	pd := s.newPage(r, p, "users.title", "users")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	users, err := s.deps.Accounts.Users(r.Context(), p.Actor)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	opts := s.userUnitOptions(pd, p.Actor)
	pd.Data = usersData{Users: users, Units: opts, Roles: model.AllRoles, CanCreate: len(opts) > 0}
	pd.Error = errMsg
	s.render(w, r, "users", pd, code)
}

// userUnitOptions lists the units where the actor may manage users.
func (s accountHandlers) userUnitOptions(pd *pageData, a model.Actor) []unitOption {
	all := s.orgs().unitOptions(pd, a, false)
	out := all[:0]
	for _, o := range all {
		if s.deps.Policy.Can(a, authz.UserWrite, pd.units[o.ID].Path) {
			out = append(out, o)
		}
	}
	return out
}

func (s accountHandlers) uiUsers(w http.ResponseWriter, r *http.Request, p *principal) {
	s.usersPage(w, r, p, "", http.StatusOK)
}

func formRoles(r *http.Request) []model.Role {
	var roles []model.Role
	for _, v := range r.Form["roles"] {
		roles = append(roles, model.Role(v))
	}
	return roles
}

func (s accountHandlers) uiUserCreate(w http.ResponseWriter, r *http.Request, p *principal) {
	unitID, _ := strconv.ParseInt(r.FormValue("unit_id"), 10, 64)
	in := accounts.NewUser{Username: r.FormValue("username"), Password: r.FormValue("password"), FullName: r.FormValue("full_name"),
		Email: r.FormValue("email"), Title: r.FormValue("title"), UnitID: unitID, Roles: formRoles(r)}
	u, err := s.deps.Accounts.CreateUser(r.Context(), p.Actor, in)
	if err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.usersPage(w, r, p, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/users/%d", u.ID), "flash.saved")
}

type userData struct {
	U        *model.User
	Units    []unitOption
	Roles    []model.Role
	CanAdmin bool
}

func (s accountHandlers) userPage(w http.ResponseWriter, r *http.Request, p *principal, id int64, errMsg string, code int) {
	u, err := s.deps.Accounts.User(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "users.title", "users")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Title = u.FullName
	canAdmin := s.deps.Policy.Can(p.Actor, authz.UserWrite, pd.units[u.UnitID].Path)
	pd.Data = userData{U: u, Units: s.userUnitOptions(pd, p.Actor), Roles: model.AllRoles, CanAdmin: canAdmin}
	pd.Error = errMsg
	s.render(w, r, "user", pd, code)
}

func (s accountHandlers) uiUser(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.userPage(w, r, p, id, "", http.StatusOK)
}

func (s accountHandlers) uiUserSave(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	name, email, lang := r.FormValue("full_name"), r.FormValue("email"), r.FormValue("lang")
	patch := accounts.UserPatch{FullName: &name, Email: &email, Lang: &lang}
	if _, admin := r.Form["title"]; admin {
		title := r.FormValue("title")
		unitID, _ := strconv.ParseInt(r.FormValue("unit_id"), 10, 64)
		roles := formRoles(r)
		active := r.FormValue("active") == "1"
		patch.Title, patch.UnitID, patch.Roles, patch.Active = &title, &unitID, &roles, &active
	}
	if _, err := s.deps.Accounts.UpdateUser(r.Context(), p.Actor, id, patch); err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.userPage(w, r, p, id, msg, code) })
		return
	}
	if id == p.User.ID {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	}
	redirectFlash(w, r, fmt.Sprintf("/users/%d", id), "flash.saved")
}

func (s accountHandlers) uiUserPassword(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	change := accounts.PasswordChange{Current: r.FormValue("current_password"), New: r.FormValue("password"),
		RevokeTokens: r.FormValue("revoke_tokens") != "", KeepSession: p.Secret}
	if err := s.deps.Accounts.SetPassword(r.Context(), p.Actor, id, change); err != nil {
		if errors.Is(err, model.ErrThrottled) {
			s.userPage(w, r, p, id, s.errorText(r, p, err), http.StatusTooManyRequests)
			return
		}
		s.orgs().formFailure(w, r, p, err, func(_ string, code int) { s.userPage(w, r, p, id, s.errorText(r, p, err), code) })
		return
	}
	// Changing one's own password keeps this session and ends the others.
	redirectFlash(w, r, fmt.Sprintf("/users/%d", id), "flash.password")
}

// errorText is err in the reader's language when the catalog explains it,
// else its English text.
func (s accountHandlers) errorText(r *http.Request, p *principal, err error) string {
	pref := ""
	if p != nil && p.User != nil {
		pref = p.User.Lang
	}
	if m, ok := s.msgs.Message(i18n.FromRequest(r, pref), err); ok {
		return m
	}
	return s.pageText(i18n.FromRequest(r, pref), err)
}
