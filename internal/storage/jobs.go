package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// JobTable describes a durable job queue (an outbox table) to the one
// generic implementation of claim, lease, give-up, admin retry and queue
// metrics below; package jobs runs the workers over it. The domain tables
// keep their own columns: a queue's state is either a status column
// (pending values, a failed value) or a pair of done/failed timestamps.
type JobTable struct {
	Name     string // queue name in metrics (loa_queue_items{queue})
	Table    string
	Due      string // column: when the next attempt is due (or the lease ends)
	Attempts string // column: attempts made
	Error    string // column: last error
	Updated  string // column stamped on each change, or ""

	// Status style.
	Status        string   // status column, or "" for the timestamp style
	PendingStates []string // statuses of a row waiting or in flight
	RetryState    string   // status a failed row returns to on retry
	FailedState   string   // status of a row given up
	// Timestamp style.
	DoneAt, FailedAt string

	States []string // states always reported in metrics, also when empty

	// Filter narrows the rows Claim takes (see Where).
	Filter     string
	FilterArgs []any
}

// Where returns the table narrowed to the rows matching an extra SQL
// predicate, for a worker that serves only part of a queue (e.g. the
// messages of one channel). Only Claim applies it; the other queries
// address rows by id or count the whole queue.
func (t JobTable) Where(cond string, args ...any) JobTable {
	if t.Filter != "" {
		cond = t.Filter + " AND (" + cond + ")"
	} else {
		cond = "(" + cond + ")"
	}
	t.Filter, t.FilterArgs = cond, append(append([]any(nil), t.FilterArgs...), args...)
	return t
}

// The durable queues of Loa.
var (
	DeliveryQueue = JobTable{Name: "deliveries", Table: "deliveries", Due: "available_at", Attempts: "attempts", Error: "last_error", Updated: "updated_at",
		Status: "status", PendingStates: []string{"pending"}, RetryState: "pending", FailedState: "failed", States: []string{"pending", "delivered", "failed"}}
	NotifyQueue = JobTable{Name: "notifications", Table: "notify_outbox", Due: "next_attempt_at", Attempts: "attempts", Error: "last_error",
		DoneAt: "sent_at", FailedAt: "failed_at", States: []string{"pending", "sent", "failed"}}
	AutoScheduleQueue = JobTable{Name: "autoschedule", Table: "broadcast_autoschedule", Due: "next_attempt_at", Attempts: "attempts", Error: "last_error",
		DoneAt: "done_at", FailedAt: "failed_at", States: []string{"pending", "done", "failed"}}
	MessageQueue = JobTable{Name: "sms_messages", Table: "channel_messages", Due: "next_at", Attempts: "attempts", Error: "last_error", Updated: "updated_at",
		Status: "status", PendingStates: []string{"queued", "sending"}, RetryState: "queued", FailedState: "failed",
		States: []string{"queued", "sending", "sent", "delivered", "failed", "unknown"}}
)

var jobTables = map[string]JobTable{DeliveryQueue.Name: DeliveryQueue, NotifyQueue.Name: NotifyQueue,
	AutoScheduleQueue.Name: AutoScheduleQueue, MessageQueue.Name: MessageQueue}

// pending is the SQL predicate of a row waiting or in flight.
func (t JobTable) pending() string {
	if t.Status != "" {
		return t.Status + " IN ('" + strings.Join(t.PendingStates, "', '") + "')"
	}
	return t.DoneAt + " IS NULL AND " + t.FailedAt + " IS NULL"
}

// failed is the SQL predicate of a row given up.
func (t JobTable) failed() string {
	if t.Status != "" {
		return t.Status + " = '" + t.FailedState + "'"
	}
	return t.FailedAt + " IS NOT NULL"
}

// state is the SQL expression of a row's state in metrics.
func (t JobTable) state() string {
	if t.Status != "" {
		return t.Status
	}
	return "CASE WHEN " + t.DoneAt + " IS NOT NULL THEN '" + t.States[1] + "' WHEN " + t.FailedAt + " IS NOT NULL THEN 'failed' ELSE 'pending' END"
}

// set returns the SET fragment and arguments of an update stamping the
// row's updated column when it has one.
func (t JobTable) set(set string, at time.Time, args ...any) (string, []any) {
	if t.Updated != "" {
		set += ", " + t.Updated + " = ?"
		args = append(args, jobUTC(at))
	}
	return set, args
}

func jobUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// JobStore holds the generic queries of the durable job queues.
type JobStore struct{ Q }

// Jobs returns the job queue queries on q's pool or transaction.
func (q Q) Jobs() JobStore { return JobStore{q} }

// Claimed is a claimed row of a job table.
type Claimed struct {
	ID      int64
	Attempt int // this attempt's number, from 1
}

