// Package intake takes documents in from outside Loa without a person at
// the upload form: a watched folder (Watcher), an IMAP mailbox (Mailbox)
// and the bulk import of an archive (Bulk). Each file goes through one
// Pipeline: parse and store it (documents.Service.Import, which
// deduplicates by content hash, so a retried file is never stored twice),
// link its references, and enter it in the incoming register of the
// configured unit once (registry.RegisterIncomingOnce).
package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
)

// Documents is what intake needs of the documents service.
type Documents interface {
	Import(ctx context.Context, a model.Actor, in documents.ImportInput) (*documents.ImportResult, error)
	ImportEdXML(ctx context.Context, a model.Actor, unitID int64, r io.Reader) (*documents.ImportResult, error)
}

// Registry is what intake needs of the registry service.
type Registry interface {
	RegisterIncomingOnce(ctx context.Context, a model.Actor, unitID, documentID int64, handler, notes string) (*model.RegisterEntry, bool, error)
}

// Status of one file.
const (
	Imported   = "imported"    // stored now
	Already    = "already"     // the same file was stored before (retried or sent twice)
	SameLetter = "same-letter" // the same letter in another file: skipped
	Failed     = "failed"      // not a readable document; Reason says why
)

// Outcome is what became of one file.
type Outcome struct {
	Name       string
	Status     string
	Reason     string // for failed and same-letter files
	DocumentID int64
	Code       string
	Registered int  // incoming register number, 0 when not registered
	Copy       bool // stored as another copy of the same letter
}

// Pipeline imports files into one unit.
type Pipeline struct {
	Docs     Documents
	Registry Registry // nil: documents are stored but not registered
	Unit     int64
	Actor    model.Actor
	// Direction of stored documents (default incoming); only incoming
	// documents are registered.
	Direction string
	// Note is written in the register line (where the document came from).
	Note string
	// KeepDuplicate stores the same letter in another file as a copy
	// (documents.ImportInput.KeepDuplicate) instead of skipping it.
	KeepDuplicate bool
}

// File imports one file. Errors of the file itself (not a document, too
// large, encrypted …) are an Outcome with Status Failed and the reason;
// the error is for failures of Loa itself (database, disk, cancelled).
func (p *Pipeline) File(ctx context.Context, name string, data []byte) (Outcome, error) {
	out := Outcome{Name: name}
	dir := p.Direction
	if dir == "" {
		dir = model.Incoming
	}
	var res *documents.ImportResult
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml", ".edxml":
		res, err = p.Docs.ImportEdXML(ctx, p.Actor, p.Unit, bytes.NewReader(data))
	default:
		res, err = p.Docs.Import(ctx, p.Actor, documents.ImportInput{UnitID: p.Unit, Direction: dir, Filename: name, Data: bytes.NewReader(data),
			KeepDuplicate: p.KeepDuplicate})
	}
	var dup *documents.DuplicateError
	switch {
	case errors.As(err, &dup):
		out.Status, out.DocumentID, out.Code = SameLetter, dup.Existing.ID, dup.Existing.Code()
		out.Reason = fmt.Sprintf("the same document as %s (id %d), already stored from another file", dup.Existing.Code(), dup.Existing.ID)
		return out, nil
	case err != nil && fileError(err):
		out.Status, out.Reason = Failed, err.Error()
		return out, nil
	case err != nil:
		return out, fmt.Errorf("import %s: %w", name, err)
	}
	out.DocumentID, out.Code = res.Document.ID, res.Document.Code()
	out.Status, out.Copy = Imported, res.Document.CopyOf != nil
	if res.Duplicate {
		out.Status = Already
	}
	if p.Registry != nil && res.Document.Direction == model.Incoming && res.Document.CopyOf == nil {
		e, _, err := p.Registry.RegisterIncomingOnce(ctx, p.Actor, p.Unit, res.Document.ID, "", p.Note)
		if err != nil {
			return out, fmt.Errorf("register %s: %w", name, err)
		}
		out.Registered = e.Number
	}
	return out, nil
}

// fileError tells failures of the file (refused with a reason) from
// failures of Loa.
func fileError(err error) bool {
	var v *model.ValidationError
	return errors.As(err, &v) || errors.Is(err, documents.ErrTooLarge) || errors.Is(err, model.ErrConflict)
}
