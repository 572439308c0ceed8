package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastMonitor is what the monitoring endpoints need: a unit's day of
// broadcasts and its overview.
type BroadcastMonitor interface {
	DayView(ctx context.Context, a model.Actor, unitID int64, day string) (*broadcast.DayView, error)
	Overview(ctx context.Context, a model.Actor, unitID int64) (*broadcast.Overview, error)
}

func (s broadcastAPI) registerMonitorAPI(svc BroadcastMonitor) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/units/{id}/day", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (*broadcast.DayView, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return svc.DayView(r.Context(), p.Actor, id, r.URL.Query().Get("date"))
	})))
	s.handle("GET /api/v1/broadcast/units/{id}/overview", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastMonitor.Overview))))
}
