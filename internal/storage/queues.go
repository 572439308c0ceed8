package storage

import (
	"context"
	"fmt"
)

// queueTable is a durable queue whose size is exported as a metric.
type queueTable struct {
	table  string
	state  string   // SQL expression of an item's state
	states []string // states always reported, also when empty
}

// queueTables are the durable queues (outboxes) of Loa.
var queueTables = map[string]queueTable{
	"sms_messages": {"channel_messages", "status", []string{"queued", "sending", "sent", "delivered", "failed", "unknown"}},
	"deliveries":   {"deliveries", "status", []string{"pending", "delivered", "failed"}},
	"autoschedule": {"broadcast_autoschedule", "CASE WHEN done_at IS NOT NULL THEN 'done' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END",
		[]string{"pending", "done", "failed"}},
	"notifications": {"notify_outbox", "CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END",
		[]string{"pending", "sent", "failed"}},
}

// QueueCounts counts the items of a durable queue by state.
func (q Q) QueueCounts(ctx context.Context, queue string) (map[string]int, error) {
	qt, ok := queueTables[queue]
	if !ok {
		return nil, fmt.Errorf("unknown queue %q", queue)
	}
	rows, err := q.query(ctx, `SELECT `+qt.state+`, count(*) FROM `+qt.table+` GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("count queue %s: %w", queue, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for _, st := range qt.states {
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
