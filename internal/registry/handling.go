package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// MaxReason bounds the reason of a refusal and the note of a finished
// handling in bytes: they travel as the Description of the status package
// (documents.Service.StatusTx takes at most 2000 bytes).
const MaxReason = 2000

// RefuseInput refuses an incoming document received as edXML.
type RefuseInput struct {
	// Reason is why the unit does not receive it (wrong recipient, not
	// its competence, unreadable attachment …); required. It is sent to
	// the sender as the description of the "refused" (02) status.
	Reason string `json:"reason"`
}

// FinishInput ends the handling of a registered incoming document.
type FinishInput struct {
	// Note is the result (optional): it is kept in the trail and sent to
	// an edXML sender as the description of the "finished" (06) status.
	Note string `json:"note,omitempty"`
}

// Refuse refuses to receive (từ chối tiếp nhận) an incoming document that
// arrived as edXML, before it is entered in the incoming register: QCVN
// 102 reports either "refused" (02) or "accepted" (03) for a document that
// arrived (01), so a registered document cannot be refused and a refused
// one gets no arrival number. In one transaction it records the refusal
// with its reason in the handling trail and the audit log and queues the
// 02 status package for the sender. Only the unit's clerks and whoever
// handles its incoming documents may refuse.
func (s *Service) Refuse(ctx context.Context, a model.Actor, documentID int64, in RefuseInput) (*model.Trail, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, i18n.Localise(model.Invalid("reason", "give the reason for refusing the document; it is sent to the sender"), "handling.reason_required")
	}
	if len(reason) > MaxReason {
		return nil, i18n.Localise(model.Invalid("reason", "at most %d bytes", MaxReason), "handling.too_long", MaxReason)
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := s.mayRefuse(ctx, tx.Q, a, documentID)
		if err != nil {
			return err
		}
		e := documentEntry(a, d.UnitID, d.ID, model.TrailDeclined, s.clock.Now())
		e.Instruction = reason
		if err := tx.Trail().AppendTrail(ctx, e); err != nil {
			return err
		}
		if err := s.sendStatus(ctx, tx, a, d.ID, edxml.StatusRefused, reason); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.refused", "document", fmt.Sprint(d.ID), fmt.Sprintf("%s: %s", d.Code(), reason))
	})
	if err != nil {
		return nil, err
	}
	return s.Trail(ctx, a, documentID)
}

// MayRefuse tells whether the actor may refuse the document now (nil) or
// why not.
func (s *Service) MayRefuse(ctx context.Context, a model.Actor, documentID int64) error {
	_, err := s.mayRefuse(ctx, s.store.Q, a, documentID)
	return err
}

