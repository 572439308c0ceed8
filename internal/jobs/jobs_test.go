package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// The tests work the notification outbox, a queue of the timestamp style.
func setup(t *testing.T, st *storage.Store, n int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	err := st.Tx(ctx, func(tx *storage.Tx) error {
		u := &model.Unit{Code: "u" + storetest.Unique(), Name: "Đơn vị", Kind: "other"}
		if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
			return err
		}
		for i := range n {
			if err := tx.Deliveries().InsertNotifyMessage(ctx, &model.NotifyMessage{Channel: "webhook", UnitID: u.ID, Target: fmt.Sprint("http://x/", i),
				Event: "e", Body: "{}", CreatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func queue(h jobs.Handler, inTx bool) jobs.Queue {
	return jobs.Queue{Kind: "test", Table: storage.NotifyQueue, Handler: h, InTx: inTx, Lease: time.Minute, MaxAttempts: 3,
		Backoff: jobs.Backoff{Base: 10 * time.Second, Max: time.Minute}}
}

func counts(t *testing.T, st *storage.Store) map[string]int {
	t.Helper()
	c, err := st.QueueCounts(context.Background(), storage.NotifyQueue.Name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func markSent(st *storage.Store, c *clock) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		return st.Tx(ctx, func(tx *storage.Tx) error { return tx.Deliveries().NotifyMessageSent(ctx, j.ID, c.Now()) })
	}
}

func TestClaimExclusiveAmongWorkers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		setup(t, st, 40, c.Now())
		var runs sync.Map
		var dup atomic.Int32
		sent := markSent(st, c)
		h := func(ctx context.Context, j jobs.Job) error {
			if _, seen := runs.LoadOrStore(j.ID, true); seen {
				dup.Add(1)
			}
			return sent(ctx, j)
		}
		var wg sync.WaitGroup
		for range 4 {
			r := jobs.New(st, queue(h, false), jobs.Options{Now: c.Now})
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.Drain(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if dup.Load() != 0 || counts(t, st)["sent"] != 40 {
			t.Fatalf("duplicates %d, counts %v", dup.Load(), counts(t, st))
		}
	})
}

func TestLeaseExpiryBackoffGiveUpRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		setup(t, st, 1, c.Now())
		// A worker claims the job and dies before recording anything.
		crash := jobs.New(st, queue(func(ctx context.Context, j jobs.Job) error { return nil }, false), jobs.Options{Now: c.Now})
		crashCtx, cancel := context.WithCancel(ctx)
		dead := jobs.New(st, queue(func(context.Context, jobs.Job) error { cancel(); return crashCtx.Err() }, false), jobs.Options{Now: c.Now})
		if ok, err := dead.RunOne(crashCtx); ok || err == nil {
			t.Fatalf("crashed run: %v %v", ok, err)
		}
		if ok, _ := crash.RunOne(ctx); ok {
			t.Fatal("leased job taken again before its lease ended")
		}
		c.Add(time.Minute)
		fails := 0
		failing := jobs.New(st, queue(func(context.Context, jobs.Job) error { fails++; return errors.New("boom") }, false), jobs.Options{Now: c.Now})
		if ok, err := failing.RunOne(ctx); !ok || err != nil || fails != 1 {
			t.Fatalf("after lease: %v %v %d", ok, err, fails)
		}
		// Attempt 2 failed: due again after the backoff (10 s doubled).
		c.Add(19 * time.Second)
		if ok, _ := failing.RunOne(ctx); ok {
			t.Fatal("retried before the backoff")
		}
		c.Add(time.Second)
		if ok, err := failing.RunOne(ctx); !ok || err != nil {
			t.Fatal(ok, err)
		}
		// Attempt 3 was the last: given up with the error kept.
		c.Add(time.Hour)
		if ok, _ := failing.RunOne(ctx); ok || counts(t, st)["failed"] != 1 {
			t.Fatalf("not given up: %v", counts(t, st))
		}
		list, err := st.Deliveries().NotifyMessages(ctx, 10)
		if err != nil || list[0].Attempts != 3 || list[0].LastError != "boom" {
			t.Fatalf("%+v %v", list[0], err)
		}
		retry := func() (ok bool, err error) {
			err = st.Tx(ctx, func(tx *storage.Tx) error {
				ok, err = jobs.Retry(ctx, tx.Q, storage.NotifyQueue, list[0].ID, c.Now())
				return err
			})
			return ok, err
		}
		if ok, err := retry(); !ok || err != nil {
			t.Fatal("retry", ok, err)
		}
		if ok, err := retry(); ok || err != nil {
			t.Fatal("retried a pending job", ok, err)
		}
		if n, err := jobs.New(st, queue(markSent(st, c), false), jobs.Options{Now: c.Now}).DrainDone(ctx); n != 1 || err != nil {
			t.Fatal(n, err)
		}
		if age, err := st.QueueOldestDue(ctx, storage.NotifyQueue.Name, c.Now()); age != 0 || err != nil {
			t.Fatal(age, err)
		}
	})
}

func TestPermanentAndInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		setup(t, st, 2, c.Now())
		c.Add(time.Minute)
		if age, err := st.QueueOldestDue(ctx, storage.NotifyQueue.Name, c.Now()); age != time.Minute || err != nil {
			t.Fatal(age, err)
		}
		// In a transaction: a failing handler's writes roll back.
		r := jobs.New(st, queue(func(ctx context.Context, j jobs.Job) error {
			if err := j.Tx.Deliveries().NotifyMessageSent(ctx, j.ID, c.Now()); err != nil {
				return err
			}
			return jobs.Permanent(errors.New("never"))
		}, true), jobs.Options{Now: c.Now})
		if n, err := r.Drain(ctx); n != 2 || err != nil {
			t.Fatal(n, err)
		}
		if got := counts(t, st); got["failed"] != 2 || got["sent"] != 0 {
			t.Fatalf("permanent failures: %v", got)
		}
	})
}

