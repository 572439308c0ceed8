package clock_test

import (
	"testing"
	"time"

	"github.com/loa-project/loa/internal/clock"
)

func TestClocks(t *testing.T) {
	at := time.Date(2021, 6, 4, 9, 40, 0, 0, time.UTC)
	if got := clock.Fixed(at).Now(); !got.Equal(at) {
		t.Errorf("Fixed: %v", got)
	}
	f := clock.NewFake(at)
	f.Advance(time.Hour)
	if got := f.Now(); !got.Equal(at.Add(time.Hour)) {
		t.Errorf("Fake after Advance: %v", got)
	}
	f.Set(at)
	if got := clock.Or(f).Now(); !got.Equal(at) {
		t.Errorf("Or(fake) after Set: %v", got)
	}
	if _, ok := clock.Or(nil).(clock.Real); !ok {
		t.Error("Or(nil) is not the real clock")
	}
	if d := time.Since(clock.Real{}.Now()); d < 0 || d > time.Minute {
		t.Errorf("Real is %v off", d)
	}
}
