package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// meta names the order behind an item, for entries, drops and notes.
type meta struct {
	orderID   string
	contentID string
}

// item is one occurrence waiting to be played on one channel. Times are Unix
// nanoseconds.
type item struct {
	ref        int32 // index into engine.metas
	seq        int32 // tie-breaker among equal level and arrival (unit key, id)
	level      Level
	interrupts bool
	truncated  bool  // already truncated before (carried over by Emergency)
	arrive     int64 // instant it becomes ready; orders the ready queue
	requested  int64 // requested start reported in the entry
	base       int64 // lateness is measured from here
	notBefore  int64 // gap fitting never starts it earlier than this
	dur        int64 // length to play
	full       int64 // whole content length, for Replay
	expires    int64 // 0: none; never starts at or after this instant
	note       string
}

// planned is a scheduled piece of an item.
type planned struct {
	ref        int32
	level      Level
	interrupts bool
	truncated  bool
	requested  int64
	start, end int64
	note       string
}

type dropRec struct {
	ref       int32
	level     Level
	requested int64
	reason    DropReason
	detail    string
}

// engine resolves clashes on a single audio channel.
type engine struct {
	tol    int64 // lateness allowed below LevelEmergency, ≥ 0
	policy InterruptPolicy
	metas  []meta
	loc    *time.Location

	out   []planned
	drops []dropRec
	ready []item // binary heap ordered by better
}

// better orders the ready queue: higher level, then earlier arrival, then seq.
func better(a, b *item) bool {
	if a.level != b.level {
		return a.level > b.level
	}
	if a.arrive != b.arrive {
		return a.arrive < b.arrive
	}
	return a.seq < b.seq
}

// arrivalCmp orders items by arrival, then as the ready queue would.
func arrivalCmp(a, b item) int {
	if c := cmp.Compare(a.arrive, b.arrive); c != 0 {
		return c
	}
	if c := cmp.Compare(b.level, a.level); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

func (e *engine) push(x item) {
	e.ready = append(e.ready, x)
	h := e.ready
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !better(&h[i], &h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (e *engine) pop() item {
	h := e.ready
	x := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && better(&h[r], &h[l]) {
			m = r
		}
		if !better(&h[m], &h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	e.ready = h
	return x
}

func (e *engine) fmtTime(ns int64) string {
	return time.Unix(0, ns).In(e.loc).Format("2006-01-02 15:04:05")
}

func (e *engine) drop(x *item, reason DropReason, detail string) {
	e.drops = append(e.drops, dropRec{ref: x.ref, level: x.level, requested: x.requested, reason: reason, detail: detail})
}

// startable reports whether x may start at now, recording a drop otherwise.
func (e *engine) startable(x *item, now int64, late DropReason) bool {
	if x.expires != 0 && now >= x.expires {
		e.drop(x, DropExpired, fmt.Sprintf("the order expired at %s before the item could start (earliest free instant %s)", e.fmtTime(x.expires), e.fmtTime(now)))
		return false
	}
	if x.level < LevelEmergency && now-x.base > e.tol {
		e.drop(x, late, fmt.Sprintf("could not start within the %s tolerance after %s (earliest free instant %s); raise the tolerance or move the slot", time.Duration(e.tol), e.fmtTime(x.base), e.fmtTime(now)))
		return false
	}
	return true
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// run plays the non-filler items arr (sorted by arrivalCmp) on a channel that
// is free from now on, appending the pieces to e.out in time order.
func (e *engine) run(arr []item, now int64) {
	var cur item
	var busy bool
	var curStart, curEnd int64
	i := 0
	for {
		if !busy {
			for i < len(arr) && arr[i].arrive <= now {
				e.push(arr[i])
				i++
			}
			if len(e.ready) == 0 {
				if i == len(arr) {
					return
				}
				now = arr[i].arrive
				continue
			}
			x := e.pop()
			if !e.startable(&x, now, DropLate) {
				continue
			}
			cur, busy, curStart, curEnd = x, true, now, now+x.dur
			continue
		}
		if i < len(arr) && arr[i].arrive < curEnd {
			a := arr[i]
			i++
			if a.interrupts && a.level > cur.level {
				by := e.metas[a.ref].orderID
				e.out = append(e.out, planned{
					ref: cur.ref, level: cur.level, interrupts: cur.interrupts, truncated: true,
					requested: cur.requested, start: curStart, end: a.arrive,
					note: joinNote(cur.note, "cut by order "+by),
				})
				if r, ok := e.remainder(&cur, curEnd-a.arrive, a.arrive, by); ok {
					e.push(r)
				}
				busy, now = false, a.arrive
			}
			e.push(a)
			continue
		}
		e.out = append(e.out, planned{
			ref: cur.ref, level: cur.level, interrupts: cur.interrupts, truncated: cur.truncated,
			requested: cur.requested, start: curStart, end: curEnd, note: cur.note,
		})
		busy, now = false, curEnd
	}
}

// remainder returns what is left to play of x after a cut at instant at by
// order by, according to the interrupt policy.
func (e *engine) remainder(x *item, left, at int64, by string) (item, bool) {
	r := *x
	r.base, r.notBefore, r.truncated = at, at, false
	switch e.policy {
	case Resume:
		r.dur = left
		r.note = "resumed after cut by order " + by
	case Replay:
		r.dur = r.full
		r.note = "replayed after cut by order " + by
	default:
		return item{}, false
	}
	return r, true
}

// fit places items (sorted by arrivalCmp) into the gaps of busy (sorted,
// non-overlapping), each at the earliest instant ≥ max(arrive, notBefore)
// where it fits whole, within the tolerance. It returns the merged list.
func (e *engine) fit(items []item, busy []planned) []planned {
	for xi := range items {
		x := &items[xi]
		s := max(x.arrive, x.notBefore)
		k, _ := slices.BinarySearchFunc(busy, s, func(p planned, t int64) int {
			if p.end <= t {
				return -1
			}
			return 1
		})
		ok := true
		for ; k < len(busy); k++ {
			if busy[k].start >= s+x.dur {
				break
			}
			s = max(s, busy[k].end)
			if x.level < LevelEmergency && s-x.base > e.tol {
				ok = false
				break
			}
		}
		if !ok || !e.startable(x, s, DropNoGap) {
			if !ok {
				e.drop(x, DropNoGap, fmt.Sprintf("no free gap of %s within the %s tolerance after %s", time.Duration(x.dur), time.Duration(e.tol), e.fmtTime(x.base)))
			}
			continue
		}
		busy = slices.Insert(busy, k, planned{
			ref: x.ref, level: x.level, interrupts: x.interrupts, truncated: x.truncated,
			requested: x.requested, start: s, end: s + x.dur, note: x.note,
		})
	}
	return busy
}

// itemAt returns x placed at start for its whole planned length.
func itemAt(x *item, start int64) planned {
	return planned{
		ref: x.ref, level: x.level, interrupts: x.interrupts, truncated: x.truncated,
		requested: x.requested, start: start, end: start + x.dur, note: x.note,
	}
}
