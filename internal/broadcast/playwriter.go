package broadcast

import (
	"context"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// maxPlayGroup bounds how many play events one transaction of the play
// writer stores (several devices' batches together).
const maxPlayGroup = 20000

// pgPlayWriters is how many play writers run on PostgreSQL, each storing
// its own groups in its own transaction (SQLite has one writer
// connection, so one play writer). Concurrent groups lock rows in one
// order (play rollups, devices sorted), and TxRetry runs again a group
// that lost a deadlock.
const pgPlayWriters = 4

// playSave is one device's validated batch, waiting for the writer.
type playSave struct {
	logs []model.PlayLog
	done chan playSaved
}

type playSaved struct {
	inserted int64
	err      error
}

// playWriter stores play logs with group commit: the batches of every
// device that uploads while a transaction runs go together into the next
// one, and into the same multi-row statements (each batch still learns how
// many of its events were new); the rollups and the devices' latest plays
// are updated once per group. On SQLite, with its single writer, the
// commit (writing the changed pages to the WAL) is most of the cost of a
// batch, and devices upload their plays concurrently.
func (s *Service) playWriter(ctx context.Context) {
	for {
		var group []playSave
		select {
		case <-ctx.Done():
			s.drainPlays()
			return
		case first := <-s.plays:
			group = append(group, first)
		}
		events := len(group[0].logs)
	more:
		for events < maxPlayGroup {
			select {
			case next := <-s.plays:
				group = append(group, next)
				events += len(next.logs)
			default:
				break more
			}
		}
		s.commitPlays(ctx, group)
	}
}

// commitPlays stores a group in one transaction; if that fails, each batch
// is retried alone so that one bad batch does not fail the others.
func (s *Service) commitPlays(ctx context.Context, group []playSave) {
	var counts []int64
	batches := make([][]model.PlayLog, len(group))
	for i, p := range group {
		batches[i] = p.logs
	}
	err := s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		var err error
		counts, err = tx.Broadcast().InsertPlayLogBatches(ctx, batches)
		return err
	})
	if err == nil || len(group) == 1 {
		for i, p := range group {
			p.done <- playSaved{inserted: counts[i], err: err}
		}
		return
	}
	for _, p := range group {
		var n int64
		err := s.store.TxRetry(ctx, func(tx *storage.Tx) error {
			var err error
			n, err = tx.Broadcast().InsertPlayLogs(ctx, p.logs)
			return err
		})
		p.done <- playSaved{inserted: n, err: err}
	}
}

func (s *Service) drainPlays() {
	for {
		select {
		case p := <-s.plays:
			p.done <- playSaved{err: errClosed}
		default:
			return
		}
	}
}

// savePlays hands a validated batch to the writer and waits until it is
// stored. A client that gives up waiting does not undo the save: its
// retry is answered as duplicates.
func (s *Service) savePlays(ctx context.Context, logs []model.PlayLog) (int64, error) {
	p := playSave{logs: logs, done: make(chan playSaved, 1)}
	select {
	case s.plays <- p:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-s.stopped:
		return 0, errClosed
	}
	select {
	case r := <-p.done:
		return r.inserted, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
