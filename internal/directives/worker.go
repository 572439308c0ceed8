package directives

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/render"
	"github.com/loa-project/loa/internal/storage"
)

// maxDeliveryAttempts: after this many failures a delivery is marked
// failed (shown in the tracking matrix) instead of retried.
const maxDeliveryAttempts = 10

// deliveryBackoff: 10 s after the first failure, doubling up to about 43
// minutes.
var deliveryBackoff = jobs.Backoff{Base: 10 * time.Second, Max: 2560 * time.Second, Jitter: 0.1}

// issuedDoc is what every recipient's copy of one directive shares.
type issuedDoc struct {
	directiveID int64
	fields      docmodel.Fields
	text        string
	sha         string
	size        int64
	name        string
	// urgent: the directive has priority or emergency broadcast items,
	// which recipients' devices play without waiting for an operator.
	urgent bool
}

// docCache keeps the prepared document of the last directive delivered,
// since a fan-out delivers the same one many times.
type docCache struct {
	mu   sync.Mutex
	last *issuedDoc
}

func (s *Service) prepared(ctx context.Context, q storage.Q, dirID int64) (*issuedDoc, error) {
	s.lastDoc.mu.Lock()
	last := s.lastDoc.last
	s.lastDoc.mu.Unlock()
	if last != nil && last.directiveID == dirID {
		return last, nil
	}
	d, err := q.Directives().Directive(ctx, dirID)
	if err != nil {
		return nil, err
	}
	if d.Status != StatusIssued || d.PDFSHA == "" {
		return nil, fmt.Errorf("directive %d is not issued", dirID)
	}
	var f docmodel.Fields
	if err := jsonUnmarshal(d.Fields, &f); err != nil {
		return nil, fmt.Errorf("decode fields of directive %d: %w", dirID, err)
	}
	f.Normalize()
	var text bytes.Buffer
	if err := render.Text(&text, f); err != nil {
		return nil, fmt.Errorf("text of directive %d: %w", dirID, err)
	}
	size, err := q.Directives().DirectiveBlobSize(ctx, d.PDFSHA)
	if err != nil {
		return nil, err
	}
	urgent, err := q.Broadcast().DirectiveHasUrgentItems(ctx, dirID)
	if err != nil {
		return nil, err
	}
	doc := &issuedDoc{directiveID: dirID, fields: f, text: text.String(), sha: d.PDFSHA, size: size, name: pdfName(d.Code), urgent: urgent}
	s.lastDoc.mu.Lock()
	s.lastDoc.last = doc
	s.lastDoc.mu.Unlock()
	return doc, nil
}

