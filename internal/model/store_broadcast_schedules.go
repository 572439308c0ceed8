package model

import "time"

// ScheduleItem is one play planned for (or pushed to) one device. Play
// logs must name an item the device was given.
type ScheduleItem struct {
	DeviceID int64     `json:"device_id"`
	ItemID   string    `json:"item_id"`
	OrderID  int64     `json:"order_id"`
	Level    string    `json:"level"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// DayItem is a scheduled item with its evidence, for calendar views.
type DayItem struct {
	ScheduleItem
	DeviceName  string `json:"device_name"`
	UnitID      int64  `json:"unit_id"`
	OrderTitle  string `json:"order_title"`
	Completed   int    `json:"completed"`   // 1 when a play with status completed was reported (an occurrence plays once)
	Interrupted int    `json:"interrupted"` // play logs with status interrupted
	Failed      int    `json:"failed"`
	// Since is when both the order and the device existed (the later of
	// the order's creation and the device's enrolment); a slot before it
	// was never expected to play.
	Since time.Time `json:"-"`
	// LastSeen is the device's last contact: a device not seen since
	// before a slot was offline, not silent.
	LastSeen *time.Time `json:"-"`
}

// UnitPlayTotal is what the devices owned by one unit played in a period
// (from the play rollups).
type UnitPlayTotal struct {
	UnitID  int64 `json:"unit_id"`
	Plays   int64 `json:"plays"`
	Seconds int64 `json:"seconds"`
}

// OrderUnitPlays is what the devices owned by one unit played of one
// order in a period (from the play rollups).
type OrderUnitPlays struct {
	OrderID     int64 `json:"order_id"`
	UnitID      int64 `json:"unit_id"`
	DirectiveID int64 `json:"directive_id"`
	Plays       int64 `json:"plays"`
	Seconds     int64 `json:"seconds"`
}

// UnitDirectiveTotal counts the directives one unit issued in a period
// and their main recipients.
type UnitDirectiveTotal struct {
	UnitID     int64 `json:"unit_id"`
	Issued     int64 `json:"issued"`
	Recipients int64 `json:"recipients"`
	Reported   int64 `json:"reported"`
	Late       int64 `json:"late"`
}

// UnitDeviceCount counts the active devices one unit owns and those online.
type UnitDeviceCount struct {
	UnitID  int64 `json:"unit_id"`
	Devices int64 `json:"devices"`
	Online  int64 `json:"online"`
}
