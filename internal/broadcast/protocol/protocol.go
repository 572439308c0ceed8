// Package protocol holds the wire types of Loa's device protocol, shared
// by the server (package broadcast and the web layer) and the device
// client (package deviceclient). docs/device-protocol.md describes the
// exchange; every body is JSON, every instant RFC 3339 in UTC.
package protocol

import (
	"fmt"
	"strings"
	"time"
)

// Endpoints. {id} is the device id returned by enrolment; every device
// endpoint but enrolment takes "Authorization: Bearer <credential>".
const (
	PathEnrol = "/api/v1/device/enrol"
	// Device-scoped paths, formatted with the device id (and the media hash).
	PathSchedule  = "/api/v1/device/%d/schedule"
	PathEvents    = "/api/v1/device/%d/events"
	PathHeartbeat = "/api/v1/device/%d/heartbeat"
	PathPlayLogs  = "/api/v1/device/%d/playlogs"
	PathMedia     = "/api/v1/device/%d/media/%s"
	// PathLive streams a live broadcast (an Item with Stream set), formatted
	// with the device id and the order id: WebM/Opus, starting at the
	// latest cluster (a device that joins late hears "now"), until the
	// operator stops.
	PathLive = "/api/v1/device/%d/live/%d"
)

// Limits of the protocol.
const (
	MaxPlayEvents  = 1000 // events in one play-log batch
	MaxEventIDLen  = 64
	MaxItemIDLen   = 128
	MaxNameLen     = 120
	MaxFieldLen    = 200
	MaxRequestBody = 1 << 20
)

// Device kinds.
const (
	KindLoudspeaker = "loudspeaker" // a cluster of loudspeakers (cụm loa)
	KindBoard       = "board"       // an electronic bulletin board
)

// EnrolRequest is sent once, with the unit's enrolment key.
type EnrolRequest struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Kind       string `json:"kind,omitempty"`
	HardwareID string `json:"hardware_id,omitempty"`
	Firmware   string `json:"firmware,omitempty"`
}

// EnrolResponse carries the device's own credential, shown this once.
type EnrolResponse struct {
	DeviceID   int64     `json:"device_id"`
	Credential string    `json:"credential"`
	UnitID     int64     `json:"unit_id"`
	UnitCode   string    `json:"unit_code"`
	UnitName   string    `json:"unit_name"`
	ServerTime time.Time `json:"server_time"`
}

// Media is the audio of an item in the device format (MP3), downloaded
// from PathMedia (HTTP Range supported) and checked against SHA256.
type Media struct {
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	DurationMS int64  `json:"duration_ms"`
	// OriginalSHA256 is the recorded file this audio was converted from
	// (the upper level's attachment, by blob hash); absent for speech.
	OriginalSHA256 string `json:"original_sha256,omitempty"`
}

// Duration is the playing time.
func (m Media) Duration() time.Duration { return time.Duration(m.DurationMS) * time.Millisecond }

// Item is one play in a device's schedule. Its ID is stable: the same
// order occurrence has the same ID in every schedule and push.
type Item struct {
	ID         string     `json:"id"`
	OrderID    int64      `json:"order_id"`
	Title      string     `json:"title"`
	Level      string     `json:"level"` // filler, normal, priority, live, emergency
	Interrupts bool       `json:"interrupts"`
	Requested  time.Time  `json:"requested"`
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	Truncated  bool       `json:"truncated,omitempty"`
	Expires    *time.Time `json:"expires,omitempty"`
	Media      Media      `json:"media"`
	// Stream: a live broadcast on air; play the stream at PathLive (its
	// Media is empty until the recording is stored).
	Stream bool `json:"stream,omitempty"`
}

// LevelRank orders levels: higher plays first (0 for an unknown level).
func LevelRank(level string) int {
	switch level {
	case "filler":
		return 1
	case "normal":
		return 2
	case "priority":
		return 3
	case "live":
		return 4
	case "emergency":
		return 5
	}
	return 0
}

