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

// TestOverviewMatchesRawEvents: a province with districts, communes and
// commune radio stations, devices at communes and stations, random play
// reports (replays, duplicates of an occurrence, interrupted and failed
// plays, plays outside the period); the dashboard's figures at the
// province and at a district, for every row and the total, equal a count
// made from the raw events, and each play is counted once.
func TestOverviewMatchesRawEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		now := time.Date(2021, 6, 10, 12, 0, 0, 0, i18n.Zone())
		svc := stats.New(st, authz.Default(), stats.Config{Clock: clock.Fixed(now), Loc: i18n.Zone(), OnlineWindow: time.Minute})
		units := map[string]*model.Unit{}
		var devs []storage.Device
		var orders []*storage.BroadcastOrder
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			mk := func(code, parent string) {
				u := &model.Unit{Code: "st-" + code, Name: "Đơn vị " + code, Kind: "other"}
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
			for _, code := range []string{"D1C1", "D1C1S", "D1C1S", "D1C2", "D2C1S", "D2C2", "D2C2S"} {
				d := storage.Device{UnitID: units[code].ID, Name: "Cụm loa " + code, Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
				if err := tx.Devices().InsertDevice(ctx, &d, fmt.Sprintf("h-%d", len(devs))); err != nil {
					t.Fatal(err)
				}
				devs = append(devs, d)
			}
			for i, code := range []string{"D1C1", "D1", "D2C2S"} {
				m := &storage.Media{UnitID: units[code].ID, Title: code, Source: "upload", SHA256: fmt.Sprint("m", i), Size: 1, DurationMS: 60000, OriginalSHA256: fmt.Sprint("m", i), OriginalSize: 1}
				if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
					t.Fatal(err)
				}
				o := &storage.BroadcastOrder{UnitID: units[code].ID, Title: code, MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 1), EndDate: schedule.NewDate(2021, 6, 30), Source: "local"}
				if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
					t.Fatal(err)
				}
				orders = append(orders, o)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		var logs []storage.PlayLog
		statuses := []string{storage.PlayCompleted, storage.PlayCompleted, storage.PlayInterrupted, storage.PlayFailed}
		for i := range 800 {
			d := devs[rng.IntN(len(devs))]
			o := orders[rng.IntN(len(orders))]
			start := time.Date(2021, 6, 1+rng.IntN(12), 5+rng.IntN(14), 0, 0, 0, i18n.Zone())
			ev := fmt.Sprint("e", i)
			if i > 0 && rng.IntN(8) == 0 {
				ev = logs[rng.IntN(len(logs))].EventID
			}
			logs = append(logs, storage.PlayLog{DeviceID: d.ID, EventID: ev, ItemID: fmt.Sprintf("o%d-%d", o.ID, start.Unix()), OrderID: o.ID,
				Status: statuses[rng.IntN(len(statuses))], StartedAt: start.UTC(), EndedAt: start.Add(time.Duration(30+rng.IntN(90)) * time.Second).UTC(), ReceivedAt: now})
		}
		for len(logs) > 0 {
			n := min(len(logs), 1+rng.IntN(100))
			if err := st.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.Broadcast().InsertPlayLogs(ctx, logs[:n]); return err }); err != nil {
				t.Fatal(err)
			}
			logs = logs[n:]
		}
		raw, err := st.Broadcast().PlayLogs(ctx, storage.PlayLogFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		unitOf := map[int64]*model.Unit{}
		for _, d := range devs {
			for _, u := range units {
				if u.ID == d.UnitID {
					unitOf[d.ID] = u
				}
			}
		}
		p, err := svc.PeriodOf("custom", "2021-06-03", "2021-06-09")
		if err != nil {
			t.Fatal(err)
		}
		count := func(path string) (plays int64, seconds int64) {
			seen := map[string]bool{}
			for _, l := range raw {
				day := schedule.DateOf(l.StartedAt.In(i18n.Zone()))
				if l.Status != storage.PlayCompleted || day.Compare(p.From) < 0 || day.Compare(p.To) > 0 || !strings.HasPrefix(unitOf[l.DeviceID].Path, path) {
					continue
				}
				k := fmt.Sprint(l.DeviceID, l.ItemID)
				if seen[k] {
					t.Fatalf("two completed plays of one occurrence stored: %s", k)
				}
				seen[k] = true
				plays++
				seconds += int64(l.EndedAt.Sub(l.StartedAt) / time.Second)
			}
			return
		}
		for _, top := range []string{"P", "D1", "D2C2"} {
			ov, err := svc.Overview(ctx, model.System("test"), units[top].ID, p)
			if err != nil {
				t.Fatal(err)
			}
			plays, secs := count(units[top].Path)
			if ov.Total.Plays != plays || ov.Total.Minutes != float64(int64(float64(secs)/60*10+0.5))/10 || plays == 0 {
				t.Errorf("%s total: %d plays %.1f min, raw events give %d, %.1f", top, ov.Total.Plays, ov.Total.Minutes, plays, float64(secs)/60)
			}
			var sum int64
			for _, r := range ov.Rows {
				var code string
				for c, u := range units {
					if u.ID == r.UnitID {
						code = c
					}
				}
				want, _ := count(units[code].Path)
				if r.Plays != want {
					t.Errorf("%s row %s: %d plays, raw events give %d", top, code, r.Plays, want)
				}
				sum += r.Plays
			}
			if ov.Own != nil {
				sum += ov.Own.Plays
			}
			if sum != ov.Total.Plays {
				t.Errorf("%s: rows sum to %d plays, total %d (a play counted twice or lost)", top, sum, ov.Total.Plays)
			}
			if top == "P" && (len(ov.Rows) != 2 || !ov.Rows[0].HasChildren || ov.Total.Devices != int64(len(devs))) {
				t.Errorf("province: %d rows, devices %d", len(ov.Rows), ov.Total.Devices)
			}
		}
		// Strangers are refused, bad periods explained.
		if _, err := svc.PeriodOf("custom", "2021-06-09", "2021-06-01"); err == nil {
			t.Error("a period ending before it starts was accepted")
		}
		if _, err := svc.PeriodOf("fortnight", "", ""); err == nil {
			t.Error("an unknown period was accepted")
		}
		stranger := model.Actor{UserID: 99, Username: "x", UnitID: units["D2"].ID, UnitPath: units["D2"].Path, Roles: []model.Role{model.RoleViewer}}
		if _, err := svc.Overview(ctx, stranger, units["D1"].ID, p); err == nil {
			t.Error("a district's viewer saw another district's dashboard")
		}
	})
}
