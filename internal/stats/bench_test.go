package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// benchSize: the small default runs in CI; LOA_BENCH_BIG=1 builds the
// province of the issue (15 districts, 3,300 communes, a radio station
// each) and LOA_BENCH_EVENTS play events (default 10,000,000).
func benchSize(b *testing.B) (districts, communes, events int) {
	if os.Getenv("LOA_BENCH_BIG") == "" {
		return 3, 30, 30000
	}
	events = 10_000_000
	if v := os.Getenv("LOA_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("LOA_BENCH_EVENTS=%q: give a number of events", v)
		}
		events = n
	}
	return 15, 3300, events
}

// BenchmarkEvidence loads the play events through the ingestion path
// (InsertPlayLogs: plays and their rollups in one transaction per batch
// of 500, as devices report them), reports the ingestion rate (the
// rollups are current when each batch commits: no lag), then times the
// province dashboard, a district's, a commune's and a monthly report's
// figures (a 30-day overview at the province).
func BenchmarkEvidence(b *testing.B) {
	districts, communes, events := benchSize(b)
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			st, _ := storetest.Open(b, engine)
			now := time.Date(2021, 6, 30, 20, 0, 0, 0, i18n.Zone())
			svc := stats.New(st, authz.Default(), stats.Config{Clock: clock.Fixed(now), Loc: i18n.Zone()})
			var province *model.Unit
			var districtIDs, communeIDs []int64
			var devices, orders []int64
			err := st.Tx(ctx, func(tx *storage.Tx) error {
				province = &model.Unit{Code: "bench-p", Name: "Tỉnh", Kind: "other"}
				if err := tx.Orgs().InsertUnit(ctx, province); err != nil {
					return err
				}
				m := &storage.Media{UnitID: province.ID, Title: "b", Source: "upload", SHA256: "bench", Size: 1, DurationMS: 120000, OriginalSHA256: "bench", OriginalSize: 1}
				if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
					return err
				}
				for i := range 20 {
					o := &storage.BroadcastOrder{UnitID: province.ID, Title: fmt.Sprint("Bản tin ", i), MediaID: m.ID, Level: "normal",
						StartDate: schedule.NewDate(2021, 6, 1), EndDate: schedule.NewDate(2021, 6, 30), Source: "local"}
					if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
						return err
					}
					orders = append(orders, o.ID)
				}
				for d := range districts {
					du := &model.Unit{Code: fmt.Sprint("bench-d", d), Name: fmt.Sprint("Huyện ", d), Kind: "other", ParentID: &province.ID}
					if err := tx.Orgs().InsertUnit(ctx, du); err != nil {
						return err
					}
					districtIDs = append(districtIDs, du.ID)
				}
				for c := range communes {
					cu := &model.Unit{Code: fmt.Sprint("bench-c", c), Name: fmt.Sprint("Xã ", c), Kind: "other", ParentID: &districtIDs[c%districts]}
					if err := tx.Orgs().InsertUnit(ctx, cu); err != nil {
						return err
					}
					communeIDs = append(communeIDs, cu.ID)
					su := &model.Unit{Code: fmt.Sprint("bench-s", c), Name: fmt.Sprint("Đài xã ", c), Kind: "other", ParentID: &cu.ID}
					if err := tx.Orgs().InsertUnit(ctx, su); err != nil {
						return err
					}
					for _, owner := range []int64{cu.ID, su.ID} {
						dv := &storage.Device{UnitID: owner, Name: "Cụm loa", Kind: "loudspeaker", CredentialPrefix: "loa_d_x"}
						if err := tx.Devices().InsertDevice(ctx, dv, fmt.Sprint("bench-h", owner)); err != nil {
							return err
						}
						devices = append(devices, dv.ID)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			start := time.Now()
			const batch = 500
			buf := make([]storage.PlayLog, 0, batch)
			for i := range events {
				dev := devices[rng.IntN(len(devices))]
				o := orders[rng.IntN(len(orders))]
				at := time.Date(2021, 6, 1+rng.IntN(30), 5, 0, 0, 0, i18n.Zone()).Add(time.Duration(i%5000) * 13 * time.Second)
				buf = append(buf, storage.PlayLog{DeviceID: dev, EventID: strconv.Itoa(i), ItemID: fmt.Sprintf("o%d-%d-%d", o, at.Unix(), i), OrderID: o,
					Status: storage.PlayCompleted, StartedAt: at, EndedAt: at.Add(2 * time.Minute), ReceivedAt: at})
				if len(buf) == batch || i == events-1 {
					if err := st.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.Broadcast().InsertPlayLogs(ctx, buf); return err }); err != nil {
						b.Fatal(err)
					}
					buf = buf[:0]
				}
			}
			ingest := time.Since(start)
			b.ReportMetric(float64(events)/ingest.Seconds(), "events/s")
			b.Logf("%s: %d units, %d devices, %d play events ingested in %s (%.0f events/s, rollups current at each commit)",
				engine, 1+districts+2*communes, len(devices), events, ingest.Round(time.Millisecond), float64(events)/ingest.Seconds())
			month, err := svc.PeriodOf("month", "", "")
			if err != nil {
				b.Fatal(err)
			}
			today, _ := svc.PeriodOf("today", "", "")
			cases := []struct {
				name string
				unit int64
				p    stats.Period
			}{
				{"province-month", province.ID, month},
				{"province-today", province.ID, today},
				{"district-month", districtIDs[0], month},
				{"commune-month", communeIDs[0], month},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					var ov *stats.Overview
					for b.Loop() {
						if ov, err = svc.Overview(ctx, model.System("bench"), c.unit, c.p); err != nil {
							b.Fatal(err)
						}
					}
					if c.name == "province-month" && ov.Total.Plays != int64(events) {
						b.Fatalf("province month: %d plays, want %d", ov.Total.Plays, events)
					}
				})
			}
		})
	}
}
