package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Receive actions.
const (
	ActionNew     = "new"     // a new incoming document
	ActionUpdate  = "update"  // a new version of a held document
	ActionReplace = "replace" // a held document replaced by this one
	ActionRevoke  = "revoke"  // a held document revoked by its sender
	ActionStatus  = "status"  // a status of a held document
)

// ReceiveResult is what a received edXML package did.
type ReceiveResult struct {
	Document  *model.Document `json:"document"`
	Duplicate bool            `json:"duplicate"`
	Action    string          `json:"action"`
	Status    string          `json:"status,omitempty"`
	Warnings  []string        `json:"warnings,omitempty"`
	Files     int             `json:"files"`
}

// maxPackage is the largest package accepted.
const maxPackage = 2 * MaxUpload

// ReceiveEdXML takes in an edXML package received by a unit, as the
// reference implementation reads it: a document package becomes an
// incoming document with every attachment as a file (zip attachments
// unpacked) and the package itself kept as the original; an update,
// replacement or revocation changes the document it names; a status
// package becomes a status of the document it is about. Deviations from
// QCVN 102 are kept as warnings on the document.
func (s *Service) ReceiveEdXML(ctx context.Context, a model.Actor, unitID int64, r io.Reader) (*ReceiveResult, error) {
	unit, err := s.unitFor(ctx, a, unitID, authz.DocWrite)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxPackage+1))
	if err != nil {
		return nil, fmt.Errorf("read edXML package: %w", err)
	}
	if len(raw) > maxPackage {
		return nil, fmt.Errorf("edXML package larger than %d MiB: %w", maxPackage>>20, ErrTooLarge)
	}
	rec, err := edxml.Receive(bytes.NewReader(raw), edxml.Limits{MaxBytes: maxPackage, MaxAttachmentBytes: MaxUpload})
	if err != nil {
		if errors.Is(err, edxml.ErrTooLarge) {
			return nil, fmt.Errorf("%v: %w", err, ErrTooLarge)
		}
		return nil, &model.ValidationError{Field: "message", Msg: err.Error()}
	}
	sum := sha256.Sum256(raw)
	sha := hex.EncodeToString(sum[:])
	if seen, err := s.store.Exchange().PackageSeen(ctx, unit.ID, sha); err != nil {
		return nil, err
	} else if seen != nil && seen.DocumentID != nil {
		d, err := s.store.Documents().Document(ctx, *seen.DocumentID)
		if err != nil {
			return nil, err
		}
		return &ReceiveResult{Document: d, Duplicate: true, Action: seen.Kind, Warnings: splitWarnings(seen.Warnings)}, nil
	}
	if _, err := s.blobs.Put(ctx, bytes.NewReader(raw), maxPackage+1); err != nil {
		return nil, fmt.Errorf("store the package: %w", err)
	}
	if rec.Status != nil {
		return s.receiveStatus(ctx, a, unit, rec, sha)
	}
	return s.receiveDocument(ctx, a, unit, rec, sha)
}

func splitWarnings(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// findDocument looks a document up by DocumentId, then by number,
// notation and date.
func (s *Service) findDocument(ctx context.Context, q storage.Q, unitID int64, edxmlID, code string, date time.Time) (*model.Document, error) {
	id, err := q.Exchange().DocumentByEdXMLID(ctx, unitID, edxmlID)
	if err != nil {
		return nil, err
	}
	if id != 0 {
		return q.Documents().Document(ctx, id)
	}
	if edxmlID != "" && code == "" {
		if parts := strings.SplitN(edxmlID, ",", 3); len(parts) == 3 {
			code = parts[2]
			if t, err := time.Parse("2006/01/02", parts[1]); err == nil && date.IsZero() {
				date = t
			}
		}
	}
	number, _, _ := strings.Cut(code, "/")
	if number == "" || date.IsZero() {
		return nil, nil
	}
	cands, err := q.Documents().DocumentsByIdent(ctx, unitID, date.Format("2006-01-02"), number)
	if err != nil {
		return nil, err
	}
	for _, d := range cands {
		if strings.EqualFold(d.Code(), code) {
			return d, nil
		}
	}
	return nil, nil
}

func (s *Service) receiveStatus(ctx context.Context, a model.Actor, unit *model.Unit, rec *edxml.Received, sha string) (*ReceiveResult, error) {
	st := rec.Status
	d, err := s.findDocument(ctx, s.store.Q, unit.ID, st.ResponseFor.DocumentID, st.ResponseFor.Code, st.ResponseFor.PromulgationDate)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, model.Invalid("message", "status package %s from %s is about document %q (%s), which %s does not hold: import the document first",
			st.Code, st.From.ID, st.ResponseFor.DocumentID, st.ResponseFor.Code, unit.Name)
	}
	p := &model.ExchangePackage{UnitID: unit.ID, DocumentID: &d.ID, Direction: "in", Kind: "status", EdXMLDocumentID: st.ResponseFor.DocumentID,
		StatusCode: string(st.Code), OrganID: st.From.ID, OrganName: st.From.Name, Description: st.Description,
		Warnings: strings.Join(rec.Warnings, "\n"), PackageSHA: sha, At: st.Timestamp}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, sha, int64(len(rec.Raw)), "application/xml"); err != nil {
			return err
		}
		if err := tx.Exchange().InsertPackage(ctx, p); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.edxml_status", "document", fmt.Sprint(d.ID), fmt.Sprintf("%s %s: %s", st.From.ID, st.Code, st.Description))
	})
	if err != nil {
		return nil, err
	}
	return &ReceiveResult{Document: d, Action: ActionStatus, Status: st.Code.String(), Warnings: rec.Warnings}, nil
}

