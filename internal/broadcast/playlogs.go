package broadcast

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Tolerances of play reports.
const (
	// ClockSkew is how far in the future (by the server's clock) a play
	// may be reported to have started.
	ClockSkew = 5 * time.Minute
	// EarlyStart is how long before its planned start an item may be
	// reported to have started.
	EarlyStart = 15 * time.Minute
)

// RejectedError refuses a play-log batch: nothing of it was stored. The
// device drops the rejected events and sends the others again.
type RejectedError struct {
	Rejected []protocol.Rejection
}

func (e *RejectedError) Error() string {
	first := e.Rejected[0]
	return fmt.Sprintf("%d play event(s) refused, nothing stored; event %d (%s): %s", len(e.Rejected), first.Index, first.EventID, first.Reason)
}

// Unwrap makes the refusal a validation error too.
func (e *RejectedError) Unwrap() error {
	return &model.ValidationError{Field: "events", Msg: e.Error()}
}

// IngestPlays stores a device's play reports. Every event must name an
// item that was scheduled for or pushed to this device; an event already
// stored (same event id) is counted as a duplicate, never twice. A batch
// with any invalid event is refused as a whole.
func (s Library) IngestPlays(ctx context.Context, da *DeviceAuth, batch protocol.PlayLogBatch) (*protocol.PlayLogResult, error) {
	n := len(batch.Events)
	if n == 0 {
		return nil, model.Invalid("events", "the batch holds no events")
	}
	if n > protocol.MaxPlayEvents {
		return nil, model.Invalid("events", "%d events in one batch: send at most %d per request", n, protocol.MaxPlayEvents)
	}
	now := s.clock()
	var rejected []protocol.Rejection
	reject := func(i int, ev protocol.PlayEvent, format string, args ...any) {
		rejected = append(rejected, protocol.Rejection{Index: i, EventID: ev.EventID, Reason: fmt.Sprintf(format, args...)})
	}
	itemIDs := make([]string, 0, n)
	seenItem := map[string]bool{}
	for i, ev := range batch.Events {
		if err := protocol.CheckEventID(ev.EventID); err != nil {
			reject(i, ev, "%v", err)
			continue
		}
		if err := protocol.CheckItemID(ev.ItemID); err != nil {
			reject(i, ev, "%v", err)
			continue
		}
		if !seenItem[ev.ItemID] {
			seenItem[ev.ItemID] = true
			itemIDs = append(itemIDs, ev.ItemID)
		}
	}
	known, err := s.playItems(ctx, da.Device, itemIDs)
	if err != nil {
		return nil, err
	}
	logs := make([]model.PlayLog, 0, n)
	inBatch := map[string]bool{}
	dups := 0
	bad := map[int]bool{}
	for _, r := range rejected {
		bad[r.Index] = true
	}
	for i, ev := range batch.Events {
		if bad[i] {
			continue
		}
		it, ok := known[ev.ItemID]
		switch {
		case !ok:
			reject(i, ev, "item %q was never scheduled for or pushed to device %d", ev.ItemID, da.Device.ID)
			continue
		case ev.Status != protocol.PlayCompleted && ev.Status != protocol.PlayInterrupted && ev.Status != protocol.PlayFailed:
			reject(i, ev, "status %q: use completed, interrupted or failed", ev.Status)
			continue
		case ev.StartedAt.IsZero() || ev.EndedAt.IsZero():
			reject(i, ev, "started_at and ended_at are required (RFC 3339)")
			continue
		case ev.EndedAt.Before(ev.StartedAt):
			reject(i, ev, "ended_at %s is before started_at %s", ev.EndedAt.Format(time.RFC3339), ev.StartedAt.Format(time.RFC3339))
			continue
		case ev.EndedAt.Sub(ev.StartedAt) > schedule.MaxContentDuration:
			reject(i, ev, "a play cannot last longer than %s", schedule.MaxContentDuration)
			continue
		case ev.StartedAt.After(now.Add(ClockSkew)):
			reject(i, ev, "started_at %s lies in the future (server time %s); check the device's clock", ev.StartedAt.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
			continue
		case ev.StartedAt.Before(it.Start.Add(-EarlyStart)):
			reject(i, ev, "started_at %s is long before the item's planned start %s", ev.StartedAt.UTC().Format(time.RFC3339), it.Start.UTC().Format(time.RFC3339))
			continue
		case len(ev.Error) > protocol.MaxFieldLen*5:
			reject(i, ev, "error text is limited to %d bytes", protocol.MaxFieldLen*5)
			continue
		}
		if inBatch[ev.EventID] {
			dups++
			continue
		}
		inBatch[ev.EventID] = true
		logs = append(logs, model.PlayLog{DeviceID: da.Device.ID, EventID: ev.EventID, ItemID: ev.ItemID, OrderID: it.OrderID,
			Status: ev.Status, StartedAt: ev.StartedAt, EndedAt: ev.EndedAt, ReceivedAt: now})
	}
	if len(rejected) > 0 {
		sortRejections(rejected)
		return nil, &RejectedError{Rejected: rejected}
	}
	inserted, err := s.savePlays(ctx, logs)
	if err != nil {
		return nil, err
	}
	return &protocol.PlayLogResult{Accepted: int(inserted), Duplicates: dups + len(logs) - int(inserted)}, nil
}

func sortRejections(r []protocol.Rejection) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].Index < r[j-1].Index; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// PlayLogs lists the plays a device reported (newest first).
func (s Library) PlayLogs(ctx context.Context, a model.Actor, deviceID, orderID int64, limit int) ([]model.PlayLog, error) {
	switch {
	case deviceID != 0:
		if _, _, err := s.Fleet().deviceFor(ctx, a, authz.BroadcastRead, deviceID); err != nil {
			return nil, err
		}
	case orderID != 0:
		if _, err := s.OrderBook().Order(ctx, a, orderID); err != nil {
			return nil, err
		}
	default:
		return nil, model.Invalid("device_id", "name a device_id or an order_id")
	}
	return s.store.Broadcast().PlayLogs(ctx, model.PlayLogFilter{DeviceID: deviceID, OrderID: orderID, Limit: limit})
}
