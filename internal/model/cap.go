package model

import "time"

// CAP inbound states.
const (
	CAPDraft    = "draft"
	CAPApproved = "approved"
	CAPRejected = "rejected"
)

// CAPInbound is a CAP 1.2 alert received from another system (posted or
// polled), waiting as a draft emergency order for an approver of the
// receiving unit, or decided.
type CAPInbound struct {
	ID          int64      `json:"id"`
	UnitID      int64      `json:"unit_id"` // the receiving unit, whose approvers decide
	Identifier  string     `json:"identifier"`
	Sender      string     `json:"sender"`
	Sent        string     `json:"sent"`
	MsgType     string     `json:"msg_type"`
	Status      string     `json:"status"`
	Headline    string     `json:"headline"`
	Refs        string     `json:"references"`
	XML         string     `json:"-"`
	TargetUnits []int64    `json:"target_units"` // units whose areas the alert names
	Unmatched   string     `json:"unmatched"`    // area names that matched no unit
	State       string     `json:"state"`
	ReceivedBy  string     `json:"received_by"`
	ReceivedAt  time.Time  `json:"received_at"`
	DecidedBy   string     `json:"decided_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	OrderID     *int64     `json:"order_id"`
}

// CAPOrderInfo is one language's info block of an emergency order
// published as CAP.
type CAPOrderInfo struct {
	OrderID     int64
	Lang        string // RFC 3066, e.g. vi-VN, en-US
	Event       string
	Headline    string
	Description string
	Instruction string
}

// CAPOrderLink ties an emergency order to the CAP alert it came from and
// the order it replaces (0: none).
type CAPOrderLink struct {
	OrderID           int64
	InboundID         int64
	SupersedesOrderID int64
}
