package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// SaveDeviceSchedule stores the schedule built for a device (its version,
// local day, ETag and JSON body) and records its items.
func (q BroadcastStore) SaveDeviceSchedule(ctx context.Context, deviceID, version int64, day, etag, body string, items []ScheduleItem) error {
	t := now()
	_, err := q.exec(ctx, `INSERT INTO device_schedules (device_id, version, day, etag, body, built_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (device_id) DO UPDATE SET version = excluded.version, day = excluded.day, etag = excluded.etag, body = excluded.body, built_at = excluded.built_at`,
		deviceID, version, day, etag, body, t)
	if err != nil {
		return fmt.Errorf("save schedule of device %d: %w", deviceID, err)
	}
	return q.UpsertScheduleItems(ctx, items)
}

// UpsertScheduleItems records items (their start and end follow the
// latest schedule).
func (q BroadcastStore) UpsertScheduleItems(ctx context.Context, items []ScheduleItem) error {
	const per = 6
	for len(items) > 0 {
		n := min(len(items), 400)
		chunk := items[:n]
		items = items[n:]
		args := make([]any, 0, n*per)
		var query strings.Builder
		query.Grow(120 + n*20)
		query.WriteString(`INSERT INTO device_schedule_items (device_id, item_id, order_id, level, start_at, end_at) VALUES `)
		for i, it := range chunk {
			if i > 0 {
				query.WriteString(", ")
			}
			query.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, it.DeviceID, it.ItemID, it.OrderID, it.Level, it.Start.UTC().Truncate(time.Microsecond), it.End.UTC().Truncate(time.Microsecond))
		}
		query.WriteString(` ON CONFLICT (device_id, item_id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at`)
		if _, err := q.exec(ctx, query.String(), args...); err != nil {
			return fmt.Errorf("record schedule items: %w", err)
		}
	}
	return nil
}

// DeviceSchedule returns the stored schedule of a device: its header and
// JSON body. ok is false when none was built yet.
func (q BroadcastStore) DeviceSchedule(ctx context.Context, deviceID int64) (h ScheduleHeader, body string, ok bool, err error) {
	err = q.row(ctx, `SELECT version, day, etag, body FROM device_schedules WHERE device_id = ?`, deviceID).Scan(&h.Version, &h.Day, &h.ETag, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return h, "", false, nil
	}
	if err != nil {
		return h, "", false, fmt.Errorf("read schedule of device %d: %w", deviceID, err)
	}
	return h, body, true, nil
}

// KnownItems returns, among itemIDs, the items the device was given.
func (q BroadcastStore) KnownItems(ctx context.Context, deviceID int64, itemIDs []string) (map[string]ScheduleItem, error) {
	out := make(map[string]ScheduleItem, len(itemIDs))
	for len(itemIDs) > 0 {
		n := min(len(itemIDs), 500)
		chunk := itemIDs[:n]
		itemIDs = itemIDs[n:]
		args := make([]any, 0, n+1)
		args = append(args, deviceID)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.query(ctx, `SELECT device_id, item_id, order_id, level, start_at, end_at FROM device_schedule_items
			WHERE device_id = ? AND item_id IN (`+bcPlaceholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up schedule items of device %d: %w", deviceID, err)
		}
		for rows.Next() {
			var it ScheduleItem
			if err := rows.Scan(&it.DeviceID, &it.ItemID, &it.OrderID, &it.Level, &it.Start, &it.End); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan schedule item: %w", err)
			}
			out[it.ItemID] = it
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DayItems lists the items scheduled on the devices of units under path
// starting in [from, to), with the number of plays reported for each.
func (q BroadcastStore) DayItems(ctx context.Context, underPath string, from, to time.Time, limit int) ([]DayItem, error) {
	if limit <= 0 || limit > 100000 {
		limit = 5000
	}
	rows, err := q.query(ctx, fmt.Sprintf(`SELECT i.device_id, i.item_id, i.order_id, i.level, i.start_at, i.end_at, d.name, d.unit_id, o.title,
		o.made_at, o.created_at, d.enrolled_at, d.created_at, d.last_seen_at,
		CASE WHEN EXISTS (SELECT 1 FROM play_logs p WHERE p.device_id = i.device_id AND p.item_id = i.item_id AND p.status = 'completed') THEN 1 ELSE 0 END,
		(SELECT count(*) FROM play_logs p WHERE p.device_id = i.device_id AND p.item_id = i.item_id AND p.status = 'interrupted'),
		(SELECT count(*) FROM play_logs p WHERE p.device_id = i.device_id AND p.item_id = i.item_id AND p.status = 'failed')
		FROM device_schedule_items i JOIN devices d ON d.id = i.device_id JOIN units u ON u.id = d.unit_id
		JOIN broadcast_orders o ON o.id = i.order_id
		WHERE u.path LIKE ? AND i.start_at >= ? AND i.start_at < ? AND o.cancelled_at IS NULL
		ORDER BY i.start_at, d.name, i.item_id LIMIT %d`, limit), underPath+"%", from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("query day items: %w", err)
	}
	defer rows.Close()
	var out []DayItem
	for rows.Next() {
		var it DayItem
		var orderAt, deviceAt time.Time
		var made, enrolled, seen sql.NullTime
		if err := rows.Scan(&it.DeviceID, &it.ItemID, &it.OrderID, &it.Level, &it.Start, &it.End, &it.DeviceName, &it.UnitID, &it.OrderTitle,
			&made, &orderAt, &enrolled, &deviceAt, &seen, &it.Completed, &it.Interrupted, &it.Failed); err != nil {
			return nil, fmt.Errorf("scan day item: %w", err)
		}
		if made.Valid {
			orderAt = made.Time
		}
		if enrolled.Valid {
			deviceAt = enrolled.Time
		}
		it.Since = orderAt.UTC()
		if deviceAt.After(it.Since) {
			it.Since = deviceAt.UTC()
		}
		it.LastSeen = bcTimePtr(seen)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
type ScheduleItem = model.ScheduleItem
type DayItem = model.DayItem
