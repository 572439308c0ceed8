package broadcast

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// Quiet hours and loudness limits. A unit sets them for its loudspeakers
// (inherited by the units below that set none) and a cluster may have its
// own. Normal, priority and filler orders that would play inside quiet
// hours, or beyond the maximum daily broadcast time, are refused with the
// reason; emergencies and live broadcasts override them, with an audit
// line; the volume caps travel in each device's schedule, so that the
// agent enforces them even offline.

// VolumeCapInput is one volume cap as typed: "HH:MM" times.
type VolumeCapInput struct {
	From string `json:"from"`
	To   string `json:"to"`
	Max  int    `json:"max"`
}

// LimitsInput sets the limits of a unit (DeviceID 0) or of one cluster.
type LimitsInput struct {
	UnitID          int64            `json:"unit_id"`
	DeviceID        int64            `json:"device_id,omitempty"`
	QuietStart      string           `json:"quiet_start"` // "21:00"; empty for none
	QuietEnd        string           `json:"quiet_end"`   // "05:00"
	MaxDailyMinutes int              `json:"max_daily_minutes"`
	VolumeCaps      []VolumeCapInput `json:"volume_caps"`
}

func parseDayClock(field, s string) (int, error) {
	c, err := schedule.ParseClock(s)
	if err != nil || c < 0 || c >= schedule.EndOfDay {
		return 0, invalid(field, "limits.clock", "%q is not a time of day: write HH:MM, e.g. 21:00", s)
	}
	return int(c), nil
}

// SetLimits stores the limits of a unit or cluster (audited); the
// schedules of the devices concerned are rebuilt with the new caps.
func (s Scheduler) SetLimits(ctx context.Context, a model.Actor, in LimitsInput) (model.BroadcastLimits, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return model.BroadcastLimits{}, err
	}
	l := model.BroadcastLimits{UnitID: unit.ID, DeviceID: in.DeviceID, QuietStart: -1, QuietEnd: -1, UpdatedBy: a.Username}
	if in.DeviceID != 0 {
		d, err := s.store.Devices().Device(ctx, in.DeviceID)
		if err != nil {
			return l, err
		}
		if d.UnitID != unit.ID {
			return l, invalid("device_id", "limits.device_unit", "device %d does not belong to unit %q", in.DeviceID, unit.Name)
		}
	}
	if (in.QuietStart == "") != (in.QuietEnd == "") {
		return l, invalid("quiet_end", "limits.quiet_pair", "give both the start and the end of the quiet hours, or neither")
	}
	if in.QuietStart != "" {
		if l.QuietStart, err = parseDayClock("quiet_start", in.QuietStart); err != nil {
			return l, err
		}
		if l.QuietEnd, err = parseDayClock("quiet_end", in.QuietEnd); err != nil {
			return l, err
		}
		if l.QuietStart == l.QuietEnd {
			return l, invalid("quiet_end", "limits.quiet_empty", "the quiet hours start and end at the same time")
		}
	}
	if in.MaxDailyMinutes < 0 || in.MaxDailyMinutes > 24*60 {
		return l, invalid("max_daily_minutes", "limits.daily", "maximum daily broadcast time %d minutes: use 0 (no limit) to 1440", in.MaxDailyMinutes)
	}
	l.MaxDailySeconds = in.MaxDailyMinutes * 60
	if len(in.VolumeCaps) > 24 {
		return l, invalid("volume_caps", "limits.caps_many", "at most 24 volume caps")
	}
	for i, c := range in.VolumeCaps {
		f := fmt.Sprintf("volume_caps[%d]", i)
		var vc model.VolumeCap
		if vc.From, err = parseDayClock(f+".from", c.From); err != nil {
			return l, err
		}
		if vc.To, err = parseDayClock(f+".to", c.To); err != nil {
			return l, err
		}
		if c.Max < 0 || c.Max > 100 {
			return l, invalid(f+".max", "limits.cap_range", "volume cap %d %%: use 0–100", c.Max)
		}
		vc.Max = c.Max
		l.VolumeCaps = append(l.VolumeCaps, vc)
	}
	at := s.clock()
	l.UpdatedAt = &at
	var devices []int64
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().SaveLimits(ctx, l, at); err != nil {
			return err
		}
		if in.DeviceID != 0 {
			devices = []int64{in.DeviceID}
		} else {
			list, err := tx.Devices().ListDevices(ctx, unit.Path, false)
			if err != nil {
				return err
			}
			for _, d := range list {
				devices = append(devices, d.ID)
			}
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, devices); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.limits", "unit", fmt.Sprint(unit.ID),
			fmt.Sprintf("device=%d quiet=%s max_daily_minutes=%d caps=%d", in.DeviceID, quietText(l), in.MaxDailyMinutes, len(l.VolumeCaps)))
	})
	if err != nil {
		return l, err
	}
	OrderBook(s).publish(ctx, Notice{Kind: "schedule", Devices: devices})
	return l, nil
}

