package deviceclient

import (
	"fmt"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// pickAgent is an agent whose schedule (with a repeated id) and pushed
// items are set directly, on a manual clock at now.
func pickAgent(t testing.TB, now time.Time, items []protocol.Item, pushed ...protocol.Item) *Agent {
	t.Helper()
	a, err := NewAgent(AgentConfig{Server: "http://127.0.0.1:1", Player: NullPlayer{}, Clock: NewManualClock(now), SkipMedia: true,
		Identity: &Identity{DeviceID: 7, Credential: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	a.setScheduleLocked(&protocol.Schedule{DeviceID: 7, Items: items}, `"e"`)
	for i := range pushed {
		a.extra[pushed[i].ID] = &pushed[i]
	}
	a.mu.Unlock()
	return a
}

// TestPickAndPreempt: the player picks the most urgent due item, skips
// played ones and ones too late to start, names when the next item
// becomes due, and an interrupting emergency cuts a normal item while a
// non-interrupting one does not, nor a priority item that does not
// interrupt.
func TestPickAndPreempt(t *testing.T) {
	now := time.Date(2021, 6, 7, 7, 0, 0, 0, time.UTC)
	later := now.Add(10 * time.Minute)
	normal := protocol.Item{ID: "n1", Level: "normal", Start: now.Add(-time.Second), End: now.Add(time.Minute)}
	next := protocol.Item{ID: "n2", Level: "normal", Start: later, End: later.Add(time.Minute)}
	emerg := protocol.Item{ID: "e1", Level: "emergency", Interrupts: true, Start: now.Add(-2 * time.Second), End: now.Add(time.Minute)}
	quiet := protocol.Item{ID: "e2", Level: "emergency", Start: now.Add(-time.Second), End: now.Add(time.Minute)}

	tooLate := protocol.Item{ID: "n0", Level: "normal", Start: now.Add(-time.Hour), End: now.Add(-59 * time.Minute)}
	prio := protocol.Item{ID: "p1", Level: "priority", Start: now.Add(-time.Second), End: now.Add(time.Minute)}
	cut := protocol.Item{ID: "p2", Level: "priority", Interrupts: true, Start: later.Add(time.Minute), End: later.Add(2 * time.Minute)}
	a := pickAgent(t, now, []protocol.Item{next, normal, tooLate, normal})
	it, at := a.pick(now)
	if it == nil || it.ID != "n1" || !at.Equal(later) {
		t.Fatalf("pick = %v, %s; want n1 and the next item at %s", it, at, later)
	}
	if p, _ := a.preemptor(&normal, now); p != nil {
		t.Fatalf("nothing should cut n1, got %s", p.ID)
	}
	a = pickAgent(t, now, []protocol.Item{next, normal, prio, cut})
	if it, _ := a.pick(now); it == nil || it.ID != "p1" {
		t.Fatalf("pick = %v, want the priority item p1", it)
	}
	if p, at := a.preemptor(&normal, now); p != nil || !at.Equal(cut.Start) {
		t.Fatalf("preemptor of n1 = %v, %s; want none now and p2 at %s (p1 does not interrupt)", p, at, cut.Start)
	}
	if p, _ := a.preemptor(&normal, cut.Start); p == nil || p.ID != "p2" {
		t.Fatalf("preemptor of n1 when p2 starts = %v, want p2", p)
	}

	// Pushed, and also in the schedule: it cuts n1.
	a = pickAgent(t, now, []protocol.Item{normal, emerg, next}, emerg, quiet)
	if it, _ := a.pick(now); it == nil || it.ID != "e1" {
		t.Fatalf("pick = %v, want the emergency e1 (earlier start than e2)", it)
	}
	if p, _ := a.preemptor(&normal, now); p == nil || p.ID != "e1" {
		t.Fatalf("preemptor of n1 = %v, want e1 (e2 does not interrupt)", p)
	}

	// Played items are no candidates.
	a.mu.Lock()
	a.played["e1"] = now
	a.played["e2"] = now
	a.mu.Unlock()
	if it, _ := a.pick(now); it == nil || it.ID != "n1" {
		t.Fatalf("pick after the emergencies played = %v, want n1", it)
	}
	if p, _ := a.preemptor(&normal, now); p != nil {
		t.Fatalf("a played emergency cut n1 again")
	}
}

// BenchmarkPickBusyDay: what the player pays to look for the next item on
// a day of 200 scheduled items with an emergency pushed (every device
// does it when the emergency arrives).
func BenchmarkPickBusyDay(b *testing.B) {
	now := time.Date(2021, 6, 7, 7, 0, 0, 0, time.UTC)
	var items []protocol.Item
	for i := range 200 {
		s := now.Add(time.Duration(i-100) * 5 * time.Minute)
		items = append(items, protocol.Item{ID: fmt.Sprintf("o%d-%d", i, s.Unix()), Title: "Bản tin", Level: "normal", Start: s, End: s.Add(4 * time.Minute)})
	}
	emerg := protocol.Item{ID: "e1", Level: "emergency", Interrupts: true, Start: now, End: now.Add(time.Minute)}
	a := pickAgent(b, now, items, emerg)
	b.ReportAllocs()
	for b.Loop() {
		if it, _ := a.pick(now); it == nil || it.ID != "e1" {
			b.Fatal("the emergency was not picked")
		}
		if p, _ := a.preemptor(&items[100], now); p == nil {
			b.Fatal("the emergency does not cut")
		}
	}
}
