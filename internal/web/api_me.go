package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/model"
)

// UnitFinder is what the caller's own endpoint needs: the caller's unit.
type UnitFinder interface {
	Unit(ctx context.Context, id int64) (*model.Unit, error)
}

// apiMe is the caller: user, unit, token, and the CSRF token of a
// cookie session.
func apiMe(r *http.Request, p *principal, svc UnitFinder) (map[string]any, error) {
	unit, err := svc.Unit(r.Context(), p.User.UnitID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"user": p.User, "unit": unit}
	if p.Token != nil {
		out["token"] = p.Token
	}
	if p.Session != nil {
		out["csrf_token"] = p.Session.CSRF
	}
	return out, nil
}
