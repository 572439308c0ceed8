package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// InsertPlayLogs stores play logs, ignoring events already stored and
// completed plays of an occurrence (device and item) already reported
// completed, and returns how many were new. It also records each device's
// latest play and adds the new completed plays to play_rollups; callers run
// it inside a transaction so plays and rollups commit together.
func (q BroadcastStore) InsertPlayLogs(ctx context.Context, logs []PlayLog) (int64, error) {
	n, err := q.InsertPlayLogBatches(ctx, [][]PlayLog{logs})
	if len(n) == 0 {
		return 0, err
	}
	return n[0], err
}

// InsertPlayLogBatches is InsertPlayLogs for several devices' batches at
// once (the play writer's group commit): their rows go into the same
// multi-row statements and the rollups and latest plays are updated once
// for all of them. It returns how many events of each batch were new; an
// event repeated in a later batch counts as new only in the first, as if
// the batches were stored one after the other.
func (q BroadcastStore) InsertPlayLogBatches(ctx context.Context, batches [][]PlayLog) ([]int64, error) {
	counts := make([]int64, len(batches))
	var all []PlayLog
	if len(batches) == 1 {
		all = batches[0]
	} else {
		for _, b := range batches {
			all = append(all, b...)
		}
	}
	stored, err := q.insertPlayLogs(ctx, all)
	if err != nil {
		return counts, err
	}
	for i, b := range batches {
		for _, l := range b {
			k := evKey{l.DeviceID, l.EventID}
			if stored[k] {
				counts[i]++
				delete(stored, k)
			}
		}
	}
	return counts, nil
}

// insertPlayLogs stores logs (see InsertPlayLogs) and returns the events
// that were new.
func (q BroadcastStore) insertPlayLogs(ctx context.Context, logs []PlayLog) (map[evKey]bool, error) {
	const per = 8
	var inserted int64
	stored := make(map[evKey]bool, len(logs))
	var fresh []PlayLog // completed plays newly stored: the rollups' input
	latest := map[int64]PlayLog{}
	for len(logs) > 0 {
		n := min(len(logs), 500)
		chunk := logs[:n]
		logs = logs[n:]
		for _, l := range chunk {
			if cur, ok := latest[l.DeviceID]; !ok || l.StartedAt.After(cur.StartedAt) {
				latest[l.DeviceID] = l
			}
		}
		if q.engine == SQLite {
			added, err := q.insertPlayLogRows(ctx, chunk, stored, &fresh)
			if err != nil {
				return nil, err
			}
			inserted += added
			continue
		}
		byEvent := make(map[evKey]PlayLog, n)
		for _, l := range chunk {
			if _, dup := byEvent[evKey{l.DeviceID, l.EventID}]; !dup {
				byEvent[evKey{l.DeviceID, l.EventID}] = l
			}
		}
		args := make([]any, 0, n*per)
		query := make([]byte, 0, 128+n*26)
		query = append(query, `INSERT INTO play_logs (device_id, event_id, item_id, order_id, status, started_at, ended_at, received_at) VALUES `...)
		for i, l := range chunk {
			if i > 0 {
				query = append(query, ", "...)
			}
			query = append(query, "(?, ?, ?, ?, ?, ?, ?, ?)"...)
			args = append(args, l.DeviceID, l.EventID, l.ItemID, l.OrderID, l.Status, l.StartedAt.UTC().Truncate(time.Microsecond),
				l.EndedAt.UTC().Truncate(time.Microsecond), l.ReceivedAt.UTC().Truncate(time.Microsecond))
		}
		// Any conflict is a play already stored: the same event id, or a
		// second completed play of the same occurrence (the partial unique
		// index play_logs_completed_once) reported under a new event id.
		query = append(query, ` ON CONFLICT DO NOTHING RETURNING device_id, event_id`...)
		rows, err := q.query(ctx, string(query), args...)
		if err != nil {
			return nil, fmt.Errorf("store play logs: %w", err)
		}
		for rows.Next() {
			var k evKey
			if err := rows.Scan(&k.device, &k.event); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store play logs: %w", err)
			}
			inserted++
			stored[k] = true
			if l, ok := byEvent[k]; ok && l.Status == PlayCompleted {
				fresh = append(fresh, l)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store play logs: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store play logs: %w", err)
		}
	}
	// The evidence rollups move in the same transaction as the plays.
	if err := q.addRollups(ctx, fresh); err != nil {
		return nil, err
	}
	if inserted == 0 {
		return stored, nil
	}
	// In device order: concurrent writers (PostgreSQL) lock the rows in
	// the same order.
	ids := make([]int64, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		l := latest[id]
		t := l.StartedAt.UTC().Truncate(time.Microsecond)
		if _, err := q.exec(ctx, `UPDATE devices SET last_played_item = ?, last_played_at = ? WHERE id = ? AND (last_played_at IS NULL OR last_played_at < ?)`,
			l.ItemID, t, id, t); err != nil {
			return nil, fmt.Errorf("record last play of device %d: %w", id, err)
		}
	}
	return stored, nil
}

