package model

import "time"

// Media is one item of a unit's media library: the normalised MP3 that
// devices play (SHA256) and the original as received.
type Media struct {
	ID             int64     `json:"id"`
	UnitID         int64     `json:"unit_id"`
	Title          string    `json:"title"`
	Source         string    `json:"source"` // upload, recording, tts
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	DurationMS     int64     `json:"duration_ms"`
	LoudnessLUFS   float64   `json:"loudness_lufs"`
	OriginalSHA256 string    `json:"original_sha256"`
	OriginalSize   int64     `json:"original_size"`
	OriginalFormat string    `json:"original_format"`
	OriginalCodec  string    `json:"original_codec"`
	TTSText        string    `json:"tts_text,omitempty"`
	TTSVoice       string    `json:"tts_voice,omitempty"`
	TTSSpeed       float64   `json:"tts_speed,omitempty"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// Duration is the playing time of the normalised audio.
func (m *Media) Duration() time.Duration { return time.Duration(m.DurationMS) * time.Millisecond }
