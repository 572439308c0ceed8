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

// Broadcast is what scheduling needs of the broadcast service.
type Broadcast interface {
	Orders(ctx context.Context, a model.Actor, unitID int64) ([]*broadcast.OrderView, error)
	CreateOrder(ctx context.Context, a model.Actor, in broadcast.OrderInput) (*broadcast.OrderView, error)
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error)
	Emergency(ctx context.Context, a model.Actor, in broadcast.EmergencyInput) (*broadcast.EmergencyResult, error)
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
	if len(items) == 0 {
		return res, nil
	}
	existing, err := b.Broadcast.Orders(ctx, a, unit.ID)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, o := range existing {
		if o.UnitID != unit.ID {
			continue
		}
		if o.SourceRef != "" {
			done[o.SourceRef] = true
		} else {
			done["title:"+o.Title] = true // emergencies made before they carried a source reference
		}
	}
	today := b.Now().In(b.Location).Format("2006-01-02")
	for _, it := range items {
		r := ItemResult{Ref: it.Ref(), Code: it.Code, Label: it.Label, Level: it.Broadcast.Level.String()}
		switch {
		case done[it.Ref()] || done["title:"+itemTitle(it)]:
			r.Reason = ReasonScheduled
		case it.Broadcast.EndDate != "" && it.Broadcast.EndDate < today:
			r.Reason = fmt.Sprintf("the broadcast period ended on %s", it.Broadcast.EndDate)
		}
		if r.Reason != "" {
			res.Skipped = append(res.Skipped, r)
			continue
		}
		order, err := b.scheduleItem(ctx, a, unit, it, today)
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

// itemTitle names the broadcast of an item: "570/STTTT-TTBCBC, mục 1".
func itemTitle(it directives.BroadcastItem) string {
	return fmt.Sprintf("%s, mục %s", it.Code, it.Label)
}

func parentOf(u *model.Unit) int64 {
	if u.ParentID == nil {
		return 0
	}
	return *u.ParentID
}

func (b *Bridge) scheduleItem(ctx context.Context, a model.Actor, unit *model.Unit, it directives.BroadcastItem, today string) (*broadcast.OrderView, error) {
	title := itemTitle(it)
	var media *model.Media
	var err error
	if len(it.Broadcast.Audio) > 0 {
		f, _, oerr := b.Blobs.Open(ctx, it.Broadcast.Audio[0])
		if oerr != nil {
			return nil, fmt.Errorf("audio of the item: %w", oerr)
		}
		media, err = b.Broadcast.UploadMedia(ctx, a, broadcast.MediaInput{UnitID: unit.ID, Title: title}, f)
		f.Close()
	} else {
		text := it.Broadcast.Text
		if text == "" {
			text = it.ItemText
		}
		media, err = b.Broadcast.SpeakText(ctx, a, broadcast.TTSInput{UnitID: unit.ID, Title: title, Text: text})
	}
	if err != nil {
		return nil, err
	}
	start := it.Broadcast.StartDate
	if start == "" || start < today {
		start = today
	}
	end := it.Broadcast.EndDate
	if end == "" {
		end = start
	}
	slots := it.Broadcast.Slots
	if len(slots) == 0 {
		n := it.Broadcast.TimesPerDay
		if n < 1 {
			n = 1
		}
		slots = []schedule.Slot{schedule.SpreadSlot(n, defaultFrom, defaultTo)}
	}
	targets := []model.OrderTarget{{Kind: model.TargetSubtree, ID: unit.ID}}
	if it.Broadcast.Level == schedule.LevelEmergency {
		// Emergency content plays at once, interrupting, and repeats.
		repeats := max(it.Broadcast.TimesPerDay, 1)
		er, err := b.Broadcast.Emergency(ctx, a, broadcast.EmergencyInput{UnitID: unit.ID, Title: title, MediaID: media.ID, Targets: targets, Repeats: repeats,
			Source: "directive", SourceRef: it.Ref()})
		if err != nil {
			return nil, err
		}
		return er.Order, nil
	}
	return b.Broadcast.CreateOrder(ctx, a, broadcast.OrderInput{UnitID: unit.ID, Title: title, MediaID: media.ID, Level: it.Broadcast.Level.String(),
		StartDate: start, EndDate: end, Slots: slots, UnitOrder: it.Position, Targets: targets, Source: "directive", SourceRef: it.Ref()})
}
