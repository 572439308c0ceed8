package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// BenchmarkRollupLag measures the rollup lag of play-log ingestion: a
// province's fleet (LOA_BENCH_LAG_DEVICES devices, default 6,600, spread
// over LOA_BENCH_LAG_UNITS communes, default 3,300) uploads completed
// plays at LOA_BENCH_LAG_RATE events per second (default 20,000) for
// LOA_BENCH_LAG_SECONDS seconds (default 10), LOA_BENCH_LAG_BATCH events
// per upload (default 20), through the server's ingestion path
// (Library.IngestPlays: validation against the device's schedule, then the
// play writer's group commit, which stores the plays and all their
// rollups in one transaction). Uploads arrive on a fixed timetable
// whether or not earlier ones are done (open loop), and
// LOA_BENCH_LAG_CONNS of them (default 256) are handled at once, as by
// an HTTP server. The lag of an upload is the time from its arrival to
// the return of IngestPlays, when its plays are in play_rollups and
// play_day_totals (committed). At the end the rollups are checked against
// the number of plays stored. Runs on SQLite and, with LOA_TEST_POSTGRES,
// PostgreSQL, each on a fresh database (the fleet is created in a few
// seconds).
func BenchmarkRollupLag(b *testing.B) {
	devices := lagEnv(b, "LOA_BENCH_LAG_DEVICES", 6600)
	units := lagEnv(b, "LOA_BENCH_LAG_UNITS", 3300)
	rate := lagEnv(b, "LOA_BENCH_LAG_RATE", 20000)
	seconds := lagEnv(b, "LOA_BENCH_LAG_SECONDS", 10)
	batch := lagEnv(b, "LOA_BENCH_LAG_BATCH", 20)
	conns := lagEnv(b, "LOA_BENCH_LAG_CONNS", 256)
	if batch > protocol.MaxPlayEvents {
		b.Fatalf("LOA_BENCH_LAG_BATCH=%d: at most %d events per upload", batch, protocol.MaxPlayEvents)
	}
	units = min(units, devices)
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			benchRollupLag(b, e, devices, units, rate, seconds, batch, conns)
		})
	}
}

