package broadcast

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// SilentGrace is how long after a scheduled item's end a missing play
// report turns into a "silent" alert (devices upload plays in batches).
const SilentGrace = 10 * time.Minute

// Item states in calendar views.
const (
	StatePlayed      = "played"
	StateInterrupted = "interrupted"
	StateFailed      = "failed"
	StateSilent      = "silent"  // ended without a play report
	StatePending     = "pending" // not ended yet (or within the grace)
	// StateNotExpected: the slot began before the order was made or the
	// device enrolled; nothing was expected to play, nothing is missing.
	StateNotExpected = "not_expected"
	// StateOffline: the device was not in contact from the slot on; the
	// device's offline alert covers it, the slot is not counted silent.
	StateOffline = "offline"
)

// DayEntry is one item of a device's day with its state: planned by the
// scheduler, fetched by the device, or both, and what the device reported.
type DayEntry struct {
	model.DayItem
	State string `json:"state"`
	// Planned: the scheduler plans it for the day (as the orders stand now).
	Planned bool `json:"planned"`
	// Fetched: the device was given it (in a schedule it fetched, or as an
	// emergency pushed to it). Planned but not fetched: the device has not
	// fetched its schedule since the order was made.
	Fetched bool `json:"fetched"`
	// Plays are the plays the device reported for it.
	Plays []model.PlayLog `json:"plays"`
}

// DevicePlan is one device's day.
type DevicePlan struct {
	DeviceView
	// NeverFetched: the device never fetched a schedule; it plays nothing
	// of the plan until it does.
	NeverFetched bool       `json:"never_fetched"`
	Items        []DayEntry `json:"items"`
}

// DayView is a commune's day: for every device, the items the scheduler
// plans, what the devices fetched, and what they reported playing.
type DayView struct {
	Unit    *model.Unit  `json:"unit"`
	Date    string       `json:"date"`
	Devices []DeviceView `json:"devices"`
	// Items holds every item of the day (of revoked devices too), by start.
	Items []DayEntry `json:"items"`
	// Plans holds the current devices, each with its items.
	Plans []DevicePlan `json:"plans"`
	// Planned: the plans were computed (false when the view holds more
	// than MaxPlannedDevices devices: then Items holds what devices
	// fetched only).
	Planned    bool `json:"planned"`
	Played     int  `json:"played"`
	Silent     int  `json:"silent"`
	NotFetched int  `json:"not_fetched"` // planned items the device has not fetched
}

func (s Monitor) itemState(it model.DayItem, now time.Time) string {
	switch {
	case it.Completed > 0:
		return StatePlayed
	case it.Interrupted > 0:
		return StateInterrupted
	case it.Failed > 0:
		return StateFailed
	case !it.Since.IsZero() && it.Start.Before(it.Since):
		return StateNotExpected
	case now.After(it.End.Add(SilentGrace)):
		// Silent only while the device was expected online: it was in
		// contact at or after the slot's start.
		if it.LastSeen == nil || it.LastSeen.Before(it.Start) {
			return StateOffline
		}
		return StateSilent
	}
	return StatePending
}

