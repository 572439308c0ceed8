package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestCompletedPlayOncePerOccurrence: a device reporting one scheduled
// occurrence as completed under 50 event ids leaves one completed play in
// the store, the order's statistics and the directive's evidence; a replay
// of an event stays a duplicate, and interrupted or failed reports and
// other occurrences are kept.
func TestCompletedPlayOncePerOccurrence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		var dev storage.Device
		var order storage.BroadcastOrder
		var unitPath string
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			u := mustUnit(t, tx.Q, ctx, "dtt-test", nil)
			unitPath = u.Path
			m := &storage.Media{UnitID: u.ID, Title: "Bản tin", Source: "upload", SHA256: "aa", Size: 1, DurationMS: 1000, OriginalSHA256: "aa", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			order = storage.BroadcastOrder{UnitID: u.ID, Title: "Tiêm vắc xin", MediaID: m.ID, Level: "priority", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 7),
				Source: "directive", SourceRef: "directive:77:item:1"}
			if err := tx.Broadcast().InsertOrder(ctx, &order); err != nil {
				return err
			}
			dev = storage.Device{UnitID: u.ID, Name: "Cụm loa", Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
			return tx.Devices().InsertDevice(ctx, &dev, "hash-1")
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2021, 6, 6, 23, 0, 0, 0, time.UTC)
		item := fmt.Sprintf("o%d-%d", order.ID, start.Unix())
		play := func(event, item, status string) storage.PlayLog {
			return storage.PlayLog{DeviceID: dev.ID, EventID: event, ItemID: item, OrderID: order.ID, Status: status,
				StartedAt: start, EndedAt: start.Add(time.Minute), ReceivedAt: start.Add(time.Hour)}
		}
		insert := func(logs ...storage.PlayLog) int64 {
			t.Helper()
			var n int64
			if err := st.Tx(ctx, func(tx *storage.Tx) error {
				var err error
				n, err = tx.Broadcast().InsertPlayLogs(ctx, logs)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// 25 in one batch, 25 one at a time.
		var batch []storage.PlayLog
		for i := range 25 {
			batch = append(batch, play(fmt.Sprintf("ev-%d", i), item, storage.PlayCompleted))
		}
		if n := insert(batch...); n != 1 {
			t.Errorf("a batch of 25 completed reports of one occurrence stored %d, want 1", n)
		}
		for i := 25; i < 50; i++ {
			if n := insert(play(fmt.Sprintf("ev-%d", i), item, storage.PlayCompleted)); n != 0 {
				t.Errorf("completed report %d of an occurrence already completed was stored", i)
			}
		}
		// Interrupted and failed reports of the occurrence, and another
		// occurrence, count; the same event again does not.
		if n := insert(play("ev-int", item, storage.PlayInterrupted), play("ev-fail", item, storage.PlayFailed),
			play("ev-next", fmt.Sprintf("o%d-%d", order.ID, start.Add(11*time.Hour).Unix()), storage.PlayCompleted), play("ev-0", item, storage.PlayCompleted)); n != 3 {
			t.Errorf("stored %d of interrupted, failed, another occurrence and a replay, want 3", n)
		}
		stats, err := st.Broadcast().OrderPlayStats(ctx, order.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != 1 || stats[0].Completed != 2 || stats[0].Interrupted != 1 || stats[0].Failed != 1 {
			t.Errorf("order statistics %+v, want 2 completed (two occurrences), 1 interrupted, 1 failed", stats)
		}
		plays, err := st.Broadcast().DirectivePlays(ctx, 77, unitPath)
		if err != nil {
			t.Fatal(err)
		}
		if plays != 2 {
			t.Errorf("directive evidence counts %d plays, want 2 (one per occurrence)", plays)
		}
	})
}
