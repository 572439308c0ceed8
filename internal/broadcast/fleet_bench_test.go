package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// BenchmarkFleet measures, on SQLite and in CPU time as well as wall
// time, what a province's fleet costs the server (issue 17): issuing an
// emergency to every device (the transaction and the push, without
// connections), and rebuilding a device's schedule after a change (a cold
// start or the refetch after an emergency), with 64 rebuilds at once as
// the server allows. LOA_BENCH_FLEET sets the number of devices (default
// 10,000) in 50 communes of one district, each with two daily bulletins.
func BenchmarkFleet(b *testing.B) {
	ctx := context.Background()
	devices := 10000
	if v := os.Getenv("LOA_BENCH_FLEET"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			b.Fatalf("LOA_BENCH_FLEET=%q: a number of devices, 1-100000", v)
		}
		devices = n
	}
	st, _ := storetest.Open(b, storage.SQLite)
	blobs, err := blob.NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2021, 6, 7, 9, 0, 0, 0, vn)
	svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: authz.Default(), Clock: clock.Fixed(now), Location: vn})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	const communes = 50
	district := &model.Unit{Code: "bench-d", Name: "Bench district", Kind: "district_pc"}
	var auths []*broadcast.DeviceAuth
	var media *model.Media
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Orgs().InsertUnit(ctx, district); err != nil {
			return err
		}
		media = &model.Media{UnitID: district.ID, Title: "x", Source: "upload", SHA256: "ab", OriginalSHA256: "ab", DurationMS: 60000}
		if err := tx.Broadcast().InsertMedia(ctx, media); err != nil {
			return err
		}
		for c := range communes {
			u := &model.Unit{Code: fmt.Sprintf("bench-c%d", c), Name: fmt.Sprintf("Commune %d", c), Kind: "commune_radio", ParentID: &district.ID}
			if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
				return err
			}
			o := &model.BroadcastOrder{UnitID: u.ID, Title: "bulletin", MediaID: media.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 1),
				EndDate: schedule.NewDate(2021, 6, 30), Slots: schedule.Slots{schedule.FixedSlot(schedule.ClockOf(6, 0, 0)), schedule.FixedSlot(schedule.ClockOf(17, 0, 0))},
				Targets: []model.OrderTarget{{Kind: model.TargetUnit, ID: u.ID}}}
			if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
				return err
			}
			for d := range devices / communes {
				dev := &model.Device{UnitID: u.ID, Name: fmt.Sprint(d), Kind: "loudspeaker", CredentialPrefix: "x"}
				if err := tx.Devices().InsertDevice(ctx, dev, fmt.Sprintf("hash-%d-%d", c, d)); err != nil {
					return err
				}
				auths = append(auths, &broadcast.DeviceAuth{Device: dev})
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sys := model.System("bench")
	var orderID int64
	b.Run("emergency", func(b *testing.B) {
		cpu0 := processCPU(b)
		for b.Loop() {
			r, err := svc.OrderBook().Emergency(ctx, sys, broadcast.EmergencyInput{UnitID: district.ID, Title: "Bão", MediaID: media.ID,
				Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: district.ID}}})
			if err != nil {
				b.Fatal(err)
			}
			if r.Devices != len(auths) {
				b.Fatalf("emergency to %d devices, want %d", r.Devices, len(auths))
			}
			orderID = r.Order.ID
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/emergency")
		b.ReportMetric(float64((processCPU(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/emergency")
	})
	// The devices an emergency targets, resolved in its first
	// transaction before anything is pushed: on the path of every push.
	b.Run("resolve", func(b *testing.B) {
		for b.Loop() {
			ids, err := st.Broadcast().OrderDeviceIDs(ctx, orderID)
			if err != nil {
				b.Fatal(err)
			}
			if len(ids) != len(auths) {
				b.Fatalf("%d devices, want %d", len(ids), len(auths))
			}
		}
	})
	b.Run("rebuild", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(64)
		cpu0 := processCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := next.Add(1) - 1
				d := *auths[k%int64(len(auths))].Device
				d.ScheduleVersion += 1000 + k // a version never built: a rebuild
				if _, err := svc.Scheduler().DeviceSchedule(ctx, &broadcast.DeviceAuth{Device: &d}, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rebuilds/s")
		b.ReportMetric(float64(b.N)/(processCPU(b)-cpu0).Seconds(), "rebuilds/cpu-s")
	})
}
