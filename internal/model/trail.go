package model

import "time"

// Handling trail actions (luân chuyển văn bản đến).
const (
	TrailReceived     = "received"     // a delivery arrived in the unit's inbox
	TrailRegistered   = "registered"   // entered in the incoming register (Detail: arrival number)
	TrailAssigned     = "assigned"     // passed to a person or sub-unit with an instruction (bút phê)
	TrailRead         = "read"         // first opened by the recipient unit
	TrailAcknowledged = "acknowledged" // receipt confirmed
	TrailForwarded    = "forwarded"    // an implementing document drafted for lower units
	TrailReported     = "reported"     // execution report sent
	TrailDeclined     = "declined"     // refused; for a document received as edXML, refused before registration (Instruction: the reason)
	TrailClosed       = "closed"       // the issuer accepted the report
	TrailFinished     = "finished"     // handling of a registered incoming document finished (Instruction: the result)
)

// TrailEntry is one step of the handling of an incoming document or a
// delivery: who did what, passed it to whom, with what instruction and
// deadline, and when. Entries are append-only; names are as they were at
// the time of the step.
type TrailEntry struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	DocumentID  *int64    `json:"document_id,omitempty"`
	DeliveryID  *int64    `json:"delivery_id,omitempty"`
	Action      string    `json:"action"`
	State       string    `json:"state,omitempty"` // the delivery's state after the step
	ActorUserID *int64    `json:"actor_user_id,omitempty"`
	ActorName   string    `json:"actor_name"`
	ToUserID    *int64    `json:"to_user_id,omitempty"`
	ToUnitID    *int64    `json:"to_unit_id,omitempty"`
	ToName      string    `json:"to_name,omitempty"`
	Instruction string    `json:"instruction,omitempty"`
	Deadline    string    `json:"deadline,omitempty"` // YYYY-MM-DD, end of that day local time
	Detail      string    `json:"detail,omitempty"`
	At          time.Time `json:"at"`
}

// Trail is the handling trail of one document or delivery, oldest step
// first, with who holds it now.
type Trail struct {
	Entries []TrailEntry `json:"entries"`
	// Holder is the person or sub-unit the last assignment passed it to
	// ("" when it was never assigned).
	Holder         string `json:"current_assignee,omitempty"`
	HolderDeadline string `json:"current_deadline,omitempty"`
	// Outcome is how the handling of a stored incoming document ended:
	// "declined" (refused before registration) or "finished"; "" while
	// it is open. A finished document has no holder.
	Outcome string `json:"outcome,omitempty"`
}

// NewTrail sums up entries (oldest first).
func NewTrail(entries []TrailEntry) *Trail {
	t := &Trail{Entries: entries}
	if t.Entries == nil {
		t.Entries = []TrailEntry{}
	}
	for _, e := range entries {
		switch {
		case e.Action == TrailAssigned:
			t.Holder, t.HolderDeadline = e.ToName, e.Deadline
		case e.DeliveryID == nil && (e.Action == TrailDeclined || e.Action == TrailFinished):
			t.Outcome = e.Action
			t.Holder, t.HolderDeadline = "", ""
		}
	}
	return t
}
