package directives

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
)

// DeliveryView is a delivery with names, its report and what the actor
// may do with it.
type DeliveryView struct {
	*model.Delivery
	RecipientName string             `json:"recipient_name"`
	SenderName    string             `json:"sender_name"`
	Overdue       bool               `json:"overdue"`
	Report        *Report            `json:"report,omitempty"`
	Can           DeliveryPermission `json:"can"`
}

// DeliveryDetail adds the document received.
type DeliveryDetail struct {
	*DeliveryView
	Fields      *docmodel.Fields `json:"fields,omitempty"`
	Items       []Item           `json:"items"`
	Attachments []Attachment     `json:"attachments"`
	PDFSHA      string           `json:"pdf_sha256,omitempty"`
	// Trail is the handling trail: who passed it to whom, with what
	// instruction and deadline, and every change of state.
	Trail *model.Trail `json:"trail"`
}

// DeliveryPermission says what the actor may do with a delivery now.
type DeliveryPermission struct {
	Read        bool `json:"read"`
	Acknowledge bool `json:"acknowledge"`
	Assign      bool `json:"assign"`
	Forward     bool `json:"forward"`
	Report      bool `json:"report"`
	Decline     bool `json:"decline"`
	Close       bool `json:"close"`
}

// overdue: the deadline passed and the recipient has not reported.
func overdue(d *model.Delivery, now time.Time) bool {
	if d.DeadlineAt == nil || d.Purpose != RoleMain {
		return false
	}
	switch d.Status {
	case Reported, Closed, Declined, Pending, Failed:
		return false
	}
	return now.After(*d.DeadlineAt)
}

// lookup caches units and issuer permissions while one request builds
// many delivery views (an inbox page, a tracking matrix).
type lookup struct {
	q     storage.Q
	units map[int64]*model.Unit
	track map[int64]bool
}

func newLookup(q storage.Q) *lookup {
	return &lookup{q: q, units: map[int64]*model.Unit{}, track: map[int64]bool{}}
}

func (l *lookup) unit(ctx context.Context, id int64) (*model.Unit, error) {
	if u, ok := l.units[id]; ok {
		return u, nil
	}
	u, err := l.q.Orgs().Unit(ctx, id)
	if err != nil {
		return nil, err
	}
	l.units[id] = u
	return u, nil
}

func (l *lookup) name(ctx context.Context, id int64) string {
	u, err := l.unit(ctx, id)
	if err != nil {
		return fmt.Sprintf("#%d", id)
	}
	return u.Name
}

// mayHandle checks the actor may see (write=false) or act on (write=true)
// a delivery as its recipient: staff of the recipient unit, or the user or
// unit it was assigned to.
func (s Deliveries) mayHandle(ctx context.Context, q storage.Q, a model.Actor, d *model.Delivery, write bool) error {
	return s.mayHandleL(ctx, newLookup(q), a, d, write)
}

func (s Deliveries) mayHandleL(ctx context.Context, l *lookup, a model.Actor, d *model.Delivery, write bool) error {
	if a.IsSystem() {
		return nil
	}
	action := authz.DeliveryRead
	if write {
		action = authz.DeliveryHandle
	}
	rec, err := l.unit(ctx, d.RecipientUnitID)
	if err != nil {
		return err
	}
	if s.policy.Can(a, action, rec.Path) {
		return nil
	}
	if d.AssigneeUserID != nil && *d.AssigneeUserID == a.UserID && a.UserID != 0 {
		return nil
	}
	if d.AssigneeUnitID != nil && *d.AssigneeUnitID == a.UnitID && a.UnitID != 0 {
		if me, err := l.unit(ctx, a.UnitID); err == nil && s.policy.Can(a, action, me.Path) {
			return nil
		}
	}
	return fmt.Errorf("delivery %d is in the inbox of %q: %w", d.ID, rec.Name, model.ErrForbidden)
}

