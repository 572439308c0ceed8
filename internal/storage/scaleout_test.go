package storage_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", storetest.EnvPostgres)
		}
		t.Skipf("%s not set: this test needs PostgreSQL", storetest.EnvPostgres)
	}
}

// TestDeviceWritesDoNotDeadlock: an order marking schedules stale while
// other transactions record devices as seen (as two replicas do under
// load) used to deadlock on PostgreSQL (SQLSTATE 40P01): the rows were
// locked in different orders. Every transaction now locks them by id.
func TestDeviceWritesDoNotDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		var ids []int64
		if err := st.Tx(ctx, func(tx *storage.Tx) error {
			u := mustUnit(t, tx.Q, ctx, "xa-"+storetest.Unique(), nil)
			for i := range 300 {
				d := &model.Device{UnitID: u.ID, Name: fmt.Sprintf("Cụm loa %d", i), Kind: "loudspeaker"}
				if err := tx.Devices().InsertDevice(ctx, d, fmt.Sprintf("hash-%d-%s", i, storetest.Unique())); err != nil {
					return err
				}
				ids = append(ids, d.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for round := range 8 {
			var wg sync.WaitGroup
			errs := make(chan error, 6)
			for w := range 3 {
				wg.Add(2)
				go func() { // a flush of "last seen", in any order
					defer wg.Done()
					seen := make([]model.DeviceSeen, len(ids))
					for i, id := range ids {
						seen[len(ids)-1-i] = model.DeviceSeen{DeviceID: id, SeenAt: time.Now(), Heartbeat: w%2 == 0, Status: "ok"}
					}
					if w == 1 {
						rand.Shuffle(len(seen), func(i, j int) { seen[i], seen[j] = seen[j], seen[i] })
					}
					errs <- st.Tx(ctx, func(tx *storage.Tx) error { return tx.Devices().TouchDevices(ctx, seen) })
				}()
				go func() { // an order: schedules stale
					defer wg.Done()
					mine := append([]int64(nil), ids...)
					rand.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
					errs <- st.Tx(ctx, func(tx *storage.Tx) error { return tx.Devices().BumpScheduleVersion(ctx, mine) })
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
		var v int64
		if err := st.QueryRowRaw(ctx, `SELECT schedule_version FROM devices WHERE id = ?`, ids[0]).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 1+8*3 {
			t.Fatalf("schedule version %d, want %d", v, 1+8*3)
		}
	})
}

// TestPostgresPoolQueuesThenRefuses: the pool never opens more than
// pool_max_conns connections (requests queue for one), and a request that
// waits longer than pool_acquire_timeout fails with model.ErrOverloaded
// (the web layer's 503) instead of hanging or dialling more.
func TestPostgresPoolQueuesThenRefuses(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	base, dsn := storetest.Open(t, storage.Postgres)
	app := "loa_pool_" + storetest.Unique()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "3")
	q.Set("pool_acquire_timeout", "1s")
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	st, err := storage.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// 30 concurrent slow reads: all answered, through at most 3 connections.
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.ExecRaw(ctx, `SELECT pg_sleep(0.01)`)
			errs <- err
		}()
	}
	peak := 0
	stop := make(chan struct{})
	peakDone := make(chan struct{})
	go func() {
		defer close(peakDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			var n int
			if err := base.QueryRowRaw(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = ?`, app).Scan(&n); err == nil {
				peak = max(peak, n)
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-peakDone
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a queued read failed: %v", err)
		}
	}
	if peak > 3 || peak == 0 {
		t.Fatalf("%d connections open at the peak, want 1-3 (pool_max_conns=3)", peak)
	}

	// Every connection held by a transaction: the next request waits 1 s,
	// then is refused as overloaded.
	release := make(chan struct{})
	held := make(chan struct{}, 3)
	var hw sync.WaitGroup
	for range 3 {
		hw.Add(1)
		go func() {
			defer hw.Done()
			_ = st.Tx(ctx, func(tx *storage.Tx) error {
				held <- struct{}{}
				<-release
				return nil
			})
		}()
	}
	for range 3 {
		<-held
	}
	start := time.Now()
	_, err = st.ExecRaw(ctx, `SELECT 1`)
	waited := time.Since(start)
	close(release)
	hw.Wait()
	if !errors.Is(err, model.ErrOverloaded) {
		t.Fatalf("with the pool exhausted: %v, want model.ErrOverloaded", err)
	}
	if waited < 900*time.Millisecond || waited > 4*time.Second {
		t.Fatalf("refused after %s, want about the 1 s acquire timeout", waited)
	}
	if _, err := st.ExecRaw(ctx, `SELECT 1`); err != nil {
		t.Fatalf("after the transactions ended: %v", err)
	}
	// A request whose client gave up is not an overload.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.ExecRaw(cctx, `SELECT 1`); errors.Is(err, model.ErrOverloaded) || !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled request: %v", err)
	}
}

func TestPoolAcquireTimeoutIsChecked(t *testing.T) {
	_, err := storage.Open(context.Background(), "postgres://loa@127.0.0.1:1/x?pool_acquire_timeout=soon")
	if err == nil || !strings.Contains(err.Error(), "pool_acquire_timeout") {
		t.Fatalf("bad pool_acquire_timeout: %v", err)
	}
}
