package directives

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/render"
	"github.com/loa-project/loa/internal/storage"
)

// Submit sends the author's draft to the approval steps. With no steps
// configured the draft is approved at once (and issued when the unit
// issues automatically).
func (s Workflow) Submit(ctx context.Context, a model.Actor, id int64, comment string) (*View, error) {
	comment, err := checkText("comment", comment, MaxComment)
	if err != nil {
		return nil, err
	}
	issued := false
	var d *model.Directive
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if d, err = tx.Directives().LockDirective(ctx, id); err != nil {
			return err
		}
		if err := s.Drafts().mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		if d.Status != StatusDraft {
			return fmt.Errorf("the directive is %s, not a draft; only a draft is submitted: %w", d.Status, model.ErrConflict)
		}
		if err := s.Drafts().editable(a, d); err != nil {
			return err
		}
		c, err := decodeContent(d)
		if err != nil {
			return err
		}
		if err := c.checkComplete(); err != nil {
			return err
		}
		agency, err := tx.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return err
		}
		rec, err := s.Drafts().resolveRecipients(ctx, tx.Q, agency, c, s.today())
		if err != nil {
			return err
		}
		if !hasMainRecipient(rec) {
			return model.Invalid("recipients", "the recipients resolve to no active unit; check the groups and units addressed")
		}
		settings, err := s.settings(ctx, tx.Q, d.UnitID)
		if err != nil {
			return err
		}
		if err := tx.Directives().InsertDirectiveComment(ctx, &model.DirectiveComment{DirectiveID: id, UserID: userPtr(a), Author: s.Drafts().authorName(ctx, tx.Q, a),
			Kind: "submit", Text: comment, At: s.now()}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "directive.submit", id, d.Subject); err != nil {
			return err
		}
		if len(settings.ApprovalSteps) > 0 {
			if err := tx.Directives().SetDirectiveStatus(ctx, id, StatusDraft, StatusSubmitted, 0, s.now()); err != nil {
				return err
			}
			return s.Notifier().notifyRole(ctx, tx, agency, model.RoleApprover, "approval_needed", id,
				fmt.Sprintf("Dự thảo chờ duyệt: %s", d.Subject))
		}
		if err := tx.Directives().SetDirectiveStatus(ctx, id, StatusDraft, StatusApproved, 0, s.now()); err != nil {
			return err
		}
		if settings.AutoIssue {
			d.Status = StatusApproved
			if _, err := s.issueTx(ctx, tx, a, d, IssueInput{}); err != nil {
				return err
			}
			issued = true
			return nil
		}
		return s.Notifier().notifyRole(ctx, tx, agency, model.RoleClerk, "issue_needed", id, fmt.Sprintf("Văn bản đã duyệt, chờ phát hành: %s", d.Subject))
	})
	if err != nil {
		return nil, err
	}
	if issued {
		s.signal()
	}
	return s.Drafts().Get(ctx, a, id)
}

func hasMainRecipient(rec []resolved) bool {
	for _, r := range rec {
		if r.role == RoleMain {
			return true
		}
	}
	return false
}

// mayApprove checks that the actor may approve the draft's current step:
// an approver of the issuing unit, not its author, the user the step
// names (if any), and on the last step the chosen signer (if any).
func (s Workflow) mayApprove(ctx context.Context, q storage.Q, a model.Actor, d *model.Directive, settings Settings) error {
	if d.Status != StatusSubmitted {
		return fmt.Errorf("the directive is %s; only a submitted draft is approved or returned: %w", d.Status, model.ErrConflict)
	}
	agency, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return err
	}
	if !s.policy.Can(a, authz.DirectiveApprove, agency.Path) {
		return fmt.Errorf("approving directives of %q needs the approver role there: %w", agency.Name, model.ErrForbidden)
	}
	if !a.IsSystem() && d.CreatedBy != nil && *d.CreatedBy == a.UserID {
		return fmt.Errorf("an author does not approve their own draft: %w", model.ErrForbidden)
	}
	if d.Step < len(settings.ApprovalSteps) {
		step := settings.ApprovalSteps[d.Step]
		if step.UserID != 0 && step.UserID != a.UserID && !a.IsSystem() {
			return fmt.Errorf("step %q is for another approver: %w", step.Label, model.ErrForbidden)
		}
	}
	if d.Step >= len(settings.ApprovalSteps)-1 {
		c, err := decodeContent(d)
		if err != nil {
			return err
		}
		if c.SignerUserID != 0 && c.SignerUserID != a.UserID && !a.IsSystem() {
			return fmt.Errorf("the last step is approved by the signer chosen in the draft: %w", model.ErrForbidden)
		}
	}
	return nil
}

