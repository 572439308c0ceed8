package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/i18n"
)

// LateAfter: a play that starts more than this after the slot it was
// scheduled for counts as late on the dashboards.
const LateAfter = 5 * time.Minute

// UptimeGap: two contacts of a device at most this far apart count the
// time between them as time in contact (device uptime).
const UptimeGap = 3 * time.Minute

// slotOf is the start an occurrence was scheduled for, from its item id
// ("o<order>-<unix seconds>", broadcast.ItemID); false when the id has
// another form.
func slotOf(itemID string) (time.Time, bool) {
	i := strings.LastIndexByte(itemID, '-')
	if !strings.HasPrefix(itemID, "o") || i < 0 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(itemID[i+1:], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// addDeviceRollups adds newly stored completed plays to play_device_days
// and play_order_devices (the dashboards' per-device rollups). unitOf
// gives the unit owning each device.
func (q BroadcastStore) addDeviceRollups(ctx context.Context, plays []PlayLog, unitOf map[int64]int64) error {
	type dayKey struct {
		device, order int64
		day           string
	}
	type orderKey struct{ order, device int64 }
	days := map[dayKey]*[2]int64{}
	orders := map[orderKey]*[2]int64{}
	zone := i18n.Zone()
	for _, l := range plays {
		if unitOf[l.DeviceID] == 0 {
			continue
		}
		var late int64
		if slot, ok := slotOf(l.ItemID); ok && l.StartedAt.Sub(slot) > LateAfter {
			late = 1
		}
		dk := dayKey{l.DeviceID, l.OrderID, l.StartedAt.In(zone).Format(time.DateOnly)}
		if days[dk] == nil {
			days[dk] = &[2]int64{}
		}
		days[dk][0]++
		days[dk][1] += late
		ok := orderKey{l.OrderID, l.DeviceID}
		if orders[ok] == nil {
			orders[ok] = &[2]int64{}
		}
		orders[ok][0]++
		orders[ok][1] += late
	}
	dkeys := make([]dayKey, 0, len(days))
	for k := range days {
		dkeys = append(dkeys, k)
	}
	// A stable order keeps concurrent writers (PostgreSQL) from deadlocking.
	sort.Slice(dkeys, func(i, j int) bool {
		a, b := dkeys[i], dkeys[j]
		if a.device != b.device {
			return a.device < b.device
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.day < b.day
	})
	if err := upsertRows(ctx, q.Q, dkeys, 6, 200, `INSERT INTO play_device_days (device_id, order_id, day, unit_id, plays, late) VALUES `,
		` ON CONFLICT (device_id, order_id, day) DO UPDATE SET plays = play_device_days.plays + excluded.plays, late = play_device_days.late + excluded.late`,
		func(k dayKey) []any {
			v := days[k]
			return []any{k.device, k.order, k.day, unitOf[k.device], v[0], v[1]}
		}); err != nil {
		return fmt.Errorf("update play device days: %w", err)
	}
	okeys := make([]orderKey, 0, len(orders))
	for k := range orders {
		okeys = append(okeys, k)
	}
	sort.Slice(okeys, func(i, j int) bool {
		a, b := okeys[i], okeys[j]
		if a.order != b.order {
			return a.order < b.order
		}
		return a.device < b.device
	})
	if err := upsertRows(ctx, q.Q, okeys, 4, 250, `INSERT INTO play_order_devices (order_id, device_id, plays, late) VALUES `,
		` ON CONFLICT (order_id, device_id) DO UPDATE SET plays = play_order_devices.plays + excluded.plays, late = play_order_devices.late + excluded.late`,
		func(k orderKey) []any { v := orders[k]; return []any{k.order, k.device, v[0], v[1]} }); err != nil {
		return fmt.Errorf("update play order devices: %w", err)
	}
	return nil
}

// valueRows is "(?, …), (?, …)": n rows of k placeholders.
// upsertRows writes one row per key, width columns each, in statements of
// at most per rows: head is "INSERT INTO t (columns) VALUES ", tail the ON
// CONFLICT clause; row gives a key's values. The keys' order is kept, so
// writers that sort them take row locks in one order. On SQLite each row
// is its own prepared statement (see insertPlayLogRows: a multi-row
// statement keeps a statement journal).
func upsertRows[K any](ctx context.Context, q Q, keys []K, width, per int, head, tail string, row func(K) []any) error {
	if q.engine == SQLite {
		per = 1
	}
	for len(keys) > 0 {
		n := min(len(keys), per)
		args := make([]any, 0, n*width)
		for _, k := range keys[:n] {
			args = append(args, row(k)...)
		}
		keys = keys[n:]
		if _, err := q.exec(ctx, head+valueRows(n, width)+tail, args...); err != nil {
			return err
		}
	}
	return nil
}

func valueRows(n, k int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// addUptime adds the time since each device's previous contact (when at
// most UptimeGap) to device_uptime_days, split at local midnights. It runs
// in TouchDevices' transaction, before last_seen_at moves.
func (q DeviceStore) addUptime(ctx context.Context, seen []DeviceSeen) error {
	if len(seen) == 0 {
		return nil
	}
	var args []any
	for i, s := range seen {
		if i == 0 || s.DeviceID != seen[i-1].DeviceID {
			args = append(args, s.DeviceID)
		}
	}
	rows, err := q.query(ctx, `SELECT id, last_seen_at FROM devices WHERE id IN (`+bcPlaceholders(len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("uptime: previous contacts: %w", err)
	}
	prev := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at sql.NullTime
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return fmt.Errorf("uptime: scan previous contact: %w", err)
		}
		if at.Valid {
			prev[id] = at.Time
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("uptime: previous contacts: %w", err)
	}
	type key struct {
		device int64
		day    string
	}
	add := map[key]int64{}
	var keys []key
	zone := i18n.Zone()
	byTime := slices.Clone(seen)
	slices.SortStableFunc(byTime, func(a, b DeviceSeen) int { return a.SeenAt.Compare(b.SeenAt) })
	for _, s := range byTime {
		p, ok := prev[s.DeviceID]
		if !ok || !s.SeenAt.After(p) {
			continue
		}
		prev[s.DeviceID] = s.SeenAt
		if s.SeenAt.Sub(p) > UptimeGap {
			continue
		}
		for from := p.In(zone); from.Before(s.SeenAt); {
			y, m, d := from.Date()
			midnight := time.Date(y, m, d+1, 0, 0, 0, 0, zone)
			to := s.SeenAt.In(zone)
			if midnight.Before(to) {
				to = midnight
			}
			k := key{s.DeviceID, from.Format(time.DateOnly)}
			if _, ok := add[k]; !ok {
				keys = append(keys, k)
			}
			add[k] += int64(to.Sub(from) / time.Second)
			from = to
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].device != keys[j].device {
			return keys[i].device < keys[j].device
		}
		return keys[i].day < keys[j].day
	})
	for len(keys) > 0 {
		n := min(len(keys), 300)
		vals := make([]any, 0, 3*n)
		for _, k := range keys[:n] {
			vals = append(vals, k.device, k.day, add[k])
		}
		keys = keys[n:]
		if _, err := q.exec(ctx, `INSERT INTO device_uptime_days (device_id, day, seconds) VALUES `+valueRows(n, 3)+`
			ON CONFLICT (device_id, day) DO UPDATE SET seconds = device_uptime_days.seconds + excluded.seconds`, vals...); err != nil {
			return fmt.Errorf("update device uptime: %w", err)
		}
	}
	return nil
}

// DashDevice is a device as the dashboards see it.
type DashDevice struct {
	ID       int64
	Name     string
	UnitID   int64
	UnitPath string
	// Since: enrolled (slots before it were never expected to play).
	Since     time.Time
	RevokedAt *time.Time
	LastSeen  *time.Time
}

// DashDevices lists the devices of the units under a path (revoked ones
// too: they count for the days before their revocation).
func (q DeviceStore) DashDevices(ctx context.Context, underPath string) ([]DashDevice, error) {
	rows, err := q.query(ctx, `SELECT d.id, d.name, d.unit_id, u.path, COALESCE(d.enrolled_at, d.created_at), d.revoked_at, d.last_seen_at
		FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ? ORDER BY d.id`, underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("devices under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []DashDevice
	for rows.Next() {
		var d DashDevice
		var since any
		var revoked, seen sql.NullTime
		if err := rows.Scan(&d.ID, &d.Name, &d.UnitID, &d.UnitPath, &since, &revoked, &seen); err != nil {
			return nil, fmt.Errorf("scan device: %w", err)
		}
		if t := anyTime(since); t != nil {
			d.Since = *t
		}
		d.RevokedAt, d.LastSeen = bcTimePtr(revoked), bcTimePtr(seen)
		out = append(out, d)
	}
	return out, rows.Err()
}

// OrdersBetween returns the orders (with targets) whose days overlap
// from..to (YYYY-MM-DD), cancelled ones included (their slots before the
// cancellation were expected to play), at most limit.
func (q BroadcastStore) OrdersBetween(ctx context.Context, from, to string, limit int) ([]*BroadcastOrder, error) {
	return q.scanOrders(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.start_date <= ? AND o.end_date >= ? ORDER BY o.id LIMIT ?`, to, from, limit)
}

// OrdersOfDirectives returns the orders made from any of the directives.
func (q BroadcastStore) OrdersOfDirectives(ctx context.Context, directiveIDs []int64, limit int) ([]*BroadcastOrder, error) {
	if len(directiveIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(directiveIDs)+1)
	for _, id := range directiveIDs {
		args = append(args, id)
	}
	args = append(args, limit)
	return q.scanOrders(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.source_directive_id IN (`+bcPlaceholders(len(directiveIDs))+`) ORDER BY o.id LIMIT ?`, args...)
}

// OrderDevicePlay is a play_order_devices row.
type OrderDevicePlay struct {
	OrderID, DeviceID, Plays, Late int64
}

// OrderDevicePlays returns the completed plays (and late ones) of the
// orders per device, from play_order_devices. With deviceIDs (at most
// MaxPlayDeviceFilter) only those devices' rows are read, by the primary
// key; without, every device's. Each row goes to each as it is read.
func (q BroadcastStore) OrderDevicePlays(ctx context.Context, orderIDs, deviceIDs []int64, each func(OrderDevicePlay)) error {
	if len(deviceIDs) > MaxPlayDeviceFilter {
		return fmt.Errorf("plays per order and device: %d devices, at most %d", len(deviceIDs), MaxPlayDeviceFilter)
	}
	var devFilter string
	var devArgs []any
	if len(deviceIDs) > 0 {
		devFilter = ` AND device_id IN (` + bcPlaceholders(len(deviceIDs)) + `)`
		for _, id := range deviceIDs {
			devArgs = append(devArgs, id)
		}
	}
	if len(deviceIDs) == 0 {
		return q.eachOrderDevicePlayPacked(ctx, orderIDs, each)
	}
	chunk := max(1, min(500, (MaxPlayDeviceFilter+500-len(deviceIDs))/2))
	for len(orderIDs) > 0 {
		n := min(len(orderIDs), chunk)
		args := make([]any, 0, n+len(devArgs))
		for _, id := range orderIDs[:n] {
			args = append(args, id)
		}
		args = append(args, devArgs...)
		orderIDs = orderIDs[n:]
		rows, err := q.query(ctx, `SELECT order_id, device_id, plays, late FROM play_order_devices WHERE order_id IN (`+bcPlaceholders(n)+`)`+devFilter, args...)
		if err != nil {
			return fmt.Errorf("plays per order and device: %w", err)
		}
		for rows.Next() {
			var r OrderDevicePlay
			if err := rows.Scan(&r.OrderID, &r.DeviceID, &r.Plays, &r.Late); err != nil {
				rows.Close()
				return fmt.Errorf("scan plays per order and device: %w", err)
			}
			each(r)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("plays per order and device: %w", err)
		}
	}
	return nil
}

// eachOrderDevicePlayPacked reads every device's play_order_devices rows
// of the orders as one text per order ("device,plays,late;…", aggregated
// by the database): a province's 100,000 rows cost the client one row per
// order instead of one per device (most of the time of a row by row read
// goes to the driver, not to the database).
func (q BroadcastStore) eachOrderDevicePlayPacked(ctx context.Context, orderIDs []int64, each func(OrderDevicePlay)) error {
	agg := `group_concat(device_id || ',' || plays || ',' || late, ';')`
	if q.engine == Postgres {
		agg = `string_agg(device_id || ',' || plays || ',' || late, ';')`
	}
	for len(orderIDs) > 0 {
		n := min(len(orderIDs), 500)
		args := make([]any, 0, n)
		for _, id := range orderIDs[:n] {
			args = append(args, id)
		}
		orderIDs = orderIDs[n:]
		rows, err := q.query(ctx, `SELECT order_id, `+agg+` FROM play_order_devices WHERE order_id IN (`+bcPlaceholders(n)+`) GROUP BY order_id`, args...)
		if err != nil {
			return fmt.Errorf("plays per order and device: %w", err)
		}
		for rows.Next() {
			var order int64
			var packed sql.NullString
			if err := rows.Scan(&order, &packed); err != nil {
				rows.Close()
				return fmt.Errorf("scan plays per order and device: %w", err)
			}
			if err := unpackOrderDevicePlays(order, packed.String, each); err != nil {
				rows.Close()
				return fmt.Errorf("plays of order %d per device: %w", order, err)
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("plays per order and device: %w", err)
		}
	}
	return nil
}

// unpackOrderDevicePlays reads "device,plays,late;…" (non-negative
// integers) into rows of the order.
func unpackOrderDevicePlays(order int64, s string, each func(OrderDevicePlay)) error {
	var v [3]int64
	field, digits := 0, 0
	for i := 0; i <= len(s); i++ {
		c := byte(';')
		if i < len(s) {
			c = s[i]
		}
		switch {
		case c >= '0' && c <= '9':
			v[field] = v[field]*10 + int64(c-'0')
			digits++
		case c == ',' && field < 2 && digits > 0:
			field, digits = field+1, 0
		case c == ';' && field == 2 && digits > 0:
			each(OrderDevicePlay{OrderID: order, DeviceID: v[0], Plays: v[1], Late: v[2]})
			v, field, digits = [3]int64{}, 0, 0
		case c == ';' && field == 0 && digits == 0 && i == len(s):
			// The end of an empty list.
		default:
			return fmt.Errorf("unexpected %q at byte %d", c, i)
		}
	}
	return nil
}

// MaxPlayDeviceFilter bounds the devices OrderDevicePlays filters on.
const MaxPlayDeviceFilter = 2000

// DeviceDayPlay is a play_device_days row.
type DeviceDayPlay struct {
	DeviceID, OrderID int64
	Day               string
	Plays, Late       int64
}

// DeviceDayPlays returns the play_device_days rows of the devices for the
// days from..to (YYYY-MM-DD, inclusive).
func (q BroadcastStore) DeviceDayPlays(ctx context.Context, deviceIDs []int64, from, to string) ([]DeviceDayPlay, error) {
	var out []DeviceDayPlay
	for len(deviceIDs) > 0 {
		n := min(len(deviceIDs), 500)
		args := make([]any, 0, n+2)
		for _, id := range deviceIDs[:n] {
			args = append(args, id)
		}
		deviceIDs = deviceIDs[n:]
		args = append(args, from, to)
		rows, err := q.query(ctx, `SELECT device_id, order_id, day, plays, late FROM play_device_days
			WHERE device_id IN (`+bcPlaceholders(n)+`) AND day >= ? AND day <= ?`, args...)
		if err != nil {
			return nil, fmt.Errorf("plays per device and day: %w", err)
		}
		for rows.Next() {
			var r DeviceDayPlay
			if err := rows.Scan(&r.DeviceID, &r.OrderID, &r.Day, &r.Plays, &r.Late); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan plays per device and day: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("plays per device and day: %w", err)
		}
	}
	return out, nil
}

// DeviceUptime returns the seconds in contact per device and day of the
// units under a path, for the days from..to.
func (q DeviceStore) DeviceUptime(ctx context.Context, underPath, from, to string) (map[int64]map[string]int64, error) {
	rows, err := q.query(ctx, `SELECT t.device_id, t.day, t.seconds FROM device_uptime_days t
		WHERE t.device_id IN (SELECT d.id FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ?) AND t.day >= ? AND t.day <= ?`, underPath+"%", from, to)
	if err != nil {
		return nil, fmt.Errorf("device uptime under %s: %w", underPath, err)
	}
	defer rows.Close()
	out := map[int64]map[string]int64{}
	for rows.Next() {
		var id, secs int64
		var day string
		if err := rows.Scan(&id, &day, &secs); err != nil {
			return nil, fmt.Errorf("scan device uptime: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][day] = secs
	}
	return out, rows.Err()
}

// EachDeviceUptime streams the device_uptime_days rows (device, day,
// seconds in contact) of the units under a path for the days from..to;
// with days, only those days' rows; with sum, one row per device (day
// empty) with the sum of its seconds.
func (q DeviceStore) EachDeviceUptime(ctx context.Context, underPath, from, to string, days []string, sum bool, each func(deviceID int64, day string, seconds int64)) error {
	args := []any{underPath + "%", from, to}
	cond := ""
	if len(days) > 0 {
		cond = ` AND t.day IN (` + bcPlaceholders(len(days)) + `)`
		for _, d := range days {
			args = append(args, d)
		}
	}
	cols, group := `t.device_id, t.day, t.seconds`, ``
	if sum {
		cols, group = `t.device_id, '', SUM(t.seconds)`, ` GROUP BY t.device_id`
	}
	// The devices under the path first, then each one's days by the key
	// (not every device's days, each joined back to its device and unit).
	rows, err := q.query(ctx, `SELECT `+cols+` FROM device_uptime_days t
		WHERE t.device_id IN (SELECT d.id FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ?) AND t.day >= ? AND t.day <= ?`+cond+group, args...)
	if err != nil {
		return fmt.Errorf("device uptime under %s: %w", underPath, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, secs int64
		var day string
		if err := rows.Scan(&id, &day, &secs); err != nil {
			return fmt.Errorf("scan device uptime: %w", err)
		}
		each(id, day, secs)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("device uptime under %s: %w", underPath, err)
	}
	return nil
}
