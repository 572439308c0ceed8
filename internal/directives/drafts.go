package directives

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// MaxUpload is the largest attachment (audio, documents) accepted.
const MaxUpload = 50 << 20

// ErrTooLarge is returned for uploads over MaxUpload.
var ErrTooLarge = errors.New("file too large")

// View is a directive as the actor sees it, with what the actor may do.
type View struct {
	*model.Directive
	Content          Content          `json:"content"`
	Fields           *docmodel.Fields `json:"fields,omitempty"` // as issued
	UnitName         string           `json:"unit_name"`
	DraftingUnitName string           `json:"drafting_unit_name"`
	Steps            []ApprovalStep   `json:"approval_steps"`
	Can              Permissions      `json:"can"`
}

// Permissions say what the actor may do with a directive now.
type Permissions struct {
	Edit    bool `json:"edit"`
	Submit  bool `json:"submit"`
	Approve bool `json:"approve"`
	Return  bool `json:"return"`
	Issue   bool `json:"issue"`
	Comment bool `json:"comment"`
	Track   bool `json:"track"`
	Correct bool `json:"correct"`
}

// Detail is a directive with its history.
type Detail struct {
	*View
	Versions       []model.DirectiveVersion `json:"versions"`
	Comments       []model.DirectiveComment `json:"comments"`
	Implements     *model.Citation          `json:"implements,omitempty"`      // the incoming document it implements
	ParentDelivery *model.Delivery          `json:"parent_delivery,omitempty"` // the delivery it forwards
	Corrections    []*model.Directive       `json:"corrections,omitempty"`     // documents replacing or correcting it
}

// CreateInput starts a draft.
type CreateInput struct {
	// UnitID is the issuing agency; default the drafter's agency (the
	// drafter's unit, or its parent when that is a department).
	UnitID  int64   `json:"unit_id,omitempty"`
	Content Content `json:"content"`
}

// Create starts a draft from scratch.
func (s Drafts) Create(ctx context.Context, a model.Actor, in CreateInput) (*View, error) {
	var d *model.Directive
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = s.createTx(ctx, tx, a, in.UnitID, in.Content, func(*model.Directive) {})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.view(ctx, a, d)
}

// createTx checks the actor may draft for the agency and stores a draft;
// prepare fills the links (implemented document, parent delivery).
func (s Drafts) createTx(ctx context.Context, tx *storage.Tx, a model.Actor, unitID int64, c Content, prepare func(*model.Directive)) (*model.Directive, error) {
	if a.UnitID == 0 && !a.IsSystem() {
		return nil, fmt.Errorf("drafting needs a user of a unit: %w", model.ErrForbidden)
	}
	drafting, agency, err := s.draftingUnits(ctx, tx.Q, a, unitID)
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := s.checkReferences(ctx, tx.Q, a, agency, drafting, &c); err != nil {
		return nil, err
	}
	body, err := encodeJSON(c)
	if err != nil {
		return nil, err
	}
	d := &model.Directive{UnitID: agency.ID, DraftingUnitID: drafting.ID, CreatedBy: userPtr(a), Status: StatusDraft, Content: body,
		DocType: c.DocType, Subject: c.Subject, DeadlineAt: s.deadlineAt(c.Deadline)}
	prepare(d)
	if err := tx.Directives().InsertDirective(ctx, d, s.now(), "created"); err != nil {
		return nil, err
	}
	return d, s.audit(ctx, tx, a, "directive.create", d.ID, c.Subject)
}

// draftingUnits finds the drafting unit (the actor's) and the issuing
// agency, and checks the actor may draft there.
func (s Drafts) draftingUnits(ctx context.Context, q storage.Q, a model.Actor, unitID int64) (drafting, agency *model.Unit, err error) {
	draftingID := a.UnitID
	if a.IsSystem() && draftingID == 0 {
		draftingID = unitID
	}
	if draftingID == 0 {
		return nil, nil, model.Invalid("unit_id", "give the issuing unit")
	}
	if drafting, err = unitOr(ctx, q, draftingID, "unit_id"); err != nil {
		return nil, nil, err
	}
	if !s.policy.Can(a, authz.DirectiveDraft, drafting.Path) {
		return nil, nil, fmt.Errorf("drafting directives in %q needs the drafter role there: %w", drafting.Name, model.ErrForbidden)
	}
	if unitID == 0 {
		agency, err = agencyOf(ctx, q, drafting)
		return drafting, agency, err
	}
	if agency, err = unitOr(ctx, q, unitID, "unit_id"); err != nil {
		return nil, nil, err
	}
	if !strings.HasPrefix(drafting.Path, agency.Path) {
		return nil, nil, model.Invalid("unit_id", "%q can only draft for itself or a unit it belongs to, not for %q", drafting.Name, agency.Name)
	}
	return drafting, agency, nil
}

