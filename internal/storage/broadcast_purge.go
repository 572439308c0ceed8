package storage

import (
	"context"
	"fmt"
	"time"
)

// PurgeScheduleItems forgets materialised schedule items that ended before
// a time. They only serve to check that a device reporting a play had the
// item, so they are kept long enough for a device offline for weeks to
// replay its log.
func (q BroadcastStore) PurgeScheduleItems(ctx context.Context, endedBefore time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM device_schedule_items WHERE end_at < ?`, endedBefore.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge schedule items: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