// Approve passes the current approval step. After the last step the
// directive is approved (the approver is its signer unless the draft names
// one) and, when the unit is so configured, issued at once.
func (s Workflow) Approve(ctx context.Context, a model.Actor, id int64, comment string) (*View, error) {
	comment, err := checkText("comment", comment, MaxComment)
	if err != nil {
		return nil, err
	}
	issued := false
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Directives().LockDirective(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Drafts().mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		settings, err := s.settings(ctx, tx.Q, d.UnitID)
		if err != nil {
			return err
		}
		if err := s.mayApprove(ctx, tx.Q, a, d, settings); err != nil {
			return err
		}
		agency, err := tx.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return err
		}
		step := d.Step + 1
		if err := tx.Directives().InsertDirectiveComment(ctx, &model.DirectiveComment{DirectiveID: id, UserID: userPtr(a), Author: s.Drafts().authorName(ctx, tx.Q, a),
			Kind: "approve", Step: step, Text: comment, At: s.now()}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "directive.approve", id, fmt.Sprintf("step %d", step)); err != nil {
			return err
		}
		if step < len(settings.ApprovalSteps) {
			if err := tx.Directives().SetDirectiveStatus(ctx, id, StatusSubmitted, StatusSubmitted, step, s.now()); err != nil {
				return err
			}
			return s.Notifier().notifyRole(ctx, tx, agency, model.RoleApprover, "approval_needed", id, fmt.Sprintf("Dự thảo chờ duyệt (%s): %s", settings.ApprovalSteps[step].Label, d.Subject))
		}
		if err := tx.Directives().SetDirectiveStatus(ctx, id, StatusSubmitted, StatusApproved, step, s.now()); err != nil {
			return err
		}
		if settings.AutoIssue {
			d.Status = StatusApproved
			if _, err := s.issueTx(ctx, tx, a, d, IssueInput{}); err != nil {
				return err
			}
			issued = true
			return nil
		}
		if err := s.Notifier().notifyUser(ctx, tx, d, "approved", fmt.Sprintf("Dự thảo đã được duyệt: %s", d.Subject)); err != nil {
			return err
		}
		return s.Notifier().notifyRole(ctx, tx, agency, model.RoleClerk, "issue_needed", id, fmt.Sprintf("Văn bản đã duyệt, chờ phát hành: %s", d.Subject))
	})
	if err != nil {
		return nil, err
	}
	if issued {
		s.signal()
	}
	return s.Drafts().Get(ctx, a, id)
}

// Return sends a submitted draft back to its author with a comment.
func (s Workflow) Return(ctx context.Context, a model.Actor, id int64, comment string) (*View, error) {
	comment, err := checkText("comment", comment, MaxComment)
	if err != nil {
		return nil, err
	}
	if comment == "" {
		return nil, model.Invalid("comment", "say what the author should change")
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Directives().LockDirective(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Drafts().mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		settings, err := s.settings(ctx, tx.Q, d.UnitID)
		if err != nil {
			return err
		}
		if err := s.mayApprove(ctx, tx.Q, a, d, settings); err != nil {
			return err
		}
		if err := tx.Directives().InsertDirectiveComment(ctx, &model.DirectiveComment{DirectiveID: id, UserID: userPtr(a), Author: s.Drafts().authorName(ctx, tx.Q, a),
			Kind: "return", Step: d.Step, Text: comment, At: s.now()}); err != nil {
			return err
		}
		if err := tx.Directives().SetDirectiveStatus(ctx, id, StatusSubmitted, StatusDraft, 0, s.now()); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "directive.return", id, comment); err != nil {
			return err
		}
		return s.Notifier().notifyUser(ctx, tx, d, "returned", fmt.Sprintf("Dự thảo bị trả lại: %s — %s", d.Subject, comment))
	})
	if err != nil {
		return nil, err
	}
	return s.Drafts().Get(ctx, a, id)
}

