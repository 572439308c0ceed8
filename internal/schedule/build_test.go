package schedule

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var seedDevices = []string{"vinh-hoa-loa-01", "vinh-hoa-loa-02", "vinh-hoa-loa-03"}

// seedOrders models letter 570/STTTT-TTBCBC of 4 June 2021: three content
// items at priority level twice a day from 05/6/2021 to 20/6/2021 on the
// commune's three loudspeaker clusters. The provincial unit orders them
// 3, 1, 2 (item 3, the vaccine-fund appeal, first). The commune adds its own
// morning news (normal) and background music (filler) at 06:00.
func seedOrders(t testing.TB) []Order {
	t.Helper()
	period := func(o Order) Order {
		o.StartDate, o.EndDate = mustDate(t, "05/6/2021"), mustDate(t, "20/6/2021")
		o.Slots = []Slot{FixedSlot(mustClock(t, "06:00")), FixedSlot(mustClock(t, "17:00"))}
		o.Devices = seedDevices
		o.Level = LevelPriority
		o.Unit = "STTTT-KG"
		return o
	}
	commune := func(o Order) Order {
		o.StartDate, o.EndDate = mustDate(t, "2021-06-01"), mustDate(t, "2021-06-30")
		o.Slots = []Slot{FixedSlot(mustClock(t, "06:00"))}
		o.Devices = seedDevices
		o.Unit = "UBND-VINH-HOA"
		return o
	}
	return []Order{
		period(Order{ID: "570-1", ContentID: "5k-vaccine.mp3", Duration: 3 * time.Minute, UnitOrder: 2}),
		period(Order{ID: "570-2", ContentID: "vaccine-priority.mp3", Duration: 4 * time.Minute, UnitOrder: 3}),
		period(Order{ID: "570-3", ContentID: "vaccine-fund.mp3", Duration: 150 * time.Second, UnitOrder: 1}),
		commune(Order{ID: "xa-ban-tin-sang", ContentID: "ban-tin-sang.mp3", Duration: 10 * time.Minute, Level: LevelNormal}),
		commune(Order{ID: "xa-nhac-nen", ContentID: "nhac-nen.mp3", Duration: 15 * time.Minute, Level: LevelFiller}),
	}
}

// flood is an emergency (flood warning) for one day at clock.
func flood(t testing.TB, id, date, clock string, dur time.Duration, interrupts bool) Order {
	return Order{
		ID: id, ContentID: "canh-bao-lu.mp3", Duration: dur, Devices: seedDevices,
		StartDate: mustDate(t, date), EndDate: mustDate(t, date),
		Slots: []Slot{FixedSlot(mustClock(t, clock))}, Level: LevelEmergency, Interrupts: interrupts, Unit: "BCH-PCTT",
	}
}