// insertPlayLogSQL stores one play log on SQLite; a conflict is a play
// already stored (see insertPlayLogs).
const insertPlayLogSQL = `INSERT INTO play_logs (device_id, event_id, item_id, order_id, status, started_at, ended_at, received_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

// insertPlayLogRows is insertPlayLogs' chunk on SQLite: one prepared
// single-row INSERT per event, the statement's changes telling whether it
// was new. A multi-row INSERT (or one with RETURNING) is a statement that
// may abort after writing some rows (NOT NULL, the device's foreign key),
// so SQLite keeps a statement journal of every page it touches and frees
// it at the end of the statement: a quarter of the writer's CPU time in a
// profile of BenchmarkPlayLogIngest. A single-row INSERT needs none.
// Stored events are added to stored, and the completed ones to fresh.
// The rows run without the context's cancellation (the driver watches a
// cancellable context with a goroutine per statement, 8 % of the time):
// the context is checked once per chunk instead.
func (q BroadcastStore) insertPlayLogRows(ctx context.Context, chunk []PlayLog, stored map[evKey]bool, fresh *[]PlayLog) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store play logs: %w", err)
	}
	rowCtx := context.WithoutCancel(ctx)
	var inserted int64
	// The times go as the text the driver would write for them
	// (sqliteTimeText); a batch's events share their received_at.
	var received time.Time
	var receivedText string
	for _, l := range chunk {
		if receivedText == "" || !l.ReceivedAt.Equal(received) {
			received, receivedText = l.ReceivedAt, sqliteTimeText(l.ReceivedAt)
		}
		res, err := q.exec(rowCtx, insertPlayLogSQL, l.DeviceID, l.EventID, l.ItemID, l.OrderID, l.Status,
			sqliteTimeText(l.StartedAt), sqliteTimeText(l.EndedAt), receivedText)
		if err != nil {
			return inserted, fmt.Errorf("store play log %q of device %d: %w", l.EventID, l.DeviceID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return inserted, fmt.Errorf("store play log %q of device %d: %w", l.EventID, l.DeviceID, err)
		}
		if n == 0 {
			continue
		}
		inserted++
		stored[evKey{l.DeviceID, l.EventID}] = true
		if l.Status == PlayCompleted {
			*fresh = append(*fresh, l)
		}
	}
	return inserted, nil
}

// PlayItem is what a play report is checked against: the order and the
// planned start of an item scheduled for or pushed to a device.
type PlayItem struct {
	OrderID int64
	Start   time.Time
}

// PlayItems returns, among itemIDs, the items the device was given, with
// only what validating its play reports needs (KnownItems without the
// level and end, which cost a third of the look-up on SQLite).
func (q BroadcastStore) PlayItems(ctx context.Context, deviceID int64, itemIDs []string) (map[string]PlayItem, error) {
	out := make(map[string]PlayItem, len(itemIDs))
	args := make([]any, 0, min(len(itemIDs), 500)+1)
	for len(itemIDs) > 0 {
		n := min(len(itemIDs), 500)
		chunk := itemIDs[:n]
		itemIDs = itemIDs[n:]
		args = append(args[:0], deviceID)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.query(ctx, `SELECT item_id, order_id, start_at FROM device_schedule_items
			WHERE device_id = ? AND item_id IN (`+bcPlaceholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up schedule items of device %d: %w", deviceID, err)
		}
		for rows.Next() {
			var id string
			var it PlayItem
			if err := rows.Scan(&id, &it.OrderID, &it.Start); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan schedule item of device %d: %w", deviceID, err)
			}
			out[id] = it
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("look up schedule items of device %d: %w", deviceID, err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("look up schedule items of device %d: %w", deviceID, err)
		}
	}
	return out, nil
}

// PlayLogs lists play logs, newest first.
func (q BroadcastStore) PlayLogs(ctx context.Context, f PlayLogFilter) ([]PlayLog, error) {
	query := `SELECT device_id, event_id, item_id, order_id, status, started_at, ended_at, received_at FROM play_logs WHERE 1=1`
	var args []any
	if f.DeviceID != 0 {
		query += ` AND device_id = ?`
		args = append(args, f.DeviceID)
	}
	if f.OrderID != 0 {
		query += ` AND order_id = ?`
		args = append(args, f.OrderID)
	}
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 1000
	}
	rows, err := q.query(ctx, query+fmt.Sprintf(` ORDER BY started_at DESC, id DESC LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query play logs: %w", err)
	}
	return scanPlayLogs(rows)
}

