// Package jobs runs Loa's durable job queues (outboxes): one claim, lease,
// backoff, give-up and retry implementation for the delivery fan-out, the
// e-mail/webhook notifications, the automatic scheduling of broadcast
// items and the SMS/OTT messages of the channels. A queue is a table
// described by a storage.JobTable; the domain code enqueues by inserting
// its row inside its own transaction (so a job exists if and only if the
// business write committed) and registers a handler for the kind, with
// optional hooks in the claim's and in the failure's transaction.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Job is a claimed job as its handler sees it.
type Job struct {
	Kind    string
	ID      int64 // the row of the queue's table
	Attempt int   // this attempt's number, from 1
	// Tx is the claim's transaction for queues that run in it
	// (Queue.InTx), nil otherwise.
	Tx *storage.Tx
	// Data is what the queue's OnClaim hook loaded for the handler.
	Data any
}

// Handler runs a job. An error retries it later with backoff; an error
// wrapped by Permanent gives it up at once.
type Handler func(ctx context.Context, job Job) error

// PermanentError is a failure that retrying cannot cure.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as permanent: the job is given up without retry.
func Permanent(err error) error { return &PermanentError{Err: err} }

// LeftError is a failure whose outcome must not be recorded.
type LeftError struct{ Err error }

func (e *LeftError) Error() string { return e.Err.Error() }
func (e *LeftError) Unwrap() error { return e.Err }

// Leave marks err as a failure of a leased job that left its effect
// unknown (the handler could not record what happened): nothing is
// recorded, the worker stops with err, and the job is taken again when
// its lease ends, as if its worker had died. The queue's OnClaim hook
// then sees a job that was claimed before without an outcome.
func Leave(err error) error { return &LeftError{Err: err} }

// Backoff is the delay before a failed job's next attempt: Base after the
// first attempt, doubled per attempt up to Max, plus up to Jitter (a
// fraction) at random so that many failed jobs do not retry at once.
type Backoff struct {
	Base, Max time.Duration
	Jitter    float64
}

// Delay returns the delay after the given attempt (from 1).
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	if b.Max > 0 {
		d = min(d, b.Max)
	}
	if j := int64(float64(d) * b.Jitter); j > 0 {
		d += time.Duration(rand.Int64N(j + 1))
	}
	return d
}

// Queue is a kind of job: its table and how it is worked.
type Queue struct {
	Kind    string
	Table   storage.JobTable
	Handler Handler
	// InTx runs the handler inside the claim's transaction: its writes
	// and the claim commit together, so a job's effect happens exactly
	// once; a failure rolls both back before it is recorded. Otherwise
	// the job is leased for Lease and the handler runs outside any
	// transaction (network calls); a worker that dies leaves it to be
	// taken again when the lease ends.
	InTx        bool
	Lease       time.Duration
	MaxAttempts int // give up after this many failed attempts
	Backoff     Backoff

	// OnClaim, when set, runs in the claim's transaction once a job is
	// claimed (its attempt counted, its lease taken), before the
	// handler: it loads what the handler needs into job.Data and writes
	// what must be committed before the handler runs (e.g. an attempt
	// row). It returns false when it settled the job itself, which then
	// counts as done without running the handler; an error rolls the
	// claim back and stops the worker until the next poll.
	OnClaim func(ctx context.Context, tx *storage.Tx, job *Job) (bool, error)
	// OnFail, when set, runs in the transaction that records a failed
	// attempt (retried, or given up when final), for the domain's side
	// of the failure.
	OnFail func(ctx context.Context, tx *storage.Tx, job Job, final bool, err error) error
}

// Store is what the runner needs of storage.
type Store interface {
	Tx(ctx context.Context, fn func(*storage.Tx) error) error
}

// Options tune a Runner.
type Options struct {
	Workers int           // goroutines started by Start (default 1)
	Poll    time.Duration // how often idle workers look for due jobs (default 1s)
	Now     func() time.Time
	Log     *slog.Logger
}

// Runner works one queue.
type Runner struct {
	store   Store
	q       Queue
	opt     Options
	wake    chan struct{}
	wg      sync.WaitGroup
	started sync.Once
}

// New returns a runner of the queue.
func New(store Store, q Queue, opt Options) *Runner {
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if q.MaxAttempts <= 0 {
		q.MaxAttempts = 1
	}
	return &Runner{store: store, q: q, opt: opt, wake: make(chan struct{}, 1)}
}

// Start runs the workers until ctx ends; Wait waits for them. Starting
// again does nothing.
func (r *Runner) Start(ctx context.Context) {
	r.started.Do(func() {
		for range r.opt.Workers {
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				Loop(ctx, r.opt.Poll, r.wake, r.Drain, r.opt.Log.With("queue", r.q.Kind))
			}()
		}
	})
}

// Wait waits until the workers started by Start have stopped.
func (r *Runner) Wait() { r.wg.Wait() }

