package channels

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// workerActor is who the audit log shows for the workers' changes.
var workerActor = model.System("channels-worker")

// Start runs the send workers until ctx ends; Wait waits for them. Without
// a gateway it does nothing. Stopping (cancelling ctx) mid-send leaves the
// message in flight: after SendLease it is in doubt and handled like a
// crash (sent again under the same client reference when the provider
// deduplicates, marked unknown otherwise).
func (s *Service) Start(ctx context.Context) {
	if s.cfg.Gateway == nil {
		s.log.Info("no messaging gateway configured: campaigns are refused", "channel", s.cfg.Channel)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	s.running = true
	for range s.cfg.Workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			jobs.Loop(ctx, s.cfg.PollInterval, s.wake, s.ProcessDue, s.log.With("channel", s.cfg.Channel))
		}()
	}
}

// Wait waits until the workers started by Start have stopped.
func (s *Service) Wait() {
	s.wg.Wait()
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
}

// ProcessDue handles every message due now (sending, retrying, resolving
// in-doubt ones) and returns how many it handled. Workers call it; tests
// and the command line may too.
func (s *Service) ProcessDue(ctx context.Context) (int, error) {
	if s.cfg.Gateway == nil {
		return 0, fmt.Errorf("no %s gateway configured", s.cfg.Channel)
	}
	n := 0
	for {
		ok, err := s.processOne(ctx)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
}

// job is a claimed message with its attempt recorded.
type job struct {
	msg     *model.OutMessage
	attempt *model.Attempt
}

// processOne claims one due message, sends it and records the outcome.
// The attempt row is committed before the provider is called, so a crash
// between the provider's acceptance and the record leaves an attempt
// without outcome: the message is then in doubt, never silently resent.
func (s *Service) processOne(ctx context.Context) (bool, error) {
	j, claimed, err := s.claim(ctx)
	if err != nil || !claimed || j == nil {
		return claimed, err
	}
	pid, sendErr := s.cfg.Gateway.Send(ctx, Message{ClientRef: j.msg.ClientRef, Phone: j.msg.Phone, Text: j.msg.Body, CallbackURL: s.cfg.CallbackURL})
	if err := ctx.Err(); err != nil {
		return false, err // stopping: the attempt stays open and is resolved as in doubt
	}
	if err := s.store.Tx(ctx, func(tx *storage.Tx) error { return s.record(ctx, tx, j, pid, sendErr) }); err != nil {
		return false, fmt.Errorf("record the outcome of message %d: %w", j.msg.ID, err)
	}
	return true, nil
}

// claim takes the next due message. Messages that must not be sent
// (campaign cancelled, recipient opted out, in doubt on a provider that
// cannot deduplicate) are closed here and returned as claimed without a
// job.
func (s *Service) claim(ctx context.Context) (*job, bool, error) {
	var j *job
	var claimed bool
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		j, claimed = nil, false
		now := s.now()
		m, err := tx.Channels().ClaimDueMessage(ctx, s.cfg.Channel, now)
		if err != nil || m == nil {
			return err
		}
		claimed = true
		inDoubt, err := s.closeOpenAttempts(ctx, tx, m, now)
		if err != nil {
			return err
		}
		if status, reason, err := s.blocked(ctx, tx, m, inDoubt); err != nil || status != "" {
			if err != nil {
				return err
			}
			return s.endMessage(ctx, tx, m, status, reason, now)
		}
		a, err := tx.Channels().StartAttempt(ctx, m, now, now.Add(s.cfg.SendLease))
		if err != nil {
			return err
		}
		j = &job{msg: m, attempt: a}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim a message: %w", err)
	}
	return j, claimed, nil
}

// closeOpenAttempts marks the attempts a dead worker left without outcome
// as in doubt and reports whether there were any.
func (s *Service) closeOpenAttempts(ctx context.Context, tx *storage.Tx, m *model.OutMessage, now time.Time) (bool, error) {
	open, err := tx.Channels().OpenAttempts(ctx, m.ID)
	if err != nil {
		return false, err
	}
	for _, a := range open {
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptInDoubt, "", "no outcome recorded: the sender stopped after calling the provider", now); err != nil {
			return false, err
		}
	}
	if len(open) > 0 {
		s.log.Warn("message in doubt after an interrupted send", "message", m.ID, "client_ref", m.ClientRef, "resend", deduplicates(s.cfg.Gateway))
	}
	return len(open) > 0, nil
}