// storedFile is a received file put in the blob store.
type storedFile struct {
	f   edxml.File
	sha string
}

func (s *Service) receiveDocument(ctx context.Context, a model.Actor, unit *model.Unit, rec *edxml.Received, sha string) (*ReceiveResult, error) {
	m := rec.Message
	fields := m.Fields()
	body := ""
	for _, f := range rec.Files {
		ext := strings.ToLower(filepath.Ext(f.Name))
		if ext != ".pdf" && ext != ".docx" && ext != ".txt" {
			continue
		}
		if text, parsed, err := extractAndParse(ctx, f.Data, f.Name); err == nil {
			fields, body = merge(fields, parsed), text
			break
		}
	}
	for _, w := range rec.Warnings {
		fields.Warnings = append(fields.Warnings, "edXML: "+w)
	}
	from := m.From.Name
	if from == "" {
		from = m.From.ID
	}
	fields.Warnings = append(fields.Warnings, fmt.Sprintf("received as edXML from %s", from))
	fields.Normalize()
	var stored []storedFile
	for _, f := range rec.Files {
		info, err := s.blobs.Put(ctx, bytes.NewReader(f.Data), MaxUpload+1)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", f.Name, err)
		}
		stored = append(stored, storedFile{f: f, sha: info.SHA256})
	}
	action := ActionNew
	var targets []string
	if b := m.Business; b != nil {
		switch b.DocType {
		case edxml.BusinessUpdate:
			action, targets = ActionUpdate, []string{m.DocumentID, b.DocumentID}
		case edxml.BusinessReplace:
			action, targets = ActionReplace, append(append([]string(nil), b.Replaces...), m.DocumentID)
		case edxml.BusinessRecall:
			action, targets = ActionRevoke, []string{m.DocumentID}
		}
	}
	var by *int64
	if a.UserID != 0 {
		id := a.UserID
		by = &id
	}
	res := &ReceiveResult{Action: action, Warnings: rec.Warnings, Files: len(stored)}
	pkg := &model.ExchangePackage{UnitID: unit.ID, Direction: "in", Kind: "document", EdXMLDocumentID: m.DocumentID, OrganID: m.From.ID,
		OrganName: m.From.Name, Description: m.Code() + " " + m.Subject, Warnings: strings.Join(rec.Warnings, "\n"), PackageSHA: sha}
	if m.Business != nil {
		pkg.BusinessType = int(m.Business.DocType)
		pkg.Description = m.Business.Reason
	}
	if len(m.Trace) > 0 {
		pkg.At = m.Trace[len(m.Trace)-1].Timestamp
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, sha, int64(len(rec.Raw)), "application/xml"); err != nil {
			return err
		}
		var target *model.Document
		if action != ActionNew {
			for _, id := range targets {
				if id == "" {
					continue
				}
				d, err := s.findDocument(ctx, tx.Q, unit.ID, id, "", time.Time{})
				if err != nil {
					return err
				}
				if d != nil {
					target = d
					break
				}
			}
			if target == nil && action == ActionRevoke {
				return model.Invalid("message", "revocation of document %q, which %s does not hold: nothing to revoke", m.DocumentID, unit.Name)
			}
			if target == nil {
				fields.Warnings = append(fields.Warnings, fmt.Sprintf("edXML %s of a document this unit does not hold (%s): stored as a new document", action, strings.Join(nonEmpty(targets), ", ")))
				action, res.Action = ActionNew, ActionNew
			}
		} else if id, err := tx.Exchange().DocumentByEdXMLID(ctx, unit.ID, m.DocumentID); err != nil {
			return err
		} else if id != 0 {
			// The same document sent again: keep the package, change nothing.
			d, err := tx.Documents().Document(ctx, id)
			if err != nil {
				return err
			}
			target, res.Duplicate = d, true
		}
		switch {
		case action == ActionNew && target == nil:
			name := "goi-tin.edxml"
			if c := m.Code(); c != "" {
				name = strings.NewReplacer("/", "-", "\\", "-").Replace(c) + ".edxml"
			}
			d := &model.Document{UnitID: unit.ID, Direction: model.Incoming, Fields: fields, BodyText: body,
				Original: &model.Original{SHA256: sha, Name: name, ContentType: "application/xml", Size: int64(len(rec.Raw))}, CreatedBy: by}
			if err := tx.Documents().InsertDocument(ctx, d); err != nil {
				return err
			}
			if err := tx.Documents().ReplaceRefs(ctx, d); err != nil {
				return err
			}
			if err := tx.Documents().ResolvePending(ctx, d); err != nil {
				return err
			}
			target = d
		case action == ActionUpdate || action == ActionReplace:
			note := "cập nhật qua edXML"
			if action == ActionReplace {
				note = "thay thế qua edXML bằng " + m.Code()
			}
			if m.Business != nil && m.Business.Reason != "" {
				note += ": " + m.Business.Reason
			}
			v, err := tx.Documents().UpdateDocumentFields(ctx, target.ID, target.Version, fields, body, by, note)
			if err != nil {
				return err
			}
			target.Fields, target.Version = fields, v
		case action == ActionRevoke:
			if err := tx.Exchange().SetRevoked(ctx, target.ID, time.Now()); err != nil {
				return err
			}
		}
		if !res.Duplicate && action != ActionRevoke {
			for _, sf := range stored {
				if err := tx.Documents().RecordBlob(ctx, sf.sha, int64(len(sf.f.Data)), sf.f.ContentType); err != nil {
					return err
				}
				df := &model.DocumentFile{DocumentID: target.ID, Name: sf.f.Name, ContentType: sf.f.ContentType, SHA256: sf.sha, Size: int64(len(sf.f.Data)), Source: sf.f.Source}
				if err := tx.Exchange().InsertDocumentFile(ctx, df); err != nil {
					return err
				}
			}
		}
		pkg.DocumentID = &target.ID
		if err := tx.Exchange().InsertPackage(ctx, pkg); err != nil {
			return err
		}
		res.Document = target
		return tx.Audit().AppendAudit(ctx, a, "document.edxml_"+action, "document", fmt.Sprint(target.ID),
			fmt.Sprintf("%s from %s (%d files, %d warnings)", m.Code(), m.From.ID, len(stored), len(rec.Warnings)))
	})
	if err != nil {
		return nil, err
	}
	if d, err := s.store.Documents().Document(ctx, res.Document.ID); err == nil {
		res.Document = d
	}
	// Tell the sender the document arrived (status 01), when this unit
	// can be named on the exchange.
	if res.Action == ActionNew && !res.Duplicate && unit.AgencyID != "" {
		if _, err := s.statusPackage(ctx, a, res.Document, edxml.StatusArrived, "Đã đến: Loa đã nhận văn bản điện tử"); err != nil {
			s.log.Warn("edXML arrival status not recorded", "document", res.Document.ID, "err", err)
		}
	}
	return res, nil
}

func nonEmpty(s []string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Files lists the files of a document the actor may read.
func (s *Service) Files(ctx context.Context, a model.Actor, id int64) ([]model.DocumentFile, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return s.store.Exchange().DocumentFiles(ctx, id)
}

// Exchange lists the edXML packages received and sent for a document.
func (s *Service) Exchange(ctx context.Context, a model.Actor, id int64) ([]model.ExchangePackage, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return s.store.Exchange().Packages(ctx, id)
}

// File opens the file at position of a document the actor may read.
func (s *Service) File(ctx context.Context, a model.Actor, id int64, position int) (io.ReadSeekCloser, *model.DocumentFile, error) {
	files, err := s.Files(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	for i := range files {
		if files[i].Position == position {
			f, _, err := s.blobs.Open(ctx, files[i].SHA256)
			if err != nil {
				return nil, nil, fmt.Errorf("file %d of document %d: %w", position, id, err)
			}
			return f, &files[i], nil
		}
	}
	return nil, nil, fmt.Errorf("file %d of document %d: %w", position, id, model.ErrNotFound)
}