// IssueInput is the clerk's choice when issuing.
type IssueInput struct {
	Date string `json:"date,omitempty"` // YYYY-MM-DD; default today
}

// Issue numbers an approved directive in the issuing unit's outgoing
// register, renders its PDF, stores it as the unit's outgoing document and
// writes one pending delivery per recipient unit, all in one transaction;
// the delivery workers then fill the recipients' inboxes.
func (s Workflow) Issue(ctx context.Context, a model.Actor, id int64, in IssueInput) (*View, error) {
	if err := checkDate("date", in.Date); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Directives().LockDirective(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Drafts().mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		agency, err := tx.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return err
		}
		if !s.policy.Can(a, authz.DirectiveIssue, agency.Path) {
			return fmt.Errorf("issuing directives of %q needs the clerk role there: %w", agency.Name, model.ErrForbidden)
		}
		switch d.Status {
		case StatusIssued:
			return fmt.Errorf("the directive was already issued as %s on %s; it is not issued twice: %w", d.Code, d.IssuedDate, model.ErrConflict)
		case StatusApproved:
		default:
			return fmt.Errorf("the directive is %s; it is issued after its approval: %w", d.Status, model.ErrConflict)
		}
		_, err = s.issueTx(ctx, tx, a, d, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.signal()
	return s.Drafts().Get(ctx, a, id)
}

// issueTx issues an approved directive inside the caller's transaction.
func (s Workflow) issueTx(ctx context.Context, tx *storage.Tx, a model.Actor, d *model.Directive, in IssueInput) (*registry.Issued, error) {
	c, err := decodeContent(d)
	if err != nil {
		return nil, err
	}
	if err := c.checkComplete(); err != nil {
		return nil, err
	}
	agency, err := tx.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	date := in.Date
	if date == "" {
		date = s.today()
	}
	rec, err := s.Drafts().resolveRecipients(ctx, tx.Q, agency, c, date)
	if err != nil {
		return nil, err
	}
	if !hasMainRecipient(rec) {
		return nil, model.Invalid("recipients", "the recipients resolve to no active unit on %s", date)
	}
	if err := s.fillSigner(ctx, tx.Q, d, &c); err != nil {
		return nil, err
	}
	if c.SignerUserID == 0 && c.SignerName == "" && a.UserID != 0 {
		// No approval step (a unit that issues on submission): the
		// person who issues it signs it.
		c.SignerUserID = a.UserID
		if err := s.fillSigner(ctx, tx.Q, d, &c); err != nil {
			return nil, err
		}
	}
	var labels []string
	for _, r := range c.Recipients {
		labels = append(labels, recipientLabel(ctx, tx.Q, r))
	}
	regActor := a
	if !s.policy.Can(a, authz.RegWrite, agency.Path) {
		// Issued automatically on approval: the unit's configuration numbers it.
		regActor = model.System("directives auto-issue")
	}
	draftingID := d.DraftingUnitID
	if draftingID == agency.ID {
		draftingID = 0
	}
	issued, err := s.registry.IssueTx(ctx, tx, regActor, registry.OutgoingInput{UnitID: agency.ID, DraftingUnitID: draftingID, DocType: c.DocType,
		Date: date, Subject: c.Subject, Signer: c.SignerName, Recipients: truncate(strings.Join(labels, "; "), 2000), Copies: len(rec),
		Notes: "Loa"})
	if err != nil {
		return nil, err
	}
	number := fmt.Sprintf("%02d", issued.Number)
	fields, err := s.Drafts().buildFields(ctx, tx.Q, d, c, number, issued.Notation, issued.Date)
	if err != nil {
		return nil, err
	}
	if err := CheckDecree30(&fields, issued.Date, s.today()); err != nil {
		return nil, err
	}
	var pdf bytes.Buffer
	if err := render.PDF(&pdf, fields, render.Options{CreationDate: s.now()}); err != nil {
		return nil, model.Invalid("content", "the document cannot be laid out: %v", err)
	}
	var text bytes.Buffer
	if err := render.Text(&text, fields); err != nil {
		return nil, model.Invalid("content", "the document cannot be laid out: %v", err)
	}
	info, err := s.blobs.Put(ctx, bytes.NewReader(pdf.Bytes()), int64(pdf.Len())+1)
	if err != nil {
		return nil, fmt.Errorf("store the PDF of %s: %w", issued.Code, err)
	}
	if err := tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, "application/pdf"); err != nil {
		return nil, err
	}
	doc := &model.Document{UnitID: agency.ID, Direction: model.Outgoing, Fields: fields, BodyText: text.String(), CreatedBy: userPtr(a),
		Original: &model.Original{SHA256: info.SHA256, Name: pdfName(issued.Code), ContentType: "application/pdf", Size: info.Size}}
	if err := tx.Documents().InsertDocument(ctx, doc); err != nil {
		return nil, err
	}
	if err := tx.Documents().ReplaceRefs(ctx, doc); err != nil {
		return nil, err
	}
	if err := tx.Documents().ResolvePending(ctx, doc); err != nil {
		return nil, err
	}
	if err := tx.Directives().LinkRegisterEntry(ctx, issued.Entry.ID, doc.ID); err != nil {
		return nil, err
	}
	items := make([]model.DirectiveItem, len(c.Items))
	for i, it := range c.Items {
		items[i] = model.DirectiveItem{DirectiveID: d.ID, Position: i + 1, Label: it.Label, Text: it.Text, Audio: "[]", Slots: "[]"}
		if b := it.Broadcast; b != nil {
			audio, err := encodeJSON(nonNil(b.Audio))
			if err != nil {
				return nil, err
			}
			slots, err := encodeJSON(b.Slots)
			if err != nil {
				return nil, err
			}
			if b.Slots == nil {
				slots = "[]"
			}
			text := b.Text
			if text == "" {
				text = it.Text
			}
			items[i] = model.DirectiveItem{DirectiveID: d.ID, Position: i + 1, Label: it.Label, Text: it.Text, Broadcast: true, BroadcastText: text,
				Audio: audio, Level: b.Level.String(), StartDate: b.StartDate, EndDate: b.EndDate, TimesPerDay: b.TimesPerDay, Slots: slots}
		}
	}
	if err := tx.Directives().InsertDirectiveItems(ctx, items); err != nil {
		return nil, err
	}
	if err := tx.Deliveries().InsertDirectiveWords(ctx, d.ID, searchWords(issued.Code+" "+c.DocType+" "+c.Subject)); err != nil {
		return nil, err
	}
	fieldsJSON, err := encodeJSON(fields)
	if err != nil {
		return nil, err
	}
	contentJSON, err := encodeJSON(c)
	if err != nil {
		return nil, err
	}
	if err := tx.Directives().MarkDirectiveIssued(ctx, d.ID, model.IssuedDirective{DocumentID: doc.ID, RegisterEntryID: issued.Entry.ID, PDFSHA: info.SHA256,
		Code: issued.Code, Date: issued.Date, By: userPtr(a), Fields: fieldsJSON, Content: contentJSON}, s.now()); err != nil {
		return nil, err
	}
	rows := make([]model.NewDelivery, len(rec))
	for i, r := range rec {
		rows[i] = model.NewDelivery{RecipientUnitID: r.unit.ID, Purpose: r.role}
	}
	if err := tx.Deliveries().InsertDeliveries(ctx, model.DeliveryHeader{DirectiveID: d.ID, SenderUnitID: agency.ID, Code: issued.Code, DocType: c.DocType,
		Subject: c.Subject, DocDate: issued.Date, DeadlineAt: d.DeadlineAt}, rows, s.now()); err != nil {
		return nil, err
	}
	if err := s.linkReportLetter(ctx, tx, a, d, c, issued.Code, issued.Date); err != nil {
		return nil, err
	}
	if err := tx.Directives().InsertDirectiveComment(ctx, &model.DirectiveComment{DirectiveID: d.ID, UserID: userPtr(a), Author: s.Drafts().authorName(ctx, tx.Q, a),
		Kind: "issue", Text: fmt.Sprintf("%s, %d recipients", issued.Code, len(rec)), At: s.now()}); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, tx, a, "directive.issue", d.ID, fmt.Sprintf("%s to %d units", issued.Code, len(rec))); err != nil {
		return nil, err
	}
	if err := s.Notifier().notifyUser(ctx, tx, d, "issued", fmt.Sprintf("Đã phát hành %s: %s", issued.Code, c.Subject)); err != nil {
		return nil, err
	}
	return issued, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// pdfName is the file name of an issued document: "570-STTTT-TTBCBC.pdf".