// mayTrack checks the actor may follow (and close) deliveries of a
// directive as its issuer: the author, or staff of the issuing unit.
func (s Deliveries) mayTrack(ctx context.Context, q storage.Q, a model.Actor, dirID int64, write bool) (*model.Directive, error) {
	d, err := q.Directives().Directive(ctx, dirID)
	if err != nil {
		return nil, err
	}
	if a.IsSystem() || (d.CreatedBy != nil && *d.CreatedBy == a.UserID && a.UserID != 0) {
		return d, nil
	}
	agency, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	action := authz.DirectiveRead
	if write {
		action = authz.DirectiveTrack
	}
	if s.policy.Can(a, action, agency.Path) {
		return d, nil
	}
	return nil, fmt.Errorf("tracking directive %d is for %q: %w", dirID, agency.Name, model.ErrForbidden)
}

func (s Deliveries) deliveryView(ctx context.Context, l *lookup, a model.Actor, d *model.Delivery) (*DeliveryView, error) {
	v := &DeliveryView{Delivery: d, Overdue: overdue(d, s.now())}
	v.RecipientName, v.SenderName = l.name(ctx, d.RecipientUnitID), l.name(ctx, d.SenderUnitID)
	if d.Report != "" {
		var r Report
		if err := jsonUnmarshal(d.Report, &r); err != nil {
			return nil, fmt.Errorf("decode report of delivery %d: %w", d.ID, err)
		}
		v.Report = &r
	}
	recipient := s.mayHandleL(ctx, l, a, d, true) == nil
	switch d.Status {
	case Delivered:
		v.Can = DeliveryPermission{Read: recipient, Acknowledge: recipient, Assign: recipient, Forward: recipient, Report: recipient, Decline: recipient}
	case Read:
		v.Can = DeliveryPermission{Acknowledge: recipient, Assign: recipient, Forward: recipient, Report: recipient, Decline: recipient}
	case Acknowledged, Assigned:
		v.Can = DeliveryPermission{Assign: recipient, Forward: recipient, Report: recipient, Decline: recipient}
	case Forwarded:
		v.Can = DeliveryPermission{Report: recipient}
	case Reported:
		ok, cached := l.track[d.DirectiveID]
		if !cached {
			_, err := s.mayTrack(ctx, l.q, a, d.DirectiveID, true)
			ok = err == nil
			l.track[d.DirectiveID] = ok
		}
		v.Can.Close = ok
	}
	if v.Can.Forward {
		me, err := l.unit(ctx, a.UnitID)
		v.Can.Forward = err == nil && s.policy.Can(a, authz.DirectiveDraft, me.Path)
	}
	return v, nil
}

// InboxFilter selects deliveries of an inbox.
type InboxFilter struct {
	UnitID   int64  // 0 = the actor's unit
	Assigned bool   // instead: deliveries assigned to the actor or the actor's unit
	Status   string // one state, or "" for all
	Purpose  string // main, report, copy
	Query    string
	Overdue  bool
	Late     bool
	BeforeID int64
	Limit    int
}

var inboxStates = []string{Delivered, Read, Acknowledged, Assigned, Forwarded, Reported, Closed, Declined}

