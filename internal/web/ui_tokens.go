package web

import (
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/model"
)

type tokensData struct {
	Tokens    []*model.Token
	NewSecret string
}

func (s accountHandlers) tokensPage(w http.ResponseWriter, r *http.Request, p *principal, secret, errMsg string, code int) {
	pd := s.newPage(r, p, "tokens.title", "tokens")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	tokens, err := s.deps.Accounts.Tokens(r.Context(), p.Actor, 0)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Data = tokensData{Tokens: tokens, NewSecret: secret}
	pd.Error = errMsg
	s.render(w, r, "tokens", pd, code)
}

func (s accountHandlers) uiTokens(w http.ResponseWriter, r *http.Request, p *principal) {
	s.tokensPage(w, r, p, "", "", http.StatusOK)
}

func (s accountHandlers) uiTokenCreate(w http.ResponseWriter, r *http.Request, p *principal) {
	in := accounts.NewToken{Name: r.FormValue("name"), Scopes: r.Form["scopes"]}
	if v := r.FormValue("expires"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, s.loc)
		if err != nil {
			s.tokensPage(w, r, p, "", s.reqText(r, p, model.Invalid("expires", "%q is not a date", v)), http.StatusBadRequest)
			return
		}
		end := t.AddDate(0, 0, 1)
		in.ExpiresAt = &end
	}
	secret, _, err := s.deps.Accounts.CreateToken(r.Context(), p.Actor, in)
	if err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.tokensPage(w, r, p, "", msg, code) })
		return
	}
	// The secret is shown once, on this response; it is never stored.
	s.tokensPage(w, r, p, secret, "", http.StatusCreated)
}

func (s accountHandlers) uiTokenRevoke(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if err := s.deps.Accounts.RevokeToken(r.Context(), p.Actor, id); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, "/tokens", "flash.revoked")
}
