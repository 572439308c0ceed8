package deviceclient

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// DefaultBatch is how many play events one upload carries.
const DefaultBatch = 500

// MaxQueued bounds the events kept while the server is unreachable (about
// a month of a busy device); the oldest are dropped beyond it.
const MaxQueued = 100_000

// Queue holds play events until the server confirmed them. With a path
// it is persistent: events are appended to a JSON-lines file (synced),
// so that plays survive a power cut and are sent after an outage; the file
// is rewritten when confirmed events are removed. Without a path it lives
// in memory (simulated devices).
type Queue struct {
	mu     sync.Mutex
	path   string
	events []protocol.PlayEvent
	f      *os.File
}

// OpenQueue loads (creating) the queue stored at path; "" means in memory.
// Damaged lines (a write cut short by a power failure) are skipped.
func OpenQueue(path string) (*Queue, error) {
	q := &Queue{path: path}
	if path == "" {
		return q, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("play queue: %w", err)
	}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var ev protocol.PlayEvent
			if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.EventID != "" {
				q.events = append(q.events, ev)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("play queue %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("play queue: %w", err)
	}
	if err := q.rewrite(); err != nil {
		return nil, err
	}
	return q, nil
}

// Add appends an event (and syncs it to disk).
func (q *Queue) Add(ev protocol.PlayEvent) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.events = append(q.events, ev)
	if len(q.events) > MaxQueued {
		q.events = q.events[len(q.events)-MaxQueued:]
		return q.rewrite()
	}
	if q.f == nil {
		return nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("play queue: %w", err)
	}
	if _, err := q.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("play queue: append: %w", err)
	}
	if err := q.f.Sync(); err != nil {
		return fmt.Errorf("play queue: sync: %w", err)
	}
	return nil
}

// Len returns the number of unconfirmed events.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.events)
}

// Peek returns up to n of the oldest events.
func (q *Queue) Peek(n int) []protocol.PlayEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.events))
	return append([]protocol.PlayEvent(nil), q.events[:n]...)
}

// Remove drops the events with these ids.
func (q *Queue) Remove(ids map[string]bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	kept := q.events[:0]
	for _, ev := range q.events {
		if !ids[ev.EventID] {
			kept = append(kept, ev)
		}
	}
	clear(q.events[len(kept):])
	q.events = kept
	return q.rewrite()
}

// rewrite replaces the file with the current events (atomically).
func (q *Queue) rewrite() error {
	if q.path == "" {
		return nil
	}
	if q.f != nil {
		q.f.Close()
		q.f = nil
	}
	tmp := q.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("play queue: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, ev := range q.events {
		b, err := json.Marshal(ev)
		if err != nil {
			f.Close()
			return fmt.Errorf("play queue: %w", err)
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("play queue: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("play queue: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("play queue: %w", err)
	}
	if err := os.Rename(tmp, q.path); err != nil {
		return fmt.Errorf("play queue: %w", err)
	}
	af, err := os.OpenFile(q.path, os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("play queue: %w", err)
	}
	q.f = af
	return nil
}

// Close closes the queue file.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.f != nil {
		err := q.f.Close()
		q.f = nil
		return err
	}
	return nil
}

// FlushResult says what one Flush did.
type FlushResult struct {
	Sent       int // events confirmed by the server (new or duplicate)
	Accepted   int // of which new to the server
	Duplicates int // already stored (a replay after a lost answer)
	Rejected   []protocol.Rejection
}

// Flush uploads the queued events in batches until the queue is empty or
// an upload fails. Confirmed events leave the queue; events the server
// refuses (an item it never gave this device …) are dropped and reported
// in Rejected, and the rest of their batch is sent again. A network or
// server error stops the flush: the events stay queued for the next try.
func (q *Queue) Flush(ctx context.Context, c *Client, batch int) (FlushResult, error) {
	var res FlushResult
	if batch <= 0 || batch > protocol.MaxPlayEvents {
		batch = DefaultBatch
	}
	for ctx.Err() == nil {
		events := q.Peek(batch)
		if len(events) == 0 {
			return res, nil
		}
		r, err := c.UploadPlays(ctx, events)
		if err != nil {
			var ae *APIError
			if errors.As(err, &ae) && len(ae.Rejected) > 0 {
				drop := map[string]bool{}
				for _, rj := range ae.Rejected {
					if rj.Index >= 0 && rj.Index < len(events) {
						drop[events[rj.Index].EventID] = true
					}
				}
				res.Rejected = append(res.Rejected, ae.Rejected...)
				if err := q.Remove(drop); err != nil {
					return res, err
				}
				continue
			}
			if IsPermanent(err) && !IsUnauthorized(err) {
				// The batch as a whole is unacceptable (malformed): drop it
				// rather than block every later event behind it.
				drop := map[string]bool{}
				for _, ev := range events {
					drop[ev.EventID] = true
					res.Rejected = append(res.Rejected, protocol.Rejection{EventID: ev.EventID, Reason: err.Error()})
				}
				if err := q.Remove(drop); err != nil {
					return res, err
				}
				continue
			}
			return res, err
		}
		done := make(map[string]bool, len(events))
		for _, ev := range events {
			done[ev.EventID] = true
		}
		res.Sent += len(events)
		res.Accepted += r.Accepted
		res.Duplicates += r.Duplicates
		if err := q.Remove(done); err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}
