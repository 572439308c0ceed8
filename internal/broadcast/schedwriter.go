package broadcast

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// maxScheduleBatch bounds how many device schedules one transaction saves
// (an emergency issued meanwhile waits for at most one such batch).
const maxScheduleBatch = maxConcurrentBuilds

// maxUrgentYield bounds how long the writer holds a batch back for
// emergency transactions.
const maxUrgentYield = 2 * time.Second

// errClosed is returned to callers waiting on a stopped writer.
var errClosed = errors.New("broadcast: service is shutting down")

// scheduleSave is one device schedule waiting to be stored.
type scheduleSave struct {
	deviceID, version int64
	day, etag, body   string
	items             []model.ScheduleItem
	done              chan error
}

// scheduleWriter stores rebuilt device schedules with group commit: saves
// that arrive while a transaction runs go together into the next one.
// When thousands of devices fetch their first schedule at once (a cold
// start, or the refetch after an emergency), this turns thousands of
// write transactions queued behind SQLite's single writer into a few
// dozen, without delaying a lone save.
func (s Scheduler) scheduleWriter(ctx context.Context) {
	for {
		var batch []scheduleSave
		select {
		case <-ctx.Done():
			s.drainSaves()
			return
		case first := <-s.saves:
			batch = append(batch, first)
		}
	more:
		for len(batch) < maxScheduleBatch {
			select {
			case next := <-s.saves:
				batch = append(batch, next)
			default:
				break more
			}
		}
		s.yieldToUrgent(ctx)
		s.commitSaves(ctx, batch)
	}
}

// yieldToUrgent waits (at most maxUrgentYield) while an emergency or live
// order is being stored: its transaction goes before the next batch of
// schedule saves on SQLite's single writer, so that its push is not
// delayed by a cold start's rebuilds.
func (s Scheduler) yieldToUrgent(ctx context.Context) {
	if s.urgent.Load() == 0 {
		return
	}
	deadline := time.Now().Add(maxUrgentYield)
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for s.urgent.Load() > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// commitSaves stores a batch in one transaction; if that fails, each save
// is retried alone so that one bad save does not fail the others.
func (s Scheduler) commitSaves(ctx context.Context, batch []scheduleSave) {
	save := func(tx *storage.Tx, r scheduleSave) error {
		return tx.Broadcast().SaveDeviceSchedule(ctx, r.deviceID, r.version, r.day, r.etag, r.body, r.items)
	}
	// Rows are written in device order (the lock order of every
	// transaction on devices), and a lost race is retried.
	slices.SortStableFunc(batch, func(a, b scheduleSave) int { return cmp.Compare(a.deviceID, b.deviceID) })
	err := s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		for _, r := range batch {
			if err := save(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	for _, r := range batch {
		r.done <- s.store.TxRetry(ctx, func(tx *storage.Tx) error { return save(tx, r) })
	}
}

// drainSaves answers the saves still queued when the writer stops.
func (s Scheduler) drainSaves() {
	for {
		select {
		case r := <-s.saves:
			r.done <- errClosed
		default:
			return
		}
	}
}

// saveSchedule queues a device schedule for the writer and waits until it
// is stored.
func (s Scheduler) saveSchedule(ctx context.Context, r scheduleSave) error {
	r.done = make(chan error, 1)
	select {
	case s.saves <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stopped:
		return errClosed
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		// The save may still complete; the next fetch rebuilds if not.
		return ctx.Err()
	}
}
