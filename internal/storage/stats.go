package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// DirectiveTotals counts, per issuing unit under a path, the directives
// issued between from and to (YYYY-MM-DD, inclusive) and their main
// recipients: all, and those that reported (reported or closed).
func (q DirectiveStore) DirectiveTotals(ctx context.Context, underPath, from, to string) ([]model.UnitDirectiveTotal, error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, COUNT(DISTINCT d.id),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' AND l.status IN ('reported', 'closed') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' AND l.late THEN 1 ELSE 0 END), 0)
		FROM directives d JOIN units u ON u.id = d.unit_id LEFT JOIN deliveries l ON l.directive_id = d.id
		WHERE d.status = 'issued' AND u.path LIKE ? AND d.issued_date >= ? AND d.issued_date <= ?
		GROUP BY d.unit_id`, underPath+"%", from, to)
	if err != nil {
		return nil, fmt.Errorf("count directives under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.UnitDirectiveTotal
	for rows.Next() {
		var t model.UnitDirectiveTotal
		if err := rows.Scan(&t.UnitID, &t.Issued, &t.Recipients, &t.Reported, &t.Late); err != nil {
			return nil, fmt.Errorf("scan directive totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeviceCounts counts the active devices per owning unit under a path,
// and those seen since onlineSince.
func (q DeviceStore) DeviceCounts(ctx context.Context, underPath string, onlineSince time.Time) ([]model.UnitDeviceCount, error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, COUNT(*), COALESCE(SUM(CASE WHEN d.last_seen_at >= ? THEN 1 ELSE 0 END), 0)
		FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ? AND d.revoked_at IS NULL GROUP BY d.unit_id`,
		onlineSince.UTC(), underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("count devices under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.UnitDeviceCount
	for rows.Next() {
		var c model.UnitDeviceCount
		if err := rows.Scan(&c.UnitID, &c.Devices, &c.Online); err != nil {
			return nil, fmt.Errorf("scan device counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeviceLevelCount counts active devices by the depth and kind of their
// owning unit, and those online.
type DeviceLevelCount struct {
	Depth   int
	Kind    string
	Devices int64
	Online  int64
}

// DevicesByLevel counts the active devices per depth and kind of the
// owning unit, and those seen since onlineSince.
func (q DeviceStore) DevicesByLevel(ctx context.Context, onlineSince time.Time) ([]DeviceLevelCount, error) {
	rows, err := q.query(ctx, `SELECT u.depth, u.kind, COUNT(*), COALESCE(SUM(CASE WHEN d.last_seen_at >= ? THEN 1 ELSE 0 END), 0)
		FROM devices d JOIN units u ON u.id = d.unit_id WHERE d.revoked_at IS NULL GROUP BY u.depth, u.kind`, onlineSince.UTC())
	if err != nil {
		return nil, fmt.Errorf("count devices by level: %w", err)
	}
	defer rows.Close()
	var out []DeviceLevelCount
	for rows.Next() {
		var c DeviceLevelCount
		if err := rows.Scan(&c.Depth, &c.Kind, &c.Devices, &c.Online); err != nil {
			return nil, fmt.Errorf("scan device levels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SilentSlots counts the scheduled slots of active devices that started
// at or after from and ended before to without any play report, counting
// only slots after both the order was made and the device enrolled, and
// while the device was in contact (seen at or after the slot's start).
func (q BroadcastStore) SilentSlots(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := q.row(ctx, `SELECT COUNT(*) FROM device_schedule_items i JOIN devices d ON d.id = i.device_id
		JOIN broadcast_orders o ON o.id = i.order_id
		WHERE i.start_at >= ? AND i.end_at < ? AND o.cancelled_at IS NULL AND d.revoked_at IS NULL
		AND (o.made_at IS NULL OR i.start_at >= o.made_at) AND (d.enrolled_at IS NULL OR i.start_at >= d.enrolled_at)
		AND d.last_seen_at >= i.start_at
		AND NOT EXISTS (SELECT 1 FROM play_logs p WHERE p.device_id = i.device_id AND p.item_id = i.item_id)`, from.UTC(), to.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count silent slots: %w", err)
	}
	return n, nil
}

// EmergencyLatencies returns, for each emergency order issued since and
// each device that completed it, the time from issuing to the device's
// first completed play.
func (q BroadcastStore) EmergencyLatencies(ctx context.Context, since time.Time) ([]time.Duration, error) {
	rows, err := q.query(ctx, `SELECT o.issued_at, MIN(p.started_at) FROM broadcast_orders o JOIN play_logs p ON p.order_id = o.id
		WHERE o.level = 'emergency' AND o.issued_at >= ? AND p.status = 'completed' GROUP BY o.id, o.issued_at, p.device_id`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("emergency latencies: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var issued time.Time
		var first any
		if err := rows.Scan(&issued, &first); err != nil {
			return nil, fmt.Errorf("scan emergency latency: %w", err)
		}
		if t := anyTime(first); t != nil {
			out = append(out, max(0, t.Sub(issued)))
		}
	}
	return out, rows.Err()
}