// Schedule is a device's playlist for a window of days. Its HTTP ETag
// changes exactly when its content does.
type Schedule struct {
	DeviceID int64     `json:"device_id"`
	UnitCode string    `json:"unit_code"`
	Timezone string    `json:"timezone"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Items    []Item    `json:"items"`
	// Limits the device enforces itself, even offline: no volume above
	// the cap of the time of day (emergencies and live broadcasts aside).
	Limits *Limits `json:"limits,omitempty"`
}

// Limits are a device's quiet hours and volume caps ("HH:MM" local
// times in the schedule's time zone; To before From crosses midnight).
type Limits struct {
	QuietStart string      `json:"quiet_start,omitempty"`
	QuietEnd   string      `json:"quiet_end,omitempty"`
	VolumeCaps []VolumeCap `json:"volume_caps,omitempty"`
}

// VolumeCap is the highest volume (percent) allowed From–To.
type VolumeCap struct {
	From string `json:"from"`
	To   string `json:"to"`
	Max  int    `json:"max"`
}

// Event types on the push channel (server-sent events).
const (
	EventHello     = "hello"     // sent on connect (FetchAfterMS: when to fetch the schedule)
	EventEmergency = "emergency" // play Items[0] now; later items are repeats
	EventLive      = "live"      // play now (operator's "play now")
	EventSchedule  = "schedule"  // the schedule changed: fetch it
	EventCommand   = "command"   // a remote command
)

// Event is one message on the push channel.
type Event struct {
	Type     string    `json:"type"`
	IssuedAt time.Time `json:"issued_at"`
	OrderID  int64     `json:"order_id,omitempty"`
	Items    []Item    `json:"items,omitempty"`
	Command  *Command  `json:"command,omitempty"`
	// FetchAfterMS, on a hello only: the device's schedule must be
	// rebuilt and the server admits the rebuilds of many devices at once
	// (a cold start, a restart of the server) one after the other: it
	// sends the device a `schedule` event when its turn comes. The device
	// fetches its schedule on that event, or at the latest this many
	// milliseconds after the hello, instead of at once, and plays from
	// its stored schedule meanwhile; an emergency still reaches it on
	// this channel. 0 or absent: fetch now. Devices that ignore it (older
	// agents) fetch at once, as before, and may be answered 503 with
	// Retry-After.
	FetchAfterMS int64 `json:"fetch_after_ms,omitempty"`
}

// MaxFetchAfterMS bounds FetchAfterMS (a device polls again within its
// poll interval anyway).
const MaxFetchAfterMS = 5 * 60 * 1000

// Remote command kinds.
const (
	CommandVolume  = "volume"  // set the output volume (0–100)
	CommandRestart = "restart" // restart the agent
	CommandStop    = "stop"    // stop what is playing
)

// Command is a remote command for a device.
type Command struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Volume int    `json:"volume,omitempty"`
}

// Device states a heartbeat may report.
const (
	StatusOK       = "ok"       // playing or ready to play
	StatusDegraded = "degraded" // works with a problem (low signal, storage nearly full …)
	StatusError    = "error"    // cannot play
)

// DeviceStatuses are the known heartbeat states; any other is refused.
var DeviceStatuses = []string{StatusOK, StatusDegraded, StatusError}

// KnownDeviceStatus reports whether s is a known heartbeat state.
func KnownDeviceStatus(s string) bool {
	for _, v := range DeviceStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Bounds of heartbeat counters.
const (
	MaxUptimeS     = 10 * 366 * 24 * 3600 // ten years, in seconds
	MaxQueuedPlays = 1_000_000
)

// Heartbeat reports a device's state.
type Heartbeat struct {
	Status      string `json:"status"` // ok (default when empty), degraded or error
	Volume      int    `json:"volume"` // 0–100
	Signal      int    `json:"signal"` // dBm (negative) or 0 when unknown
	Firmware    string `json:"firmware,omitempty"`
	PlayingItem string `json:"playing_item,omitempty"`
	UptimeS     int64  `json:"uptime_s,omitempty"`
	QueuedPlays int    `json:"queued_plays,omitempty"`
}

// HeartbeatResponse returns commands that wait for the device.
type HeartbeatResponse struct {
	ServerTime time.Time `json:"server_time"`
	Commands   []Command `json:"commands,omitempty"`
}

// Play statuses.
const (
	PlayCompleted   = "completed"
	PlayInterrupted = "interrupted"
	PlayFailed      = "failed"
)

// PlayEvent is one play as the device reports it. EventID is chosen by
// the device, unique per device: a replayed event is stored once.
type PlayEvent struct {
	EventID   string    `json:"event_id"`
	ItemID    string    `json:"item_id"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	Error     string    `json:"error,omitempty"`
}

// PlayLogBatch is the body of a play-log upload.
type PlayLogBatch struct {
	Events []PlayEvent `json:"events"`
}

// PlayLogResult says what became of a batch.
type PlayLogResult struct {
	Accepted   int `json:"accepted"`   // new events stored
	Duplicates int `json:"duplicates"` // events already stored before
}

// Rejection names one refused event of a batch.
type Rejection struct {
	Index   int    `json:"index"`
	EventID string `json:"event_id"`
	Reason  string `json:"reason"`
}

// RejectedBatch is the body of a 422 answer to a play-log upload: nothing
// of the batch was stored; the device drops the rejected events and sends
// the rest again.
type RejectedBatch struct {
	Error    ErrorBody   `json:"error"`
	Rejected []Rejection `json:"rejected"`
}

// ErrorBody is the error shape of every API error.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// isID reports whether id is one or more letters, digits, '.', '_', ':'
// and '-' (checked for every event of every upload: a byte loop, not a
// regular expression).
func isID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// CheckEventID validates a device-chosen event id.
func CheckEventID(id string) error {
	if id == "" || len(id) > MaxEventIDLen || !isID(id) {
		return fmt.Errorf("event_id %q: use 1-%d characters among letters, digits, '.', '_', ':' and '-' (a UUID is fine)", clip(id), MaxEventIDLen)
	}
	return nil
}

// CheckItemID validates an item id.
func CheckItemID(id string) error {
	if id == "" || len(id) > MaxItemIDLen || !isID(id) {
		return fmt.Errorf("item_id %q is not an item id of a schedule", clip(id))
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
