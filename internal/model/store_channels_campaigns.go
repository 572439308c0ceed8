package model

import "time"

// Campaign statuses.
const (
	CampaignSending   = "sending"
	CampaignDone      = "done"
	CampaignCancelled = "cancelled"
)

// Outbox message statuses. Queued and sending are pending; the others
// are final except sent, which a delivery receipt turns into delivered,
// failed or expired.
const (
	MsgQueued    = "queued"
	MsgSending   = "sending" // an attempt is in flight (until next_at, its lease)
	MsgSent      = "sent"    // the provider accepted it
	MsgDelivered = "delivered"
	MsgFailed    = "failed"
	MsgExpired   = "expired"
	MsgUnknown   = "unknown" // in doubt and the provider cannot deduplicate: not resent
	MsgCancelled = "cancelled"
	MsgSkipped   = "skipped" // the recipient opted out before it was sent
)

// Attempt outcomes ("" while in flight).
const (
	AttemptAccepted  = "accepted"
	AttemptDuplicate = "duplicate"
	AttemptRetry     = "retry"
	AttemptFailed    = "failed"
	AttemptInDoubt   = "in_doubt"
)

// Campaign is an SMS/OTT campaign: one text to many recipients.
type Campaign struct {
	ID          int64      `json:"id"`
	UnitID      int64      `json:"unit_id"`
	Channel     string     `json:"channel"`
	Body        string     `json:"text"`
	Parts       int        `json:"parts"`
	OrderID     int64      `json:"order_id,omitempty"`
	DirectiveID int64      `json:"directive_id,omitempty"`
	Status      string     `json:"status"`
	Recipients  int        `json:"recipients"`
	Excluded    int        `json:"excluded"` // opted-out numbers left out at creation
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

// OutMessage is one row of the outbox: one part of the campaign's text to
// one recipient, with a client reference unique to it that the provider
// receives on every attempt.
type OutMessage struct {
	ID         int64      `json:"id"`
	CampaignID int64      `json:"campaign_id"`
	Channel    string     `json:"channel"`
	Phone      string     `json:"phone"`
	Part       int        `json:"part"`
	Parts      int        `json:"parts"`
	Body       string     `json:"text"`
	ClientRef  string     `json:"client_ref"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	NextAt     time.Time  `json:"next_at"`
	ProviderID string     `json:"provider_id"`
	LastError  string     `json:"last_error"`
	SentAt     *time.Time `json:"sent_at"`
	ReceiptAt  *time.Time `json:"receipt_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// CampaignStatus is joined by MessageToSend.
	CampaignStatus string `json:"-"`
}

// Attempt is one try to hand a message to the provider, written before
// the call: an attempt without outcome after a crash is in doubt.
type Attempt struct {
	ID         int64      `json:"id"`
	MessageID  int64      `json:"message_id"`
	N          int        `json:"n"`
	ClientRef  string     `json:"client_ref"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Outcome    string     `json:"outcome"`
	ProviderID string     `json:"provider_id"`
	Error      string     `json:"error"`
}

// CampaignFilter selects campaigns; zero fields do not filter.
type CampaignFilter struct {
	UnitID      int64
	OrderID     int64
	DirectiveID int64
	Limit       int
}
