package schedule

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func seedPlaylist(t *testing.T) Playlist {
	t.Helper()
	return buildDay(t, seedOrders(t), "2021-06-05", Options{})[0]
}

func TestEmergencyHelper(t *testing.T) {
	tests := []struct {
		name  string
		at    string
		order Order
		opt   Options
		want  []got // morning entries; the evening block (seedEvening) never changes
		drops []string
	}{
		{"keep: overlapped entry has no gap within the tolerance",
			"06:02", flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true), Options{Rest: Keep},
			[]got{
				{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu"},
				{"lu", "06-05 06:02:00", "06-05 06:04:00", false, ""},
				{"570-2", "06-05 06:05:30", "06-05 06:09:30", false, ""},
				{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:19:30", false, ""},
				{"xa-nhac-nen", "06-05 06:19:30", "06-05 06:34:30", false, ""},
			}, []string{"570-1 no-gap"}},
		{"keep: wider tolerance moves it to the next gap",
			"06:02", flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true), Options{Rest: Keep, Tolerance: time.Hour},
			[]got{
				{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu"},
				{"lu", "06-05 06:02:00", "06-05 06:04:00", false, ""},
				{"570-2", "06-05 06:05:30", "06-05 06:09:30", false, ""},
				{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:19:30", false, ""},
				{"xa-nhac-nen", "06-05 06:19:30", "06-05 06:34:30", false, ""},
				{"570-1", "06-05 06:34:30", "06-05 06:37:30", false, ""},
			}, nil},
		{"keep with resume: the rest fits the gap after the emergency",
			"06:02", flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true), Options{Rest: Keep, OnInterrupt: Resume},
			[]got{
				{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu"},
				{"lu", "06-05 06:02:00", "06-05 06:04:00", false, ""},
				{"570-3", "06-05 06:04:00", "06-05 06:04:30", false, "resumed after cut by order lu"},
				{"570-2", "06-05 06:05:30", "06-05 06:09:30", false, ""},
				{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:19:30", false, ""},
				{"xa-nhac-nen", "06-05 06:19:30", "06-05 06:34:30", false, ""},
			}, []string{"570-1 no-gap"}},
		{"keep without interrupt: starts after the current item",
			"06:02", flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, false), Options{Rest: Keep, Tolerance: time.Hour},
			[]got{
				{"570-3", "06-05 06:00:00", "06-05 06:02:30", false, ""},
				{"lu", "06-05 06:02:30", "06-05 06:04:30", false, ""},
				{"570-2", "06-05 06:05:30", "06-05 06:09:30", false, ""},
				{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:19:30", false, ""},
				{"xa-nhac-nen", "06-05 06:19:30", "06-05 06:34:30", false, ""},
				{"570-1", "06-05 06:34:30", "06-05 06:37:30", false, ""},
			}, nil},
		{"idle channel: played at once, nothing moves",
			"12:00", flood(t, "lu", "2021-06-05", "12:00", 2*time.Minute, true), Options{},
			append(slices.Clone(seedMorning), got{"lu", "06-05 12:00:00", "06-05 12:02:00", false, ""}), nil},

		{"arriving exactly as an entry ends: nothing is cut",
			"06:02:30", flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true), Options{},
			[]got{
				{"570-3", "06-05 06:00:00", "06-05 06:02:30", false, ""},
				{"lu", "06-05 06:02:30", "06-05 06:04:30", false, ""},
				{"570-1", "06-05 06:04:30", "06-05 06:07:30", false, ""},
				{"570-2", "06-05 06:07:30", "06-05 06:11:30", false, ""},
				{"xa-ban-tin-sang", "06-05 06:11:30", "06-05 06:21:30", false, ""},
				{"xa-nhac-nen", "06-05 06:21:30", "06-05 06:36:30", false, ""},
			}, nil},
		{"shift: filler moves with the block",
			"06:15", flood(t, "lu", "2021-06-05", "06:15", 5*time.Minute, true), Options{},
			[]got{
				seedMorning[0], seedMorning[1], seedMorning[2],
				{"xa-ban-tin-sang", "06-05 06:09:30", "06-05 06:15:00", true, "cut by order lu"},
				{"lu", "06-05 06:15:00", "06-05 06:20:00", false, ""},
				{"xa-nhac-nen", "06-05 06:20:00", "06-05 06:35:00", false, ""},
			}, nil},
		{"live order waiting beyond the tolerance is dropped",
			"06:01", func() Order {
				o := flood(t, "tiep-song", "2021-06-05", "06:01", time.Minute, false)
				o.Level = LevelLive
				return o
			}(), Options{Tolerance: time.Minute},
			slices.Clone(seedMorning), []string{"tiep-song late"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := seedPlaylist(t)
			q, err := Emergency(p, tc.order, at(t, "2021-06-05 "+tc.at), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkPlaylist(t, q)
			// Insert the unchanged evening block in time order.
			want := slices.Clone(tc.want)
			evening := at(t, "2021-06-05 17:00").Format(tableLayout)
			i := 0
			for i < len(want) && want[i].Start < evening {
				i++
			}
			want = slices.Insert(want, i, seedEvening...)
			equalEntries(t, tc.name, q.Entries, want)
			var drops []string
			for _, d := range q.Dropped {
				drops = append(drops, d.OrderID+" "+string(d.Reason))
			}
			if !slices.Equal(drops, tc.drops) {
				t.Errorf("drops %v, want %v", drops, tc.drops)
			}
			same := slices.Equal(summarize(q.Entries), summarize(p.Entries))
			if (q.ETag == p.ETag) != same {
				t.Errorf("entries unchanged: %v, ETag unchanged: %v", same, q.ETag == p.ETag)
			}
			// The input playlist is not modified.
			equalEntries(t, "input", p.Entries, append(slices.Clone(seedMorning), seedEvening...))
		})
	}
}

func TestEmergencyTwice(t *testing.T) {
	p := seedPlaylist(t)
	q, err := Emergency(p, flood(t, "lu-1", "2021-06-05", "06:02", 2*time.Minute, true), at(t, "2021-06-05 06:02"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A second emergency does not cut the first: equal levels wait.
	r, err := Emergency(q, flood(t, "lu-2", "2021-06-05", "06:03", time.Minute, true), at(t, "2021-06-05 06:03"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlaylist(t, r)
	equalEntries(t, "twice", r.Entries[:5], []got{
		{"570-3", "06-05 06:00:00", "06-05 06:02:00", true, "cut by order lu-1"},
		{"lu-1", "06-05 06:02:00", "06-05 06:04:00", false, ""},
		{"lu-2", "06-05 06:04:00", "06-05 06:05:00", false, ""},
		{"570-1", "06-05 06:05:00", "06-05 06:08:00", false, ""},
		{"570-2", "06-05 06:08:00", "06-05 06:12:00", false, ""},
	})
}

func TestEmergencyPastTheWindow(t *testing.T) {
	p := oneDevice(t, []Order{{ID: "late-news", Duration: time.Minute, Level: LevelNormal, Slots: fixed(t, "23:59")}},
		"2021-06-07 00:00", "2021-06-08 00:00", Options{})
	e := Order{ID: "chay", ContentID: "bao-chay.mp3", Duration: 2 * time.Minute, Level: LevelEmergency, Interrupts: true}
	q, err := Emergency(p, e, at(t, "2021-06-07 23:58:30"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkPlaylist(t, q)
	equalEntries(t, "end of day", q.Entries, []got{{"chay", "06-07 23:58:30", "06-08 00:00:30", false, ""}})
	if len(q.Dropped) != 1 || q.Dropped[0].Reason != DropOutsideWindow || q.Dropped[0].OrderID != "late-news" {
		t.Errorf("drops %+v", q.Dropped)
	}
}

func TestEmergencyErrors(t *testing.T) {
	p := seedPlaylist(t)
	e := flood(t, "lu", "2021-06-05", "06:02", 2*time.Minute, true)
	overlapping := p
	overlapping.Entries = slices.Clone(p.Entries)
	overlapping.Entries[1].Start = overlapping.Entries[0].Start.Add(time.Second)
	foreign := p
	foreign.Entries = slices.Clone(p.Entries)
	foreign.Entries[2].DeviceID = "other"
	tests := []struct {
		name  string
		p     Playlist
		order func(Order) Order
		at    string
		opt   Options
		is    error
		msg   string
	}{
		{"normal level", p, func(o Order) Order { o.Level = LevelNormal; return o }, "06:02", Options{}, ErrInvalidInput, "only emergency or live orders"},
		{"zero duration", p, func(o Order) Order { o.Duration = 0; return o }, "06:02", Options{}, ErrInvalidOrder, "duration"},
		{"before the window", p, func(o Order) Order { return o }, "2021-06-04 23:59", Options{}, ErrInvalidInput, "outside the playlist window"},
		{"at the end of the window", p, func(o Order) Order { return o }, "2021-06-06 00:00", Options{}, ErrInvalidInput, "outside the playlist window"},
		{"expired", p, func(o Order) Order { o.Expires = at(t, "2021-06-05 06:00"); return o }, "06:02", Options{}, ErrInvalidInput, "expired"},
		{"overlapping entries", overlapping, func(o Order) Order { return o }, "06:02", Options{}, ErrInvalidInput, "before the previous entry ends"},
		{"entry of another device", foreign, func(o Order) Order { return o }, "06:02", Options{}, ErrInvalidInput, `belongs to device "other"`},
		{"bad rest policy", p, func(o Order) Order { return o }, "06:02", Options{Rest: 9}, ErrInvalidInput, "rest policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			when := tc.at
			if !strings.Contains(when, "-") {
				when = "2021-06-05 " + when
			}
			_, err := Emergency(tc.p, tc.order(e), at(t, when), tc.opt)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.is, tc.msg)
			}
		})
	}
}

func TestDay(t *testing.T) {
	orders := append(seedOrders(t), Order{ID: "big", ContentID: "x", Duration: 2 * time.Hour, Level: LevelPriority,
		Devices: seedDevices, StartDate: mustDate(t, "2021-06-06"), EndDate: mustDate(t, "2021-06-06"), Slots: fixed(t, "05:00")})
	d := mustDate(t, "2021-06-05")
	ps, err := Build(orders, seedDevices, d.In(ict), d.AddDays(3).In(ict), ict, Options{})
	if err != nil {
		t.Fatal(err)
	}
	views, err := Day(ps, mustDate(t, "2021-06-06"), ict)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 3 || views[2].DeviceID != seedDevices[2] {
		t.Fatalf("views: %+v", views)
	}
	v := views[0]
	checkPlaylist(t, v)
	if !v.From.Equal(at(t, "2021-06-06 00:00")) || !v.To.Equal(at(t, "2021-06-07 00:00")) {
		t.Errorf("window %s–%s", v.From, v.To)
	}
	// The two-hour priority item at 05:00 pushes the morning block past the
	// 30-minute tolerance: it is dropped that day and only that day.
	equalEntries(t, "06-06", v.Entries, []got{
		{"big", "06-06 05:00:00", "06-06 07:00:00", false, ""},
		{"570-3", "06-06 17:00:00", "06-06 17:02:30", false, ""},
		{"570-1", "06-06 17:02:30", "06-06 17:05:30", false, ""},
		{"570-2", "06-06 17:05:30", "06-06 17:09:30", false, ""},
	})
	if len(v.Dropped) != 5 {
		t.Errorf("%d drops on 06-06, want 5: %+v", len(v.Dropped), v.Dropped)
	}
	if len(ps[0].Dropped) != 5 {
		t.Errorf("%d drops in the 3-day playlist, want 5", len(ps[0].Dropped))
	}
	empty, err := Day(ps, mustDate(t, "2021-07-01"), ict)
	if err != nil || len(empty[0].Entries) != 0 || empty[0].Entries == nil {
		t.Errorf("day outside the playlists: %+v, %v", empty, err)
	}
	if _, err := Day(ps, d, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("nil location: %v", err)
	}
	if _, err := Day(ps, NewDate(2021, 2, 30), ict); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("invalid date: %v", err)
	}
}
