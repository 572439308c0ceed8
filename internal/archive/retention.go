package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Service manages retention rules, legal holds and disposal.
type Service struct {
	store  *storage.Store
	blobs  blob.Store
	policy authz.Policy
	loc    *time.Location
	now    func() time.Time
}

// New builds the archive service.
func New(store *storage.Store, blobs blob.Store, policy authz.Policy, loc *time.Location) *Service {
	return &Service{store: store, blobs: blobs, policy: policy, loc: loc, now: time.Now}
}

// SetNow replaces the clock (tests: documents come due with time).
func (s *Service) SetNow(now func() time.Time) { s.now = now }

// Limits of what users type.
const (
	maxReason  = 2000
	maxDocType = 100
	maxYears   = 200
	maxListLen = 5000
)

func (s *Service) unit(ctx context.Context, a model.Actor, unitID int64, action authz.Action) (*model.Unit, error) {
	if unitID == 0 {
		unitID = a.UnitID
	}
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid("unit_id", "unit %d does not exist", unitID)
		}
		return nil, err
	}
	if !s.policy.Can(a, action, u.Path) {
		return nil, fmt.Errorf("archive of %q: %w", u.Name, model.ErrForbidden)
	}
	return u, nil
}

func userID(a model.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

func text(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return "", model.Invalid(field, "is required")
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return "", model.Invalid(field, "must be valid text of at most %d characters", max)
	}
	return v, nil
}

// Rules lists the retention rules (anyone signed in may read them).
func (s *Service) Rules(ctx context.Context, a model.Actor) ([]model.RetentionRule, error) {
	return s.store.Archive().RetentionRules(ctx)
}

// SaveRule creates or changes the retention period of a document type:
// administrators only; 0 years means permanent.
func (s *Service) SaveRule(ctx context.Context, a model.Actor, r model.RetentionRule) (*model.RetentionRule, error) {
	if !s.policy.Can(a, authz.ArchiveRules, a.UnitPath) && !a.IsSystem() {
		return nil, fmt.Errorf("retention rules: %w", model.ErrForbidden)
	}
	var err error
	if r.DocType, err = text("doc_type", r.DocType, maxDocType, true); err != nil {
		return nil, err
	}
	if r.Basis, err = text("basis", r.Basis, maxReason, false); err != nil {
		return nil, err
	}
	if r.Years < 0 || r.Years > maxYears {
		return nil, model.Invalid("years", "%d: give 0 (permanent) or a number of years up to %d", r.Years, maxYears)
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Archive().SaveRetentionRule(ctx, r, userID(a)); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "retention.rule", "retention_rule", r.DocType, fmt.Sprintf("%d năm (0 = vĩnh viễn); %s", r.Years, r.Basis))
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DeleteRule removes a type's rule: its documents are then never due.
func (s *Service) DeleteRule(ctx context.Context, a model.Actor, docType string) error {
	if !s.policy.Can(a, authz.ArchiveRules, a.UnitPath) && !a.IsSystem() {
		return fmt.Errorf("retention rules: %w", model.ErrForbidden)
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Archive().DeleteRetentionRule(ctx, docType); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "retention.rule_delete", "retention_rule", docType, "")
	})
}

// Due lists the unit's documents due for disposal today.
func (s *Service) Due(ctx context.Context, a model.Actor, unitID int64) ([]model.DueDocument, error) {
	u, err := s.unit(ctx, a, unitID, authz.ArchiveWrite)
	if err != nil {
		return nil, err
	}
	return s.store.Archive().DueDocuments(ctx, u.ID, s.now().In(s.loc).Year(), maxListLen)
}

// PlaceHold puts a legal hold on a document.
func (s *Service) PlaceHold(ctx context.Context, a model.Actor, documentID int64, reason string) (*model.LegalHold, error) {
	reason, err := text("reason", reason, maxReason, true)
	if err != nil {
		return nil, err
	}
	d, err := s.store.Documents().Document(ctx, documentID)
	if err != nil {
		return nil, err
	}
	if _, err := s.unit(ctx, a, d.UnitID, authz.ArchiveWrite); err != nil {
		return nil, err
	}
	h := &model.LegalHold{DocumentID: d.ID, Reason: reason, PlacedBy: userID(a), Code: d.Code()}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if at, err := tx.Archive().DocumentDisposed(ctx, d.ID); err != nil {
			return err
		} else if at != nil {
			return model.Invalid("document_id", "document %d was disposed of on %s", d.ID, at.In(s.loc).Format("02/01/2006"))
		}
		if err := tx.Archive().InsertLegalHold(ctx, h); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "retention.hold", "document", fmt.Sprint(d.ID), reason)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ReleaseHold ends a legal hold.
