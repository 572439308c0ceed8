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
// broadcast orders of a unit (package bridge), by hand or automatically.
type DirectiveScheduler interface {
	Schedule(ctx context.Context, a model.Actor, unitID int64) (*bridge.Result, error)
	Jobs(ctx context.Context, a model.Actor, unitID int64, limit int) ([]bridge.AutoJob, error)
	Retry(ctx context.Context, a model.Actor, unitID, jobID int64) error
}

func (s broadcastAPI) registerBridge() {
	s.handle("POST /api/v1/broadcast/units/{id}/schedule-directives", true, s.api(MaxJSONBody, s.apiScheduleDirectives))
	s.handle("GET /api/v1/broadcast/units/{id}/auto-schedule", true, s.api(MaxJSONBody, s.apiAutoJobs))
	s.handle("POST /api/v1/broadcast/units/{id}/auto-schedule/{job}/retry", true, s.api(MaxJSONBody, s.apiAutoRetry))
	s.handle("POST /broadcast/orders/from-directives", false, s.page(MaxJSONBody, s.uiScheduleDirectives))
	s.handle("POST /broadcast/auto-schedule/{job}/retry", false, s.page(MaxJSONBody, s.uiAutoRetry))
}

func (s broadcastAPI) apiScheduleDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Scheduler.Schedule(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, res, err)
}

func (s broadcastAPI) apiAutoJobs(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			s.writeError(w, r, model.Invalid("limit", "%q: give a number of jobs from 1 to 500", v))
			return
		}
	}
	list, err := s.deps.Scheduler.Jobs(r.Context(), p.Actor, id, limit)
	s.respond(w, r, http.StatusOK, map[string]any{"jobs": list}, err)
}

func (s broadcastAPI) apiAutoRetry(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	job, err := pathID(r, "job")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.deps.Scheduler.Retry(r.Context(), p.Actor, id, job)
	s.respond(w, r, http.StatusAccepted, map[string]any{"job": job, "state": "pending"}, err)
}

// formUnit is the unit a broadcast form acts on: its "unit" field, or the
// user's own unit.
func formUnit(r *http.Request, p *principal) (int64, error) {
	v := r.FormValue("unit")
	if v == "" {
		return p.User.UnitID, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid("unit", "%q is not a unit id", v)
	}
	return id, nil
}

// uiScheduleDirectives is the "schedule the received directives" button
// of the orders page.
func (s broadcastAPI) uiScheduleDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := formUnit(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
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

// uiAutoRetry retries an automatic scheduling that gave up.
func (s broadcastAPI) uiAutoRetry(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := formUnit(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	job, err := pathID(r, "job")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if err := s.deps.Scheduler.Retry(r.Context(), p.Actor, unit, job); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders?unit=%d#auto-schedule", unit), "flash.bc_auto_retry")
}