func pdfName(code string) string {
	return strings.NewReplacer("/", "-", " ", "_").Replace(code) + ".pdf"
}

// fillSigner completes the signer from the user who approved the last
// step (or the chosen signer).
func (s Workflow) fillSigner(ctx context.Context, q storage.Q, d *model.Directive, c *Content) error {
	uid := c.SignerUserID
	if uid == 0 {
		comments, err := q.Directives().DirectiveComments(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, cm := range comments {
			if cm.Kind == "approve" && cm.UserID != nil {
				uid = *cm.UserID
			}
		}
	}
	if uid == 0 {
		return nil
	}
	u, err := q.Accounts().User(ctx, uid)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		return err
	}
	c.SignerUserID = uid
	if c.SignerName == "" {
		c.SignerName = u.FullName
	}
	if c.SignerTitle == "" {
		// The title above the signer's name comes from the signer's
		// profile unless the draft gives it.
		c.SignerTitle = strings.ToUpper(u.Title)
	}
	return nil
}

// ImplementInput names what a new draft implements: a delivery in the
// actor's unit's inbox (forwarding it to lower units) or a stored
// incoming document.
type ImplementInput struct {
	DeliveryID int64 `json:"delivery_id,omitempty"`
	DocumentID int64 `json:"document_id,omitempty"`
}

