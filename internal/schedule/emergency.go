package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Emergency returns playlist p with the order o inserted at instant at, as a
// device would play it when o arrives at that moment ("play now").
//
// o must be at level LevelEmergency or LevelLive; only its ID, ContentID,
// Duration, Level, Interrupts and Expires are used (its period, slots and
// targets are ignored: the caller chooses which playlists to change). If an entry is
// playing at at, o cuts it when o.Interrupts is set and o's level is higher
// (the entry is truncated at at; opt.OnInterrupt may resume or replay the
// rest later), otherwise o starts when that entry ends. Later entries are
// shifted or kept according to opt.Rest; there opt.Tolerance bounds how far
// each planned entry may move from its planned start. Entries pushed to or
// past p.To are reported as dropped. Entries of p are treated as items of
// their planned length (a replayed entry replays its planned length).
func Emergency(p Playlist, o Order, at time.Time, opt Options) (Playlist, error) {
	if err := opt.validate(); err != nil {
		return Playlist{}, fmt.Errorf("emergency: %w", err)
	}
	pr := problems{id: o.ID}
	o.validateContent(&pr)
	if err := pr.err(); err != nil {
		return Playlist{}, fmt.Errorf("emergency: %w", err)
	}
	if o.Level != LevelEmergency && o.Level != LevelLive {
		return Playlist{}, fmt.Errorf("emergency: order %q has level %s; only emergency or live orders play at once, schedule the others with Build: %w", o.ID, o.Level, ErrInvalidInput)
	}
	if !p.From.Before(p.To) {
		return Playlist{}, fmt.Errorf("emergency: playlist of device %q has an empty window %s–%s: %w", p.DeviceID, p.From.Format(time.RFC3339), p.To.Format(time.RFC3339), ErrInvalidInput)
	}
	if at.Before(p.From) || !at.Before(p.To) {
		return Playlist{}, fmt.Errorf("emergency: instant %s is outside the playlist window %s–%s of device %q; use the playlist that covers it: %w",
			at.Format(time.RFC3339), p.From.Format(time.RFC3339), p.To.Format(time.RFC3339), p.DeviceID, ErrInvalidInput)
	}
	if !o.Expires.IsZero() && !at.Before(o.Expires) {
		return Playlist{}, fmt.Errorf("emergency: order %q expired at %s, before %s: %w", o.ID, o.Expires.Format(time.RFC3339), at.Format(time.RFC3339), ErrInvalidInput)
	}
	if err := checkEntries(&p); err != nil {
		return Playlist{}, fmt.Errorf("emergency: %w", err)
	}

	loc := p.From.Location()
	t := at.UnixNano()
	n := len(p.Entries)
	metas := make([]meta, n+1)
	for i := range p.Entries {
		metas[i] = meta{orderID: p.Entries[i].OrderID, contentID: p.Entries[i].ContentID}
	}
	metas[n] = meta{orderID: o.ID, contentID: o.ContentID}
	e := engine{tol: opt.tolerance(), policy: opt.OnInterrupt, metas: metas, loc: loc}

	var fixed []planned // entries that stay where they are
	var future []item   // entries starting at or after t, to place again
	var rem []item      // what is left of a cut entry, per opt.OnInterrupt
	now := t            // the emergency starts here
	for i := range p.Entries {
		pl := toPlanned(&p.Entries[i], int32(i))
		switch {
		case pl.end <= t:
			fixed = append(fixed, pl)
		case pl.start < t: // playing at t
			if o.Interrupts && o.Level > pl.level {
				left, full := pl.end-t, pl.end-pl.start
				cur := item{
					ref: int32(i), seq: int32(i), level: pl.level, interrupts: pl.interrupts,
					arrive: pl.requested, requested: pl.requested, dur: full, full: full,
				}
				if r, ok := e.remainder(&cur, left, t, o.ID); ok {
					rem = append(rem, r)
				}
				pl.end, pl.truncated = t, true
				pl.note = joinNote(pl.note, "cut by order "+o.ID)
			} else {
				now = pl.end
			}
			fixed = append(fixed, pl)
		default:
			future = append(future, item{
				ref: int32(i), seq: int32(i), level: pl.level, interrupts: pl.interrupts, truncated: pl.truncated,
				arrive: pl.start, requested: pl.requested, base: pl.start, notBefore: t,
				dur: pl.end - pl.start, full: pl.end - pl.start, note: pl.note,
			})
		}
	}
	em := item{
		ref: int32(n), seq: -1, level: o.Level, interrupts: o.Interrupts,
		arrive: t, requested: t, base: t, notBefore: t,
		dur: int64(o.Duration), full: int64(o.Duration),
	}
	if !o.Expires.IsZero() {
		em.expires = o.Expires.UnixNano()
	}

	var all []planned
	switch opt.Rest {
	case Keep:
		displaced := rem
		es, ee := now, now // the emergency's interval, empty if it was dropped
		if e.startable(&em, now, DropLate) {
			ee = now + em.dur
			fixed = append(fixed, itemAt(&em, es))
		}
		for i := range future {
			x := &future[i]
			if x.arrive < ee && x.arrive+x.dur > es {
				displaced = append(displaced, *x)
			} else {
				fixed = append(fixed, itemAt(x, x.arrive))
			}
		}
		slices.SortFunc(fixed, func(a, b planned) int { return cmp.Compare(a.start, b.start) })
		slices.SortFunc(displaced, arrivalCmp)
		all = e.fit(displaced, fixed)
	default: // Shift
		arr := []item{em}
		var fillers []item
		for _, x := range append(future, rem...) {
			if x.level == LevelFiller {
				fillers = append(fillers, x)
			} else {
				arr = append(arr, x)
			}
		}
		slices.SortFunc(arr, arrivalCmp)
		slices.SortFunc(fillers, arrivalCmp)
		e.out = fixed
		e.run(arr, now)
		all = e.fit(fillers, e.out)
	}

	q := Playlist{DeviceID: p.DeviceID, From: p.From, To: p.To, Entries: make([]Entry, 0, len(all))}
	q.Dropped = slices.Clone(p.Dropped)
	end := p.To.UnixNano()
	for _, pl := range all {
		m := metas[pl.ref]
		if pl.start >= end {
			q.Dropped = append(q.Dropped, Drop{
				OrderID: m.orderID, ContentID: m.contentID, DeviceID: p.DeviceID, Level: pl.level,
				Requested: time.Unix(0, pl.requested).In(loc), Reason: DropOutsideWindow,
				Detail: fmt.Sprintf("pushed to %s by emergency order %s, past the end of the playlist window", e.fmtTime(pl.start), o.ID),
			})
			continue
		}
		q.Entries = append(q.Entries, Entry{
			OrderID: m.orderID, ContentID: m.contentID, DeviceID: p.DeviceID, Level: pl.level,
			Requested: time.Unix(0, pl.requested).In(loc), Start: time.Unix(0, pl.start).In(loc), End: time.Unix(0, pl.end).In(loc),
			Interrupts: pl.interrupts, Truncated: pl.truncated, Note: pl.note,
		})
	}
	for _, d := range e.drops {
		m := metas[d.ref]
		q.Dropped = append(q.Dropped, Drop{
			OrderID: m.orderID, ContentID: m.contentID, DeviceID: p.DeviceID, Level: d.level,
			Requested: time.Unix(0, d.requested).In(loc), Reason: d.reason, Detail: d.detail,
		})
	}
	q.ETag = ComputeETag(q)
	return q, nil
}

