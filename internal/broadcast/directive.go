package broadcast

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// SourceDirective is the source of orders that implement a directive's
// content item.
const SourceDirective = "directive"

// DirectiveItemSchedule is a directive's broadcast content item to play on
// the devices of a unit (and of the units below it), in typed values: what
// package bridge hands to ScheduleFromDirective.
type DirectiveItemSchedule struct {
	UnitID      int64 // the unit whose devices play it
	DirectiveID int64
	DeliveryID  int64 // the delivery that brought the directive, if known
	Item        int   // the item's number in the directive, from 1
	Title       string
	MediaID     int64 // the item's audio, or its text read by speech synthesis
	Level       schedule.Level
	// StartDate and EndDate bound the period, both days included.
	StartDate schedule.Date
	EndDate   schedule.Date
	Slots     schedule.Slots
	// Plays is how many times an emergency item plays (default 1).
	Plays int
	// UnitOrder orders the unit's items of equal level (the item number).
	UnitOrder int
	// Part numbers the recordings of an item that carries several (0 for
	// the first, or for speech); each is an order, made in this order, so
	// that at the item's times they play one after the other.
	Part int
}

// Ref is the item's source reference, "directive:12:item:3" (the order's
// source_ref).
func (in DirectiveItemSchedule) Ref() string { return DirectiveRef(in.DirectiveID, in.Item) }

// DirectiveRef is the source reference of item number item of a directive.
func DirectiveRef(directiveID int64, item int) string {
	return model.DirectiveItemRef(directiveID, item)
}

// directiveSource is the directive item an order implements, stored in
// the order's typed source columns.
type directiveSource struct {
	directiveID, deliveryID int64
	item, part              int
}

// or returns s, or when s is empty the directive item named by an order's
// source reference given through the API ("directive:12:item:3").
func (s directiveSource) or(source, ref string) directiveSource {
	if s.directiveID != 0 || source != SourceDirective {
		return s
	}
	rest, ok := strings.CutPrefix(ref, "directive:")
	if !ok {
		return s
	}
	d, it, ok := strings.Cut(rest, ":item:")
	if !ok {
		return s
	}
	id, err1 := strconv.ParseInt(d, 10, 64)
	n, err2 := strconv.Atoi(it)
	if err1 != nil || err2 != nil || id <= 0 || n <= 0 {
		return s
	}
	return directiveSource{directiveID: id, item: n}
}

// ValidateDirectiveSchedule checks a directive item's schedule before any
// media is made for it: the item, level, period and slots (the content's
// length is checked when the order is made).
func ValidateDirectiveSchedule(in DirectiveItemSchedule) error {
	switch {
	case in.DirectiveID <= 0 || in.Item <= 0:
		return invalid("source_ref", "bcsvc.directive_item", "directive %d has no item %d", in.DirectiveID, in.Item)
	case !in.Level.Valid() || in.Level == schedule.LevelLive:
		return levelInvalid(in.Level.String())
	case in.Level == schedule.LevelEmergency:
		if in.Plays < 0 || in.Plays > MaxRepeats {
			return invalid("repeats", "bcsvc.repeats", "repeats %d: play it 1-%d times", in.Plays, MaxRepeats)
		}
		return nil
	}
	// The content's length is not known yet: checked as valid here.
	plan := schedule.Plan{Duration: schedule.MaxContentDuration, StartDate: in.StartDate, EndDate: in.EndDate, Slots: in.Slots, Level: in.Level}
	if err := plan.Validate(); err != nil {
		return orderError(err)
	}
	return nil
}

// DirectiveItemOrder returns the id of the order through which the unit
// scheduled the directive's item (cancelled or not), or 0 if it has none:
// one indexed lookup by source reference.
func (s OrderBook) DirectiveItemOrder(ctx context.Context, a model.Actor, unitID, directiveID int64, item int) (int64, error) {
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID); err != nil {
		return 0, err
	}
	return s.store.Broadcast().DirectiveItemOrder(ctx, unitID, directiveID, item)
}

// ScheduleFromDirective puts a directive's item on the devices of the
// unit's subtree, once: an emergency item is issued at once (repeated
// Plays times), other levels become a scheduled order over the period and
// slots. The order records the item (directive, item number, delivery).
// An item the unit scheduled already fails with model.ErrConflict.
func (s OrderBook) ScheduleFromDirective(ctx context.Context, a model.Actor, in DirectiveItemSchedule) (*OrderView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	if err := ValidateDirectiveSchedule(in); err != nil {
		return nil, err
	}
	// The item's first order says whether the unit scheduled it; a
	// further recording of it is refused by the index if made twice.
	if in.Part < 0 {
		return nil, model.Invalid("part", "the recording number %d of item %d is negative", in.Part, in.Item)
	}
	if id, err := s.store.Broadcast().DirectiveItemOrder(ctx, unit.ID, in.DirectiveID, in.Item); err != nil {
		return nil, err
	} else if id != 0 && in.Part == 0 {
		return nil, fmt.Errorf("unit %q scheduled item %d of directive %d with order %d: %w", unit.Name, in.Item, in.DirectiveID, id, model.ErrConflict)
	}
	from := directiveSource{directiveID: in.DirectiveID, deliveryID: in.DeliveryID, item: in.Item, part: in.Part}
	targets := []model.OrderTarget{{Kind: model.TargetSubtree, ID: unit.ID}}
	if in.Level == schedule.LevelEmergency {
		er, err := s.emergency(ctx, a, unit, EmergencyInput{UnitID: unit.ID, Title: in.Title, MediaID: in.MediaID, Targets: targets,
			Repeats: max(in.Plays, 1), Source: SourceDirective, SourceRef: in.Ref()}, from)
		if err != nil {
			return nil, err
		}
		return er.Order, nil
	}
	title, err := checkTitle(in.Title)
	if err != nil {
		return nil, err
	}
	return s.createOrder(ctx, a, unit, orderSpec{title: title, mediaID: in.MediaID, level: in.Level, start: in.StartDate, end: in.EndDate,
		slots: in.Slots, unitOrder: in.UnitOrder, targets: targets, source: SourceDirective, sourceRef: in.Ref(), from: from})
}
