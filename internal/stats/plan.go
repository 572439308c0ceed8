package stats

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// DueAfter: a scheduled slot is due (expected to have played and been
// reported) this long after it started; until then it is neither played
// nor missed.
const DueAfter = 10 * time.Minute

// MaxDashOrders bounds the orders one dashboard considers.
const MaxDashOrders = 20000

// slotTimes returns the instants an order is scheduled to start on from
// day first to day last (both included), in order: its time slots on the
// days of its range and weekdays, or an emergency's issue time and
// repeats. It reads the order's definition only.
func slotTimes(o *storage.BroadcastOrder, first, last schedule.Date, loc *time.Location) []time.Time {
	if first.Compare(o.StartDate) < 0 {
		first = o.StartDate
	}
	if last.Compare(o.EndDate) > 0 {
		last = o.EndDate
	}
	var out []time.Time
	if len(o.Slots) == 0 {
		if o.IssuedAt == nil {
			return nil
		}
		for i := range max(o.Repeats, 1) {
			t := o.IssuedAt.Add(time.Duration(i*o.RepeatEveryS) * time.Second)
			if d := schedule.DateOf(t.In(loc)); d.Compare(first) >= 0 && d.Compare(last) <= 0 {
				out = append(out, t)
			}
		}
		return out
	}
	days := map[time.Weekday]bool{}
	for _, f := range strings.Fields(o.Weekdays) {
		if n, err := strconv.Atoi(f); err == nil {
			days[time.Weekday(n)] = true
		}
	}
	var clocks []schedule.Clock
	for _, s := range o.Slots {
		if s.Spread == nil {
			clocks = append(clocks, s.At)
			continue
		}
		span := int64(s.Spread.To - s.Spread.From)
		for i := range int64(max(s.Spread.Count, 0)) {
			clocks = append(clocks, s.Spread.From+schedule.Clock(i*span/int64(s.Spread.Count)))
		}
	}
	slices.Sort(clocks)
	for d, n := first, 0; d.Compare(last) <= 0 && n <= MaxPeriodDays; d, n = d.AddDays(1), n+1 {
		if len(days) > 0 && !days[d.Weekday()] {
			continue
		}
		midnight := d.In(loc)
		for _, c := range clocks {
			out = append(out, midnight.Add(time.Duration(c)*time.Second))
		}
	}
	return out
}

// window is the part of time a device was expected to play an order:
// after both existed, before the device was revoked or the order cancelled.
func window(o *storage.BroadcastOrder, d *storage.DashDevice) (from time.Time, to *time.Time) {
	from = d.Since
	if o.MadeAt.After(from) {
		from = o.MadeAt
	}
	to = d.RevokedAt
	if c := o.CancelledAt; c != nil && (to == nil || c.Before(*to)) {
		to = c
	}
	return from, to
}

// countIn counts the instants of a sorted slice in [from, to) (to nil:
// no end) and, of them, those before due.
func countIn(ts []time.Time, from time.Time, to *time.Time, due time.Time) (n, dueN int64) {
	i, _ := slices.BinarySearchFunc(ts, from, func(a, b time.Time) int { return a.Compare(b) })
	j := len(ts)
	if to != nil {
		j, _ = slices.BinarySearchFunc(ts, *to, func(a, b time.Time) int { return a.Compare(b) })
	}
	k, _ := slices.BinarySearchFunc(ts, due, func(a, b time.Time) int { return a.Compare(b) })
	if j < i {
		return 0, 0
	}
	return int64(j - i), int64(max(0, min(j, k)-i))
}

// targeting resolves orders' targets to devices: the targeted devices of
// each order among a set of devices.
type targeting struct {
	paths map[int64]string // unit id → path
}

func (s *Service) newTargeting(ctx context.Context, orders []*storage.BroadcastOrder, known map[int64]string) (*targeting, error) {
	t := &targeting{paths: map[int64]string{}}
	for id, p := range known {
		t.paths[id] = p
	}
	for _, o := range orders {
		for _, tg := range o.Targets {
			if tg.Kind == storage.TargetDevice {
				continue
			}
			if _, ok := t.paths[tg.ID]; ok {
				continue
			}
			u, err := s.store.Orgs().Unit(ctx, tg.ID)
			if err != nil {
				t.paths[tg.ID] = "" // a unit gone: targets nothing
				continue
			}
			t.paths[tg.ID] = u.Path
		}
	}
	return t, nil
}

