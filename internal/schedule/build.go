package schedule

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
)

// InterruptPolicy says what happens to an item cut by an interrupting one.
type InterruptPolicy int8

const (
	// Truncate drops the rest of a cut item (the default).
	Truncate InterruptPolicy = iota
	// Resume plays the rest of a cut item when the channel is free again.
	Resume
	// Replay plays a cut item again from its beginning when the channel is
	// free again.
	Replay
)

// RestPolicy says what Emergency does with the entries after the emergency.
type RestPolicy int8

const (
	// Shift pushes later entries back as far as needed (within the
	// tolerance), re-resolving clashes by level (the default).
	Shift RestPolicy = iota
	// Keep leaves every entry the emergency does not overlap where it was;
	// overlapped entries move to the next gap that holds them within the
	// tolerance, or are dropped.
	Keep
)

// Options tune clash resolution. The zero value is usable.
type Options struct {
	// Tolerance is how much later than requested an item below Emergency may
	// start; later than that it is dropped. Zero means DefaultTolerance (30
	// minutes); a negative value means items never start late. In Emergency
	// it bounds how far each already planned entry may be pushed.
	Tolerance time.Duration
	// OnInterrupt says what happens to the rest of a cut item.
	OnInterrupt InterruptPolicy
	// Rest is used by Emergency only.
	Rest RestPolicy
	// MaxOccurrences bounds the device occurrences one Build call expands
	// (0 means DefaultMaxOccurrences).
	MaxOccurrences int
}

func (o Options) validate() error {
	if o.Tolerance > MaxTolerance {
		return fmt.Errorf("options: tolerance %s is more than the %s limit: %w", o.Tolerance, MaxTolerance, ErrInvalidInput)
	}
	if o.OnInterrupt < Truncate || o.OnInterrupt > Replay {
		return fmt.Errorf("options: unknown interrupt policy %d; use Truncate, Resume or Replay: %w", o.OnInterrupt, ErrInvalidInput)
	}
	if o.Rest < Shift || o.Rest > Keep {
		return fmt.Errorf("options: unknown rest policy %d; use Shift or Keep: %w", o.Rest, ErrInvalidInput)
	}
	if o.MaxOccurrences < 0 {
		return fmt.Errorf("options: max occurrences %d is negative: %w", o.MaxOccurrences, ErrInvalidInput)
	}
	return nil
}

func (o Options) tolerance() int64 {
	switch {
	case o.Tolerance == 0:
		return int64(DefaultTolerance)
	case o.Tolerance < 0:
		return 0
	}
	return int64(o.Tolerance)
}

func (o Options) maxOccurrences() int64 {
	if o.MaxOccurrences == 0 {
		return DefaultMaxOccurrences
	}
	return int64(o.MaxOccurrences)
}

// Entry is one concrete play on one device.
type Entry struct {
	OrderID    string    `json:"order_id"`
	ContentID  string    `json:"content_id"`
	DeviceID   string    `json:"device_id"`
	Level      Level     `json:"level"`
	Requested  time.Time `json:"requested"` // the start the order asked for
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Interrupts bool      `json:"interrupts"`
	// Truncated is set when the entry was cut before the content ended.
	Truncated bool   `json:"truncated"`
	Note      string `json:"note,omitempty"`
}

// DropReason classifies why an occurrence was not scheduled.
type DropReason string

// Drop reasons.
const (
	// DropLate: the channel was busy with higher or earlier items for longer
	// than the tolerance.
	DropLate DropReason = "late"
	// DropNoGap: a filler (or an entry displaced by Emergency with Keep)
	// found no gap long enough within the tolerance.
	DropNoGap DropReason = "no-gap"
	// DropExpired: the order expired before the item could start.
	DropExpired DropReason = "expired"
	// DropOutsideWindow: Emergency pushed the entry past the end of the
	// playlist's window.
	DropOutsideWindow DropReason = "outside-window"
)

// Drop is an occurrence that was not scheduled, with the reason.
type Drop struct {
	OrderID   string     `json:"order_id"`
	ContentID string     `json:"content_id"`
	DeviceID  string     `json:"device_id"`
	Level     Level      `json:"level"`
	Requested time.Time  `json:"requested"`
	Reason    DropReason `json:"reason"`
	Detail    string     `json:"detail"`
}

