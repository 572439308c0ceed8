package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const orderColumns = `o.id, o.unit_id, o.title, o.media_id, o.level, o.interrupts, o.start_date, o.end_date, o.expires_at, o.slots, o.weekdays,
	o.unit_order, o.issued_at, o.repeats, o.repeat_every_s, o.source, o.source_ref, o.source_directive_id, o.source_item, o.source_part, o.source_delivery_id, o.created_by, o.created_at, o.cancelled_at,
	m.sha256, m.size, m.duration_ms, m.title, o.made_at, CASE WHEN m.source = 'tts' THEN '' ELSE m.original_sha256 END`

const orderFrom = ` FROM broadcast_orders o JOIN media m ON m.id = o.media_id`

func scanOrder(sc scanner) (*BroadcastOrder, error) {
	var o BroadcastOrder
	var exp, issued, cancelled, made sql.NullTime
	if err := sc.Scan(&o.ID, &o.UnitID, &o.Title, &o.MediaID, &o.Level, &o.Interrupts, &o.StartDate, &o.EndDate, &exp, &o.Slots, &o.Weekdays,
		&o.UnitOrder, &issued, &o.Repeats, &o.RepeatEveryS, &o.Source, &o.SourceRef, &o.SourceDirectiveID, &o.SourceItem, &o.SourcePart, &o.SourceDeliveryID, &o.CreatedBy, &o.CreatedAt, &cancelled,
		&o.MediaSHA256, &o.MediaSize, &o.MediaDurationMS, &o.MediaTitle, &made, &o.MediaOriginalSHA256); err != nil {
		return nil, err
	}
	o.ExpiresAt, o.IssuedAt, o.CancelledAt = bcTimePtr(exp), bcTimePtr(issued), bcTimePtr(cancelled)
	o.MadeAt = o.CreatedAt
	if made.Valid {
		o.MadeAt = made.Time.UTC()
	}
	return &o, nil
}

func (q BroadcastStore) scanOrders(ctx context.Context, query string, args ...any) ([]*BroadcastOrder, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query broadcast orders: %w", err)
	}
	var out []*BroadcastOrder
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan broadcast order: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read broadcast orders: %w", err)
	}
	return out, q.withTargets(ctx, out)
}

