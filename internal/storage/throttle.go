package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/loa-project/loa/internal/model"
)

// ThrottleCounter returns a bucket's counter; found is false when the
// bucket has none.
func (q AccountStore) ThrottleCounter(ctx context.Context, bucket string) (c ThrottleCounter, found bool, err error) {
	err = q.row(ctx, `SELECT failures, seq, last_failure_at, blocked_until FROM login_throttle WHERE bucket = ?`, bucket).
		Scan(&c.Failures, &c.Seq, &c.LastFailure, &c.BlockedUntil)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ThrottleCounter{}, false, nil
		}
		return ThrottleCounter{}, false, fmt.Errorf("read throttle counter: %w", err)
	}
	return c, true, nil
}

// PutThrottleCounter stores c as the bucket's counter if the bucket still
// has the counter numbered oldSeq (0: if it has none). ok is false when
// another attempt changed the counter first.
func (q AccountStore) PutThrottleCounter(ctx context.Context, bucket string, oldSeq int64, c ThrottleCounter) (ok bool, err error) {
	last, until := c.LastFailure.UTC(), c.BlockedUntil.UTC()
	if oldSeq == 0 {
		res, err := q.exec(ctx, `INSERT INTO login_throttle (bucket, failures, seq, last_failure_at, blocked_until) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (bucket) DO NOTHING`, bucket, c.Failures, c.Seq, last, until)
		if err != nil {
			return false, fmt.Errorf("insert throttle counter: %w", err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	res, err := q.exec(ctx, `UPDATE login_throttle SET failures = ?, seq = ?, last_failure_at = ?, blocked_until = ? WHERE bucket = ? AND seq = ?`,
		c.Failures, c.Seq, last, until, bucket, oldSeq)
	if err != nil {
		return false, fmt.Errorf("update throttle counter: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteThrottleCounter forgets a bucket's counter (after a success).
func (q AccountStore) DeleteThrottleCounter(ctx context.Context, bucket string) error {
	if _, err := q.exec(ctx, `DELETE FROM login_throttle WHERE bucket = ?`, bucket); err != nil {
		return fmt.Errorf("delete throttle counter: %w", err)
	}
	return nil
}

// Types and constants of this aggregate live in internal/model.
type ThrottleCounter = model.ThrottleCounter
