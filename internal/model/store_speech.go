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
