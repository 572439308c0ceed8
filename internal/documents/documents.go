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
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
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
	u, err := s.store.Unit(ctx, unitID)
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
	case errors.Is(err, docparse.ErrNotDocument), errors.Is(err, docparse.ErrEncrypted), errors.Is(err, docparse.ErrNoTextLayer),
		errors.Is(err, docparse.ErrEmpty):
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
	if d, err := s.store.DocumentByOriginal(ctx, unit.ID, sha); err == nil {
		return &ImportResult{Document: d, Duplicate: true}, nil
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	text, fields, err := extractAndParse(ctx, data, name)
	if err != nil {
		return nil, err
	}
	return s.save(ctx, a, unit, in.Direction, name, data, fields, text)
}

// extractAndParse reads the text of a document file and parses it.
func extractAndParse(ctx context.Context, data []byte, name string) (string, docmodel.Fields, error) {
	text, warnings, err := docparse.Extract(ctx, data, name)
	if err != nil {
		return "", docmodel.Fields{}, docError(name, err)
	}
	fields := docparse.Parse(text)
	fields.Warnings = append(warnings, fields.Warnings...)
	fields.Normalize()
	return text, fields, nil
}

// save stores the original in the blob store and the document with its
// references in one transaction. The blob is written first: if the
// transaction then fails, the file stays unreferenced in the
// content-addressed store, and a later import of the same file reuses it.
func (s *Service) save(ctx context.Context, a model.Actor, unit *model.Unit, direction, name string, data []byte, fields docmodel.Fields, text string) (*ImportResult, error) {
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
		Original: &model.Original{SHA256: sha, Name: name, ContentType: contentType(name, data), Size: int64(len(data))}, CreatedBy: by}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.RecordBlob(ctx, sha, int64(len(data)), d.Original.ContentType); err != nil {
			return err
		}
		if err := tx.InsertDocument(ctx, d); err != nil {
			return err
		}
		if err := tx.ReplaceRefs(ctx, d); err != nil {
			return err
		}
		if err := tx.ResolvePending(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, a, "document.import", "document", fmt.Sprint(d.ID), fmt.Sprintf("%s %s (%s)", d.Code(), name, direction))
	})
	if err != nil {
		if errors.Is(err, model.ErrConflict) {
			// Imported concurrently by someone else: return theirs.
			if other, gerr := s.store.DocumentByOriginal(ctx, unit.ID, sha); gerr == nil {
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
	}
	return http.DetectContentType(data)
}

// Detail is a document with its links and history.
type Detail struct {
	Document *model.Document         `json:"document"`
	Refs     []model.DocRef          `json:"references"`
	CitedBy  []model.Citation        `json:"cited_by"`
	Versions []model.DocumentVersion `json:"versions"`
}

// Get returns a document the actor may read.
func (s *Service) Get(ctx context.Context, a model.Actor, id int64) (*model.Document, error) {
	d, err := s.store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, d.UnitID, authz.DocRead); err != nil {
		return nil, err
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
	if out.Refs, err = s.store.Refs(ctx, id); err != nil {
		return nil, err
	}
	if out.CitedBy, err = s.store.CitedBy(ctx, id); err != nil {
		return nil, err
	}
	if out.Versions, err = s.store.DocumentVersions(ctx, id); err != nil {
		return nil, err
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
type Correction struct {
	BaseVersion int             `json:"base_version"`
	Fields      docmodel.Fields `json:"fields"`
	Note        string          `json:"note"`
}

// Correct saves corrected fields as a new version.
func (s *Service) Correct(ctx context.Context, a model.Actor, id int64, c Correction) (*model.Document, error) {
	d, err := s.store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, d.UnitID, authz.DocWrite); err != nil {
		return nil, err
	}
	if c.BaseVersion == 0 {
		return nil, model.Invalid("base_version", "give the version you corrected (the document is at version %d)", d.Version)
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
		v, err := tx.UpdateDocumentFields(ctx, id, c.BaseVersion, c.Fields, d.BodyText, by, c.Note)
		if err != nil {
			return err
		}
		d.Fields, d.Version = c.Fields, v
		if err := tx.ReplaceRefs(ctx, d); err != nil {
			return err
		}
		if err := tx.ResolvePending(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, a, "document.correct", "document", fmt.Sprint(id), fmt.Sprintf("version %d: %s", v, c.Note))
	})
	if err != nil {
		return nil, err
	}
	return s.store.Document(ctx, id)
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
	sf := storage.DocumentFilter{Direction: f.Direction, Number: f.Number, Notation: f.Notation, Year: f.Year, Query: f.Query, BeforeID: f.BeforeID, Limit: f.Limit}
	// "570/STTTT-TTBCBC" typed as a query means number + notation.
	if f.Number == "" && f.Notation == "" {
		if n, no, ok := strings.Cut(strings.TrimSpace(f.Query), "/"); ok && n != "" && no != "" && !strings.Contains(n, " ") && !strings.Contains(no, " ") {
			sf.Number, sf.Notation, sf.Query = n, no, ""
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
	return s.store.Documents(ctx, sf)
}