func TestBackoff(t *testing.T) {
	b := jobs.Backoff{Base: time.Second, Max: 5 * time.Second, Jitter: 0.1}
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 9: 5 * time.Second} {
		if d := b.Delay(attempt); d < want || d > want+want/10 {
			t.Errorf("attempt %d: %v, want %v..%v", attempt, d, want, want+want/10)
		}
	}
}

func TestFilterHooksAndLeave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		setup(t, st, 3, c.Now())
		list, err := st.Deliveries().NotifyMessages(ctx, 10)
		if err != nil || len(list) != 3 {
			t.Fatal(list, err)
		}
		ids := map[string]int64{}
		for _, m := range list {
			ids[m.Target] = m.ID
		}
		// The worker serves part of the queue; its claim hook settles one
		// job itself and loads data for the handler of the other.
		q := queue(nil, false)
		q.Table = storage.NotifyQueue.Where("target <> ?", "http://x/2")
		q.OnClaim = func(ctx context.Context, tx *storage.Tx, j *jobs.Job) (bool, error) {
			if j.ID == ids["http://x/0"] {
				return false, tx.Deliveries().NotifyMessageSent(ctx, j.ID, c.Now())
			}
			j.Data = "loaded"
			return true, nil
		}
		q.Handler = func(_ context.Context, j jobs.Job) error {
			if j.Data != "loaded" || j.ID != ids["http://x/1"] {
				t.Errorf("handler got %+v", j)
			}
			return jobs.Leave(errors.New("outcome lost"))
		}
		if n, err := jobs.New(st, q, jobs.Options{Now: c.Now}).Drain(ctx); n != 1 || err == nil {
			t.Fatalf("drain: %d %v; want the settled job, then the left one stopping the worker", n, err)
		}
		if got := counts(t, st); got["sent"] != 1 || got["pending"] != 2 {
			t.Fatalf("counts %v", got)
		}
		// The left job stays leased; the filtered one is never claimed.
		q.Handler = func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("never")) }
		var failed []jobs.Job
		q.OnFail = func(_ context.Context, tx *storage.Tx, j jobs.Job, final bool, err error) error {
			if !final || tx == nil || err.Error() != "never" {
				t.Errorf("OnFail %v %v %v", final, tx, err)
			}
			failed = append(failed, j)
			return nil
		}
		r := jobs.New(st, q, jobs.Options{Now: c.Now})
		if ok, err := r.RunOne(ctx); ok || err != nil {
			t.Fatalf("left job taken before its lease ended: %v %v", ok, err)
		}
		c.Add(time.Minute)
		if n, err := r.Drain(ctx); n != 1 || err != nil {
			t.Fatal(n, err)
		}
		if len(failed) != 1 || failed[0].ID != ids["http://x/1"] || failed[0].Attempt != 2 || failed[0].Data != "loaded" {
			t.Fatalf("failed %+v", failed)
		}
		if got := counts(t, st); got["sent"] != 1 || got["failed"] != 1 || got["pending"] != 1 {
			t.Fatalf("counts %v", got)
		}
	})
}
