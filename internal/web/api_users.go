package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/model"
)

// UserAdmin is what the user endpoints need of the accounts service.
type UserAdmin interface {
	CreateUser(ctx context.Context, a model.Actor, in accounts.NewUser) (*model.User, error)
	UpdateUser(ctx context.Context, a model.Actor, id int64, p accounts.UserPatch) (*model.User, error)
	SetPassword(ctx context.Context, a model.Actor, id int64, in accounts.PasswordChange) error
	User(ctx context.Context, a model.Actor, id int64) (*model.User, error)
	Users(ctx context.Context, a model.Actor) ([]*model.User, error)
}

// TokenAdmin is what the API token endpoints need.
type TokenAdmin interface {
	CreateToken(ctx context.Context, a model.Actor, in accounts.NewToken) (string, *model.Token, error)
	Tokens(ctx context.Context, a model.Actor, userID int64) ([]*model.Token, error)
	RevokeToken(ctx context.Context, a model.Actor, id int64) error
}

type passwordRequest struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password"`
	RevokeTokens    bool   `json:"revoke_tokens"`
}

func (s accountHandlers) registerUserAPI(svc UserAdmin) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/users", true, j(jsonList(s.Server, "users", func(r *http.Request, p *principal) ([]*model.User, error) {
		return svc.Users(r.Context(), p.Actor)
	})))
	s.handle("POST /api/v1/users", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, UserAdmin.CreateUser))))
	s.handle("GET /api/v1/users/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, UserAdmin.User))))
	s.handle("PATCH /api/v1/users/{id}", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, UserAdmin.UpdateUser))))
	s.handle("PUT /api/v1/users/{id}/password", true, j(jsonCall(s.Server, http.StatusNoContent, func(r *http.Request, p *principal, in passwordRequest) (noBody, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return noBody{}, err
		}
		change := accounts.PasswordChange{Current: in.CurrentPassword, New: in.Password, RevokeTokens: in.RevokeTokens, KeepSession: p.Secret}
		return noBody{}, svc.SetPassword(r.Context(), p.Actor, id, change)
	})))
}

func (s accountHandlers) registerTokenAPI(svc TokenAdmin) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/tokens", true, j(jsonList(s.Server, "tokens", func(r *http.Request, p *principal) ([]*model.Token, error) {
		var uid int64
		if v := r.URL.Query().Get("user_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, model.Invalid("user_id", "%q is not an id", v)
			}
			uid = id
		}
		return svc.Tokens(r.Context(), p.Actor, uid)
	})))
	s.handle("POST /api/v1/tokens", true, j(jsonBody(s.Server, http.StatusCreated, func(ctx context.Context, a model.Actor, in accounts.NewToken) (map[string]any, error) {
		secret, t, err := svc.CreateToken(ctx, a, in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"token": t, "secret": secret}, nil
	})))
	s.handle("DELETE /api/v1/tokens/{id}", true, j(jsonDeleteID(s.Server, "id", bindErr(svc, TokenAdmin.RevokeToken))))
}
