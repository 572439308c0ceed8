package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// Broadcast is what the device and broadcast endpoints and pages need of
// the broadcast service (package broadcast): the union of the small
// interfaces each handler group declares beside itself, so that the
// wiring passes one service while each group depends only on what it
// calls.
type Broadcast interface {
	DeviceProtocol
	BroadcastDevices
	BroadcastMedia
	BroadcastOrders
	BroadcastSettings
	BroadcastMonitor
	PublicFeeds
	BroadcastSpeech
	BroadcastLive
	BroadcastLimits
}

// sseKeepAlive is how often an idle push connection gets a comment line,
// so that proxies and NAT keep it open and dead devices are noticed.
const sseKeepAlive = 20 * time.Second

// registerBroadcastAPI registers the broadcast and device endpoints.
func (s broadcastAPI) registerBroadcastAPI() {
	svc := s.deps.Broadcast
	s.registerBroadcastSettings(svc)
	s.registerDeviceProtocol(svc)
	s.registerDeviceAPI(svc)
	s.registerMediaAPI(svc)
	s.registerOrderAPI(svc)
	s.registerLiveAPI(svc)
	s.registerLimitsAPI(svc)
	s.registerMonitorAPI(svc)
	s.registerPublicFeeds(svc)
	s.bcPages().registerBroadcastUI()
}

// queryID reads a required numeric query parameter.
func queryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid(name, "give %s as a positive number in the query (got %q)", name, v)
	}
	return id, nil
}

// unitParam reads ?unit_id=, defaulting to the caller's unit.
func unitParam(r *http.Request, p *principal) (int64, error) {
	if r.URL.Query().Get("unit_id") == "" {
		return p.Actor.UnitID, nil
	}
	return queryID(r, "unit_id")
}

// jsonUnitList adapts a listing of the unit named by ?unit_id= (the
// caller's unit by default), sent as {"<key>": list}.
func jsonUnitList[T any](s *Server, key string, list func(r *http.Request, p *principal, unitID int64) (T, error)) apiHandler {
	return jsonList(s, key, func(r *http.Request, p *principal) (T, error) {
		unit, err := unitParam(r, p)
		if err != nil {
			var zero T
			return zero, err
		}
		return list(r, p, unit)
	})
}

// serverURL is the URL devices and agents reach the server at: the
// configured public URL, otherwise the scheme and host of the request
// (shown to a signed-in operator only; public pages never use the Host
// header).
func (s broadcastAPI) serverURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if s.viaHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