// checkReferences verifies that what the content points at exists and may
// be used: recipient units and groups, attached documents and files, the
// signer.
func (s Drafts) checkReferences(ctx context.Context, q storage.Q, a model.Actor, agency, drafting *model.Unit, c *Content) error {
	for i, r := range c.Recipients {
		field := fmt.Sprintf("recipients[%d]", i)
		switch {
		case r.UnitID != 0:
			u, err := unitOr(ctx, q, r.UnitID, field+".unit_id")
			if err != nil {
				return err
			}
			if u.ID == agency.ID {
				return model.Invalid(field+".unit_id", "a unit does not send a directive to itself; the archive copy is the \"Lưu\" list")
			}
			if u.DissolvedOn != "" && u.DissolvedOn <= s.today() {
				return model.Invalid(field+".unit_id", "%q was dissolved on %s; address its successor", u.Name, u.DissolvedOn)
			}
		case r.GroupID != 0:
			g, err := q.Orgs().Group(ctx, r.GroupID)
			if err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid(field+".group_id", "recipient group %d does not exist", r.GroupID)
				}
				return err
			}
			if g.OwnerUnitID != agency.ID && g.OwnerUnitID != drafting.ID {
				return model.Invalid(field+".group_id", "group %q belongs to another unit; use a group of %q", g.Name, agency.Name)
			}
		case r.SubtreeOf != 0:
			if _, err := unitOr(ctx, q, r.SubtreeOf, field+".subtree_of"); err != nil {
				return err
			}
			if len(r.Kinds) > 0 {
				kinds, err := q.Orgs().UnitKinds(ctx)
				if err != nil {
					return err
				}
				for _, k := range r.Kinds {
					if !slices.ContainsFunc(kinds, func(x model.UnitKind) bool { return x.Code == k }) {
						return model.Invalid(field+".kinds", "unknown unit kind %q", k)
					}
				}
			}
		}
	}
	for i := range c.Attachments {
		at := &c.Attachments[i]
		field := fmt.Sprintf("attachments[%d]", i)
		if at.Kind == "document" {
			doc, err := q.Documents().Document(ctx, at.DocumentID)
			if err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid(field+".document_id", "document %d does not exist", at.DocumentID)
				}
				return err
			}
			du, err := q.Orgs().Unit(ctx, doc.UnitID)
			if err != nil {
				return err
			}
			if doc.UnitID != agency.ID && doc.UnitID != drafting.ID && !s.policy.Can(a, authz.DocRead, du.Path) {
				return model.Invalid(field+".document_id", "document %d belongs to another unit", at.DocumentID)
			}
			if at.Name == "" {
				at.Name = strings.TrimSpace(doc.Code() + " " + docmodel.Val(doc.Fields.Subject))
			}
			if doc.Original != nil {
				at.SHA256, at.ContentType, at.Size = doc.Original.SHA256, doc.Original.ContentType, doc.Original.Size
			}
			continue
		}
		if err := blobExists(ctx, q, at.SHA256, field+".sha256"); err != nil {
			return err
		}
	}
	for i, it := range c.Items {
		if it.Broadcast == nil {
			continue
		}
		for j, sha := range it.Broadcast.Audio {
			if err := blobExists(ctx, q, sha, fmt.Sprintf("items[%d].broadcast.audio[%d]", i, j)); err != nil {
				return err
			}
		}
	}
	if c.SignerUserID != 0 {
		u, err := q.Accounts().User(ctx, c.SignerUserID)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalid("signer_user_id", "user %d does not exist", c.SignerUserID)
			}
			return err
		}
		if u.UnitID != agency.ID || !u.HasRole(model.RoleApprover) || !u.Active {
			return model.Invalid("signer_user_id", "%s cannot sign for %q: the signer must be an active approver of the unit", u.FullName, agency.Name)
		}
	}
	return nil
}

