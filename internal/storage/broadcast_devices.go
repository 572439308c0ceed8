package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const deviceColumns = `d.id, d.unit_id, d.name, d.kind, d.hardware_id, d.credential_prefix, d.enrolment_key_id, d.schedule_version, d.created_at,
	d.revoked_at, d.last_seen_at, d.last_heartbeat_at, d.status, d.volume, d.signal, d.firmware, d.last_played_item, d.last_played_at,
	d.enrolled_at`

func scanDevice(sc scanner, extra ...any) (*Device, error) {
	var d Device
	var key sql.NullInt64
	var rev, seen, hb, played, enrolled sql.NullTime
	dest := []any{&d.ID, &d.UnitID, &d.Name, &d.Kind, &d.HardwareID, &d.CredentialPrefix, &key, &d.ScheduleVersion, &d.CreatedAt,
		&rev, &seen, &hb, &d.Status, &d.Volume, &d.Signal, &d.Firmware, &d.LastPlayedItem, &played, &enrolled}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if key.Valid {
		d.EnrolmentKeyID = &key.Int64
	}
	d.RevokedAt, d.LastSeenAt, d.LastHeartbeatAt, d.LastPlayedAt = bcTimePtr(rev), bcTimePtr(seen), bcTimePtr(hb), bcTimePtr(played)
	d.EnrolledAt = d.CreatedAt
	if enrolled.Valid {
		d.EnrolledAt = enrolled.Time.UTC()
	}
	return &d, nil
}

func bcTimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func bcNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// keyUsable is the condition of an enrolment key usable at an instant
// (two arguments: the instant, and the instant less LegacyKeyLifetime).
const keyUsable = `revoked_at IS NULL AND (expires_at > ? OR (expires_at IS NULL AND created_at > ?))`

// EnrolmentKeyByHash returns the enrolment key with this hash, whatever
// its state (revoked, expired, used up): the caller says which.
func (q DeviceStore) EnrolmentKeyByHash(ctx context.Context, hash string) (*model.EnrolmentKey, error) {
	var k model.EnrolmentKey
	var exp, rev sql.NullTime
	var maxDevices sql.NullInt64
	err := q.row(ctx, `SELECT id, unit_id, label, prefix, created_at, expires_at, revoked_at, max_devices, uses FROM enrolment_keys WHERE key_hash = ?`, hash).
		Scan(&k.ID, &k.UnitID, &k.Label, &k.Prefix, &k.CreatedAt, &exp, &rev, &maxDevices, &k.Uses)
	if err != nil {
		return nil, notFound(err, "enrolment key")
	}
	k.ExpiresAt, k.RevokedAt = bcTimePtr(exp), bcTimePtr(rev)
	if k.ExpiresAt == nil {
		legacy := k.CreatedAt.UTC().Add(LegacyKeyLifetime)
		k.ExpiresAt = &legacy
	}
	if maxDevices.Valid {
		n := int(maxDevices.Int64)
		k.MaxDevices = &n
	}
	return &k, nil
}

