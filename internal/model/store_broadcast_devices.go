package model

import "time"

// Device is an enrolled broadcast device: a loudspeaker cluster or an
// electronic bulletin board belonging to a unit (a commune radio station).
type Device struct {
	ID               int64  `json:"id"`
	UnitID           int64  `json:"unit_id"`
	Name             string `json:"name"`
	Kind             string `json:"kind"`
	HardwareID       string `json:"hardware_id"`
	CredentialPrefix string `json:"credential_prefix"`
	EnrolmentKeyID   *int64 `json:"enrolment_key_id"`
	ScheduleVersion  int64  `json:"schedule_version"`
	// EnrolledAt is when the device enrolled on the service's clock.
	EnrolledAt      time.Time  `json:"enrolled_at"`
	CreatedAt       time.Time  `json:"created_at"`
	RevokedAt       *time.Time `json:"revoked_at"`
	LastSeenAt      *time.Time `json:"last_seen_at"`
	LastHeartbeatAt *time.Time `json:"last_heartbeat_at"`
	Status          string     `json:"status"`
	Volume          int        `json:"volume"`
	Signal          int        `json:"signal"`
	Firmware        string     `json:"firmware"`
	LastPlayedItem  string     `json:"last_played_item"`
	LastPlayedAt    *time.Time `json:"last_played_at"`
}

// ScheduleHeader is what is known of the schedule last built for a device.
type ScheduleHeader struct {
	Version int64  // the device's schedule_version it was built for (0: never built)
	Day     string // the local day it was built on, YYYY-MM-DD
	ETag    string
}

// LegacyKeyLifetime is how long an enrolment key stored without an expiry
// (before keys got one) stays usable after its creation.
const LegacyKeyLifetime = 7 * 24 * time.Hour

// DeviceSeen is a batched update of what a device last reported.
type DeviceSeen struct {
	DeviceID  int64
	SeenAt    time.Time
	Heartbeat bool // the fields below come from a heartbeat
	Status    string
	Volume    int
	Signal    int
	Firmware  string
}

// DeviceCommand is a remote command queued for a device.
type DeviceCommand struct {
	ID          int64      `json:"id"`
	DeviceID    int64      `json:"device_id"`
	Kind        string     `json:"kind"`
	Payload     string     `json:"payload"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}