// Wake tells an idle worker to look for due jobs now (a job was just
// committed).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Loop calls drain at once, then every poll and on each wake-up, until ctx
// ends.
func Loop(ctx context.Context, poll time.Duration, wake <-chan struct{}, drain func(context.Context) (int, error), log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := drain(ctx); err != nil && ctx.Err() == nil {
			level := slog.LevelError
			if errors.Is(err, model.ErrOverloaded) {
				level = slog.LevelWarn // the database is saturated, not broken
			}
			log.Log(ctx, level, "job worker; retrying at the next poll", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// Drain runs every due job and returns how many it processed (done, or
// rescheduled or given up after a failure).
func (r *Runner) Drain(ctx context.Context) (int, error) {
	done, failed, err := r.drain(ctx)
	return done + failed, err
}

// DrainDone runs every due job like Drain and returns how many were done.
func (r *Runner) DrainDone(ctx context.Context) (int, error) {
	done, _, err := r.drain(ctx)
	return done, err
}

func (r *Runner) drain(ctx context.Context) (done, failed int, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return done, failed, err
		}
		ok, herr, err := r.runOne(ctx)
		if err != nil || !ok {
			return done, failed, err
		}
		if herr != nil {
			failed++
		} else {
			done++
		}
		if done+failed == 1 {
			r.Wake() // others may help (PostgreSQL skips the rows this worker holds)
		}
	}
}

// RunOne claims one due job and runs it; it reports whether there was
// one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	ok, _, err := r.runOne(ctx)
	return ok, err
}

// runOne returns whether a job ran, the handler's error (recorded) and
// the error that stopped the worker.
func (r *Runner) runOne(ctx context.Context) (bool, error, error) {
	if r.q.InTx {
		return r.runInTx(ctx)
	}
	var job *Job
	run := false
	err := r.store.Tx(ctx, func(tx *storage.Tx) error {
		job, run = nil, false
		now := r.opt.Now()
		c, err := tx.Jobs().Claim(ctx, r.q.Table, now, now.Add(r.q.Lease))
		if err != nil || c == nil {
			return err
		}
		job = &Job{Kind: r.q.Kind, ID: c.ID, Attempt: c.Attempt}
		run, err = r.onClaim(ctx, tx, job)
		return err
	})
	if err != nil || job == nil || !run {
		return job != nil && err == nil, nil, err
	}
	herr := r.q.Handler(ctx, *job)
	if herr == nil {
		return true, nil, nil
	}
	var left *LeftError
	if ctx.Err() != nil || errors.As(herr, &left) {
		return false, herr, herr // stopping, or outcome unknown: the lease ends and a worker takes the job again
	}
	return true, herr, r.fail(ctx, *job, herr)
}

// onClaim runs the queue's OnClaim hook, if any, and reports whether the
// handler is to run.
func (r *Runner) onClaim(ctx context.Context, tx *storage.Tx, job *Job) (bool, error) {
	if r.q.OnClaim == nil {
		return true, nil
	}
	run, err := r.q.OnClaim(ctx, tx, job)
	if err != nil {
		return false, fmt.Errorf("%s job %d: %w", r.q.Kind, job.ID, err)
	}
	return run, nil
}

func (r *Runner) runInTx(ctx context.Context) (bool, error, error) {
	var job *Job
	handled := false
	err := r.store.Tx(ctx, func(tx *storage.Tx) error {
		job, handled = nil, false
		c, err := tx.Jobs().Claim(ctx, r.q.Table, r.opt.Now(), time.Time{})
		if err != nil || c == nil {
			return err
		}
		job = &Job{Kind: r.q.Kind, ID: c.ID, Attempt: c.Attempt, Tx: tx}
		if run, err := r.onClaim(ctx, tx, job); err != nil || !run {
			return err
		}
		handled = true
		return r.q.Handler(ctx, *job)
	})
	if err == nil {
		return job != nil, nil, nil
	}
	if !handled || ctx.Err() != nil {
		return false, err, err
	}
	job.Tx = nil
	return true, err, r.fail(ctx, *job, err)
}

// fail records a failed attempt: retried after the backoff, or given up
// after the last attempt or on a permanent error.
func (r *Runner) fail(ctx context.Context, job Job, herr error) error {
	var perm *PermanentError
	final := job.Attempt >= r.q.MaxAttempts || errors.As(herr, &perm)
	now := r.opt.Now()
	next := now.Add(r.q.Backoff.Delay(job.Attempt))
	log := r.opt.Log.With("queue", r.q.Kind, "job", job.ID, "attempt", job.Attempt, "err", herr)
	if final {
		log.Warn("job failed; given up")
	} else {
		log.Warn("job failed; retrying", "at", next)
	}
	if err := r.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Jobs().Fail(ctx, r.q.Table, job.ID, job.Attempt, herr.Error(), next, final, now); err != nil {
			return err
		}
		if r.q.OnFail == nil {
			return nil
		}
		return r.q.OnFail(ctx, tx, job, final, herr)
	}); err != nil {
		return errors.Join(herr, fmt.Errorf("record failure of %s job %d: %w", r.q.Kind, job.ID, err))
	}
	return nil
}

// Retry puts a job that gave up back in its queue, due at at, and reports
// whether it had given up (the admin "retry").
func Retry(ctx context.Context, q storage.Q, t storage.JobTable, id int64, at time.Time) (bool, error) {
	return q.Jobs().Retry(ctx, t, id, at)
}
