package web

import (
	"context"
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

// OrgGroups is what the unit group endpoints need: named sets of units a
// directive or broadcast can be sent to.
type OrgGroups interface {
	CreateGroup(ctx context.Context, a model.Actor, in orgs.GroupInput) (*model.Group, error)
	Groups(ctx context.Context, a model.Actor) ([]*model.Group, error)
	DeleteGroup(ctx context.Context, a model.Actor, id int64) error
	ResolveGroup(ctx context.Context, a model.Actor, id int64, day string) ([]*model.Unit, error)
}

func (s orgHandlers) registerGroupAPI(svc OrgGroups) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/groups", true, j(jsonList(s.Server, "groups", func(r *http.Request, p *principal) ([]*model.Group, error) {
		return svc.Groups(r.Context(), p.Actor)
	})))
	s.handle("POST /api/v1/groups", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, OrgGroups.CreateGroup))))
	s.handle("DELETE /api/v1/groups/{id}", true, j(jsonDeleteID(s.Server, "id", bindErr(svc, OrgGroups.DeleteGroup))))
	s.handle("GET /api/v1/groups/{id}/units", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		day := r.URL.Query().Get("date")
		if day == "" {
			day = today()
		} else if _, err := time.Parse("2006-01-02", day); err != nil {
			return nil, model.Invalid("date", "%q is not a date: use YYYY-MM-DD", day)
		}
		units, err := svc.ResolveGroup(r.Context(), p.Actor, id, day)
		if err != nil {
			return nil, err
		}
		return map[string]any{"date": day, "units": units}, nil
	})))
}
