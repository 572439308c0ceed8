package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestQuietHoursRefuseNormalWhileEmergencyPlays: with quiet hours
// 21:00–05:00 on the commune, a normal order at 22:00 is refused with the
// reason in Vietnamese while an emergency issued at 21:30 is accepted,
// reaches the devices and leaves an audit line saying it overrode the
// quiet hours; a cluster's own limits replace its unit's; too much daily
// broadcast time is refused; the volume caps travel in the schedule and
// the agent applies them (emergencies play at full volume).
func TestQuietHoursRefuseNormalWhileEmergencyPlays(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		night := time.Date(2021, 6, 7, 21, 30, 0, 0, vn)
		clock := deviceclient.NewManualClock(night)
		e := newEnv(t, st, clock, envOptions{})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.actor("phatthanh.vinhthanhvan")
		d1 := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa ấp 1")
		d2 := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		m := e.ttsMedia(e.tokenFor("phatthanh.vinhthanhvan"), commune.ID, "Thông báo họp", "Kính mời bà con dự họp tổ dân phố.")

		sched := e.svc.Scheduler()
		if _, err := sched.SetLimits(ctx, op, broadcast.LimitsInput{UnitID: commune.ID, QuietStart: "21:00", QuietEnd: "05:00", MaxDailyMinutes: 10,
			VolumeCaps: []broadcast.VolumeCapInput{{From: "21:00", To: "05:00", Max: 30}, {From: "05:00", To: "07:00", Max: 70}}}); err != nil {
			t.Fatal(err)
		}
		// The market cluster has its own limits: no quiet hours.
		if _, err := sched.SetLimits(ctx, op, broadcast.LimitsInput{UnitID: commune.ID, DeviceID: d2.id, MaxDailyMinutes: 10}); err != nil {
			t.Fatal(err)
		}
		today := schedule.DateOf(night)
		at := func(h, m int) []schedule.Slot { return []schedule.Slot{schedule.FixedSlot(schedule.ClockOf(h, m, 0))} }
		order := func(level string, slots []schedule.Slot, targets ...model.OrderTarget) (*broadcast.OrderView, error) {
			return e.svc.OrderBook().CreateOrder(ctx, op, broadcast.OrderInput{UnitID: commune.ID, Title: "Thông báo họp", MediaID: m.ID, Level: level,
				StartDate: today.String(), EndDate: today.String(), Slots: slots, Targets: targets})
		}
		all := model.OrderTarget{Kind: model.TargetSubtree, ID: commune.ID}
		for _, level := range []string{"normal", "priority"} {
			_, err := order(level, at(22, 0), all)
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s order at 22:00: err = %v, want a refusal", level, err)
			}
			vi := strings.Join(i18n.Messages().Texts(i18n.VI, err), " ")
			if !strings.Contains(vi, "Giờ phát 22:00 nằm trong giờ yên tĩnh 21:00–05:00") || !strings.Contains(vi, "Cụm loa ấp 1") {
				t.Errorf("%s refusal in Vietnamese: %q", level, vi)
			}
		}
		// A bulletin that would run into the quiet hours is refused too.
		if m.DurationMS < 2000 {
			t.Fatalf("bulletin of %d ms", m.DurationMS)
		}
		if _, err := order("normal", []schedule.Slot{schedule.FixedSlot(schedule.ClockOf(20, 59, 59))}, all); err == nil {
			t.Error("a bulletin starting at 20:59:59 and running into the quiet hours was accepted")
		}
		// The market cluster alone may play at 22:00; the evening is fine for all.
		if _, err := order("normal", at(22, 0), model.OrderTarget{Kind: model.TargetDevice, ID: d2.id}); err != nil {
			t.Errorf("cluster without quiet hours: %v", err)
		}
		if _, err := order("normal", at(18, 0), all); err != nil {
			t.Fatalf("order at 18:00: %v", err)
		}
		// Maximum daily broadcast time (10 minutes): many plays are refused.
		var many []schedule.Slot
		for h := 6; h < 20; h++ {
			for mi := 0; mi < 60; mi += 2 {
				many = append(many, schedule.FixedSlot(schedule.ClockOf(h, mi, 0)))
			}
		}
		if _, err := order("normal", many, all); err == nil || !strings.Contains(strings.Join(i18n.Messages().Texts(i18n.VI, err), " "), "quá mức tối đa 10 phút") {
			t.Errorf("420 plays a day: err = %v", err)
		}

		// The emergency plays at 21:30, inside the quiet hours, with an audit line.
		er, err := e.svc.OrderBook().Emergency(ctx, op, broadcast.EmergencyInput{UnitID: commune.ID, Title: "Bão số 5", MediaID: m.ID, Targets: []model.OrderTarget{all}})
		if err != nil {
			t.Fatalf("emergency in quiet hours: %v", err)
		}
		if er.Devices != 2 {
			t.Errorf("emergency reached %d devices", er.Devices)
		}
		var n int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM audit_log WHERE action = 'broadcast.quiet_override'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("quiet override audit lines: %d (%v)", n, err)
		}
		s1 := d1.schedule()
		var emergency *protocol.Item
		for i, it := range s1.Items {
			if it.Level == "emergency" {
				emergency = &s1.Items[i]
			}
			if it.Level == "normal" && it.Start.In(vn).Hour() >= 21 {
				t.Errorf("device 1 has a normal item in quiet hours: %+v", it)
			}
		}
		if emergency == nil {
			t.Fatal("the emergency is not in device 1's schedule")
		}
		// The caps travel in the schedule; the agent applies them.
		if s1.Limits == nil || s1.Limits.QuietStart != "21:00" || len(s1.Limits.VolumeCaps) != 2 {
			t.Fatalf("device 1 limits: %+v", s1.Limits)
		}
		if s2 := d2.schedule(); s2.Limits != nil {
			t.Errorf("device 2 (its own limits, no caps) got %+v", s2.Limits)
		}
		normal := protocol.Item{Level: "normal"}
		for _, c := range []struct {
			h, m  int
			level string
			want  int
		}{{21, 30, "normal", 30}, {4, 59, "priority", 30}, {6, 0, "normal", 70}, {12, 0, "normal", 100}, {21, 30, "emergency", 100}} {
			normal.Level = c.level
			got := deviceclient.VolumeCapAt(s1.Limits, normal.Level, time.Date(2021, 6, 7, c.h, c.m, 0, 0, vn), vn)
			if got != c.want {
				t.Errorf("cap at %02d:%02d for %s = %d, want %d", c.h, c.m, c.level, got, c.want)
			}
		}
		// Bad limits are refused.
		for _, bad := range []broadcast.LimitsInput{{UnitID: commune.ID, QuietStart: "25:00", QuietEnd: "05:00"}, {UnitID: commune.ID, QuietStart: "21:00"},
			{UnitID: commune.ID, VolumeCaps: []broadcast.VolumeCapInput{{From: "21:00", To: "05:00", Max: 130}}}, {UnitID: commune.ID, MaxDailyMinutes: -1}} {
			var ve *model.ValidationError
			if _, err := sched.SetLimits(ctx, op, bad); !errors.As(err, &ve) {
				t.Errorf("limits %+v: err = %v", bad, err)
			}
		}
		if l, err := sched.Limits(ctx, op, commune.ID, 0); err != nil || l.QuietStart != 21*3600 || l.MaxDailySeconds != 600 {
			t.Errorf("limits after refusals: %+v %v", l, err)
		}
	})
}
