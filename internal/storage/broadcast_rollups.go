package storage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// evKey names one play event of a device.
type evKey struct {
	device int64
	event  string
}

// rollupKey is one row of play_rollups.
type rollupKey struct {
	unit  int64
	day   string
	order int64
}

// addRollups adds newly stored completed plays to play_rollups: counted at
// the unit that owns the device, on the local day the play started.
func (q BroadcastStore) addRollups(ctx context.Context, plays []PlayLog) error {
	if len(plays) == 0 {
		return nil
	}
	devices := map[int64]int64{}
	orders := map[int64]int64{}
	for _, l := range plays {
		devices[l.DeviceID] = 0
		orders[l.OrderID] = 0
	}
	if err := q.idMap(ctx, `SELECT id, unit_id FROM devices WHERE id IN `, devices); err != nil {
		return fmt.Errorf("rollups: units of devices: %w", err)
	}
	if err := q.idMap(ctx, `SELECT id, source_directive_id FROM broadcast_orders WHERE id IN `, orders); err != nil {
		return fmt.Errorf("rollups: directives of orders: %w", err)
	}
	type sums struct{ plays, seconds int64 }
	add := map[rollupKey]*sums{}
	zone := i18n.Zone()
	for _, l := range plays {
		unit := devices[l.DeviceID]
		if unit == 0 {
			continue
		}
		k := rollupKey{unit, l.StartedAt.In(zone).Format(time.DateOnly), l.OrderID}
		s := add[k]
		if s == nil {
			s = &sums{}
			add[k] = s
		}
		s.plays++
		if d := l.EndedAt.Sub(l.StartedAt); d > 0 {
			s.seconds += int64(d / time.Second)
		}
	}
	keys := make([]rollupKey, 0, len(add))
	for k := range add {
		keys = append(keys, k)
	}
	// A stable order keeps concurrent writers (PostgreSQL) from deadlocking.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		if a.day != b.day {
			return a.day < b.day
		}
		return a.order < b.order
	})
	if err := q.addDeviceRollups(ctx, plays, devices); err != nil {
		return err
	}
	if err := q.addDayTotals(ctx, keys, func(k rollupKey) (int64, int64) { s := add[k]; return s.plays, s.seconds }); err != nil {
		return err
	}
	if err := upsertRows(ctx, q.Q, keys, 6, 200, `INSERT INTO play_rollups (unit_id, day, order_id, directive_id, plays, seconds) VALUES `,
		` ON CONFLICT (unit_id, day, order_id) DO UPDATE SET plays = play_rollups.plays + excluded.plays,
			seconds = play_rollups.seconds + excluded.seconds`,
		func(k rollupKey) []any {
			s := add[k]
			return []any{k.unit, k.day, k.order, orders[k.order], s.plays, s.seconds}
		}); err != nil {
		return fmt.Errorf("update play rollups: %w", err)
	}
	return nil
}

// idMap fills m[id] with the second column of query (which ends with "IN ")
// for the ids that are m's keys.
func (q BroadcastStore) idMap(ctx context.Context, query string, m map[int64]int64) error {
	ids := make([]any, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	rows, err := q.query(ctx, query+"("+bcPlaceholders(len(ids))+")", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		m[id] = v
	}
	return rows.Err()
}

// CascadePlays counts the completed plays (one per device and scheduled
// occurrence) of the orders made from any of the directives, on devices
// owned by units under path: each play is counted once, at the unit that
// owns the device, and summed up the tree.
func (q BroadcastStore) CascadePlays(ctx context.Context, directiveIDs []int64, underPath string) (int, error) {
	if len(directiveIDs) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(directiveIDs)+1)
	for _, id := range directiveIDs {
		args = append(args, id)
	}
	args = append(args, underPath+"%")
	var n int64
	err := q.row(ctx, `SELECT COALESCE(SUM(r.plays), 0) FROM play_rollups r JOIN units u ON u.id = r.unit_id
		WHERE r.directive_id IN (`+bcPlaceholders(len(directiveIDs))+`) AND u.path LIKE ?`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count plays of directives %v: %w", directiveIDs, err)
	}
	return int(n), nil
}

