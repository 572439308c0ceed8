package schedule

import (
	"fmt"
	"testing"
	"time"
)

// communeOrders returns n orders of a commune with the given devices: every
// fifth is a provincial priority bulletin on all devices, a few are live or
// emergency, the commune's own normal and filler items target subsets.
func communeOrders(n int, devices []string, first Date, days int) []Order {
	levels := []Level{LevelNormal, LevelNormal, LevelFiller, LevelNormal, LevelPriority, LevelNormal, LevelFiller, LevelNormal, LevelPriority, LevelLive}
	orders := make([]Order, n)
	for i := range orders {
		o := Order{
			ID: fmt.Sprintf("order-%03d", i), ContentID: fmt.Sprintf("content-%03d.mp3", i),
			Duration:  time.Duration(60+(i*37)%540) * time.Second,
			StartDate: first, EndDate: first.AddDays(days - 1),
			Level: levels[i%len(levels)], Interrupts: i%10 == 9, UnitOrder: i % 7, Unit: "xa",
		}
		if i%17 == 16 {
			o.Level = LevelEmergency
		}
		switch i % 3 {
		case 0:
			o.Slots = []Slot{FixedSlot(ClockOf(5+i%3, (i*7)%60, 0)), FixedSlot(ClockOf(17, (i*11)%60, 0))}
		case 1:
			o.Slots = []Slot{SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(18, 0, 0))}
		default:
			o.Slots = []Slot{FixedSlot(ClockOf(6+i%12, 30, 0))}
			o.Weekdays = []time.Weekday{time.Monday, time.Wednesday, time.Friday, time.Saturday}
		}
		if o.Level >= LevelPriority {
			o.Devices = devices
		} else {
			for j, d := range devices {
				if (i+j)%3 != 0 {
					o.Devices = append(o.Devices, d)
				}
			}
		}
		orders[i] = o
	}
	return orders
}

func deviceIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("loa-%05d", i)
	}
	return ids
}

func benchBuild(b *testing.B, orders []Order, devices []string, days int) {
	first := NewDate(2021, 6, 7)
	from, to := first.In(ict), first.AddDays(days).In(ict)
	var entries int
	b.ReportAllocs()
	for b.Loop() {
		ps, err := Build(orders, devices, from, to, ict, Options{OnInterrupt: Resume})
		if err != nil {
			b.Fatal(err)
		}
		entries = 0
		for _, p := range ps {
			entries += len(p.Entries)
		}
	}
	b.ReportMetric(float64(entries), "entries/op")
}

func BenchmarkBuild(b *testing.B) {
	b.Run("commune_50orders_10devices_7days", func(b *testing.B) {
		devices := deviceIDs(10)
		benchBuild(b, communeOrders(50, devices, NewDate(2021, 6, 7), 7), devices, 7)
	})
	b.Run("province_10000devices_5orders_1day", func(b *testing.B) {
		// Three provincial orders on every device, two commune orders on
		// alternating halves: a handful of distinct schedules.
		devices := deviceIDs(10_000)
		orders := communeOrders(5, devices, NewDate(2021, 6, 7), 1)
		for i := range orders {
			orders[i].Devices = nil
			for j, d := range devices {
				if i < 3 || j%2 == i%2 {
					orders[i].Devices = append(orders[i].Devices, d)
				}
			}
		}
		benchBuild(b, orders, devices, 1)
	})
	b.Run("worst_10000devices_own_5orders_1day", func(b *testing.B) {
		// Every device has its own five orders: no two devices share a
		// schedule, so nothing is computed once for many.
		devices := deviceIDs(10_000)
		var orders []Order
		for _, d := range devices {
			own := communeOrders(5, []string{d}, NewDate(2021, 6, 7), 1)
			for i := range own {
				own[i].ID = d + "/" + own[i].ID
				own[i].Devices = []string{d}
			}
			orders = append(orders, own...)
		}
		benchBuild(b, orders, devices, 1)
	})
}

func BenchmarkEmergency(b *testing.B) {
	devices := deviceIDs(10)
	first := NewDate(2021, 6, 7)
	ps, err := Build(communeOrders(50, devices, first, 1), devices, first.In(ict), first.AddDays(1).In(ict), ict, Options{})
	if err != nil {
		b.Fatal(err)
	}
	e := Order{ID: "lu", ContentID: "canh-bao-lu.mp3", Duration: 3 * time.Minute, Level: LevelEmergency, Interrupts: true}
	when := first.In(ict).Add(6*time.Hour + 2*time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Emergency(ps[0], e, when, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
