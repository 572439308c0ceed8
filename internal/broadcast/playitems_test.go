package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestPlayItemCacheFollowsScheduleVersion: the schedule items a device's
// play reports were checked against are remembered only as an
// optimisation. An item never looked up is read from the database, and a
// remembered one stops counting when the device's schedule version moves
// or the entry's lifetime ends: a play of an item the database no longer
// holds is then refused.
func TestPlayItemCacheFollowsScheduleVersion(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			st, _ := storetest.Open(t, e)
			blobs, err := blob.NewFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			clk := clock.NewFake(time.Date(2021, 6, 7, 23, 0, 0, 0, vn))
			svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: authz.Default(), Clock: clk, Location: vn})
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			unit := &model.Unit{Code: "c", Name: "C", Kind: "commune_radio"}
			dev := &model.Device{Name: "d", Kind: "loudspeaker", CredentialPrefix: "x"}
			startA := time.Date(2021, 6, 7, 6, 0, 0, 0, vn)
			startB := startA.Add(time.Minute)
			var itemA, itemB string
			var items []model.ScheduleItem
			err = st.Tx(ctx, func(tx *storage.Tx) error {
				if err := tx.Orgs().InsertUnit(ctx, unit); err != nil {
					return err
				}
				m := &model.Media{UnitID: unit.ID, Title: "x", Source: "upload", SHA256: "ab", OriginalSHA256: "ab", DurationMS: 60000}
				if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
					return err
				}
				o := &model.BroadcastOrder{UnitID: unit.ID, Title: "x", MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 7)}
				if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
					return err
				}
				dev.UnitID = unit.ID
				if err := tx.Devices().InsertDevice(ctx, dev, "hash"); err != nil {
					return err
				}
				itemA, itemB = broadcast.ItemID(o.ID, startA), broadcast.ItemID(o.ID, startB)
				items = []model.ScheduleItem{
					{DeviceID: dev.ID, ItemID: itemA, OrderID: o.ID, Level: "normal", Start: startA, End: startA.Add(time.Minute)},
					{DeviceID: dev.ID, ItemID: itemB, OrderID: o.ID, Level: "normal", Start: startB, End: startB.Add(time.Minute)},
				}
				return tx.Broadcast().UpsertScheduleItems(ctx, items)
			})
			if err != nil {
				t.Fatal(err)
			}
			da := &broadcast.DeviceAuth{Device: dev}
			play := func(event, item string, start time.Time) error {
				_, err := svc.Library().IngestPlays(ctx, da, protocol.PlayLogBatch{Events: []protocol.PlayEvent{
					{EventID: event, ItemID: item, Status: protocol.PlayInterrupted, StartedAt: start, EndedAt: start.Add(30 * time.Second)},
				}})
				return err
			}
			refused := func(what string, err error) {
				t.Helper()
				var rej *broadcast.RejectedError
				if !errors.As(err, &rej) {
					t.Fatalf("%s: got %v, want the play refused (item no longer scheduled)", what, err)
				}
			}
			purge := func() {
				t.Helper()
				err := st.Tx(ctx, func(tx *storage.Tx) error {
					_, err := tx.Broadcast().PurgeScheduleItems(ctx, time.Date(2021, 6, 8, 0, 0, 0, 0, vn))
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := play("e1", itemA, startA); err != nil {
				t.Fatalf("play of a scheduled item: %v", err)
			}
			purge()
			// Same version, within the lifetime: item A was looked up
			// already; item B never was, so the database answers.
			if err := play("e2", itemA, startA); err != nil {
				t.Fatalf("second play of item A within the cache's lifetime: %v", err)
			}
			refused("item B after the purge", play("e3", itemB, startB))
			// A new schedule version: the remembered items no longer count.
			if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Devices().BumpScheduleVersion(ctx, []int64{dev.ID}) }); err != nil {
				t.Fatal(err)
			}
			da.Device.ScheduleVersion++
			refused("item A after a schedule version change", play("e4", itemA, startA))
			// The lifetime: remembered again, then expired.
			if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Broadcast().UpsertScheduleItems(ctx, items[:1]) }); err != nil {
				t.Fatal(err)
			}
			if err := play("e5", itemA, startA); err != nil {
				t.Fatalf("play of item A scheduled again: %v", err)
			}
			purge()
			clk.Advance(3 * time.Minute)
			refused("item A after the cache entry's lifetime", play("e6", itemA, startA))
		})
	}
}
