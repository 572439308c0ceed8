package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestOrderTypedColumns: an order's dates, slots (one at 00:00) and
// directive source are stored and scanned back as typed values, and its
// JSON keeps the midnight slot's time.
func TestOrderTypedColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		slots := schedule.Slots{schedule.FixedSlot(0), schedule.SpreadSlot(3, schedule.ClockOf(6, 0, 0), schedule.ClockOf(18, 0, 0))}
		o := &model.BroadcastOrder{Title: "Bản tin 0 giờ", Level: "normal", StartDate: schedule.NewDate(2021, 6, 5), EndDate: schedule.NewDate(2021, 6, 20),
			Slots: slots, Source: "directive", SourceRef: "directive:7:item:2", SourceDirectiveID: 7, SourceItem: 2, SourceDeliveryID: 9}
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			u := mustUnit(t, tx.Q, ctx, "dtt-typed", nil)
			m := &model.Media{UnitID: u.ID, Title: "x", Source: "upload", SHA256: "ab", Size: 1, DurationMS: 1000, OriginalSHA256: "ab", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			o.UnitID, o.MediaID = u.ID, m.ID
			return tx.Broadcast().InsertOrder(ctx, o)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Broadcast().Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StartDate != o.StartDate || got.EndDate != o.EndDate || !reflect.DeepEqual(got.Slots, slots) ||
			got.SourceDirectiveID != 7 || got.SourceItem != 2 || got.SourceDeliveryID != 9 {
			t.Fatalf("stored %+v, read %+v", o, got)
		}
		var raw string
		if err := st.QueryRowRaw(ctx, `SELECT start_date || ' ' || slots FROM broadcast_orders WHERE id = ?`, o.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if want := `2021-06-05 [{"at":"00:00"},{"spread":{"count":3,"from":"06:00","to":"18:00"}}]`; raw != want {
			t.Errorf("columns %s, want %s", raw, want)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"start_date":"2021-06-05"`) || !strings.Contains(string(b), `"slots":[{"at":"00:00"},`) {
			t.Errorf("JSON %s", b)
		}
	})
}

// TestDirectiveItemOrderLookup: whether a unit scheduled a directive's
// item is found by the item's source reference however many orders the
// unit has (the item's order is older than the newest 500), never by an
// order's title, and only for that unit.
func TestDirectiveItemOrderLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		var unit, other *model.Unit
		var first, mediaID int64
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			unit = mustUnit(t, tx.Q, ctx, "dtt-many", nil)
			other = mustUnit(t, tx.Q, ctx, "dtt-other", nil)
			m := &model.Media{UnitID: unit.ID, Title: "x", Source: "upload", SHA256: "cd", Size: 1, DurationMS: 1000, OriginalSHA256: "cd", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			mediaID = m.ID
			d := schedule.NewDate(2021, 6, 5)
			for i := range 601 {
				o := &model.BroadcastOrder{UnitID: unit.ID, Title: fmt.Sprintf("Bản tin %d", i), MediaID: m.ID, Level: "normal", StartDate: d, EndDate: d,
					Slots: schedule.Slots{schedule.FixedSlot(0)}}
				switch i {
				case 0: // the item's order, the oldest
					o.Title, o.Source, o.SourceRef, o.SourceDirectiveID, o.SourceItem = "12/UBND-VX, mục 1", "directive", "directive:12:item:1", 12, 1
				case 1: // an order titled like item 2, without its reference
					o.Title = "12/UBND-VX, mục 2"
				}
				if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
					return err
				}
				if i == 0 {
					first = o.ID
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if recent, err := st.Broadcast().OrdersOfUnits(ctx, unit.Path, 500); err != nil || recent[len(recent)-1].ID == first {
			t.Fatalf("the item's order is among the newest 500: %v", err)
		}
		for _, c := range []struct {
			unit      int64
			directive int64
			item      int
			want      int64
		}{{unit.ID, 12, 1, first}, {unit.ID, 12, 2, 0}, {unit.ID, 13, 1, 0}, {other.ID, 12, 1, 0}} {
			got, err := st.Broadcast().DirectiveItemOrder(ctx, c.unit, c.directive, c.item)
			if err != nil || got != c.want {
				t.Errorf("unit %d, directive %d item %d: order %d (%v), want %d", c.unit, c.directive, c.item, got, err, c.want)
			}
		}
		// The index keeps an item to one order per unit.
		err = st.Tx(ctx, func(tx *storage.Tx) error {
			o := &model.BroadcastOrder{UnitID: unit.ID, Title: "again", MediaID: mediaID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 5),
				EndDate: schedule.NewDate(2021, 6, 5), Source: "directive", SourceRef: "directive:12:item:1b", SourceDirectiveID: 12, SourceItem: 1}
			return tx.Broadcast().InsertOrder(ctx, o)
		})
		if !errors.Is(err, model.ErrConflict) {
			t.Errorf("a second order for the same item: %v", err)
		}
	})
}

// TestRecordOrderPlays: an issued order's plays are recorded, set-based,
// for exactly the active devices its targets resolve to (a device target
// and a subtree, not a revoked device nor one elsewhere), and only those
// devices' schedules are marked stale.
func TestRecordOrderPlays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		start := time.Date(2021, 6, 7, 9, 0, 0, 0, time.UTC)
		var o *model.BroadcastOrder
		var in, revoked, single, outside *model.Device
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			district := mustUnit(t, tx.Q, ctx, "rop-district", nil)
			commune := mustUnit(t, tx.Q, ctx, "rop-commune", &district.ID)
			other := mustUnit(t, tx.Q, ctx, "rop-other", nil)
			dev := func(u *model.Unit, name string) *model.Device {
				d := &model.Device{UnitID: u.ID, Name: name, Kind: "loudspeaker", CredentialPrefix: "x"}
				if err := tx.Devices().InsertDevice(ctx, d, "hash-"+name); err != nil {
					t.Fatal(err)
				}
				return d
			}
			in, revoked, single, outside = dev(commune, "in"), dev(commune, "revoked"), dev(other, "single"), dev(other, "outside")
			if err := tx.Devices().RevokeDevice(ctx, revoked.ID); err != nil {
				return err
			}
			m := &model.Media{UnitID: district.ID, Title: "x", Source: "upload", SHA256: "ab", Size: 1, DurationMS: 1000, OriginalSHA256: "ab", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			o = &model.BroadcastOrder{UnitID: district.ID, Title: "Bão", MediaID: m.ID, Level: "emergency", StartDate: schedule.NewDate(2021, 6, 7),
				EndDate: schedule.NewDate(2021, 6, 7), Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: district.ID}, {Kind: model.TargetDevice, ID: single.ID}}}
			if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
				return err
			}
			return tx.Broadcast().RecordOrderPlays(ctx, o.ID, o.Level, []storage.OrderPlay{
				{ItemID: "e-1", Start: start, End: start.Add(time.Minute)}, {ItemID: "e-2", Start: start.Add(10 * time.Minute), End: start.Add(11 * time.Minute)}})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			d       *model.Device
			plays   int
			version int64
		}{{in, 2, 1}, {single, 2, 1}, {revoked, 0, 0}, {outside, 0, 0}} {
			items, err := st.Broadcast().KnownItems(ctx, c.d.ID, []string{"e-1", "e-2"})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != c.plays {
				t.Errorf("device %q: %d plays recorded, want %d", c.d.Name, len(items), c.plays)
			}
			if it, ok := items["e-2"]; ok && (!it.Start.Equal(start.Add(10*time.Minute)) || it.OrderID != o.ID || it.Level != "emergency") {
				t.Errorf("device %q: play %+v", c.d.Name, it)
			}
			d, err := st.Devices().Device(ctx, c.d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.ScheduleVersion != c.d.ScheduleVersion+c.version {
				t.Errorf("device %q: schedule version %d, want %d", c.d.Name, d.ScheduleVersion, c.d.ScheduleVersion+c.version)
			}
		}
	})
}