func (s *Service) ReleaseHold(ctx context.Context, a model.Actor, holdID int64, note string) error {
	note, err := text("note", note, maxReason, true)
	if err != nil {
		return err
	}
	h, err := s.store.Archive().LegalHold(ctx, holdID)
	if err != nil {
		return err
	}
	d, err := s.store.Documents().Document(ctx, h.DocumentID)
	if err != nil {
		return err
	}
	if _, err := s.unit(ctx, a, d.UnitID, authz.ArchiveWrite); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Archive().ReleaseLegalHold(ctx, holdID, userID(a), note); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "retention.release", "document", fmt.Sprint(h.DocumentID), note)
	})
}

// Holds lists the active holds on a unit's documents.
func (s *Service) Holds(ctx context.Context, a model.Actor, unitID int64) ([]model.LegalHold, error) {
	u, err := s.unit(ctx, a, unitID, authz.ArchiveWrite)
	if err != nil {
		return nil, err
	}
	return s.store.Archive().LegalHolds(ctx, u.ID)
}

// ProposeInput names the documents of a new disposal list.
type ProposeInput struct {
	UnitID      int64   `json:"unit_id"`
	Title       string  `json:"title"`
	DocumentIDs []int64 `json:"document_ids"`
}

// Propose draws up a disposal list of documents that are due: the list
// document (a text file kept in the blob store) names every document
// with its type, date and retention period. Nothing is disposed of until
// a leader approves the list and a clerk executes it.
func (s *Service) Propose(ctx context.Context, a model.Actor, in ProposeInput) (*model.DisposalList, error) {
	u, err := s.unit(ctx, a, in.UnitID, authz.ArchiveWrite)
	if err != nil {
		return nil, err
	}
	title, err := text("title", in.Title, 300, false)
	if err != nil {
		return nil, err
	}
	if len(in.DocumentIDs) == 0 || len(in.DocumentIDs) > maxListLen {
		return nil, model.Invalid("document_ids", "name between 1 and %d documents that are due for disposal", maxListLen)
	}
	due, err := s.store.Archive().DueDocuments(ctx, u.ID, s.now().In(s.loc).Year(), maxListLen*4)
	if err != nil {
		return nil, err
	}
	byID := map[int64]model.DueDocument{}
	for _, d := range due {
		byID[d.DocumentID] = d
	}
	l := &model.DisposalList{UnitID: u.ID, Title: title, CreatedBy: userID(a)}
	seen := map[int64]bool{}
	for _, id := range in.DocumentIDs {
		d, ok := byID[id]
		if !ok {
			return nil, model.Invalid("document_ids", "document %d is not due for disposal in %s (not its unit's, still within its retention period, permanent, under a legal hold or already on a list)", id, u.Name)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		doc, err := s.store.Documents().Document(ctx, id)
		if err != nil {
			return nil, err
		}
		sha := ""
		if doc.Original != nil {
			sha = doc.Original.SHA256
		}
		l.Items = append(l.Items, model.DisposalItem{DocumentID: id, Code: d.Code, DocType: d.DocType, DocDate: d.DocDate, Subject: d.Subject, Years: d.Years, OriginalSHA: sha})
	}
	if l.Title == "" {
		l.Title = fmt.Sprintf("Danh mục tài liệu hết giá trị của %s, lập ngày %s", u.Name, s.now().In(s.loc).Format("02/01/2006"))
	}
	doc := listDocument(u, l, s.now().In(s.loc))
	info, err := s.blobs.Put(ctx, bytes.NewReader(doc), int64(len(doc))+1)
	if err != nil {
		return nil, fmt.Errorf("store the disposal list document: %w", err)
	}
	l.ListSHA = info.SHA256
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, "text/plain; charset=utf-8"); err != nil {
			return err
		}
		if err := tx.Archive().InsertDisposalList(ctx, l); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "retention.propose", "disposal_list", fmt.Sprint(l.ID), fmt.Sprintf("%d tài liệu: %s", len(l.Items), l.Title))
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// listDocument renders the disposal list as a plain-text document.
func listDocument(u *model.Unit, l *model.DisposalList, at time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nDANH MỤC TÀI LIỆU HẾT GIÁ TRỊ\n%s\n\n", strings.ToUpper(u.Name), l.Title)
	fmt.Fprintf(&b, "Lập ngày %s. Căn cứ thời hạn bảo quản theo Thông tư 10/2022/TT-BNV và quy định của cơ quan.\n\n", at.Format("02/01/2006"))
	b.WriteString("STT | Mã tài liệu trong Loa | Số, ký hiệu | Loại | Ngày văn bản | Trích yếu | Thời hạn bảo quản\n")
	for i, it := range l.Items {
		fmt.Fprintf(&b, "%d | %d | %s | %s | %s | %s | %d năm\n", i+1, it.DocumentID, it.Code, it.DocType, isoToVN(it.DocDate), it.Subject, it.Years)
	}
	fmt.Fprintf(&b, "\nTổng số: %d tài liệu.\n", len(l.Items))
	return []byte(b.String())
}

