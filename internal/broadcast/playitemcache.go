package broadcast

import (
	"context"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Bounds of the play-item cache: a device's entry lives at most
// pollCacheTTL, holds at most playItemsPerDevice items, and the whole
// cache holds at most playItemsMax items (other devices' entries make
// room for new ones).
const (
	playItemsPerDevice = 2048
	playItemsMax       = 1 << 17
)

// playItemEntry is what the poll cache remembers of a device's schedule
// items: those its play reports were checked against, for the schedule
// version they were read at.
type playItemEntry struct {
	version int64
	items   map[string]storage.PlayItem
	until   time.Time
}

// playItems returns, among itemIDs, the items the device was given (see
// BroadcastStore.PlayItems), answering from the poll cache what an
// earlier upload of the device already looked up.
//
// The cache is only an optimisation, never the truth: an item is looked
// up in the database unless the device's entry holds it, an entry is used
// only at the schedule version it was read at (the device's version, from
// its authentication, as fresh as the poll cache's notices), it lives at
// most pollCacheTTL, and every notice that makes a device's schedule stale
// (orders, emergencies, revoked devices, a resync) drops it on every
// replica, as it drops the device's cached poll. An item missing from the
// entry (a new day's schedule, an item pushed since) is always read from
// the database.
func (s Library) playItems(ctx context.Context, d *model.Device, itemIDs []string) (map[string]storage.PlayItem, error) {
	now := s.clock()
	gen := s.polls.generation()
	known, missing := s.polls.getPlayItems(d.ID, d.ScheduleVersion, itemIDs, now)
	if len(missing) == 0 {
		return known, nil
	}
	found, err := s.store.Broadcast().PlayItems(ctx, d.ID, missing)
	if err != nil {
		return nil, err
	}
	for id, it := range found {
		known[id] = it
	}
	s.polls.putPlayItems(gen, d.ID, d.ScheduleVersion, found, now)
	return known, nil
}

// getPlayItems splits itemIDs into the items the device's entry holds
// (for its schedule version, not expired) and those to look up.
func (c *pollCache) getPlayItems(deviceID, version int64, itemIDs []string, now time.Time) (map[string]storage.PlayItem, []string) {
	known := make(map[string]storage.PlayItem, len(itemIDs))
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.playItems[deviceID]
	if e == nil || e.version != version || now.After(e.until) {
		return known, itemIDs
	}
	var missing []string
	for _, id := range itemIDs {
		if it, ok := e.items[id]; ok {
			known[id] = it
		} else {
			missing = append(missing, id)
		}
	}
	return known, missing
}

// putPlayItems adds items read from the database at a schedule version to
// the device's entry, unless an invalidation came since gen (read before
// the query). An entry of another version or a full one is replaced; a
// full cache drops other devices' entries.
func (c *pollCache) putPlayItems(gen uint64, deviceID, version int64, items map[string]storage.PlayItem, now time.Time) {
	if len(items) == 0 || len(items) > playItemsPerDevice {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	e := c.playItems[deviceID]
	if e != nil && (e.version != version || now.After(e.until) || len(e.items)+len(items) > playItemsPerDevice) {
		c.playItemCount -= len(e.items)
		delete(c.playItems, deviceID)
		e = nil
	}
	// Full: other devices' entries go (map order, i.e. arbitrary ones)
	// until the new items fit, so that a fleet larger than the bound
	// keeps most of its entries instead of starting again empty.
	for id, old := range c.playItems {
		if c.playItemCount+len(items) <= playItemsMax {
			break
		}
		if id != deviceID {
			c.playItemCount -= len(old.items)
			delete(c.playItems, id)
		}
	}
	if e == nil {
		e = &playItemEntry{version: version, items: make(map[string]storage.PlayItem, len(items)), until: now.Add(pollCacheTTL)}
		c.playItems[deviceID] = e
	}
	for id, it := range items {
		if _, ok := e.items[id]; !ok {
			c.playItemCount++
		}
		e.items[id] = it
	}
}
