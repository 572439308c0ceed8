package model

import "time"

// ChannelList is a unit's list of SMS/OTT subscribers.
type ChannelList struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	Active      int       `json:"active"` // subscribers who consented and did not opt out
}

// Subscriber is one phone number on a list, with the consent it was
// added on. OptedOutAt is set when the citizen refused further messages.
type Subscriber struct {
	ListID        int64      `json:"list_id"`
	Phone         string     `json:"phone"` // E.164, +84…
	Name          string     `json:"name"`
	ConsentSource string     `json:"consent_source"`
	ConsentAt     time.Time  `json:"consent_at"`
	OptedOutAt    *time.Time `json:"opted_out_at"`
	CreatedBy     string     `json:"created_by"`
	UpdatedAt     time.Time  `json:"updated_at"`
}