func blobExists(ctx context.Context, q storage.Q, sha, field string) error {
	ok, err := q.Documents().BlobExists(ctx, sha)
	if err != nil {
		return err
	}
	if !ok {
		return model.Invalid(field, "no uploaded file has sha256 %s; upload it first", sha)
	}
	return nil
}

// SaveInput is an edit of a draft.
type SaveInput struct {
	BaseVersion int     `json:"base_version"`
	Content     Content `json:"content"`
	Autosave    bool    `json:"autosave"`
	Note        string  `json:"note,omitempty"`
}

// Save stores edited content as the next version. Only the author edits a
// draft, and only while it is a draft (not submitted, not issued).
func (s Drafts) Save(ctx context.Context, a model.Actor, id int64, in SaveInput) (*View, error) {
	if in.BaseVersion <= 0 {
		return nil, model.Invalid("base_version", "give the version you edited")
	}
	note, err := checkLine("note", in.Note)
	if err != nil {
		return nil, err
	}
	var d *model.Directive
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if d, err = tx.Directives().LockDirective(ctx, id); err != nil {
			return err
		}
		if err := s.mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		if err := s.editable(a, d); err != nil {
			return err
		}
		agency, err := tx.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return err
		}
		drafting, err := tx.Orgs().Unit(ctx, d.DraftingUnitID)
		if err != nil {
			return err
		}
		c := in.Content
		if err := c.validate(); err != nil {
			return err
		}
		if err := s.checkReferences(ctx, tx.Q, a, agency, drafting, &c); err != nil {
			return err
		}
		body, err := encodeJSON(c)
		if err != nil {
			return err
		}
		if _, err := tx.Directives().SaveDirectiveContent(ctx, id, in.BaseVersion, body, c.DocType, c.Subject, s.deadlineAt(c.Deadline), userPtr(a), s.now(), note, in.Autosave); err != nil {
			return err
		}
		if !in.Autosave {
			if err := s.audit(ctx, tx, a, "directive.save", id, fmt.Sprintf("version %d", in.BaseVersion+1)); err != nil {
				return err
			}
		}
		d, err = tx.Directives().Directive(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.view(ctx, a, d)
}

// editable: a draft (not submitted, approved or issued) edited by its author.
func (s Drafts) editable(a model.Actor, d *model.Directive) error {
	switch d.Status {
	case StatusIssued:
		return fmt.Errorf("directive %s is issued and can no longer change; issue a correction (thay thế or đính chính) instead: %w", d.Code, model.ErrConflict)
	case StatusSubmitted, StatusApproved:
		return fmt.Errorf("the draft is %s; it can be edited again when an approver returns it: %w", d.Status, model.ErrConflict)
	}
	if !a.IsSystem() && (d.CreatedBy == nil || *d.CreatedBy != a.UserID) {
		return fmt.Errorf("only the author edits a draft; add a comment instead: %w", model.ErrForbidden)
	}
	return nil
}

// canView reports whether the actor is a party to the directive: its
// author, someone who took part (commented, approved, returned), the
// approvers while it waits for approval, the clerks and approvers once
// approved, and once issued anyone who may read the issuing unit's
// directives plus the units it was delivered to.
func (s Drafts) canView(ctx context.Context, q storage.Q, a model.Actor, d *model.Directive) (bool, error) {
	if a.IsSystem() || (d.CreatedBy != nil && *d.CreatedBy == a.UserID && a.UserID != 0) {
		return true, nil
	}
	agency, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return false, err
	}
	switch d.Status {
	case StatusSubmitted:
		if s.policy.Can(a, authz.DirectiveApprove, agency.Path) {
			return true, nil
		}
	case StatusApproved:
		if s.policy.Can(a, authz.DirectiveIssue, agency.Path) || s.policy.Can(a, authz.DirectiveApprove, agency.Path) {
			return true, nil
		}
	case StatusIssued:
		if s.policy.Can(a, authz.DirectiveRead, agency.Path) {
			return true, nil
		}
		if d.DraftingUnitID != d.UnitID {
			if du, err := q.Orgs().Unit(ctx, d.DraftingUnitID); err == nil && s.policy.Can(a, authz.DirectiveRead, du.Path) {
				return true, nil
			}
		}
		if a.UnitID != 0 {
			if _, err := q.Deliveries().DeliveryOf(ctx, d.ID, a.UnitID); err == nil {
				return true, nil
			} else if !errors.Is(err, model.ErrNotFound) {
				return false, err
			}
		}
	}
	if a.UserID == 0 {
		return false, nil
	}
	parts, err := q.Directives().DirectiveParticipants(ctx, d.ID)
	if err != nil {
		return false, err
	}
	return slices.Contains(parts, a.UserID), nil
}