// DayView returns the calendar day (YYYY-MM-DD, "" for today) of a unit
// and the units below it: each device's plan for the day computed by the
// scheduler (BuildSchedule, nothing stored), merged with the items the
// devices fetched and the plays they reported.
func (s Monitor) DayView(ctx context.Context, a model.Actor, unitID int64, day string) (*DayView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	d := schedule.DateOf(now.In(s.loc))
	if day != "" {
		if d, err = schedule.ParseDate(day); err != nil {
			return nil, invalid("date", "bcsvc.day", "%q is not a date: use YYYY-MM-DD", day)
		}
	}
	from, to := d.In(s.loc), d.AddDays(1).In(s.loc)
	fetched, err := s.store.Broadcast().DayItems(ctx, unit.Path, from, to, 0)
	if err != nil {
		return nil, err
	}
	devs, err := s.Fleet().devicesOf(ctx, unit.Path, 0)
	if err != nil {
		return nil, err
	}
	withSchedule, err := s.store.Broadcast().DevicesWithSchedule(ctx, unit.Path)
	if err != nil {
		return nil, err
	}
	// Plays may start a little before or after their slot.
	plays, err := s.store.Broadcast().PlaysBetween(ctx, unit.Path, from.Add(-time.Hour), to.Add(time.Hour), 50000)
	if err != nil {
		return nil, err
	}
	type key struct {
		device int64
		item   string
	}
	playsOf := map[key][]model.PlayLog{}
	for _, l := range plays {
		k := key{l.DeviceID, l.ItemID}
		playsOf[k] = append(playsOf[k], l)
	}
	v := &DayView{Unit: unit, Date: d.String(), Devices: devs, Items: []DayEntry{}, Plans: []DevicePlan{}, Planned: len(devs) <= MaxPlannedDevices}
	entries := map[key]*DayEntry{}
	var order []key
	add := func(it model.DayItem, planned bool) {
		k := key{it.DeviceID, it.ItemID}
		e := entries[k]
		if e == nil {
			e = &DayEntry{DayItem: it}
			entries[k] = e
			order = append(order, k)
		}
		if planned {
			e.Planned = true
			e.Start, e.End = it.Start, it.End // the plan as it stands now
		} else {
			e.Fetched = true
			e.Completed, e.Interrupted, e.Failed = it.Completed, it.Interrupted, it.Failed
		}
	}
	for _, it := range fetched {
		add(it, false)
	}
	if v.Planned {
		for _, dv := range devs {
			items, err := s.Scheduler().planDay(ctx, dv, d)
			if err != nil {
				// One device's plan must not hide the others' day.
				s.log.Warn("plan the day of a device", "device", dv.ID, "day", d.String(), "err", err)
				continue
			}
			for _, it := range items {
				add(it, true)
			}
		}
	}
	// When each device and order began to exist: slots before are not
	// expected to play.
	devOf := make(map[int64]DeviceView, len(devs))
	for _, dv := range devs {
		devOf[dv.ID] = dv
	}
	orderAt := map[int64]time.Time{}
	byDevice := map[int64][]DayEntry{}
	for _, k := range order {
		e := entries[k]
		e.Plays = playsOf[k]
		if e.Since.IsZero() {
			at, ok := orderAt[e.OrderID]
			if !ok {
				if t, err := s.store.Broadcast().OrderMadeAt(ctx, e.OrderID); err == nil {
					at = t
				}
				orderAt[e.OrderID] = at
			}
			e.Since = at
			if dv, ok := devOf[e.DeviceID]; ok && dv.EnrolledAt.After(e.Since) {
				e.Since = dv.EnrolledAt
			}
		}
		if dv, ok := devOf[e.DeviceID]; ok {
			e.LastSeen = s.Fleet().lastSeen(dv.Device)
		}
		if !e.Fetched {
			for _, l := range e.Plays {
				switch l.Status {
				case model.PlayCompleted:
					e.Completed = 1 // an occurrence plays once, however often it is reported
				case model.PlayInterrupted:
					e.Interrupted++
				case model.PlayFailed:
					e.Failed++
				}
			}
		}
		e.State = s.itemState(e.DayItem, now)
		switch e.State {
		case StatePlayed, StateInterrupted:
			v.Played++
		case StateSilent:
			v.Silent++
		}
		if e.Planned && !e.Fetched {
			v.NotFetched++
		}
		v.Items = append(v.Items, *e)
		byDevice[e.DeviceID] = append(byDevice[e.DeviceID], *e)
	}
	sort.SliceStable(v.Items, func(i, j int) bool { return v.Items[i].Start.Before(v.Items[j].Start) })
	for _, dv := range devs {
		items := byDevice[dv.ID]
		sort.SliceStable(items, func(i, j int) bool { return items[i].Start.Before(items[j].Start) })
		if items == nil {
			items = []DayEntry{}
		}
		v.Plans = append(v.Plans, DevicePlan{DeviceView: dv, NeverFetched: !withSchedule[dv.ID], Items: items})
	}
	return v, nil
}

// UnitStatus sums up the devices of one unit.
type UnitStatus struct {
	UnitID         int64      `json:"unit_id"`
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	Devices        int        `json:"devices"`
	Online         int        `json:"online"`
	Offline        int        `json:"offline"`
	LastPlayedAt   *time.Time `json:"last_played_at"`
	LastPlayedItem string     `json:"last_played_item"`
	SilentSlots    int        `json:"silent_slots"` // in the last 24 hours
}

