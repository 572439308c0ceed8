package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
)

// Broadcast is what the device and broadcast endpoints need of the
// broadcast service (package broadcast).
type Broadcast interface {
	// Device protocol.
	Enrol(ctx context.Context, in protocol.EnrolRequest, client string) (*protocol.EnrolResponse, error)
	AuthenticateDevice(ctx context.Context, credential string, deviceID int64) (*broadcast.DeviceAuth, error)
	DeviceSchedule(ctx context.Context, da *broadcast.DeviceAuth, ifNoneMatch string) (*broadcast.ScheduleResult, error)
	Subscribe(da *broadcast.DeviceAuth) *broadcast.Subscription
	OpenDeviceMedia(ctx context.Context, da *broadcast.DeviceAuth, sha string) (io.ReadSeekCloser, error)
	Heartbeat(ctx context.Context, da *broadcast.DeviceAuth, hb protocol.Heartbeat) (*protocol.HeartbeatResponse, error)
	IngestPlays(ctx context.Context, da *broadcast.DeviceAuth, batch protocol.PlayLogBatch) (*protocol.PlayLogResult, error)

	// Devices.
	Devices(ctx context.Context, a model.Actor, unitID int64) ([]broadcast.DeviceView, error)
	Device(ctx context.Context, a model.Actor, id int64) (*broadcast.DeviceView, error)
	RenameDevice(ctx context.Context, a model.Actor, id int64, name string) error
	RevokeDevice(ctx context.Context, a model.Actor, id int64) error
	SendCommand(ctx context.Context, a model.Actor, deviceID int64, in broadcast.CommandInput) (*model.DeviceCommand, error)
	CreateEnrolmentKey(ctx context.Context, a model.Actor, unitID int64, label string, expires *time.Time, maxDevices int) (string, *model.EnrolmentKey, error)
	PlayLogs(ctx context.Context, a model.Actor, deviceID, orderID int64, limit int) ([]model.PlayLog, error)

	// Media library.
	MaxUpload() int64
	UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error)
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	Voices() []tts.Voice
	MediaLibrary(ctx context.Context, a model.Actor, unitID int64) ([]*model.Media, error)
	Media(ctx context.Context, a model.Actor, id int64) (*model.Media, error)
	OpenMedia(ctx context.Context, a model.Actor, id int64, original bool) (io.ReadSeekCloser, *model.Media, error)

	// Orders and schedules.
	CreateOrder(ctx context.Context, a model.Actor, in broadcast.OrderInput) (*broadcast.OrderView, error)
	Emergency(ctx context.Context, a model.Actor, in broadcast.EmergencyInput) (*broadcast.EmergencyResult, error)
	Orders(ctx context.Context, a model.Actor, unitID int64) ([]*broadcast.OrderView, error)
	Order(ctx context.Context, a model.Actor, id int64) (*broadcast.OrderView, error)
	CancelOrder(ctx context.Context, a model.Actor, id int64) error
	Report(ctx context.Context, a model.Actor, orderID int64) (*broadcast.OrderReport, error)
	Settings(ctx context.Context, a model.Actor, unitID int64) (model.BroadcastSettings, error)
	SaveSettings(ctx context.Context, a model.Actor, unitID int64, in broadcast.SettingsInput) (model.BroadcastSettings, error)

	// Monitoring and public feeds.
	DayView(ctx context.Context, a model.Actor, unitID int64, day string) (*broadcast.DayView, error)
	Overview(ctx context.Context, a model.Actor, unitID int64) (*broadcast.Overview, error)
	Feed(ctx context.Context, unitCode string) (*broadcast.Feed, error)
	OpenPublicMedia(ctx context.Context, unitCode, sha string) (io.ReadSeekCloser, error)
}

// sseKeepAlive is how often an idle push connection gets a comment line,
// so that proxies and NAT keep it open and dead devices are noticed.
const sseKeepAlive = 20 * time.Second

