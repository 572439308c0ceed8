package accounts

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Sign-in throttling. Failures are counted per (account, client address)
// and per client address, in the database so that every replica sees
// them. Up to a number of failures are free; after that each further
// attempt must wait a delay that doubles with every failure, up to
// MaxThrottleDelay. Nothing locks an account: while one address hammers an
// account, its owner signs in from another address as usual.
const (
	// PairFreeFailures is how many wrong passwords for one account from
	// one address cost no delay.
	PairFreeFailures = 5
	// AddrFreeFailures is how many wrong passwords from one address, for
	// any accounts, cost no delay (an office behind one NAT shares it).
	AddrFreeFailures = 30
	// MaxThrottleDelay caps the delay between attempts.
	MaxThrottleDelay = 15 * time.Minute
	// FailureMemory is how long a counter remembers failures: a day
	// without failures starts it over.
	FailureMemory = 24 * time.Hour
)

// ThrottleDelay is the wait imposed after failures when free of them cost
// nothing: 2 s after the first paying failure, doubling, capped.
func ThrottleDelay(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	k := failures - free + 1
	if k >= 30 {
		return MaxThrottleDelay
	}
	d := time.Duration(math.Pow(2, float64(k))) * time.Second
	return min(d, MaxThrottleDelay)
}

func pairBucket(username, client string) string { return "acct:" + username + "|" + client }
func addrBucket(client string) string           { return "addr:" + client }

// throttled is the refusal of an attempt made too early.
func throttled(username string, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	err := fmt.Errorf("too many failed sign-ins for %q from this address; try again in %d seconds: %w", username, secs, model.ErrThrottled)
	if secs < 120 {
		return &ThrottleError{Wait: time.Duration(secs) * time.Second, err: i18n.Localise(err, "login.throttled", secs)}
	}
	return &ThrottleError{Wait: time.Duration(secs) * time.Second, err: i18n.Localise(err, "login.throttled_minutes", (secs+59)/60)}
}

// ThrottleError refuses a sign-in attempt (or a password check) made
// before the delay imposed by earlier failures has passed.
type ThrottleError struct {
	Wait time.Duration // how long to wait before the next attempt
	err  error
}

func (e *ThrottleError) Error() string { return e.err.Error() }

// Unwrap exposes model.ErrThrottled and the localised message.
func (e *ThrottleError) Unwrap() error { return e.err }

// reserve counts an attempt on a bucket before the password is checked
// (so that concurrent attempts cannot all slip in), unless the bucket must
// still wait: then it returns how long. The count is taken back by
// release when the password was right.
func (s *Service) reserve(ctx context.Context, bucket string, free int) (time.Duration, error) {
	for range 8 {
		var wait time.Duration
		stored := false
		err := s.store.Tx(ctx, func(tx *storage.Tx) error {
			now := s.clock.Now().UTC()
			c, found, err := tx.Accounts().ThrottleCounter(ctx, bucket)
			if err != nil {
				return err
			}
			if found && c.BlockedUntil.After(now) {
				wait = c.BlockedUntil.Sub(now)
				return nil
			}
			old := c.Seq
			if !found || now.Sub(c.LastFailure) > FailureMemory {
				c.Failures = 0
			}
			c.Failures++
			c.Seq++
			c.LastFailure = now
			c.BlockedUntil = now.Add(ThrottleDelay(c.Failures, free))
			stored, err = tx.Accounts().PutThrottleCounter(ctx, bucket, old, c)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("sign-in throttling: %w", err)
		}
		if wait > 0 || stored {
			return wait, nil
		}
	}
	// Lost the race repeatedly: others are attempting right now.
	return time.Second, nil
}

// release takes back the attempt reserve counted on a bucket.
func (s *Service) release(ctx context.Context, bucket string, free int) error {
	for range 8 {
		done := false
		err := s.store.Tx(ctx, func(tx *storage.Tx) error {
			c, found, err := tx.Accounts().ThrottleCounter(ctx, bucket)
			if err != nil || !found || c.Failures == 0 {
				done = true
				return err
			}
			old := c.Seq
			c.Failures--
			c.Seq++
			if ThrottleDelay(c.Failures, free) == 0 {
				c.BlockedUntil = s.clock.Now().UTC()
			}
			done, err = tx.Accounts().PutThrottleCounter(ctx, bucket, old, c)
			return err
		})
		if err != nil {
			return fmt.Errorf("sign-in throttling: %w", err)
		}
		if done {
			return nil
		}
	}
	return fmt.Errorf("release sign-in throttle counter %q: too much contention", bucket)
}

// beginAttempt counts a password attempt for username from client, or
// refuses it with a *ThrottleError when it comes too early.
func (s *Service) beginAttempt(ctx context.Context, username, client string) error {
	wait, err := s.reserve(ctx, addrBucket(client), AddrFreeFailures)
	if err != nil {
		return err
	}
	if wait > 0 {
		return throttled(username, wait)
	}
	wait, err = s.reserve(ctx, pairBucket(username, client), PairFreeFailures)
	if err != nil {
		return err
	}
	if wait > 0 {
		if err := s.release(ctx, addrBucket(client), AddrFreeFailures); err != nil {
			return err
		}
		return throttled(username, wait)
	}
	return nil
}

// attemptSucceeded forgets the failures of username at client and takes
// the attempt back from the address's count.
func (s *Service) attemptSucceeded(ctx context.Context, username, client string) error {
	if err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		return tx.Accounts().DeleteThrottleCounter(ctx, pairBucket(username, client))
	}); err != nil {
		return fmt.Errorf("sign-in throttling: %w", err)
	}
	return s.release(ctx, addrBucket(client), AddrFreeFailures)
}
