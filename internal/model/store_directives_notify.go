package model

import "time"

// Notification is an in-app message for a unit (or one of its users).
type Notification struct {
	ID          int64      `json:"id"`
	UnitID      int64      `json:"unit_id"`
	UserID      *int64     `json:"user_id"`
	Kind        string     `json:"kind"`
	DirectiveID *int64     `json:"directive_id"`
	DeliveryID  *int64     `json:"delivery_id"`
	Message     string     `json:"message"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at"`
}

// NotifyMessage is an e-mail or webhook call waiting to be sent.
type NotifyMessage struct {
	ID            int64
	Channel       string // email or webhook
	UnitID        int64  // whose settings (webhook secret) apply
	Target        string // e-mail address or URL
	Event         string
	Subject       string
	Body          string
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	FailedAt      *time.Time
	LastError     string
	CreatedAt     time.Time
}