// deliver runs one claimed delivery in the claim's transaction (package
// jobs, InTx): it creates the recipient's inbox document and
// incoming-register line, queues its urgent broadcast items for automatic
// scheduling and marks it delivered. A crash before commit leaves the
// delivery pending with nothing written; after commit it is delivered
// exactly once.
func (s *Service) deliver(ctx context.Context, job jobs.Job) error {
	tx := job.Tx
	d, err := tx.Deliveries().Delivery(ctx, job.ID)
	if err != nil {
		return err
	}
	doc, err := s.prepared(ctx, tx.Q, d.DirectiveID)
	if err != nil {
		return err
	}
	sys := model.System("directives delivery")
	inbox, err := tx.Documents().DocumentByOriginal(ctx, d.RecipientUnitID, doc.sha)
	if errors.Is(err, model.ErrNotFound) {
		inbox = &model.Document{UnitID: d.RecipientUnitID, Direction: model.Incoming, Fields: doc.fields, BodyText: doc.text,
			Original: &model.Original{SHA256: doc.sha, Name: doc.name, ContentType: "application/pdf", Size: doc.size}}
		if err := tx.Documents().InsertDocument(ctx, inbox); err != nil {
			return err
		}
		if err := tx.Documents().ReplaceRefs(ctx, inbox); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	docID, from := inbox.ID, ""
	if u, err := tx.Orgs().Unit(ctx, d.SenderUnitID); err == nil {
		from = u.Name
	}
	if err := s.appendTrail(ctx, tx, sys, d, Delivered, s.now(), func(e *model.TrailEntry) { e.DocumentID, e.Detail = &docID, from }); err != nil {
		return err
	}
	entry, err := s.registry.RegisterIncomingTx(ctx, tx, sys, d.RecipientUnitID, inbox, "", "Loa: "+d.Code)
	if err != nil {
		return err
	}
	if err := tx.Deliveries().MarkDeliveryDelivered(ctx, d.ID, inbox.ID, entry.ID, s.now()); err != nil {
		return err
	}
	if doc.urgent {
		// The broadcast bridge schedules them (package bridge): queued
		// here so that it happens if and only if the delivery did.
		if err := tx.Broadcast().EnqueueAutoSchedule(ctx, d.ID, d.RecipientUnitID, d.DirectiveID, s.now()); err != nil {
			return err
		}
	}
	d.Status = Delivered
	msg := fmt.Sprintf("Văn bản mới %s: %s", d.Code, d.Subject)
	if d.Purpose != RoleMain {
		msg = fmt.Sprintf("Văn bản gửi để biết %s: %s", d.Code, d.Subject)
	}
	return s.Notifier().notifyUnit(ctx, tx, d.RecipientUnitID, "delivered", EventDelivered, d, msg, []model.Role{model.RoleClerk, model.RoleReceiver}, nil)
}

// DeliverPending delivers every due pending delivery and returns how many
// were processed (delivered or rescheduled after a failure). The workers
// started by Start do it; tests and the demo call it directly.
func (s *Service) DeliverPending(ctx context.Context) (int, error) {
	return s.deliveries.Drain(ctx)
}

func (s *Service) schedulerLoop(ctx context.Context) {
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("reminder scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// TickResult counts what a scheduler tick did.
type TickResult struct {
	Reminders   int `json:"reminders"`
	Escalations int `json:"escalations"`
}

// Tick sends the reminders and escalations that are due by the service's
// clock: a recipient that has not acknowledged a delivery is reminded
// RemindAfter after delivery and then every RemindEvery (at most
// MaxReminders times), and after EscalateAfter its superior unit is told,
// once, as the issuing unit's settings say.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	now := s.now()
	list, err := s.store.Deliveries().UnacknowledgedDeliveries(ctx, now, 5000)
	if err != nil {
		return res, err
	}
	cache := map[int64]Settings{}
	for _, d := range list {
		st, ok := cache[d.SenderUnitID]
		if !ok {
			if st, err = s.settings(ctx, s.store.Q, d.SenderUnitID); err != nil {
				return res, err
			}
			cache[d.SenderUnitID] = st
		}
		if d.DeliveredAt == nil {
			continue
		}
		age := now.Sub(*d.DeliveredAt)
		if st.EscalateAfterMinutes > 0 && d.EscalatedAt == nil && age >= time.Duration(st.EscalateAfterMinutes)*time.Minute {
			done, err := s.escalate(ctx, d)
			if err != nil {
				return res, err
			}
			if done {
				res.Escalations++
			}
		}
		if st.RemindAfterMinutes <= 0 || d.Reminders >= st.MaxReminders || age < time.Duration(st.RemindAfterMinutes)*time.Minute {
			continue
		}
		if d.LastRemindedAt != nil && (st.RemindEveryMinutes <= 0 || now.Sub(*d.LastRemindedAt) < time.Duration(st.RemindEveryMinutes)*time.Minute) {
			continue
		}
		done, err := s.remind(ctx, d)
		if err != nil {
			return res, err
		}
		if done {
			res.Reminders++
		}
	}
	return res, nil
}

func (s *Service) remind(ctx context.Context, d *model.Delivery) (bool, error) {
	done := false
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		ok, err := tx.Deliveries().RecordReminder(ctx, d.ID, s.now())
		if err != nil || !ok {
			return err
		}
		done = true
		msg := fmt.Sprintf("Nhắc việc (lần %d): văn bản %s chưa được xác nhận — %s", d.Reminders+1, d.Code, d.Subject)
		return s.Notifier().notifyUnit(ctx, tx, d.RecipientUnitID, "reminder", EventReminder, d, msg, []model.Role{model.RoleClerk, model.RoleReceiver}, nil)
	})
	return done, err
}

// escalate tells the recipient's superior unit (its parent) that the
// recipient has not acknowledged the delivery.
func (s *Service) escalate(ctx context.Context, d *model.Delivery) (bool, error) {
	done := false
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		rec, err := tx.Orgs().Unit(ctx, d.RecipientUnitID)
		if err != nil {
			return err
		}
		ok, err := tx.Deliveries().RecordEscalation(ctx, d.ID, s.now())
		if err != nil || !ok {
			return err
		}
		done = true
		if rec.ParentID == nil {
			return nil
		}
		msg := fmt.Sprintf("Báo cáo chậm trễ: %s chưa xác nhận văn bản %s (%s)", rec.Name, d.Code, d.Subject)
		return s.Notifier().notifyUnit(ctx, tx, *rec.ParentID, "escalation", EventEscalated, d, msg, []model.Role{model.RoleClerk, model.RoleApprover},
			&webhookEscNote{RecipientUnitID: rec.ID, Reminders: d.Reminders})
	})
	return done, err
}
