package web

import (
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/model"
)

// Channels is what the SMS/OTT and hand-confirmed channel endpoints need:
// the union of the small interfaces their handler groups declare.
type Channels interface {
	ChannelCampaigns
	ChannelLists
	ChannelTasks
}

// Hook is an endpoint called by an outside system (SMS provider receipts
// and inbound messages), authenticated by its own signature check.
type Hook struct {
	Pattern string // e.g. "POST /hooks/sms/receipt"
	Handler http.Handler
}

func (s channelHandlers) registerChannelAPI() {
	svc := s.deps.Channels
	s.registerCampaignAPI(svc)
	s.registerChannelListAPI(svc)
	s.registerChannelTaskAPI(svc)
	for _, h := range s.deps.Hooks {
		s.mux.Handle(h.Pattern, s.observe(h.Handler.ServeHTTP))
	}
}

// optionalID reads an optional numeric query parameter (0 when absent).
func optionalID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, model.Invalid(name, "%q is not an id", v)
	}
	return n, nil
}