// Inbox lists a unit's received deliveries, newest first. Only the
// unit's own staff see its inbox.
func (s Deliveries) Inbox(ctx context.Context, a model.Actor, f InboxFilter) ([]*DeliveryView, error) {
	sf := model.InboxFilter{Purpose: f.Purpose, Words: searchWords(f.Query), Late: f.Late, BeforeID: f.BeforeID, Limit: f.Limit}
	if f.Status != "" {
		if !slices.Contains(inboxStates, f.Status) {
			return nil, model.Invalid("status", "%q: use one of %s", f.Status, strings.Join(inboxStates, ", "))
		}
		sf.Statuses = []string{f.Status}
	}
	if f.Purpose != "" && f.Purpose != RoleMain && f.Purpose != RoleReport && f.Purpose != RoleCopy {
		return nil, model.Invalid("purpose", "%q: use main, report or copy", f.Purpose)
	}
	if len(f.Query) > 200 {
		return nil, model.Invalid("q", "at most 200 bytes")
	}
	if f.Overdue {
		sf.Overdue = s.now()
	}
	if f.Assigned {
		if a.UserID == 0 {
			return nil, fmt.Errorf("assigned work is listed for a signed-in user: %w", model.ErrForbidden)
		}
		sf.AssigneeUserID, sf.AssigneeUnitID = a.UserID, a.UnitID
	} else {
		if f.UnitID == 0 {
			f.UnitID = a.UnitID
		}
		u, err := unitOr(ctx, s.store.Q, f.UnitID, "unit_id")
		if err != nil {
			return nil, err
		}
		if !s.policy.Can(a, authz.DeliveryRead, u.Path) {
			return nil, fmt.Errorf("the inbox of %q is for its own staff: %w", u.Name, model.ErrForbidden)
		}
		sf.UnitID = u.ID
	}
	list, err := s.store.Deliveries().Inbox(ctx, sf)
	if err != nil {
		return nil, err
	}
	l := newLookup(s.store.Q)
	out := make([]*DeliveryView, 0, len(list))
	for _, d := range list {
		v, err := s.deliveryView(ctx, l, a, d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Delivery returns a delivery with the document received, for its
// recipient or its issuer.
func (s Deliveries) Delivery(ctx context.Context, a model.Actor, id int64) (*DeliveryDetail, error) {
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayHandle(ctx, s.store.Q, a, d, false); err != nil {
		if _, terr := s.mayTrack(ctx, s.store.Q, a, d.DirectiveID, false); terr != nil {
			return nil, err
		}
	}
	v, err := s.deliveryView(ctx, newLookup(s.store.Q), a, d)
	if err != nil {
		return nil, err
	}
	out := &DeliveryDetail{DeliveryView: v, Items: []Item{}, Attachments: []Attachment{}}
	dir, err := s.store.Directives().Directive(ctx, d.DirectiveID)
	if err != nil {
		return nil, err
	}
	if dir.Fields != "" {
		var f docmodel.Fields
		if err := jsonUnmarshal(dir.Fields, &f); err != nil {
			return nil, fmt.Errorf("decode fields of directive %d: %w", dir.ID, err)
		}
		f.Normalize()
		out.Fields = &f
	}
	c, err := decodeContent(dir)
	if err != nil {
		return nil, err
	}
	out.Items, out.Attachments, out.PDFSHA = c.Items, c.Attachments, dir.PDFSHA
	if out.Trail, err = s.trailOf(ctx, d); err != nil {
		return nil, err
	}
	return out, nil
}

// OpenDeliveryFile opens the PDF or an attachment of a delivered
// directive, or a file attached to its report.
func (s Deliveries) OpenDeliveryFile(ctx context.Context, a model.Actor, id int64, sha string) (string, string, io.ReadSeekCloser, error) {
	det, err := s.Delivery(ctx, a, id)
	if err != nil {
		return "", "", nil, err
	}
	name, ctype := "", ""
	switch {
	case sha == det.PDFSHA && sha != "":
		name, ctype = pdfName(det.Code), "application/pdf"
	default:
		for _, at := range det.Attachments {
			if at.SHA256 == sha {
				name, ctype = at.Name, at.ContentType
			}
		}
		for _, it := range det.Items {
			if it.Broadcast != nil && slices.Contains(it.Broadcast.Audio, sha) && name == "" {
				name, ctype = "audio-"+sha[:12], "application/octet-stream"
			}
		}
		if det.Report != nil {
			for _, at := range det.Report.Attachments {
				if at.SHA256 == sha {
					name, ctype = at.Name, at.ContentType
				}
			}
		}
	}
	if name == "" {
		return "", "", nil, fmt.Errorf("delivery %d has no file %s: %w", id, sha, model.ErrNotFound)
	}
	f, _, err := s.blobs.Open(ctx, sha)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return "", "", nil, fmt.Errorf("file %s: %w", sha, model.ErrNotFound)
		}
		return "", "", nil, err
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return name, ctype, f, nil
}

// change applies a recipient's step to a delivery in one transaction and
// tells the issuer.
func (s Deliveries) change(ctx context.Context, a model.Actor, id int64, from []string, build func(tx *storage.Tx, d *model.Delivery) (model.DeliveryChange, error)) (*DeliveryView, error) {
	return s.changeTrail(ctx, a, id, from, "", build)
}

// changeTrail is change with the deadline the step gives in the handling
// trail (an assignment's handling deadline, YYYY-MM-DD).
func (s Deliveries) changeTrail(ctx context.Context, a model.Actor, id int64, from []string, trailDeadline string, build func(tx *storage.Tx, d *model.Delivery) (model.DeliveryChange, error)) (*DeliveryView, error) {
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Deliveries().LockDelivery(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayHandle(ctx, tx.Q, a, d, true); err != nil {
			return err
		}
		c, err := build(tx, d)
		if err != nil {
			return err
		}
		if !slices.Contains(from, d.Status) {
			return stateConflict(d, c.Status)
		}
		c.At, c.By = s.now(), userPtr(a)
		c.Late = d.DeadlineAt != nil && c.At.After(*d.DeadlineAt)
		if err := tx.Deliveries().ChangeDelivery(ctx, id, from, c); err != nil {
			return err
		}
		if err := tx.Audit().AppendAudit(ctx, a, "delivery."+c.Status, "delivery", fmt.Sprint(id), d.Code); err != nil {
			return err
		}
		if err := s.appendTrail(ctx, tx, a, d, c.Status, c.At, func(e *model.TrailEntry) {
			e.ToUserID, e.ToUnitID, e.Deadline = c.AssigneeUserID, c.AssigneeUnitID, trailDeadline
			switch c.Status {
			case Assigned:
				e.Instruction = c.AssignNote
			case Declined:
				e.Instruction = c.DeclineReason
			}
		}); err != nil {
			return err
		}
		if c.Status == Read {
			return nil
		}
		return s.Notifier().notifyIssuer(ctx, tx, d, c.Status)
	})
	if err != nil {
		return nil, err
	}
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.deliveryView(ctx, newLookup(s.store.Q), a, d)
}

// stateConflict explains why a step does not apply to a delivery.
func stateConflict(d *model.Delivery, to string) error {
	var why string
	switch d.Status {
	case Closed:
		why = "it is closed: the issuer accepted its report, nothing more can be recorded"
	case Declined:
		why = "it was declined"
	case Reported:
		why = "its report is already sent"
	case Pending, Failed:
		why = "it has not arrived yet"
	default:
		why = "it is " + d.Status
	}
	return fmt.Errorf("delivery %d cannot be marked %s: %s: %w", d.ID, to, why, model.ErrConflict)
}

// MarkRead records that someone of the recipient unit opened the
// delivery (the first time only).
func (s Deliveries) MarkRead(ctx context.Context, a model.Actor, id int64) (*DeliveryView, error) {
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayHandle(ctx, s.store.Q, a, d, false); err != nil {
		return nil, err
	}
	if d.Status != Delivered || s.mayHandle(ctx, s.store.Q, a, d, true) != nil {
		return s.deliveryView(ctx, newLookup(s.store.Q), a, d)
	}
	v, err := s.change(ctx, a, id, []string{Delivered}, func(*storage.Tx, *model.Delivery) (model.DeliveryChange, error) {
		return model.DeliveryChange{Status: Read}, nil
	})
	if errors.Is(err, model.ErrConflict) {
		// Read by a colleague at the same moment.
		d, err := s.store.Deliveries().Delivery(ctx, id)
		if err != nil {
			return nil, err
		}
		return s.deliveryView(ctx, newLookup(s.store.Q), a, d)
	}
	return v, err
}

// Acknowledge confirms receipt.
func (s Deliveries) Acknowledge(ctx context.Context, a model.Actor, id int64) (*DeliveryView, error) {
	return s.change(ctx, a, id, []string{Delivered, Read}, func(*storage.Tx, *model.Delivery) (model.DeliveryChange, error) {
		return model.DeliveryChange{Status: Acknowledged}, nil
	})
}

// AssignInput names who handles a delivery: a user or a sub-unit of the
// recipient unit.
type AssignInput struct {
	UserID int64  `json:"user_id,omitempty"`
	UnitID int64  `json:"unit_id,omitempty"`
	Note   string `json:"note,omitempty"` // the instruction (bút phê)
	// Deadline is the handling deadline given with this assignment
	// (YYYY-MM-DD or dd/mm/yyyy; the end of that day, local time).
	Deadline string `json:"deadline,omitempty"`
}

// Assign gives a delivery to a person or sub-unit to handle.
func (s Deliveries) Assign(ctx context.Context, a model.Actor, id int64, in AssignInput) (*DeliveryView, error) {
	note, err := checkText("note", in.Note, MaxComment)
	if err != nil {
		return nil, err
	}
	if (in.UserID == 0) == (in.UnitID == 0) {
		return nil, i18n.Localise(model.Invalid("user_id", "assign to either a user (user_id) or a sub-unit (unit_id)"), "trailsvc.who")
	}
	deadline, err := registry.Deadline("deadline", in.Deadline, s.today())
	if err != nil {
		return nil, err
	}
	return s.changeTrail(ctx, a, id, []string{Delivered, Read, Acknowledged, Assigned}, deadline, func(tx *storage.Tx, d *model.Delivery) (model.DeliveryChange, error) {
		rec, err := tx.Orgs().Unit(ctx, d.RecipientUnitID)
		if err != nil {
			return model.DeliveryChange{}, err
		}
		c := model.DeliveryChange{Status: Assigned, AssignNote: note}
		if in.UserID != 0 {
			u, err := tx.Accounts().User(ctx, in.UserID)
			if err != nil {
				return c, model.Invalid("user_id", "user %d does not exist", in.UserID)
			}
			uu, err := tx.Orgs().Unit(ctx, u.UnitID)
			if err != nil {
				return c, err
			}
			if !strings.HasPrefix(uu.Path, rec.Path) || !u.Active {
				return c, model.Invalid("user_id", "%s does not work in %q", u.FullName, rec.Name)
			}
			uid := u.ID
			c.AssigneeUserID = &uid
		} else {
			u, err := unitOr(ctx, tx.Q, in.UnitID, "unit_id")
			if err != nil {
				return c, err
			}
			if !strings.HasPrefix(u.Path, rec.Path) {
				return c, model.Invalid("unit_id", "%q is not part of %q", u.Name, rec.Name)
			}
			uid := u.ID
			c.AssigneeUnitID = &uid
		}
		return c, nil
	})
}

// ReportInput is a recipient's execution report.
type ReportInput = Report

// SubmitReport records the recipient's execution report (text, figures
// such as broadcasts made, attachments). A report, or a first
// acknowledgement, after the deadline counts as late.
func (s Deliveries) SubmitReport(ctx context.Context, a model.Actor, id int64, in ReportInput) (*DeliveryView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, []string{Delivered, Read, Acknowledged, Assigned, Forwarded}, func(tx *storage.Tx, d *model.Delivery) (model.DeliveryChange, error) {
		for i, at := range in.Attachments {
			if err := blobExists(ctx, tx.Q, at.SHA256, fmt.Sprintf("attachments[%d].sha256", i)); err != nil {
				return model.DeliveryChange{}, err
			}
		}
		body, err := encodeJSON(in)
		if err != nil {
			return model.DeliveryChange{}, err
		}
		return model.DeliveryChange{Status: Reported, Report: body}, nil
	})
}