// OrderPlayStats aggregates an order's play logs per unit: the evidence a
// directive's tracking shows.
func (q BroadcastStore) OrderPlayStats(ctx context.Context, orderID int64) ([]UnitPlayStats, error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, count(DISTINCT p.device_id),
		count(DISTINCT CASE WHEN p.status = 'completed' THEN `+occurrenceKey("p")+` END),
		sum(CASE WHEN p.status = 'interrupted' THEN 1 ELSE 0 END),
		sum(CASE WHEN p.status = 'failed' THEN 1 ELSE 0 END),
		max(p.started_at)
		FROM play_logs p JOIN devices d ON d.id = p.device_id WHERE p.order_id = ? GROUP BY d.unit_id ORDER BY d.unit_id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("aggregate plays of order %d: %w", orderID, err)
	}
	defer rows.Close()
	var out []UnitPlayStats
	for rows.Next() {
		var s UnitPlayStats
		var last any
		if err := rows.Scan(&s.UnitID, &s.Devices, &s.Completed, &s.Interrupted, &s.Failed, &last); err != nil {
			return nil, fmt.Errorf("scan play stats: %w", err)
		}
		s.LastPlayed = anyTime(last)
		out = append(out, s)
	}
	return out, rows.Err()
}

// occurrenceKey is an SQL expression naming one scheduled occurrence on
// one device (item ids name the order and the slot time): evidence counts
// at most one completed play per occurrence key.
func occurrenceKey(alias string) string {
	return "CAST(" + alias + ".device_id AS TEXT) || ':' || " + alias + ".item_id"
}

// anyTime converts an aggregate's value (max() loses the column type on
// SQLite, where it comes back as text) to a time.
func anyTime(v any) *time.Time {
	switch t := v.(type) {
	case time.Time:
		u := t.UTC()
		return &u
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				u := p.UTC()
				return &u
			}
		}
	case []byte:
		return anyTime(string(t))
	}
	return nil
}

// scanPlayLogs reads the rows of a query selecting device_id, event_id,
// item_id, order_id, status, started_at, ended_at, received_at, and closes them.
func scanPlayLogs(rows *sql.Rows) ([]PlayLog, error) {
	defer rows.Close()
	var out []PlayLog
	for rows.Next() {
		var l PlayLog
		if err := rows.Scan(&l.DeviceID, &l.EventID, &l.ItemID, &l.OrderID, &l.Status, &l.StartedAt, &l.EndedAt, &l.ReceivedAt); err != nil {
			return nil, fmt.Errorf("scan play log: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
const PlayCompleted = model.PlayCompleted
const PlayInterrupted = model.PlayInterrupted
const PlayFailed = model.PlayFailed

type PlayLog = model.PlayLog
type PlayLogFilter = model.PlayLogFilter
type UnitPlayStats = model.UnitPlayStats
