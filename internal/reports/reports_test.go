package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// slot is one scheduled occurrence on a device, as inserted.
type slot struct {
	device, order int64
	item          string
	start         time.Time
}

// raw keeps what the test inserted, for an independent count.
type raw struct {
	unitOf   map[int64]*model.Unit // device → owning unit
	enrolled map[int64]time.Time
	made     map[int64]time.Time // order → made
	targets  map[int64]string    // order → the unit path it targets (subtree)
	contacts map[int64][]time.Time
	slots    []slot
	fbs      []*model.Feedback
}

// seedBroadcast makes devices at C1, S and C2 (one enrolled late in the
// month), orders at C1, D and C2 (C2's made in October), daily slots from
// 30 October to 2 December and play reports for most of them (some
// failed or interrupted, some missing), and citizens' feedback around the
// month.
func seedBroadcast(w *world) *raw {
	t, ctx := w.t, w.ctx
	r := &raw{unitOf: map[int64]*model.Unit{}, enrolled: map[int64]time.Time{}, made: map[int64]time.Time{}, targets: map[int64]string{},
		contacts: map[int64][]time.Time{}}
	var devs []storage.Device
	orders := map[string]*storage.BroadcastOrder{}
	err := w.st.Tx(ctx, func(tx *storage.Tx) error {
		for i, d := range []struct {
			unit     string
			enrolled string
		}{{"C1", "2026-10-01 08:00"}, {"S", "2026-10-01 08:00"}, {"C2", "2026-10-01 08:00"}, {"C2", "2026-11-20 12:00"}} {
			dev := storage.Device{UnitID: w.units[d.unit].ID, Name: fmt.Sprintf("Cụm loa %d", i+1), Kind: "loudspeaker", CredentialPrefix: "loa_d_x",
				EnrolledAt: at(d.enrolled)}
			if err := tx.Devices().InsertDevice(ctx, &dev, fmt.Sprintf("hash-%d", i)); err != nil {
				return err
			}
			devs = append(devs, dev)
			r.unitOf[dev.ID], r.enrolled[dev.ID] = w.units[d.unit], at(d.enrolled)
		}
		for i, o := range []struct {
			unit, level, made string
		}{{"C1", "normal", "2026-11-02 07:30"}, {"D", "priority", "2026-11-10 09:00"}, {"C2", "normal", "2026-10-20 09:00"}} {
			m := &storage.Media{UnitID: w.units[o.unit].ID, Title: "Bản tin " + o.unit, Source: "upload", SHA256: fmt.Sprint("media", i), Size: 1,
				DurationMS: 90000, OriginalSHA256: fmt.Sprint("media", i), OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			// Daily at 07:00 from 30 October on the unit's subtree: the
			// schedule items below are these slots.
			bo := &storage.BroadcastOrder{UnitID: w.units[o.unit].ID, Title: "Bản tin " + o.unit, MediaID: m.ID, Level: o.level,
				StartDate: schedule.NewDate(2026, 10, 30), EndDate: schedule.NewDate(2026, 12, 31), Source: "local", MadeAt: at(o.made),
				Slots:   schedule.Slots{schedule.FixedSlot(schedule.ClockOf(7, 0, 0))},
				Targets: []storage.OrderTarget{{Kind: storage.TargetSubtree, ID: w.units[o.unit].ID}}}
			if err := tx.Broadcast().InsertOrder(ctx, bo); err != nil {
				return err
			}
			orders[o.unit] = bo
			r.made[bo.ID] = at(o.made)
			r.targets[bo.ID] = w.units[o.unit].Path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	plan := map[int][]string{0: {"C1", "D"}, 1: {"C1", "D"}, 2: {"D", "C2"}, 3: {"D", "C2"}}
	var items []storage.ScheduleItem
	for di, codes := range plan {
		for _, code := range codes {
			o := orders[code]
			for day := at("2026-10-30 07:00"); day.Before(at("2026-12-02 08:00")); day = day.AddDate(0, 0, 1) {
				s := slot{device: devs[di].ID, order: o.ID, item: fmt.Sprintf("o%d-%s", o.ID, day.Format("20060102")), start: day}
				r.slots = append(r.slots, s)
				items = append(items, storage.ScheduleItem{DeviceID: s.device, ItemID: s.item, OrderID: s.order, Level: o.Level, Start: s.start, End: s.start.Add(90 * time.Second)})
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 13))
	var logs []storage.PlayLog
	for i, s := range r.slots {
		// Device 1 plays C1's bulletin every time (a covered pair); the
		// others miss some slots, fail or get interrupted.
		status := storage.PlayCompleted
		if !(s.device == devs[0].ID && s.order == orders["C1"].ID) {
			switch rng.IntN(6) {
			case 0:
				continue
			case 1:
				status = storage.PlayFailed
			case 2:
				status = storage.PlayInterrupted
			}
		}
		length := time.Duration(60+rng.IntN(40)) * time.Second
		logs = append(logs, storage.PlayLog{DeviceID: s.device, EventID: fmt.Sprint("ev", i), ItemID: s.item, OrderID: s.order, Status: status,
			StartedAt: s.start.UTC(), EndedAt: s.start.Add(length).UTC(), ReceivedAt: s.start.Add(length).UTC()})
	}
	err = w.st.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().UpsertScheduleItems(ctx, items); err != nil {
			return err
		}
		for len(logs) > 0 {
			n := min(len(logs), 50)
			if _, err := tx.Broadcast().InsertPlayLogs(ctx, logs[:n]); err != nil {
				return err
			}
			logs = logs[n:]
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Contacts every 3 minutes (they count) or 4 (they do not) over a few
	// windows, one across midnight, one across the month's start, none
	// before the late device enrolled.
	var seen []storage.DeviceSeen
	for _, c := range []struct {
		dev      int
		from, to string
		every    int
	}{{0, "2026-11-03 08:00", "2026-11-03 11:00", 3}, {0, "2026-11-15 23:00", "2026-11-16 01:00", 3}, {1, "2026-10-31 23:00", "2026-11-01 01:30", 3},
		{1, "2026-11-20 06:00", "2026-11-20 09:00", 4}, {2, "2026-11-10 10:00", "2026-11-10 12:00", 3}, {3, "2026-11-25 07:00", "2026-11-25 10:00", 3},
		{3, "2026-12-01 06:00", "2026-12-01 07:00", 3}} {
		for t := at(c.from); !t.After(at(c.to)); t = t.Add(time.Duration(c.every) * time.Minute) {
			seen = append(seen, storage.DeviceSeen{DeviceID: devs[c.dev].ID, SeenAt: t})
			r.contacts[devs[c.dev].ID] = append(r.contacts[devs[c.dev].ID], t)
		}
	}
	// One contact at a time, as devices call in.
	slices.SortStableFunc(seen, func(a, b storage.DeviceSeen) int { return a.SeenAt.Compare(b.SeenAt) })
	err = w.st.Tx(ctx, func(tx *storage.Tx) error {
		for _, c := range seen {
			if err := tx.Devices().TouchDevices(ctx, []storage.DeviceSeen{c}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Feedback: received before, in and after November; answered in and
	// after it; one still open at the end.
	for _, f := range []struct {
		unit, created, answered string
	}{{"C1", "2026-10-28 10:00", "2026-11-02 10:00"}, {"C1", "2026-11-04 08:00", "2026-11-04 11:00"}, {"C2", "2026-11-10 09:00", "2026-11-12 09:00"},
		{"S", "2026-11-25 16:00", ""}, {"C2", "2026-11-30 20:00", "2026-12-01 07:00"}, {"C2", "2026-12-01 02:00", ""}, {"P", "2026-11-05 08:00", "2026-11-05 09:00"}} {
		fb := &model.Feedback{UnitID: w.units[f.unit].ID, Kind: "question", Body: "Xin hỏi lịch phát thanh", State: "new", DueAt: at(f.created).Add(72 * time.Hour), CreatedAt: at(f.created)}
		err := w.st.Tx(ctx, func(tx *storage.Tx) error {
			if err := tx.Feedback().InsertFeedback(ctx, fb); err != nil {
				return err
			}
			if f.answered != "" {
				a := at(f.answered)
				fb.AnsweredAt = &a
				return tx.Feedback().AnswerFeedback(ctx, fb.ID, "Đã trả lời", true, "u-"+f.unit, a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		fb.UnitName = f.unit
		r.fbs = append(r.fbs, fb)
	}
	return r
}

// expected counts the broadcast and feedback figures of a unit for
// November 2026 from what was inserted, as of now.
type expected struct {
	plays, targets, covered       int64
	seconds                       int64
	contactS, expectedS           int64
	fbReceived, fbHandled, fbOpen int64
	fbMedian                      time.Duration
}

func (r *raw) expect(t *testing.T, st *storage.Store, under *model.Unit, now time.Time) expected {
	from, to := at("2026-11-01 00:00"), at("2026-12-01 00:00")
	in := func(id int64) bool { return strings.HasPrefix(r.unitOf[id].Path, under.Path) }
	logs, err := st.Broadcast().PlayLogs(context.Background(), storage.PlayLogFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	type pair struct{ dev, order int64 }
	for _, l := range logs {
		if l.Status != storage.PlayCompleted {
			continue
		}
		if start := l.StartedAt.In(i18n.Zone()); in(l.DeviceID) && !start.Before(from) && start.Before(to) {
			e.plays++
			e.seconds += int64(l.EndedAt.Sub(l.StartedAt) / time.Second)
		}
	}
	// Coverage as the dashboards define it: each (order, targeted device)
	// pair with slots due by the end of the month (daily 07:00 from the
	// order's first day, after the order was made and the device
	// enrolled) is covered when the device completed the order at least
	// that many times.
	plays := map[pair]int64{}
	for _, l := range logs {
		if l.Status == storage.PlayCompleted {
			plays[pair{l.DeviceID, l.OrderID}]++
		}
	}
	for order, target := range r.targets {
		for dev, u := range r.unitOf {
			if !in(dev) || !strings.HasPrefix(u.Path, target) {
				continue
			}
			var required int64
			for day := at("2026-10-30 07:00"); day.Before(to); day = day.AddDate(0, 0, 1) {
				if !day.Before(r.made[order]) && !day.Before(r.enrolled[dev]) && day.Before(now.Add(-stats.DueAfter)) {
					required++
				}
			}
			if required > 0 {
				e.targets++
				if plays[pair{dev, order}] >= required {
					e.covered++
				}
			}
		}
	}
	// Uptime: the seconds between contacts at most 3 minutes apart, inside
	// the month, of the seconds after enrolment in the month.
	for dev := range r.unitOf {
		if !in(dev) {
			continue
		}
		start := from
		if r.enrolled[dev].After(start) {
			start = r.enrolled[dev]
		}
		e.expectedS += int64(to.Sub(start) / time.Second)
		cs := r.contacts[dev]
		for i := 1; i < len(cs); i++ {
			if cs[i].Sub(cs[i-1]) > 3*time.Minute {
				continue
			}
			a, b := cs[i-1], cs[i]
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				e.contactS += int64(b.Sub(a) / time.Second)
			}
		}
	}
	var handled []time.Duration
	for _, f := range r.fbs {
		u := unitByCode(t, st, "rp-"+f.UnitName)
		if !strings.HasPrefix(u.Path, under.Path) {
			continue
		}
		if !f.CreatedAt.Before(from) && f.CreatedAt.Before(to) {
			e.fbReceived++
		}
		if f.AnsweredAt != nil && !f.AnsweredAt.Before(from) && f.AnsweredAt.Before(to) {
			handled = append(handled, f.AnsweredAt.Sub(f.CreatedAt))
		}
		if f.CreatedAt.Before(to) && (f.AnsweredAt == nil || !f.AnsweredAt.Before(to)) {
			e.fbOpen++
		}
	}
	e.fbHandled = int64(len(handled))
	sort.Slice(handled, func(i, j int) bool { return handled[i] < handled[j] })
	if n := len(handled); n > 0 {
		e.fbMedian = handled[n/2]
		if n%2 == 0 {
			e.fbMedian = (handled[n/2-1] + handled[n/2]) / 2
		}
	}
	return e
}

func unitByCode(t *testing.T, st *storage.Store, code string) *model.Unit {
	u, err := st.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
}

func pct(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(of)) / 10
}

// TestMonthlyReport: a month of letters, reports on directives, plays,
// schedules and feedback under a district; at the month boundary the
// scheduler makes the district's monthly report as a Báo cáo draft to
// the province department, whose every figure equals a count from the
// raw rows, with an XLSX annex holding the same figures and a PDF; the
// draft goes through approve → issue → send and arrives in the
// department's inbox with its annex.
func TestMonthlyReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		w := newWorld(t, st, "2026-11-03 09:00")
		ctx := w.ctx
		// The department's directive to the district and both communes.
		c := directives.Content{DocType: "Công văn", Subject: "Tuyên truyền phòng, chống bão", Intro: "Đề nghị các đơn vị triển khai.",
			Recipients: []directives.Recipient{{UnitID: w.units["D"].ID}, {UnitID: w.units["C1"].ID}, {UnitID: w.units["C2"].ID}}, Deadline: "2026-11-10"}
		v1 := w.issue("P", c)
		w.set("2026-11-05 10:00")
		w.report("D", v1.ID)
		w.set("2026-11-06 10:00")
		c2 := directives.Content{DocType: "Công văn", Subject: "Triển khai tuyên truyền phòng, chống bão", Intro: "Đề nghị các xã triển khai.",
			Recipients: []directives.Recipient{{UnitID: w.units["C1"].ID}, {UnitID: w.units["C2"].ID}}, Deadline: "2026-11-20"}
		v2 := w.issue("D", c2)
		w.set("2026-11-15 10:00")
		w.report("C1", v1.ID) // late
		w.set("2026-11-18 10:00")
		w.report("C2", v2.ID)
		rawRows := seedBroadcast(w)

		// Monthly reports for the district and a commune.
		w.set("2026-11-30 23:30")
		for _, code := range []string{"D", "C1"} {
			if _, err := w.reports.PutSettings(ctx, w.actor(code), w.units[code].ID, reports.SettingsInput{Periods: []string{"month"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.reports.PutSettings(ctx, w.actor("P"), w.units["P"].ID, reports.SettingsInput{Periods: []string{"month"}}); err == nil {
			t.Error("a unit without a superior was set to report")
		}
		if _, err := w.reports.PutSettings(ctx, w.actor("C1"), w.units["D"].ID, reports.SettingsInput{Periods: []string{"month"}}); err == nil {
			t.Error("a commune changed the district's report settings")
		}
		// Before the boundary only October's reports are due.
		n, err := w.reports.RunDue(ctx)
		if err != nil || n != 2 {
			t.Fatalf("October reports: %d, %v", n, err)
		}
		w.set("2026-12-01 08:00")
		n, err = w.reports.RunDue(ctx)
		if err != nil || n != 2 {
			t.Fatalf("November reports: %d, %v", n, err)
		}
		list, err := w.reports.Reports(ctx, w.actor("D"), w.units["D"].ID)
		if err != nil || len(list) != 2 || list[0].From != "2026-11-01" || list[0].To != "2026-11-30" {
			t.Fatalf("the district's reports: %+v, %v", list, err)
		}
		rec := list[0]
		var fig reports.Figures
		mustJSON(t, rec.Figures, &fig)

		// Every figure against the raw rows.
		e := rawRows.expect(t, st, w.units["D"], w.clock.Now())
		checks := []struct {
			name      string
			got, want float64
		}{
			// Registers: D received 1 (from P), C1 and C2 2 each (P, D); D issued 1.
			{"documents received", float64(fig.Documents.Received), 5},
			{"documents issued", float64(fig.Documents.Issued), 1},
			{"directives issued", float64(fig.Directives.Issued), 1},
			{"recipients", float64(fig.Directives.Recipients), 2},
			{"reported", float64(fig.Directives.Reported), 1},
			{"implemented on time", float64(fig.Directives.ImplementedOnTime), 2},
			{"implemented late", float64(fig.Directives.ImplementedLate), 1},
			{"plays", float64(fig.Channels[0].Broadcasts), float64(e.plays)},
			{"minutes", *fig.Channels[0].Minutes, math.Round(float64(e.seconds)/60*10) / 10},
			{"coverage targets", float64(fig.Coverage.Targets), float64(e.targets)},
			{"coverage covered", float64(fig.Coverage.Covered), float64(e.covered)},
			{"coverage", fig.Coverage.Percent, pct(e.covered, e.targets)},
			{"contact seconds", float64(fig.Devices.ContactS), float64(e.contactS)},
			{"expected seconds", float64(fig.Devices.ExpectedS), float64(e.expectedS)},
			{"uptime", fig.Devices.Uptime, pct(e.contactS, e.expectedS)},
			{"devices", float64(fig.Devices.Devices), 4},
			{"feedback received", float64(fig.Feedback.Received), float64(e.fbReceived)},
			{"feedback handled", float64(fig.Feedback.Handled), float64(e.fbHandled)},
			{"feedback open", float64(fig.Feedback.Open), float64(e.fbOpen)},
			{"feedback median", float64(fig.Feedback.MedianSeconds), float64(e.fbMedian / time.Second)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: report %v, raw rows %v", c.name, c.got, c.want)
			}
		}
		// The dashboards show the same figures (one computation): the
		// district's overview and uptime for November against the raw rows.
		ov, err := w.stats.Overview(ctx, w.actor("D"), w.units["D"].ID, fig.Period)
		if err != nil {
			t.Fatal(err)
		}
		up, err := w.stats.Uptime(ctx, w.units["D"], fig.Period)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Total.Plays != e.plays || ov.Total.Targeted != e.targets || ov.Total.Covered != e.covered || up.ContactS != e.contactS || up.ExpectedS != e.expectedS {
			t.Errorf("dashboard: plays %d, coverage %d of %d, contact %d of %d s; raw rows %+v", ov.Total.Plays, ov.Total.Covered, ov.Total.Targeted, up.ContactS, up.ExpectedS, e)
		}
		// The commune dashboard's week (today included, clamped at now)
		// and the reports' uptime over the same days are one figure.
		cd, err := w.stats.Commune(ctx, w.actor("C2"), w.units["C2"].ID, schedule.Date{})
		if err != nil {
			t.Fatal(err)
		}
		wk, err := w.stats.Uptime(ctx, w.units["C2"], stats.Period{From: cd.Week[0].Day, To: cd.Day})
		if err != nil {
			t.Fatal(err)
		}
		if wk.ContactS != cd.Total.ContactS || wk.ExpectedS != cd.Total.ExpectedS || wk.ContactS == 0 {
			t.Errorf("uptime of the week: reports %+v, commune dashboard %d of %d s", wk, cd.Total.ContactS, cd.Total.ExpectedS)
		}
		// The district's report on the department's directive marked its
		// delivery reported.
		dinbox, err := w.dirs.Deliveries().Inbox(ctx, w.actor("D"), directives.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(dinbox, func(d *directives.DeliveryView) bool { return d.DirectiveID == v1.ID }); i < 0 || dinbox[i].Status != directives.Reported {
			t.Errorf("the district's delivery of the department's directive is not reported (%d letters, at %d)", len(dinbox), i)
		}
		if e.plays == 0 || e.covered == 0 || e.covered == e.targets || e.contactS == 0 || e.fbHandled != 3 || e.fbOpen != 2 {
			t.Errorf("the scenario lost its point: %+v", e)
		}
		// Bulletins: C1's (commune, normal) and D's (district, priority) in
		// November; C2's was made in October.
		levels := map[string]int64{}
		for _, b := range fig.Bulletins {
			levels[b.Key] = b.N
		}
		if levels["district_pc"] != 1 || levels["commune_pc"] != 1 || levels["commune_radio"] != 0 || len(fig.Bulletins) != 3 {
			t.Errorf("bulletins by level: %+v", fig.Bulletins)
		}
		if fig.Priority[1].N != 1 || fig.Priority[2].N != 1 || fig.Priority[0].N != 0 {
			t.Errorf("bulletins by priority: %+v", fig.Priority)
		}
		// A figure counted at its owner is summed up the tree: the district's
		// plays are the communes' (C1 with its station, C2).
		var sum int64
		for _, code := range []string{"C1", "C2"} {
			f, err := w.reports.Compute(ctx, w.units[code], fig.Period)
			if err != nil {
				t.Fatal(err)
			}
			sum += f.Channels[0].Broadcasts
			if code == "C1" && f.Channels[0].Broadcasts != rawRows.expect(t, st, w.units["C1"], w.clock.Now()).plays {
				t.Errorf("commune C1's plays differ from the raw rows")
			}
		}
		if sum != fig.Channels[0].Broadcasts {
			t.Errorf("communes' plays %d, district's %d", sum, fig.Channels[0].Broadcasts)
		}

		// The draft: a Báo cáo to the department, the annex attached.
		aD := w.actor("D")
		v, err := w.dirs.Drafts().Get(ctx, aD, rec.DirectiveID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != "draft" || v.Content.DocType != "Báo cáo" || len(v.Content.Recipients) != 1 || v.Content.Recipients[0].UnitID != w.units["P"].ID ||
			!strings.Contains(v.Content.Subject, "tháng 11 năm 2026") || len(v.Content.Attachments) != 1 {
			t.Fatalf("report draft: %+v", v.Content)
		}
		body := v.Content.Intro
		for _, it := range v.Content.Items {
			body += "\n" + it.Text
		}
		for _, want := range []string{"01/11/2026", "30/11/2026", "tiếp nhận 5 văn bản đến", reports.Int(fig.Channels[0].Broadcasts) + " lượt",
			reports.Decimal(fig.Coverage.Percent) + " %"} {
			if !strings.Contains(body, want) {
				t.Errorf("the letter's body lacks %q:\n%s", want, body)
			}
		}
		att := v.Content.Attachments[0]
		if att.SHA256 != rec.AnnexSHA || att.Name != "Phụ lục số liệu tháng 11-2026 - Ủy ban nhân dân huyện Hòn Đất.xlsx" {
			t.Errorf("annex: %+v", att)
		}
		checkAnnex(t, w, att.SHA256, &fig)
		pdf, ctype, err := w.dirs.Workflow().Preview(ctx, aD, v.ID, "pdf")
		if err != nil || ctype != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("draft pdf: %s %d bytes, %v", ctype, len(pdf), err)
		}

		// Restarts and repeated runs make nothing more.
		for range 2 {
			if n, err := w.newReports().RunDue(ctx); err != nil || n != 0 {
				t.Fatalf("after a restart: %d reports made, %v", n, err)
			}
		}
		if _, err := w.reports.Generate(ctx, w.units["D"].ID, "month", fig.Period); err == nil {
			t.Error("a second November report was made")
		}

		// Approve → issue → send: the department receives it with the annex.
		issued := w.approveIssue("D", v.ID)
		if issued.PDFSHA == "" {
			t.Fatal("issued report without a PDF")
		}
		if rc, size, err := w.blobs.Open(ctx, issued.PDFSHA); err != nil || size == 0 {
			t.Fatalf("issued PDF: %d bytes, %v", size, err)
		} else {
			rc.Close()
		}
		inbox, err := w.dirs.Deliveries().Inbox(ctx, w.actor("P"), directives.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(inbox, func(d *directives.DeliveryView) bool { return d.DirectiveID == v.ID })
		if i < 0 || inbox[i].DocType != "Báo cáo" || inbox[i].SenderName != w.units["D"].Name {
			t.Fatalf("the department's inbox: %d letters, report at %d", len(inbox), i)
		}
		det, err := w.dirs.Deliveries().Delivery(ctx, w.actor("P"), inbox[i].ID)
		if err != nil || len(det.Attachments) != 1 || det.Attachments[0].SHA256 != rec.AnnexSHA {
			t.Fatalf("received report: %+v, %v", det, err)
		}
	})
}

// checkAnnex opens the annex with excelize and compares every figure.
func checkAnnex(t *testing.T, w *world, sha string, fig *reports.Figures) {
	t.Helper()
	rc, _, err := w.blobs.Open(w.ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("annex does not open: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(reports.SheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := fig.Lines(nil)
	if len(rows) != reports.XLSXHeaderRow+len(lines) {
		t.Fatalf("annex has %d rows, want %d", len(rows), reports.XLSXHeaderRow+len(lines))
	}
	if h := rows[reports.XLSXHeaderRow-1]; len(h) != 4 || h[3] != fig.UnitName {
		t.Errorf("annex header %q", h)
	}
	for i, l := range lines {
		row := rows[reports.XLSXHeaderRow+i]
		if len(row) != 4 || row[1] != l.Label {
			t.Errorf("annex row %d: %q, want %q", i+1, row, l.Label)
			continue
		}
		v, err := strconv.ParseFloat(row[3], 64)
		if err != nil || math.Abs(v-l.Value) > 1e-9 {
			t.Errorf("annex %q: %q, report %v", l.Label, row[3], l.Value)
		}
	}
}
