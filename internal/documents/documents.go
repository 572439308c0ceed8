// Package documents stores official documents: importing a file (text,
// DOCX, PDF) parses it, keeps the original in the blob store (deduplicated
// by hash), records the fields with versioned corrections, and links
// references to stored documents in both directions.
package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"golang.org/x/text/unicode/norm"
)

// MaxUpload is the largest document file accepted.
const MaxUpload = docparse.MaxInputSize

// ErrTooLarge is returned for files over MaxUpload (HTTP 413).
var ErrTooLarge = errors.New("file too large")

// Service is the documents service.
type Service struct {
	store  *storage.Store
	blobs  blob.Store
	policy authz.Policy
	log    *slog.Logger
}

// New builds the service.
func New(store *storage.Store, blobs blob.Store, policy authz.Policy, log *slog.Logger) *Service {
	return &Service{store: store, blobs: blobs, policy: policy, log: log}
}

// ImportInput describes a file to import.
type ImportInput struct {
	UnitID    int64  // holder; 0 = the actor's unit
	Direction string // incoming (default), outgoing or reference
	Filename  string
	Data      io.Reader
	// KeepDuplicate stores the file even when the unit already holds the
	// same letter (same issuer, number, notation and date): it is kept as
	// another copy of that document (Document.CopyOf), not registered
	// again. Without it such a file is refused with a *DuplicateError.
	KeepDuplicate bool
}

// DuplicateError refuses a file that is the same letter as a stored
// document (same issuer, number, notation and issue date) in another file.
type DuplicateError struct {
	Existing *model.Document
	Name     string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s is the same document as %s (id %d) already stored; send it again with duplicate=keep to keep it as another copy", e.Name, e.Existing.Code(), e.Existing.ID)
}

// Unwrap makes a duplicate a conflict (HTTP 409).
func (e *DuplicateError) Unwrap() error { return model.ErrConflict }

// identKey is the normalised identity of a letter: issuer, number,
// notation and issue date, in NFC with case folded and spaces collapsed.
// It is "" when the number, notation or date is missing: such a file is
// not compared by fields.
func identKey(f docmodel.Fields) string {
	norm1 := func(p *string) string {
		return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(docmodel.Val(p))), " "))
	}
	number, notation, date := norm1(f.Number), norm1(f.Notation), norm1(f.Date)
	if number == "" || notation == "" || date == "" {
		return ""
	}
	return strings.Join([]string{norm1(f.Issuer), number, notation, date}, "\x1f")
}

// sameLetter finds the unit's stored document that is the same letter.
func (s *Service) sameLetter(ctx context.Context, unitID int64, f docmodel.Fields) (*model.Document, error) {
	key := identKey(f)
	if key == "" {
		return nil, nil
	}
	cands, err := s.store.Documents().DocumentsByIdent(ctx, unitID, docmodel.Val(f.Date), docmodel.Val(f.Number))
	if err != nil {
		return nil, err
	}
	for _, d := range cands {
		if identKey(d.Fields) == key {
			return d, nil
		}
	}
	return nil, nil
}

// recognised reports whether parsed fields look like a document at all.
func recognised(f docmodel.Fields) bool {
	for _, p := range []*string{f.Number, f.Notation, f.Issuer, f.ParentIssuer, f.DocType, f.Subject} {
		if strings.TrimSpace(docmodel.Val(p)) != "" {
			return true
		}
	}
	return false
}

func notDocument(name string, reason error) error {
	return i18n.Localise(&model.ValidationError{Field: "file", Msg: fmt.Sprintf("not recognised as a document: %s: %v", name, reason)}, "docsvc.not_document", name)
}

// ImportResult is the stored document and whether the same file was
// already stored for the unit (then nothing new was written).
type ImportResult struct {
	Document  *model.Document `json:"document"`
	Duplicate bool            `json:"duplicate"`
}

func (s *Service) unitFor(ctx context.Context, a model.Actor, unitID int64, action authz.Action) (*model.Unit, error) {
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
		return nil, fmt.Errorf("documents of %q: %w", u.Name, model.ErrForbidden)
	}
	return u, nil
}

