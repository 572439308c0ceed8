package model

import "time"

// RetentionRule is how long documents of a type are kept (Thông tư
// 10/2022/TT-BNV); Years 0 means permanently.
type RetentionRule struct {
	DocType   string    `json:"doc_type"`
	Years     int       `json:"years"`
	Basis     string    `json:"basis"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LegalHold keeps a document whatever its retention period.
type LegalHold struct {
	ID          int64      `json:"id"`
	DocumentID  int64      `json:"document_id"`
	Code        string     `json:"code"`
	Subject     string     `json:"subject"`
	Reason      string     `json:"reason"`
	PlacedBy    *int64     `json:"placed_by"`
	PlacedAt    time.Time  `json:"placed_at"`
	ReleasedAt  *time.Time `json:"released_at"`
	ReleaseNote string     `json:"release_note"`
}

// DueDocument is a document whose retention period has run out.
type DueDocument struct {
	DocumentID int64  `json:"document_id"`
	UnitID     int64  `json:"unit_id"`
	Code       string `json:"code"`
	DocType    string `json:"doc_type"`
	DocDate    string `json:"doc_date"`
	Subject    string `json:"subject"`
	Year       int    `json:"year"`
	Years      int    `json:"years"`
	DueOn      string `json:"due_on"` // YYYY-MM-DD: 1 January after the period
}

// Disposal list states.
const (
	DisposalProposed = "proposed"
	DisposalApproved = "approved"
	DisposalRejected = "rejected"
	DisposalExecuted = "executed"
)

// DisposalList is a proposed, approved or executed disposal of documents
// whose retention ran out; ListSHA is its list document (a stored file).
type DisposalList struct {
	ID           int64          `json:"id"`
	UnitID       int64          `json:"unit_id"`
	Title        string         `json:"title"`
	Status       string         `json:"status"`
	ListSHA      string         `json:"list_sha256"`
	CreatedBy    *int64         `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
	DecidedBy    *int64         `json:"decided_by"`
	DecidedAt    *time.Time     `json:"decided_at"`
	DecisionNote string         `json:"decision_note"`
	ExecutedBy   *int64         `json:"executed_by"`
	ExecutedAt   *time.Time     `json:"executed_at"`
	Items        []DisposalItem `json:"items,omitempty"`
}

// DisposalItem is one document of a disposal list, as it was listed.
type DisposalItem struct {
	DocumentID  int64  `json:"document_id"`
	Code        string `json:"code"`
	DocType     string `json:"doc_type"`
	DocDate     string `json:"doc_date"`
	Subject     string `json:"subject"`
	Years       int    `json:"years"`
	OriginalSHA string `json:"original_sha256"`
}
