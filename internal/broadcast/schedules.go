package broadcast

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// ScheduleResult is a device's schedule as served: its ETag and, unless
// the device already holds it, the JSON body.
type ScheduleResult struct {
	ETag        string
	Body        []byte // nil when NotModified
	NotModified bool
}

// DeviceSchedule returns the device's schedule. It is rebuilt only when
// an order concerning the device changed or the local day turned;
// otherwise the stored copy is served, and when ifNoneMatch names its
// ETag nothing but the ETag is returned (HTTP 304).
func (s Scheduler) DeviceSchedule(ctx context.Context, da *DeviceAuth, ifNoneMatch string) (*ScheduleResult, error) {
	// Its turn in a cold start's admission (admission.go) has come.
	defer s.admit.served(da.Device.ID)
	day := schedule.DateOf(s.clock().In(s.loc)).String()
	h := da.Header
	if h.ETag != "" && h.Version == da.Device.ScheduleVersion && h.Day == day {
		if etagMatch(ifNoneMatch, h.ETag) {
			return &ScheduleResult{ETag: h.ETag, NotModified: true}, nil
		}
		stored, body, ok, err := s.store.Broadcast().DeviceSchedule(ctx, da.Device.ID)
		if err != nil {
			return nil, err
		}
		if ok && stored.ETag == h.ETag {
			return &ScheduleResult{ETag: stored.ETag, Body: []byte(body)}, nil
		}
	}
	// Rebuilds wait for a slot: when thousands of devices fetch at once
	// (a cold start, the refetch after an emergency), building is bound by
	// the CPU and the writer anyway, and holding every device's schedule
	// in memory while it waits would only raise the server's peak memory.
	// A fetch that waits longer than buildQueueWait is answered "busy"
	// (503 with Retry-After): the device comes back a few seconds later
	// instead of holding a connection while its request times out.
	waiting := s.buildQueue.waiting.Add(1)
	wait := time.NewTimer(buildQueueWait)
	select {
	case s.builds <- struct{}{}:
		wait.Stop()
		s.buildQueue.waiting.Add(-1)
	case <-wait.C:
		s.buildQueue.waiting.Add(-1)
		return nil, &model.BusyError{Wait: s.buildQueue.drainTime(waiting),
			Err: fmt.Errorf("schedule of device %d: %d rebuilds in progress and %d waiting: %w", da.Device.ID, maxConcurrentBuilds, waiting, model.ErrOverloaded)}
	case <-ctx.Done():
		wait.Stop()
		s.buildQueue.waiting.Add(-1)
		return nil, ctx.Err()
	}
	began := time.Now()
	etag, body, err := s.rebuild(ctx, da.Device)
	<-s.builds
	s.buildQueue.took(time.Since(began))
	if err != nil {
		return nil, err
	}
	if etagMatch(ifNoneMatch, etag) {
		return &ScheduleResult{ETag: etag, NotModified: true}, nil
	}
	return &ScheduleResult{ETag: etag, Body: body}, nil
}

// etagMatch implements If-None-Match for one strong ETag.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	for _, part := range splitComma(header) {
		if part == etag || part == "W/"+etag {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			p := s[start:i]
			for len(p) > 0 && p[0] == ' ' {
				p = p[1:]
			}
			for len(p) > 0 && p[len(p)-1] == ' ' {
				p = p[:len(p)-1]
			}
			if p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
	}
	return out
}

