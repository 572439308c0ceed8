package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// evOrder is a test order with the instants it is scheduled at, written
// out by the test itself, and the devices it targets.
type evOrder struct {
	o       *storage.BroadcastOrder
	slots   []time.Time
	devices map[int64]bool
}

// TestDashboardsMatchRawEvents builds a province with districts, communes
// and commune radio stations, devices enrolled at different times,
// orders targeting a subtree, a unit, one device, some weekdays only and
// one made after its first days, then plays reported on time, late,
// twice, failed or not at all (missed, silent slots), and contacts with
// gaps. The coverage on the overview (every row, at three levels), the
// directive's planned/played/late/missed per item and per place, and the
// commune's week (scheduled, played, silent, late, uptime per day and per
// device) all equal a count made here from the raw events.
func TestDashboardsMatchRawEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		zone := i18n.Zone()
		now := time.Date(2021, 6, 10, 12, 0, 0, 0, zone)
		svc := stats.New(st, authz.Default(), stats.Config{Clock: clock.Fixed(now), Loc: zone, OnlineWindow: 90 * time.Second})
		units := map[string]*model.Unit{}
		var devs []*storage.Device
		devUnit := map[int64]string{}
		var orders []*evOrder
		at := func(day, h, m int) time.Time { return time.Date(2021, 6, day, h, m, 0, 0, zone) }
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			mk := func(code, parent string) {
				u := &model.Unit{Code: "ev-" + code, Name: "Đơn vị " + code, Kind: "other"}
				if parent != "" {
					u.ParentID = &units[parent].ID
				}
				if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
					t.Fatal(err)
				}
				units[code] = u
			}
			mk("P", "")
			for _, d := range []string{"D1", "D2"} {
				mk(d, "P")
				for _, c := range []string{"C1", "C2"} {
					mk(d+c, d)
					mk(d+c+"S", d+c)
				}
			}
			enrolled := []time.Time{at(1, 0, 0), at(1, 0, 0), at(6, 9, 30), at(1, 0, 0), at(4, 18, 0), at(1, 0, 0), at(1, 0, 0)}
			for i, code := range []string{"D1C1", "D1C1S", "D1C1S", "D1C2", "D2C1S", "D2C2", "D2C2S"} {
				d := &storage.Device{UnitID: units[code].ID, Name: fmt.Sprint("Cụm loa ", i+1), Kind: "loudspeaker", CredentialPrefix: "loa_d_x", EnrolledAt: enrolled[i]}
				if err := tx.Devices().InsertDevice(ctx, d, fmt.Sprintf("ev-h-%d", i)); err != nil {
					t.Fatal(err)
				}
				devs = append(devs, d)
				devUnit[d.ID] = code
			}
			m := &storage.Media{UnitID: units["P"].ID, Title: "m", Source: "upload", SHA256: "ev", Size: 1, DurationMS: 90000, OriginalSHA256: "ev", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				t.Fatal(err)
			}
			clocks := func(cs ...string) schedule.Slots {
				var out schedule.Slots
				for _, c := range cs {
					v, err := schedule.ParseClock(c)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, schedule.FixedSlot(v))
				}
				return out
			}
			mkOrder := func(title, owner string, from, to int, slots schedule.Slots, weekdays string, made time.Time, directive int64, item int, targets []storage.OrderTarget, times [][2]int, days func(int) bool, devices func(*storage.Device) bool) {
				o := &storage.BroadcastOrder{UnitID: units[owner].ID, Title: title, MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, from),
					EndDate: schedule.NewDate(2021, 6, to), Slots: slots, Weekdays: weekdays, Source: "local", MadeAt: made, SourceDirectiveID: directive, SourceItem: item, Targets: targets}
				if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
					t.Fatal(err)
				}
				eo := &evOrder{o: o, devices: map[int64]bool{}}
				for day := from; day <= to; day++ {
					if !days(day) {
						continue
					}
					for _, hm := range times {
						eo.slots = append(eo.slots, at(day, hm[0], hm[1]))
					}
				}
				for _, d := range devs {
					if devices(d) {
						eo.devices[d.ID] = true
					}
				}
				orders = append(orders, eo)
			}
			all := func(int) bool { return true }
			under := func(code string) func(*storage.Device) bool {
				return func(d *storage.Device) bool { return strings.HasPrefix(devUnit[d.ID], code) }
			}
			// The province's directive item: every device, twice a day.
			mkOrder("Tuyên truyền phòng chống bão", "P", 1, 12, clocks("06:00", "17:00"), "", at(1, 0, 0), 777, 1,
				[]storage.OrderTarget{{Kind: storage.TargetSubtree, ID: units["P"].ID}}, [][2]int{{6, 0}, {17, 0}}, all, under(""))
			// The district's implementation of it: D1's devices, Mon/Wed/Fri
			// (June 2021: the 7th is a Monday).
			spread := schedule.Slots{schedule.SpreadSlot(3, schedule.ClockOf(6, 0, 0), schedule.ClockOf(18, 0, 0))}
			mkOrder("Lịch tiêm chủng", "D1", 3, 11, spread, "1 3 5", at(1, 0, 0), 778, 1,
				[]storage.OrderTarget{{Kind: storage.TargetSubtree, ID: units["D1"].ID}}, [][2]int{{6, 0}, {10, 0}, {14, 0}},
				func(d int) bool {
					wd := time.Date(2021, 6, d, 0, 0, 0, 0, zone).Weekday()
					return wd == 1 || wd == 3 || wd == 5
				}, under("D1"))
			// A commune's own bulletin on its own devices (not the station's).
			mkOrder("Thông báo của xã", "D1C1", 5, 12, clocks("12:00"), "", at(1, 0, 0), 0, 0,
				[]storage.OrderTarget{{Kind: storage.TargetUnit, ID: units["D1C1"].ID}}, [][2]int{{12, 0}}, all,
				func(d *storage.Device) bool { return devUnit[d.ID] == "D1C1" })
			// One device, made on the 6th at 10:00: earlier slots never expected.
			mkOrder("Bản tin riêng", "D2", 1, 10, clocks("06:00", "19:00"), "", at(6, 10, 0), 0, 0,
				[]storage.OrderTarget{{Kind: storage.TargetDevice, ID: devs[6].ID}}, [][2]int{{6, 0}, {19, 0}}, all,
				func(d *storage.Device) bool { return d.ID == devs[6].ID })
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		due := now.Add(-stats.DueAfter)
		expected := func(eo *evOrder, d *storage.Device, s time.Time) bool {
			return eo.devices[d.ID] && !s.Before(d.EnrolledAt) && !s.Before(eo.o.MadeAt)
		}
		// Play reports: on time, late, missing, failed, duplicated.
		rng := rand.New(rand.NewPCG(3, 4))
		var logs []storage.PlayLog
		n := 0
		for _, eo := range orders {
			for _, d := range devs {
				for _, s := range eo.slots {
					if !expected(eo, d, s) || !s.Before(now) {
						continue
					}
					n++
					item := fmt.Sprintf("o%d-%d", eo.o.ID, s.Unix())
					start := s.Add(time.Duration(rng.IntN(60)) * time.Second)
					switch r := rng.IntN(10); {
					case r < 2: // missed: nothing, or a failed attempt
						if r == 1 {
							logs = append(logs, storage.PlayLog{DeviceID: d.ID, EventID: fmt.Sprint("f", n), ItemID: item, OrderID: eo.o.ID, Status: storage.PlayFailed, StartedAt: start, EndedAt: start, ReceivedAt: now})
						}
						continue
					case r < 4: // late
						start = s.Add(time.Duration(6+rng.IntN(20)) * time.Minute)
					}
					l := storage.PlayLog{DeviceID: d.ID, EventID: fmt.Sprint("e", n), ItemID: item, OrderID: eo.o.ID, Status: storage.PlayCompleted,
						StartedAt: start.UTC(), EndedAt: start.Add(90 * time.Second).UTC(), ReceivedAt: now}
					logs = append(logs, l)
					if rng.IntN(6) == 0 { // the same report twice
						logs = append(logs, l)
					}
				}
			}
		}
		for len(logs) > 0 {
			k := min(len(logs), 1+rng.IntN(60))
			if err := st.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.Broadcast().InsertPlayLogs(ctx, logs[:k]); return err }); err != nil {
				t.Fatal(err)
			}
			logs = logs[k:]
		}
		// Contacts: every device reports on the 8th to the 10th every 50 s
		// to 4 min, from 23:00 the day before to 01:00 and from 05:00 to
		// 20:00 (until now on the 10th).
		contacts := map[int64][]time.Time{}
		for _, d := range devs[:5] {
			for day := 8; day <= 10; day++ {
				for _, span := range [][2]time.Time{{at(day-1, 23, 0), at(day, 1, 0)}, {at(day, 5, 0), at(day, 20, 0)}} {
					for c := span[0]; c.Before(span[1]) && c.Before(now); c = c.Add(time.Duration(50+rng.IntN(190)) * time.Second) {
						contacts[d.ID] = append(contacts[d.ID], c)
					}
				}
			}
		}
		for i := 0; ; i++ {
			var batch []storage.DeviceSeen
			for _, d := range devs {
				if i < len(contacts[d.ID]) {
					batch = append(batch, storage.DeviceSeen{DeviceID: d.ID, SeenAt: contacts[d.ID][i]})
				}
			}
			if len(batch) == 0 {
				break
			}
			if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Devices().TouchDevices(ctx, batch) }); err != nil {
				t.Fatal(err)
			}
		}

		// The raw events, read back.
		raw, err := st.Broadcast().PlayLogs(ctx, storage.PlayLogFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		type pk struct{ o, d int64 }
		type rawPlay struct {
			day  schedule.Date
			late bool
		}
		plays := map[pk][]rawPlay{}
		for _, l := range raw {
			if l.Status != storage.PlayCompleted {
				continue
			}
			var oid, sec int64
			if _, err := fmt.Sscanf(l.ItemID, "o%d-%d", &oid, &sec); err != nil {
				t.Fatal(err)
			}
			plays[pk{l.OrderID, l.DeviceID}] = append(plays[pk{l.OrderID, l.DeviceID}], rawPlay{schedule.DateOf(l.StartedAt.In(zone)), l.StartedAt.Sub(time.Unix(sec, 0)) > storage.LateAfter})
		}
		dayOf := func(t time.Time) schedule.Date { return schedule.DateOf(t.In(zone)) }
		inDays := func(d, from, to schedule.Date) bool { return d.Compare(from) >= 0 && d.Compare(to) <= 0 }

		// Coverage on the overview, at three levels, every row.
		p, err := svc.PeriodOf("custom", "2021-06-03", "2021-06-10")
		if err != nil {
			t.Fatal(err)
		}
		coverage := func(path string) (targeted, covered int64) {
			for _, eo := range orders {
				if eo.o.EndDate.Compare(p.From) < 0 || eo.o.StartDate.Compare(p.To) > 0 {
					continue
				}
				for _, d := range devs {
					if !strings.HasPrefix(units[devUnit[d.ID]].Path, path) {
						continue
					}
					var required int64
					for _, s := range eo.slots {
						if expected(eo, d, s) && !s.After(due) && dayOf(s).Compare(p.To) <= 0 {
							required++
						}
					}
					if required == 0 {
						continue
					}
					targeted++
					if int64(len(plays[pk{eo.o.ID, d.ID}])) >= required {
						covered++
					}
				}
			}
			return
		}
		var anyCovered, anyUncovered bool
		for _, top := range []string{"P", "D1", "D1C1"} {
			ov, err := svc.Overview(ctx, model.System("test"), units[top].ID, p)
			if err != nil {
				t.Fatal(err)
			}
			tg, cv := coverage(units[top].Path)
			if ov.Total.Targeted != tg || ov.Total.Covered != cv || tg == 0 {
				t.Errorf("%s coverage: %d of %d, raw events give %d of %d", top, ov.Total.Covered, ov.Total.Targeted, cv, tg)
			}
			anyCovered, anyUncovered = anyCovered || cv > 0, anyUncovered || cv < tg
			for _, r := range ov.Rows {
				var path string
				for _, u := range units {
					if u.ID == r.UnitID {
						path = u.Path
					}
				}
				tg, cv := coverage(path)
				if r.Targeted != tg || r.Covered != cv {
					t.Errorf("%s row %s coverage: %d of %d, raw events give %d of %d", top, r.UnitName, r.Covered, r.Targeted, cv, tg)
				}
			}
			var itemsT int64
			for _, it := range ov.Items {
				itemsT += it.Targeted
			}
			if itemsT != tg {
				t.Errorf("%s: the items' coverage counts %d pairs, the total %d", top, itemsT, tg)
			}
		}
		if !anyCovered || !anyUncovered {
			t.Fatalf("the scenario should have covered and uncovered pairs (covered %v, uncovered %v)", anyCovered, anyUncovered)
		}

		// The directive's evidence (its cascade: 777 and 778), per item and
		// per place (the communes).
		places := []int64{units["D1C1"].ID, units["D1C2"].ID, units["D2C1"].ID, units["D2C2"].ID}
		ev, err := svc.DirectiveEvidence(ctx, model.System("test"), units["P"].ID, []int64{777, 778}, places)
		if err != nil {
			t.Fatal(err)
		}
		evidence := func(match func(eo *evOrder, d *storage.Device) bool) (f stats.ItemFigures) {
			for _, eo := range orders {
				if eo.o.SourceDirectiveID == 0 {
					continue
				}
				for _, d := range devs {
					if !eo.devices[d.ID] || !match(eo, d) {
						continue
					}
					var dueN int64
					for _, s := range eo.slots {
						if expected(eo, d, s) {
							f.Planned++
							if !s.After(due) {
								dueN++
							}
						}
					}
					ps := plays[pk{eo.o.ID, d.ID}]
					f.Due += dueN
					f.Played += int64(len(ps))
					for _, p := range ps {
						if p.late {
							f.Late++
						}
					}
					f.Missed += max(0, dueN-int64(len(ps)))
				}
			}
			return
		}
		same := func(what string, got, want stats.ItemFigures) {
			t.Helper()
			if got.Planned != want.Planned || got.Due != want.Due || got.Played != want.Played || got.Late != want.Late || got.Missed != want.Missed || want.Played == 0 {
				t.Errorf("%s: planned %d due %d played %d late %d missed %d; raw events give %d %d %d %d %d", what,
					got.Planned, got.Due, got.Played, got.Late, got.Missed, want.Planned, want.Due, want.Played, want.Late, want.Missed)
			}
		}
		same("directive total", ev.Total, evidence(func(*evOrder, *storage.Device) bool { return true }))
		if len(ev.Items) != 2 || len(ev.Places) != 4 {
			t.Fatalf("directive evidence: %d items, %d places", len(ev.Items), len(ev.Places))
		}
		for _, it := range ev.Items {
			same("item "+it.Name, it, evidence(func(eo *evOrder, _ *storage.Device) bool { return eo.o.ID == it.ID }))
		}
		for _, pl := range ev.Places {
			var path string
			for _, u := range units {
				if u.ID == pl.ID {
					path = u.Path
				}
			}
			same("place "+pl.Name, pl, evidence(func(_ *evOrder, d *storage.Device) bool { return strings.HasPrefix(units[devUnit[d.ID]].Path, path) }))
		}

		// The commune's week: D1C1 with its station, the 4th to the 10th.
		day := schedule.NewDate(2021, 6, 10)
		cm, err := svc.Commune(ctx, model.System("test"), units["D1C1"].ID, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(cm.Week) != 7 || cm.Week[0].Day != day.AddDays(-6) || cm.Today.Day != day {
			t.Fatalf("week %v, today %v", cm.Week, cm.Today.Day)
		}
		week := func(match func(d *storage.Device) bool, on schedule.Date) (f stats.DayFigures) {
			for _, eo := range orders {
				for _, d := range devs {
					if !match(d) || !eo.devices[d.ID] {
						continue
					}
					var dueN int64
					for _, s := range eo.slots {
						if expected(eo, d, s) && dayOf(s) == on {
							f.Scheduled++
							if !s.After(due) {
								dueN++
							}
						}
					}
					var played int64
					for _, p := range plays[pk{eo.o.ID, d.ID}] {
						if p.day == on {
							played++
							if p.late {
								f.Late++
							}
						}
					}
					f.Due += dueN
					f.Played += played
					f.Silent += max(0, dueN-played)
				}
			}
			// Uptime: contact gaps of at most 3 minutes, split at midnight,
			// over the time since enrolment until now.
			for _, d := range devs {
				if !match(d) {
					continue
				}
				start, end := on.In(zone), on.AddDays(1).In(zone)
				from, to := start, end
				if d.EnrolledAt.After(from) {
					from = d.EnrolledAt
				}
				if now.Before(to) {
					to = now
				}
				if to.After(from) {
					f.ExpectedS += int64(to.Sub(from) / time.Second)
				}
				cs := contacts[d.ID]
				for i := 1; i < len(cs); i++ {
					if gap := cs[i].Sub(cs[i-1]); gap <= storage.UptimeGap {
						a, b := cs[i-1], cs[i]
						if a.Before(start) {
							a = start
						}
						if b.After(end) {
							b = end
						}
						if b.After(a) {
							f.ContactS += int64(b.Sub(a) / time.Second)
						}
					}
				}
			}
			return
		}
		inCommune := func(d *storage.Device) bool { return strings.HasPrefix(devUnit[d.ID], "D1C1") }
		var silent, late, contact int64
		for _, w := range cm.Week {
			want := week(inCommune, w.Day)
			if w.Scheduled != want.Scheduled || w.Due != want.Due || w.Played != want.Played || w.Silent != want.Silent || w.Late != want.Late ||
				w.ContactS != want.ContactS || w.ExpectedS != want.ExpectedS {
				t.Errorf("commune %s: %+v; raw events give %+v", w.Day, w, want)
			}
			silent, late, contact = silent+w.Silent, late+w.Late, contact+w.ContactS
		}
		if silent == 0 || late == 0 || contact == 0 || !inDays(cm.Today.Day, cm.Week[0].Day, day) {
			t.Errorf("the week should have silences (%d), late plays (%d) and contact (%d s)", silent, late, contact)
		}
		if len(cm.Devices) != 3 {
			t.Fatalf("commune devices: %d", len(cm.Devices))
		}
		for _, df := range cm.Devices {
			var want stats.DayFigures
			for _, w := range cm.Week {
				x := week(func(d *storage.Device) bool { return d.ID == df.ID }, w.Day)
				want.Scheduled, want.Played, want.Silent = want.Scheduled+x.Scheduled, want.Played+x.Played, want.Silent+x.Silent
				want.ContactS, want.ExpectedS = want.ContactS+x.ContactS, want.ExpectedS+x.ExpectedS
			}
			if df.Scheduled != want.Scheduled || df.Played != want.Played || df.Silent != want.Silent || df.ContactS != want.ContactS || df.ExpectedS != want.ExpectedS {
				t.Errorf("device %s: %+v; raw events give %+v", df.Name, df.DayFigures, want)
			}
			if df.ExpectedS > 0 && df.Uptime != float64(int64(1000*float64(df.ContactS)/float64(df.ExpectedS)+0.5))/10 {
				t.Errorf("device %s: uptime %.1f %%", df.Name, df.Uptime)
			}
		}
		// A stranger sees neither.
		stranger := model.Actor{UserID: 99, Username: "x", UnitID: units["D2"].ID, UnitPath: units["D2"].Path, Roles: []model.Role{model.RoleViewer}}
		if _, err := svc.Commune(ctx, stranger, units["D1C1"].ID, day); err == nil {
			t.Error("a district's viewer saw another district's commune")
		}
		if _, err := svc.DirectiveEvidence(ctx, stranger, units["P"].ID, []int64{777}, places); err == nil {
			t.Error("a district's viewer saw the province's directive evidence")
		}
	})
}