// Implement starts a draft implementing an incoming document: its
// reference, subject and content items (with their broadcast fields),
// the deadline, and as recipients the units one level below, all
// pre-filled, and the link kept. Implementing a delivery marks it
// forwarded.
func (s Workflow) Implement(ctx context.Context, a model.Actor, in ImplementInput) (*View, error) {
	if (in.DeliveryID == 0) == (in.DocumentID == 0) {
		return nil, model.Invalid("delivery_id", "give either delivery_id or document_id")
	}
	if in.DocumentID != 0 {
		// A document received through Loa is implemented as its delivery.
		if del, err := s.store.Deliveries().DeliveryByDocument(ctx, in.DocumentID); err == nil {
			in = ImplementInput{DeliveryID: del.ID}
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, err
		}
	}
	var d *model.Directive
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		var del *model.Delivery
		var doc *model.Document
		var err error
		if in.DeliveryID != 0 {
			if del, err = tx.Deliveries().LockDelivery(ctx, in.DeliveryID); err != nil {
				return err
			}
			if err := s.Deliveries().mayHandle(ctx, tx.Q, a, del, true); err != nil {
				return err
			}
			if del.Status == Forwarded {
				if prev, err := tx.Directives().DirectiveByParentDelivery(ctx, del.ID); err == nil {
					return fmt.Errorf("this document was already forwarded: see directive %d: %w", prev.ID, model.ErrConflict)
				}
			}
			if !forwardable[del.Status] {
				return fmt.Errorf("a %s delivery cannot be forwarded: %w", del.Status, model.ErrConflict)
			}
			if del.DocumentID == nil {
				return fmt.Errorf("delivery %d has no document yet: %w", del.ID, model.ErrConflict)
			}
			if doc, err = tx.Documents().Document(ctx, *del.DocumentID); err != nil {
				return err
			}
		} else {
			if doc, err = tx.Documents().Document(ctx, in.DocumentID); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid("document_id", "document %d does not exist", in.DocumentID)
				}
				return err
			}
			du, err := tx.Orgs().Unit(ctx, doc.UnitID)
			if err != nil {
				return err
			}
			if !s.policy.Can(a, authz.DocRead, du.Path) {
				return fmt.Errorf("document %d belongs to %q: %w", doc.ID, du.Name, model.ErrForbidden)
			}
		}
		c, err := s.prefill(ctx, tx.Q, a, doc, del)
		if err != nil {
			return err
		}
		docID := doc.ID
		unitID := int64(0)
		if del != nil {
			unitID = del.RecipientUnitID
		}
		d, err = s.Drafts().createTx(ctx, tx, a, unitID, c, func(nd *model.Directive) {
			nd.ImplementsDocumentID = &docID
			if del != nil {
				pid := del.ID
				nd.ParentDeliveryID = &pid
			}
		})
		if err != nil {
			return err
		}
		if del != nil {
			dirID := d.ID
			if err := tx.Deliveries().ChangeDelivery(ctx, del.ID, []string{Delivered, Read, Acknowledged, Assigned}, model.DeliveryChange{Status: Forwarded,
				At: s.now(), By: userPtr(a), ForwardDirectiveID: &dirID, Late: del.DeadlineAt != nil && s.now().After(*del.DeadlineAt)}); err != nil {
				return err
			}
			if err := s.appendTrail(ctx, tx, a, del, Forwarded, s.now(), nil); err != nil {
				return err
			}
			if err := s.Notifier().notifyIssuer(ctx, tx, del, Forwarded); err != nil {
				return err
			}
		}
		return tx.Directives().InsertDirectiveComment(ctx, &model.DirectiveComment{DirectiveID: d.ID, UserID: userPtr(a), Author: s.Drafts().authorName(ctx, tx.Q, a),
			Kind: "implement", Text: "Thực hiện " + doc.Code(), At: s.now()})
	})
	if err != nil {
		return nil, err
	}
	return s.Drafts().view(ctx, a, d)
}