func isoToVN(d string) string {
	if t, err := time.Parse("2006-01-02", d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

// Decide approves or rejects a proposed list: a leader of the unit, who
// did not draw the list up.
func (s *Service) Decide(ctx context.Context, a model.Actor, listID int64, approve bool, note string) (*model.DisposalList, error) {
	note, err := text("note", note, maxReason, !approve)
	if err != nil {
		return nil, err
	}
	l, err := s.store.Archive().DisposalList(ctx, listID)
	if err != nil {
		return nil, err
	}
	if _, err := s.unit(ctx, a, l.UnitID, authz.ArchiveApprove); err != nil {
		return nil, err
	}
	if l.CreatedBy != nil && a.UserID == *l.CreatedBy {
		return nil, fmt.Errorf("the person who drew up disposal list %d cannot also approve it: %w", listID, model.ErrForbidden)
	}
	status, action := model.DisposalRejected, "retention.reject"
	if approve {
		status, action = model.DisposalApproved, "retention.approve"
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Archive().DecideDisposal(ctx, listID, status, userID(a), note); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, action, "disposal_list", fmt.Sprint(listID), note)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Archive().DisposalList(ctx, listID)
}

// HeldError refuses a disposal while documents of the list are held.
type HeldError struct{ IDs []int64 }

func (e *HeldError) Error() string {
	return fmt.Sprintf("documents %v are under a legal hold: release the holds or draw up a new list without them", e.IDs)
}

// Unwrap makes it a conflict (HTTP 409).
func (e *HeldError) Unwrap() error { return model.ErrConflict }

// Execute carries out an approved disposal list, unless a document on it
// has been put under a legal hold meanwhile.
func (s *Service) Execute(ctx context.Context, a model.Actor, listID int64) (*model.DisposalList, error) {
	l, err := s.store.Archive().DisposalList(ctx, listID)
	if err != nil {
		return nil, err
	}
	if _, err := s.unit(ctx, a, l.UnitID, authz.ArchiveWrite); err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		ids := make([]int64, len(l.Items))
		for i, it := range l.Items {
			ids[i] = it.DocumentID
		}
		held, err := tx.Archive().HeldDocuments(ctx, ids)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			he := &HeldError{}
			for _, id := range ids {
				if held[id] {
					he.IDs = append(he.IDs, id)
				}
			}
			return he
		}
		if err := tx.Archive().ExecuteDisposal(ctx, listID, userID(a)); err != nil {
			return err
		}
		for _, it := range l.Items {
			if err := tx.Audit().AppendAudit(ctx, a, "retention.dispose", "document", fmt.Sprint(it.DocumentID), fmt.Sprintf("danh mục hủy %d: %s", listID, it.Code)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.store.Archive().DisposalList(ctx, listID)
}

// Lists returns a unit's disposal lists.
func (s *Service) Lists(ctx context.Context, a model.Actor, unitID int64) ([]model.DisposalList, error) {
	u, err := s.unit(ctx, a, unitID, authz.ArchiveWrite)
	if err != nil {
		if u2, err2 := s.unit(ctx, a, unitID, authz.ArchiveApprove); err2 == nil {
			return s.store.Archive().DisposalLists(ctx, u2.ID)
		}
		return nil, err
	}
	return s.store.Archive().DisposalLists(ctx, u.ID)
}

// List returns one disposal list with its items.
func (s *Service) List(ctx context.Context, a model.Actor, listID int64) (*model.DisposalList, error) {
	l, err := s.store.Archive().DisposalList(ctx, listID)
	if err != nil {
		return nil, err
	}
	if _, err := s.unit(ctx, a, l.UnitID, authz.ArchiveWrite); err != nil {
		if _, err2 := s.unit(ctx, a, l.UnitID, authz.ArchiveApprove); err2 != nil {
			return nil, err
		}
	}
	return l, nil
}

// ListDocument opens the list document of a disposal list.
func (s *Service) ListDocument(ctx context.Context, a model.Actor, listID int64) (io.ReadSeekCloser, int64, string, error) {
	l, err := s.List(ctx, a, listID)
	if err != nil {
		return nil, 0, "", err
	}
	f, size, err := s.blobs.Open(ctx, l.ListSHA)
	if err != nil {
		return nil, 0, "", fmt.Errorf("the list document of disposal list %d: %w", listID, err)
	}
	return f, size, fmt.Sprintf("danh-muc-huy-%d.txt", l.ID), nil
}
