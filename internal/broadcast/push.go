package broadcast

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// resyncWindow: after a notifier reconnect, emergencies issued this
// recently are delivered again.
const resyncWindow = 10 * time.Minute

// Subscribe opens the push channel of an authenticated device.
func (s DeviceFleet) Subscribe(da *DeviceAuth) *Subscription {
	return s.hub.Subscribe(da.Device.ID)
}

// deliverLoop turns notices from any replica into events for the devices
// connected here.
func (s DeviceFleet) deliverLoop(ctx context.Context, notices <-chan Notice) {
	for {
		select {
		case <-ctx.Done():
			return
		case n, ok := <-notices:
			if !ok {
				return
			}
			if err := s.deliver(ctx, n); err != nil && ctx.Err() == nil {
				s.log.Warn("deliver notice", "kind", n.Kind, "order", n.OrderID, "err", err)
			}
		}
	}
}

func (s DeviceFleet) deliver(ctx context.Context, n Notice) error {
	s.polls.invalidate(n)
	switch n.Kind {
	case protocol.EventEmergency, protocol.EventLive:
		if s.pushed.has(n.OrderID) {
			// Issued here: pushed to this replica's devices already.
			return nil
		}
		o, err := s.store.Broadcast().Order(ctx, n.OrderID)
		if err != nil {
			return err
		}
		return s.pushOrder(ctx, o)
	case protocol.EventSchedule:
		devices := n.Devices
		if len(devices) == 0 && n.OrderID != 0 {
			var err error
			if devices, err = s.store.Broadcast().OrderDeviceIDs(ctx, n.OrderID); err != nil {
				return err
			}
		}
		_, err := s.hub.Send(devices, protocol.Event{Type: protocol.EventSchedule, IssuedAt: s.clock(), OrderID: n.OrderID})
		return err
	case protocol.EventCommand:
		for _, d := range n.Devices {
			if !s.hub.Connected(d) {
				continue
			}
			cmds, err := s.store.Devices().PendingCommands(ctx, d)
			if err != nil {
				return err
			}
			for _, c := range cmds {
				if c.ID != n.Command {
					continue
				}
				wc := wireCommand(c)
				sent, err := s.hub.Send([]int64{d}, protocol.Event{Type: protocol.EventCommand, IssuedAt: c.CreatedAt, Command: &wc})
				if err != nil {
					return err
				}
				if sent > 0 {
					if err := s.store.Tx(ctx, func(tx *storage.Tx) error { return tx.Devices().MarkCommandDelivered(ctx, d, c.ID) }); err != nil {
						return err
					}
				}
			}
		}
		return nil
	case NoticeResync:
		return s.resync(ctx)
	}
	return nil
}

// pushOrder sends an emergency or live order to its targeted devices
// connected here.
func (s DeviceFleet) pushOrder(ctx context.Context, o *model.BroadcastOrder) error {
	now := s.clock()
	if o.CancelledAt != nil || (o.ExpiresAt != nil && !now.Before(*o.ExpiresAt)) {
		return nil
	}
	devices, err := s.store.Broadcast().OrderDeviceIDs(ctx, o.ID)
	if err != nil {
		return err
	}
	ev := protocol.Event{Type: pushKind(o.Level), IssuedAt: o.CreatedAt, OrderID: o.ID, Items: pushItems(o)}
	n, err := s.hub.Send(devices, ev)
	if err != nil {
		return err
	}
	s.log.Info("emergency pushed", "order", o.ID, "targeted", len(devices), "connections_here", n)
	return nil
}

// pushIssued sends an emergency or live order just stored by this replica
// to its devices connected here, before the notice goes out: the issuing
// request already knows the order, its media and its devices, so the
// push costs no query and does not wait for the notifier's round trip
// (the other replicas push on the notice). The order is remembered, so
// that the notice coming back to this replica does not push it twice.
// It returns how many connections got the event.
func (s DeviceFleet) pushIssued(o *model.BroadcastOrder, devices []int64) int {
	s.pushed.add(o.ID, s.clock())
	n, err := s.hub.Send(devices, protocol.Event{Type: pushKind(o.Level), IssuedAt: o.CreatedAt, OrderID: o.ID, Items: pushItems(o)})
	if err != nil {
		s.log.Warn("push emergency; devices will see it at their next poll", "order", o.ID, "err", err)
		return 0
	}
	return n
}

// maxFanOutWait bounds how long an emergency's second transaction waits
// for its push to be written on every connection.
const maxFanOutWait = 2 * time.Second

// awaitFanOut waits, at most limit, until every frame handed to a
// connection here is written.
func (s DeviceFleet) awaitFanOut(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for s.hub.Pending() > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// pushedOrders remembers the orders this replica pushed itself while it
// issued them (pushIssued), for as long as their notice may take to come
// back.
type pushedOrders struct {
	mu sync.Mutex
	at map[int64]time.Time
}

// pushedMemory is how long an order pushed by its issuing replica is
// remembered.
const pushedMemory = 10 * time.Minute

func (p *pushedOrders) add(id int64, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at == nil {
		p.at = map[int64]time.Time{}
	}
	for k, t := range p.at {
		if now.Sub(t) > pushedMemory {
			delete(p.at, k)
		}
	}
	p.at[id] = now
}

func (p *pushedOrders) has(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.at[id]
	return ok
}

// pushItems are the plays of an emergency or live order.
func pushItems(o *model.BroadcastOrder) []protocol.Item {
	var out []protocol.Item
	d := time.Duration(o.MediaDurationMS) * time.Millisecond
	stream := liveOnAir(o)
	if stream {
		d = liveLength(o)
	}
	for _, t := range emergencyTimes(o) {
		it := protocol.Item{ID: ItemID(o.ID, t), OrderID: o.ID, Title: o.Title, Level: o.Level, Interrupts: o.Interrupts,
			Requested: t.UTC(), Start: t.UTC(), End: t.Add(d).UTC(), Media: protocol.Media{SHA256: o.MediaSHA256, Size: o.MediaSize, DurationMS: o.MediaDurationMS, OriginalSHA256: o.MediaOriginalSHA256},
			Stream: stream}
		if o.ExpiresAt != nil {
			e := o.ExpiresAt.UTC()
			it.Expires = &e
		}
		out = append(out, it)
	}
	return out
}

// resync delivers recent unexpired emergencies again after a notifier
// outage.
func (s DeviceFleet) resync(ctx context.Context) error {
	orders, err := s.store.Broadcast().OrdersOfUnits(ctx, "", 200)
	if err != nil {
		return err
	}
	now := s.clock()
	var errs []error
	for _, o := range orders {
		if o.IssuedAt == nil || now.Sub(*o.IssuedAt) > resyncWindow {
			continue
		}
		if err := s.pushOrder(ctx, o); err != nil && !errors.Is(err, model.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
