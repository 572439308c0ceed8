package model

import "time"

// LexiconEntry is one rule of a unit's pronunciation dictionary: Term,
// matched as a whole word and case-sensitively, is read as Say.
type LexiconEntry struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	Term      string    `json:"term"`
	Say       string    `json:"say"`
	Note      string    `json:"note,omitempty"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SpeechProfile is how a unit's bulletins are read: for all voices when
// Voice is empty, or for one voice.
type SpeechProfile struct {
	UnitID           int64      `json:"unit_id"`
	Voice            string     `json:"voice"`
	WordsPerMinute   int        `json:"words_per_minute"`
	Pitch            int        `json:"pitch"`
	SentencePauseMS  int        `json:"sentence_pause_ms"`
	ParagraphPauseMS int        `json:"paragraph_pause_ms"`
	UpdatedBy        string     `json:"updated_by,omitempty"`
	UpdatedAt        *time.Time `json:"updated_at,omitempty"`
}

// BroadcastLimits are the quiet hours and loudness limits of a unit
// (DeviceID 0) or of one loudspeaker cluster. Times are seconds after
// local midnight; QuietStart < 0 means no quiet hours; a window may cross
// midnight.
type BroadcastLimits struct {
	UnitID          int64       `json:"unit_id"`
	DeviceID        int64       `json:"device_id,omitempty"`
	QuietStart      int         `json:"quiet_start"`
	QuietEnd        int         `json:"quiet_end"`
	MaxDailySeconds int         `json:"max_daily_seconds"`
	VolumeCaps      []VolumeCap `json:"volume_caps"`
	UpdatedBy       string      `json:"updated_by,omitempty"`
	UpdatedAt       *time.Time  `json:"updated_at,omitempty"`
}

// VolumeCap is the highest volume (percent) allowed From–To (seconds
// after local midnight; To < From crosses midnight).
type VolumeCap struct {
	From int `json:"from"`
	To   int `json:"to"`
	Max  int `json:"max"`
}

// HasQuiet reports whether quiet hours are set.
func (l BroadcastLimits) HasQuiet() bool {
	return l.QuietStart >= 0 && l.QuietEnd >= 0 && l.QuietStart != l.QuietEnd
}

// InWindow reports whether second-of-day s lies in [from, to) (crossing
// midnight when to < from).
func InWindow(s, from, to int) bool {
	if from <= to {
		return s >= from && s < to
	}
	return s >= from || s < to
}

// OrderVersion is a broadcast order's version in another language.
type OrderVersion struct {
	Language        string `json:"language"`
	MediaID         int64  `json:"media_id"`
	MediaTitle      string `json:"media_title"`
	MediaSHA256     string `json:"media_sha256"`
	MediaSize       int64  `json:"media_size"`
	MediaDurationMS int64  `json:"media_duration_ms"`
}
