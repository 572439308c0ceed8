package deviceclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// dropFirst answers a schedule after closing the first n requests'
// connections without an answer (what a device sees when a server takes
// its connection late in a cold start).
func dropFirst(t *testing.T, n int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
			return
		}
		w.Header().Set("ETag", `"s1"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"device_id":7,"items":[]}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// TestPollRetriesDroppedConnection: a fetch whose connection is closed
// before any answer is asked again after about a second, counted as
// retried and not as an error once it succeeds.
func TestPollRetriesDroppedConnection(t *testing.T) {
	srv, calls := dropFirst(t, 1)
	a := newTestAgent(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Enrol(ctx); err != nil { // takes the given identity
		t.Fatal(err)
	}
	began := time.Now()
	if err := a.Poll(ctx); err != nil {
		t.Fatalf("poll after a dropped connection: %v", err)
	}
	if took := time.Since(began); took < time.Second || took > 5*time.Second {
		t.Errorf("answered after %s; the retry waits 1-1.5 s", took)
	}
	if calls.Load() != 2 || a.Stats.DropRetried.Load() != 1 || a.Stats.PollErrors.Load() != 0 || a.Stats.Polls.Load() != 1 {
		t.Fatalf("calls %d, retried %d, poll errors %d, polls %d; want 2, 1, 0, 1", calls.Load(), a.Stats.DropRetried.Load(), a.Stats.PollErrors.Load(), a.Stats.Polls.Load())
	}
	if _, etag := a.Schedule(); etag != `"s1"` {
		t.Fatalf("schedule ETag %q after the retry", etag)
	}
}

// TestPollGivesUpOnDroppedConnections: after three retries (1, 2 and 4 s
// on the device's clock) the poll counts as failed.
func TestPollGivesUpOnDroppedConnections(t *testing.T) {
	srv, calls := dropFirst(t, 100)
	clock := NewManualClock(time.Date(2021, 6, 7, 9, 0, 0, 0, time.UTC))
	a := newTestAgent(t, srv, clock)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Enrol(ctx); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Poll(ctx) }()
	for i := 0; ; i++ {
		select {
		case err := <-errc:
			if !Dropped(err) {
				t.Fatalf("poll error %v, want the dropped connection", err)
			}
			if calls.Load() != 4 || a.Stats.DropRetried.Load() != 3 || a.Stats.PollErrors.Load() != 1 {
				t.Fatalf("calls %d, retried %d, poll errors %d; want 4, 3, 1", calls.Load(), a.Stats.DropRetried.Load(), a.Stats.PollErrors.Load())
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
		if i > 1000 {
			t.Fatal("the poll did not end")
		}
		if clock.Waiters() > 0 {
			clock.Advance(6 * time.Second)
		}
	}
}

func TestDropped(t *testing.T) {
	// A real closed port: refused, not dropped.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := http.Get("http://" + addr + "/")
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("fetch schedule: %w", &net.OpError{Op: "read", Err: errors.New("x")}), false},
		{refused, false},
		{fmt.Errorf("fetch schedule: %w", errors.Join(errors.New("Get"), errors.ErrUnsupported)), false},
		{&APIError{Status: 503}, false},
		// The text of net/http's unexported errServerClosedIdle, as the
		// client wraps it.
		{fmt.Errorf("fetch schedule: %w", &url.Error{Op: "Get", URL: "http://x/s", Err: errors.New("http: server closed idle connection")}), true},
		{nil, false},
	} {
		if got := Dropped(c.err); got != c.want {
			t.Errorf("Dropped(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	srv, _ := dropFirst(t, 1)
	_, dropped := http.Get(srv.URL)
	if !Dropped(dropped) {
		t.Errorf("Dropped(%v) = false for a connection closed without an answer", dropped)
	}
}
