package deviceclient

import (
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/schedule"
)

// VolumeCapAt returns the highest volume (percent) the limits allow at t
// for an item of the given level: 100 when no cap applies, and always for
// emergencies and live broadcasts, which override the caps. loc is the
// schedule's time zone. Caps that do not parse are ignored (the server
// validates them).
func VolumeCapAt(l *protocol.Limits, level string, t time.Time, loc *time.Location) int {
	if l == nil || level == "emergency" || level == "live" {
		return 100
	}
	lt := t.In(loc)
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	cap := 100
	for _, c := range l.VolumeCaps {
		from, err1 := schedule.ParseClock(c.From)
		to, err2 := schedule.ParseClock(c.To)
		if err1 != nil || err2 != nil || from == to {
			continue
		}
		in := false
		if from < to {
			in = sec >= int(from) && sec < int(to)
		} else {
			in = sec >= int(from) || sec < int(to)
		}
		if in && c.Max < cap {
			cap = max(c.Max, 0)
		}
	}
	return cap
}

// playVolume is the volume an item plays at now: the device's volume,
// capped by the schedule's limits (the schedule is cached, so the cap
// holds offline).
func (a *Agent) playVolume(it protocol.Item, now time.Time) int {
	a.mu.Lock()
	vol := a.volume
	var l *protocol.Limits
	loc := time.UTC
	if a.sched != nil {
		l = a.sched.Limits
		if z, err := time.LoadLocation(a.sched.Timezone); err == nil {
			loc = z
		}
	}
	a.mu.Unlock()
	return min(vol, VolumeCapAt(l, it.Level, now, loc))
}