func (s Drafts) mustView(ctx context.Context, q storage.Q, a model.Actor, d *model.Directive) error {
	ok, err := s.canView(ctx, q, a, d)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("directive %d is not yours to see (a draft is visible to its author and the people working on it): %w", d.ID, model.ErrForbidden)
	}
	return nil
}

// view builds the actor's view of a directive.
func (s Drafts) view(ctx context.Context, a model.Actor, d *model.Directive) (*View, error) {
	c, err := decodeContent(d)
	if err != nil {
		return nil, err
	}
	v := &View{Directive: d, Content: c}
	if d.Fields != "" {
		var f docmodel.Fields
		if err := jsonUnmarshal(d.Fields, &f); err != nil {
			return nil, fmt.Errorf("decode fields of directive %d: %w", d.ID, err)
		}
		f.Normalize()
		v.Fields = &f
	}
	agency, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	v.UnitName = agency.Name
	if du, err := s.store.Orgs().Unit(ctx, d.DraftingUnitID); err == nil {
		v.DraftingUnitName = du.Name
	}
	settings, err := s.settings(ctx, s.store.Q, d.UnitID)
	if err != nil {
		return nil, err
	}
	v.Steps = settings.ApprovalSteps
	author := d.CreatedBy != nil && *d.CreatedBy == a.UserID && a.UserID != 0
	switch d.Status {
	case StatusDraft:
		v.Can.Edit, v.Can.Submit = author, author
	case StatusSubmitted:
		if err := s.Workflow().mayApprove(ctx, s.store.Q, a, d, settings); err == nil {
			v.Can.Approve, v.Can.Return = true, true
		}
	case StatusApproved:
		v.Can.Issue = s.policy.Can(a, authz.DirectiveIssue, agency.Path)
	case StatusIssued:
		v.Can.Track = author || s.policy.Can(a, authz.DirectiveTrack, agency.Path)
		v.Can.Correct = s.policy.Can(a, authz.DirectiveDraft, agency.Path) || (author && a.UnitID == d.DraftingUnitID)
	}
	v.Can.Comment = d.Status != StatusIssued && a.UserID != 0
	return v, nil
}

