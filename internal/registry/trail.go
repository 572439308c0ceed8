package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// MaxInstruction bounds an instruction (bút phê) in bytes.
const MaxInstruction = 4000

// PassInput passes an incoming document on for handling: to a person or
// a sub-unit of the unit holding it, with an instruction (bút phê) and a
// deadline.
type PassInput struct {
	UserID      int64  `json:"user_id,omitempty"`
	UnitID      int64  `json:"unit_id,omitempty"`
	Instruction string `json:"instruction,omitempty"`
	// Deadline is YYYY-MM-DD or dd/mm/yyyy: the end of that day, local time.
	Deadline string `json:"deadline,omitempty"`
}

// Trail is the handling trail of a stored incoming document: its
// registration, each time it was passed on (with the instruction and
// deadline) and, for a document that came through Loa, every step of its
// delivery. The reader must be allowed to read the document.
func (s *Service) Trail(ctx context.Context, a model.Actor, documentID int64) (*model.Trail, error) {
	if _, err := s.readable(ctx, a, documentID); err != nil {
		return nil, err
	}
	var del int64
	if dl, err := s.store.Deliveries().DeliveryByDocument(ctx, documentID); err == nil {
		del = dl.ID
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	entries, err := s.store.Trail().TrailOf(ctx, documentID, del)
	if err != nil {
		return nil, err
	}
	return model.NewTrail(entries), nil
}

// PassCandidates lists who the actor may pass the document on to: the
// active users and the sub-units of the unit holding it. It refuses
// (ErrForbidden, or a validation error for a document that is not a
// registered incoming one) when the actor may not pass it on: only the
// unit's clerks, receivers and leaders, or whoever it was last passed to.
func (s *Service) PassCandidates(ctx context.Context, a model.Actor, documentID int64) ([]*model.User, []*model.Unit, error) {
	if err := s.mayPass(ctx, s.store.Q, a, documentID); err != nil {
		return nil, nil, err
	}
	d, err := s.store.Documents().Document(ctx, documentID)
	if err != nil {
		return nil, nil, err
	}
	holder, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.store.Accounts().Users(ctx, holder.Path)
	if err != nil {
		return nil, nil, err
	}
	var users []*model.User
	for _, u := range all {
		if u.Active {
			users = append(users, u)
		}
	}
	sub, err := s.store.Orgs().Subtree(ctx, holder.Path)
	if err != nil {
		return nil, nil, err
	}
	var units []*model.Unit
	for _, u := range sub {
		if u.ID != holder.ID {
			units = append(units, u)
		}
	}
	return users, units, nil
}

func (s *Service) mayPass(ctx context.Context, q storage.Q, a model.Actor, documentID int64) error {
	d, err := q.Documents().Document(ctx, documentID)
	if err != nil {
		return err
	}
	if d.Direction != model.Incoming {
		return i18n.Localise(model.Invalid("document_id", "document %d is not an incoming document", documentID), "trailsvc.not_incoming")
	}
	if _, err := q.Registers().EntryOfDocument(ctx, d.UnitID, d.ID, model.SeriesIncoming); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return i18n.Localise(model.Invalid("document_id", "document %d is not in its unit's incoming register yet: register it first", documentID), "trailsvc.not_incoming")
		}
		return err
	}
	u, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return err
	}
	entries, err := q.Trail().TrailOf(ctx, d.ID, 0)
	if err != nil {
		return err
	}
	if !a.IsSystem() && !s.policy.Can(a, authz.DeliveryHandle, u.Path) && !lastAssignee(a, entries) {
		return fmt.Errorf("handling document %d: %w", documentID, model.ErrForbidden)
	}
	// A finished (or refused) handling is not passed on or finished again.
	return s.endedError(documentID, entries)
}

// lastAssignee tells whether the last assignment of the trail passed the
// document to the actor or the actor's unit.
func lastAssignee(a model.Actor, entries []model.TrailEntry) bool {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Action != model.TrailAssigned {
			continue
		}
		return e.ToUserID != nil && *e.ToUserID == a.UserID && a.UserID != 0 || e.ToUnitID != nil && *e.ToUnitID == a.UnitID && a.UnitID != 0
	}
	return false
}

