package model

import "time"

// Manual task statuses.
const (
	TaskOpen     = "open"
	TaskDone     = "done"     // confirmed by the due time
	TaskLate     = "late"     // confirmed after the due time
	TaskDeclined = "declined" // refused with a reason
)

// ChannelTask is a task on a manual channel (press, radio/TV,
// propagandists, printed material, bulletin boards): a responsible unit
// carries out an order's or a directive item's content on one channel
// kind and confirms it by hand with evidence.
type ChannelTask struct {
	ID           int64           `json:"id"`
	IssuerUnitID int64           `json:"issuer_unit_id"`
	UnitID       int64           `json:"unit_id"`
	OrderID      int64           `json:"order_id,omitempty"`
	DirectiveID  int64           `json:"directive_id,omitempty"`
	ItemNo       int             `json:"item_no,omitempty"`
	Kind         string          `json:"kind"`
	Title        string          `json:"title"`
	Instructions string          `json:"instructions"`
	DueDate      string          `json:"due_date"` // YYYY-MM-DD, local
	DueAt        time.Time       `json:"due_at"`   // end of the due day
	Status       string          `json:"status"`
	Reason       string          `json:"reason,omitempty"`
	Note         string          `json:"note,omitempty"`
	ClosedBy     string          `json:"closed_by,omitempty"`
	ClosedAt     *time.Time      `json:"closed_at"`
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
	Evidence     []*TaskEvidence `json:"evidence"`
	// Joined from units.
	UnitName   string `json:"unit_name"`
	UnitPath   string `json:"-"`
	IssuerPath string `json:"-"`
}

// TaskEvidence is one piece of evidence of a confirmation: a link, or a
// photo or file stored in the blob store.
type TaskEvidence struct {
	ID        int64     `json:"id"`
	TaskID    int64     `json:"task_id"`
	Kind      string    `json:"kind"` // link, photo, file
	URL       string    `json:"url,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	Size      int64     `json:"size,omitempty"`
	MIME      string    `json:"mime,omitempty"`
	Filename  string    `json:"filename,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// TaskFilter selects tasks; zero fields do not filter.
type TaskFilter struct {
	UnderPath   string // responsible unit or issuer under this path
	UnitID      int64  // responsible unit
	OrderID     int64
	DirectiveID int64
	Status      string
	Limit       int
}

// TaskCount is a number of tasks of one responsible unit, kind and status;
// Overdue counts open tasks past their due time.
type TaskCount struct {
	UnitID     int64
	UnitName   string
	UnitPath   string
	IssuerPath string
	Kind       string
	Status     string
	Overdue    bool
	N          int
}
