package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestSubtreePlayTotalsFollowMoves: the plays of a unit's whole subtree
// (play_day_totals plus play_below_days, kept as plays are stored) equal
// the plays of the devices under it, per day range, and still do after a
// unit with its sub-units moves to another parent (the 2025 reform).
func TestSubtreePlayTotalsFollowMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		// p ─ a ─ b ─ c, p ─ d; a device at b, two at c, one at p.
		var p, a, b, c, d *model.Unit
		var devs [4]storage.Device
		var order storage.BroadcastOrder
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			p = mustUnit(t, tx.Q, ctx, "sb-p", nil)
			a = mustUnit(t, tx.Q, ctx, "sb-a", &p.ID)
			b = mustUnit(t, tx.Q, ctx, "sb-b", &a.ID)
			c = mustUnit(t, tx.Q, ctx, "sb-c", &b.ID)
			d = mustUnit(t, tx.Q, ctx, "sb-d", &p.ID)
			m := &storage.Media{UnitID: p.ID, Title: "Bản tin", Source: "upload", SHA256: "sb", Size: 1, DurationMS: 1000, OriginalSHA256: "sb", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			order = storage.BroadcastOrder{UnitID: p.ID, Title: "Bản tin", MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 8)}
			if err := tx.Broadcast().InsertOrder(ctx, &order); err != nil {
				return err
			}
			for i, owner := range []int64{b.ID, c.ID, c.ID, p.ID} {
				devs[i] = storage.Device{UnitID: owner, Name: fmt.Sprint("Cụm loa ", i), Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
				if err := tx.Devices().InsertDevice(ctx, &devs[i], fmt.Sprint("sb-hash-", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Device i plays i+1 times on June 7 (local) and once on June 8,
		// 30 s each.
		start := time.Date(2021, 6, 7, 1, 0, 0, 0, time.UTC)
		var logs []storage.PlayLog
		for i := range devs {
			for k := range i + 2 {
				s := start.Add(time.Duration(k) * time.Minute)
				if k == i+1 {
					s = start.Add(24 * time.Hour)
				}
				logs = append(logs, storage.PlayLog{DeviceID: devs[i].ID, EventID: fmt.Sprint("sb", i, "-", k), ItemID: fmt.Sprintf("o%d-%d", order.ID, s.Unix()),
					OrderID: order.ID, Status: storage.PlayCompleted, StartedAt: s, EndedAt: s.Add(30 * time.Second), ReceivedAt: s.Add(time.Hour)})
			}
		}
		if err := st.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.Broadcast().InsertPlayLogs(ctx, logs); return err }); err != nil {
			t.Fatal(err)
		}
		// Every device's rows of the order (read packed, one text per
		// order) are the rows read by the key, device by device.
		byKey, packed := map[int64]storage.OrderDevicePlay{}, map[int64]storage.OrderDevicePlay{}
		ids := []int64{devs[0].ID, devs[1].ID, devs[2].ID, devs[3].ID}
		if err := st.Broadcast().OrderDevicePlays(ctx, []int64{order.ID}, ids, func(r storage.OrderDevicePlay) { byKey[r.DeviceID] = r }); err != nil {
			t.Fatal(err)
		}
		if err := st.Broadcast().OrderDevicePlays(ctx, []int64{order.ID, order.ID + 1000}, nil, func(r storage.OrderDevicePlay) { packed[r.DeviceID] = r }); err != nil {
			t.Fatal(err)
		}
		if len(byKey) != 4 || fmt.Sprint(byKey) != fmt.Sprint(packed) || byKey[devs[3].ID].Plays != 5 {
			t.Errorf("plays per device by key %v, packed %v", byKey, packed)
		}
		check := func(when string, from, to string, wantOwn, wantSub map[int64]int64) {
			t.Helper()
			own, sub, err := st.Broadcast().SubtreePlayTotals(ctx, []int64{p.ID, a.ID, b.ID, c.ID, d.ID}, from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []*model.Unit{p, a, b, c, d} {
				if own[u.ID].Plays != wantOwn[u.ID] || sub[u.ID].Plays != wantSub[u.ID] {
					t.Errorf("%s, %s..%s: unit %s own %d plays, subtree %d; want %d, %d", when, from, to, u.Code, own[u.ID].Plays, sub[u.ID].Plays, wantOwn[u.ID], wantSub[u.ID])
				}
				if sub[u.ID].Seconds != 30*wantSub[u.ID] {
					t.Errorf("%s: unit %s subtree %d s, want %d", when, u.Code, sub[u.ID].Seconds, 30*wantSub[u.ID])
				}
			}
		}
		// June 7: b 1, c 2+3, p 4. Both days: one more per device.
		check("before the move", "2021-06-07", "2021-06-07",
			map[int64]int64{p.ID: 4, b.ID: 1, c.ID: 5}, map[int64]int64{p.ID: 10, a.ID: 6, b.ID: 6, c.ID: 5})
		check("before the move", "2021-06-07", "2021-06-08",
			map[int64]int64{p.ID: 5, b.ID: 2, c.ID: 7}, map[int64]int64{p.ID: 14, a.ID: 9, b.ID: 9, c.ID: 7})
		// b (with c) moves from a to d.
		if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().MoveUnit(ctx, b.ID, &d.ID) }); err != nil {
			t.Fatal(err)
		}
		check("after the move", "2021-06-07", "2021-06-08",
			map[int64]int64{p.ID: 5, b.ID: 2, c.ID: 7}, map[int64]int64{p.ID: 14, d.ID: 9, b.ID: 9, c.ID: 7})
		// Later plays count at the new ancestors.
		s := start.Add(24*time.Hour + time.Hour)
		more := []storage.PlayLog{{DeviceID: devs[1].ID, EventID: "sb-late", ItemID: fmt.Sprintf("o%d-%d", order.ID, s.Unix()),
			OrderID: order.ID, Status: storage.PlayCompleted, StartedAt: s, EndedAt: s.Add(30 * time.Second), ReceivedAt: s.Add(time.Hour)}}
		if err := st.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.Broadcast().InsertPlayLogs(ctx, more); return err }); err != nil {
			t.Fatal(err)
		}
		check("after a play at the new place", "2021-06-07", "2021-06-08",
			map[int64]int64{p.ID: 5, b.ID: 2, c.ID: 8}, map[int64]int64{p.ID: 15, d.ID: 10, b.ID: 10, c.ID: 8})
	})
}
