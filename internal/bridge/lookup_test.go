package bridge_test

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// fakeBroadcast records what the bridge hands the broadcast service; the
// orders it holds are keyed by unit and source reference.
type fakeBroadcast struct {
	orders map[string]int64 // "unit/directive:D:item:N" → order id
	made   []broadcast.DirectiveItemSchedule
}

func (f *fakeBroadcast) DirectiveItemOrder(ctx context.Context, a model.Actor, unitID, directiveID int64, item int) (int64, error) {
	return f.orders[fmt.Sprintf("%d/%s", unitID, broadcast.DirectiveRef(directiveID, item))], nil
}

func (f *fakeBroadcast) ScheduleFromDirective(ctx context.Context, a model.Actor, in broadcast.DirectiveItemSchedule) (*broadcast.OrderView, error) {
	f.made = append(f.made, in)
	id := int64(1000 + len(f.made))
	f.orders[fmt.Sprintf("%d/%s", in.UnitID, in.Ref())] = id
	return &broadcast.OrderView{BroadcastOrder: &model.BroadcastOrder{ID: id}}, nil
}

func (f *fakeBroadcast) SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error) {
	return &model.Media{ID: 5}, nil
}

func (f *fakeBroadcast) UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error) {
	return &model.Media{ID: 6}, nil
}

type fakeUnits map[int64]*model.Unit

func (f fakeUnits) Unit(ctx context.Context, id int64) (*model.Unit, error) {
	if u := f[id]; u != nil {
		return u, nil
	}
	return nil, model.ErrNotFound
}

// TestScheduleLooksUpSourceReference: the bridge asks the broadcast
// service whether the unit scheduled each item, by the item's reference
// (an order titled like an item does not count), hands it the item's
// schedule in typed values, and schedules an item met twice once.
func TestScheduleLooksUpSourceReference(t *testing.T) {
	loc := i18n.Zone()
	now := time.Date(2021, 6, 8, 9, 0, 0, 0, loc)
	radio := &model.Unit{ID: 3, Name: "Đài truyền thanh xã X", Path: "/1/3/"}
	item := func(pos int, start, end string) directives.BroadcastItem {
		return directives.BroadcastItem{DirectiveID: 12, DeliveryID: 40, Code: "12/UBND-VX", Position: pos, Label: fmt.Sprint(pos), ItemText: "Tin",
			Broadcast: directives.BroadcastSpec{Level: schedule.LevelPriority, StartDate: start, EndDate: end, TimesPerDay: 2}}
	}
	items := []directives.BroadcastItem{item(1, "2021-06-05", "2021-06-20"), item(2, "2021-06-10", ""), item(2, "2021-06-10", ""), item(3, "", "2021-06-01")}
	// Item 1 is scheduled; an order titled "12/UBND-VX, mục 2" would not
	// count: only references do.
	fb := &fakeBroadcast{orders: map[string]int64{"3/directive:12:item:1": 77}}
	b := &bridge.Bridge{Directives: fakeDirectives{radio.ID: items}, Broadcast: fb, Units: fakeUnits{radio.ID: radio}, Policy: authz.Default(),
		Now: func() time.Time { return now }, Location: loc}
	res, err := b.Schedule(context.Background(), model.System("test"), radio.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 1 || res.Created[0].Label != "2" || len(res.Skipped) != 3 ||
		res.Skipped[0].Reason != bridge.ReasonScheduled || res.Skipped[1].Reason != bridge.ReasonScheduled ||
		res.Skipped[2].Reason != "the broadcast period ended on 2021-06-01" {
		t.Fatalf("result %+v", res)
	}
	want := broadcast.DirectiveItemSchedule{UnitID: 3, DirectiveID: 12, DeliveryID: 40, Item: 2, Title: "Tin (12/UBND-VX, mục 2)", MediaID: 5,
		Level: schedule.LevelPriority, StartDate: schedule.NewDate(2021, 6, 10), EndDate: schedule.NewDate(2021, 6, 10),
		Slots: schedule.Slots{schedule.SpreadSlot(2, schedule.ClockOf(6, 0, 0), schedule.ClockOf(18, 0, 0))}, Plays: 2, UnitOrder: 2}
	if len(fb.made) != 1 || !reflect.DeepEqual(fb.made[0], want) {
		t.Fatalf("handed %+v, want %+v", fb.made, want)
	}
}

func (f *fakeBroadcast) DiscardMedia(ctx context.Context, a model.Actor, id int64, reason string) error {
	return nil
}
