package broadcast

import (
	"context"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/schedule"
)

// Admission of a cold start. When thousands of devices connect at once
// (the server restarts, a province's devices power up) and each fetched
// its schedule at once, most fetches would wait for a rebuild slot and
// many would be answered "busy" (503). Instead, a device whose schedule
// must be rebuilt is told in its push hello to fetch later
// (FetchAfterMS, a generous fallback) and queued here; the server then
// calls the queued devices in turn with a `schedule` event on their push
// channel, never more at once than it has rebuild slots, each as soon as
// an earlier one's fetch is served. The pace is the server's own,
// whatever the machine: no fixed rate is guessed.

// maxInvited bounds the devices called to fetch and not yet served.
const maxInvited = maxConcurrentBuilds

// invitationTTL is how long a called device has to fetch before its
// place is given to the next one (it disconnected, or its fetch failed
// before reaching the server): a device's request times out after 30 s.
const invitationTTL = 30 * time.Second

// Fallback delay told in the hello, for a device that is never called
// although it stays connected (a call is lost only with its connection,
// and a device that reconnects is queued again by its new hello): it
// fetches on its own after admitFallbackBase plus admitFallbackPer per
// device queued before it (at most protocol.MaxFetchAfterMS). Generous,
// so that a slow server's fallbacks do not overtake its calls.
const (
	admitFallbackBase = 2 * time.Minute
	admitFallbackPer  = 20 * time.Millisecond
)

// admission is the queue of devices waiting to be called to fetch.
type admission struct {
	mu      sync.Mutex
	queue   []int64             // devices in order of their hello
	queued  map[int64]bool      // in queue and not served since
	invited map[int64]time.Time // called, not yet served
	wake    chan struct{}
}

func newAdmission() *admission {
	return &admission{queued: map[int64]bool{}, invited: map[int64]time.Time{}, wake: make(chan struct{}, 1)}
}

// enqueue admits a device at once (0: nobody is queued and fewer than
// maxInvited are being served) or queues it and returns its fallback
// delay.
func (q *admission) enqueue(id int64, now time.Time) time.Duration {
	q.mu.Lock()
	if _, called := q.invited[id]; called || (len(q.queue) == 0 && len(q.invited) < maxInvited) {
		q.invited[id] = now
		q.mu.Unlock()
		return 0
	}
	if !q.queued[id] {
		q.queued[id] = true
		q.queue = append(q.queue, id)
	}
	ahead := len(q.queue) + len(q.invited)
	q.mu.Unlock()
	q.poke()
	return min(admitFallbackBase+time.Duration(ahead)*admitFallbackPer, protocol.MaxFetchAfterMS*time.Millisecond)
}

// poke wakes the loop that calls devices.
func (q *admission) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// served records that a device fetched its schedule (called or not): its
// place goes to the next device.
func (q *admission) served(id int64) {
	q.mu.Lock()
	_, was := q.invited[id]
	delete(q.invited, id)
	delete(q.queued, id)
	q.mu.Unlock()
	if was {
		q.poke()
	}
}

// next returns the devices to call now (at most maxInvited called and
// unserved at once), expiring invitations older than invitationTTL.
func (q *admission) next(now time.Time) []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, at := range q.invited {
		if now.Sub(at) > invitationTTL {
			delete(q.invited, id)
		}
	}
	var out []int64
	for len(q.queue) > 0 && len(q.invited) < maxInvited {
		id := q.queue[0]
		q.queue = q.queue[1:]
		if !q.queued[id] {
			continue // served meanwhile
		}
		delete(q.queued, id)
		q.invited[id] = now
		out = append(out, id)
	}
	if len(q.queue) == 0 {
		q.queue = nil // release the backing array after a cold start
	}
	return out
}

// admitLoop calls the queued devices to fetch, as their turn comes.
func (s DeviceFleet) admitLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.admit.wake:
		case <-tick.C:
		}
		ids := s.admit.next(time.Now())
		if len(ids) == 0 {
			continue
		}
		f, err := NewFrame(protocol.Event{Type: protocol.EventSchedule, IssuedAt: s.clock()})
		if err != nil {
			s.log.Warn("call devices to fetch", "err", err)
			continue
		}
		for _, id := range ids {
			if s.hub.SendFrame([]int64{id}, f) == 0 {
				// Not connected here: it fetches after its hello's delay
				// or when it reconnects.
				s.admit.served(id)
			}
		}
	}
}

// Hello is the first event of a device's push connection. When the
// device's stored schedule is out of date (never built, an order changed,
// the day turned) its next fetch rebuilds it: unless it is admitted at
// once (FetchAfterMS 0: a quiet server), the device is queued and the
// hello tells it to fetch later (FetchAfterMS); the server calls it with
// a `schedule` event when its turn comes.
func (s DeviceFleet) Hello(da *DeviceAuth) protocol.Event {
	now := s.clock()
	ev := protocol.Event{Type: protocol.EventHello, IssuedAt: now.UTC()}
	h := da.Header
	if h.ETag != "" && h.Version == da.Device.ScheduleVersion && h.Day == schedule.DateOf(now.In(s.loc)).String() {
		return ev
	}
	ev.FetchAfterMS = s.admit.enqueue(da.Device.ID, time.Now()).Milliseconds()
	return ev
}