// Claim takes the next due row of the table: pending and due at at, or
// whose lease expired (a worker died). The row stays locked until the
// transaction ends (FOR UPDATE SKIP LOCKED on PostgreSQL, so workers and
// replicas skip it; the single writer on SQLite). Its attempts are counted
// and, when leaseUntil is set, it is leased until then: its due time moves
// there so that nobody takes it meanwhile, and again after it if the
// worker never records an outcome. It returns nil when nothing is due.
func (q JobStore) Claim(ctx context.Context, t JobTable, at, leaseUntil time.Time) (*Claimed, error) {
	where := t.pending()
	if t.Filter != "" {
		where = t.Filter + ` AND ` + where
	}
	query := `SELECT id, ` + t.Attempts + ` FROM ` + t.Table + ` WHERE ` + where + ` AND ` + t.Due + ` <= ? ORDER BY ` + t.Due + `, id LIMIT 1`
	if q.engine == Postgres {
		query += ` FOR UPDATE SKIP LOCKED`
	}
	var c Claimed
	err := q.row(ctx, query, append(append([]any(nil), t.FilterArgs...), jobUTC(at))...).Scan(&c.ID, &c.Attempt)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim a job of %s: %w", t.Name, err)
	}
	c.Attempt++
	set, args := t.Attempts+` = ?`, []any{c.Attempt}
	if !leaseUntil.IsZero() {
		set += `, ` + t.Due + ` = ?`
		args = append(args, jobUTC(leaseUntil))
	}
	if _, err := q.exec(ctx, `UPDATE `+t.Table+` SET `+set+` WHERE id = ?`, append(args, c.ID)...); err != nil {
		return nil, fmt.Errorf("lease job %d of %s: %w", c.ID, t.Name, err)
	}
	return &c, nil
}

// Fail records a failed attempt of a pending row: retried at next (back
// in the retry status for the status style), or given up (failed, with
// the error kept) when final.
func (q JobStore) Fail(ctx context.Context, t JobTable, id int64, attempt int, msg string, next time.Time, final bool, at time.Time) error {
	if len(msg) > 2000 {
		msg = strings.ToValidUTF8(msg[:2000], "")
	}
	set, args := t.Attempts+` = ?, `+t.Error+` = ?, `+t.Due+` = ?`, []any{attempt, msg, jobUTC(next)}
	switch {
	case final && t.Status != "":
		set += `, ` + t.Status + ` = '` + t.FailedState + `'`
	case t.Status != "":
		set += `, ` + t.Status + ` = '` + t.RetryState + `'`
	case final:
		set += `, ` + t.FailedAt + ` = ?`
		args = append(args, jobUTC(at))
	}
	set, args = t.set(set, at, args...)
	if _, err := q.exec(ctx, `UPDATE `+t.Table+` SET `+set+` WHERE id = ? AND `+t.pending(), append(args, id)...); err != nil {
		return fmt.Errorf("record failed job %d of %s: %w", id, t.Name, err)
	}
	return nil
}

// Retry puts a row that gave up back in the queue, due at at, with its
// attempts counted from zero again. It reports whether the row had given
// up.
func (q JobStore) Retry(ctx context.Context, t JobTable, id int64, at time.Time) (bool, error) {
	set, args := t.Attempts+` = 0, `+t.Due+` = ?`, []any{jobUTC(at)}
	if t.Status != "" {
		set += `, ` + t.Status + ` = '` + t.RetryState + `'`
	} else {
		set += `, ` + t.FailedAt + ` = NULL`
	}
	set, args = t.set(set, at, args...)
	res, err := q.exec(ctx, `UPDATE `+t.Table+` SET `+set+` WHERE id = ? AND `+t.failed(), append(args, id)...)
	if err != nil {
		return false, fmt.Errorf("retry job %d of %s: %w", id, t.Name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// QueueCounts counts the items of a durable queue by state.
func (q Q) QueueCounts(ctx context.Context, queue string) (map[string]int, error) {
	t, ok := jobTables[queue]
	if !ok {
		return nil, fmt.Errorf("unknown queue %q", queue)
	}
	rows, err := q.query(ctx, `SELECT `+t.state()+`, count(*) FROM `+t.Table+` GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("count queue %s: %w", queue, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for _, st := range t.States {
		out[st] = 0
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("count queue %s: %w", queue, err)
		}
		out[state] = n
	}
	return out, rows.Err()
}

// QueueOldestDue returns how long the oldest pending item of a durable
// queue has been due at now (0 when none is due).
func (q Q) QueueOldestDue(ctx context.Context, queue string, now time.Time) (time.Duration, error) {
	t, ok := jobTables[queue]
	if !ok {
		return 0, fmt.Errorf("unknown queue %q", queue)
	}
	var due time.Time
	err := q.row(ctx, `SELECT `+t.Due+` FROM `+t.Table+` WHERE `+t.pending()+` AND `+t.Due+` <= ? ORDER BY `+t.Due+` LIMIT 1`, jobUTC(now)).Scan(&due)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("oldest due item of queue %s: %w", queue, err)
	}
	return max(now.Sub(due), 0), nil
}