// Limits returns the limits that apply to a unit (deviceID 0) or a
// cluster: its own, else the nearest unit's up its branch, else none.
func (s Scheduler) Limits(ctx context.Context, a model.Actor, unitID, deviceID int64) (model.BroadcastLimits, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return model.BroadcastLimits{}, err
	}
	return limitsFor(ctx, s.store.Speech(), unit, deviceID)
}

// limitsFor resolves the limits of a device (0: of the unit itself).
func limitsFor(ctx context.Context, q storage.SpeechStore, unit *model.Unit, deviceID int64) (model.BroadcastLimits, error) {
	if deviceID != 0 {
		l, ok, err := q.LimitsOf(ctx, unit.ID, deviceID)
		if err != nil || ok {
			return l, err
		}
	}
	anc := storage.AncestorIDs(unit.Path)
	for i := len(anc) - 1; i >= 0; i-- {
		l, ok, err := q.LimitsOf(ctx, anc[i], 0)
		if err != nil || ok {
			return l, err
		}
	}
	return model.BroadcastLimits{UnitID: unit.ID, QuietStart: -1, QuietEnd: -1}, nil
}

func clockText(sec int) string { return schedule.Clock(sec).String() }

func quietText(l model.BroadcastLimits) string {
	if !l.HasQuiet() {
		return "none"
	}
	return clockText(l.QuietStart) + "–" + clockText(l.QuietEnd)
}

// overlapsQuiet reports whether [start, start+dur) meets the quiet window.
func overlapsQuiet(l model.BroadcastLimits, start int, dur time.Duration) bool {
	if !l.HasQuiet() {
		return false
	}
	end := start + int((dur+time.Second-1)/time.Second)
	for t := start; t < end; t += 60 {
		if model.InWindow(t%86400, l.QuietStart, l.QuietEnd) {
			return true
		}
	}
	return model.InWindow((end-1)%86400, l.QuietStart, l.QuietEnd) || (l.QuietStart >= start && l.QuietStart < end)
}