// Alert kinds.
const (
	AlertOffline   = "offline"    // not seen within the online window
	AlertNeverSeen = "never_seen" // enrolled but never connected
	AlertSilent    = "silent"     // silent during a scheduled slot
)

// Alert is something an operator should look at.
type Alert struct {
	Kind       string    `json:"kind"`
	DeviceID   int64     `json:"device_id"`
	DeviceName string    `json:"device_name"`
	UnitID     int64     `json:"unit_id"`
	At         time.Time `json:"at"`
	Detail     string    `json:"detail"`
}

// Overview is the map-free monitoring overview of a unit's subtree, by
// commune.
type Overview struct {
	Unit        *model.Unit  `json:"unit"`
	GeneratedAt time.Time    `json:"generated_at"`
	Units       []UnitStatus `json:"units"`
	Alerts      []Alert      `json:"alerts"`
}

// Overview summarises the devices under a unit: online/offline per unit,
// last play, and alerts (offline devices, silent scheduled slots of the
// last 24 hours).
func (s Monitor) Overview(ctx context.Context, a model.Actor, unitID int64) (*Overview, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	devs, err := s.Fleet().devicesOf(ctx, unit.Path, 0)
	if err != nil {
		return nil, err
	}
	items, err := s.store.Broadcast().DayItems(ctx, unit.Path, now.Add(-24*time.Hour), now.Add(-SilentGrace), 20000)
	if err != nil {
		return nil, err
	}
	ov := &Overview{Unit: unit, GeneratedAt: now, Alerts: []Alert{}}
	byUnit := map[int64]*UnitStatus{}
	get := func(d DeviceView) *UnitStatus {
		st := byUnit[d.UnitID]
		if st == nil {
			st = &UnitStatus{UnitID: d.UnitID, Code: d.UnitCode, Name: d.UnitName}
			byUnit[d.UnitID] = st
		}
		return st
	}
	names := map[int64]string{}
	for _, d := range devs {
		names[d.ID] = d.Name
		st := get(d)
		st.Devices++
		if d.Online {
			st.Online++
		} else {
			st.Offline++
			// The last contact counts contacts not yet flushed to the
			// database, like Online does.
			switch last := s.Fleet().lastSeen(d.Device); {
			case last == nil:
				ov.Alerts = append(ov.Alerts, Alert{Kind: AlertNeverSeen, DeviceID: d.ID, DeviceName: d.Name, UnitID: d.UnitID, At: d.CreatedAt,
					Detail: "enrolled but never connected"})
			default:
				ov.Alerts = append(ov.Alerts, Alert{Kind: AlertOffline, DeviceID: d.ID, DeviceName: d.Name, UnitID: d.UnitID, At: *last,
					Detail: fmt.Sprintf("last seen %s ago", now.Sub(*last).Round(time.Second))})
			}
		}
		if d.LastPlayedAt != nil && (st.LastPlayedAt == nil || d.LastPlayedAt.After(*st.LastPlayedAt)) {
			st.LastPlayedAt, st.LastPlayedItem = d.LastPlayedAt, d.LastPlayedItem
		}
	}
	devByID := make(map[int64]DeviceView, len(devs))
	for _, d := range devs {
		devByID[d.ID] = d
	}
	for _, it := range items {
		if d, ok := devByID[it.DeviceID]; ok {
			it.LastSeen = s.Fleet().lastSeen(d.Device)
		}
		if s.itemState(it, now) != StateSilent {
			continue
		}
		if st := byUnit[it.UnitID]; st != nil {
			st.SilentSlots++
		}
		ov.Alerts = append(ov.Alerts, Alert{Kind: AlertSilent, DeviceID: it.DeviceID, DeviceName: names[it.DeviceID], UnitID: it.UnitID, At: it.Start,
			Detail: fmt.Sprintf("no play reported for %q scheduled at %s", it.OrderTitle, it.Start.In(s.loc).Format("02/01 15:04"))})
	}
	for _, st := range byUnit {
		ov.Units = append(ov.Units, *st)
	}
	sort.Slice(ov.Units, func(i, j int) bool { return ov.Units[i].Name < ov.Units[j].Name })
	sort.SliceStable(ov.Alerts, func(i, j int) bool { return ov.Alerts[i].At.After(ov.Alerts[j].At) })
	return ov, nil
}
