package schedule

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// ict is Vietnam time; the package only needs a *time.Location.
var ict = time.FixedZone("ICT", 7*60*60)

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustClock(t testing.TB, s string) Clock {
	t.Helper()
	c, err := ParseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at parses "2006-01-02 15:04[:05]" in Vietnam time.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04:05"
	if strings.Count(s, ":") == 1 {
		layout = "2006-01-02 15:04"
	}
	v, err := time.ParseInLocation(layout, s, ict)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// got is an entry reduced to what the tables assert: order, start, end
// ("01-02 15:04:05"), and flags.
type got struct {
	Order string
	Start string
	End   string
	Trunc bool
	Note  string
}

const tableLayout = "01-02 15:04:05"

func summarize(es []Entry) []got {
	out := make([]got, len(es))
	for i, e := range es {
		out[i] = got{Order: e.OrderID, Start: e.Start.In(ict).Format(tableLayout), End: e.End.In(ict).Format(tableLayout), Trunc: e.Truncated, Note: e.Note}
	}
	return out
}

func equalEntries(t *testing.T, label string, es []Entry, want []got) {
	t.Helper()
	have := summarize(es)
	if len(have) != len(want) {
		t.Errorf("%s: %d entries, want %d\nhave:\n%s\nwant:\n%s", label, len(have), len(want), dump(have), dump(want))
		return
	}
	for i := range want {
		if have[i] != want[i] {
			t.Errorf("%s: entry %d\nhave %+v\nwant %+v\nall:\n%s", label, i, have[i], want[i], dump(have))
		}
	}
}

func dump(gs []got) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "  {%q, %q, %q, %v, %q},\n", g.Order, g.Start, g.End, g.Trunc, g.Note)
	}
	return b.String()
}

// checkPlaylist asserts the invariants every playlist must satisfy.
func checkPlaylist(t testing.TB, p Playlist) {
	t.Helper()
	for i, e := range p.Entries {
		if e.DeviceID != p.DeviceID {
			t.Fatalf("device %s entry %d belongs to %s", p.DeviceID, i, e.DeviceID)
		}
		if !e.Start.Before(e.End) {
			t.Fatalf("device %s entry %d (%s) is empty: %s–%s", p.DeviceID, i, e.OrderID, e.Start, e.End)
		}
		if e.Start.Before(p.From) || !e.Start.Before(p.To) {
			t.Fatalf("device %s entry %d (%s) starts at %s outside [%s, %s)", p.DeviceID, i, e.OrderID, e.Start, p.From, p.To)
		}
		if e.Start.Before(e.Requested) {
			t.Fatalf("device %s entry %d (%s) starts at %s before its requested %s", p.DeviceID, i, e.OrderID, e.Start, e.Requested)
		}
		if i > 0 && e.Start.Before(p.Entries[i-1].End) {
			t.Fatalf("device %s entries %d and %d overlap: %s ends %s, %s starts %s", p.DeviceID, i-1, i,
				p.Entries[i-1].OrderID, p.Entries[i-1].End, e.OrderID, e.Start)
		}
	}
	if p.ETag != ComputeETag(p) {
		t.Fatalf("device %s: ETag %s differs from ComputeETag %s", p.DeviceID, p.ETag, ComputeETag(p))
	}
}
