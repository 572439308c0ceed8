package deviceclient

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFirstFetchWaitsForTheServersCall: a device whose hello says
// fetch_after_ms does not fetch its schedule at once; it fetches when the
// server calls it with a schedule event (well before the hello's delay).
func TestFirstFetchWaitsForTheServersCall(t *testing.T) {
	var opened, called, fetched atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/events"):
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			opened.CompareAndSwap(0, time.Now().UnixNano())
			fmt.Fprint(w, "id: 1\nevent: hello\ndata: {\"type\":\"hello\",\"issued_at\":\"2026-01-01T00:00:00Z\",\"fetch_after_ms\":60000}\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			called.Store(time.Now().UnixNano())
			fmt.Fprint(w, "id: 2\nevent: schedule\ndata: {\"type\":\"schedule\",\"issued_at\":\"2026-01-01T00:00:00Z\"}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case strings.HasSuffix(r.URL.Path, "/schedule"):
			fetched.CompareAndSwap(0, time.Now().UnixNano())
			answerSchedule(w)
		default:
			answerOK(w)
		}
	}))
	defer srv.Close()
	a := newTestAgent(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for opened.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if opened.Load() == 0 {
		t.Fatal("the agent did not open its push channel within 5 s")
	}
	time.Sleep(500 * time.Millisecond)
	if fetched.Load() != 0 {
		t.Fatal("the agent fetched its schedule before the server called it (the hello said later)")
	}
	close(release)
	for fetched.Load() == 0 && time.Now().Before(deadline.Add(2*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	if fetched.Load() == 0 {
		t.Fatal("the agent did not fetch its schedule after the server's schedule event")
	}
	if got := a.Stats.FetchesDeferred.Load(); got != 1 {
		t.Fatalf("FetchesDeferred = %d, want 1", got)
	}
	if _, etag := a.Schedule(); etag != `"s1"` {
		t.Fatalf("schedule ETag %q", etag)
	}
	cancel()
	<-done
}

// TestFirstFetchWaitsForThePushChannel: a starting device whose push
// channel is still being opened (a cold start: the server takes
// thousands of connections as it can) does not fetch on its own after
// helloWait, where it would go around the server's admission; it
// fetches after pushOpenWait. A device whose push channel fails fetches
// at once.
func TestFirstFetchWaitsForThePushChannel(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
	}{{"push channel opening", false}, {"push channel refused", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var asked, fetched atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/events"):
					asked.Add(1)
					if tc.fail {
						http.Error(w, `{"error":"no"}`, http.StatusInternalServerError)
						return
					}
					<-r.Context().Done() // never answers: still opening
				case strings.HasSuffix(r.URL.Path, "/schedule"):
					fetched.Add(1)
					answerSchedule(w)
				default:
					answerOK(w)
				}
			}))
			defer srv.Close()
			clock := NewManualClock(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
			a := newTestAgent(t, srv, clock)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()
			defer func() { cancel(); <-done }()
			waitFor := func(what string, cond func() bool) {
				t.Helper()
				for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("waited 5 s for %s", what)
					}
				}
			}
			waitFor("the push channel request", func() bool { return asked.Load() > 0 })
			if tc.fail {
				waitFor("the fetch after the refused push channel", func() bool { return fetched.Load() > 0 })
				return
			}
			// The player and the maintenance loop wait on the clock.
			waitFor("the agent's timers", func() bool { return clock.Waiters() >= 2 })
			clock.Advance(2 * helloWait)
			time.Sleep(200 * time.Millisecond)
			if n := fetched.Load(); n != 0 {
				t.Fatalf("fetched %d times %s after the start, with the push channel still opening", n, 2*helloWait)
			}
			clock.Advance(pushOpenWait)
			waitFor("the fetch after pushOpenWait", func() bool { return fetched.Load() > 0 })
		})
	}
}

// answerSchedule answers a schedule fetch: an empty schedule, ETag "s1".
func answerSchedule(w http.ResponseWriter) {
	w.Header().Set("ETag", `"s1"`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"device_id":7,"items":[]}`))
}

// answerOK answers any other call of the agent (heartbeat, plays).
func answerOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{}`))
}

// newTestAgent is device 7's agent on srv, on clock (nil: the system's).
func newTestAgent(t *testing.T, srv *httptest.Server, clock *ManualClock) *Agent {
	t.Helper()
	cfg := AgentConfig{Server: srv.URL, Identity: &Identity{Server: srv.URL, DeviceID: 7, Credential: "loa_d_x"},
		Player: NullPlayer{}, HTTP: srv.Client(), SkipMedia: true}
	if clock != nil {
		cfg.Clock, cfg.Player = clock, NullPlayer{Clock: clock}
	}
	a, err := NewAgent(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