func (s *Service) mayRefuse(ctx context.Context, q storage.Q, a model.Actor, documentID int64) (*model.Document, error) {
	d, err := q.Documents().Document(ctx, documentID)
	if err != nil {
		return nil, err
	}
	u, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() && !s.policy.Can(a, authz.RegWrite, u.Path) && !s.policy.Can(a, authz.DeliveryHandle, u.Path) {
		return nil, fmt.Errorf("refusing document %d: only the clerks and handlers of incoming documents of %q may: %w", documentID, u.Name, model.ErrForbidden)
	}
	if d.Direction != model.Incoming {
		return nil, i18n.Localise(model.Invalid("document_id", "document %d is not an incoming document", documentID), "handling.refuse_not_edxml")
	}
	pkgs, err := q.Exchange().Packages(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	edXML := false
	for _, p := range pkgs {
		if p.Direction == "in" && p.Kind == "document" {
			edXML = true
		}
	}
	if !edXML {
		return nil, i18n.Localise(model.Invalid("document_id", "document %d did not arrive as edXML: there is no sender to send a refusal to", documentID), "handling.refuse_not_edxml")
	}
	if e, err := q.Registers().EntryOfDocument(ctx, d.UnitID, d.ID, model.SeriesIncoming); err == nil {
		return nil, i18n.Localise(model.Invalid("document_id", "document %d is already in the incoming register as arrival number %d/%d: a registered document cannot be refused; finish its handling instead", documentID, e.Number, e.Year),
			"handling.refuse_registered", e.Number, e.Year)
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	entries, err := q.Trail().TrailOf(ctx, d.ID, 0)
	if err != nil {
		return nil, err
	}
	if e := documentStep(entries, model.TrailDeclined); e != nil {
		return nil, i18n.Localise(fmt.Errorf("document %d was already refused on %s by %s: %w", documentID, e.At.In(s.loc).Format("02/01/2006"), e.ActorName, model.ErrConflict),
			"handling.already_refused", e.At.In(s.loc).Format("02/01/2006"), e.ActorName)
	}
	return d, nil
}

// Finish ends the handling (hoàn thành xử lý) of a registered incoming
// document: in one transaction it records the end in the handling trail
// and the audit log and, for a document that arrived as edXML, queues the
// "finished" (06) status package for the sender. Who may pass the
// document on may finish it: the unit's clerks, receivers and leaders, or
// whoever it was last passed to. A finished document is not passed on or
// finished again.
func (s *Service) Finish(ctx context.Context, a model.Actor, documentID int64, in FinishInput) (*model.Trail, error) {
	note := strings.TrimSpace(in.Note)
	if len(note) > MaxReason {
		return nil, i18n.Localise(model.Invalid("note", "at most %d bytes", MaxReason), "handling.too_long", MaxReason)
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := s.handledTx(ctx, tx, a, documentID, "finish it")
		if err != nil {
			return err
		}
		e := documentEntry(a, d.UnitID, d.ID, model.TrailFinished, s.clock.Now())
		e.Instruction = note
		if err := tx.Trail().AppendTrail(ctx, e); err != nil {
			return err
		}
		desc := "Hoàn thành xử lý"
		if note != "" {
			desc += ": " + note
		}
		if len(desc) > MaxReason {
			desc = note
		}
		if err := s.sendStatus(ctx, tx, a, d.ID, edxml.StatusDone, desc); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.finished", "document", fmt.Sprint(d.ID), fmt.Sprintf("%s: %s", d.Code(), note))
	})
	if err != nil {
		return nil, err
	}
	return s.Trail(ctx, a, documentID)
}

// sendStatus queues a status package for the edXML sender of a document
// in tx (nothing when there is no sender or no status sender is set).
func (s *Service) sendStatus(ctx context.Context, tx *storage.Tx, a model.Actor, documentID int64, code edxml.StatusCode, desc string) error {
	if s.status == nil {
		return nil
	}
	if _, err := s.status.StatusTx(ctx, tx, a, documentID, code, desc); err != nil {
		return fmt.Errorf("status package for the sender of document %d: %w", documentID, err)
	}
	return nil
}

// documentEntry is a step of a stored document's own trail taken by a.
func documentEntry(a model.Actor, unitID, documentID int64, action string, at time.Time) *model.TrailEntry {
	e := &model.TrailEntry{UnitID: unitID, DocumentID: &documentID, Action: action, ActorName: actorName(a), At: at}
	if a.UserID != 0 {
		uid := a.UserID
		e.ActorUserID = &uid
	}
	return e
}

// documentStep is the last step of the document's own trail (not of a
// delivery) with the given action, or nil.
func documentStep(entries []model.TrailEntry, action string) *model.TrailEntry {
	for i := len(entries) - 1; i >= 0; i-- {
		if e := &entries[i]; e.Action == action && e.DeliveryID == nil {
			return e
		}
	}
	return nil
}

// endedError refuses a step on a document whose handling ended: it was
// refused or its handling finished.
func (s *Service) endedError(documentID int64, entries []model.TrailEntry) error {
	if e := documentStep(entries, model.TrailDeclined); e != nil {
		day := e.At.In(s.loc).Format("02/01/2006")
		return i18n.Localise(model.Invalid("document_id", "document %d was refused on %s by %s: it is not registered or handled", documentID, day, e.ActorName),
			"handling.refused", day, e.ActorName)
	}
	if e := documentStep(entries, model.TrailFinished); e != nil {
		day := e.At.In(s.loc).Format("02/01/2006")
		return i18n.Localise(fmt.Errorf("the handling of document %d was finished on %s by %s: %w", documentID, day, e.ActorName, model.ErrConflict),
			"handling.finished", day, e.ActorName)
	}
	return nil
}
