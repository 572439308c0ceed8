package storage

import (
	"context"
	"testing"
	"time"
)

// TestWriteGateOrder: a transaction waiting for SQLite's writer gets it
// in arrival order, an urgent one before every ordinary one waiting; a
// waiter whose context ends leaves the queue without taking a turn.
func TestWriteGateOrder(t *testing.T) {
	g := &writeGate{}
	ctx := context.Background()
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 8)
	waiters := 0
	wait := func(name string, urgent bool) {
		waiters++
		go func() {
			if err := g.acquire(ctx, urgent); err != nil {
				got <- "error " + err.Error()
				return
			}
			got <- name
			g.release()
		}()
		// Queued before the next one.
		deadline := time.Now().Add(5 * time.Second)
		for {
			g.mu.Lock()
			n := len(g.urgent) + len(g.waiting)
			g.mu.Unlock()
			if n == waiters {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not queue", name)
			}
			time.Sleep(time.Millisecond)
		}
	}
	wait("upload 1", false)
	wait("upload 2", false)
	// Gives up while waiting.
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- g.acquire(cctx, false) }()
	waiters++
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		g.mu.Lock()
		n := len(g.waiting)
		g.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the third waiter did not queue")
		}
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("a waiter whose context ended got the writer")
	}
	waiters--
	wait("emergency", true)
	wait("upload 3", false)
	g.release()
	var order []string
	for range 4 {
		select {
		case s := <-got:
			order = append(order, s)
		case <-time.After(5 * time.Second):
			t.Fatalf("writer handed to %v only", order)
		}
	}
	want := []string{"emergency", "upload 1", "upload 2", "upload 3"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("writer handed in the order %v, want %v", order, want)
		}
	}
	g.mu.Lock()
	busy := g.busy
	g.mu.Unlock()
	if busy {
		t.Fatal("the writer is still marked busy after the last release")
	}
}
