package directives_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// TestEvidenceRollsUpOnce builds a cascade province → districts → communes
// → radio stations (a commune and its station both receive the district's
// letter), orders made from the province's directive and from the
// districts' implementing letters, devices owned by communes and stations,
// and random play reports (duplicates, replays, interrupted and failed
// plays, a local order); then checks every figure of the cascade tree and
// the summary against a count made independently from the raw events.
func TestEvidenceRollsUpOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		at := e.clock.Now()
		units := map[string]*model.Unit{}
		type dirRec struct {
			d    *model.Directive
			from string
		}
		dirs := map[string]*model.Directive{}
		dels := map[string]*model.Delivery{} // "A>D1"
		devs := map[string]int64{}
		orders := map[string]*storage.BroadcastOrder{}
		err := e.store.Tx(ctx, func(tx *storage.Tx) error {
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
			mk("D1", "P")
			mk("D2", "P")
			mk("C11", "D1")
			mk("S11", "C11")
			mk("C12", "D1")
			mk("C21", "D2")
			mk("S21", "C21")
			dir := func(name, unit string, parent *int64) {
				d := &model.Directive{UnitID: units[unit].ID, DraftingUnitID: units[unit].ID, Status: directives.StatusIssued, Content: "{}", DocType: "Công văn",
					Subject: "Tuyên truyền " + name, ParentDeliveryID: parent}
				if err := tx.Directives().InsertDirective(ctx, d, at, "test"); err != nil {
					t.Fatal(err)
				}
				dirs[name] = d
			}
			deliver := func(name string, to ...string) {
				d := dirs[name]
				var rows []model.NewDelivery
				for _, u := range to {
					rows = append(rows, model.NewDelivery{RecipientUnitID: units[u].ID, Purpose: directives.RoleMain})
				}
				if err := tx.Deliveries().InsertDeliveries(ctx, model.DeliveryHeader{DirectiveID: d.ID, SenderUnitID: d.UnitID, Code: name, DocType: "Công văn",
					Subject: d.Subject, DocDate: "2021-06-03"}, rows, at); err != nil {
					t.Fatal(err)
				}
				list, err := tx.Deliveries().DirectiveDeliveries(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range list {
					for _, u := range to {
						if units[u].ID == l.RecipientUnitID {
							dels[name+">"+u] = l
						}
					}
				}
			}
			change := func(key, status string, c model.DeliveryChange) {
				c.Status, c.At = status, at
				if err := tx.Deliveries().ChangeDelivery(ctx, dels[key].ID, []string{"pending", "forwarded"}, c); err != nil {
					t.Fatalf("%s %s: %v", key, status, err)
				}
			}
			dir("A", "P", nil)
			deliver("A", "D1", "D2")
			dir("B1", "D1", &dels["A>D1"].ID)
			dir("B2", "D2", &dels["A>D2"].ID)
			deliver("B1", "C11", "S11", "C12")
			deliver("B2", "C21", "S21")
			change("A>D1", directives.Forwarded, model.DeliveryChange{ForwardDirectiveID: &dirs["B1"].ID})
			change("A>D2", directives.Forwarded, model.DeliveryChange{ForwardDirectiveID: &dirs["B2"].ID})
			report := func(key string, n float64) {
				b, _ := json.Marshal(directives.Report{Text: "Đã thực hiện", Figures: map[string]float64{"Lượt phát thanh": n}})
				change(key, directives.Reported, model.DeliveryChange{Report: string(b)})
			}
			// The district reports after forwarding: its communes'
			// progress must stay in view. A commune and its station both
			// report the same 12 plays; the district's report covers both.
			report("A>D1", 30)
			report("B1>C11", 12)
			report("B1>S11", 12)
			report("B1>C12", 5)
			for _, u := range []string{"C11", "S11", "S11", "C12", "C21", "S21"} {
				dv := &storage.Device{UnitID: units[u].ID, Name: "Cụm loa " + u, Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
				if err := tx.Devices().InsertDevice(ctx, dv, fmt.Sprintf("hash-%s-%d", u, len(devs))); err != nil {
					t.Fatal(err)
				}
				devs[fmt.Sprintf("%s#%d", u, len(devs))] = dv.ID
			}
			order := func(key, unit, directive string) {
				m := &storage.Media{UnitID: units[unit].ID, Title: key, Source: "upload", SHA256: "sha-" + key, Size: 1, DurationMS: 60000, OriginalSHA256: "sha-" + key, OriginalSize: 1}
				if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
					t.Fatal(err)
				}
				o := &storage.BroadcastOrder{UnitID: units[unit].ID, Title: key, MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 3),
					EndDate: schedule.NewDate(2021, 6, 9), Source: "local"}
				if directive != "" {
					o.Source, o.SourceDirectiveID, o.SourceItem = "directive", dirs[directive].ID, 1
					o.SourceRef = model.DirectiveItemRef(dirs[directive].ID, 1)
				}
				if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
					t.Fatal(err)
				}
				orders[key] = o
			}
			order("C11/B1", "C11", "B1")
			order("S11/B1", "S11", "B1")
			order("C12/B1", "C12", "B1")
			order("C21/B2", "C21", "B2")
			order("S21/A", "S21", "A") // scheduled straight from the province's letter
			order("C12/local", "C12", "")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Which device may play which order: the commune's orders reach its
		// station's devices too.
		reach := map[string][]int64{}
		for key := range orders {
			unit := units[strings.Split(key, "/")[0]]
			for dk, id := range devs {
				if strings.HasPrefix(units[strings.Split(dk, "#")[0]].Path, unit.Path) {
					reach[key] = append(reach[key], id)
				}
			}
		}
		devUnit := map[int64]*model.Unit{}
		for dk, id := range devs {
			devUnit[id] = units[strings.Split(dk, "#")[0]]
		}
		orderKeys := []string{"C11/B1", "S11/B1", "C12/B1", "C21/B2", "S21/A", "C12/local"}
		rng := rand.New(rand.NewPCG(13, 13))
		var logs []storage.PlayLog
		statuses := []string{storage.PlayCompleted, storage.PlayCompleted, storage.PlayCompleted, storage.PlayInterrupted, storage.PlayFailed}
		start := time.Date(2021, 6, 3, 23, 30, 0, 0, time.UTC) // 06:30 on the 4th in Vietnam
		for i := range 600 {
			key := orderKeys[rng.IntN(len(orderKeys))]
			o := orders[key]
			ds := reach[key]
			dev := ds[rng.IntN(len(ds))]
			slot := start.Add(time.Duration(rng.IntN(40)) * 3 * time.Hour)
			item := fmt.Sprintf("o%d-%d", o.ID, slot.Unix())
			ev := fmt.Sprintf("ev-%d", i)
			if i > 0 && rng.IntN(10) == 0 {
				ev = logs[rng.IntN(len(logs))].EventID // a replayed event id
			}
			logs = append(logs, storage.PlayLog{DeviceID: dev, EventID: ev, ItemID: item, OrderID: o.ID, Status: statuses[rng.IntN(len(statuses))],
				StartedAt: slot, EndedAt: slot.Add(time.Minute), ReceivedAt: slot.Add(time.Hour)})
		}
		for len(logs) > 0 {
			n := min(len(logs), 1+rng.IntN(80))
			batch := logs[:n]
			logs = logs[n:]
			if err := e.store.Tx(ctx, func(tx *storage.Tx) error {
				_, err := tx.Broadcast().InsertPlayLogs(ctx, batch)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// The independent count: the raw events as stored.
		raw, err := e.store.Broadcast().PlayLogs(ctx, storage.PlayLogFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		orderDir := map[int64]int64{}
		for _, o := range orders {
			orderDir[o.ID] = o.SourceDirectiveID
		}
		count := func(set []*model.Directive, path string, own int64) int {
			in := map[int64]bool{}
			for _, d := range set {
				in[d.ID] = true
			}
			seen := map[string]bool{}
			for _, l := range raw {
				u := devUnit[l.DeviceID]
				if l.Status != storage.PlayCompleted || !in[orderDir[l.OrderID]] || !strings.HasPrefix(u.Path, path) || own != 0 && u.ID != own {
					continue
				}
				seen[fmt.Sprint(l.DeviceID, l.ItemID)] = true
			}
			return len(seen)
		}
		tree, err := e.svc.Tracker().Tree(ctx, model.System("test"), dirs["A"].ID)
		if err != nil {
			t.Fatal(err)
		}
		all := []*model.Directive{dirs["A"], dirs["B1"], dirs["B2"]}
		if want := count(all, units["P"].Path, 0); tree.Plays != want || want == 0 {
			t.Errorf("province branch: %d plays, raw events give %d", tree.Plays, want)
		}
		checked := 0
		var walk func(b *directives.Branch, set map[string][]*model.Directive)
		walk = func(b *directives.Branch, set map[string][]*model.Directive) {
			for _, n := range b.Nodes {
				var code string
				for c, u := range units {
					if u.ID == n.UnitID {
						code = c
					}
				}
				s := set[code]
				if want := count(s, units[code].Path, 0); n.Plays != want {
					t.Errorf("node %s: %d plays, raw events give %d", code, n.Plays, want)
				}
				if want := count(s, units[code].Path, units[code].ID); n.OwnPlays != want {
					t.Errorf("node %s: %d own plays, raw events give %d", code, n.OwnPlays, want)
				}
				checked++
				if n.Forward != nil {
					walk(n.Forward, set)
				}
			}
		}
		sets := map[string][]*model.Directive{
			"D1": {dirs["A"], dirs["B1"]}, "D2": {dirs["A"], dirs["B2"]},
			"C11": {dirs["B1"]}, "S11": {dirs["B1"]}, "C12": {dirs["B1"]}, "C21": {dirs["B2"]}, "S21": {dirs["B2"]},
		}
		walk(tree, sets)
		if checked != 7 {
			t.Errorf("checked %d nodes, want 7", checked)
		}
		// The district's node counts the plays its own letter produced.
		if tree.Nodes[0].Plays == 0 || tree.Nodes[1].Plays == 0 {
			t.Errorf("district nodes show 0 plays: %+v %+v", tree.Nodes[0], tree.Nodes[1])
		}
		// The commune includes its station, the station is not added again:
		// the branch of B1 is the sum of its disjoint subtrees.
		b1 := tree.Nodes[0].Forward
		if want := count([]*model.Directive{dirs["B1"]}, units["C11"].Path, 0) + count([]*model.Directive{dirs["B1"]}, units["C12"].Path, 0); b1.Plays != want {
			t.Errorf("district D1's letter: %d plays, want %d (commune + station counted once)", b1.Plays, want)
		}
		sum, err := e.svc.Tracker().Summary(ctx, model.System("test"), dirs["A"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Plays != tree.Plays {
			t.Errorf("summary: %d plays, tree %d", sum.Plays, tree.Plays)
		}
		// D1's report (30) covers its communes and stations (12, 12, 5).
		if got := sum.Figures["Lượt phát thanh"]; got != 30 {
			t.Errorf("summary figure Lượt phát thanh = %v, want 30 (the district's report covers its communes)", got)
		}
		// The district reported: its communes' progress stays in view.
		tr, err := e.svc.Tracker().Track(ctx, model.System("test"), dirs["A"].ID, directives.TrackingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tr.Rows {
			if r.RecipientUnitID == units["D1"].ID {
				if r.Status != directives.Reported || r.Cascade == nil || r.Cascade.Total != 3 || r.Cascade.Done != 3 {
					t.Errorf("reported district row: status %s, cascade %+v", r.Status, r.Cascade)
				}
			}
		}
		var csv strings.Builder
		if err := e.svc.Tracker().ExportTracking(ctx, model.System("test"), dirs["A"].ID, directives.TrackingFilter{}, "csv", &csv); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), " 3/3 (100.0%)") {
			t.Errorf("the CSV lost the progress below the reported district:\n%s", csv.String())
		}
	})
}