// docError turns a parser failure into a validation error that says what
// is wrong with the file and how to fix it.
func docError(name string, err error) error {
	switch {
	case errors.Is(err, docparse.ErrTooLarge):
		return fmt.Errorf("%s: %v: %w", name, err, ErrTooLarge)
	case errors.Is(err, docparse.ErrNotDocument), errors.Is(err, docparse.ErrEmpty):
		return notDocument(name, err)
	case errors.Is(err, docparse.ErrEncrypted), errors.Is(err, docparse.ErrNoTextLayer), errors.Is(err, docparse.ErrToolMissing):
		return &model.ValidationError{Field: "file", Msg: fmt.Sprintf("%s: %v", name, err)}
	}
	return err
}

// Import parses and stores a document file. Nothing is stored when the
// file is not a readable document.
func (s *Service) Import(ctx context.Context, a model.Actor, in ImportInput) (*ImportResult, error) {
	if in.Direction == "" {
		in.Direction = model.Incoming
	}
	if in.Direction != model.Incoming && in.Direction != model.Outgoing && in.Direction != model.Reference {
		return nil, model.Invalid("direction", "%q: use incoming, outgoing or reference", in.Direction)
	}
	name := filepath.Base(strings.TrimSpace(in.Filename))
	if name == "." || name == "/" || name == "" {
		name = "document.txt"
	}
	if !utf8.ValidString(name) || len(name) > 255 {
		return nil, model.Invalid("filename", "the file name must be valid UTF-8 and at most 255 bytes")
	}
	unit, err := s.unitFor(ctx, a, in.UnitID, authz.DocWrite)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(in.Data, MaxUpload+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%s is larger than %d MiB: %w", name, MaxUpload>>20, ErrTooLarge)
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxUpload {
		return nil, fmt.Errorf("%s is larger than %d MiB: %w", name, MaxUpload>>20, ErrTooLarge)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if d, err := s.store.Documents().DocumentByOriginal(ctx, unit.ID, sha); err == nil {
		return &ImportResult{Document: d, Duplicate: true}, nil
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	text, fields, err := extractAndParse(ctx, data, name)
	if err != nil {
		return nil, err
	}
	if !recognised(fields) {
		return nil, notDocument(name, errors.New("no number, notation, issuer, type or subject found"))
	}
	same, err := s.sameLetter(ctx, unit.ID, fields)
	if err != nil {
		return nil, err
	}
	var copyOf *int64
	if same != nil {
		if !in.KeepDuplicate {
			return nil, i18n.Localise(&DuplicateError{Existing: same, Name: name}, "docsvc.duplicate", same.Code(), same.ID)
		}
		copyOf = &same.ID
	}
	return s.save(ctx, a, unit, in.Direction, name, data, fields, text, copyOf)
}

// extractAndParse reads the text of a document file and parses it.
func extractAndParse(ctx context.Context, data []byte, name string) (string, docmodel.Fields, error) {
	x, err := docparse.ExtractDetailed(ctx, data, name)
	if err != nil {
		return "", docmodel.Fields{}, docError(name, err)
	}
	return x.Text, docparse.ParseExtraction(x), nil
}

// save stores the original in the blob store and the document with its
// references in one transaction. The blob is written first: if the
// transaction then fails, the file stays unreferenced in the
// content-addressed store, and a later import of the same file reuses it.
func (s *Service) save(ctx context.Context, a model.Actor, unit *model.Unit, direction, name string, data []byte, fields docmodel.Fields, text string, copyOf *int64) (*ImportResult, error) {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if _, err := s.blobs.Put(ctx, bytes.NewReader(data), MaxUpload*2); err != nil {
		return nil, fmt.Errorf("store original %s: %w", name, err)
	}
	var by *int64
	if a.UserID != 0 {
		id := a.UserID
		by = &id
	}
	d := &model.Document{UnitID: unit.ID, Direction: direction, Fields: fields, BodyText: text,
		Original: &model.Original{SHA256: sha, Name: name, ContentType: contentType(name, data), Size: int64(len(data))}, CreatedBy: by, CopyOf: copyOf}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, sha, int64(len(data)), d.Original.ContentType); err != nil {
			return err
		}
		if err := tx.Documents().InsertDocument(ctx, d); err != nil {
			return err
		}
		if err := tx.Documents().ReplaceRefs(ctx, d); err != nil {
			return err
		}
		if err := tx.Documents().ResolvePending(ctx, d); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s %s (%s)", d.Code(), name, direction)
		if copyOf != nil {
			detail += fmt.Sprintf(" copy of document %d", *copyOf)
		}
		return tx.Audit().AppendAudit(ctx, a, "document.import", "document", fmt.Sprint(d.ID), detail)
	})
	if err != nil {
		if errors.Is(err, model.ErrConflict) {
			// Imported concurrently by someone else: return theirs.
			if other, gerr := s.store.Documents().DocumentByOriginal(ctx, unit.ID, sha); gerr == nil {
				return &ImportResult{Document: other, Duplicate: true}, nil
			}
		}
		return nil, err
	}
	return &ImportResult{Document: d}, nil
}