// checkEntries verifies that a playlist given back to the package is sane.
func checkEntries(p *Playlist) error {
	if len(p.Entries) > MaxOccurrencesPerDay*32 {
		return fmt.Errorf("playlist of device %q has %d entries, more than the %d limit: %w", p.DeviceID, len(p.Entries), MaxOccurrencesPerDay*32, ErrLimit)
	}
	for i := range p.Entries {
		x := &p.Entries[i]
		where := fmt.Sprintf("playlist of device %q: entries[%d] (order %q)", p.DeviceID, i, x.OrderID)
		switch {
		case x.DeviceID != p.DeviceID:
			return fmt.Errorf("%s: belongs to device %q: %w", where, x.DeviceID, ErrInvalidInput)
		case !x.Level.Valid():
			return fmt.Errorf("%s: unknown level %d: %w", where, int(x.Level), ErrInvalidInput)
		case !x.Start.Before(x.End):
			return fmt.Errorf("%s: start %s is not before end %s: %w", where, x.Start.Format(time.RFC3339), x.End.Format(time.RFC3339), ErrInvalidInput)
		case x.End.Sub(x.Start) > MaxContentDuration:
			return fmt.Errorf("%s: lasts %s, longer than the %s limit: %w", where, x.End.Sub(x.Start), MaxContentDuration, ErrInvalidInput)
		case len(x.OrderID) > MaxIDLength || len(x.ContentID) > MaxIDLength || len(x.Note) > MaxNoteLength:
			return fmt.Errorf("%s: id or note too long: %w", where, ErrLimit)
		case i > 0 && x.Start.Before(p.Entries[i-1].End):
			return fmt.Errorf("%s: starts at %s, before the previous entry ends at %s; rebuild the playlist with Build: %w",
				where, x.Start.Format(time.RFC3339), p.Entries[i-1].End.Format(time.RFC3339), ErrInvalidInput)
		}
	}
	return nil
}
