package web

import (
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// bcLiveData is the live broadcast page: the microphone panel (the
// browser records WebM/Opus chunks of 250 ms and sends them to the live
// API; loa.js) and the unit's latest live sessions.
type bcLiveData struct {
	bcCommon
	Devices  []broadcast.DeviceView
	Sessions []*broadcast.LiveView
	AllKind  string // target kind of "every cluster of the unit"
}

// registerLiveUI registers the live page ("Phát trực tiếp").
func (s broadcastPages) registerLiveUI() {
	s.handle("GET /broadcast/live", false, s.page(MaxJSONBody, s.uiLive))
}

func (s broadcastPages) uiLive(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	pd, c, err := s.broadcastPage(r, p, "bc.live.title", "live")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcLiveData{bcCommon: c, AllKind: model.TargetUnit}
	if c.HasBelow {
		d.AllKind = model.TargetSubtree
	}
	if d.Devices, err = s.deps.Broadcast.Devices(ctx, p.Actor, c.Unit.ID); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	active := d.Devices[:0:0]
	for _, dv := range d.Devices {
		if dv.RevokedAt == nil {
			active = append(active, dv)
		}
	}
	d.Devices = active
	if d.Sessions, err = s.deps.Broadcast.LiveSessions(ctx, p.Actor, c.Unit.ID); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	pd.Data = d
	s.render(w, r, "broadcast_live", pd, http.StatusOK)
}

// BCKB shows a byte count in kilobytes.
func (p *pageData) BCKB(n int64) string { return fmtKB(n) }

func fmtKB(n int64) string {
	if n < 1000 {
		return "<1"
	}
	return strconv.FormatInt((n+500)/1000, 10)
}
