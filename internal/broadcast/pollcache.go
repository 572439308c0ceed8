package broadcast

import (
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
)

// NoticeDevice tells every replica that a device changed in a way its
// cached authentication must not outlive (revoked): Devices names it.
const NoticeDevice = "device"

// Poll cache bounds: an entry lives at most pollCacheTTL (a safety net;
// notices invalidate entries as soon as anything changes), and the cache
// is emptied when it would hold more than pollCacheMax devices.
const (
	pollCacheTTL = 2 * time.Minute
	pollCacheMax = 1 << 18
)

// pollCache keeps, per device credential, the device and the header
// (version, day, ETag) of its stored schedule, so that the poll of a
// device whose schedule did not change (the vast majority: every device
// polls every 30 s) is answered 304 without touching the database.
//
// It is never the only truth: every change that makes a schedule or a
// credential stale (an order created, cancelled, an emergency, a revoked
// device) is published as a notice to every replica, and each replica
// drops the entries concerned (all of them for notices without a device
// list, and after the notifier reconnects: NoticeResync). A poll that read
// the database before an invalidation does not store what it read after
// it (generation check), so an entry is never older than the last notice.
//
// It also remembers the devices that had no waiting command when their
// last heartbeat looked (until the TTL), so that the heartbeats of a
// fleet (every device, every minute) do not query for commands: a
// command is published to every replica (EventCommand with its device),
// which forgets that device's entry.
type pollCache struct {
	mu       sync.Mutex
	gen      uint64
	byCred   map[string]*pollEntry
	byDevice map[int64]string
	noCmds   map[int64]time.Time // device → until when it has no waiting command
	// playItems holds, per device, the schedule items its play reports
	// were checked against (playitemcache.go); playItemCount counts them.
	playItems     map[int64]*playItemEntry
	playItemCount int
}

type pollEntry struct {
	device *model.Device
	header model.ScheduleHeader
	until  time.Time
}

func newPollCache() *pollCache {
	return &pollCache{byCred: map[string]*pollEntry{}, byDevice: map[int64]string{}, noCmds: map[int64]time.Time{}, playItems: map[int64]*playItemEntry{}}
}

// noCommands reports whether the device had no waiting command when a
// heartbeat last looked, and nothing was queued for it since.
func (c *pollCache) noCommands(deviceID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.noCmds[deviceID]
	return ok && !now.After(until)
}

// putNoCommands records that a heartbeat found no waiting command, unless
// an invalidation came since gen (read before the query).
func (c *pollCache) putNoCommands(gen uint64, deviceID int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.noCmds) >= pollCacheMax {
		c.noCmds = map[int64]time.Time{}
	}
	c.noCmds[deviceID] = now.Add(pollCacheTTL)
}

// generation is read before loading from the database, and handed to put.
func (c *pollCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns a copy of the cached device and header of a credential hash.
func (c *pollCache) get(hash string, now time.Time) (*model.Device, model.ScheduleHeader, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byCred[hash]
	if !ok || now.After(e.until) {
		return nil, model.ScheduleHeader{}, false
	}
	d := *e.device
	return &d, e.header, true
}

// put stores what a poll read, unless an invalidation came since gen.
func (c *pollCache) put(gen uint64, hash string, d *model.Device, h model.ScheduleHeader, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byCred) >= pollCacheMax {
		c.clearLocked()
	}
	if old, ok := c.byDevice[d.ID]; ok && old != hash {
		delete(c.byCred, old)
	}
	cp := *d
	c.byCred[hash] = &pollEntry{device: &cp, header: h, until: now.Add(pollCacheTTL)}
	c.byDevice[d.ID] = hash
}

// setHeader records the header of a schedule this replica just stored,
// if the cached device is at the version it was built for.
func (c *pollCache) setHeader(deviceID int64, h model.ScheduleHeader) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hash, ok := c.byDevice[deviceID]
	if !ok {
		return
	}
	if e := c.byCred[hash]; e != nil && e.device.ScheduleVersion == h.Version {
		e.header = h
	}
}

// forget drops the entries of devices (all of them when devices is nil).
func (c *pollCache) forget(devices []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if devices == nil {
		c.clearLocked()
		return
	}
	for _, id := range devices {
		delete(c.noCmds, id)
		if e, ok := c.playItems[id]; ok {
			c.playItemCount -= len(e.items)
			delete(c.playItems, id)
		}
		if h, ok := c.byDevice[id]; ok {
			delete(c.byCred, h)
			delete(c.byDevice, id)
		}
	}
}

func (c *pollCache) clearLocked() {
	c.byCred = map[string]*pollEntry{}
	c.byDevice = map[int64]string{}
	c.noCmds = map[int64]time.Time{}
	c.playItems = map[int64]*playItemEntry{}
	c.playItemCount = 0
}

// size is the number of cached devices (tests, metrics).
func (c *pollCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byCred)
}

// invalidate drops what a notice makes stale.
func (c *pollCache) invalidate(n Notice) {
	switch n.Kind {
	case protocol.EventCommand:
		// Commands go with heartbeats and pushes, not schedules: only
		// the devices' "no waiting command" is forgotten.
		c.mu.Lock()
		defer c.mu.Unlock()
		c.gen++
		if len(n.Devices) == 0 {
			c.noCmds = map[int64]time.Time{}
		}
		for _, id := range n.Devices {
			delete(c.noCmds, id)
		}
	case protocol.EventSchedule, NoticeDevice:
		if len(n.Devices) > 0 {
			c.forget(n.Devices)
			return
		}
		c.forget(nil)
	case protocol.EventEmergency, protocol.EventLive:
		if n.PlaysPending {
			// Pushed before its plays are written: every cached schedule
			// header is still the stored one. Keeping the entries spares
			// the fan-out a database read by every device that polls or
			// beats while it runs (the NoticeStale after the plays drops
			// them).
			return
		}
		c.forget(nil)
	default: // resync, stale schedules, anything new
		c.forget(nil)
	}
}
