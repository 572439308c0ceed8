package model

import "time"

// Directive is an outgoing document of a unit as stored: its draft content
// (JSON, owned by package directives), workflow state and, once issued,
// its number, rendered PDF and fields.
type Directive struct {
	ID                   int64      `json:"id"`
	UnitID               int64      `json:"unit_id"`          // issuing agency
	DraftingUnitID       int64      `json:"drafting_unit_id"` // the agency or one of its departments
	CreatedBy            *int64     `json:"created_by"`
	Status               string     `json:"status"`
	Step                 int        `json:"step"` // approval steps passed
	Version              int        `json:"version"`
	Content              string     `json:"-"`
	DocType              string     `json:"doc_type"`
	Subject              string     `json:"subject"`
	ImplementsDocumentID *int64     `json:"implements_document_id"`
	ParentDeliveryID     *int64     `json:"parent_delivery_id"`
	CorrectionOf         *int64     `json:"correction_of"`
	CorrectionKind       string     `json:"correction_kind"`
	DocumentID           *int64     `json:"document_id"`
	RegisterEntryID      *int64     `json:"register_entry_id"`
	PDFSHA               string     `json:"pdf_sha256"`
	Code                 string     `json:"code"`
	IssuedDate           string     `json:"issued_date"`
	IssuedAt             *time.Time `json:"issued_at"`
	IssuedBy             *int64     `json:"issued_by"`
	Fields               string     `json:"-"`
	DeadlineAt           *time.Time `json:"deadline_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// IssuedDirective is what issuing records on a directive.
type IssuedDirective struct {
	DocumentID      int64
	RegisterEntryID int64
	PDFSHA          string
	Code            string
	Date            string
	By              *int64
	Fields          string
	Content         string // content as issued (signer filled in)
}

// DirectiveFilter selects directives.
type DirectiveFilter struct {
	UnitIDs   []int64 // issued by one of these units (agencies)
	Statuses  []string
	CreatedBy int64
	BeforeID  int64
	Limit     int
}

// DirectiveVersion is one saved state of a draft.
type DirectiveVersion struct {
	Version  int       `json:"version"`
	SavedBy  *int64    `json:"saved_by"`
	SavedAt  time.Time `json:"saved_at"`
	Note     string    `json:"note"`
	Autosave bool      `json:"autosave"`
	Content  string    `json:"-"`
}

// DirectiveComment is a comment or a workflow event on a directive.
type DirectiveComment struct {
	ID          int64     `json:"id"`
	DirectiveID int64     `json:"directive_id"`
	UserID      *int64    `json:"user_id"`
	Author      string    `json:"author"`
	Kind        string    `json:"kind"` // comment, submit, approve, return, issue, forward, correct
	Step        int       `json:"step"`
	Text        string    `json:"text"`
	At          time.Time `json:"at"`
}

// DirectiveItem is a content item of an issued directive, with its
// broadcast fields (JSON columns audio and slots).
type DirectiveItem struct {
	DirectiveID   int64
	Position      int
	Label         string
	Text          string
	Broadcast     bool
	BroadcastText string
	Audio         string // JSON list of blob sha256
	Level         string
	StartDate     string
	EndDate       string
	TimesPerDay   int
	Slots         string // JSON list of schedule.Slot
}

// DirectiveBroadcastItem is a broadcast content item delivered to a unit.
type DirectiveBroadcastItem struct {
	DirectiveItem
	DeliveryID     int64
	DeliveryStatus string
	SenderUnitID   int64
	Code           string
	Subject        string
	IssuedDate     string
	DeadlineAt     *time.Time
}

// DirectiveSettings is a unit's configuration of the directive workflow.
type DirectiveSettings struct {
	UnitID             int64     `json:"unit_id"`
	ApprovalSteps      string    `json:"-"` // JSON, owned by package directives
	AutoIssue          bool      `json:"auto_issue"`
	RemindAfterMin     int       `json:"remind_after_minutes"`
	RemindEveryMin     int       `json:"remind_every_minutes"`
	MaxReminders       int       `json:"max_reminders"`
	EscalateAfterMin   int       `json:"escalate_after_minutes"`
	EmailNotifications bool      `json:"email_notifications"`
	WebhookURL         string    `json:"webhook_url"`
	WebhookSecret      string    `json:"-"`
	UpdatedAt          time.Time `json:"updated_at"`
	Stored             bool      `json:"-"` // false: defaults, no row yet
}
