package deviceclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestPollHonoursRetryAfter: a schedule fetch answered 503 with
// Retry-After is sent again after that wait (not sooner), counted as busy
// and not as an error once it succeeds.
func TestPollHonoursRetryAfter(t *testing.T) {
	var calls atomic.Int64
	var first, second atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch n {
		case 1:
			first.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"overloaded","message":"busy"}}`, http.StatusServiceUnavailable)
			return
		case 2:
			second.Store(time.Now().UnixNano())
		}
		w.Header().Set("ETag", `"s1"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"device_id":7,"items":[]}`))
	}))
	defer srv.Close()
	a, err := NewAgent(AgentConfig{Server: srv.URL, Identity: &Identity{Server: srv.URL, DeviceID: 7, Credential: "loa_d_x"},
		Player: NullPlayer{}, HTTP: srv.Client(), SkipMedia: true, NoPush: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Enrol(ctx); err != nil { // takes the given identity
		t.Fatal(err)
	}
	if err := a.Poll(ctx); err != nil {
		t.Fatalf("poll after a busy answer: %v", err)
	}
	if calls.Load() != 2 || a.Stats.Busy.Load() != 1 || a.Stats.PollErrors.Load() != 0 || a.Stats.Polls.Load() != 1 {
		t.Fatalf("calls %d, busy %d, poll errors %d, polls %d; want 2, 1, 0, 1", calls.Load(), a.Stats.Busy.Load(), a.Stats.PollErrors.Load(), a.Stats.Polls.Load())
	}
	if wait := time.Duration(second.Load() - first.Load()); wait < time.Second || wait > 3*time.Second {
		t.Fatalf("retried after %s; Retry-After said 1 s (spread to at most 1.5 s)", wait)
	}
	if _, etag := a.Schedule(); etag != `"s1"` {
		t.Fatalf("schedule ETag %q after the retry", etag)
	}
}

func TestBusy(t *testing.T) {
	for _, c := range []struct {
		err  error
		wait time.Duration
		busy bool
	}{
		{&APIError{Status: 503, RetryAfter: 4 * time.Second}, 4 * time.Second, true},
		{&APIError{Status: 429}, 2 * time.Second, true},
		{errors.Join(errors.New("fetch"), &APIError{Status: 503}), 2 * time.Second, true},
		{&APIError{Status: 500, RetryAfter: time.Second}, 0, false},
		{errors.New("connection refused"), 0, false},
		{nil, 0, false},
	} {
		wait, busy := Busy(c.err, 2*time.Second)
		if wait != c.wait || busy != c.busy {
			t.Errorf("Busy(%v) = %s, %v; want %s, %v", c.err, wait, busy, c.wait, c.busy)
		}
	}
}