func contentType(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".tif", ".tiff":
		return "image/tiff"
	}
	return http.DetectContentType(data)
}

// Detail is a document with its links and history.
type Detail struct {
	Document *model.Document         `json:"document"`
	Refs     []model.DocRef          `json:"references"`
	CitedBy  []model.Citation        `json:"cited_by"`
	Versions []model.DocumentVersion `json:"versions"`
	// Issued is true for a document its unit issued (numbered in the
	// outgoing register): its fields can no longer be changed.
	Issued bool `json:"issued"`
	// Files are the document's other files (edXML attachments); Exchange
	// the edXML packages received and sent for it, statuses included.
	Files    []model.DocumentFile    `json:"files"`
	Exchange []model.ExchangePackage `json:"exchange"`
}

// Get returns a document the actor may read.
func (s *Service) Get(ctx context.Context, a model.Actor, id int64) (*model.Document, error) {
	d, err := s.store.Documents().Document(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := MayRead(ctx, s.store.Q, s.policy, a, d.UnitID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("document %d of another unit: %w", id, model.ErrForbidden)
	}
	return d, nil
}

// Detail returns a document with references (resolved ones pointing at
// stored documents), the documents citing it, and its versions.
func (s *Service) Detail(ctx context.Context, a model.Actor, id int64) (*Detail, error) {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &Detail{Document: d}
	if out.Refs, err = s.store.Documents().Refs(ctx, id); err != nil {
		return nil, err
	}
	citedBy, err := s.store.Documents().CitedBy(ctx, id)
	if err != nil {
		return nil, err
	}
	if out.Versions, err = s.store.Documents().DocumentVersions(ctx, id); err != nil {
		return nil, err
	}
	if out.Issued, err = s.store.Documents().DocumentIssued(ctx, id); err != nil {
		return nil, err
	}
	if out.Files, err = s.store.Exchange().DocumentFiles(ctx, id); err != nil {
		return nil, err
	}
	if out.Exchange, err = s.store.Exchange().Packages(ctx, id); err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range out.Refs {
		if r.ResolvedID != nil {
			ids = append(ids, *r.ResolvedID)
		}
	}
	for _, c := range citedBy {
		ids = append(ids, c.DocumentID)
	}
	readable, err := s.Readable(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	// A reference to a document the reader may not open stays as the
	// citing text (it is part of this document) without the link; a
	// citing document the reader may not open is not shown at all, since
	// its code and subject are its own.
	for i, r := range out.Refs {
		if r.ResolvedID != nil && !readable[*r.ResolvedID] {
			out.Refs[i].ResolvedID, out.Refs[i].Restricted = nil, true
		}
	}
	out.CitedBy = []model.Citation{}
	for _, c := range citedBy {
		if readable[c.DocumentID] {
			out.CitedBy = append(out.CitedBy, c)
		}
	}
	return out, nil
}

// Original opens the original file of a document.
func (s *Service) Original(ctx context.Context, a model.Actor, id int64) (*model.Document, io.ReadSeekCloser, error) {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if d.Original == nil {
		return nil, nil, fmt.Errorf("document %d has no original file: %w", id, model.ErrNotFound)
	}
	f, _, err := s.blobs.Open(ctx, d.Original.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("original of document %d: %w", id, err)
	}
	return d, f, nil
}

// Correction is a clerk's corrected set of fields.
//
// Built in Go, Fields replaces all fields. Decoded from JSON (PUT
// /api/v1/documents/{id}/fields), it is a merge: only the keys present in
// "fields" change; an absent key keeps its value, an explicit null or ""
// clears the field (an empty list [] clears a list).
type Correction struct {
	BaseVersion int             `json:"base_version"`
	Fields      docmodel.Fields `json:"fields"`
	Note        string          `json:"note"`

	patch map[string]json.RawMessage // the keys of "fields" sent, when decoded from JSON
}

// UnmarshalJSON decodes a correction and remembers which fields it names.
func (c *Correction) UnmarshalJSON(b []byte) error {
	var raw struct {
		BaseVersion int             `json:"base_version"`
		Fields      json.RawMessage `json:"fields"`
		Note        string          `json:"note"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	c.BaseVersion, c.Note, c.Fields, c.patch = raw.BaseVersion, raw.Note, docmodel.Fields{}, map[string]json.RawMessage{}
	if len(raw.Fields) == 0 || string(raw.Fields) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw.Fields, &c.patch); err != nil {
		return err
	}
	fd := json.NewDecoder(bytes.NewReader(raw.Fields))
	fd.DisallowUnknownFields()
	return fd.Decode(&c.Fields)
}

// merged applies the fields a JSON correction names to the current ones.
func (c *Correction) merged(current docmodel.Fields) (docmodel.Fields, error) {
	if c.patch == nil {
		return c.Fields, nil
	}
	b, err := json.Marshal(current)
	if err != nil {
		return docmodel.Fields{}, fmt.Errorf("encode current fields: %w", err)
	}
	all := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &all); err != nil {
		return docmodel.Fields{}, fmt.Errorf("decode current fields: %w", err)
	}
	for k, v := range c.patch {
		all[k] = v
	}
	if b, err = json.Marshal(all); err != nil {
		return docmodel.Fields{}, fmt.Errorf("encode merged fields: %w", err)
	}
	var out docmodel.Fields
	if err := json.Unmarshal(b, &out); err != nil {
		return docmodel.Fields{}, model.Invalid("fields", "%v", err)
	}
	// How a scan was read is not the client's to change; the fields the
	// correction names are confirmed by the person who sent it.
	out.OCR = current.OCR
	out.Confidence = maps.Clone(current.Confidence)
	out.Confirm(slices.Collect(maps.Keys(c.patch))...)
	return out, nil
}

// ErrIssued marks a refused change to an issued document.
var ErrIssued = errors.New("issued documents cannot be changed")

func issuedError(d *model.Document) error {
	code := d.Code()
	if code == "" {
		code = fmt.Sprintf("#%d", d.ID)
	}
	return i18n.Localise(fmt.Errorf("document %s was issued and cannot be changed; a correction must be issued as a new document (Decree 30/2020): %w: %w",
		code, ErrIssued, model.ErrConflict), "docsvc.issued_immutable", code)
}

// Correct saves corrected fields as a new version.
func (s *Service) Correct(ctx context.Context, a model.Actor, id int64, c Correction) (*model.Document, error) {
	d, err := s.store.Documents().Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, d.UnitID, authz.DocWrite); err != nil {
		return nil, err
	}
	if c.BaseVersion == 0 {
		return nil, model.Invalid("base_version", "give the version you corrected (the document is at version %d)", d.Version)
	}
	if c.Fields, err = c.merged(d.Fields); err != nil {
		return nil, err
	}
	if err := ValidateFields(&c.Fields); err != nil {
		return nil, err
	}
	if len(c.Note) > 1000 {
		return nil, model.Invalid("note", "at most 1000 bytes")
	}
	var by *int64
	if a.UserID != 0 {
		uid := a.UserID
		by = &uid
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		// Checked inside the transaction, so a document issued meanwhile
		// is not changed either.
		issued, err := tx.Documents().DocumentIssued(ctx, id)
		if err != nil {
			return err
		}
		if issued {
			return issuedError(d)
		}
		v, err := tx.Documents().UpdateDocumentFields(ctx, id, c.BaseVersion, c.Fields, d.BodyText, by, c.Note)
		if err != nil {
			return err
		}
		d.Fields, d.Version = c.Fields, v
		if err := tx.Documents().ReplaceRefs(ctx, d); err != nil {
			return err
		}
		if err := tx.Documents().ResolvePending(ctx, d); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.correct", "document", fmt.Sprint(id), fmt.Sprintf("version %d: %s", v, c.Note))
	})
	if err != nil {
		return nil, err
	}
	return s.store.Documents().Document(ctx, id)
}

// ValidateFields checks corrected or drafted fields.
func ValidateFields(f *docmodel.Fields) error {
	f.Normalize()
	check := func(name string, p *string, max int) error {
		if p == nil {
			return nil
		}
		v := strings.TrimSpace(*p)
		if !utf8.ValidString(v) {
			return model.Invalid(name, "not valid UTF-8")
		}
		if len(v) > max {
			return model.Invalid(name, "at most %d bytes", max)
		}
		*p = v
		return nil
	}
	for name, p := range map[string]*string{"parent_issuer": f.ParentIssuer, "issuer": f.Issuer, "doc_type": f.DocType, "number": f.Number,
		"notation": f.Notation, "place": f.Place, "urgency": f.Urgency, "confidentiality": f.Confidentiality,
		"signing_authority": f.SigningAuthority, "signer_title": f.SignerTitle, "signer_name": f.SignerName} {
		if err := check(name, p, 300); err != nil {
			return err
		}
	}
	if err := check("subject", f.Subject, 2000); err != nil {
		return err
	}
	if err := check("body", f.Body, 1<<20); err != nil {
		return err
	}
	if f.Date != nil && *f.Date != "" {
		if _, err := time.Parse("2006-01-02", *f.Date); err != nil {
			return model.Invalid("date", "%q is not a date: use YYYY-MM-DD", *f.Date)
		}
	}
	for i, r := range f.References {
		if r.Date != nil && *r.Date != "" {
			if _, err := time.Parse("2006-01-02", *r.Date); err != nil {
				return model.Invalid(fmt.Sprintf("references[%d].date", i), "%q is not a date: use YYYY-MM-DD", *r.Date)
			}
		}
	}
	if len(f.Recipients) > 10000 || len(f.References) > 1000 || len(f.Items) > 1000 || len(f.Distribution) > 10000 {
		return model.Invalid("", "too many list entries")
	}
	return nil
}

// ListFilter selects documents for the actor.
type ListFilter struct {
	Direction string
	Number    string
	Notation  string
	Year      int
	Query     string
	BeforeID  int64
	Limit     int
}

// List returns documents of the units the actor may read.
func (s *Service) List(ctx context.Context, a model.Actor, f ListFilter) ([]*model.Document, error) {
	sf := model.DocumentFilter{Direction: f.Direction, Number: f.Number, Notation: f.Notation, Year: f.Year, Query: f.Query, BeforeID: f.BeforeID, Limit: f.Limit}
	// "570/STTTT-TTBCBC" typed as a query means number + notation.
	if f.Number == "" && f.Notation == "" {
		if n, no, ok := strings.Cut(strings.TrimSpace(f.Query), "/"); ok && n != "" && no != "" && !strings.Contains(n, " ") && !strings.Contains(no, " ") {
			// "570/STTTT" finds 570/STTTT-TTBCBC: the notation typed may
			// be its beginning (up to a hyphen or slash).
			sf.Number, sf.Notation, sf.NotationPrefix, sf.Query = n, no, true, ""
		}
	}
	switch s.policy.ReachOf(a, authz.DocRead) {
	case authz.Any:
	case authz.Subtree:
		sf.UnderPath = a.UnitPath
	case authz.Own:
		sf.UnitID = a.UnitID
	default:
		return nil, fmt.Errorf("reading documents: %w", model.ErrForbidden)
	}
	return s.store.Documents().ListDocuments(ctx, sf)
}
