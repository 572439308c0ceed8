package broadcast

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// MaxPlannedDevices bounds the devices whose day plan a day view computes
// (a commune or a district); larger views show only what devices fetched.
const MaxPlannedDevices = 200

// planDay returns the items the scheduler plans for device d that start on
// day: BuildSchedule's result (nothing is stored), cut to the day. Days
// outside the schedule horizon (past days, days after it) are planned as
// the scheduler would plan them on that day, by a planner whose clock
// reads noon of that day.
func (s Scheduler) planDay(ctx context.Context, d DeviceView, day schedule.Date) ([]model.DayItem, error) {
	today := schedule.DateOf(s.clock().In(s.loc))
	b := s.Service
	if day.Compare(today) < 0 || day.Compare(today.AddDays(s.cfg.HorizonDays-1)) > 0 {
		b = s.plannerAt(day)
	}
	sched, _, err := b.Scheduler().BuildSchedule(ctx, d.Device)
	if err != nil {
		return nil, fmt.Errorf("plan day %s of device %d: %w", day, d.ID, err)
	}
	from, to := day.In(s.loc), day.AddDays(1).In(s.loc)
	var out []model.DayItem
	for _, it := range sched.Items {
		if it.Start.Before(from) || !it.Start.Before(to) {
			continue
		}
		out = append(out, model.DayItem{ScheduleItem: model.ScheduleItem{DeviceID: d.ID, ItemID: it.ID, OrderID: it.OrderID, Level: it.Level,
			Start: it.Start, End: it.End}, DeviceName: d.Name, UnitID: d.UnitID, OrderTitle: it.Title})
	}
	return out, nil
}

// plannerAt is a read-only view of the service for BuildSchedule whose
// clock reads noon of day and whose horizon is that one day. It shares the
// store and settings and runs no background work.
func (s Scheduler) plannerAt(day schedule.Date) *Service {
	noon := day.In(s.loc).Add(12 * time.Hour).UTC()
	cfg := s.cfg
	cfg.HorizonDays = 1
	return &Service{cfg: cfg, store: s.store, blobs: s.blobs, policy: s.policy, log: s.log, loc: s.loc,
		clk: clock.Fixed(noon), hub: s.hub, notify: s.notify, seen: map[int64]model.DeviceSeen{},
		saves: s.saves, stopped: s.stopped}
}