func (q BroadcastStore) withTargets(ctx context.Context, orders []*BroadcastOrder) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[int64]*BroadcastOrder, len(orders))
	args := make([]any, 0, len(orders))
	for _, o := range orders {
		byID[o.ID] = o
		o.Targets = nil
		args = append(args, o.ID)
	}
	for len(args) > 0 {
		n := min(len(args), 500)
		chunk := args[:n]
		args = args[n:]
		rows, err := q.query(ctx, `SELECT order_id, kind, ref_id FROM broadcast_order_targets WHERE order_id IN (`+bcPlaceholders(len(chunk))+`) ORDER BY order_id, kind, ref_id`, chunk...)
		if err != nil {
			return fmt.Errorf("query order targets: %w", err)
		}
		for rows.Next() {
			var id int64
			var t OrderTarget
			if err := rows.Scan(&id, &t.Kind, &t.ID); err != nil {
				rows.Close()
				return fmt.Errorf("scan order target: %w", err)
			}
			byID[id].Targets = append(byID[id].Targets, t)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// InsertOrder stores an order with its targets and fills o.ID and o.CreatedAt.
func (q BroadcastStore) InsertOrder(ctx context.Context, o *BroadcastOrder) error {
	o.CreatedAt = now()
	if o.MadeAt.IsZero() {
		o.MadeAt = o.CreatedAt
	}
	o.MadeAt = o.MadeAt.UTC().Truncate(time.Microsecond)
	id, err := q.insertID(ctx, `INSERT INTO broadcast_orders (unit_id, title, media_id, level, interrupts, start_date, end_date, expires_at, slots, weekdays,
		unit_order, issued_at, repeats, repeat_every_s, source, source_ref, source_directive_id, source_item, source_part, source_delivery_id, created_by, created_at, made_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.UnitID, o.Title, o.MediaID, o.Level, o.Interrupts, o.StartDate, o.EndDate, bcNullTime(o.ExpiresAt), o.Slots, o.Weekdays,
		o.UnitOrder, bcNullTime(o.IssuedAt), o.Repeats, o.RepeatEveryS, o.Source, o.SourceRef, o.SourceDirectiveID, o.SourceItem, o.SourcePart, o.SourceDeliveryID, o.CreatedBy, o.CreatedAt, o.MadeAt)
	if IsUniqueViolation(err) {
		return fmt.Errorf("insert broadcast order %q: unit %d already has an order for %s: %w", o.Title, o.UnitID, o.SourceRef, model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert broadcast order %q: %w", o.Title, err)
	}
	o.ID = id
	for _, t := range o.Targets {
		if _, err := q.exec(ctx, `INSERT INTO broadcast_order_targets (order_id, kind, ref_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, t.Kind, t.ID); err != nil {
			return fmt.Errorf("insert target %s %d of order %d: %w", t.Kind, t.ID, id, err)
		}
	}
	return nil
}

// Order returns an order by id, with its targets and media.
func (q BroadcastStore) Order(ctx context.Context, id int64) (*BroadcastOrder, error) {
	out, err := q.scanOrders(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("broadcast order %d: %w", id, model.ErrNotFound)
	}
	return out[0], nil
}

// DirectiveItemOrder returns the id of the order (cancelled ones
// included) through which the unit scheduled item number item of the
// directive (its first recording, or its speech), or 0 when it has none: one lookup through the index
// broadcast_orders_directive_item, whatever the number of the unit's
// orders.
func (q BroadcastStore) DirectiveItemOrder(ctx context.Context, unitID, directiveID int64, item int) (int64, error) {
	var id int64
	err := q.row(ctx, `SELECT id FROM broadcast_orders WHERE unit_id = ? AND source_directive_id = ? AND source_item = ? AND source_part = 0`, unitID, directiveID, item).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("order of unit %d for item %d of directive %d: %w", unitID, item, directiveID, err)
	}
	return id, nil
}

// OrdersOfUnits lists the orders issued by units under a path ("" for
// all), newest first.
func (q BroadcastStore) OrdersOfUnits(ctx context.Context, underPath string, limit int) ([]*BroadcastOrder, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return q.scanOrders(ctx, fmt.Sprintf(`SELECT `+orderColumns+orderFrom+` JOIN units u ON u.id = o.unit_id WHERE u.path LIKE ? ORDER BY o.id DESC LIMIT %d`, limit), underPath+"%")
}

// CancelOrder marks an order cancelled.
func (q BroadcastStore) CancelOrder(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `UPDATE broadcast_orders SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL`, now(), id)
	if err != nil {
		return fmt.Errorf("cancel broadcast order %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("broadcast order %d (or already cancelled): %w", id, model.ErrNotFound)
	}
	return nil
}

// OrdersForDevice lists the orders that are not cancelled, whose period
// overlaps [fromDay, toDay] (YYYY-MM-DD) and that target the device, its
// unit, or a subtree containing its unit (unitPath is the unit's path).
func (q BroadcastStore) OrdersForDevice(ctx context.Context, deviceID, unitID int64, unitPath, fromDay, toDay string) ([]*BroadcastOrder, error) {
	anc := AncestorIDs(unitPath)
	args := []any{fromDay, toDay, deviceID, unitID}
	cond := `(t.kind = 'device' AND t.ref_id = ?) OR (t.kind = 'unit' AND t.ref_id = ?)`
	if len(anc) > 0 {
		cond += ` OR (t.kind = 'subtree' AND t.ref_id IN (` + bcPlaceholders(len(anc)) + `))`
		for _, a := range anc {
			args = append(args, a)
		}
	}
	return q.scanOrders(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.cancelled_at IS NULL AND o.end_date >= ? AND o.start_date <= ?
		AND EXISTS (SELECT 1 FROM broadcast_order_targets t WHERE t.order_id = o.id AND (`+cond+`)) ORDER BY o.id`, args...)
}

// orderDevices selects the ids of the active devices an order's targets
// resolve to (three parameters: the order id, three times).
const orderDevices = `SELECT d.id` + orderDevicesFrom

// orderDevicesFrom is the FROM and WHERE of orderDevices.
const orderDevicesFrom = ` FROM devices d WHERE d.revoked_at IS NULL AND ` + orderTargetsDevice

// orderTargetsDevice is the condition that the order whose id is the
// parameter (three times) targets the device d. Each part is a set the
// database builds once per query (the units under a subtree target are
// found among the units, not tested device by device): an emergency to
// a province resolves its devices before anything is pushed.
const orderTargetsDevice = `(
		d.id IN (SELECT ref_id FROM broadcast_order_targets WHERE order_id = ? AND kind = 'device')
		OR d.unit_id IN (SELECT ref_id FROM broadcast_order_targets WHERE order_id = ? AND kind = 'unit')
		OR d.unit_id IN (SELECT su.id FROM broadcast_order_targets t JOIN units u ON u.id = t.ref_id JOIN units su ON su.path LIKE u.path || '%'
			WHERE t.order_id = ? AND t.kind = 'subtree'))`

// OrderDeviceIDs resolves an order's targets to the ids of the active
// devices it plays on, today.
func (q BroadcastStore) OrderDeviceIDs(ctx context.Context, orderID int64) ([]int64, error) {
	rows, err := q.query(ctx, orderDevices+` ORDER BY d.id`, orderID, orderID, orderID)
	if err != nil {
		return nil, fmt.Errorf("resolve devices of order %d: %w", orderID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan device id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OrderDeviceUnits counts an order's active devices per unit (in unit id
// order): one query, whatever the number of devices.
func (q BroadcastStore) OrderDeviceUnits(ctx context.Context, orderID int64) (units []int64, devices []int, err error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, count(*)`+orderDevicesFrom+` GROUP BY d.unit_id ORDER BY d.unit_id`, orderID, orderID, orderID)
	if err != nil {
		return nil, nil, fmt.Errorf("count devices of order %d per unit: %w", orderID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u int64
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			return nil, nil, fmt.Errorf("scan devices per unit: %w", err)
		}
		units, devices = append(units, u), append(devices, n)
	}
	return units, devices, rows.Err()
}

// OrderPlay is one play of an issued order (an emergency or a live
// broadcast), the same on every device it targets.
type OrderPlay struct {
	ItemID     string
	Start, End time.Time
}

// RecordOrderPlays records the plays of an issued order on every device
// its targets resolve to (as schedule items, which the play logs are
// checked against) and marks those devices' schedules stale, set-based:
// one statement per play and one for the versions, whatever the number
// of devices (an emergency to a province's 10,000 loudspeakers writes no
// per-device parameters and holds the writer for as short as possible).
func (q BroadcastStore) RecordOrderPlays(ctx context.Context, orderID int64, level string, plays []OrderPlay) error {
	for _, p := range plays {
		// "WHERE true" lets SQLite parse the upsert after a SELECT.
		if _, err := q.exec(ctx, `INSERT INTO device_schedule_items (device_id, item_id, order_id, level, start_at, end_at)
			SELECT ids.id, ?, ?, ?, ?, ? FROM (`+orderDevices+`) ids WHERE true
			ON CONFLICT (device_id, item_id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at`,
			p.ItemID, orderID, level, p.Start.UTC().Truncate(time.Microsecond), p.End.UTC().Truncate(time.Microsecond), orderID, orderID, orderID); err != nil {
			return fmt.Errorf("record the plays of order %d: %w", orderID, err)
		}
	}
	if q.engine == Postgres {
		// Devices are locked in id order, as every transaction on devices
		// does (no deadlock with the schedule saves).
		rows, err := q.query(ctx, `SELECT id FROM devices WHERE id IN (`+orderDevices+`) ORDER BY id FOR UPDATE`, orderID, orderID, orderID)
		if err != nil {
			return fmt.Errorf("mark schedules stale: lock the devices of order %d: %w", orderID, err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("mark schedules stale: lock the devices of order %d: %w", orderID, err)
		}
	}
	if _, err := q.exec(ctx, `UPDATE devices SET schedule_version = schedule_version + 1 WHERE id IN (`+orderDevices+`)`, orderID, orderID, orderID); err != nil {
		return fmt.Errorf("mark the schedules of order %d stale: %w", orderID, err)
	}
	return nil
}

// SetOrderPlaysPending marks whether the plays of an issued order on its
// devices (RecordOrderPlays) are still to be written: an emergency is
// pushed before they are, and a restart finishes the orders left marked.
func (q BroadcastStore) SetOrderPlaysPending(ctx context.Context, orderID int64, pending bool) error {
	if _, err := q.exec(ctx, `UPDATE broadcast_orders SET plays_pending = ? WHERE id = ?`, pending, orderID); err != nil {
		return fmt.Errorf("mark the plays of order %d pending=%t: %w", orderID, pending, err)
	}
	return nil
}

// OrdersWithPlaysPending returns the ids of the orders whose plays are
// still to be written (SetOrderPlaysPending), oldest first, at most limit.
func (q BroadcastStore) OrdersWithPlaysPending(ctx context.Context, limit int) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT id FROM broadcast_orders WHERE plays_pending ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("orders with plays pending: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("orders with plays pending: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("orders with plays pending: %w", err)
	}
	return out, nil
}

// OrdersOfUnitPath lists the active orders (not cancelled, ending on or
// after day) that target the unit at path or one of its ancestors or
// descendants: what a commune's public feed shows.
func (q BroadcastStore) OrdersOfUnitPath(ctx context.Context, unitID int64, path, day string, limit int) ([]*BroadcastOrder, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	anc := AncestorIDs(path)
	args := []any{day, unitID}
	cond := `(t.kind = 'unit' AND t.ref_id = ?)`
	if len(anc) > 0 {
		cond += ` OR (t.kind = 'subtree' AND t.ref_id IN (` + bcPlaceholders(len(anc)) + `))`
		for _, a := range anc {
			args = append(args, a)
		}
	}
	args = append(args, path+"%")
	cond += ` OR (t.kind = 'device' AND t.ref_id IN (SELECT d.id FROM devices d JOIN units du ON du.id = d.unit_id WHERE du.path LIKE ?))`
	return q.scanOrders(ctx, fmt.Sprintf(`SELECT `+orderColumns+orderFrom+` WHERE o.cancelled_at IS NULL AND o.end_date >= ?
		AND EXISTS (SELECT 1 FROM broadcast_order_targets t WHERE t.order_id = o.id AND (`+cond+`)) ORDER BY o.id DESC LIMIT %d`, limit), args...)
}

// OrdersReachingUnit lists the orders issued by units outside the subtree
// at path (the district, the province, …) whose targets include devices of
// that subtree, newest first, whatever their state: what a commune radio
// receives from above.
func (q BroadcastStore) OrdersReachingUnit(ctx context.Context, path string, limit int) ([]*BroadcastOrder, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	anc := AncestorIDs(path)
	args := []any{path + "%", path + "%", path + "%"}
	cond := `(t.kind = 'unit' AND t.ref_id IN (SELECT tu.id FROM units tu WHERE tu.path LIKE ?))
		OR (t.kind = 'subtree' AND t.ref_id IN (SELECT tu.id FROM units tu WHERE tu.path LIKE ?))
		OR (t.kind = 'device' AND t.ref_id IN (SELECT d.id FROM devices d JOIN units du ON du.id = d.unit_id WHERE du.path LIKE ?))`
	if len(anc) > 0 {
		cond += ` OR (t.kind = 'subtree' AND t.ref_id IN (` + bcPlaceholders(len(anc)) + `))`
		for _, a := range anc {
			args = append(args, a)
		}
	}
	args = append(args, path+"%")
	return q.scanOrders(ctx, fmt.Sprintf(`SELECT `+orderColumns+orderFrom+` JOIN units iu ON iu.id = o.unit_id
		WHERE EXISTS (SELECT 1 FROM broadcast_order_targets t WHERE t.order_id = o.id AND (`+cond+`))
		AND iu.path NOT LIKE ? ORDER BY o.id DESC LIMIT %d`, limit), args...)
}

// DevicesWithSchedule returns, among the devices of units under path, the
// ids of those that fetched a schedule at least once.
func (q BroadcastStore) DevicesWithSchedule(ctx context.Context, underPath string) (map[int64]bool, error) {
	rows, err := q.query(ctx, `SELECT s.device_id FROM device_schedules s JOIN devices d ON d.id = s.device_id JOIN units u ON u.id = d.unit_id
		WHERE u.path LIKE ?`, underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("query devices with a schedule: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan device id: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// PlaysBetween lists the plays reported by the devices of units under path
// that started in [from, to), oldest first. The plays are found per device
// of the subtree (play_logs_started is (device_id, started_at)): SQLite
// joins CROSS JOINs in the order written, and would otherwise scan that
// whole index for the time range.
func (q BroadcastStore) PlaysBetween(ctx context.Context, underPath string, from, to time.Time, limit int) ([]PlayLog, error) {
	if limit <= 0 || limit > 100000 {
		limit = 5000
	}
	rows, err := q.query(ctx, fmt.Sprintf(`SELECT p.device_id, p.event_id, p.item_id, p.order_id, p.status, p.started_at, p.ended_at, p.received_at
		FROM units u CROSS JOIN devices d CROSS JOIN play_logs p
		WHERE d.unit_id = u.id AND p.device_id = d.id AND u.path LIKE ? AND p.started_at >= ? AND p.started_at < ? ORDER BY p.started_at, p.device_id, p.event_id LIMIT %d`, limit),
		underPath+"%", from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("query plays between %s and %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return scanPlayLogs(rows)
}

// Types and constants of this aggregate live in internal/model.
const TargetDevice = model.TargetDevice
const TargetUnit = model.TargetUnit
const TargetSubtree = model.TargetSubtree

type OrderTarget = model.OrderTarget
type BroadcastOrder = model.BroadcastOrder

// OrderMadeAt returns when an order was made (on the service's clock).
func (q BroadcastStore) OrderMadeAt(ctx context.Context, id int64) (time.Time, error) {
	var made sql.NullTime
	var t time.Time
	if err := q.row(ctx, `SELECT made_at, created_at FROM broadcast_orders WHERE id = ?`, id).Scan(&made, &t); err != nil {
		return time.Time{}, notFound(err, fmt.Sprintf("broadcast order %d", id))
	}
	if made.Valid {
		t = made.Time
	}
	return t.UTC(), nil
}