func buildDay(t *testing.T, orders []Order, date string, opt Options) []Playlist {
	t.Helper()
	d := mustDate(t, date)
	ps, err := Build(orders, seedDevices, d.In(ict), d.AddDays(1).In(ict), ict, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(seedDevices) {
		t.Fatalf("%d playlists, want %d", len(ps), len(seedDevices))
	}
	for i, p := range ps {
		if p.DeviceID != seedDevices[i] {
			t.Fatalf("playlist %d is for %s, want %s", i, p.DeviceID, seedDevices[i])
		}
		checkPlaylist(t, p)
	}
	return ps
}

var seedMorning = []got{
	{"570-3", "06-05 06:00:00", "06-05 06:02:30", false, ""},
	{"570-1", "06-05 06:02:30", "06-05 06:05:30", false, ""},
	{"570-2", "06-05 06:05:30", "06-05 06:09:30", false, ""},
	{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:19:30", false, ""},
	{"xa-nhac-nen", "06-05 06:19:30", "06-05 06:34:30", false, ""},
}

var seedEvening = []got{
	{"570-3", "06-05 17:00:00", "06-05 17:02:30", false, ""},
	{"570-1", "06-05 17:02:30", "06-05 17:05:30", false, ""},
	{"570-2", "06-05 17:05:30", "06-05 17:09:30", false, ""},
}

func TestSeedScenario(t *testing.T) {
	ps := buildDay(t, seedOrders(t), "2021-06-05", Options{})
	want := append(slices.Clone(seedMorning), seedEvening...)
	for _, p := range ps {
		equalEntries(t, p.DeviceID, p.Entries, want)
		if len(p.Dropped) != 0 {
			t.Errorf("%s: unexpected drops %+v", p.DeviceID, p.Dropped)
		}
		if e := p.Entries[4]; !e.Requested.Equal(at(t, "2021-06-05 06:00")) || e.Level != LevelFiller || e.ContentID != "nhac-nen.mp3" {
			t.Errorf("filler entry: %+v", e)
		}
	}
	// Same orders, same entries: the three devices share one schedule and
	// differ only in device id and ETag.
	if ps[0].ETag == ps[1].ETag {
		t.Errorf("devices %s and %s have the same ETag", ps[0].DeviceID, ps[1].DeviceID)
	}
}

func TestSeedEmergency(t *testing.T) {
	tests := []struct {
		name       string
		interrupts bool
		policy     InterruptPolicy
		want       []got
	}{
		{"interrupt truncates", true, Truncate, []got{
			{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu-0602"},
			{"lu-0602", "06-05 06:02:00", "06-05 06:04:00", false, ""},
			{"570-1", "06-05 06:04:00", "06-05 06:07:00", false, ""},
			{"570-2", "06-05 06:07:00", "06-05 06:11:00", false, ""},
			{"xa-ban-tin-sang", "06-05 06:11:00", "06-05 06:21:00", false, ""},
			{"xa-nhac-nen", "06-05 06:21:00", "06-05 06:36:00", false, ""},
		}},
		{"interrupt then resume", true, Resume, []got{
			{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu-0602"},
			{"lu-0602", "06-05 06:02:00", "06-05 06:04:00", false, ""},
			{"570-3", "06-05 06:04:00", "06-05 06:04:30", false, "resumed after cut by order lu-0602"},
			{"570-1", "06-05 06:04:30", "06-05 06:07:30", false, ""},
			{"570-2", "06-05 06:07:30", "06-05 06:11:30", false, ""},
			{"xa-ban-tin-sang", "06-05 06:11:30", "06-05 06:21:30", false, ""},
			{"xa-nhac-nen", "06-05 06:21:30", "06-05 06:36:30", false, ""},
		}},
		{"interrupt then replay", true, Replay, []got{
			{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu-0602"},
			{"lu-0602", "06-05 06:02:00", "06-05 06:04:00", false, ""},
			{"570-3", "06-05 06:04:00", "06-05 06:06:30", false, "replayed after cut by order lu-0602"},
			{"570-1", "06-05 06:06:30", "06-05 06:09:30", false, ""},
			{"570-2", "06-05 06:09:30", "06-05 06:13:30", false, ""},
			{"xa-ban-tin-sang", "06-05 06:13:30", "06-05 06:23:30", false, ""},
			{"xa-nhac-nen", "06-05 06:23:30", "06-05 06:38:30", false, ""},
		}},
		{"no interrupt waits for the current item", false, Truncate, []got{
			{"570-3", "06-05 06:00:00", "06-05 06:02:30", false, ""},
			{"lu-0602", "06-05 06:02:30", "06-05 06:04:30", false, ""},
			{"570-1", "06-05 06:04:30", "06-05 06:07:30", false, ""},
			{"570-2", "06-05 06:07:30", "06-05 06:11:30", false, ""},
			{"xa-ban-tin-sang", "06-05 06:11:30", "06-05 06:21:30", false, ""},
			{"xa-nhac-nen", "06-05 06:21:30", "06-05 06:36:30", false, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orders := append(seedOrders(t), flood(t, "lu-0602", "2021-06-05", "06:02", 2*time.Minute, tc.interrupts))
			ps := buildDay(t, orders, "2021-06-05", Options{OnInterrupt: tc.policy})
			for _, p := range ps {
				equalEntries(t, p.DeviceID, p.Entries, append(slices.Clone(tc.want), seedEvening...))
			}
			// The same emergency arriving live on the plain playlist gives the
			// same result.
			base := buildDay(t, seedOrders(t), "2021-06-05", Options{})
			for _, p := range base {
				q, err := Emergency(p, orders[len(orders)-1], at(t, "2021-06-05 06:02"), Options{OnInterrupt: tc.policy})
				if err != nil {
					t.Fatal(err)
				}
				checkPlaylist(t, q)
				equalEntries(t, "Emergency "+q.DeviceID, q.Entries, append(slices.Clone(tc.want), seedEvening...))
			}
		})
	}
}

func TestPeriodBoundaries(t *testing.T) {
	prio := []string{"570-3", "570-1", "570-2"}
	commune := []string{"xa-ban-tin-sang", "xa-nhac-nen"}
	tests := []struct {
		name    string
		date    string
		expires string // "" for none
		want    []string
		expired []string // orders dropped as expired
	}{
		{"day before the period", "2021-06-04", "", commune, nil},
		{"first day included", "2021-06-05", "", slices.Concat(prio, commune, prio), nil},
		{"last day included", "2021-06-20", "", slices.Concat(prio, commune, prio), nil},
		{"day after the period", "2021-06-21", "", commune, nil},
		{"expiry at noon keeps the morning", "2021-06-20", "2021-06-20 12:00", slices.Concat(prio, commune), nil},
		{"expiry at the slot excludes it", "2021-06-20", "2021-06-20 06:00", commune, nil},
		// Only the first item starts before the expiry; the two waiting
		// behind it may no longer start.
		{"expiry one second after the slot", "2021-06-20", "2021-06-20 06:00:01", slices.Concat(prio[:1], commune), prio[1:]},
		{"expiry just after the last start", "2021-06-20", "2021-06-20 06:05:31", slices.Concat(prio, commune), nil},
		{"expired the day before", "2021-06-19", "2021-06-18 23:59", commune, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orders := seedOrders(t)
			if tc.expires != "" {
				for i := range 3 {
					orders[i].Expires = at(t, tc.expires)
				}
			}
			ps := buildDay(t, orders, tc.date, Options{})
			var ids, expired []string
			for _, e := range ps[0].Entries {
				ids = append(ids, e.OrderID)
			}
			for _, d := range ps[0].Dropped {
				if d.Reason == DropExpired {
					expired = append(expired, d.OrderID)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("orders played %v, want %v", ids, tc.want)
			}
			if !slices.Equal(expired, tc.expired) || len(ps[0].Dropped) != len(tc.expired) {
				t.Errorf("drops %+v, want expired %v", ps[0].Dropped, tc.expired)
			}
		})
	}
}

// oneDevice builds a single-device schedule for 2021-06-07 (a Monday).
func oneDevice(t *testing.T, orders []Order, from, to string, opt Options) Playlist {
	t.Helper()
	for i := range orders {
		o := &orders[i]
		if o.Devices == nil {
			o.Devices = []string{"d1"}
		}
		if o.StartDate.IsZero() {
			o.StartDate, o.EndDate = mustDate(t, "2021-06-01"), mustDate(t, "2021-06-30")
		}
		if o.ContentID == "" {
			o.ContentID = o.ID + ".mp3"
		}
	}
	ps, err := Build(orders, []string{"d1"}, at(t, from), at(t, to), ict, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkPlaylist(t, ps[0])
	return ps[0]
}

func fixed(t testing.TB, clocks ...string) []Slot {
	var s []Slot
	for _, c := range clocks {
		s = append(s, FixedSlot(mustClock(t, c)))
	}
	return s
}

func TestSpreadSlots(t *testing.T) {
	tests := []struct {
		name string
		slot Slot
		want []string
	}{
		{"3 times between 06:00 and 18:00", SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(18, 0, 0)), []string{"06:00:00", "10:00:00", "14:00:00"}},
		{"once", SpreadSlot(1, ClockOf(9, 30, 0), ClockOf(11, 0, 0)), []string{"09:30:00"}},
		{"4 times in an hour", SpreadSlot(4, ClockOf(6, 0, 0), ClockOf(7, 0, 0)), []string{"06:00:00", "06:15:00", "06:30:00", "06:45:00"}},
		{"rounded down to the second", SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(6, 0, 10)), []string{"06:00:00", "06:00:03", "06:00:06"}},
		{"up to midnight", SpreadSlot(2, ClockOf(20, 0, 0), EndOfDay), []string{"20:00:00", "22:00:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := oneDevice(t, []Order{{ID: "s", Duration: time.Second, Level: LevelNormal, Slots: []Slot{tc.slot}}},
				"2021-06-07 00:00", "2021-06-08 00:00", Options{})
			var starts []string
			for _, e := range p.Entries {
				starts = append(starts, e.Start.Format("15:04:05"))
			}
			if !slices.Equal(starts, tc.want) {
				t.Errorf("starts %v, want %v", starts, tc.want)
			}
		})
	}
	// A spread and a fixed slot at the same time play once.
	p := oneDevice(t, []Order{{ID: "s", Duration: time.Second, Level: LevelNormal,
		Slots: []Slot{SpreadSlot(2, ClockOf(6, 0, 0), ClockOf(8, 0, 0)), FixedSlot(ClockOf(7, 0, 0))}}},
		"2021-06-07 00:00", "2021-06-08 00:00", Options{})
	if len(p.Entries) != 2 {
		t.Errorf("overlapping slots: %d entries, want 2: %v", len(p.Entries), summarize(p.Entries))
	}
}

func TestWeekdayFilter(t *testing.T) {
	o := Order{ID: "w", Duration: time.Minute, Level: LevelNormal, Slots: fixed(t, "19:00"),
		Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday}}
	p := oneDevice(t, []Order{o}, "2021-06-07 00:00", "2021-06-14 00:00", Options{})
	equalEntries(t, "mon-wed-fri", p.Entries, []got{
		{"w", "06-07 19:00:00", "06-07 19:01:00", false, ""},
		{"w", "06-09 19:00:00", "06-09 19:01:00", false, ""},
		{"w", "06-11 19:00:00", "06-11 19:01:00", false, ""},
	})
	o.Weekdays = []time.Weekday{time.Sunday}
	p = oneDevice(t, []Order{o}, "2021-06-07 00:00", "2021-06-14 00:00", Options{})
	equalEntries(t, "sunday", p.Entries, []got{{"w", "06-13 19:00:00", "06-13 19:01:00", false, ""}})
}

func TestClashes(t *testing.T) {
	normal := func(id, clock string, d time.Duration, key int) Order {
		return Order{ID: id, Duration: d, Level: LevelNormal, Slots: fixed(t, clock), UnitOrder: key}
	}
	with := func(o Order, l Level, interrupts bool) Order {
		o.Level, o.Interrupts = l, interrupts
		return o
	}
	tests := []struct {
		name   string
		orders []Order
		opt    Options
		want   []got
		drops  []string // "order reason"
	}{
		{"equal level and start: the unit's key decides", []Order{
			normal("a", "07:00", time.Minute, 2), normal("b", "07:00", time.Minute, 1),
		}, Options{}, []got{
			{"b", "06-07 07:00:00", "06-07 07:01:00", false, ""},
			{"a", "06-07 07:01:00", "06-07 07:02:00", false, ""},
		}, nil},
		{"equal level, start and key: the order id decides", []Order{
			normal("b", "07:00", time.Minute, 1), normal("a", "07:00", time.Minute, 1),
		}, Options{}, []got{
			{"a", "06-07 07:00:00", "06-07 07:01:00", false, ""},
			{"b", "06-07 07:01:00", "06-07 07:02:00", false, ""},
		}, nil},
		{"earlier start beats the key", []Order{
			normal("late-key1", "07:01", time.Minute, 1), normal("early-key9", "07:00", 5*time.Minute, 9),
		}, Options{}, []got{
			{"early-key9", "06-07 07:00:00", "06-07 07:05:00", false, ""},
			{"late-key1", "06-07 07:05:00", "06-07 07:06:00", false, ""},
		}, nil},
		{"lower item during a higher one moves after it", []Order{
			with(normal("p", "07:00", 10*time.Minute, 0), LevelPriority, false), normal("n", "07:05", time.Minute, 0),
		}, Options{}, []got{
			{"p", "06-07 07:00:00", "06-07 07:10:00", false, ""},
			{"n", "06-07 07:10:00", "06-07 07:11:00", false, ""},
		}, nil},
		{"higher item without interrupt waits for the current one", []Order{
			normal("n", "07:00", 10*time.Minute, 0), with(normal("p", "07:05", time.Minute, 0), LevelPriority, false),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:10:00", false, ""},
			{"p", "06-07 07:10:00", "06-07 07:11:00", false, ""},
		}, nil},
		{"higher item with interrupt cuts the current one", []Order{
			normal("n", "07:00", 10*time.Minute, 0), with(normal("p", "07:05", time.Minute, 0), LevelPriority, true),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:05:00", true, "cut by order p"},
			{"p", "06-07 07:05:00", "06-07 07:06:00", false, ""},
		}, nil},
		{"equal level never interrupts", []Order{
			normal("n1", "07:00", 10*time.Minute, 0), with(normal("n2", "07:05", time.Minute, 0), LevelNormal, true),
		}, Options{}, []got{
			{"n1", "06-07 07:00:00", "06-07 07:10:00", false, ""},
			{"n2", "06-07 07:10:00", "06-07 07:11:00", false, ""},
		}, nil},
		{"waiting higher item goes before waiting lower ones", []Order{
			normal("n1", "07:00", 10*time.Minute, 0), normal("n2", "07:01", time.Minute, 0),
			with(normal("p", "07:02", time.Minute, 0), LevelPriority, false),
			with(normal("e", "07:03", time.Minute, 0), LevelEmergency, false),
		}, Options{}, []got{
			{"n1", "06-07 07:00:00", "06-07 07:10:00", false, ""},
			{"e", "06-07 07:10:00", "06-07 07:11:00", false, ""},
			{"p", "06-07 07:11:00", "06-07 07:12:00", false, ""},
			{"n2", "06-07 07:12:00", "06-07 07:13:00", false, ""},
		}, nil},
		{"chain of interrupts: live cut by emergency, normal resumes last", []Order{
			normal("n", "07:00", 10*time.Minute, 0),
			with(normal("live", "07:02", 5*time.Minute, 0), LevelLive, true),
			with(normal("e", "07:04", time.Minute, 0), LevelEmergency, true),
		}, Options{OnInterrupt: Resume}, []got{
			{"n", "06-07 07:00:00", "06-07 07:02:00", true, "cut by order live"},
			{"live", "06-07 07:02:00", "06-07 07:04:00", true, "cut by order e"},
			{"e", "06-07 07:04:00", "06-07 07:05:00", false, ""},
			{"live", "06-07 07:05:00", "06-07 07:08:00", false, "resumed after cut by order e"},
			{"n", "06-07 07:08:00", "06-07 07:16:00", false, "resumed after cut by order live"},
		}, nil},
		{"normal items fill around priority ones", []Order{
			with(normal("p1", "06:00", 10*time.Minute, 0), LevelPriority, false),
			with(normal("p2", "06:20", 10*time.Minute, 0), LevelPriority, false),
			normal("n1", "06:05", 5*time.Minute, 0), normal("n2", "06:06", 5*time.Minute, 0), normal("n3", "06:07", 5*time.Minute, 0),
		}, Options{}, []got{
			{"p1", "06-07 06:00:00", "06-07 06:10:00", false, ""},
			{"n1", "06-07 06:10:00", "06-07 06:15:00", false, ""},
			{"n2", "06-07 06:15:00", "06-07 06:20:00", false, ""},
			{"p2", "06-07 06:20:00", "06-07 06:30:00", false, ""},
			{"n3", "06-07 06:30:00", "06-07 06:35:00", false, ""},
		}, nil},
		{"lower item pushed beyond the tolerance is dropped", []Order{
			with(normal("p", "07:00", time.Hour, 0), LevelPriority, false), normal("n", "07:10", time.Minute, 0),
		}, Options{}, []got{
			{"p", "06-07 07:00:00", "06-07 08:00:00", false, ""},
		}, []string{"n late"}},
		{"a wider tolerance keeps it", []Order{
			with(normal("p", "07:00", time.Hour, 0), LevelPriority, false), normal("n", "07:10", time.Minute, 0),
		}, Options{Tolerance: time.Hour}, []got{
			{"p", "06-07 07:00:00", "06-07 08:00:00", false, ""},
			{"n", "06-07 08:00:00", "06-07 08:01:00", false, ""},
		}, nil},
		{"negative tolerance never moves an item", []Order{
			normal("a", "07:00", time.Minute, 1), normal("b", "07:00", time.Minute, 2),
		}, Options{Tolerance: -1}, []got{
			{"a", "06-07 07:00:00", "06-07 07:01:00", false, ""},
		}, []string{"b late"}},
		{"emergency is never dropped for lateness", []Order{
			with(normal("long", "07:00", 4*time.Hour, 0), LevelLive, false),
			with(normal("e", "07:10", time.Minute, 0), LevelEmergency, false),
		}, Options{}, []got{
			{"long", "06-07 07:00:00", "06-07 11:00:00", false, ""},
			{"e", "06-07 11:00:00", "06-07 11:01:00", false, ""},
		}, nil},
		{"filler never delays anything", []Order{
			with(normal("f", "06:58", 10*time.Minute, 0), LevelFiller, false), normal("n", "07:00", 5*time.Minute, 0),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:05:00", false, ""},
			{"f", "06-07 07:05:00", "06-07 07:15:00", false, ""},
		}, nil},
		{"filler takes the first gap long enough", []Order{
			with(normal("f", "07:00", 5*time.Minute, 0), LevelFiller, false),
			normal("n1", "07:00", time.Minute, 0), normal("n2", "07:03", time.Minute, 0), normal("n3", "07:08", time.Minute, 0),
		}, Options{}, []got{
			{"n1", "06-07 07:00:00", "06-07 07:01:00", false, ""},
			{"n2", "06-07 07:03:00", "06-07 07:04:00", false, ""},
			{"n3", "06-07 07:08:00", "06-07 07:09:00", false, ""},
			{"f", "06-07 07:09:00", "06-07 07:14:00", false, ""},
		}, nil},
		{"filler without a gap in the tolerance is dropped", []Order{
			with(normal("f", "07:00", 5*time.Minute, 0), LevelFiller, false),
			normal("n", "07:01", time.Hour, 0),
		}, Options{}, []got{
			{"n", "06-07 07:01:00", "06-07 08:01:00", false, ""},
		}, []string{"f no-gap"}},
		{"expiry while waiting drops the item", []Order{
			normal("n", "07:00", 10*time.Minute, 0),
			func() Order {
				o := normal("x", "07:01", time.Minute, 0)
				o.Expires = at(t, "2021-06-07 07:05")
				return o
			}(),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:10:00", false, ""},
		}, []string{"x expired"}},
		{"expiry exactly when the channel frees drops the item", []Order{
			normal("n", "07:00", 10*time.Minute, 0),
			func() Order {
				o := normal("x", "07:01", time.Minute, 0)
				o.Expires = at(t, "2021-06-07 07:10")
				return o
			}(),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:10:00", false, ""},
		}, []string{"x expired"}},
		{"expiry a second later lets it start", []Order{
			normal("n", "07:00", 10*time.Minute, 0),
			func() Order {
				o := normal("x", "07:01", time.Minute, 0)
				o.Expires = at(t, "2021-06-07 07:10:01")
				return o
			}(),
		}, Options{}, []got{
			{"n", "06-07 07:00:00", "06-07 07:10:00", false, ""},
			{"x", "06-07 07:10:00", "06-07 07:11:00", false, ""},
		}, nil},
		{"filler fits a gap of exactly its length", []Order{
			with(normal("f", "07:00", 2*time.Minute, 0), LevelFiller, false),
			normal("n1", "07:00", time.Minute, 0), normal("n2", "07:03", time.Minute, 0),
		}, Options{}, []got{
			{"n1", "06-07 07:00:00", "06-07 07:01:00", false, ""},
			{"f", "06-07 07:01:00", "06-07 07:03:00", false, ""},
			{"n2", "06-07 07:03:00", "06-07 07:04:00", false, ""},
		}, nil},
		{"lateness exactly at the tolerance is kept", []Order{
			with(normal("p", "07:00", 30*time.Minute, 0), LevelPriority, false), normal("n", "07:00", time.Minute, 0),
		}, Options{}, []got{
			{"p", "06-07 07:00:00", "06-07 07:30:00", false, ""},
			{"n", "06-07 07:30:00", "06-07 07:31:00", false, ""},
		}, nil},
		{"resume after cut is subject to the tolerance from the cut", []Order{
			normal("n", "07:00", 10*time.Minute, 0),
			with(normal("p", "07:05", time.Hour, 0), LevelPriority, true),
		}, Options{OnInterrupt: Resume}, []got{
			{"n", "06-07 07:00:00", "06-07 07:05:00", true, "cut by order p"},
			{"p", "06-07 07:05:00", "06-07 08:05:00", false, ""},
		}, []string{"n late"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := oneDevice(t, tc.orders, "2021-06-07 00:00", "2021-06-08 00:00", tc.opt)
			equalEntries(t, tc.name, p.Entries, tc.want)
			var drops []string
			for _, d := range p.Dropped {
				drops = append(drops, d.OrderID+" "+string(d.Reason))
				if d.Detail == "" || d.DeviceID != "d1" {
					t.Errorf("drop without detail or device: %+v", d)
				}
			}
			if !slices.Equal(drops, tc.drops) {
				t.Errorf("drops %v, want %v (%+v)", drops, tc.drops, p.Dropped)
			}
		})
	}
}

func TestWindowBoundary(t *testing.T) {
	orders := []Order{
		{ID: "night", Duration: 20 * time.Minute, Level: LevelNormal, Slots: fixed(t, "23:50")},
		{ID: "early", Duration: 5 * time.Minute, Level: LevelNormal, Slots: fixed(t, "00:05")},
		{ID: "f", Duration: 5 * time.Minute, Level: LevelFiller, Slots: fixed(t, "23:58")},
	}
	day := oneDevice(t, slices.Clone(orders), "2021-06-08 00:00", "2021-06-09 00:00", Options{})
	// The 23:50 item of the day before still plays at midnight, so the
	// 00:05 item waits for it; it is not an entry of this window.
	equalEntries(t, "day", day.Entries, []got{
		{"early", "06-08 00:10:00", "06-08 00:15:00", false, ""},
		{"f", "06-08 00:15:00", "06-08 00:20:00", false, ""},
		{"night", "06-08 23:50:00", "06-09 00:10:00", false, ""},
	})
	// A three-day window agrees with the three single days.
	week := oneDevice(t, slices.Clone(orders), "2021-06-07 00:00", "2021-06-10 00:00", Options{})
	var joined []Entry
	for _, d := range []string{"2021-06-07", "2021-06-08", "2021-06-09"} {
		one := oneDevice(t, slices.Clone(orders), d+" 00:00", mustDate(t, d).AddDays(1).String()+" 00:00", Options{})
		joined = append(joined, one.Entries...)
		view, err := Day([]Playlist{week}, mustDate(t, d), ict)
		if err != nil {
			t.Fatal(err)
		}
		if view[0].ETag != one.ETag {
			t.Errorf("Day(%s) of the 3-day playlist has ETag %s, the 1-day build %s", d, view[0].ETag, one.ETag)
		}
		checkPlaylist(t, view[0])
	}
	equalEntries(t, "3 days vs 3 x 1 day", week.Entries, summarize(joined))
}

func TestDeterminismAndETag(t *testing.T) {
	d := mustDate(t, "2021-06-05")
	orders := append(seedOrders(t), flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true))
	ref, err := Build(orders, seedDevices, d.In(ict), d.AddDays(3).In(ict), ict, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Shuffled orders, reversed devices and duplicated targets give the
	// same playlists.
	shuffled := slices.Clone(orders)
	slices.Reverse(shuffled)
	shuffled[0], shuffled[3] = shuffled[3], shuffled[0]
	shuffled[1].Devices = append(slices.Clone(seedDevices), seedDevices[0], "not-built")
	devs := slices.Clone(seedDevices)
	slices.Reverse(devs)
	again, err := Build(shuffled, devs, d.In(ict), d.AddDays(3).In(ict), ict, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ref {
		q := again[len(again)-1-i]
		if p.DeviceID != q.DeviceID || p.ETag != q.ETag {
			t.Fatalf("device %s: ETag %s, after shuffling %s %s", p.DeviceID, p.ETag, q.DeviceID, q.ETag)
		}
		equalEntries(t, "shuffled", q.Entries, summarize(p.Entries))
	}
	// Golden value: the canonical encoding must not drift between versions,
	// or every device would download its playlist again.
	const golden = "912509019e1b9fdfa2c034ecb329c5d81824e267ce29e737f5679eacd01b6d33"
	if ref[0].ETag != golden {
		t.Errorf("ETag of %s is %s, want %s", ref[0].DeviceID, ref[0].ETag, golden)
	}
	// Any change changes the ETag.
	changes := map[string]func([]Order){
		"duration +1s":  func(o []Order) { o[0].Duration += time.Second },
		"content id":    func(o []Order) { o[1].ContentID = "other.mp3" },
		"no interrupt":  func(o []Order) { o[5].Interrupts = false },
		"unit key":      func(o []Order) { o[0].UnitOrder = 0 },
		"level":         func(o []Order) { o[3].Level = LevelPriority },
		"slot +1s":      func(o []Order) { o[4].Slots = fixed(t, "06:00:01") },
		"expiry":        func(o []Order) { o[2].Expires = at(t, "2021-06-06 12:00") },
		"one more item": func(o []Order) { o[3].Slots = fixed(t, "06:00", "20:00") },
	}
	for name, change := range changes {
		mod := slices.Clone(orders)
		for i := range mod {
			mod[i].Slots = slices.Clone(mod[i].Slots)
		}
		change(mod)
		ps, err := Build(mod, seedDevices, d.In(ict), d.AddDays(3).In(ict), ict, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ps[0].ETag == ref[0].ETag {
			t.Errorf("%s: ETag unchanged", name)
		}
	}
	// The ETag covers the window, and the device id.
	other, err := Build(orders, seedDevices, d.In(ict), d.AddDays(3).In(ict).Add(time.Second), ict, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if other[0].ETag == ref[0].ETag {
		t.Error("a different window kept the ETag")
	}
	q := ref[0]
	q.DeviceID = "x"
	if ComputeETag(q) == ref[0].ETag {
		t.Error("a different device kept the ETag")
	}
	// The zone of the values does not matter.
	q = ref[0]
	q.Entries = slices.Clone(q.Entries)
	for i := range q.Entries {
		q.Entries[i].Start = q.Entries[i].Start.UTC()
	}
	if ComputeETag(q) != ref[0].ETag {
		t.Error("ETag depends on the time zone of the values")
	}
}

func TestBuildWithTZDatabase(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("load Asia/Ho_Chi_Minh (embedded via time/tzdata in tzdata_test.go): %v", err)
	}
	d := mustDate(t, "2021-06-05")
	a, err := Build(seedOrders(t), seedDevices, d.In(loc), d.AddDays(1).In(loc), loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := buildDay(t, seedOrders(t), "2021-06-05", Options{})
	if a[0].ETag != b[0].ETag {
		t.Errorf("Asia/Ho_Chi_Minh and +07:00 differ: %s vs %s", a[0].ETag, b[0].ETag)
	}
	if got := a[0].Entries[0].Start.Format(time.RFC3339); got != "2021-06-05T06:00:00+07:00" {
		t.Errorf("first entry at %s", got)
	}
}

func TestBuildErrors(t *testing.T) {
	d := mustDate(t, "2021-06-05")
	from, to := d.In(ict), d.AddDays(1).In(ict)
	good := seedOrders(t)
	tests := []struct {
		name    string
		orders  []Order
		devices []string
		from    time.Time
		to      time.Time
		loc     *time.Location
		opt     Options
		is      error
		msg     string
	}{
		{"no location", good, seedDevices, from, to, nil, Options{}, ErrInvalidInput, "no time zone"},
		{"empty window", good, seedDevices, to, from, ict, Options{}, ErrInvalidInput, "is not before its end"},
		{"window too long", good, seedDevices, from, from.Add(MaxWindow + time.Second), ict, Options{}, ErrLimit, "longer than the"},
		{"window at the limit", good, seedDevices, from, from.Add(MaxWindow), ict, Options{}, nil, ""},
		{"too many orders", make([]Order, MaxOrders+1), seedDevices, from, to, ict, Options{}, ErrLimit, "orders, more than the"},
		{"too many devices", good, make([]string, MaxDevices+1), from, to, ict, Options{}, ErrLimit, "devices, more than the"},
		{"duplicate device", good, []string{"a", "b", "a"}, from, to, ict, Options{}, ErrInvalidInput, `devices[2]: device "a" is listed twice`},
		{"empty device", good, []string{"a", " "}, from, to, ict, Options{}, ErrInvalidInput, "devices[1]"},
		{"duplicate order id", append(slices.Clone(good), good[0]), seedDevices, from, to, ict, Options{}, ErrInvalidInput, `order id "570-1" is used twice`},
		{"invalid order", func() []Order { o := slices.Clone(good); o[2].Duration = 0; return o }(), seedDevices, from, to, ict, Options{}, ErrInvalidOrder, `orders[2]: broadcast order "570-3": duration`},
		{"tolerance too large", good, seedDevices, from, to, ict, Options{Tolerance: 25 * time.Hour}, ErrInvalidInput, "tolerance"},
		{"bad policy", good, seedDevices, from, to, ict, Options{OnInterrupt: 7}, ErrInvalidInput, "interrupt policy"},
		{"occurrence limit", good, seedDevices, from, to, ict, Options{MaxOccurrences: 20}, ErrLimit, "more than 20 device occurrences"},
		{"occurrence limit met exactly", good, seedDevices, from, to, ict, Options{MaxOccurrences: 3 * (2*3 + 2 + 2)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.orders, tc.devices, tc.from, tc.to, tc.loc, tc.opt)
			if tc.is == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.is) {
				t.Fatalf("error %v, want %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestLimitsBoundMemory(t *testing.T) {
	// The densest valid order (1,000 plays a day) over the longest window on
	// one device is accepted; the same on many devices hits the default
	// occurrence limit before anything is expanded.
	dense := Order{ID: "dense", ContentID: "beep", Duration: time.Second, Level: LevelNormal,
		Devices: []string{"d1"}, StartDate: mustDate(t, "2021-06-01"), EndDate: mustDate(t, "2021-12-31"),
		Slots: []Slot{SpreadSlot(MaxOccurrencesPerDay, 0, EndOfDay)}}
	from := at(t, "2021-06-01 00:00")
	ps, err := Build([]Order{dense}, []string{"d1"}, from, from.Add(MaxWindow), ict, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ps[0].Entries); n != 31*MaxOccurrencesPerDay {
		t.Errorf("%d entries, want %d", n, 31*MaxOccurrencesPerDay)
	}
	devices := make([]string, 100)
	for i := range devices {
		devices[i] = "d" + strings.Repeat("x", i)
	}
	dense.Devices = devices
	if _, err := Build([]Order{dense}, devices, from, from.Add(MaxWindow), ict, Options{}); !errors.Is(err, ErrLimit) {
		t.Errorf("100 devices × 31,000 occurrences: error %v, want ErrLimit", err)
	}
	dense.Slots = append(dense.Slots, FixedSlot(ClockOf(12, 0, 1)))
	if err := dense.Validate(); !errors.Is(err, ErrLimit) {
		t.Errorf("1,001 occurrences a day: error %v, want ErrLimit", err)
	}
}
