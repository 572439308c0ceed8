package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastSettings is what the per-unit broadcast settings endpoint and
// form need.
type BroadcastSettings interface {
	Settings(ctx context.Context, a model.Actor, unitID int64) (model.BroadcastSettings, error)
	SaveSettings(ctx context.Context, a model.Actor, unitID int64, in broadcast.SettingsInput) (model.BroadcastSettings, error)
}

func (s broadcastAPI) registerBroadcastSettings(svc BroadcastSettings) {
	s.handle("GET /api/v1/broadcast/units/{id}/settings", true, s.api(MaxJSONBody, jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastSettings.Settings))))
	s.handle("PUT /api/v1/broadcast/units/{id}/settings", true, s.api(MaxJSONBody, jsonID(s.Server, "id", http.StatusOK, bind4(svc, BroadcastSettings.SaveSettings))))
	s.handle("POST /broadcast/settings", false, s.page(MaxJSONBody, func(w http.ResponseWriter, r *http.Request, p *principal) {
		s.uiSaveBroadcastSettings(w, r, p, svc)
	}))
}

// uiSaveBroadcastSettings is the settings form of the orders page.
func (s broadcastAPI) uiSaveBroadcastSettings(w http.ResponseWriter, r *http.Request, p *principal, svc BroadcastSettings) {
	unit, err := formUnit(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	auto := r.PostFormValue("auto_priority") == "1"
	if _, err := svc.SaveSettings(r.Context(), p.Actor, unit, broadcast.SettingsInput{AutoPriority: &auto}); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders?unit=%d#auto-schedule", unit), "flash.bc_settings")
}
