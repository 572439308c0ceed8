package model

import "time"

// BroadcastSettings is a unit's configuration of broadcasting.
type BroadcastSettings struct {
	UnitID int64 `json:"unit_id"`
	// AutoPriority: priority items of directives the unit receives are
	// put on its devices as soon as they arrive (emergency items always
	// are; normal items wait for the operator).
	AutoPriority bool       `json:"auto_schedule_priority"`
	UpdatedBy    string     `json:"updated_by,omitempty"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

// AutoScheduleJob is a delivery whose urgent broadcast items wait to be
// scheduled on the devices of the recipient (or of its radio station).
type AutoScheduleJob struct {
	ID            int64      `json:"id"`
	DeliveryID    int64      `json:"delivery_id"`
	UnitID        int64      `json:"unit_id"` // the recipient of the delivery
	DirectiveID   int64      `json:"directive_id"`
	Code          string     `json:"code"` // of the directive
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	DoneAt        *time.Time `json:"done_at"`
	FailedAt      *time.Time `json:"failed_at"`
	Result        string     `json:"-"` // JSON summary, owned by package bridge (which shows each unit its part)
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
}
