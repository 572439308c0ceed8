package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastOrders is what the broadcast order endpoints need: scheduled
// broadcasts, emergencies, their reports and play logs.
type BroadcastOrders interface {
	CreateOrder(ctx context.Context, a model.Actor, in broadcast.OrderInput) (*broadcast.OrderView, error)
	Emergency(ctx context.Context, a model.Actor, in broadcast.EmergencyInput) (*broadcast.EmergencyResult, error)
	Orders(ctx context.Context, a model.Actor, unitID int64) ([]*broadcast.OrderView, error)
	Order(ctx context.Context, a model.Actor, id int64) (*broadcast.OrderView, error)
	CancelOrder(ctx context.Context, a model.Actor, id int64) error
	Report(ctx context.Context, a model.Actor, orderID int64) (*broadcast.OrderReport, error)
	PlayLogs(ctx context.Context, a model.Actor, deviceID, orderID int64, limit int) ([]model.PlayLog, error)
}

func (s broadcastAPI) registerOrderAPI(svc BroadcastOrders) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/orders", true, j(jsonUnitList(s.Server, "orders", func(r *http.Request, p *principal, unit int64) ([]*broadcast.OrderView, error) {
		return svc.Orders(r.Context(), p.Actor, unit)
	})))
	s.handle("POST /api/v1/broadcast/orders", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, BroadcastOrders.CreateOrder))))
	s.handle("GET /api/v1/broadcast/orders/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastOrders.Order))))
	s.handle("DELETE /api/v1/broadcast/orders/{id}", true, j(jsonDeleteID(s.Server, "id", bindErr(svc, BroadcastOrders.CancelOrder))))
	s.handle("GET /api/v1/broadcast/orders/{id}/report", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastOrders.Report))))
	s.handle("GET /api/v1/broadcast/orders/{id}/playlogs", true, j(playLogList(s.Server, func(ctx context.Context, a model.Actor, id int64, limit int) ([]model.PlayLog, error) {
		return svc.PlayLogs(ctx, a, 0, id, limit)
	})))
	s.registerVersionAPI(s.deps.Broadcast)
	s.handle("POST /api/v1/broadcast/emergency", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, BroadcastOrders.Emergency))))
}

// registerVersionAPI registers an order's language versions: which
// version each unit reached plays, and adding, reading out and removing
// versions.
func (s broadcastAPI) registerVersionAPI(svc BroadcastVersions) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/orders/{id}/languages", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastVersions.OrderLanguages))))
	s.handle("POST /api/v1/broadcast/orders/{id}/versions", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, BroadcastVersions.SetOrderVersion))))
	s.handle("POST /api/v1/broadcast/orders/{id}/versions/speak", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, BroadcastVersions.SpeakOrderVersion))))
	s.handle("DELETE /api/v1/broadcast/orders/{id}/versions/{lang}", true, j(jsonCall(s.Server, http.StatusNoContent, func(r *http.Request, p *principal, _ noBody) (noBody, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return noBody{}, err
		}
		return noBody{}, svc.RemoveOrderVersion(r.Context(), p.Actor, id, r.PathValue("lang"))
	})))
}
