package model

import "time"

// Feedback kinds: a comment on a bulletin, a question, a loudspeaker
// complaint.
const (
	FeedbackComment  = "feedback"
	FeedbackQuestion = "question"
	FeedbackSpeaker  = "speaker"
)

// Loudspeaker problems a citizen can report.
const (
	SpeakerTooLoud   = "too_loud"
	SpeakerTooEarly  = "too_early"
	SpeakerBroken    = "broken"
	SpeakerInaudible = "inaudible"
)

// Feedback states.
const (
	FeedbackNew      = "new"
	FeedbackAssigned = "assigned"
	FeedbackAnswered = "answered"
	FeedbackClosed   = "closed"
)

// Feedback is one message a citizen sent from a unit's public page, and
// how officials handled it. Body, names and answers are plain text.
type Feedback struct {
	ID              int64      `json:"id"`
	UnitID          int64      `json:"unit_id"` // the commune whose page received it
	UnitName        string     `json:"unit_name"`
	Kind            string     `json:"kind"`
	Problem         string     `json:"problem,omitempty"`
	OrderID         *int64     `json:"order_id"`
	OrderTitle      string     `json:"order_title,omitempty"`
	DeviceID        *int64     `json:"device_id"`
	DeviceName      string     `json:"device_name,omitempty"`
	Body            string     `json:"body"`
	SenderName      string     `json:"sender_name"`
	SenderPhone     string     `json:"sender_phone"`
	Consent         bool       `json:"consent"`
	ClientAddr      string     `json:"-"`
	State           string     `json:"state"`
	AssignedUnitID  *int64     `json:"assigned_unit_id"`
	AssignedName    string     `json:"assigned_unit_name,omitempty"`
	EscalatedUnitID *int64     `json:"escalated_unit_id"`
	DueAt           time.Time  `json:"due_at"`
	EscalatedAt     *time.Time `json:"escalated_at"`
	Answer          string     `json:"answer"`
	AnswerPublic    bool       `json:"answer_public"`
	AnsweredBy      string     `json:"answered_by"`
	AnsweredAt      *time.Time `json:"answered_at"`
	ClosedAt        *time.Time `json:"closed_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	// IsOverdue: waiting for an answer past DueAt, by the service's clock
	// when it was read.
	IsOverdue bool `json:"overdue"`
}

// Overdue reports whether the feedback waits for an answer past its due time.
func (f *Feedback) Overdue(now time.Time) bool {
	return (f.State == FeedbackNew || f.State == FeedbackAssigned) && now.After(f.DueAt)
}

// FeedbackFigures are the feedback figures of a unit's subtree over a
// period [From, To): received in the period, handled (answered) in the
// period, open at its end, and the median time from receipt to answer of
// those handled in the period.
type FeedbackFigures struct {
	UnitID        int64         `json:"unit_id"`
	From          time.Time     `json:"from"`
	To            time.Time     `json:"to"`
	Received      int           `json:"received"`
	Handled       int           `json:"handled"`
	Open          int           `json:"open"`
	MedianHandle  time.Duration `json:"-"`
	MedianSeconds int64         `json:"median_handling_seconds"`
}