// handledTx reads, in tx, a registered incoming document the actor may
// handle (mayPass) and that did not come through Loa: such a document is
// handled from its delivery, which keeps its state (what: "pass it on",
// "finish it").
func (s *Service) handledTx(ctx context.Context, tx *storage.Tx, a model.Actor, documentID int64, what string) (*model.Document, error) {
	if err := s.mayPass(ctx, tx.Q, a, documentID); err != nil {
		return nil, err
	}
	if del, err := tx.Deliveries().DeliveryByDocument(ctx, documentID); err == nil {
		return nil, model.Invalid("document_id", "document %d came through Loa: %s from its delivery (/inbox/%d)", documentID, what, del.ID)
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	return tx.Documents().Document(ctx, documentID)
}

// Pass passes an incoming document on for handling and records it in the
// trail; earlier instructions stay. A document that came through Loa is
// passed on from its delivery (the inbox), which keeps its state.
func (s *Service) Pass(ctx context.Context, a model.Actor, documentID int64, in PassInput) (*model.Trail, error) {
	in.Instruction = strings.TrimSpace(in.Instruction)
	if len(in.Instruction) > MaxInstruction {
		return nil, model.Invalid("instruction", "at most %d bytes", MaxInstruction)
	}
	if (in.UserID == 0) == (in.UnitID == 0) {
		return nil, i18n.Localise(model.Invalid("user_id", "pass it to either a user (user_id) or a sub-unit (unit_id)"), "trailsvc.who")
	}
	now := s.clock.Now()
	deadline, err := Deadline("deadline", in.Deadline, now.In(s.loc).Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := s.handledTx(ctx, tx, a, documentID, "pass it on")
		if err != nil {
			return err
		}
		holder, err := tx.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return err
		}
		e := documentEntry(a, d.UnitID, d.ID, model.TrailAssigned, now)
		e.Instruction, e.Deadline = in.Instruction, deadline
		if in.UserID != 0 {
			u, err := tx.Accounts().User(ctx, in.UserID)
			if err != nil {
				return model.Invalid("user_id", "user %d does not exist", in.UserID)
			}
			uu, err := tx.Orgs().Unit(ctx, u.UnitID)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(uu.Path, holder.Path) || !u.Active {
				return model.Invalid("user_id", "%s does not work in %q", u.FullName, holder.Name)
			}
			e.ToUserID = &u.ID
		} else {
			u, err := tx.Orgs().Unit(ctx, in.UnitID)
			if err != nil || !strings.HasPrefix(u.Path, holder.Path) || u.ID == holder.ID {
				return model.Invalid("unit_id", "unit %d is not a sub-unit of %q", in.UnitID, holder.Name)
			}
			e.ToUnitID = &u.ID
		}
		earlier, err := tx.Trail().TrailOf(ctx, d.ID, 0)
		if err != nil {
			return err
		}
		if err := tx.Trail().AppendTrail(ctx, e); err != nil {
			return err
		}
		if err := s.passStatus(ctx, tx, a, d.ID, earlier, e.ToName); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.passed", "document", fmt.Sprint(documentID), fmt.Sprintf("%s → %s: %s", d.Code(), e.ToName, in.Instruction))
	})
	if err != nil {
		return nil, err
	}
	return s.Trail(ctx, a, documentID)
}

// passStatus tells the edXML sender of a document that it was passed on:
// the first time "assigned" (04), later (passed further down by whoever
// handles it) "processing" (05). Each code goes once (StatusTx sends a
// code only once per document); documents that did not come as edXML
// have nobody to tell.
func (s *Service) passStatus(ctx context.Context, tx *storage.Tx, a model.Actor, documentID int64, earlier []model.TrailEntry, to string) error {
	code, desc := edxml.StatusAssigned, "Đã phân công xử lý cho "+to
	for _, e := range earlier {
		if e.Action == model.TrailAssigned {
			code, desc = edxml.StatusProcessing, "Đang xử lý: chuyển tiếp cho "+to
			break
		}
	}
	return s.sendStatus(ctx, tx, a, documentID, code, desc)
}

// Deadline reads a handling deadline, a day (YYYY-MM-DD or dd/mm/yyyy)
// not before today (YYYY-MM-DD), as YYYY-MM-DD; "" stays "".
func Deadline(field, v, today string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		if t, err = time.Parse("02/01/2006", v); err != nil {
			return "", i18n.Localise(model.Invalid(field, "%q is not a date: use YYYY-MM-DD or dd/mm/yyyy", v), "trailsvc.deadline", v)
		}
	}
	if day := t.Format("2006-01-02"); day >= today {
		return day, nil
	}
	return "", i18n.Localise(model.Invalid(field, "%s has passed: choose today or a later day", t.Format("02/01/2006")), "trailsvc.deadline_past", t.Format("02/01/2006"))
}

// IncomingLine is the line of a stored document in the incoming register
// of the unit holding it, or nil when it is not registered there.
func (s *Service) IncomingLine(ctx context.Context, a model.Actor, documentID int64) (*model.RegisterEntry, error) {
	d, err := s.readable(ctx, a, documentID)
	if err != nil {
		return nil, err
	}
	e, err := s.store.Registers().EntryOfDocument(ctx, d.UnitID, d.ID, model.SeriesIncoming)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	return e, err
}

// readable reads a stored document the actor may read (ErrNotFound
// otherwise, as if it did not exist).
func (s *Service) readable(ctx context.Context, a model.Actor, documentID int64) (*model.Document, error) {
	d, err := s.store.Documents().Document(ctx, documentID)
	if err != nil {
		return nil, err
	}
	ok, err := documents.MayRead(ctx, s.store.Q, s.policy, a, d.UnitID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("document %d does not exist or you may not see it: %w", documentID, model.ErrNotFound)
	}
	return d, nil
}