// blocked returns the final status of a claimed message that must not be
// sent now, or "".
func (s *Service) blocked(ctx context.Context, tx *storage.Tx, m *model.OutMessage, inDoubt bool) (string, string, error) {
	out, err := tx.Channels().OptedOutPhones(ctx, []string{m.Phone})
	if err != nil {
		return "", "", err
	}
	cancelled := m.CampaignStatus == model.CampaignCancelled
	switch {
	case inDoubt && (!deduplicates(s.cfg.Gateway) || cancelled || out[m.Phone] || m.Attempts >= s.cfg.MaxAttempts):
		return model.MsgUnknown, "the provider may have accepted it before the sender stopped; not sent again to avoid a second copy", nil
	case cancelled:
		return model.MsgCancelled, "campaign cancelled", nil
	case out[m.Phone]:
		return model.MsgSkipped, "the recipient opted out", nil
	case m.Attempts >= s.cfg.MaxAttempts:
		return model.MsgFailed, fmt.Sprintf("gave up after %d attempts", m.Attempts), nil
	}
	return "", "", nil
}

// record writes a send's outcome.
func (s *Service) record(ctx context.Context, tx *storage.Tx, j *job, pid string, sendErr error) error {
	now := s.now()
	m, a := j.msg, j.attempt
	var dup *DuplicateError
	switch {
	case sendErr == nil:
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptAccepted, pid, "", now); err != nil {
			return err
		}
		if err := tx.Channels().MarkMessageSent(ctx, m.ID, pid, now); err != nil {
			return err
		}
	case errors.As(sendErr, &dup):
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptDuplicate, dup.ProviderID, sendErr.Error(), now); err != nil {
			return err
		}
		if err := tx.Channels().MarkMessageSent(ctx, m.ID, dup.ProviderID, now); err != nil {
			return err
		}
	case errors.Is(sendErr, ErrRejected):
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptFailed, "", sendErr.Error(), now); err != nil {
			return err
		}
		return s.endMessage(ctx, tx, m, model.MsgFailed, sendErr.Error(), now)
	case errors.Is(sendErr, ErrInDoubt) && !deduplicates(s.cfg.Gateway):
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptInDoubt, "", sendErr.Error(), now); err != nil {
			return err
		}
		return s.endMessage(ctx, tx, m, model.MsgUnknown, sendErr.Error(), now)
	default:
		return s.retry(ctx, tx, j, sendErr, now)
	}
	return s.finishCampaign(ctx, tx, m.CampaignID, now)
}

// retry puts a message back with backoff, or fails it after the last
// attempt.
func (s *Service) retry(ctx context.Context, tx *storage.Tx, j *job, sendErr error, now time.Time) error {
	if err := tx.Channels().CloseAttempt(ctx, j.attempt.ID, model.AttemptRetry, "", sendErr.Error(), now); err != nil {
		return err
	}
	if j.attempt.N >= s.cfg.MaxAttempts {
		return s.endMessage(ctx, tx, j.msg, model.MsgFailed, fmt.Sprintf("gave up after %d attempts: %v", j.attempt.N, sendErr), now)
	}
	next := now.Add(s.backoff(j.attempt.N))
	s.log.Info("message not sent; retrying", "message", j.msg.ID, "attempt", j.attempt.N, "at", next, "err", sendErr)
	return tx.Channels().RetryMessage(ctx, j.msg.ID, next, sendErr.Error(), now)
}

// backoff is RetryBase doubled per attempt, capped at RetryMax, with up
// to 10% random jitter so that many failed messages do not retry at once.
func (s *Service) backoff(attempt int) time.Duration {
	return jobs.Backoff{Base: s.cfg.RetryBase, Max: s.cfg.RetryMax, Jitter: 0.1}.Delay(attempt)
}

func (s *Service) endMessage(ctx context.Context, tx *storage.Tx, m *model.OutMessage, status, reason string, now time.Time) error {
	if err := tx.Channels().EndMessage(ctx, m.ID, status, reason, now); err != nil {
		return err
	}
	if status == model.MsgFailed || status == model.MsgUnknown {
		s.log.Warn("message not delivered", "message", m.ID, "status", status, "reason", reason)
	}
	return s.finishCampaign(ctx, tx, m.CampaignID, now)
}

// finishCampaign marks the campaign done when its last pending message
// ended, with an audit entry.
func (s *Service) finishCampaign(ctx context.Context, tx *storage.Tx, id int64, now time.Time) error {
	done, err := tx.Channels().FinishCampaignIfDone(ctx, id, now)
	if err != nil || !done {
		return err
	}
	counts, err := tx.Channels().CampaignCounts(ctx, id)
	if err != nil {
		return err
	}
	return tx.Audit().AppendAudit(ctx, workerActor, "channels.campaign.done", "channel_campaign", fmt.Sprint(id), formatCounts(counts))
}

func formatCounts(c map[string]int) string {
	var out []string
	for _, st := range []string{model.MsgSent, model.MsgDelivered, model.MsgFailed, model.MsgExpired, model.MsgUnknown, model.MsgCancelled, model.MsgSkipped} {
		if c[st] > 0 {
			out = append(out, fmt.Sprintf("%s=%d", st, c[st]))
		}
	}
	return strings.Join(out, " ")
}