var forwardable = map[string]bool{Delivered: true, Read: true, Acknowledged: true, Assigned: true}

// prefill builds the content of a draft implementing doc (received
// through del when not nil).
func (s Workflow) prefill(ctx context.Context, q storage.Q, a model.Actor, doc *model.Document, del *model.Delivery) (Content, error) {
	f := doc.Fields
	issuerName := docmodel.Val(f.Issuer)
	var parent *Content
	if del != nil {
		if sender, err := q.Orgs().Unit(ctx, del.SenderUnitID); err == nil {
			issuerName = sender.Name
		}
		pd, err := q.Directives().Directive(ctx, del.DirectiveID)
		if err != nil {
			return Content{}, err
		}
		pc, err := decodeContent(pd)
		if err != nil {
			return Content{}, err
		}
		parent = &pc
	}
	docType := docmodel.Val(f.DocType)
	if docType == "" {
		docType = "Công văn"
	}
	code := doc.Code()
	date := docmodel.Val(f.Date)
	cite := strings.TrimSpace(fmt.Sprintf("%s số %s", docType, code))
	if date != "" {
		cite += " ngày " + shortDate(date)
	}
	if issuerName != "" {
		cite += " của " + issuerName
	}
	subject := docmodel.Val(f.Subject)
	c := Content{DocType: "Công văn", Subject: subject}
	c.Intro = "Thực hiện " + cite
	if subject != "" {
		c.Intro += " về việc " + lowerFirst(strings.TrimRight(subject, ".")) + "."
	} else {
		c.Intro += "."
	}
	c.References = []docmodel.Reference{{DocType: docmodel.Str(docType), Number: f.Number, Notation: f.Notation, Date: f.Date,
		Issuer: docmodel.Str(issuerName), Text: cite}}
	if parent != nil {
		c.Items = append(c.Items, parent.Items...)
		c.Deadline = parent.Deadline
		c.Urgency = parent.Urgency
		c.Attachments = itemAudio(*parent)
	} else {
		for _, it := range f.Items {
			c.Items = append(c.Items, Item{Label: it.Label, Text: it.Text})
		}
	}
	// Recipients: the units one level below the implementing agency.
	unitID := a.UnitID
	if del != nil {
		unitID = del.RecipientUnitID
	}
	if unitID != 0 {
		me, err := q.Orgs().Unit(ctx, unitID)
		if err != nil {
			return Content{}, err
		}
		agency, err := agencyOf(ctx, q, me)
		if err != nil {
			return Content{}, err
		}
		lower, err := s.lowerUnits(ctx, q, agency)
		if err != nil {
			return Content{}, err
		}
		for _, u := range lower {
			c.Recipients = append(c.Recipients, Recipient{UnitID: u.ID, Role: RoleMain})
		}
	}
	c.Normalize()
	return c, nil
}

