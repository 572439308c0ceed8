package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

// unitDay is one row of play_day_totals or play_below_days.
type unitDay struct {
	unit int64
	day  string
}

// ancestorsOf parses a materialized path ("/1/5/77/") into the ids of the
// unit's strict ancestors (1 and 5), from the top.
func ancestorsOf(path string) []int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	out := make([]int64, 0, len(parts))
	for _, p := range parts[:max(0, len(parts)-1)] {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// belowShards: the rows per unit and day of play_below_days that
// concurrent writers spread over (units two or more levels above the
// device's unit, PostgreSQL only).
const belowShards = 16

// addBelowDays adds play_day_totals increments (per unit and day) to
// play_below_days: to every strict ancestor of each unit, summed per
// ancestor and day first, written in a stable order.
func (q BroadcastStore) addBelowDays(ctx context.Context, tot map[unitDay][2]int64) error {
	paths := map[int64]string{}
	for k := range tot {
		paths[k.unit] = ""
	}
	ids := make([]any, 0, len(paths))
	for id := range paths {
		ids = append(ids, id)
	}
	rows, err := q.query(ctx, `SELECT id, path FROM units WHERE id IN (`+bcPlaceholders(len(ids))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("rollups: paths of units: %w", err)
	}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return fmt.Errorf("rollups: scan unit path: %w", err)
		}
		paths[id] = path
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("rollups: paths of units: %w", err)
	}
	// Concurrent writers (PostgreSQL's play writers) would all wait for
	// the rows of the units high above the devices (a province, its
	// districts): those go to one of belowShards rows per transaction.
	shard := int64(0)
	if q.engine == Postgres {
		shard = rand.Int64N(belowShards)
	}
	type shardKey struct {
		unitDay
		shard int64
	}
	below := map[shardKey][2]int64{}
	for k, v := range tot {
		anc := ancestorsOf(paths[k.unit])
		for i, a := range anc {
			ak := shardKey{unitDay{a, k.day}, 0}
			if i < len(anc)-1 {
				ak.shard = shard
			}
			s := below[ak]
			below[ak] = [2]int64{s[0] + v[0], s[1] + v[1]}
		}
	}
	keys := make([]shardKey, 0, len(below))
	for k := range below {
		keys = append(keys, k)
	}
	// A stable order keeps concurrent writers (PostgreSQL) from deadlocking.
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].unit != keys[j].unit {
			return keys[i].unit < keys[j].unit
		}
		if keys[i].day != keys[j].day {
			return keys[i].day < keys[j].day
		}
		return keys[i].shard < keys[j].shard
	})
	if err := upsertRows(ctx, q.Q, keys, 5, 300, `INSERT INTO play_below_days (unit_id, day, shard, plays, seconds) VALUES `,
		` ON CONFLICT (unit_id, day, shard) DO UPDATE SET plays = play_below_days.plays + excluded.plays, seconds = play_below_days.seconds + excluded.seconds`,
		func(k shardKey) []any { v := below[k]; return []any{k.unit, k.day, k.shard, v[0], v[1]} }); err != nil {
		return fmt.Errorf("update play totals below units: %w", err)
	}
	return nil
}

// rebuildBelowDays recomputes the play_below_days rows of the units from
// play_day_totals and the units' current paths (after a unit moved: its
// old and new ancestors).
func (q Q) rebuildBelowDays(ctx context.Context, unitIDs []int64) error {
	for _, id := range unitIDs {
		if _, err := q.exec(ctx, `DELETE FROM play_below_days WHERE unit_id = ?`, id); err != nil {
			return fmt.Errorf("rebuild play totals below unit %d: %w", id, err)
		}
		if _, err := q.exec(ctx, `INSERT INTO play_below_days (unit_id, day, shard, plays, seconds)
			SELECT a.id, t.day, 0, SUM(t.plays), SUM(t.seconds)
			FROM units a JOIN units u ON u.path LIKE a.path || '%' AND u.id <> a.id JOIN play_day_totals t ON t.unit_id = u.id
			WHERE a.id = ? GROUP BY a.id, t.day`, id); err != nil {
			return fmt.Errorf("rebuild play totals below unit %d: %w", id, err)
		}
	}
	return nil
}

// SubtreePlayTotals sums, for each unit and the days from..to
// (YYYY-MM-DD, inclusive), the plays and seconds aired by the devices of
// the unit itself (own, from play_day_totals) and of its whole subtree
// (own plus play_below_days): two rows per unit and day, whatever the
// number of units below. Units without plays are absent.
func (q BroadcastStore) SubtreePlayTotals(ctx context.Context, unitIDs []int64, from, to string) (own, subtree map[int64]model.UnitPlayTotal, err error) {
	own, subtree = map[int64]model.UnitPlayTotal{}, map[int64]model.UnitPlayTotal{}
	for len(unitIDs) > 0 {
		n := min(len(unitIDs), 500)
		args := make([]any, 0, n+2)
		for _, id := range unitIDs[:n] {
			args = append(args, id)
		}
		unitIDs = unitIDs[n:]
		args = append(args, from, to)
		for _, table := range []string{"play_day_totals", "play_below_days"} {
			rows, err := q.query(ctx, `SELECT unit_id, SUM(plays), SUM(seconds) FROM `+table+`
				WHERE unit_id IN (`+bcPlaceholders(n)+`) AND day >= ? AND day <= ? GROUP BY unit_id`, args...)
			if err != nil {
				return nil, nil, fmt.Errorf("sum plays of units' subtrees: %w", err)
			}
			for rows.Next() {
				var t model.UnitPlayTotal
				if err := rows.Scan(&t.UnitID, &t.Plays, &t.Seconds); err != nil {
					rows.Close()
					return nil, nil, fmt.Errorf("scan plays of units' subtrees: %w", err)
				}
				if table == "play_day_totals" {
					own[t.UnitID] = t
				}
				s := subtree[t.UnitID]
				s.UnitID, s.Plays, s.Seconds = t.UnitID, s.Plays+t.Plays, s.Seconds+t.Seconds
				subtree[t.UnitID] = s
			}
			if err := rows.Close(); err != nil {
				return nil, nil, fmt.Errorf("sum plays of units' subtrees: %w", err)
			}
		}
	}
	return own, subtree, nil
}
