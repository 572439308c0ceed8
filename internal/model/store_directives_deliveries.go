package model

import "time"

// Delivery is one recipient unit's copy of an issued directive: an outbox
// row while pending, then the recipient's inbox entry with its states.
type Delivery struct {
	ID                 int64      `json:"id"`
	DirectiveID        int64      `json:"directive_id"`
	RecipientUnitID    int64      `json:"recipient_unit_id"`
	SenderUnitID       int64      `json:"sender_unit_id"`
	Purpose            string     `json:"purpose"`
	Status             string     `json:"status"`
	Code               string     `json:"code"`
	DocType            string     `json:"doc_type"`
	Subject            string     `json:"subject"`
	DocDate            string     `json:"doc_date"`
	DeadlineAt         *time.Time `json:"deadline_at"`
	Attempts           int        `json:"attempts"`
	AvailableAt        time.Time  `json:"-"`
	LastError          string     `json:"last_error,omitempty"`
	DocumentID         *int64     `json:"document_id"`
	RegisterEntryID    *int64     `json:"register_entry_id"`
	DeliveredAt        *time.Time `json:"delivered_at"`
	ReadAt             *time.Time `json:"read_at"`
	ReadBy             *int64     `json:"read_by"`
	AcknowledgedAt     *time.Time `json:"acknowledged_at"`
	AcknowledgedBy     *int64     `json:"acknowledged_by"`
	AssignedAt         *time.Time `json:"assigned_at"`
	AssignedBy         *int64     `json:"assigned_by"`
	AssigneeUserID     *int64     `json:"assignee_user_id"`
	AssigneeUnitID     *int64     `json:"assignee_unit_id"`
	AssignNote         string     `json:"assign_note"`
	ForwardedAt        *time.Time `json:"forwarded_at"`
	ForwardedBy        *int64     `json:"forwarded_by"`
	ForwardDirectiveID *int64     `json:"forward_directive_id"`
	ReportedAt         *time.Time `json:"reported_at"`
	ReportedBy         *int64     `json:"reported_by"`
	Report             string     `json:"-"` // JSON, owned by package directives
	ClosedAt           *time.Time `json:"closed_at"`
	ClosedBy           *int64     `json:"closed_by"`
	DeclinedAt         *time.Time `json:"declined_at"`
	DeclinedBy         *int64     `json:"declined_by"`
	DeclineReason      string     `json:"decline_reason"`
	Late               bool       `json:"late"`
	Reminders          int        `json:"reminders"`
	LastRemindedAt     *time.Time `json:"last_reminded_at"`
	EscalatedAt        *time.Time `json:"escalated_at"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// NewDelivery is a pending delivery to insert when a directive is issued.
type NewDelivery struct {
	RecipientUnitID int64
	Purpose         string
}

// DeliveryHeader is what every delivery of one directive shares.
type DeliveryHeader struct {
	DirectiveID  int64
	SenderUnitID int64
	Code         string
	DocType      string
	Subject      string
	DocDate      string
	DeadlineAt   *time.Time
}

// DeliveryChange is a recipient's (or the issuer's) step on a delivery.
// Status selects which columns it records.
type DeliveryChange struct {
	Status             string
	At                 time.Time
	By                 *int64
	AssigneeUserID     *int64
	AssigneeUnitID     *int64
	AssignNote         string
	ForwardDirectiveID *int64
	Report             string
	DeclineReason      string
	// Late: the change happens after the deadline (a first confirmation
	// or a report then marks the delivery late).
	Late bool
}

// InboxFilter selects a unit's received deliveries.
type InboxFilter struct {
	UnitID int64 // received by this unit
	// Or, when UnitID is 0: assigned to this user or this unit.
	AssigneeUserID int64
	AssigneeUnitID int64

	Statuses []string
	Purpose  string
	// Words are search words, folded as package directives indexes them
	// (lower case, no diacritics); each must prefix a word of the code,
	// type or subject.
	Words    []string
	Overdue  time.Time // when set: deadline before this instant and not done
	Late     bool      // reported after the deadline
	BeforeID int64
	Limit    int
}

// DeliveryReminder is a reminder (Nhắc việc) or urging (Đôn đốc) an issuer
// sent by hand to a recipient from the tracking matrix.
type DeliveryReminder struct {
	ID         int64     `json:"id"`
	DeliveryID int64     `json:"delivery_id"`
	Kind       string    `json:"kind"` // remind, urge
	Message    string    `json:"message"`
	Channels   string    `json:"channels"` // comma-separated: inapp, email
	SentBy     *int64    `json:"sent_by"`
	SentAt     time.Time `json:"sent_at"`
}
