package storage

import (
	"context"
	"sync"
)

// writeGate orders the transactions waiting for SQLite's single writer
// connection: urgent ones (an emergency, a live broadcast) go before every
// ordinary one already waiting (play-log uploads, heartbeats, schedule
// saves), and the ordinary ones go in arrival order. Without it they wait
// in database/sql's pool for the one connection, which hands it to a
// waiter chosen at random: an emergency issued while hundreds of uploads
// wait could wait for any number of them.
type writeGate struct {
	mu      sync.Mutex
	busy    bool
	urgent  []chan struct{}
	waiting []chan struct{}
}

// acquire waits for the writer; urgent waiters are served first.
func (g *writeGate) acquire(ctx context.Context, urgent bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{}, 1)
	if urgent {
		g.urgent = append(g.urgent, ch)
	} else {
		g.waiting = append(g.waiting, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	removed := g.removeLocked(ch)
	g.mu.Unlock()
	if !removed {
		// Handed over while the context ended: pass it on.
		<-ch
		g.release()
	}
	return ctx.Err()
}

// removeLocked drops a waiter that gives up; false if it was already
// handed the writer.
func (g *writeGate) removeLocked(ch chan struct{}) bool {
	for _, q := range []*[]chan struct{}{&g.urgent, &g.waiting} {
		for i, c := range *q {
			if c == ch {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release hands the writer to the next waiter, urgent ones first.
func (g *writeGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.urgent) > 0:
		next = g.urgent[0]
		g.urgent[0] = nil
		g.urgent = g.urgent[1:]
	case len(g.waiting) > 0:
		next = g.waiting[0]
		g.waiting[0] = nil
		g.waiting = g.waiting[1:]
	default:
		g.busy = false
		return
	}
	next <- struct{}{}
}
