package stats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestFleetMetrics: /metrics' fleet gauges count devices online and
// offline by unit level, the silent slots (not the slot before the
// device enrolled, not the one played), and the emergency latency
// histogram from issuing to each device's first play.
func TestFleetMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		now := time.Date(2021, 6, 10, 12, 0, 0, 0, i18n.Zone())
		svc := stats.New(st, authz.Default(), stats.Config{Clock: clock.Fixed(now), Loc: i18n.Zone(), OnlineWindow: time.Minute})
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			p := &model.Unit{Code: "fm-p", Name: "Tỉnh", Kind: "other"}
			if err := tx.Orgs().InsertUnit(ctx, p); err != nil {
				return err
			}
			c := &model.Unit{Code: "fm-c", Name: "Xã", Kind: "other", ParentID: &p.ID}
			if err := tx.Orgs().InsertUnit(ctx, c); err != nil {
				return err
			}
			var devs []*storage.Device
			for i, enrolled := range []time.Time{now.Add(-48 * time.Hour), now.Add(-3 * time.Hour)} {
				d := &storage.Device{UnitID: c.ID, Name: "Cụm loa", Kind: "loudspeaker", CredentialPrefix: "loa_d_x", EnrolledAt: enrolled}
				if err := tx.Devices().InsertDevice(ctx, d, "fm-h"+string(rune('a'+i))); err != nil {
					return err
				}
				devs = append(devs, d)
			}
			// The first device is online, the second was last seen an hour ago.
			if err := tx.Devices().TouchDevices(ctx, []model.DeviceSeen{{DeviceID: devs[0].ID, SeenAt: now.Add(-10 * time.Second)},
				{DeviceID: devs[1].ID, SeenAt: now.Add(-time.Hour)}}); err != nil {
				return err
			}
			m := &storage.Media{UnitID: c.ID, Title: "b", Source: "upload", SHA256: "fm", Size: 1, DurationMS: 60000, OriginalSHA256: "fm", OriginalSize: 1}
			if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
				return err
			}
			o := &storage.BroadcastOrder{UnitID: c.ID, Title: "b", MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 9), EndDate: schedule.NewDate(2021, 6, 10),
				Source: "local", MadeAt: now.Add(-30 * time.Hour)}
			if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
				return err
			}
			issued := now.Add(-2 * time.Hour)
			em := &storage.BroadcastOrder{UnitID: c.ID, Title: "khẩn", MediaID: m.ID, Level: "emergency", StartDate: schedule.NewDate(2021, 6, 10), EndDate: schedule.NewDate(2021, 6, 10),
				Source: "local", IssuedAt: &issued, MadeAt: issued}
			if err := tx.Broadcast().InsertOrder(ctx, em); err != nil {
				return err
			}
			slot := func(at time.Time) storage.ScheduleItem {
				return storage.ScheduleItem{DeviceID: devs[0].ID, ItemID: "o" + at.Format("150405"), OrderID: o.ID, Level: "normal", Start: at, End: at.Add(time.Minute)}
			}
			// Device 0: 06:00 played, 08:00 and 10:00 silent. Device 1
			// (enrolled 09:00): 06:00 before it enrolled, 10:00 silent
			// while seen at 11:00.
			s0 := []storage.ScheduleItem{slot(now.Add(-6 * time.Hour)), slot(now.Add(-4 * time.Hour)), slot(now.Add(-2 * time.Hour))}
			if err := tx.Broadcast().SaveDeviceSchedule(ctx, devs[0].ID, 1, "2021-06-10", "e0", "{}", s0); err != nil {
				return err
			}
			s1 := []storage.ScheduleItem{slot(now.Add(-6 * time.Hour)), slot(now.Add(-2 * time.Hour))}
			for i := range s1 {
				s1[i].DeviceID = devs[1].ID
			}
			if err := tx.Broadcast().SaveDeviceSchedule(ctx, devs[1].ID, 1, "2021-06-10", "e1", "{}", s1); err != nil {
				return err
			}
			_, err := tx.Broadcast().InsertPlayLogs(ctx, []storage.PlayLog{
				{DeviceID: devs[0].ID, EventID: "p1", ItemID: s0[0].ItemID, OrderID: o.ID, Status: storage.PlayCompleted, StartedAt: s0[0].Start, EndedAt: s0[0].End, ReceivedAt: now},
				{DeviceID: devs[0].ID, EventID: "e1", ItemID: "em-1", OrderID: em.ID, Status: storage.PlayCompleted, StartedAt: issued.Add(3 * time.Second), EndedAt: issued.Add(time.Minute), ReceivedAt: now},
				{DeviceID: devs[1].ID, EventID: "e2", ItemID: "em-1", OrderID: em.ID, Status: storage.PlayCompleted, StartedAt: issued.Add(40 * time.Second), EndedAt: issued.Add(time.Minute), ReceivedAt: now},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(svc.FleetCollector())
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for _, mf := range mfs {
			if _, err := expfmt.MetricFamilyToText(&out, mf); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []string{
			`loa_emergency_delivery_latency_seconds_bucket{le="2"} 0`,
			`loa_emergency_delivery_latency_seconds_bucket{le="5"} 1`,
			`loa_emergency_delivery_latency_seconds_bucket{le="30"} 1`,
			`loa_emergency_delivery_latency_seconds_bucket{le="60"} 2`,
			`loa_emergency_delivery_latency_seconds_sum 43`,
			`loa_emergency_delivery_latency_seconds_count 2`,
			`loa_fleet_devices{kind="other",level="1",state="offline"} 1`,
			`loa_fleet_devices{kind="other",level="1",state="online"} 1`,
			`loa_fleet_silent_slots_24h 3`,
		} {
			if !strings.Contains(out.String(), want+"\n") {
				t.Errorf("metrics lack %q:\n%s", want, out.String())
			}
		}
	})
}
