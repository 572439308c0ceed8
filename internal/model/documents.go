package model

import (
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

// Directions of a stored document relative to the unit holding it.
const (
	Incoming  = "incoming"  // received from outside (văn bản đến)
	Outgoing  = "outgoing"  // issued by the unit (văn bản đi)
	Reference = "reference" // kept for reference only
)

// Document is an official document held by a unit, with its parsed (and
// possibly corrected) fields and its original file.
type Document struct {
	ID        int64           `json:"id"`
	UnitID    int64           `json:"unit_id"`
	Direction string          `json:"direction"`
	Fields    docmodel.Fields `json:"fields"`
	BodyText  string          `json:"-"`
	Original  *Original       `json:"original,omitempty"`
	Version   int             `json:"version"`
	CreatedBy *int64          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// CopyOf is the document this one is another copy of: the same
	// letter (issuer, number, notation, date) received again as another
	// file and kept on purpose.
	CopyOf *int64 `json:"copy_of,omitempty"`
}

// Code is "number/notation" as printed ("570/STTTT-TTBCBC"), or "".
func (d *Document) Code() string {
	n, s := docmodel.Val(d.Fields.Number), docmodel.Val(d.Fields.Notation)
	switch {
	case n != "" && s != "":
		return n + "/" + s
	case s != "":
		return s
	}
	return n
}

// Original is the file a document was imported from (in the blob store).
type Original struct {
	SHA256      string `json:"sha256"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// DocumentVersion is one saved state of a document's fields.
type DocumentVersion struct {
	Version  int             `json:"version"`
	Fields   docmodel.Fields `json:"fields"`
	EditedBy *int64          `json:"edited_by"`
	EditedAt time.Time       `json:"edited_at"`
	Note     string          `json:"note"`
}

// DocRef is a reference cited by a document, resolved to a stored
// document when one matches (same number, notation and year).
type DocRef struct {
	Position   int    `json:"position"`
	DocType    string `json:"doc_type"`
	Number     string `json:"number"`
	Notation   string `json:"notation"`
	Year       *int   `json:"year"`
	Issuer     string `json:"issuer"`
	Text       string `json:"text"`
	ResolvedID *int64 `json:"resolved_id"`
	// Restricted is set (for pages only) when the reference matches a
	// stored document the reader may not open: it is shown without link.
	Restricted bool `json:"-"`
}

// Citation is a stored document that cites another.
type Citation struct {
	DocumentID int64  `json:"document_id"`
	Code       string `json:"code"`
	Subject    string `json:"subject"`
	DocType    string `json:"doc_type"`
	Date       string `json:"date"`
}

// Register series.
const (
	SeriesOutgoing = "outgoing"
	SeriesIncoming = "incoming"
)

// RegisterEntry is one line of a document register (Decree 30, App. IV).
type RegisterEntry struct {
	ID         int64     `json:"id"`
	UnitID     int64     `json:"unit_id"`
	Year       int       `json:"year"`
	Series     string    `json:"series"`
	Number     int       `json:"number"`
	DocumentID *int64    `json:"document_id"`
	EntryDate  string    `json:"entry_date"` // day registered (YYYY-MM-DD)
	DocType    string    `json:"doc_type"`
	Code       string    `json:"code"`     // số, ký hiệu
	DocDate    string    `json:"doc_date"` // date of the document
	Subject    string    `json:"subject"`
	Party      string    `json:"party"`   // signer (outgoing) or author/sender (incoming)
	Handler    string    `json:"handler"` // recipients (outgoing) or handling unit/person (incoming)
	Copies     int       `json:"copies"`
	Notes      string    `json:"notes"`
	CreatedAt  time.Time `json:"created_at"`
}

// Envelope is the file a document arrived in, kept beside its original:
// the e-mail of the mailbox intake (the document is its attachment).
type Envelope struct {
	DocumentID int64     `json:"document_id"`
	SHA256     string    `json:"sha256"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	Source     string    `json:"source"`     // e.g. imap://user@host/INBOX
	MessageID  string    `json:"message_id"` // the e-mail's Message-ID
	CreatedAt  time.Time `json:"created_at"`
}