// registerBroadcastAPI registers the broadcast and device endpoints.
func (s *Server) registerBroadcastAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.registerBroadcastSettings()
	// Device protocol (docs/device-protocol.md): device credentials only.
	s.handle("POST "+protocol.PathEnrol, true, s.deviceEnrol)
	s.handle("GET /api/v1/device/{id}/schedule", true, s.deviceSchedule)
	s.handle("GET /api/v1/device/{id}/events", true, s.deviceEvents)
	s.handle("GET /api/v1/device/{id}/media/{sha}", true, s.deviceMedia)
	s.handle("POST /api/v1/device/{id}/heartbeat", true, s.deviceHeartbeat)
	s.handle("POST /api/v1/device/{id}/playlogs", true, s.devicePlayLogs)
	// Operators.
	s.handle("GET /api/v1/broadcast/devices", true, j(s.apiDevices))
	s.handle("GET /api/v1/broadcast/devices/{id}", true, j(s.apiDevice))
	s.handle("PATCH /api/v1/broadcast/devices/{id}", true, j(s.apiRenameDevice))
	s.handle("DELETE /api/v1/broadcast/devices/{id}", true, j(s.apiRevokeDevice))
	s.handle("POST /api/v1/broadcast/devices/{id}/commands", true, j(s.apiDeviceCommand))
	s.handle("GET /api/v1/broadcast/devices/{id}/playlogs", true, j(s.apiDevicePlayLogs))
	s.handle("POST /api/v1/broadcast/enrolment-keys", true, j(s.apiCreateEnrolmentKey))
	s.handle("GET /api/v1/broadcast/media", true, j(s.apiMediaLibrary))
	s.handle("POST /api/v1/broadcast/media", true, s.api(s.deps.Broadcast.MaxUpload()+64<<10, s.apiUploadMedia))
	s.handle("POST /api/v1/broadcast/media/tts", true, j(s.apiSpeakText))
	s.handle("GET /api/v1/broadcast/media/{id}", true, j(s.apiMedia))
	s.handle("GET /api/v1/broadcast/media/{id}/audio", true, j(s.apiMediaAudio))
	s.handle("GET /api/v1/broadcast/voices", true, j(s.apiVoices))
	s.handle("GET /api/v1/broadcast/orders", true, j(s.apiOrders))
	s.handle("POST /api/v1/broadcast/orders", true, j(s.apiCreateOrder))
	s.handle("GET /api/v1/broadcast/orders/{id}", true, j(s.apiOrder))
	s.handle("DELETE /api/v1/broadcast/orders/{id}", true, j(s.apiCancelOrder))
	s.handle("GET /api/v1/broadcast/orders/{id}/report", true, j(s.apiOrderReport))
	s.handle("GET /api/v1/broadcast/orders/{id}/playlogs", true, j(s.apiOrderPlayLogs))
	s.handle("POST /api/v1/broadcast/emergency", true, j(s.apiEmergency))
	s.handle("GET /api/v1/broadcast/units/{id}/day", true, j(s.apiDayView))
	s.handle("GET /api/v1/broadcast/units/{id}/overview", true, j(s.apiOverview))
	// Public e-portal feeds.
	s.handle("GET /feeds/{code}", false, s.feedPage)
	s.handle("GET /feeds/{code}/bulletins.json", false, s.feedJSON)
	s.handle("GET /feeds/{code}/bulletins.atom", false, s.feedAtom)
	s.handle("GET /feeds/{code}/audio/{sha}", false, s.feedAudio)
	s.registerBroadcastUI()
}

// ---- device protocol ----

// deviceAuth authenticates a device request: "Authorization: Bearer
// loa_d_…" for the device named in the path. Session cookies and user
// tokens are refused.
func (s *Server) deviceAuth(r *http.Request) (*broadcast.DeviceAuth, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, fmt.Errorf("device endpoints need \"Authorization: Bearer <device credential>\": %w", model.ErrUnauthorized)
	}
	return s.deps.Broadcast.AuthenticateDevice(r.Context(), strings.TrimSpace(secret), id)
}