// UseEnrolmentKey counts one enrolment with a key, if the key is usable at
// the given instant and not used up; otherwise it changes nothing and
// returns an error wrapping model.ErrConflict. Concurrent enrolments never
// exceed the key's maximum (the check and the count are one statement).
func (q DeviceStore) UseEnrolmentKey(ctx context.Context, id int64, at time.Time) error {
	at = at.UTC()
	res, err := q.exec(ctx, `UPDATE enrolment_keys SET uses = uses + 1
		WHERE id = ? AND (max_devices IS NULL OR uses < max_devices) AND `+keyUsable, id, at, at.Add(-LegacyKeyLifetime))
	if err != nil {
		return fmt.Errorf("use enrolment key %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("use enrolment key %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("enrolment key %d is used up, revoked or expired: %w", id, model.ErrConflict)
	}
	return nil
}

// AddEnrolmentAttempt records an enrolment attempt from a client address.
func (q DeviceStore) AddEnrolmentAttempt(ctx context.Context, client string, at time.Time, success bool) error {
	if _, err := q.exec(ctx, `INSERT INTO enrolment_attempts (client, at, success) VALUES (?, ?, ?)`, client, at.UTC(), success); err != nil {
		return fmt.Errorf("record enrolment attempt: %w", err)
	}
	return nil
}

// FailedEnrolments counts the failed enrolment attempts from a client
// address since an instant.
func (q DeviceStore) FailedEnrolments(ctx context.Context, client string, since time.Time) (int, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM enrolment_attempts WHERE client = ? AND at > ? AND NOT success`, client, since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count enrolment attempts of %s: %w", client, err)
	}
	return n, nil
}

// InsertDevice stores a new device under the hash of its credential and
// fills d.ID and d.CreatedAt.
func (q DeviceStore) InsertDevice(ctx context.Context, d *Device, credentialHash string) error {
	d.CreatedAt = now()
	if d.EnrolledAt.IsZero() {
		d.EnrolledAt = d.CreatedAt
	}
	d.EnrolledAt = d.EnrolledAt.UTC().Truncate(time.Microsecond)
	if d.ScheduleVersion == 0 {
		d.ScheduleVersion = 1
	}
	id, err := q.insertID(ctx, `INSERT INTO devices (unit_id, name, kind, hardware_id, credential_hash, credential_prefix, enrolment_key_id, schedule_version, created_at, firmware, enrolled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.UnitID, d.Name, d.Kind, d.HardwareID, credentialHash, d.CredentialPrefix, d.EnrolmentKeyID, d.ScheduleVersion, d.CreatedAt, d.Firmware, d.EnrolledAt)
	if err != nil {
		return fmt.Errorf("insert device %q: %w", d.Name, err)
	}
	d.ID = id
	return nil
}

// DeviceByCredential returns the active (not revoked) device holding the
// credential with this hash, and the header of its last built schedule.
func (q DeviceStore) DeviceByCredential(ctx context.Context, hash string) (*Device, ScheduleHeader, error) {
	var h ScheduleHeader
	var ver sql.NullInt64
	var day, etag sql.NullString
	d, err := scanDevice(q.row(ctx, `SELECT `+deviceColumns+`, s.version, s.day, s.etag FROM devices d
		LEFT JOIN device_schedules s ON s.device_id = d.id
		WHERE d.credential_hash = ? AND d.revoked_at IS NULL`, hash), &ver, &day, &etag)
	if err != nil {
		return nil, h, notFound(err, "device credential")
	}
	h.Version, h.Day, h.ETag = ver.Int64, day.String, etag.String
	return d, h, nil
}

// Device returns a device by id.
func (q DeviceStore) Device(ctx context.Context, id int64) (*Device, error) {
	d, err := scanDevice(q.row(ctx, `SELECT `+deviceColumns+` FROM devices d WHERE d.id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("device %d", id))
	}
	return d, nil
}

// Devices lists the devices of units under a path ("" for all), revoked
// ones included when withRevoked is set, ordered by unit then name.
func (q DeviceStore) ListDevices(ctx context.Context, underPath string, withRevoked bool) ([]*Device, error) {
	query := `SELECT ` + deviceColumns + ` FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ?`
	if !withRevoked {
		query += ` AND d.revoked_at IS NULL`
	}
	rows, err := q.query(ctx, query+` ORDER BY u.path, d.name, d.id`, underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("query devices: %w", err)
	}
	defer rows.Close()
	var out []*Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("scan device: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RenameDevice changes a device's name.
func (q DeviceStore) RenameDevice(ctx context.Context, id int64, name string) error {
	res, err := q.exec(ctx, `UPDATE devices SET name = ? WHERE id = ?`, name, id)
	if err != nil {
		return fmt.Errorf("rename device %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("device %d: %w", id, model.ErrNotFound)
	}
	return nil
}

// RevokeDevice invalidates a device's credential.
func (q DeviceStore) RevokeDevice(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now(), id)
	if err != nil {
		return fmt.Errorf("revoke device %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("device %d (or already revoked): %w", id, model.ErrNotFound)
	}
	return nil
}

// TouchDevices records when devices were last seen and, for heartbeats,
// what they reported. It is called with batches collected in memory.
// Rows are updated in the order of their ids, the order every transaction
// that writes several devices takes their locks in (see
// BumpScheduleVersion), so that two replicas never deadlock.
func (q DeviceStore) TouchDevices(ctx context.Context, seen []DeviceSeen) error {
	seen = slices.Clone(seen)
	slices.SortFunc(seen, func(a, b DeviceSeen) int { return cmp.Compare(a.DeviceID, b.DeviceID) })
	if err := q.addUptime(ctx, seen); err != nil {
		return err
	}
	for _, s := range seen {
		t := s.SeenAt.UTC().Truncate(time.Microsecond)
		var err error
		if s.Heartbeat {
			_, err = q.exec(ctx, `UPDATE devices SET last_seen_at = ?, last_heartbeat_at = ?, status = ?, volume = ?, signal = ?, firmware = ? WHERE id = ?`,
				t, t, s.Status, s.Volume, s.Signal, s.Firmware, s.DeviceID)
		} else {
			_, err = q.exec(ctx, `UPDATE devices SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)`, t, s.DeviceID, t)
		}
		if err != nil {
			return fmt.Errorf("record device %d as seen: %w", s.DeviceID, err)
		}
	}
	return nil
}

// BumpScheduleVersion marks the schedules of the given devices stale. It
// locks the rows in the order of their ids (an UPDATE … WHERE id IN
// (…) locks them in whatever order the plan visits them, and two such
// transactions, or one and TouchDevices, deadlocked: SQLSTATE 40P01).
func (q DeviceStore) BumpScheduleVersion(ctx context.Context, deviceIDs []int64) error {
	deviceIDs = slices.Clone(deviceIDs)
	slices.Sort(deviceIDs)
	deviceIDs = slices.Compact(deviceIDs)
	for len(deviceIDs) > 0 {
		n := min(len(deviceIDs), 500)
		chunk := deviceIDs[:n]
		deviceIDs = deviceIDs[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if q.engine == Postgres {
			rows, err := q.query(ctx, `SELECT id FROM devices WHERE id IN (`+bcPlaceholders(len(chunk))+`) ORDER BY id FOR UPDATE`, args...)
			if err != nil {
				return fmt.Errorf("mark schedules stale: lock devices: %w", err)
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("mark schedules stale: lock devices: %w", err)
			}
		}
		if _, err := q.exec(ctx, `UPDATE devices SET schedule_version = schedule_version + 1 WHERE id IN (`+bcPlaceholders(len(chunk))+`)`, args...); err != nil {
			return fmt.Errorf("mark schedules stale: %w", err)
		}
	}
	return nil
}

// bcPlaceholders returns "?, ?, …" with n marks.
func bcPlaceholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// AncestorIDs returns the unit ids of a materialised path "/1/5/23/",
// root first.
func AncestorIDs(path string) []int64 {
	var out []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// InsertDeviceCommand queues a remote command.
func (q DeviceStore) InsertDeviceCommand(ctx context.Context, c *DeviceCommand) error {
	c.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO device_commands (device_id, kind, payload, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.DeviceID, c.Kind, c.Payload, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("queue command %q for device %d: %w", c.Kind, c.DeviceID, err)
	}
	c.ID = id
	return nil
}

// PendingCommands lists a device's undelivered commands, oldest first.
func (q DeviceStore) PendingCommands(ctx context.Context, deviceID int64) ([]DeviceCommand, error) {
	rows, err := q.query(ctx, `SELECT id, device_id, kind, payload, created_by, created_at FROM device_commands
		WHERE device_id = ? AND delivered_at IS NULL ORDER BY id LIMIT 100`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("query commands of device %d: %w", deviceID, err)
	}
	defer rows.Close()
	var out []DeviceCommand
	for rows.Next() {
		var c DeviceCommand
		if err := rows.Scan(&c.ID, &c.DeviceID, &c.Kind, &c.Payload, &c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan command: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkCommandDelivered records that a device received a command.
func (q DeviceStore) MarkCommandDelivered(ctx context.Context, deviceID, id int64) error {
	if _, err := q.exec(ctx, `UPDATE device_commands SET delivered_at = ? WHERE id = ? AND device_id = ? AND delivered_at IS NULL`, now(), id, deviceID); err != nil {
		return fmt.Errorf("mark command %d delivered: %w", id, err)
	}
	return nil
}

// Types and constants of this aggregate live in internal/model.
type Device = model.Device
type ScheduleHeader = model.ScheduleHeader

const LegacyKeyLifetime = model.LegacyKeyLifetime

type DeviceSeen = model.DeviceSeen
type DeviceCommand = model.DeviceCommand