// BuildSchedule computes a device's schedule from the orders concerning
// it, without storing it.
func (s Scheduler) BuildSchedule(ctx context.Context, d *model.Device) (*protocol.Schedule, []model.ScheduleItem, error) {
	unit, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, nil, err
	}
	today := schedule.DateOf(s.clock().In(s.loc))
	last := today.AddDays(s.cfg.HorizonDays - 1)
	from, to := today.In(s.loc), last.AddDays(1).In(s.loc)
	orders, err := s.store.Broadcast().OrdersForDevice(ctx, d.ID, unit.ID, unit.Path, today.String(), last.String())
	if err != nil {
		return nil, nil, err
	}
	devID := strconv.FormatInt(d.ID, 10)
	byID := map[string]*model.BroadcastOrder{}
	var regular []schedule.Order
	type push struct {
		o  schedule.Order
		at time.Time
	}
	var pushes []push
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	versions, err := s.store.Speech().OrderVersions(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var langs []string
	if len(versions) > 0 {
		if langs, err = languagesOf(ctx, s.store.Speech(), unit); err != nil {
			return nil, nil, err
		}
	}
	for _, o := range orders {
		// The version in the device's language, if the order has one.
		if v := pickVersion(langs, versions[o.ID]); v != nil {
			c := *o
			c.MediaSHA256, c.MediaSize, c.MediaDurationMS, c.MediaTitle = v.MediaSHA256, v.MediaSize, v.MediaDurationMS, v.MediaTitle
			o = &c
		}
		so, err := s.toScheduleOrder(o, devID)
		if err != nil {
			s.log.Warn("order skipped in schedule", "order", o.ID, "device", d.ID, "err", err)
			continue
		}
		byID[so.ID] = o
		if o.IssuedAt != nil {
			for _, t := range emergencyTimes(o) {
				if !t.Before(from) && t.Before(to) && (o.ExpiresAt == nil || t.Before(*o.ExpiresAt)) {
					pushes = append(pushes, push{so, t})
				}
			}
			continue
		}
		regular = append(regular, so)
	}
	opt := schedule.Options{}
	pls, err := schedule.Build(regular, []string{devID}, from, to, s.loc, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("build schedule of device %d: %w", d.ID, err)
	}
	p := pls[0]
	slices.SortStableFunc(pushes, func(a, b push) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.o.ID, b.o.ID)
	})
	for _, e := range pushes {
		np, err := schedule.Emergency(p, e.o, e.at, opt)
		if err != nil {
			s.log.Warn("emergency skipped in schedule", "order", e.o.ID, "device", d.ID, "err", err)
			continue
		}
		p = np
	}
	out := &protocol.Schedule{DeviceID: d.ID, UnitCode: unit.Code, Timezone: s.loc.String(), From: from.UTC(), To: to.UTC(), Items: []protocol.Item{}}
	if out.Limits, err = s.scheduleLimits(ctx, unit, d.ID); err != nil {
		return nil, nil, err
	}
	var items []model.ScheduleItem
	seen := map[string]int{}
	for _, e := range p.Entries {
		o := byID[e.OrderID]
		if o == nil {
			continue
		}
		id := ItemID(o.ID, e.Requested)
		if n := seen[id]; n > 0 {
			seen[id] = n + 1
			id += "." + strconv.Itoa(n+1)
		} else {
			seen[id] = 1
		}
		it := protocol.Item{ID: id, OrderID: o.ID, Title: o.Title, Level: e.Level.String(), Interrupts: e.Interrupts,
			Requested: e.Requested.UTC(), Start: e.Start.UTC(), End: e.End.UTC(), Truncated: e.Truncated,
			Media: protocol.Media{SHA256: o.MediaSHA256, Size: o.MediaSize, DurationMS: o.MediaDurationMS, OriginalSHA256: o.MediaOriginalSHA256}, Stream: liveOnAir(o)}
		if o.ExpiresAt != nil {
			t := o.ExpiresAt.UTC()
			it.Expires = &t
		}
		out.Items = append(out.Items, it)
		items = append(items, model.ScheduleItem{DeviceID: d.ID, ItemID: id, OrderID: o.ID, Level: it.Level, Start: it.Start, End: it.End})
	}
	return out, items, nil
}

// toScheduleOrder converts a stored order for the schedule builder.
func (s Scheduler) toScheduleOrder(o *model.BroadcastOrder, devID string) (schedule.Order, error) {
	level, err := schedule.ParseLevel(o.Level)
	if err != nil {
		return schedule.Order{}, err
	}
	wd, err := decodeWeekdays(o)
	if err != nil {
		return schedule.Order{}, err
	}
	so := schedule.Order{ID: strconv.FormatInt(o.ID, 10), ContentID: o.MediaSHA256, Duration: time.Duration(o.MediaDurationMS) * time.Millisecond,
		Devices: []string{devID}, StartDate: o.StartDate, EndDate: o.EndDate, Slots: o.Slots, Weekdays: wd, Level: level, Interrupts: o.Interrupts,
		Unit: strconv.FormatInt(o.UnitID, 10), UnitOrder: o.UnitOrder}
	if o.ExpiresAt != nil {
		so.Expires = *o.ExpiresAt
	}
	if liveOnAir(o) {
		// On air: it holds the loudspeakers until it ends (or expires).
		so.ContentID, so.Duration = "live-"+strconv.FormatInt(o.ID, 10), liveLength(o)
	}
	return so, nil
}

// maxConcurrentBuilds bounds the schedule rebuilds in progress (each
// holds a device's orders, playlist and JSON until its save commits).
const maxConcurrentBuilds = 64

// buildQueue measures the schedule rebuilds, so that a fetch refused as
// busy is told when the queue will have drained (its Retry-After).
type buildQueue struct {
	waiting atomic.Int64 // fetches waiting for a slot
	avg     atomic.Int64 // moving average of a rebuild's duration, ns
}

// took adds a rebuild's duration to the moving average (weight 1/16).
func (q *buildQueue) took(d time.Duration) {
	for {
		old := q.avg.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/16
		}
		if q.avg.CompareAndSwap(old, next) {
			return
		}
	}
}

// drainTime estimates how long the fetches waiting now take to be served
// (maxConcurrentBuilds at a time), between 2 s and 30 s (a device polls
// every 30 s anyway).
func (q *buildQueue) drainTime(waiting int64) time.Duration {
	d := time.Duration(waiting * q.avg.Load() / maxConcurrentBuilds)
	return min(max(d, 2*time.Second), 30*time.Second)
}

// buildQueueWait is how long a schedule fetch waits for a rebuild slot
// before it is answered "busy, retry after" (model.ErrOverloaded).
const buildQueueWait = 8 * time.Second

// rebuild builds, stores and returns a device's schedule.
func (s Scheduler) rebuild(ctx context.Context, d *model.Device) (string, []byte, error) {
	sched, items, err := s.BuildSchedule(ctx, d)
	if err != nil {
		return "", nil, err
	}
	body, err := json.Marshal(sched)
	if err != nil {
		return "", nil, fmt.Errorf("encode schedule: %w", err)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	day := schedule.DateOf(s.clock().In(s.loc)).String()
	err = s.saveSchedule(ctx, scheduleSave{deviceID: d.ID, version: d.ScheduleVersion, day: day, etag: etag, body: string(body), items: items})
	if err != nil {
		return "", nil, err
	}
	s.polls.setHeader(d.ID, model.ScheduleHeader{Version: d.ScheduleVersion, Day: day, ETag: etag})
	return etag, body, nil
}