func (s *Server) deviceEnrol(w http.ResponseWriter, r *http.Request) {
	var in protocol.EnrolRequest
	if err := decodeJSON(w, r, &in, protocol.MaxRequestBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Key == "" {
		if secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			in.Key = strings.TrimSpace(secret)
		}
	}
	resp, err := s.deps.Broadcast.Enrol(r.Context(), in, s.clientAddr(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) deviceSchedule(w http.ResponseWriter, r *http.Request) {
	da, err := s.deviceAuth(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Broadcast.DeviceSchedule(r.Context(), da, r.Header.Get("If-None-Match"))
	if err != nil {
		s.writeError(w, r, err)
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

func (s *Server) deviceMedia(w http.ResponseWriter, r *http.Request) {
	da, err := s.deviceAuth(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sha := r.PathValue("sha")
	f, err := s.deps.Broadcast.OpenDeviceMedia(r.Context(), da, sha)
	if err != nil {
		s.writeError(w, r, err)
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

func (s *Server) deviceHeartbeat(w http.ResponseWriter, r *http.Request) {
	da, err := s.deviceAuth(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var hb protocol.Heartbeat
	if err := decodeJSON(w, r, &hb, protocol.MaxRequestBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.deps.Broadcast.Heartbeat(r.Context(), da, hb)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) devicePlayLogs(w http.ResponseWriter, r *http.Request) {
	da, err := s.deviceAuth(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var batch protocol.PlayLogBatch
	if err := decodeJSON(w, r, &batch, 4*protocol.MaxRequestBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Broadcast.IngestPlays(r.Context(), da, batch)
	var rej *broadcast.RejectedError
	if errors.As(err, &rej) {
		writeJSON(w, http.StatusUnprocessableEntity, protocol.RejectedBatch{
			Error:    protocol.ErrorBody{Code: "rejected", Message: rej.Error(), Field: "events"},
			Rejected: rej.Rejected,
		})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// ---- operators ----

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

func (s *Server) apiDevices(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := unitParam(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Broadcast.Devices(r.Context(), p.Actor, unit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": list})
}

func (s *Server) apiDevice(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.deps.Broadcast.Device(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiRenameDevice(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Broadcast.RenameDevice(r.Context(), p.Actor, id, in.Name); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.apiDevice(w, r, p)
}

func (s *Server) apiRevokeDevice(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Broadcast.RevokeDevice(r.Context(), p.Actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiDeviceCommand(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in broadcast.CommandInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Broadcast.SendCommand(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, c)
}

func (s *Server) apiDevicePlayLogs(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	logs, err := s.deps.Broadcast.PlayLogs(r.Context(), p.Actor, id, 0, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"plays": logs})
}

func (s *Server) apiOrderPlayLogs(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	logs, err := s.deps.Broadcast.PlayLogs(r.Context(), p.Actor, 0, id, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"plays": logs})
}

type enrolmentKeyRequest struct {
	UnitID    int64      `json:"unit_id"`
	Label     string     `json:"label"`
	ExpiresAt *time.Time `json:"expires_at"`
	// MaxDevices limits how many devices may enrol with the key (0 or
	// absent: no limit).
	MaxDevices int `json:"max_devices"`
}

func (s *Server) apiCreateEnrolmentKey(w http.ResponseWriter, r *http.Request, p *principal) {
	var in enrolmentKeyRequest
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	secret, k, err := s.deps.Broadcast.CreateEnrolmentKey(r.Context(), p.Actor, in.UnitID, in.Label, in.ExpiresAt, in.MaxDevices)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": secret, "enrolment_key": k})
}

func (s *Server) apiMediaLibrary(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := unitParam(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Broadcast.MediaLibrary(r.Context(), p.Actor, unit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"media": list})
}

// apiUploadMedia takes the audio as the raw request body (unit_id, title
// and source in the query) or as the "file" part of a multipart form
// (fields before the file). The body is streamed, never held in memory.
func (s *Server) apiUploadMedia(w http.ResponseWriter, r *http.Request, p *principal) {
	q := r.URL.Query()
	in := broadcast.MediaInput{Title: q.Get("title"), Source: q.Get("source")}
	if q.Get("unit_id") != "" {
		id, err := queryID(r, "unit_id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in.UnitID = id
	} else {
		in.UnitID = p.Actor.UnitID
	}
	var body io.Reader = r.Body
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			s.writeError(w, r, model.Invalid("file", "the multipart form could not be read: %v", err))
			return
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					s.writeError(w, r, err)
					return
				}
				s.writeError(w, r, model.Invalid("file", "the form has no \"file\" part with the audio"))
				return
			}
			name := part.FormName()
			if name == "file" {
				body = part
				break
			}
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				s.writeError(w, r, model.Invalid(name, "could not read the form field: %v", err))
				return
			}
			switch name {
			case "title":
				in.Title = string(v)
			case "source":
				in.Source = string(v)
			case "unit_id":
				id, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
				if err != nil {
					s.writeError(w, r, model.Invalid("unit_id", "%q is not a unit id", v))
					return
				}
				in.UnitID = id
			}
		}
	}
	m, err := s.deps.Broadcast.UploadMedia(r.Context(), p.Actor, in, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) apiSpeakText(w http.ResponseWriter, r *http.Request, p *principal) {
	var in broadcast.TTSInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.UnitID == 0 {
		in.UnitID = p.Actor.UnitID
	}
	m, err := s.deps.Broadcast.SpeakText(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) apiMedia(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.deps.Broadcast.Media(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) apiMediaAudio(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	original := queryBool(r, "original")
	f, m, err := s.deps.Broadcast.OpenMedia(r.Context(), p.Actor, id, original)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	if original {
		w.Header().Set("Cache-Control", "private, max-age=3600")
		serveUserFile(w, r, f, fmt.Sprintf("media-%d-original.%s", m.ID, safeExt(m.OriginalFormat)), "application/octet-stream", time.Time{})
		return
	}
	serveAudio(w, r, f, m.SHA256)
}

func safeExt(format string) string {
	f := strings.SplitN(format, ",", 2)[0]
	for _, c := range f {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "bin"
		}
	}
	if f == "" {
		return "bin"
	}
	return f
}

func (s *Server) apiVoices(w http.ResponseWriter, r *http.Request, p *principal) {
	writeJSON(w, http.StatusOK, map[string]any{"voices": s.deps.Broadcast.Voices()})
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := unitParam(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Broadcast.Orders(r.Context(), p.Actor, unit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": list})
}

func (s *Server) apiCreateOrder(w http.ResponseWriter, r *http.Request, p *principal) {
	var in broadcast.OrderInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.deps.Broadcast.CreateOrder(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.deps.Broadcast.Order(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiCancelOrder(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Broadcast.CancelOrder(r.Context(), p.Actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiOrderReport(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.deps.Broadcast.Report(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) apiEmergency(w http.ResponseWriter, r *http.Request, p *principal) {
	var in broadcast.EmergencyInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Broadcast.Emergency(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiDayView(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Broadcast.DayView(r.Context(), p.Actor, id, r.URL.Query().Get("date"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Broadcast.Overview(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// ---- public feeds ----

func (s *Server) feedJSON(w http.ResponseWriter, r *http.Request) {
	f, err := s.deps.Broadcast.Feed(r.Context(), r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/feed+json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(f.JSONFeed(s.publicURL))
}

func (s *Server) feedAtom(w http.ResponseWriter, r *http.Request) {
	f, err := s.deps.Broadcast.Feed(r.Context(), r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := f.Atom(s.publicURL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(b)
}

func (s *Server) feedAudio(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	f, err := s.deps.Broadcast.OpenPublicMedia(r.Context(), r.PathValue("code"), strings.TrimSuffix(sha, ".mp3"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	serveAudio(w, r, f, strings.TrimSuffix(sha, ".mp3"))
}

// serverURL is the URL devices and agents reach the server at: the
// configured public URL, otherwise the scheme and host of the request
// (shown to a signed-in operator only; public pages never use the Host
// header).
func (s *Server) serverURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return baseURL(r)
}

// baseURL is the scheme and host the request came to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