// checkLimits refuses a normal, priority or filler order that would play
// on one of its devices inside quiet hours or beyond the maximum daily
// broadcast time. It runs in the order's transaction (the order is
// inserted, so OrdersForDevice includes it).
func (s OrderBook) checkLimits(ctx context.Context, tx *storage.Tx, o *model.BroadcastOrder, level schedule.Level, dur time.Duration, devices []int64) error {
	if level >= schedule.LevelLive {
		return nil
	}
	if has, err := tx.Speech().AnyLimits(ctx); err != nil || !has {
		return err
	}
	clocks := schedule.SlotClocks(o.Slots)
	units := map[int64]*model.Unit{}
	for _, id := range devices {
		d, err := tx.Devices().Device(ctx, id)
		if err != nil {
			return err
		}
		u := units[d.UnitID]
		if u == nil {
			if u, err = tx.Orgs().Unit(ctx, d.UnitID); err != nil {
				return err
			}
			units[d.UnitID] = u
		}
		l, err := limitsFor(ctx, tx.Speech(), u, d.ID)
		if err != nil {
			return err
		}
		for _, c := range clocks {
			if overlapsQuiet(l, int(c), dur) {
				return i18n.Localise(model.Invalid("slots", "the broadcast at %s falls in the quiet hours %s of %q (%s): choose a time outside them; only emergencies may play then",
					c, quietText(l), u.Name, d.Name), "limits.quiet", c.String(), quietText(l), u.Name, d.Name)
			}
		}
		if l.MaxDailySeconds > 0 {
			orders, err := tx.Broadcast().OrdersForDevice(ctx, d.ID, u.ID, u.Path, o.StartDate.String(), o.EndDate.String())
			if err != nil {
				return err
			}
			total := time.Duration(0)
			for _, other := range orders {
				lv, err := schedule.ParseLevel(other.Level)
				if err != nil || lv >= schedule.LevelLive || other.IssuedAt != nil {
					continue
				}
				total += time.Duration(len(schedule.SlotClocks(other.Slots))) * time.Duration(other.MediaDurationMS) * time.Millisecond
			}
			if total > time.Duration(l.MaxDailySeconds)*time.Second {
				return i18n.Localise(model.Invalid("slots", "%q (%s) would broadcast %d minutes a day, more than its maximum of %d minutes: play it fewer times or remove another bulletin",
					u.Name, d.Name, int(total.Minutes()+0.5), l.MaxDailySeconds/60), "limits.daily_over", u.Name, d.Name, strconv.Itoa(int(total.Minutes()+0.5)), strconv.Itoa(l.MaxDailySeconds/60))
			}
		}
	}
	return nil
}

// quietOverrides lists, for the audit line of an emergency, the devices
// whose quiet hours it overrides at time t.
func (s OrderBook) quietOverrides(ctx context.Context, tx *storage.Tx, devices []int64, t time.Time) ([]string, error) {
	if has, err := tx.Speech().AnyLimits(ctx); err != nil || !has {
		return nil, err
	}
	sec := t.In(s.loc).Hour()*3600 + t.In(s.loc).Minute()*60 + t.In(s.loc).Second()
	var out []string
	units := map[int64]*model.Unit{}
	for _, id := range devices {
		d, err := tx.Devices().Device(ctx, id)
		if err != nil {
			return nil, err
		}
		u := units[d.UnitID]
		if u == nil {
			if u, err = tx.Orgs().Unit(ctx, d.UnitID); err != nil {
				return nil, err
			}
			units[d.UnitID] = u
		}
		l, err := limitsFor(ctx, tx.Speech(), u, d.ID)
		if err != nil {
			return nil, err
		}
		if l.HasQuiet() && model.InWindow(sec, l.QuietStart, l.QuietEnd) {
			out = append(out, fmt.Sprintf("%d(%s)", d.ID, quietText(l)))
		}
	}
	return out, nil
}

// scheduleLimits returns the limits a device enforces itself, for its
// schedule; nil when none apply.
func (s Scheduler) scheduleLimits(ctx context.Context, unit *model.Unit, deviceID int64) (*protocol.Limits, error) {
	if has, err := s.store.Speech().AnyLimits(ctx); err != nil || !has {
		return nil, err
	}
	l, err := limitsFor(ctx, s.store.Speech(), unit, deviceID)
	if err != nil {
		return nil, err
	}
	if !l.HasQuiet() && len(l.VolumeCaps) == 0 {
		return nil, nil
	}
	out := &protocol.Limits{}
	if l.HasQuiet() {
		out.QuietStart, out.QuietEnd = clockText(l.QuietStart), clockText(l.QuietEnd)
	}
	for _, c := range l.VolumeCaps {
		out.VolumeCaps = append(out.VolumeCaps, protocol.VolumeCap{From: clockText(c.From), To: clockText(c.To), Max: c.Max})
	}
	return out, nil
}