// Playlist is the concrete schedule of one device for the window [From, To):
// every entry whose Start lies in the window, sorted by Start, never
// overlapping. Dropped lists the occurrences requested in the window that
// could not be scheduled. ETag is a hex SHA-256 of a canonical encoding of
// DeviceID, From, To and Entries (not Dropped).
type Playlist struct {
	DeviceID string    `json:"device_id"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Entries  []Entry   `json:"entries"`
	Dropped  []Drop    `json:"dropped,omitempty"`
	ETag     string    `json:"etag"`
}

// Build computes the playlist of each device in devices (same order) for the
// window [from, to), times interpreted in loc, from the orders targeting it.
// Order targets not in devices are ignored.
//
// Items that started before from still occupy the channel: occurrences are
// expanded from from − (longest duration + tolerance). Items requested in the
// window but pushed to or past to are left to the next window (they are
// neither entries nor drops here).
func Build(orders []Order, devices []string, from, to time.Time, loc *time.Location, opt Options) ([]Playlist, error) {
	if loc == nil {
		return nil, fmt.Errorf("build schedule: no time zone given; pass the Asia/Ho_Chi_Minh location: %w", ErrInvalidInput)
	}
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("build schedule: %w", err)
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("build schedule: window start %s is not before its end %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), ErrInvalidInput)
	}
	if to.Sub(from) > MaxWindow {
		return nil, fmt.Errorf("build schedule: window of %s is longer than the %s limit; build it in parts: %w", to.Sub(from), MaxWindow, ErrLimit)
	}
	if len(orders) > MaxOrders {
		return nil, fmt.Errorf("build schedule: %d orders, more than the %d limit; build fewer orders at once: %w", len(orders), MaxOrders, ErrLimit)
	}
	if len(devices) > MaxDevices {
		return nil, fmt.Errorf("build schedule: %d devices, more than the %d limit; build them in batches: %w", len(devices), MaxDevices, ErrLimit)
	}
	devIndex := make(map[string]int32, len(devices))
	for i, d := range devices {
		if strings.TrimSpace(d) == "" || len(d) > MaxIDLength {
			return nil, fmt.Errorf("build schedule: devices[%d]: device id %q is empty or longer than %d bytes: %w", i, truncate(d, 40), MaxIDLength, ErrInvalidInput)
		}
		if j, dup := devIndex[d]; dup {
			return nil, fmt.Errorf("build schedule: devices[%d]: device %q is listed twice (also devices[%d]): %w", i, d, j, ErrInvalidInput)
		}
		devIndex[d] = int32(i)
	}
	ids := make(map[string]int, len(orders))
	var maxDur time.Duration
	for i := range orders {
		if err := orders[i].Validate(); err != nil {
			return nil, fmt.Errorf("build schedule: orders[%d]: %w", i, err)
		}
		if j, dup := ids[orders[i].ID]; dup {
			return nil, fmt.Errorf("build schedule: orders[%d]: order id %q is used twice (also orders[%d]); give every order its own id: %w", i, orders[i].ID, j, ErrInvalidInput)
		}
		ids[orders[i].ID] = i
		maxDur = max(maxDur, orders[i].Duration)
	}

	b := builder{
		orders: orders, loc: loc, opt: opt,
		from: from.UnixNano(), to: to.UnixNano(),
	}
	b.lo = b.from - int64(maxDur) - opt.tolerance()
	if err := b.assign(devices, devIndex); err != nil {
		return nil, err
	}
	return b.playlists(devices, from.In(loc), to.In(loc)), nil
}

type builder struct {
	orders   []Order
	loc      *time.Location
	opt      Options
	from, to int64 // window, Unix ns
	lo       int64 // expansion starts here (lookback)

	// CSR: the orders of device d are ordIdx[ordStart[d]:ordStart[d+1]].
	ordStart []int32
	ordIdx   []int32
	rank     []int32   // seq of each order: position by (UnitOrder, ID)
	occ      [][]int64 // expanded occurrences per order, nil until needed
	occDone  []bool

	// Scratch space reused from one group to the next.
	arr, fillers, ready []item
}

// assign maps devices to their orders and checks the occurrence limit.
func (b *builder) assign(devices []string, devIndex map[string]int32) error {
	n := len(devices)
	count := make([]int32, n+1)
	last := make([]int32, n) // last order index seen + 1, to skip duplicates
	var total int64
	for oi := range b.orders {
		var targets int64
		for _, d := range b.orders[oi].Devices {
			di, ok := devIndex[d]
			if !ok || last[di] == int32(oi)+1 {
				continue
			}
			last[di] = int32(oi) + 1
			count[di+1]++
			targets++
		}
		if targets > 0 {
			total += targets * b.bound(&b.orders[oi])
			if total > b.opt.maxOccurrences() {
				return fmt.Errorf("build schedule: more than %d device occurrences to expand (at order %q); narrow the window, build fewer devices at once or raise Options.MaxOccurrences: %w", b.opt.maxOccurrences(), b.orders[oi].ID, ErrLimit)
			}
		}
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	b.ordStart = count
	b.ordIdx = make([]int32, count[n])
	fill := slices.Clone(count[:n])
	clear(last)
	for oi := range b.orders {
		for _, d := range b.orders[oi].Devices {
			di, ok := devIndex[d]
			if !ok || last[di] == int32(oi)+1 {
				continue
			}
			last[di] = int32(oi) + 1
			b.ordIdx[fill[di]] = int32(oi)
			fill[di]++
		}
	}
	perm := make([]int32, len(b.orders))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(x, y int32) int {
		if c := cmp.Compare(b.orders[x].UnitOrder, b.orders[y].UnitOrder); c != 0 {
			return c
		}
		return strings.Compare(b.orders[x].ID, b.orders[y].ID)
	})
	b.rank = make([]int32, len(b.orders))
	for r, oi := range perm {
		b.rank[oi] = int32(r)
	}
	b.occ = make([][]int64, len(b.orders))
	b.occDone = make([]bool, len(b.orders))
	return nil
}

// days returns the local dates an order can play on within [lo, to).
func (b *builder) days(o *Order) (first, last int64) {
	first = max(DateOf(time.Unix(0, b.lo).In(b.loc)).days(), o.StartDate.days())
	last = min(DateOf(time.Unix(0, b.to-1).In(b.loc)).days(), o.EndDate.days())
	return first, last
}

// bound is an upper bound of the occurrences of o in [lo, to).
func (b *builder) bound(o *Order) int64 {
	first, last := b.days(o)
	if first > last {
		return 0
	}
	mask := o.weekdayMask()
	var n int64
	for d := first; d <= last; d++ {
		if mask&(1<<uint(dateFromDays(d).Weekday())) != 0 {
			n++
		}
	}
	var perDay int64
	for _, s := range o.Slots {
		if s.Spread != nil {
			perDay += int64(s.Spread.Count)
		} else {
			perDay++
		}
	}
	return n * perDay
}

// occurrences expands order oi into sorted requested starts in [lo, to).
func (b *builder) occurrences(oi int32) []int64 {
	if b.occDone[oi] {
		return b.occ[oi]
	}
	o := &b.orders[oi]
	first, last := b.days(o)
	clocks := o.clocks()
	mask := o.weekdayMask()
	var exp int64
	if !o.Expires.IsZero() {
		exp = o.Expires.UnixNano()
	}
	var out []int64
	if first <= last {
		out = make([]int64, 0, (last-first+1)*int64(len(clocks)))
	}
	for d := first; d <= last; d++ {
		date := dateFromDays(d)
		if mask&(1<<uint(date.Weekday())) == 0 {
			continue
		}
		for _, c := range clocks {
			t := time.Date(date.Year, date.Month, date.Day, int(c)/3600, int(c)/60%60, int(c)%60, 0, b.loc).UnixNano()
			if t < b.lo || t >= b.to || (exp != 0 && t >= exp) {
				continue
			}
			out = append(out, t)
		}
	}
	// Clock times map to increasing instants except around a daylight-saving
	// change in other zones; keep the result sorted and unique regardless.
	if !slices.IsSorted(out) {
		slices.Sort(out)
	}
	out = slices.Compact(out)
	b.occ[oi], b.occDone[oi] = out, true
	return out
}

// group is the schedule shared by all devices with the same set of orders.
type group struct {
	entries []planned
	drops   []dropRec
	prefix  []byte // canonical encoding of everything but the device id
}

func (b *builder) playlists(devices []string, from, to time.Time) []Playlist {
	metas := make([]meta, len(b.orders))
	for i := range b.orders {
		metas[i] = meta{orderID: b.orders[i].ID, contentID: b.orders[i].ContentID}
	}
	groupOf := make(map[string]*group)
	var key []byte
	out := make([]Playlist, len(devices))
	for di, dev := range devices {
		ords := b.ordIdx[b.ordStart[di]:b.ordStart[di+1]]
		key = key[:0]
		for _, oi := range ords {
			key = binary.LittleEndian.AppendUint32(key, uint32(oi))
		}
		g, ok := groupOf[string(key)]
		if !ok {
			g = b.schedule(ords, metas, from, to)
			groupOf[string(key)] = g
		}
		p := Playlist{DeviceID: dev, From: from, To: to, Entries: make([]Entry, len(g.entries))}
		for i, e := range g.entries {
			m := metas[e.ref]
			p.Entries[i] = Entry{
				OrderID: m.orderID, ContentID: m.contentID, DeviceID: dev, Level: e.level,
				Requested: time.Unix(0, e.requested).In(b.loc),
				Start:     time.Unix(0, e.start).In(b.loc), End: time.Unix(0, e.end).In(b.loc),
				Interrupts: e.interrupts, Truncated: e.truncated, Note: e.note,
			}
		}
		if len(g.drops) > 0 {
			p.Dropped = make([]Drop, len(g.drops))
			for i, d := range g.drops {
				m := metas[d.ref]
				p.Dropped[i] = Drop{
					OrderID: m.orderID, ContentID: m.contentID, DeviceID: dev, Level: d.level,
					Requested: time.Unix(0, d.requested).In(b.loc), Reason: d.reason, Detail: d.detail,
				}
			}
		}
		p.ETag = etagFinish(g.prefix, dev)
		out[di] = p
	}
	return out
}

// schedule resolves the channel of one set of orders.
func (b *builder) schedule(ords []int32, metas []meta, from, to time.Time) *group {
	arr, fillers := b.arr[:0], b.fillers[:0]
	for _, oi := range ords {
		o := &b.orders[oi]
		var exp int64
		if !o.Expires.IsZero() {
			exp = o.Expires.UnixNano()
		}
		for _, t := range b.occurrences(oi) {
			x := item{
				ref: oi, seq: b.rank[oi], level: o.Level, interrupts: o.Interrupts,
				arrive: t, requested: t, base: t, dur: int64(o.Duration), full: int64(o.Duration), expires: exp,
			}
			if o.Level == LevelFiller {
				fillers = append(fillers, x)
			} else {
				arr = append(arr, x)
			}
		}
	}
	slices.SortFunc(arr, arrivalCmp)
	slices.SortFunc(fillers, arrivalCmp)
	e := engine{tol: b.opt.tolerance(), policy: b.opt.OnInterrupt, metas: metas, loc: b.loc, ready: b.ready[:0]}
	e.out = make([]planned, 0, len(arr)+len(fillers))
	e.run(arr, b.lo)
	all := e.fit(fillers, e.out)
	b.arr, b.fillers, b.ready = arr, fillers, e.ready

	g := &group{}
	lo, _ := slices.BinarySearchFunc(all, b.from, func(p planned, t int64) int { return cmp.Compare(p.start, t) })
	hi, _ := slices.BinarySearchFunc(all, b.to, func(p planned, t int64) int { return cmp.Compare(p.start, t) })
	g.entries = all[lo:hi]
	for _, d := range e.drops {
		if d.requested >= b.from && d.requested < b.to {
			g.drops = append(g.drops, d)
		}
	}
	slices.SortStableFunc(g.drops, func(x, y dropRec) int {
		if c := cmp.Compare(x.requested, y.requested); c != 0 {
			return c
		}
		return cmp.Compare(b.rank[x.ref], b.rank[y.ref])
	})
	size := len(etagVersion) + 32
	for i := range g.entries {
		m := metas[g.entries[i].ref]
		size += len(m.orderID) + len(m.contentID) + len(g.entries[i].note) + 48
	}
	g.prefix = etagPrefix(make([]byte, 0, size), from, to, len(g.entries), func(i int) (meta, *planned) {
		return metas[g.entries[i].ref], &g.entries[i]
	})
	return g
}
