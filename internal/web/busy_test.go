package web

import (
	"strconv"
	"testing"
	"time"
)

func TestBusyRetryAfterSpreads(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		v := busyRetryAfter(10 * time.Second)
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 15 {
			t.Fatalf("Retry-After %q for a 10 s drain; want 10-15 s", v)
		}
		seen[v] = true
	}
	if len(seen) < 3 {
		t.Fatalf("Retry-After took %d values over 200 answers: not spread", len(seen))
	}
	if v := busyRetryAfter(time.Millisecond); v != "1" {
		t.Fatalf("Retry-After %q for a 1 ms drain; want 1", v)
	}
}

func TestRateLogOncePerSecond(t *testing.T) {
	var l rateLog
	t0 := time.Unix(1000, 0)
	if _, ok := l.due(t0); !ok {
		t.Fatal("first line held back")
	}
	for range 5 {
		if _, ok := l.due(t0.Add(300 * time.Millisecond)); ok {
			t.Fatal("second line within the same second let through")
		}
	}
	if n, ok := l.due(t0.Add(time.Second)); !ok || n != 5 {
		t.Fatalf("next second: ok %v, held %d; want true, 5", ok, n)
	}
}