// Get returns a directive the actor is party to.
func (s Drafts) Get(ctx context.Context, a model.Actor, id int64) (*View, error) {
	d, err := s.store.Directives().Directive(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mustView(ctx, s.store.Q, a, d); err != nil {
		return nil, err
	}
	return s.view(ctx, a, d)
}

// Detail returns a directive with its versions, comments and links.
func (s Drafts) Detail(ctx context.Context, a model.Actor, id int64) (*Detail, error) {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &Detail{View: v}
	if out.Versions, err = s.store.Directives().DirectiveVersions(ctx, id); err != nil {
		return nil, err
	}
	if out.Comments, err = s.store.Directives().DirectiveComments(ctx, id); err != nil {
		return nil, err
	}
	if v.ImplementsDocumentID != nil {
		if doc, err := s.store.Documents().Document(ctx, *v.ImplementsDocumentID); err == nil {
			out.Implements = &model.Citation{DocumentID: doc.ID, Code: doc.Code(), Subject: docmodel.Val(doc.Fields.Subject),
				DocType: docmodel.Val(doc.Fields.DocType), Date: docmodel.Val(doc.Fields.Date)}
		}
	}
	if v.ParentDeliveryID != nil {
		if pd, err := s.store.Deliveries().Delivery(ctx, *v.ParentDeliveryID); err == nil {
			out.ParentDelivery = pd
		}
	}
	if v.Status == StatusIssued {
		if out.Corrections, err = s.store.Directives().DirectiveCorrections(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Version returns the content of one saved version.
func (s Drafts) Version(ctx context.Context, a model.Actor, id int64, version int) (*Content, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	v, err := s.store.Directives().DirectiveVersionContent(ctx, id, version)
	if err != nil {
		return nil, err
	}
	var c Content
	if err := jsonUnmarshal(v.Content, &c); err != nil {
		return nil, fmt.Errorf("decode version %d of directive %d: %w", version, id, err)
	}
	c.Normalize()
	return &c, nil
}

// ListFilter selects directives for List.
type ListFilter struct {
	Box      string // mine (my drafts), approve (waiting for me), issue (waiting for the clerk), issued (the unit's)
	BeforeID int64
	Limit    int
}

// List returns the directives in one of the actor's boxes.
func (s Drafts) List(ctx context.Context, a model.Actor, f ListFilter) ([]*View, error) {
	if a.UnitID == 0 {
		return nil, fmt.Errorf("listing directives needs a user of a unit: %w", model.ErrForbidden)
	}
	me, err := s.store.Orgs().Unit(ctx, a.UnitID)
	if err != nil {
		return nil, err
	}
	agency, err := agencyOf(ctx, s.store.Q, me)
	if err != nil {
		return nil, err
	}
	sf := model.DirectiveFilter{BeforeID: f.BeforeID, Limit: f.Limit}
	switch f.Box {
	case "", "mine":
		sf.CreatedBy = a.UserID
		sf.Statuses = []string{StatusDraft, StatusSubmitted, StatusApproved}
	case "approve":
		sf.UnitIDs, sf.Statuses = []int64{agency.ID}, []string{StatusSubmitted}
	case "issue":
		sf.UnitIDs, sf.Statuses = []int64{agency.ID}, []string{StatusApproved}
	case "issued":
		sf.UnitIDs, sf.Statuses = []int64{agency.ID}, []string{StatusIssued}
	default:
		return nil, model.Invalid("box", "%q: use mine, approve, issue or issued", f.Box)
	}
	list, err := s.store.Directives().ListDirectives(ctx, sf)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(list))
	for _, d := range list {
		ok, err := s.canView(ctx, s.store.Q, a, d)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		v, err := s.view(ctx, a, d)
		if err != nil {
			return nil, err
		}
		if f.Box == "approve" && !v.Can.Approve {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// Comment adds a comment to a directive the actor is party to.
func (s Drafts) Comment(ctx context.Context, a model.Actor, id int64, text string) (*model.DirectiveComment, error) {
	text, err := checkText("text", text, MaxComment)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, model.Invalid("text", "write the comment")
	}
	if a.UserID == 0 {
		return nil, fmt.Errorf("commenting needs a signed-in user: %w", model.ErrForbidden)
	}
	var c *model.DirectiveComment
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Directives().LockDirective(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mustView(ctx, tx.Q, a, d); err != nil {
			return err
		}
		if d.Status == StatusIssued {
			return fmt.Errorf("directive %s is issued; comments are closed: %w", d.Code, model.ErrConflict)
		}
		c = &model.DirectiveComment{DirectiveID: id, UserID: userPtr(a), Author: s.authorName(ctx, tx.Q, a), Kind: "comment", Step: d.Step, Text: text, At: s.now()}
		return tx.Directives().InsertDirectiveComment(ctx, c)
	})
	return c, err
}

func (s Drafts) authorName(ctx context.Context, q storage.Q, a model.Actor) string {
	if a.UserID != 0 {
		if u, err := q.Accounts().User(ctx, a.UserID); err == nil && u.FullName != "" {
			return u.FullName
		}
	}
	return a.Username
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._ ()-]+`)

// cleanName makes an uploaded file name safe to show and to send back in
// a Content-Disposition header.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	name = unsafeName.ReplaceAllString(name, "_")
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

// storeUpload puts an uploaded file in the blob store and records it.
func (s Drafts) storeUpload(ctx context.Context, name, contentType string, r io.Reader) (Attachment, error) {
	name = cleanName(name)
	info, err := s.blobs.Put(ctx, r, MaxUpload)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.Is(err, blob.ErrTooLarge) || errors.As(err, &mbe) {
			return Attachment{}, fmt.Errorf("%s is larger than %d MiB: %w", name, MaxUpload>>20, ErrTooLarge)
		}
		return Attachment{}, fmt.Errorf("store %s: %w", name, err)
	}
	if info.Size == 0 {
		return Attachment{}, model.Invalid("file", "%s is empty", name)
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		contentType = mt
	} else {
		contentType = ""
	}
	if contentType == "" || contentType == "application/octet-stream" {
		if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
			contentType, _, _ = mime.ParseMediaType(t)
		} else {
			contentType = "application/octet-stream"
		}
	}
	kind := "file"
	if strings.HasPrefix(contentType, "audio/") {
		kind = "audio"
	}
	if err := s.store.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, contentType) }); err != nil {
		return Attachment{}, err
	}
	return Attachment{Kind: kind, SHA256: info.SHA256, Name: name, ContentType: contentType, Size: info.Size}, nil
}

// Upload stores a file and attaches it to a draft (a new version); audio
// files can then be named in broadcast items by their sha256.
func (s Drafts) Upload(ctx context.Context, a model.Actor, id int64, name, contentType string, r io.Reader) (*Attachment, error) {
	d, err := s.store.Directives().Directive(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mustView(ctx, s.store.Q, a, d); err != nil {
		return nil, err
	}
	if err := s.editable(a, d); err != nil {
		return nil, err
	}
	att, err := s.storeUpload(ctx, name, contentType, r)
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Directives().LockDirective(ctx, id)
		if err != nil {
			return err
		}
		if err := s.editable(a, d); err != nil {
			return err
		}
		c, err := decodeContent(d)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(c.Attachments, func(x Attachment) bool { return x.SHA256 == att.SHA256 }) {
			return nil
		}
		if len(c.Attachments) >= MaxAttachments {
			return model.Invalid("attachments", "at most %d attachments", MaxAttachments)
		}
		c.Attachments = append(c.Attachments, att)
		body, err := encodeJSON(c)
		if err != nil {
			return err
		}
		_, err = tx.Directives().SaveDirectiveContent(ctx, id, d.Version, body, c.DocType, c.Subject, d.DeadlineAt, userPtr(a), s.now(), "attached "+att.Name, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &att, nil
}

// OpenAttachment opens a file attached to a directive or to a report on
// one of its deliveries, for a party of the directive.
func (s Drafts) OpenAttachment(ctx context.Context, a model.Actor, id int64, sha string) (*Attachment, io.ReadSeekCloser, error) {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	var found *Attachment
	for i := range v.Content.Attachments {
		if v.Content.Attachments[i].SHA256 == sha {
			found = &v.Content.Attachments[i]
		}
	}
	for _, it := range v.Content.Items {
		if it.Broadcast != nil && slices.Contains(it.Broadcast.Audio, sha) && found == nil {
			found = &Attachment{Kind: "audio", SHA256: sha, Name: sha[:12] + ".audio", ContentType: "application/octet-stream"}
		}
	}
	if found == nil {
		return nil, nil, fmt.Errorf("directive %d has no attachment %s: %w", id, sha, model.ErrNotFound)
	}
	f, _, err := s.blobs.Open(ctx, sha)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, nil, fmt.Errorf("attachment %s: %w", sha, model.ErrNotFound)
		}
		return nil, nil, err
	}
	return found, f, nil
}

// Signers lists the approvers of a directive's issuing unit (who may sign
// it), for the author's choice of signer.
func (s Drafts) Signers(ctx context.Context, a model.Actor, id int64) ([]*model.User, error) {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	agency, err := s.store.Orgs().Unit(ctx, v.UnitID)
	if err != nil {
		return nil, err
	}
	return usersWithRoles(ctx, s.store.Q, agency, model.RoleApprover)
}

// RecipientGroups lists the recipient groups a directive may address:
// those of its issuing unit and of its drafting unit.
func (s Drafts) RecipientGroups(ctx context.Context, a model.Actor, id int64) ([]*model.Group, error) {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out, err := s.store.Orgs().Groups(ctx, v.UnitID)
	if err != nil {
		return nil, err
	}
	if v.DraftingUnitID != v.UnitID {
		more, err := s.store.Orgs().Groups(ctx, v.DraftingUnitID)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
