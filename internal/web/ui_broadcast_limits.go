package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// BroadcastLimits is what the limits page and API need: the quiet hours,
// volume caps and maximum daily broadcast time of a unit or a cluster.
type BroadcastLimits interface {
	Limits(ctx context.Context, a model.Actor, unitID, deviceID int64) (model.BroadcastLimits, error)
	SetLimits(ctx context.Context, a model.Actor, in broadcast.LimitsInput) (model.BroadcastLimits, error)
}

// limitCapRows is how many volume-cap rows the form offers.
const limitCapRows = 4

// registerLimitsUI registers the page "Giới hạn phát": quiet hours, volume
// caps and the maximum daily broadcast time of the unit and of each of
// its loudspeaker clusters.
func (s broadcastPages) registerLimitsUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /broadcast/limits", false, pg(s.uiLimits))
	s.handle("POST /broadcast/limits", false, pg(s.uiLimitsSave))
}

// registerLimitsAPI registers GET/PUT /api/v1/broadcast/units/{id}/limits
// (?device=ID for one cluster: its own limits, else those it inherits).
func (s broadcastAPI) registerLimitsAPI(svc BroadcastLimits) {
	s.handle("GET /api/v1/broadcast/units/{id}/limits", true, s.api(MaxJSONBody, jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (limitsView, error) {
		unit, err := pathID(r, "id")
		if err != nil {
			return limitsView{}, err
		}
		var device int64
		if v := r.URL.Query().Get("device"); v != "" {
			if device, err = strconv.ParseInt(v, 10, 64); err != nil || device <= 0 {
				return limitsView{}, model.Invalid("device", "device %q: give the number of a loudspeaker cluster", v)
			}
		}
		l, err := svc.Limits(r.Context(), p.Actor, unit, device)
		return limitsJSON(l), err
	})))
	s.handle("PUT /api/v1/broadcast/units/{id}/limits", true, s.api(MaxJSONBody, jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, unit int64, in broadcast.LimitsInput) (limitsView, error) {
		in.UnitID = unit
		l, err := svc.SetLimits(ctx, a, in)
		return limitsJSON(l), err
	})))
}

// limitsView is the limits as the API shows them: times as HH:MM.
type limitsView struct {
	UnitID          int64                      `json:"unit_id"`
	DeviceID        int64                      `json:"device_id,omitempty"`
	QuietStart      string                     `json:"quiet_start"`
	QuietEnd        string                     `json:"quiet_end"`
	MaxDailyMinutes int                        `json:"max_daily_minutes"`
	VolumeCaps      []broadcast.VolumeCapInput `json:"volume_caps"`
	UpdatedBy       string                     `json:"updated_by,omitempty"`
}

func dayClock(sec int) string { return schedule.Clock(sec).String() }

func limitsJSON(l model.BroadcastLimits) limitsView {
	v := limitsView{UnitID: l.UnitID, DeviceID: l.DeviceID, MaxDailyMinutes: l.MaxDailySeconds / 60, UpdatedBy: l.UpdatedBy,
		VolumeCaps: []broadcast.VolumeCapInput{}}
	if l.HasQuiet() {
		v.QuietStart, v.QuietEnd = dayClock(l.QuietStart), dayClock(l.QuietEnd)
	}
	for _, c := range l.VolumeCaps {
		v.VolumeCaps = append(v.VolumeCaps, broadcast.VolumeCapInput{From: dayClock(c.From), To: dayClock(c.To), Max: c.Max})
	}
	return v
}

// bcLimitsRow is the unit's or one cluster's limits on the page.
type bcLimitsRow struct {
	DeviceID int64
	Name     string
	// Own: the limits are set here (not inherited from a unit above).
	Own    bool
	Limits limitsView
	// Caps is the form's rows (the stored caps, then empty rows).
	Caps []broadcast.VolumeCapInput
}

type bcLimitsData struct {
	bcCommon
	Rows []bcLimitsRow
}

func (s broadcastPages) limits() BroadcastLimits { return s.deps.Broadcast }

func (s broadcastPages) uiLimits(w http.ResponseWriter, r *http.Request, p *principal) {
	s.limitsPage(w, r, p, "", http.StatusOK)
}

func (s broadcastPages) limitsPage(w http.ResponseWriter, r *http.Request, p *principal, errMsg string, code int) {
	pd, c, err := s.broadcastPage(r, p, "bc.limits.title", "limits")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	ctx := r.Context()
	row := func(deviceID int64, name string) (bcLimitsRow, error) {
		l, err := s.limits().Limits(ctx, p.Actor, c.Unit.ID, deviceID)
		if err != nil {
			return bcLimitsRow{}, err
		}
		v := limitsJSON(l)
		own := l.UnitID == c.Unit.ID && l.DeviceID == deviceID && l.UpdatedAt != nil
		caps := append([]broadcast.VolumeCapInput(nil), v.VolumeCaps...)
		for len(caps) < limitCapRows {
			caps = append(caps, broadcast.VolumeCapInput{})
		}
		return bcLimitsRow{DeviceID: deviceID, Name: name, Own: own, Limits: v, Caps: caps}, nil
	}
	d := bcLimitsData{bcCommon: c}
	first, err := row(0, c.Unit.Name)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d.Rows = append(d.Rows, first)
	devices, err := s.deps.Broadcast.Devices(ctx, p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	for _, dv := range devices {
		if dv.UnitID != c.Unit.ID || dv.RevokedAt != nil {
			continue
		}
		rw, err := row(dv.ID, dv.Name)
		if err != nil {
			s.bcRenderError(w, r, p, err)
			return
		}
		d.Rows = append(d.Rows, rw)
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast_limits", pd, code)
}

func (s broadcastPages) uiLimitsSave(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	in := broadcast.LimitsInput{UnitID: unit, QuietStart: strings.TrimSpace(r.PostFormValue("quiet_start")),
		QuietEnd: strings.TrimSpace(r.PostFormValue("quiet_end"))}
	if v := strings.TrimSpace(r.PostFormValue("device_id")); v != "" && v != "0" {
		if in.DeviceID, err = strconv.ParseInt(v, 10, 64); err != nil || in.DeviceID <= 0 {
			s.limitsPage(w, r, p, s.tr(r, p, "bc.limits.bad_number", v), http.StatusBadRequest)
			return
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("max_daily_minutes")); v != "" {
		if in.MaxDailyMinutes, err = strconv.Atoi(v); err != nil {
			s.limitsPage(w, r, p, s.tr(r, p, "bc.limits.bad_number", v), http.StatusBadRequest)
			return
		}
	}
	for i := 0; i < limitCapRows; i++ {
		from := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("cap_from_%d", i)))
		to := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("cap_to_%d", i)))
		max := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("cap_max_%d", i)))
		if from == "" && to == "" && max == "" {
			continue
		}
		n, err := strconv.Atoi(max)
		if err != nil {
			s.limitsPage(w, r, p, s.tr(r, p, "bc.limits.bad_number", max), http.StatusBadRequest)
			return
		}
		in.VolumeCaps = append(in.VolumeCaps, broadcast.VolumeCapInput{From: from, To: to, Max: n})
	}
	if _, err := s.limits().SetLimits(r.Context(), p.Actor, in); err != nil {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.limitsPage(w, r, p, msg, code) })
		return
	}
	q := url.Values{}
	if v := r.URL.Query().Get("unit"); v != "" {
		q.Set("unit", v)
	}
	target := "/broadcast/limits"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	redirectFlash(w, r, target+fmt.Sprintf("#limits-%d", in.DeviceID), "flash.bc_limits_saved")
}