// UploadReportFile stores a file to attach to a delivery's report.
func (s Deliveries) UploadReportFile(ctx context.Context, a model.Actor, id int64, name, contentType string, r io.Reader) (*Attachment, error) {
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayHandle(ctx, s.store.Q, a, d, true); err != nil {
		return nil, err
	}
	switch d.Status {
	case Closed, Declined, Reported, Pending, Failed:
		return nil, stateConflict(d, Reported)
	}
	att, err := s.Drafts().storeUpload(ctx, name, contentType, r)
	if err != nil {
		return nil, err
	}
	return &att, nil
}

// Decline refuses a delivery with a reason (e.g. sent to the wrong unit).
func (s Deliveries) Decline(ctx context.Context, a model.Actor, id int64, reason string) (*DeliveryView, error) {
	reason, err := checkText("reason", reason, MaxComment)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, model.Invalid("reason", "say why the document is declined")
	}
	return s.change(ctx, a, id, []string{Delivered, Read, Acknowledged, Assigned}, func(*storage.Tx, *model.Delivery) (model.DeliveryChange, error) {
		return model.DeliveryChange{Status: Declined, DeclineReason: reason}, nil
	})
}

// Close accepts a recipient's report: the issuer ends the delivery.
func (s Deliveries) Close(ctx context.Context, a model.Actor, id int64) (*DeliveryView, error) {
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Deliveries().LockDelivery(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.mayTrack(ctx, tx.Q, a, d.DirectiveID, true); err != nil {
			return err
		}
		if d.Status != Reported {
			return stateConflict(d, Closed)
		}
		if err := tx.Deliveries().ChangeDelivery(ctx, id, []string{Reported}, model.DeliveryChange{Status: Closed, At: s.now(), By: userPtr(a)}); err != nil {
			return err
		}
		if err := tx.Audit().AppendAudit(ctx, a, "delivery.closed", "delivery", fmt.Sprint(id), d.Code); err != nil {
			return err
		}
		if err := s.appendTrail(ctx, tx, a, d, Closed, s.now(), nil); err != nil {
			return err
		}
		dd := *d
		dd.Status = Closed
		return s.Notifier().notifyUnit(ctx, tx, d.RecipientUnitID, "delivery_closed", EventStateChanged, &dd,
			fmt.Sprintf("Báo cáo thực hiện văn bản %s đã được ghi nhận", d.Code), []model.Role{model.RoleClerk}, nil)
	})
	if err != nil {
		return nil, err
	}
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.deliveryView(ctx, newLookup(s.store.Q), a, d)
}

// Forward starts the recipient's own implementing directive to its lower
// units (see Implement) and marks the delivery forwarded.
func (s Deliveries) Forward(ctx context.Context, a model.Actor, id int64) (*View, error) {
	return s.Workflow().Implement(ctx, a, ImplementInput{DeliveryID: id})
}

// Assignees lists who a delivery may be assigned to: the active users and
// the sub-units of the recipient unit.
func (s Deliveries) Assignees(ctx context.Context, a model.Actor, id int64) ([]*model.User, []*model.Unit, error) {
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.mayHandle(ctx, s.store.Q, a, d, true); err != nil {
		return nil, nil, err
	}
	rec, err := s.store.Orgs().Unit(ctx, d.RecipientUnitID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.store.Accounts().Users(ctx, rec.Path)
	if err != nil {
		return nil, nil, err
	}
	users := all[:0]
	for _, u := range all {
		if u.Active {
			users = append(users, u)
		}
	}
	units, err := s.store.Orgs().Subtree(ctx, rec.Path)
	if err != nil {
		return nil, nil, err
	}
	return users, units, nil
}
