package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestPlayLogBatchesCountAndRollUp: the play writer's group of batches
// (InsertPlayLogBatches) counts each batch's new events as if the batches
// were stored one after the other (an event repeated in a later batch or
// in the same batch, or a second completed play of an occurrence, is not
// new), across more than one 500-event chunk; and the rollups hold
// exactly the completed plays stored, per unit and device, as counted
// from the raw events.
func TestPlayLogBatchesCountAndRollUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		devs, order := playFixture(t, st, "dtt-batches", 3)
		start := time.Date(2021, 6, 7, 0, 0, 0, 0, time.UTC)
		play := func(d int, event string, slot int, status string) storage.PlayLog {
			s := start.Add(time.Duration(slot) * time.Minute)
			return storage.PlayLog{DeviceID: devs[d].ID, EventID: event, ItemID: fmt.Sprintf("o%d-%d", order.ID, s.Unix()), OrderID: order.ID, Status: status,
				StartedAt: s, EndedAt: s.Add(30 * time.Second), ReceivedAt: start.Add(24 * time.Hour)}
		}
		// Batch 0: device 0, 600 completed plays (two chunks), event 5 twice.
		// Batch 1: device 1, 300 completed and 100 interrupted plays.
		// Batch 2: device 0 again: 100 replayed events, 100 new event ids
		// completing occurrences already completed, 50 new occurrences.
		// Batch 3: device 2, one play, then the same event.
		var batches [4][]storage.PlayLog
		for i := range 600 {
			batches[0] = append(batches[0], play(0, fmt.Sprint("a", i), i, storage.PlayCompleted))
		}
		batches[0] = append(batches[0], play(0, "a5", 5, storage.PlayCompleted))
		for i := range 400 {
			status := storage.PlayCompleted
			if i >= 300 {
				status = storage.PlayInterrupted
			}
			batches[1] = append(batches[1], play(1, fmt.Sprint("b", i), i, status))
		}
		for i := range 100 {
			batches[2] = append(batches[2], play(0, fmt.Sprint("a", i), i, storage.PlayCompleted), play(0, fmt.Sprint("c", i), i, storage.PlayCompleted))
		}
		for i := range 50 {
			batches[2] = append(batches[2], play(0, fmt.Sprint("d", i), 600+i, storage.PlayCompleted))
		}
		batches[3] = []storage.PlayLog{play(2, "e", 0, storage.PlayCompleted), play(2, "e", 0, storage.PlayCompleted)}
		var counts []int64
		if err := st.Tx(ctx, func(tx *storage.Tx) error {
			var err error
			counts, err = tx.Broadcast().InsertPlayLogBatches(ctx, batches[:])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if want := []int64{600, 400, 50, 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("new events per batch %v, want %v", counts, want)
		}
		// The same group again: nothing new, rollups unchanged.
		if err := st.Tx(ctx, func(tx *storage.Tx) error {
			var err error
			counts, err = tx.Broadcast().InsertPlayLogBatches(ctx, batches[:])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(counts) != "[0 0 0 0]" {
			t.Errorf("the group stored again counted %v new events", counts)
		}
		raw, err := st.Broadcast().PlayLogs(ctx, storage.PlayLogFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		completed := map[int64]int64{}
		var seconds int64
		for _, l := range raw {
			if l.Status == storage.PlayCompleted {
				completed[l.DeviceID]++
				seconds += int64(l.EndedAt.Sub(l.StartedAt) / time.Second)
			}
		}
		if len(raw) != 1051 || completed[devs[0].ID] != 650 || completed[devs[1].ID] != 300 || completed[devs[2].ID] != 1 {
			t.Fatalf("stored %d events, completed per device %v", len(raw), completed)
		}
		var plays, secs, dayPlays, orderPlays, deviceDayPlays int64
		q := func(query string, dst ...any) {
			t.Helper()
			var args []any
			if strings.Contains(query, "?") {
				args = append(args, order.ID)
			}
			if err := st.QueryRowRaw(ctx, query, args...).Scan(dst...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		q(`SELECT COALESCE(SUM(plays), 0), COALESCE(SUM(seconds), 0) FROM play_rollups WHERE order_id = ?`, &plays, &secs)
		q(`SELECT COALESCE(SUM(plays), 0) FROM play_day_totals`, &dayPlays)
		q(`SELECT COALESCE(SUM(plays), 0) FROM play_order_devices WHERE order_id = ?`, &orderPlays)
		q(`SELECT COALESCE(SUM(plays), 0) FROM play_device_days WHERE order_id = ?`, &deviceDayPlays)
		if plays != 951 || secs != seconds || dayPlays != 951 || orderPlays != 951 || deviceDayPlays != 951 {
			t.Errorf("rollups: %d plays, %d s; day totals %d; order devices %d; device days %d; want 951 plays, %d s",
				plays, secs, dayPlays, orderPlays, deviceDayPlays, seconds)
		}
		var perDevice int64
		if err := st.QueryRowRaw(ctx, `SELECT plays FROM play_order_devices WHERE order_id = ? AND device_id = ?`, order.ID, devs[0].ID).Scan(&perDevice); err != nil {
			t.Fatal(err)
		}
		if perDevice != 650 {
			t.Errorf("device 0 has %d plays in play_order_devices, want 650", perDevice)
		}
	})
}

// TestPlayItems: the look-up that validates play reports returns, among
// the ids asked (more than one 500-id chunk), exactly the items scheduled
// for that device, with their order and planned start; another device's
// items and unknown ids are absent.
func TestPlayItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		devs, order := playFixture(t, st, "dtt-playitems", 2)
		start := time.Date(2021, 6, 7, 6, 0, 0, 0, time.UTC)
		itemID := func(i int) string {
			return fmt.Sprintf("o%d-%d", order.ID, start.Add(time.Duration(i)*time.Minute).Unix())
		}
		// Device 0 has items 0..599, device 1 items 600..609.
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			for d, r := range [][2]int{{0, 600}, {600, 610}} {
				var items []storage.ScheduleItem
				for i := r[0]; i < r[1]; i++ {
					s := start.Add(time.Duration(i) * time.Minute)
					items = append(items, storage.ScheduleItem{DeviceID: devs[d].ID, ItemID: itemID(i), OrderID: order.ID, Level: "normal", Start: s, End: s.Add(time.Minute)})
				}
				if err := tx.Broadcast().UpsertScheduleItems(ctx, items); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ask []string
		for i := range 610 {
			ask = append(ask, itemID(i))
		}
		ask = append(ask, "o0-unknown")
		got, err := st.Broadcast().PlayItems(ctx, devs[0].ID, ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 600 {
			t.Fatalf("%d items found for device 0, want its 600", len(got))
		}
		for i := range 600 {
			it, ok := got[itemID(i)]
			want := start.Add(time.Duration(i) * time.Minute)
			if !ok || it.OrderID != order.ID || !it.Start.Equal(want) {
				t.Fatalf("item %d: %+v (found %v), want order %d starting %s", i, it, ok, order.ID, want)
			}
		}
		got, err = st.Broadcast().PlayItems(ctx, devs[1].ID, ask[595:605])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Errorf("device 1: %d items of 595..604 found, want its 5 (600..604)", len(got))
		}
		if _, ok := got[itemID(599)]; ok {
			t.Error("device 1 was given device 0's item 599")
		}
	})
}

// playFixture makes a unit, a media item, an order for 2021-06-07 and n
// devices of the unit: what the play-log tests store plays for.
func playFixture(t *testing.T, st *storage.Store, code string, n int) ([]storage.Device, storage.BroadcastOrder) {
	t.Helper()
	ctx := context.Background()
	devs := make([]storage.Device, n)
	var order storage.BroadcastOrder
	err := st.Tx(ctx, func(tx *storage.Tx) error {
		u := mustUnit(t, tx.Q, ctx, code, nil)
		m := &storage.Media{UnitID: u.ID, Title: "Bản tin", Source: "upload", SHA256: "aa", Size: 1, DurationMS: 1000, OriginalSHA256: "aa", OriginalSize: 1}
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		order = storage.BroadcastOrder{UnitID: u.ID, Title: "Bản tin", MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 7)}
		if err := tx.Broadcast().InsertOrder(ctx, &order); err != nil {
			return err
		}
		for i := range devs {
			devs[i] = storage.Device{UnitID: u.ID, Name: fmt.Sprint("Cụm loa ", i), Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
			if err := tx.Devices().InsertDevice(ctx, &devs[i], fmt.Sprint("hash-", code, "-", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return devs, order
}

// TestPlaysBetweenUnderPath: the plays of a subtree between two times are
// those of its devices only (found per device through play_logs_started
// (device_id, started_at)), in [from, to), oldest first.
func TestPlaysBetweenUnderPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		in, order := playFixture(t, st, "dtt-between-in", 2)
		out, outOrder := playFixture(t, st, "dtt-between-out", 1)
		unit, err := st.Orgs().Unit(ctx, order.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2021, 6, 7, 0, 0, 0, 0, time.UTC)
		var logs []storage.PlayLog
		add := func(d storage.Device, o storage.BroadcastOrder, slot int) {
			s := start.Add(time.Duration(slot) * time.Minute)
			logs = append(logs, storage.PlayLog{DeviceID: d.ID, EventID: fmt.Sprint("ev", slot), ItemID: fmt.Sprintf("o%d-%d", o.ID, s.Unix()), OrderID: o.ID,
				Status: storage.PlayCompleted, StartedAt: s, EndedAt: s.Add(time.Minute), ReceivedAt: start.Add(24 * time.Hour)})
		}
		for slot := range 100 {
			add(in[slot%2], order, slot)
			add(out[0], outOrder, slot)
		}
		if err := st.Tx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Broadcast().InsertPlayLogs(ctx, logs)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Broadcast().PlaysBetween(ctx, unit.Path, start.Add(10*time.Minute), start.Add(30*time.Minute), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 20 {
			t.Fatalf("%d plays between minutes 10 and 30 under %s, want 20", len(got), unit.Path)
		}
		for i, p := range got {
			want := start.Add(time.Duration(10+i) * time.Minute)
			if p.DeviceID != in[i%2].ID || !p.StartedAt.Equal(want) {
				t.Errorf("play %d: device %d at %s, want device %d at %s", i, p.DeviceID, p.StartedAt, in[i%2].ID, want)
			}
		}
	})
}
