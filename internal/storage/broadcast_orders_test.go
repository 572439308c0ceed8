package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

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
