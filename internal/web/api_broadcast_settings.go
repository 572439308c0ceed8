package web

import (
	"fmt"
	"net/http"

	"github.com/loa-project/loa/internal/broadcast"
)

func (s *Server) registerBroadcastSettings() {
	s.handle("GET /api/v1/broadcast/units/{id}/settings", true, s.api(MaxJSONBody, s.apiBroadcastSettings))
	s.handle("PUT /api/v1/broadcast/units/{id}/settings", true, s.api(MaxJSONBody, s.apiSaveBroadcastSettings))
	s.handle("POST /broadcast/settings", false, s.page(MaxJSONBody, s.uiSaveBroadcastSettings))
}

func (s *Server) apiBroadcastSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.deps.Broadcast.Settings(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, st, err)
}

func (s *Server) apiSaveBroadcastSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in broadcast.SettingsInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.deps.Broadcast.SaveSettings(r.Context(), p.Actor, id, in)
	s.respond(w, r, http.StatusOK, st, err)
}

// uiSaveBroadcastSettings is the settings form of the orders page.
func (s *Server) uiSaveBroadcastSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := formUnit(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	auto := r.PostFormValue("auto_priority") == "1"
	if _, err := s.deps.Broadcast.SaveSettings(r.Context(), p.Actor, unit, broadcast.SettingsInput{AutoPriority: &auto}); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders?unit=%d#auto-schedule", unit), "flash.bc_settings")
}
