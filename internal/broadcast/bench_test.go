package broadcast_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// BenchmarkPlayLogIngest measures play-log ingestion on SQLite: batches
// of 500 new events from 100 devices, each event checked against the
// device's schedule items and stored idempotently.
func BenchmarkPlayLogIngest(b *testing.B) {
	ctx := context.Background()
	st, _ := storetest.Open(b, storage.SQLite)
	blobs, err := blob.NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2021, 6, 7, 23, 0, 0, 0, vn)
	svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: authz.Default(), Clock: clock.Fixed(now), Location: vn})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	const devices, itemsPerDevice, batch = 100, 500, 500
	unit := &model.Unit{Code: "bench", Name: "Bench", Kind: "commune_radio"}
	m := &model.Media{Title: "x", Source: "upload", SHA256: "ab", OriginalSHA256: "ab", DurationMS: 60000}
	var auths []*broadcast.DeviceAuth
	var itemIDs [][]string
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Orgs().InsertUnit(ctx, unit); err != nil {
			return err
		}
		m.UnitID = unit.ID
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		o := &model.BroadcastOrder{UnitID: unit.ID, Title: "x", MediaID: m.ID, Level: "normal", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 7)}
		if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
			return err
		}
		for d := range devices {
			dev := &model.Device{UnitID: unit.ID, Name: fmt.Sprint(d), Kind: "loudspeaker", CredentialPrefix: "x"}
			if err := tx.Devices().InsertDevice(ctx, dev, fmt.Sprintf("hash-%d", d)); err != nil {
				return err
			}
			auths = append(auths, &broadcast.DeviceAuth{Device: dev})
			var ids []string
			var items []model.ScheduleItem
			for i := range itemsPerDevice {
				start := time.Date(2021, 6, 7, 6, 0, 0, 0, vn).Add(time.Duration(i) * time.Minute)
				id := broadcast.ItemID(o.ID, start)
				ids = append(ids, id)
				items = append(items, model.ScheduleItem{DeviceID: dev.ID, ItemID: id, OrderID: o.ID, Level: "normal", Start: start, End: start.Add(time.Minute)})
			}
			itemIDs = append(itemIDs, ids)
			if err := tx.Broadcast().UpsertScheduleItems(ctx, items); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	ingest := func(b *testing.B, cold bool) {
		// Each device once through its items as completed plays, then as
		// interrupted ones (an occurrence is completed at most once).
		k := int(next.Add(1) - 1)
		d := k % devices
		da := auths[d]
		if cold {
			// A schedule version the play-item cache never saw: every
			// item is looked up in the database, as for a device's first
			// report of its items.
			dev := *da.Device
			dev.ScheduleVersion = int64(1000 + k)
			da = &broadcast.DeviceAuth{Device: &dev}
		}
		status := protocol.PlayCompleted
		if k >= devices {
			status = protocol.PlayInterrupted
		}
		events := make([]protocol.PlayEvent, batch)
		for i := range events {
			it := itemIDs[d][i%itemsPerDevice]
			start := time.Date(2021, 6, 7, 6, 0, 0, 0, vn).Add(time.Duration(i%itemsPerDevice) * time.Minute)
			events[i] = protocol.PlayEvent{EventID: fmt.Sprintf("ev-%d-%d", k, i), ItemID: it, Status: status, StartedAt: start, EndedAt: start.Add(time.Minute)}
		}
		res, err := svc.Library().IngestPlays(ctx, da, protocol.PlayLogBatch{Events: events})
		if err != nil {
			b.Error(err)
			return
		}
		if res.Accepted != batch {
			b.Errorf("accepted %d of %d", res.Accepted, batch)
		}
	}
	// One device uploading at a time, and devices uploading concurrently
	// (8 at once, as a fleet does): their batches share commits.
	// events/cpu-s divides by the CPU time the process used (user and
	// system, the uploads' own encoding included) instead of the wall
	// clock: on a shared machine the wall-clock rate measures the other
	// programs as much as this one.
	b.Run("sequential", func(b *testing.B) {
		cpu0 := processCPU(b)
		for b.Loop() {
			ingest(b, false)
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(b.N*batch)/(processCPU(b)-cpu0).Seconds(), "events/cpu-s")
	})
	b.Run("concurrent", func(b *testing.B) {
		b.SetParallelism(4)
		cpu0 := processCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ingest(b, false)
			}
		})
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(b.N*batch)/(processCPU(b)-cpu0).Seconds(), "events/cpu-s")
	})
	// Sequential again, every upload's items looked up in the database
	// (none served by the play-item cache, which in the two runs above
	// answers every batch but each device's first): the cost of a fleet
	// reporting items for the first time.
	b.Run("sequential-cold", func(b *testing.B) {
		cpu0 := processCPU(b)
		for b.Loop() {
			ingest(b, true)
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(b.N*batch)/(processCPU(b)-cpu0).Seconds(), "events/cpu-s")
	})
}

// BenchmarkSpeakTextPerCommune measures what one more commune costs when
// a text bulletin reaches it (automatic scheduling makes the same speech
// for every commune radio): "first" synthesises and converts a new text,
// "same" reuses the conversion made for another commune.
func BenchmarkSpeakTextPerCommune(b *testing.B) {
	requireTools(b)
	ctx := context.Background()
	st, _ := storetest.Open(b, storage.SQLite)
	blobs, err := blob.NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	proc, err := media.New(media.Config{TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	esp, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: authz.Default(), Media: proc, TTS: esp, Location: vn})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	sys := model.System("bench")
	n := 0
	newUnit := func() int64 {
		n++
		u := &model.Unit{Code: fmt.Sprintf("dtt-%d", n), Name: fmt.Sprintf("Đài truyền thanh xã %d", n), Kind: "commune_radio"}
		if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
			b.Fatal(err)
		}
		return u.ID
	}
	const text = "Tuyên truyền trách nhiệm mỗi cá nhân thực hiện phòng, chống dịch theo phương châm 5K cộng vắc xin."
	b.Run("first", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: newUnit(), Title: "x", Text: fmt.Sprintf("%s Lần %d.", text, i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("same", func(b *testing.B) {
		if _, err := svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: newUnit(), Title: "x", Text: text}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: newUnit(), Title: "x", Text: text}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// processCPU is the CPU time (user and system) the test process used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
