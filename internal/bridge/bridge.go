// Package bridge turns the broadcast content items of directives a commune
// received into broadcast orders on the commune's loudspeakers: the link
// between the directive workflow (package directives) and the broadcast
// service (package broadcast), neither of which knows the other.
package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Directives lists the broadcast items delivered to a unit, or by one
// delivery.
type Directives interface {
	BroadcastItems(ctx context.Context, unitID int64) ([]directives.BroadcastItem, error)
	DeliveryBroadcastItems(ctx context.Context, deliveryID int64) ([]directives.BroadcastItem, error)
}

// Broadcast is what scheduling needs of the broadcast service: whether a
// unit scheduled a directive's item already (an indexed lookup by source
// reference), the item's media, and the order made from the item.
type Broadcast interface {
	DirectiveItemOrder(ctx context.Context, a model.Actor, unitID, directiveID int64, item int) (int64, error)
	ScheduleFromDirective(ctx context.Context, a model.Actor, in broadcast.DirectiveItemSchedule) (*broadcast.OrderView, error)
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error)
	DiscardMedia(ctx context.Context, a model.Actor, id int64, reason string) error
}

// Blobs opens stored audio attachments.
type Blobs interface {
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error)
}

// Units reads the organisation tree.
type Units interface {
	Unit(ctx context.Context, id int64) (*model.Unit, error)
}

// Bridge schedules directive items on a unit's devices.
type Bridge struct {
	Directives Directives
	Broadcast  Broadcast
	Blobs      Blobs
	Units      Units
	Policy     authz.Policy
	Now        func() time.Time
	Location   *time.Location
	// Store holds the queue of automatic scheduling (auto.go); Poll is
	// how often Run looks at it (DefaultAutoPoll when 0).
	Store Store
	Poll  time.Duration
	Log   *slog.Logger

	msgsOnce sync.Once
	msgs     i18n.Catalog
}

// catalog is the message catalog, for the problems of items in Vietnamese.
func (b *Bridge) catalog() i18n.Catalog {
	b.msgsOnce.Do(func() { b.msgs = i18n.Messages() })
	return b.msgs
}

// Result says what scheduling did with each item.
type Result struct {
	Created []ItemResult `json:"created"`
	Skipped []ItemResult `json:"skipped"`
}

