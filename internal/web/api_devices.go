package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastDevices is what the operators' device endpoints need: the
// commune's loudspeaker receivers, their commands, play logs and
// enrolment keys.
type BroadcastDevices interface {
	Devices(ctx context.Context, a model.Actor, unitID int64) ([]broadcast.DeviceView, error)
	Device(ctx context.Context, a model.Actor, id int64) (*broadcast.DeviceView, error)
	RenameDevice(ctx context.Context, a model.Actor, id int64, name string) error
	RevokeDevice(ctx context.Context, a model.Actor, id int64) error
	SendCommand(ctx context.Context, a model.Actor, deviceID int64, in broadcast.CommandInput) (*model.DeviceCommand, error)
	CreateEnrolmentKey(ctx context.Context, a model.Actor, unitID int64, label string, expires *time.Time, maxDevices int) (string, *model.EnrolmentKey, error)
	PlayLogs(ctx context.Context, a model.Actor, deviceID, orderID int64, limit int) ([]model.PlayLog, error)
}

type enrolmentKeyRequest struct {
	UnitID    int64      `json:"unit_id"`
	Label     string     `json:"label"`
	ExpiresAt *time.Time `json:"expires_at"`
	// MaxDevices limits how many devices may enrol with the key (0 or
	// absent: no limit).
	MaxDevices int `json:"max_devices"`
}

func (s broadcastAPI) registerDeviceAPI(svc BroadcastDevices) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/devices", true, j(jsonUnitList(s.Server, "devices", func(r *http.Request, p *principal, unit int64) ([]broadcast.DeviceView, error) {
		return svc.Devices(r.Context(), p.Actor, unit)
	})))
	s.handle("GET /api/v1/broadcast/devices/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastDevices.Device))))
	s.handle("PATCH /api/v1/broadcast/devices/{id}", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in struct {
		Name string `json:"name"`
	}) (*broadcast.DeviceView, error) {
		if err := svc.RenameDevice(ctx, a, id, in.Name); err != nil {
			return nil, err
		}
		return svc.Device(ctx, a, id)
	})))
	s.handle("DELETE /api/v1/broadcast/devices/{id}", true, j(jsonDeleteID(s.Server, "id", bindErr(svc, BroadcastDevices.RevokeDevice))))
	s.handle("POST /api/v1/broadcast/devices/{id}/commands", true, j(jsonID(s.Server, "id", http.StatusAccepted, bind4(svc, BroadcastDevices.SendCommand))))
	s.handle("GET /api/v1/broadcast/devices/{id}/playlogs", true, j(playLogList(s.Server, func(ctx context.Context, a model.Actor, id int64, limit int) ([]model.PlayLog, error) {
		return svc.PlayLogs(ctx, a, id, 0, limit)
	})))
	s.handle("POST /api/v1/broadcast/enrolment-keys", true, j(jsonBody(s.Server, http.StatusCreated, func(ctx context.Context, a model.Actor, in enrolmentKeyRequest) (map[string]any, error) {
		secret, k, err := svc.CreateEnrolmentKey(ctx, a, in.UnitID, in.Label, in.ExpiresAt, in.MaxDevices)
		if err != nil {
			return nil, err
		}
		return map[string]any{"key": secret, "enrolment_key": k}, nil
	})))
}

// playLogList adapts a listing of the play logs of the device or order
// named by the path's id, at most ?limit= of them.
func playLogList(s *Server, list func(ctx context.Context, a model.Actor, id int64, limit int) ([]model.PlayLog, error)) apiHandler {
	return jsonList(s, "plays", func(r *http.Request, p *principal) ([]model.PlayLog, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		return list(r.Context(), p.Actor, id, limit)
	})
}
