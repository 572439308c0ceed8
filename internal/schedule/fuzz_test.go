package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fuzzInput turns fuzz bytes into a small, varied Build input.
type fuzzInput struct {
	data []byte
	pos  int
}

func (r *fuzzInput) byte() int {
	if r.pos >= len(r.data) {
		return 0
	}
	b := r.data[r.pos]
	r.pos++
	return int(b)
}

func (r *fuzzInput) word() int { return r.byte()<<8 | r.byte() }

func (r *fuzzInput) orders(devices []string) []Order {
	n := 1 + r.byte()%8
	first := NewDate(2021, 6, 1)
	orders := make([]Order, n)
	for i := range orders {
		o := Order{
			ID: fmt.Sprintf("o%d", i), ContentID: fmt.Sprintf("c%d", i%3),
			Duration:   time.Duration(1+r.word()%5400) * time.Second,
			Level:      Level(1 + r.byte()%5),
			Interrupts: r.byte()%2 == 1,
			UnitOrder:  r.byte() % 4,
			StartDate:  first.AddDays(r.byte() % 4),
		}
		o.EndDate = o.StartDate.AddDays(r.byte() % 4)
		mask := r.byte() % 8
		for j, d := range devices {
			if mask == 0 || mask&(1<<j) != 0 {
				o.Devices = append(o.Devices, d)
			}
		}
		for range 1 + r.byte()%3 {
			if r.byte()%4 == 0 {
				from := Clock(r.word() % 86000)
				o.Slots = append(o.Slots, SpreadSlot(1+r.byte()%12, from, from+Clock(1+r.word()%(int(EndOfDay-from)))))
			} else {
				o.Slots = append(o.Slots, FixedSlot(Clock((r.word()<<2|r.byte()%4)%int(EndOfDay))))
			}
		}
		if r.byte()%5 == 0 {
			o.Expires = first.In(ict).Add(time.Duration(r.word()%(8*24*60)) * time.Minute)
		}
		if r.byte()%4 == 0 {
			o.Weekdays = []time.Weekday{time.Weekday(r.byte() % 7), time.Weekday(r.byte() % 7)}
		}
		orders[i] = o
	}
	return orders
}

func FuzzBuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("seed: priority at six, emergency at 06:02"))
	f.Add([]byte{7, 0, 200, 4, 1, 0, 0, 2, 0, 2, 1, 0, 90, 0, 3, 0, 1, 1, 1, 3, 0, 1, 10, 200, 9, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{3, 1, 44, 5, 1, 2, 1, 1, 0, 0, 16, 0, 0, 255, 255, 1, 1, 9, 0, 0, 4, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzInput{data: data}
		devices := []string{"a", "b", "c"}
		orders := r.orders(devices)
		tolerances := []time.Duration{0, -1, time.Minute, 2 * time.Hour, 10 * time.Second}
		opt := Options{Tolerance: tolerances[r.byte()%len(tolerances)], OnInterrupt: InterruptPolicy(r.byte() % 3), Rest: RestPolicy(r.byte() % 2)}
		from := NewDate(2021, 6, 2).In(ict).Add(time.Duration(r.byte()%48) * time.Hour)
		to := from.Add(time.Duration(1+r.word()%(3*24*60)) * time.Minute)

		ps, err := Build(orders, devices, from, to, ict, opt)
		if err != nil {
			if !errors.Is(err, ErrInvalidOrder) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		tol := time.Duration(opt.tolerance())
		byID := map[string]*Order{}
		for i := range orders {
			byID[orders[i].ID] = &orders[i]
		}
		for _, p := range ps {
			checkPlaylist(t, p)
			for _, e := range p.Entries {
				o := byID[e.OrderID]
				d := e.End.Sub(e.Start)
				switch {
				case d > o.Duration:
					t.Fatalf("%s plays %s, longer than its %s", e.OrderID, d, o.Duration)
				case !e.Truncated && e.Note == "" && d != o.Duration:
					t.Fatalf("%s plays %s, not its %s, without being cut", e.OrderID, d, o.Duration)
				case !o.Expires.IsZero() && !e.Start.Before(o.Expires):
					t.Fatalf("%s starts at %s, at or after its expiry %s", e.OrderID, e.Start, o.Expires)
				case e.Level != o.Level || e.Interrupts != o.Interrupts:
					t.Fatalf("%s: entry level/interrupt differ from the order", e.OrderID)
				}
				resumed := strings.Contains(e.Note, "resumed") || strings.Contains(e.Note, "replayed")
				if !resumed && e.Level < LevelEmergency && e.Start.Sub(e.Requested) > tol {
					t.Fatalf("%s starts %s late, more than the %s tolerance", e.OrderID, e.Start.Sub(e.Requested), tol)
				}
			}
			for _, d := range p.Dropped {
				if d.Requested.Before(from) || !d.Requested.Before(to) || d.Level == LevelEmergency && d.Reason == DropLate {
					t.Fatalf("bad drop %+v", d)
				}
			}
		}
		again, err := Build(orders, devices, from, to, ict, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ps {
			if ps[i].ETag != again[i].ETag {
				t.Fatalf("device %s: ETag %s then %s", ps[i].DeviceID, ps[i].ETag, again[i].ETag)
			}
		}
		when := from.Add(time.Duration(r.word()) * time.Second)
		if !when.Before(to) {
			return
		}
		e := Order{ID: "now", ContentID: "alarm", Duration: time.Duration(1+r.word()%3600) * time.Second,
			Level: LevelLive + Level(r.byte()%2), Interrupts: r.byte()%2 == 0}
		q, err := Emergency(ps[0], e, when, opt)
		if err != nil {
			t.Fatalf("emergency at %s: %v", when, err)
		}
		checkPlaylist(t, q)
		found := false
		for _, x := range q.Entries {
			found = found || x.OrderID == "now"
		}
		if !found && e.Level == LevelEmergency && when.Add(MaxContentDuration).Before(to) {
			t.Fatalf("emergency missing from %+v", summarize(q.Entries))
		}
	})
}