// ItemResult is one directive item and what happened to it.
type ItemResult struct {
	Ref     string `json:"ref"`
	Code    string `json:"code"`
	Label   string `json:"label"`
	Level   string `json:"level"`
	OrderID int64  `json:"order_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Problem: the item cannot be scheduled as the directive gives it (its
	// audio is refused, its repeats do not fit …), in English and in
	// Vietnamese; automatic scheduling goes on with the other items.
	Problem   string `json:"problem,omitempty"`
	ProblemVI string `json:"problem_vi,omitempty"`
}

// DefaultSpread is where "N times a day" bulletins go when the directive
// names no times: spread between 06:00 and 18:00.
var defaultFrom, defaultTo = schedule.ClockOf(6, 0, 0), schedule.ClockOf(18, 0, 0)

// Schedule creates, for the unit (a commune radio station, or any unit
// with devices below it), one broadcast order per broadcast item of the
// directives delivered to the unit or to its parent (the commune's
// People's Committee receives the directive, its radio station plays it).
// Items already scheduled for the unit, or whose period has ended, are
// skipped. Orders target the unit's subtree, with the level, period and
// times the directive asked for.
func (b *Bridge) Schedule(ctx context.Context, a model.Actor, unitID int64) (*Result, error) {
	unit, err := b.Units.Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	// Checked first: the items name directives of the unit's inbox.
	if !b.Policy.Can(a, authz.BroadcastWrite, unit.Path) {
		return nil, fmt.Errorf("scheduling broadcasts for %q: %w", unit.Name, model.ErrForbidden)
	}
	var items []directives.BroadcastItem
	for _, id := range []int64{unit.ID, parentOf(unit)} {
		if id == 0 {
			continue
		}
		list, err := b.Directives.BroadcastItems(ctx, id)
		if err != nil {
			return nil, err
		}
		items = append(items, list...)
	}
	return b.scheduleItems(ctx, a, unit, items, false)
}

// ReasonScheduled: the item is on the unit's devices already.
const ReasonScheduled = "already scheduled"

// scheduleItems schedules the items on the unit's subtree, skipping those
// already scheduled there and those whose period has ended. An item the
// broadcast service refuses fails the call, unless keepGoing: then it is
// skipped with the problem and the others are scheduled.
func (b *Bridge) scheduleItems(ctx context.Context, a model.Actor, unit *model.Unit, items []directives.BroadcastItem, keepGoing bool) (*Result, error) {
	res := &Result{Created: []ItemResult{}, Skipped: []ItemResult{}}
	today := schedule.Today(b.Now(), b.Location)
	done := map[string]bool{} // items met in this call (delivered to the unit and to its parent)
	for _, it := range items {
		r := ItemResult{Ref: it.Ref(), Code: it.Code, Label: it.Label, Level: it.Broadcast.Level.String()}
		in, err := itemSchedule(unit, it, today)
		if err == nil && !done[it.Ref()] {
			var id int64
			if id, err = b.Broadcast.DirectiveItemOrder(ctx, a, unit.ID, it.DirectiveID, it.Position); id != 0 {
				done[it.Ref()] = true
			}
		}
		if err == nil {
			switch {
			case done[it.Ref()]:
				r.Reason = ReasonScheduled
			case in.EndDate.Compare(today) < 0:
				r.Reason = fmt.Sprintf("the broadcast period ended on %s", in.EndDate)
			}
			if r.Reason != "" {
				res.Skipped = append(res.Skipped, r)
				continue
			}
			err = broadcast.ValidateDirectiveSchedule(in)
		}
		var order *broadcast.OrderView
		if err == nil {
			order, err = b.scheduleItem(ctx, a, it, in)
		}
		if errors.Is(err, model.ErrConflict) {
			// Scheduled meanwhile by another worker or an operator.
			r.Reason = ReasonScheduled
			res.Skipped = append(res.Skipped, r)
			continue
		}
		var ve *model.ValidationError
		if keepGoing && errors.As(err, &ve) {
			r.Problem = err.Error()
			if texts := b.catalog().Texts(i18n.VI, err); len(texts) > 0 {
				r.ProblemVI = strings.Join(texts, " ")
			}
			res.Skipped = append(res.Skipped, r)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("item %s of %s: %w", it.Label, it.Code, err)
		}
		done[it.Ref()] = true
		r.OrderID = order.ID
		res.Created = append(res.Created, r)
	}
	return res, nil
}

// itemTitle names the broadcast of an item by its content, as operators
// and listeners know it, followed by where it comes from: "Tuyên truyền
// trách nhiệm … (570/STTTT-TTBCBC, mục 1)". The content is cut at a word
// after about 90 characters.
func itemTitle(it directives.BroadcastItem) string {
	ref := fmt.Sprintf("%s, mục %s", it.Code, it.Label)
	text := strings.Join(strings.Fields(it.ItemText), " ")
	text = strings.TrimRight(text, ".;:,")
	if text == "" {
		return ref
	}
	const maxRunes = 90
	if r := []rune(text); len(r) > maxRunes {
		cut := string(r[:maxRunes])
		if i := strings.LastIndex(cut, " "); i > maxRunes/2 {
			cut = cut[:i]
		}
		text = strings.TrimRight(cut, ".;:, ") + "…"
	}
	return text + " (" + ref + ")"
}

func parentOf(u *model.Unit) int64 {
	if u.ParentID == nil {
		return 0
	}
	return *u.ParentID
}

// itemSchedule turns a directive's item into the typed schedule of its
// order on the unit's devices: from today (or the item's later start) to
// the item's end (or its start), at the item's times or N times spread
// over the day. Its dates are parsed here, once.
func itemSchedule(unit *model.Unit, it directives.BroadcastItem, today schedule.Date) (broadcast.DirectiveItemSchedule, error) {
	in := broadcast.DirectiveItemSchedule{UnitID: unit.ID, DirectiveID: it.DirectiveID, DeliveryID: it.DeliveryID, Item: it.Position,
		Title: itemTitle(it), Level: it.Broadcast.Level, Slots: it.Broadcast.Slots, Plays: max(it.Broadcast.TimesPerDay, 1), UnitOrder: it.Position}
	var start, end schedule.Date
	for _, d := range []struct {
		field, text string
		to          *schedule.Date
	}{{"start_date", it.Broadcast.StartDate, &start}, {"end_date", it.Broadcast.EndDate, &end}} {
		if err := d.to.Scan(d.text); err != nil {
			return in, i18n.Localise(model.Invalid(d.field, "%q is not a date: use YYYY-MM-DD or DD/MM/YYYY", d.text), "bcsvc.date", d.text)
		}
	}
	in.StartDate = start
	if start.IsZero() || start.Compare(today) < 0 {
		in.StartDate = today
	}
	in.EndDate = end
	if end.IsZero() {
		in.EndDate = in.StartDate
	}
	if len(in.Slots) == 0 {
		in.Slots = schedule.Slots{schedule.SpreadSlot(max(it.Broadcast.TimesPerDay, 1), defaultFrom, defaultTo)}
	}
	return in, nil
}

// scheduleItem makes the item's media and its orders: its text read by
// speech synthesis, or its recordings, each an order of its own made in
// the item's order, so that at the item's times they play one after the
// other (the schedule plays orders of equal level, time and item number
// by their id). All recordings are converted before the first order is
// made: a refused file leaves no order behind. It returns the first order.
func (b *Bridge) scheduleItem(ctx context.Context, a model.Actor, it directives.BroadcastItem, in broadcast.DirectiveItemSchedule) (*broadcast.OrderView, error) {
	var made []*model.Media
	discard := func(err error) error {
		for _, m := range made {
			if derr := b.Broadcast.DiscardMedia(context.WithoutCancel(ctx), a, m.ID, err.Error()); derr != nil {
				return errors.Join(err, fmt.Errorf("remove the media made for the refused item: %w", derr))
			}
		}
		return err
	}
	audio := it.Broadcast.Audio
	if len(audio) == 0 {
		text := it.Broadcast.Text
		if text == "" {
			text = it.ItemText
		}
		media, err := b.Broadcast.SpeakText(ctx, a, broadcast.TTSInput{UnitID: in.UnitID, Title: in.Title, Text: text})
		if err != nil {
			return nil, err
		}
		made = append(made, media)
	}
	for k, sha := range audio {
		f, _, err := b.Blobs.Open(ctx, sha)
		if err != nil {
			return nil, discard(fmt.Errorf("audio %d of the item: %w", k+1, err))
		}
		media, err := b.Broadcast.UploadMedia(ctx, a, broadcast.MediaInput{UnitID: in.UnitID, Title: partTitle(in.Title, k, len(audio))}, f)
		f.Close()
		if err != nil {
			return nil, discard(err)
		}
		made = append(made, media)
	}
	var first *broadcast.OrderView
	for k, media := range made {
		part := in
		part.Part, part.MediaID, part.Title = k, media.ID, partTitle(in.Title, k, len(made))
		ov, err := b.Broadcast.ScheduleFromDirective(ctx, a, part)
		if err != nil {
			// The broadcast service refused the item: the speech or audio
			// made for it (and not yet in an order) must not stay behind
			// in the station's library.
			made = made[k:]
			return nil, discard(err)
		}
		if first == nil {
			first = ov
		}
	}
	return first, nil
}

// partTitle names recording k (from 0) of an item with n of them:
// "… (570/STTTT-TTBCBC, mục 3, bản ghi 2/2)".
func partTitle(title string, k, n int) string {
	if n < 2 {
		return title
	}
	if strings.HasSuffix(title, ")") {
		return fmt.Sprintf("%s, bản ghi %d/%d)", strings.TrimSuffix(title, ")"), k+1, n)
	}
	return fmt.Sprintf("%s (bản ghi %d/%d)", title, k+1, n)
}