// devicesOf returns the indexes (in devices, sorted by unit path) of the
// devices the order plays on.
func (t *targeting) devicesOf(o *storage.BroadcastOrder, devices []storage.DashDevice, byUnit map[int64][]int, byID map[int64]int) []int {
	var out []int
	for _, tg := range o.Targets {
		switch tg.Kind {
		case storage.TargetDevice:
			if i, ok := byID[tg.ID]; ok {
				out = append(out, i)
			}
		case storage.TargetUnit:
			out = append(out, byUnit[tg.ID]...)
		case storage.TargetSubtree:
			p := t.paths[tg.ID]
			if p == "" {
				continue
			}
			i, _ := slices.BinarySearchFunc(devices, p, func(d storage.DashDevice, p string) int { return strings.Compare(d.UnitPath, p) })
			for ; i < len(devices) && strings.HasPrefix(devices[i].UnitPath, p); i++ {
				out = append(out, i)
			}
		}
	}
	if len(o.Targets) > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// Pair is one order on one targeted device: slots scheduled in the
// period, how many were due, and the plays reported.
type pair struct {
	order  *storage.BroadcastOrder
	device *storage.DashDevice
	index  int // of device in the devices resolved
	// Planned: slots in the days asked for; Due: of them, those that
	// should have played by now.
	planned, due int64
	// Required: slots due from the order's first day to the end of the
	// period (coverage); plays and late plays over the order's life.
	required    int64
	plays, late int64
}

// Covered: the device played the item at least as often as required.
func (p pair) covered() bool { return p.required > 0 && p.plays >= p.required }

// pairs resolves orders × devices for the days first..last.
func (s *Service) pairs(ctx context.Context, orders []*storage.BroadcastOrder, devices []storage.DashDevice, known map[int64]string,
	first, last schedule.Date) ([]pair, error) {
	t, err := s.newTargeting(ctx, orders, known)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	due := now.Add(-DueAfter)
	slices.SortStableFunc(devices, func(a, b storage.DashDevice) int { return strings.Compare(a.UnitPath, b.UnitPath) })
	byUnit, byID := map[int64][]int{}, map[int64]int{}
	for i, d := range devices {
		byUnit[d.UnitID] = append(byUnit[d.UnitID], i)
		byID[d.ID] = i
	}
	// The targeted devices of each order first, to size the pairs once.
	type targetedOf struct {
		order   *storage.BroadcastOrder
		devices []int // indexes in devices, ascending
	}
	var all []targetedOf
	total := 0
	seen := make([]bool, len(devices))
	var devIDs []int64
	for _, o := range orders {
		targeted := t.devicesOf(o, devices, byUnit, byID)
		if len(targeted) == 0 {
			continue
		}
		for _, i := range targeted {
			if !seen[i] {
				seen[i] = true
				devIDs = append(devIDs, devices[i].ID)
			}
		}
		all = append(all, targetedOf{o, targeted})
		total += len(targeted)
	}
	out := make([]pair, 0, total)
	// at[k*len(devices)+i]: the pair of the k-th order and device i in out
	// (-1: none), so each play row finds its pair in O(1).
	at := make([]int32, len(all)*len(devices))
	for i := range at {
		at[i] = -1
	}
	orderAt := make(map[int64]int, len(all))
	ids := make([]int64, 0, len(all))
	for k, tg := range all {
		o := tg.order
		inPeriod := slotTimes(o, first, last, s.cfg.Loc)
		life := slotTimes(o, o.StartDate, last, s.cfg.Loc)
		for _, i := range tg.devices {
			d := &devices[i]
			from, to := window(o, d)
			p := pair{order: o, device: d, index: i}
			p.planned, p.due = countIn(inPeriod, from, to, due)
			_, p.required = countIn(life, from, to, due)
			if p.planned == 0 && p.required == 0 {
				continue
			}
			at[k*len(devices)+i] = int32(len(out))
			out = append(out, p)
		}
		orderAt[o.ID] = k
		ids = append(ids, o.ID)
	}
	// A few devices (a commune, a district): their rows only, by the key.
	if len(devIDs) > storage.MaxPlayDeviceFilter {
		devIDs = nil
	}
	err = s.store.Broadcast().OrderDevicePlays(ctx, ids, devIDs, func(r storage.OrderDevicePlay) {
		k, ok := orderAt[r.OrderID]
		di, known := byID[r.DeviceID]
		if !ok || !known {
			return
		}
		if j := at[k*len(devices)+di]; j >= 0 {
			out[j].plays, out[j].late = r.Plays, r.Late
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pct is a share in percent with one decimal, 0 when there is no whole.
func pct(part, whole int64) float64 {
	if whole <= 0 {
		return 0
	}
	return float64(int64(1000*float64(part)/float64(whole)+0.5)) / 10
}

// ordersFor loads the orders overlapping first..last.
func (s *Service) ordersFor(ctx context.Context, first, last schedule.Date) ([]*storage.BroadcastOrder, error) {
	orders, err := s.store.Broadcast().OrdersBetween(ctx, first.String(), last.String(), MaxDashOrders)
	if err != nil {
		return nil, fmt.Errorf("orders of the period: %w", err)
	}
	return orders, nil
}
