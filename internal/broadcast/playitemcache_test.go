package broadcast

import (
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/storage"
)

// TestPlayItemCacheInvalidation: a device's remembered play items go with
// the notices that make its schedule stale (not with commands), a look-up
// that raced an invalidation is not remembered, and the cache stays
// within its bounds.
func TestPlayItemCacheInvalidation(t *testing.T) {
	c := newPollCache()
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	items := map[string]storage.PlayItem{"o1-1": {OrderID: 1, Start: now}}
	has := func(device int64) bool {
		known, missing := c.getPlayItems(device, 1, []string{"o1-1"}, now)
		return len(known) == 1 && len(missing) == 0
	}
	c.putPlayItems(c.generation(), 7, 1, items, now)
	c.putPlayItems(c.generation(), 8, 1, items, now)
	if !has(7) || !has(8) {
		t.Fatal("items just remembered are not found")
	}
	if known, missing := c.getPlayItems(7, 2, []string{"o1-1"}, now); len(known) != 0 || len(missing) != 1 {
		t.Fatalf("at another schedule version: known %v, missing %v; want everything looked up", known, missing)
	}
	c.invalidate(Notice{Kind: protocol.EventCommand, Devices: []int64{7}})
	if !has(7) {
		t.Fatal("a command notice dropped the device's schedule items")
	}
	c.invalidate(Notice{Kind: protocol.EventSchedule, Devices: []int64{7}})
	if has(7) || !has(8) {
		t.Fatalf("schedule notice for device 7: device 7 remembered %v, device 8 %v; want false, true", has(7), has(8))
	}
	gen := c.generation()
	c.invalidate(Notice{Kind: protocol.EventEmergency})
	c.putPlayItems(gen, 7, 1, items, now)
	if has(7) || has(8) || c.playItemCount != 0 {
		t.Fatalf("after an emergency notice (and a look-up that raced it): %d items remembered, want 0", c.playItemCount)
	}
	big := make(map[string]storage.PlayItem, playItemsPerDevice)
	for i := range playItemsPerDevice {
		big["o1-"+time.Duration(i).String()] = storage.PlayItem{OrderID: 1, Start: now}
	}
	for d := int64(1); d <= playItemsMax/playItemsPerDevice+2; d++ {
		c.putPlayItems(c.generation(), d, 1, big, now)
		if c.playItemCount > playItemsMax {
			t.Fatalf("%d items remembered, bound %d", c.playItemCount, playItemsMax)
		}
		if _, ok := c.playItems[d]; !ok {
			t.Fatalf("device %d's items not remembered in a full cache", d)
		}
	}
	if n := len(c.playItems); n != playItemsMax/playItemsPerDevice {
		t.Fatalf("a full cache holds %d devices' entries, want %d (only what the new ones needed made room)", n, playItemsMax/playItemsPerDevice)
	}
	count := 0
	for _, e := range c.playItems {
		count += len(e.items)
	}
	if count != c.playItemCount {
		t.Fatalf("playItemCount %d, entries hold %d items", c.playItemCount, count)
	}
	c.putPlayItems(c.generation(), 1, 1, items, now)
	if n := len(c.playItems[1].items); n != 1 {
		t.Fatalf("a full device entry took one more item: %d items, want a fresh entry of 1", n)
	}
}
