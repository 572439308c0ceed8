package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
)

// DeviceProtocol is what the loudspeaker devices' own endpoints need
// (docs/device-protocol.md): device credentials only.
type DeviceProtocol interface {
	Enrol(ctx context.Context, in protocol.EnrolRequest, client string) (*protocol.EnrolResponse, error)
	AuthenticateDevice(ctx context.Context, credential string, deviceID int64) (*broadcast.DeviceAuth, error)
	DeviceSchedule(ctx context.Context, da *broadcast.DeviceAuth, ifNoneMatch string) (*broadcast.ScheduleResult, error)
	Subscribe(da *broadcast.DeviceAuth) *broadcast.Subscription
	// Hello is the first event of a push connection (when to fetch the schedule).
	Hello(da *broadcast.DeviceAuth) protocol.Event
	OpenDeviceMedia(ctx context.Context, da *broadcast.DeviceAuth, sha string) (io.ReadSeekCloser, error)
	Heartbeat(ctx context.Context, da *broadcast.DeviceAuth, hb protocol.Heartbeat) (*protocol.HeartbeatResponse, error)
	IngestPlays(ctx context.Context, da *broadcast.DeviceAuth, batch protocol.PlayLogBatch) (*protocol.PlayLogResult, error)
}

// deviceAPI is the device protocol's handler group.
type deviceAPI struct {
	s   *Server
	svc DeviceProtocol
}

func (s broadcastAPI) registerDeviceProtocol(svc DeviceProtocol) {
	d := deviceAPI{s: s.Server, svc: svc}
	s.handle("POST "+protocol.PathEnrol, true, d.enrol)
	s.handle("GET /api/v1/device/{id}/schedule", true, d.schedule)
	s.handle("GET /api/v1/device/{id}/events", true, d.events)
	s.handle("GET /api/v1/device/{id}/media/{sha}", true, d.media)
	s.handle("POST /api/v1/device/{id}/heartbeat", true, deviceJSON(d, protocol.MaxRequestBody, bind(d.svc, DeviceProtocol.Heartbeat)))
	s.handle("POST /api/v1/device/{id}/playlogs", true, d.playLogs)
}

// auth authenticates a device request: "Authorization: Bearer loa_d_…"
// for the device named in the path. Session cookies and user tokens are
// refused.
func (d deviceAPI) auth(r *http.Request) (*broadcast.DeviceAuth, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, fmt.Errorf("device endpoints need \"Authorization: Bearer <device credential>\": %w", model.ErrUnauthorized)
	}
	return d.svc.AuthenticateDevice(r.Context(), strings.TrimSpace(secret), id)
}

// authJSON authenticates the device and decodes the JSON body, of at
// most limit bytes, into in.
func (d deviceAPI) authJSON(w http.ResponseWriter, r *http.Request, in any, limit int64) (*broadcast.DeviceAuth, error) {
	da, err := d.auth(r)
	if err != nil {
		return nil, err
	}
	return da, decodeJSON(w, r, in, limit)
}

// deviceJSON adapts a device call with a JSON body of at most limit bytes.
func deviceJSON[In, Out any](d deviceAPI, limit int64, call func(ctx context.Context, da *broadcast.DeviceAuth, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		da, err := d.authJSON(w, r, &in, limit)
		if err != nil {
			d.s.writeError(w, r, err)
			return
		}
		out, err := call(r.Context(), da, in)
		d.s.respond(w, r, http.StatusOK, out, err)
	}
}

func (d deviceAPI) enrol(w http.ResponseWriter, r *http.Request) {
	var in protocol.EnrolRequest
	if err := decodeJSON(w, r, &in, protocol.MaxRequestBody); err != nil {
		d.s.writeError(w, r, err)
		return
	}
	if in.Key == "" {
		if secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			in.Key = strings.TrimSpace(secret)
		}
	}
	resp, err := d.svc.Enrol(r.Context(), in, d.s.clientAddr(r))
	d.s.respond(w, r, http.StatusCreated, resp, err)
}

func (d deviceAPI) schedule(w http.ResponseWriter, r *http.Request) {
	da, err := d.auth(r)
	if err != nil {
		d.s.writeError(w, r, err)
		return
	}
	res, err := d.svc.DeviceSchedule(r.Context(), da, r.Header.Get("If-None-Match"))
	if err != nil {
		d.s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", res.ETag)
	w.Header().Set("Cache-Control", "no-cache")
	if res.NotModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(res.Body)))
	_, _ = w.Write(res.Body)
}

func (d deviceAPI) media(w http.ResponseWriter, r *http.Request) {
	da, err := d.auth(r)
	if err != nil {
		d.s.writeError(w, r, err)
		return
	}
	sha := r.PathValue("sha")
	f, err := d.svc.OpenDeviceMedia(r.Context(), da, sha)
	if err != nil {
		d.s.writeError(w, r, err)
		return
	}
	defer f.Close()
	serveAudio(w, r, f, sha)
}

// serveAudio serves immutable content-addressed audio with Range support.
func serveAudio(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, sha string) {
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// playLogs takes a batch of play events; a batch the service refuses
// as a whole answers 422 with the refused events.
func (d deviceAPI) playLogs(w http.ResponseWriter, r *http.Request) {
	var batch protocol.PlayLogBatch
	da, err := d.authJSON(w, r, &batch, 4*protocol.MaxRequestBody)
	if err != nil {
		d.s.writeError(w, r, err)
		return
	}
	res, err := d.svc.IngestPlays(r.Context(), da, batch)
	var rej *broadcast.RejectedError
	if errors.As(err, &rej) {
		writeJSON(w, http.StatusUnprocessableEntity, protocol.RejectedBatch{
			Error:    protocol.ErrorBody{Code: "rejected", Message: rej.Error(), Field: "events"},
			Rejected: rej.Rejected,
		})
		return
	}
	d.s.respond(w, r, http.StatusOK, res, err)
}