// itemAudio is the audio the items of a received directive carry (by
// blob hash), as attachments of the implementing draft: the audio goes
// down with its items, and the draft's editor lists it. Names and types
// come from the parent's attachments.
func itemAudio(parent Content) []Attachment {
	var out []Attachment
	seen := map[string]bool{}
	for _, it := range parent.Items {
		if it.Broadcast == nil {
			continue
		}
		for _, sha := range it.Broadcast.Audio {
			if seen[sha] {
				continue
			}
			seen[sha] = true
			at := Attachment{Kind: "audio", SHA256: sha, Name: "audio-" + sha[:min(12, len(sha))], ContentType: "audio/wav"}
			for _, pa := range parent.Attachments {
				if pa.SHA256 == sha {
					at.Name, at.ContentType, at.Size = pa.Name, pa.ContentType, pa.Size
					break
				}
			}
			out = append(out, at)
		}
	}
	return out
}

// lowerUnits are the active direct children of a unit whose kind is of a
// lower tier (a district's communes, not its own culture centre).
func (s Workflow) lowerUnits(ctx context.Context, q storage.Q, u *model.Unit) ([]*model.Unit, error) {
	kinds, err := q.Orgs().UnitKinds(ctx)
	if err != nil {
		return nil, err
	}
	level := map[string]int{}
	for _, k := range kinds {
		level[k.Code] = k.Level
	}
	below, err := q.Orgs().Subtree(ctx, u.Path)
	if err != nil {
		return nil, err
	}
	var out []*model.Unit
	for _, c := range below {
		if c.ParentID != nil && *c.ParentID == u.ID && level[c.Kind] > level[u.Kind] && c.Active(s.today()) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Correct starts a new draft that replaces (thay thế) or corrects (đính
// chính) an issued directive: a copy of its content citing it. The issued
// directive itself never changes.
func (s Workflow) Correct(ctx context.Context, a model.Actor, id int64, kind string) (*View, error) {
	if kind != Replaces && kind != Corrects {
		return nil, model.Invalid("kind", "%q: use %q (replaces) or %q (corrects)", kind, Replaces, Corrects)
	}
	var d *model.Directive
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		old, err := tx.Directives().Directive(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Drafts().mustView(ctx, tx.Q, a, old); err != nil {
			return err
		}
		if old.Status != StatusIssued {
			return fmt.Errorf("only an issued directive is replaced or corrected; edit the draft instead: %w", model.ErrConflict)
		}
		c, err := decodeContent(old)
		if err != nil {
			return err
		}
		var f docmodel.Fields
		if err := jsonUnmarshal(old.Fields, &f); err != nil {
			return fmt.Errorf("decode fields of directive %d: %w", id, err)
		}
		cite := fmt.Sprintf("%s số %s ngày %s", c.DocType, old.Code, shortDate(old.IssuedDate))
		ref := docmodel.Reference{DocType: docmodel.Str(c.DocType), Number: f.Number, Notation: f.Notation, Date: f.Date, Issuer: f.Issuer, Text: cite}
		c.References = append([]docmodel.Reference{ref}, c.References...)
		if kind == Replaces {
			c.Closing = strings.TrimSpace("Văn bản này thay thế " + cite + "./. " + c.Closing)
		} else {
			c.Subject = "Đính chính " + cite
			c.Intro = "Đính chính " + cite + " như sau:"
		}
		c.SignerUserID, c.SignerName, c.SignerTitle = 0, "", ""
		oid := old.ID
		d, err = s.Drafts().createTx(ctx, tx, a, old.UnitID, c, func(nd *model.Directive) {
			nd.CorrectionOf, nd.CorrectionKind = &oid, kind
			nd.ImplementsDocumentID = old.ImplementsDocumentID
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Drafts().view(ctx, a, d)
}

// Preview renders the current content of a directive in the official
// layout: HTML (a fragment), PDF or text; drafts carry the "DỰ THẢO"
// watermark and no number.
func (s Workflow) Preview(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error) {
	v, err := s.Drafts().Get(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	var f docmodel.Fields
	if v.Fields != nil {
		f = *v.Fields
	} else {
		c := v.Content
		if err := s.fillSigner(ctx, s.store.Q, v.Directive, &c); err != nil {
			return nil, "", err
		}
		if f, err = s.Drafts().buildFields(ctx, s.store.Q, v.Directive, c, "", s.previewNotation(ctx, v.Directive), ""); err != nil {
			return nil, "", err
		}
	}
	opt := render.Options{Draft: v.Status != StatusIssued, CreationDate: time.Unix(0, 0)}
	if v.IssuedAt != nil {
		opt.CreationDate = *v.IssuedAt
	}
	var buf bytes.Buffer
	switch format {
	case "", "html":
		err = render.HTML(&buf, f, opt)
		format = "text/html; charset=utf-8"
	case "pdf":
		if v.Status == StatusIssued {
			f, _, err := s.blobs.Open(ctx, v.PDFSHA)
			if err != nil {
				return nil, "", fmt.Errorf("PDF of %s: %w", v.Code, err)
			}
			defer f.Close()
			if _, err := buf.ReadFrom(f); err != nil {
				return nil, "", fmt.Errorf("read PDF of %s: %w", v.Code, err)
			}
			return buf.Bytes(), "application/pdf", nil
		}
		err = render.PDF(&buf, f, opt)
		format = "application/pdf"
	case "text":
		err = render.Text(&buf, f)
		format = "text/plain; charset=utf-8"
	default:
		return nil, "", model.Invalid("format", "%q: use html, pdf or text", format)
	}
	if err != nil {
		return nil, "", model.Invalid("content", "the draft cannot be laid out yet: %v", err)
	}
	return buf.Bytes(), format, nil
}

// previewNotation is the notation the draft will get (its number comes
// on issue).
func (s Workflow) previewNotation(ctx context.Context, d *model.Directive) string {
	agency, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return ""
	}
	unitAbbr := ""
	if d.DraftingUnitID != d.UnitID {
		if du, err := s.store.Orgs().Unit(ctx, d.DraftingUnitID); err == nil {
			unitAbbr = du.Abbreviation
		}
	}
	letter, other, err := s.store.Registers().RegisterSettings(ctx, agency.ID)
	if err != nil {
		return ""
	}
	typeAbbr, has := registry.TypeAbbreviation(d.DocType)
	pattern := other
	if !has {
		pattern = letter
		if pattern == "" {
			pattern = registry.DefaultLetterPattern
		}
	} else if pattern == "" {
		pattern = registry.DefaultOtherPattern
	}
	return registry.Notation(pattern, typeAbbr, agency.Abbreviation, unitAbbr)
}
