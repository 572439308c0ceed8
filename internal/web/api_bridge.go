package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveScheduler turns the broadcast items of received directives into
// broadcast orders of a unit (package bridge).
type DirectiveScheduler interface {
	Schedule(ctx context.Context, a model.Actor, unitID int64) (*bridge.Result, error)
}

func (s *Server) registerBridge() {
	s.handle("POST /api/v1/broadcast/units/{id}/schedule-directives", true, s.api(MaxJSONBody, s.apiScheduleDirectives))
	s.handle("POST /broadcast/orders/from-directives", false, s.page(MaxJSONBody, s.uiScheduleDirectives))
}

func (s *Server) apiScheduleDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Scheduler.Schedule(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, res, err)
}

// uiScheduleDirectives is the "schedule the received directives" button
// of the orders page.
func (s *Server) uiScheduleDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	unit := p.User.UnitID
	if v := r.FormValue("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.renderError(w, r, p, model.Invalid("unit", "%q is not a unit id", v))
			return
		}
		unit = id
	}
	res, err := s.deps.Scheduler.Schedule(r.Context(), p.Actor, unit)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	flash := "flash.bc_from_directives_none"
	if len(res.Created) > 0 {
		flash = "flash.bc_from_directives"
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders?unit=%d", unit), flash)
}
