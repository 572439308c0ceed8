package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// LimitsOf returns the limits a unit (deviceID 0) or a cluster set; ok
// is false when it set none.
func (q SpeechStore) LimitsOf(ctx context.Context, unitID, deviceID int64) (model.BroadcastLimits, bool, error) {
	l := model.BroadcastLimits{UnitID: unitID, DeviceID: deviceID}
	var caps string
	var at time.Time
	err := q.row(ctx, `SELECT quiet_start, quiet_end, max_daily_seconds, volume_caps, updated_by, updated_at FROM broadcast_limits WHERE unit_id = ? AND device_id = ?`,
		unitID, deviceID).Scan(&l.QuietStart, &l.QuietEnd, &l.MaxDailySeconds, &caps, &l.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		l.QuietStart, l.QuietEnd = -1, -1
		return l, false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("read broadcast limits of unit %d device %d: %w", unitID, deviceID, err)
	}
	if err := json.Unmarshal([]byte(caps), &l.VolumeCaps); err != nil {
		return l, false, fmt.Errorf("volume caps of unit %d device %d: %w", unitID, deviceID, err)
	}
	at = at.UTC()
	l.UpdatedAt = &at
	return l, true, nil
}

// SaveLimits stores the limits of a unit or cluster.
func (q SpeechStore) SaveLimits(ctx context.Context, l model.BroadcastLimits, at time.Time) error {
	caps, err := json.Marshal(l.VolumeCaps)
	if err != nil {
		return fmt.Errorf("encode volume caps: %w", err)
	}
	if l.VolumeCaps == nil {
		caps = []byte("[]")
	}
	_, err = q.exec(ctx, `INSERT INTO broadcast_limits (unit_id, device_id, quiet_start, quiet_end, max_daily_seconds, volume_caps, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_id, device_id) DO UPDATE SET quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
		max_daily_seconds = excluded.max_daily_seconds, volume_caps = excluded.volume_caps, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		l.UnitID, l.DeviceID, l.QuietStart, l.QuietEnd, l.MaxDailySeconds, string(caps), l.UpdatedBy, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save broadcast limits of unit %d device %d: %w", l.UnitID, l.DeviceID, err)
	}
	return nil
}

// AnyLimits reports whether any unit or cluster set limits (orders and
// emergencies skip the per-device checks when none did).
func (q SpeechStore) AnyLimits(ctx context.Context) (bool, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM (SELECT 1 FROM broadcast_limits LIMIT 1) x`).Scan(&n); err != nil {
		return false, fmt.Errorf("look up broadcast limits: %w", err)
	}
	return n > 0, nil
}