func lagEnv(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 10_000_000 {
		b.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}

func benchRollupLag(b *testing.B, e storage.Engine, devices, units, rate, seconds, batch, conns int) {
	ctx := context.Background()
	st, _ := storetest.Open(b, e)
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

	// Each run's uploads go to the devices in turn; each upload completes
	// the device's next `batch` schedule items (one completed play per
	// occurrence, so every play is new and counts in the rollups).
	uploads := rate * seconds / batch
	perDevice := (uploads*b.N + devices - 1) / devices * batch
	if perDevice > 1000 {
		b.Fatalf("%d schedule items per device needed (slots one minute apart in one day): use more devices or fewer events", perDevice)
	}
	slotStart := func(i int) time.Time {
		return time.Date(2021, 6, 7, 5, 0, 0, 0, vn).Add(time.Duration(i) * time.Minute)
	}
	t0 := time.Now()
	province := &model.Unit{Code: "lag-province", Name: "Tỉnh", Kind: "other"}
	m := &model.Media{Title: "x", Source: "upload", SHA256: "ab", OriginalSHA256: "ab", DurationMS: 60000}
	o := &model.BroadcastOrder{Title: "x", Level: "normal", StartDate: schedule.NewDate(2021, 6, 7), EndDate: schedule.NewDate(2021, 6, 7)}
	var auths []*broadcast.DeviceAuth
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Orgs().InsertUnit(ctx, province); err != nil {
			return err
		}
		m.UnitID, o.UnitID = province.ID, province.ID
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		o.MediaID = m.ID
		if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
			return err
		}
		communes := make([]int64, units)
		for u := range communes {
			c := &model.Unit{Code: fmt.Sprintf("lag-%d", u), Name: fmt.Sprintf("Xã %d", u), Kind: "commune_radio", ParentID: &province.ID}
			if err := tx.Orgs().InsertUnit(ctx, c); err != nil {
				return err
			}
			communes[u] = c.ID
		}
		var items []model.ScheduleItem
		for d := range devices {
			dev := &model.Device{UnitID: communes[d%units], Name: fmt.Sprint(d), Kind: "loudspeaker", CredentialPrefix: "x"}
			if err := tx.Devices().InsertDevice(ctx, dev, fmt.Sprintf("lag-hash-%d", d)); err != nil {
				return err
			}
			auths = append(auths, &broadcast.DeviceAuth{Device: dev})
			for i := range perDevice {
				start := slotStart(i)
				items = append(items, model.ScheduleItem{DeviceID: dev.ID, ItemID: broadcast.ItemID(o.ID, start), OrderID: o.ID, Level: "normal", Start: start, End: start.Add(time.Minute)})
			}
			if len(items) >= 4000 || d == devices-1 {
				if err := tx.Broadcast().UpsertScheduleItems(ctx, items); err != nil {
					return err
				}
				items = items[:0]
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: fleet of %d devices in %d communes, %d schedule items each, created in %s",
		e, devices, units, perDevice, time.Since(t0).Round(100*time.Millisecond))

	type upload struct {
		arrival time.Time
		index   int
		device  int
		batch   protocol.PlayLogBatch
	}
	// The bodies are made before the clock starts: what is timed is the
	// server's work, not the simulated devices'.
	var lags []time.Duration
	var stored int64
	var elapsed time.Duration
	next := make([]int, devices) // each device's next schedule item
	b.ResetTimer()
	cpu0 := processCPU(b)
	for run := 0; run < b.N; run++ {
		b.StopTimer()
		work := make([]upload, uploads)
		for u := range work {
			d := u % devices
			events := make([]protocol.PlayEvent, batch)
			for i := range events {
				start := slotStart(next[d])
				events[i] = protocol.PlayEvent{EventID: fmt.Sprintf("lag-%d-%d", run, u*batch+i), ItemID: broadcast.ItemID(o.ID, start),
					Status: protocol.PlayCompleted, StartedAt: start, EndedAt: start.Add(time.Minute)}
				next[d]++
			}
			work[u] = upload{index: u, device: d, batch: protocol.PlayLogBatch{Events: events}}
		}
		b.StartTimer()
		cpuRun := processCPU(b)
		queue := make(chan *upload, uploads)
		runLags := make([]time.Duration, uploads)
		var mu sync.Mutex
		var wg sync.WaitGroup
		var failed error
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for w := range queue {
					res, err := svc.Library().IngestPlays(ctx, auths[w.device], w.batch)
					lag := time.Since(w.arrival)
					mu.Lock()
					switch {
					case err != nil:
						failed = err
					case res.Accepted != batch:
						failed = fmt.Errorf("upload of device %d: %d of %d events accepted (%+v)", w.device, res.Accepted, batch, *res)
					default:
						stored += int64(res.Accepted)
					}
					mu.Unlock()
					runLags[w.index] = lag
				}
			}()
		}
		start := time.Now()
		interval := time.Second * time.Duration(batch) / time.Duration(rate)
		for u := range work {
			work[u].arrival = start.Add(time.Duration(u) * interval)
			if d := time.Until(work[u].arrival); d > 0 {
				time.Sleep(d)
			}
			queue <- &work[u]
		}
		close(queue)
		wg.Wait()
		elapsed += time.Since(start)
		b.Logf("%s run %d: %d uploads in %s, %s CPU", e, run, uploads, time.Since(start).Round(time.Millisecond), (processCPU(b) - cpuRun).Round(time.Millisecond))
		if failed != nil {
			b.Fatal(failed)
		}
		lags = append(lags, runLags...)
	}
	cpu := processCPU(b) - cpu0
	b.StopTimer()

	// The rollups hold every stored play, once.
	var plays, dayPlays int64
	if err := st.QueryRowRaw(ctx, `SELECT COALESCE(SUM(plays), 0) FROM play_rollups WHERE order_id = ?`, o.ID).Scan(&plays); err != nil {
		b.Fatal(err)
	}
	if err := st.QueryRowRaw(ctx, `SELECT COALESCE(SUM(plays), 0) FROM play_day_totals`).Scan(&dayPlays); err != nil {
		b.Fatal(err)
	}
	if plays != stored || dayPlays != stored {
		b.Fatalf("rollups hold %d plays (day totals %d), %d were stored", plays, dayPlays, stored)
	}
	slices.Sort(lags)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(rate), "offered-events/s")
	b.ReportMetric(float64(stored)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(stored)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(ms(lags[len(lags)/2]), "lag-p50-ms")
	b.ReportMetric(ms(lags[len(lags)*99/100]), "lag-p99-ms")
	b.ReportMetric(ms(lags[len(lags)-1]), "lag-max-ms")
	b.ReportMetric(0, "ns/op")
}
