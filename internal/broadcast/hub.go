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

// Subscription is one open push connection of a device.
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

// Close unregisters the subscription.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.hub.remove(s)
		close(s.ch)
	})
}

// closeChannel ends a subscription the hub already unregistered (replaced
// by a newer connection of the same device).
func (s *Subscription) closeChannel() {
	s.once.Do(func() { close(s.ch) })
}

// Hub holds the push connections of the devices connected to this
// replica and delivers events to them without blocking.
type Hub struct {
	mu      sync.RWMutex
	subs    map[int64]map[*Subscription]struct{}
	count   atomic.Int64
	sent    atomic.Int64
	dropped atomic.Int64
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[int64]map[*Subscription]struct{}{}} }

// Subscribe registers a push connection of a device. A device holds one
// push connection: the ones it held before here are closed (their streams
// end), so a leaked or replayed credential cannot pile up connections.
func (h *Hub) Subscribe(deviceID int64) *Subscription {
	ch := make(chan *Frame, subscriberBuffer)
	s := &Subscription{DeviceID: deviceID, C: ch, ch: ch, hub: h}
	h.mu.Lock()
	m := h.subs[deviceID]
	var old []*Subscription
	for o := range m {
		old = append(old, o)
	}
	m = map[*Subscription]struct{}{s: {}}
	h.subs[deviceID] = m
	h.count.Add(int64(1 - len(old)))
	h.mu.Unlock()
	for _, o := range old {
		o.closeChannel()
	}
	return s
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[s.DeviceID]
	if _, ok := m[s]; !ok {
		return
	}
	delete(m, s)
	if len(m) == 0 {
		delete(h.subs, s.DeviceID)
	}
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
		for s := range h.subs[id] {
			select {
			case s.ch <- f:
				n++
			default:
				s.dropped.Store(true)
				h.dropped.Add(1)
			}
		}
	}
	h.sent.Add(int64(n))
	return n
}

// Queued returns how many events wait in the connections' buffers, not
// yet taken by their writers: 0 once a fan-out has been handed to every
// connection's writer.
func (h *Hub) Queued() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, m := range h.subs {
		for s := range m {
			n += len(s.ch)
		}
	}
	return n
}

// Connected reports whether a device has a push connection here.
func (h *Hub) Connected(deviceID int64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[deviceID]) > 0
}

// Stats returns the number of open connections, events sent and events
// dropped on slow connections.
func (h *Hub) Stats() (connections, sent, dropped int64) {
	return h.count.Load(), h.sent.Load(), h.dropped.Load()
}

// CloseAll closes every connection (shutdown).
func (h *Hub) CloseAll() {
	h.mu.RLock()
	var all []*Subscription
	for _, m := range h.subs {
		for s := range m {
			all = append(all, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range all {
		s.Close()
	}
}
