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

// sendQueue is the channel's messages as a queue of the job engine: the
// claim records the attempt before the provider is called, the handler
// sends, failures are retried with backoff or given up by the engine.
func (s *Service) sendQueue() jobs.Queue {
	return jobs.Queue{Kind: "channel_message", Table: storage.MessageQueue.Where("channel = ?", s.cfg.Channel),
		Handler: s.send, OnClaim: s.claim, OnFail: s.failed,
		Lease: s.cfg.SendLease, MaxAttempts: s.cfg.MaxAttempts, Backoff: jobs.Backoff{Base: s.cfg.RetryBase, Max: s.cfg.RetryMax, Jitter: 0.1}}
}

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
	s.sender.Start(ctx)
}

// Wait waits until the workers started by Start have stopped.
func (s *Service) Wait() { s.sender.Wait() }

// ProcessDue handles every message due now (sending, retrying, resolving
// in-doubt ones) and returns how many it handled. Workers call it; tests
// and the command line may too.
func (s *Service) ProcessDue(ctx context.Context) (int, error) {
	if s.cfg.Gateway == nil {
		return 0, fmt.Errorf("no %s gateway configured", s.cfg.Channel)
	}
	return s.sender.Drain(ctx)
}

// sending is a claimed message with its attempt recorded.
type sending struct {
	msg     *model.OutMessage
	attempt *model.Attempt
}

// claim prepares a claimed message. Messages that must not be sent
// (campaign cancelled, recipient opted out, in doubt on a provider that
// cannot deduplicate) are closed here. Otherwise the attempt row is
// committed with the claim, before the provider is called, so a crash
// between the provider's acceptance and the record leaves an attempt
// without outcome: the message is then in doubt, never silently resent.
func (s *Service) claim(ctx context.Context, tx *storage.Tx, job *jobs.Job) (bool, error) {
	now := s.now()
	m, err := tx.Channels().MessageToSend(ctx, job.ID)
	if err != nil {
		return false, err
	}
	inDoubt, err := s.closeOpenAttempts(ctx, tx, m, now)
	if err != nil {
		return false, err
	}
	made := job.Attempt - 1 // the claim counted this attempt
	if status, reason, err := s.blocked(ctx, tx, m, made, inDoubt); err != nil || status != "" {
		if err != nil {
			return false, err
		}
		return false, s.endMessage(ctx, tx, m, made, status, reason, now)
	}
	a, err := tx.Channels().StartAttempt(ctx, m, job.Attempt, now)
	if err != nil {
		return false, err
	}
	job.Data = &sending{msg: m, attempt: a}
	return true, nil
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
// sent now (made attempts before), or "".
func (s *Service) blocked(ctx context.Context, tx *storage.Tx, m *model.OutMessage, made int, inDoubt bool) (string, string, error) {
	out, err := tx.Channels().OptedOutPhones(ctx, []string{m.Phone})
	if err != nil {
		return "", "", err
	}
	cancelled := m.CampaignStatus == model.CampaignCancelled
	switch {
	case inDoubt && (!deduplicates(s.cfg.Gateway) || cancelled || out[m.Phone] || made >= s.cfg.MaxAttempts):
		return model.MsgUnknown, "the provider may have accepted it before the sender stopped; not sent again to avoid a second copy", nil
	case cancelled:
		return model.MsgCancelled, "campaign cancelled", nil
	case out[m.Phone]:
		return model.MsgSkipped, "the recipient opted out", nil
	case made >= s.cfg.MaxAttempts:
		return model.MsgFailed, fmt.Sprintf("gave up after %d attempts", made), nil
	}
	return "", "", nil
}

// send sends a claimed message and records the outcome. A failure the
// engine retries (or, rejected or after the last attempt, gives up) is
// returned; an outcome that cannot be recorded leaves the attempt open,
// so the message is in doubt when its lease ends.
func (s *Service) send(ctx context.Context, job jobs.Job) error {
	j := job.Data.(*sending)
	pid, sendErr := s.cfg.Gateway.Send(ctx, Message{ClientRef: j.msg.ClientRef, Phone: j.msg.Phone, Text: j.msg.Body, CallbackURL: s.cfg.CallbackURL})
	if err := ctx.Err(); err != nil {
		return err // stopping: the attempt stays open and is resolved as in doubt
	}
	var dup *DuplicateError
	switch {
	case sendErr == nil, errors.As(sendErr, &dup), errors.Is(sendErr, ErrInDoubt) && !deduplicates(s.cfg.Gateway):
	case errors.Is(sendErr, ErrRejected):
		return jobs.Permanent(sendErr)
	case job.Attempt >= s.cfg.MaxAttempts:
		return fmt.Errorf("gave up after %d attempts: %w", job.Attempt, sendErr)
	default:
		return sendErr
	}
	if err := s.store.Tx(ctx, func(tx *storage.Tx) error { return s.record(ctx, tx, job, pid, sendErr) }); err != nil {
		return jobs.Leave(fmt.Errorf("record the outcome of message %d: %w", j.msg.ID, err))
	}
	return nil
}

// record writes the outcome of a send the provider accepted (or, in
// doubt on a provider that cannot deduplicate, may have accepted).
func (s *Service) record(ctx context.Context, tx *storage.Tx, job jobs.Job, pid string, sendErr error) error {
	now := s.now()
	j := job.Data.(*sending)
	m, a := j.msg, j.attempt
	var dup *DuplicateError
	switch {
	case sendErr == nil:
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptAccepted, pid, "", now); err != nil {
			return err
		}
	case errors.As(sendErr, &dup):
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptDuplicate, dup.ProviderID, sendErr.Error(), now); err != nil {
			return err
		}
		pid = dup.ProviderID
	default: // in doubt
		if err := tx.Channels().CloseAttempt(ctx, a.ID, model.AttemptInDoubt, "", sendErr.Error(), now); err != nil {
			return err
		}
		return s.endMessage(ctx, tx, m, job.Attempt, model.MsgUnknown, sendErr.Error(), now)
	}
	if err := tx.Channels().MarkMessageSent(ctx, m.ID, pid, now); err != nil {
		return err
	}
	return s.finishCampaign(ctx, tx, m.CampaignID, now)
}

// failed records the outcome of a failed attempt in the transaction in
// which the engine retries or gives up the message.
func (s *Service) failed(ctx context.Context, tx *storage.Tx, job jobs.Job, final bool, sendErr error) error {
	j := job.Data.(*sending)
	now := s.now()
	outcome := model.AttemptRetry
	if errors.Is(sendErr, ErrRejected) {
		outcome = model.AttemptFailed
	}
	if err := tx.Channels().CloseAttempt(ctx, j.attempt.ID, outcome, "", sendErr.Error(), now); err != nil {
		return err
	}
	if !final {
		return nil
	}
	s.log.Warn("message not delivered", "message", j.msg.ID, "status", model.MsgFailed, "reason", sendErr)
	return s.finishCampaign(ctx, tx, j.msg.CampaignID, now)
}

func (s *Service) endMessage(ctx context.Context, tx *storage.Tx, m *model.OutMessage, attempts int, status, reason string, now time.Time) error {
	if err := tx.Channels().EndMessage(ctx, m.ID, attempts, status, reason, now); err != nil {
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
