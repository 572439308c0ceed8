package model

import "time"

// Play statuses reported by devices.
const (
	PlayCompleted   = "completed"
	PlayInterrupted = "interrupted"
	PlayFailed      = "failed"
)

// PlayLog is one play reported by a device; (DeviceID, EventID) is unique,
// so a replayed report is stored once.
type PlayLog struct {
	DeviceID   int64     `json:"device_id"`
	EventID    string    `json:"event_id"`
	ItemID     string    `json:"item_id"`
	OrderID    int64     `json:"order_id"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	EndedAt    time.Time `json:"ended_at"`
	ReceivedAt time.Time `json:"received_at"`
}

// PlayLogFilter selects play logs.
type PlayLogFilter struct {
	DeviceID int64
	OrderID  int64
	Limit    int
}

// UnitPlayStats counts the plays of one order on the devices of one unit.
type UnitPlayStats struct {
	UnitID      int64      `json:"unit_id"`
	Devices     int        `json:"devices"`   // devices that reported at least one play
	Completed   int        `json:"completed"` // completed plays, at most one per device and occurrence
	Interrupted int        `json:"interrupted"`
	Failed      int        `json:"failed"`
	LastPlayed  *time.Time `json:"last_played"`
}