// UnitPlayTotals sums play_rollups per unit for the units under a path and
// the days from..to (YYYY-MM-DD, inclusive): plays and seconds aired, from
// play_day_totals (a row per unit and day). Only units that played appear.
func (q BroadcastStore) UnitPlayTotals(ctx context.Context, underPath, from, to string) ([]model.UnitPlayTotal, error) {
	rows, err := q.query(ctx, `SELECT r.unit_id, SUM(r.plays), SUM(r.seconds) FROM play_day_totals r JOIN units u ON u.id = r.unit_id
		WHERE u.path LIKE ? AND r.day >= ? AND r.day <= ? GROUP BY r.unit_id`, underPath+"%", from, to)
	if err != nil {
		return nil, fmt.Errorf("sum plays under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.UnitPlayTotal
	for rows.Next() {
		var t model.UnitPlayTotal
		if err := rows.Scan(&t.UnitID, &t.Plays, &t.Seconds); err != nil {
			return nil, fmt.Errorf("scan play totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// OrderUnitPlays sums play_rollups per order and unit (the unit owning
// the device) for the units under a path and the days from..to.
func (q BroadcastStore) OrderUnitPlays(ctx context.Context, underPath, from, to string) ([]model.OrderUnitPlays, error) {
	rows, err := q.query(ctx, `SELECT r.order_id, r.unit_id, r.directive_id, SUM(r.plays), SUM(r.seconds) FROM play_rollups r JOIN units u ON u.id = r.unit_id
		WHERE u.path LIKE ? AND r.day >= ? AND r.day <= ? GROUP BY r.order_id, r.unit_id, r.directive_id`, underPath+"%", from, to)
	if err != nil {
		return nil, fmt.Errorf("sum plays per order under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.OrderUnitPlays
	for rows.Next() {
		var t model.OrderUnitPlays
		if err := rows.Scan(&t.OrderID, &t.UnitID, &t.DirectiveID, &t.Plays, &t.Seconds); err != nil {
			return nil, fmt.Errorf("scan plays per order: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CascadeUnitPlays is CascadePlays for the devices one unit owns itself.
func (q BroadcastStore) CascadeUnitPlays(ctx context.Context, directiveIDs []int64, unitID int64) (int, error) {
	if len(directiveIDs) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(directiveIDs)+1)
	for _, id := range directiveIDs {
		args = append(args, id)
	}
	args = append(args, unitID)
	var n int64
	err := q.row(ctx, `SELECT COALESCE(SUM(r.plays), 0) FROM play_rollups r
		WHERE r.directive_id IN (`+bcPlaceholders(len(directiveIDs))+`) AND r.unit_id = ?`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count plays of directives %v at unit %d: %w", directiveIDs, unitID, err)
	}
	return int(n), nil
}

// addDayTotals adds the rollup increments to play_day_totals (per unit and
// day, all orders together), in a stable order, then to play_below_days
// (per ancestor of the unit and day).
func (q BroadcastStore) addDayTotals(ctx context.Context, keys []rollupKey, sums func(rollupKey) (int64, int64)) error {
	tot := map[unitDay][2]int64{}
	var order []unitDay
	for _, k := range keys {
		dk := unitDay{k.unit, k.day}
		p, s := sums(k)
		v, ok := tot[dk]
		if !ok {
			order = append(order, dk)
		}
		tot[dk] = [2]int64{v[0] + p, v[1] + s}
	}
	per := 300
	if q.engine == SQLite {
		per = 1 // no statement journal (see upsertRows)
	}
	for len(order) > 0 {
		n := min(len(order), per)
		chunk := order[:n]
		order = order[n:]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO play_day_totals (unit_id, day, plays, seconds) VALUES `)
		args := make([]any, 0, n*4)
		for i, k := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?)")
			v := tot[k]
			args = append(args, k.unit, k.day, v[0], v[1])
		}
		sb.WriteString(` ON CONFLICT (unit_id, day) DO UPDATE SET plays = play_day_totals.plays + excluded.plays, seconds = play_day_totals.seconds + excluded.seconds`)
		if _, err := q.exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("update play day totals: %w", err)
		}
	}
	return q.addBelowDays(ctx, tot)
}
