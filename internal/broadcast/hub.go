package broadcast

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// subscriberBuffer is how many events may wait for a slow connection
// before it is dropped (the device reconnects and fetches its schedule).
// Events are rare (emergencies, schedule changes, commands) and every
// connected device holds this buffer, so it is small.
const subscriberBuffer = 8

// Frame is one push event, encoded once for all the connections that get
// it: an emergency to 10,000 devices is marshalled once, not 10,000 times.
type Frame struct {
	Event protocol.Event
	Data  []byte // the JSON encoding of Event
}

// NewFrame encodes ev.
func NewFrame(ev protocol.Event) (*Frame, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", ev.Type, err)
	}
	return &Frame{Event: ev, Data: b}, nil
}

// Subscription is one open push connection of a device. Its writer takes
// frames from C, writes them and calls Delivered for each.
type Subscription struct {
	DeviceID int64
	C        <-chan *Frame
	ch       chan *Frame
	hub      *Hub
	once     sync.Once
	dropped  atomic.Bool
}

// Lagged reports whether events were dropped because the connection was
// too slow; the server then closes it.
func (s *Subscription) Lagged() bool { return s.dropped.Load() }

// Delivered tells the hub that the writer is done with a frame it took
// from C (written, or given up with the connection).
func (s *Subscription) Delivered() { s.hub.pending.Add(-1) }

// Close unregisters the subscription; frames it did not take are
// discarded.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.hub.remove(s)
		s.discard()
	})
}

// closeChannel ends a subscription the hub already unregistered (replaced
// by a newer connection of the same device).
func (s *Subscription) closeChannel() {
	s.once.Do(s.discard)
}

// discard closes the channel of an unregistered subscription (no frame
// can be sent to it any more) and counts the frames left in it as done.
func (s *Subscription) discard() {
	close(s.ch)
	for range s.ch {
		s.hub.pending.Add(-1)
	}
}

// Hub holds the push connections of the devices connected to this
// replica and delivers events to them without blocking. A device holds
// one connection (Subscribe replaces the older one), so a fan-out is one
// map lookup and one channel send per device.
type Hub struct {
	mu      sync.RWMutex
	subs    map[int64]*Subscription
	count   atomic.Int64
	sent    atomic.Int64
	dropped atomic.Int64
	pending atomic.Int64 // frames sent and not yet delivered
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[int64]*Subscription{}} }

// Subscribe registers a push connection of a device. A device holds one
// push connection: the one it held before here is closed (its stream
// ends), so a leaked or replayed credential cannot pile up connections.
func (h *Hub) Subscribe(deviceID int64) *Subscription {
	ch := make(chan *Frame, subscriberBuffer)
	s := &Subscription{DeviceID: deviceID, C: ch, ch: ch, hub: h}
	h.mu.Lock()
	old := h.subs[deviceID]
	h.subs[deviceID] = s
	if old == nil {
		h.count.Add(1)
	}
	h.mu.Unlock()
	if old != nil {
		old.closeChannel()
	}
	return s
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[s.DeviceID] != s {
		return
	}
	delete(h.subs, s.DeviceID)
	h.count.Add(-1)
}

// Send delivers ev, encoded once, to every connection of the given
// devices held here and returns how many connections got it.
func (h *Hub) Send(deviceIDs []int64, ev protocol.Event) (int, error) {
	f, err := NewFrame(ev)
	if err != nil {
		return 0, err
	}
	return h.SendFrame(deviceIDs, f), nil
}

// SendFrame delivers an encoded event to every connection of the given
// devices held here, without blocking: a connection whose buffer is full
// is marked lagged (the server closes it, the device reconnects and
// refetches its schedule). It returns how many connections got it.
func (h *Hub) SendFrame(deviceIDs []int64, f *Frame) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, id := range deviceIDs {
		s := h.subs[id]
		if s == nil {
			continue
		}
		// Counted before the send: the writer may deliver it at once.
		h.pending.Add(1)
		select {
		case s.ch <- f:
			n++
		default:
			h.pending.Add(-1)
			s.dropped.Store(true)
			h.dropped.Add(1)
		}
	}
	h.sent.Add(int64(n))
	return n
}

// Pending returns how many frames were handed to connections here and
// are not yet written (or discarded with their connection): 0 once a
// fan-out went out on every connection.
func (h *Hub) Pending() int64 { return h.pending.Load() }

// Connected reports whether a device has a push connection here.
func (h *Hub) Connected(deviceID int64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.subs[deviceID] != nil
}

// Stats returns the number of open connections, events sent and events
// dropped on slow connections.
func (h *Hub) Stats() (connections, sent, dropped int64) {
	return h.count.Load(), h.sent.Load(), h.dropped.Load()
}

// CloseAll closes every connection (shutdown).
func (h *Hub) CloseAll() {
	h.mu.RLock()
	all := make([]*Subscription, 0, len(h.subs))
	for _, s := range h.subs {
		all = append(all, s)
	}
	h.mu.RUnlock()
	for _, s := range all {
		s.Close()
	}
}
