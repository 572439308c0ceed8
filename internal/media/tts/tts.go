// Package tts turns bulletin text into speech. Engines are pluggable: an
// offline espeak-ng engine (Debian package "espeak-ng", Northern, Central
// and Southern Vietnamese voices), an HTTP engine for an external service,
// and a Cached wrapper that synthesises each distinct bulletin once.
//
// Engines return audio as produced (WAV for espeak-ng); the caller
// normalises it to the device format like any other audio (package media).
package tts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Engine synthesises speech.
type Engine interface {
	// Synthesize returns the audio bytes and their format ("wav", "mp3",
	// "ogg", …: a file extension without the dot).
	Synthesize(ctx context.Context, req Request) (audio []byte, format string, err error)
	// Voices lists the voices the engine accepts; the first is the default.
	Voices() []Voice
}

// Request is one synthesis job.
type Request struct {
	Text  string  // plain text, at most the engine's limit (default 20,000 characters)
	Voice string  // a Voice.ID; empty means the engine's default (first) voice
	Speed float64 // rate factor: 1 = the engine's normal rate, 0 means 1; 0.5–2
	// Prosody overrides the engine's speaking rate, pitch and pauses; zero
	// fields keep the engine's defaults.
	Prosody Prosody
}

// Prosody is how a text is read: rate, pitch and pauses. Engines that
// cannot honour a field ignore it (the HTTP engine passes rate and pitch
// on to the service).
type Prosody struct {
	// WordsPerMinute is the spoken rate in Vietnamese words (syllables)
	// per minute before Speed applies; 0 is the engine's default.
	WordsPerMinute int `json:"words_per_minute,omitempty"`
	// Pitch is 1–99 (50 is a neutral voice); 0 is the engine's default.
	Pitch int `json:"pitch,omitempty"`
	// SentencePause is the silence after each sentence, ParagraphPause
	// after each paragraph; 0 is the engine's default.
	SentencePause  time.Duration `json:"sentence_pause,omitempty"`
	ParagraphPause time.Duration `json:"paragraph_pause,omitempty"`
}

// Limits of Prosody, and the defaults suited to outdoor loudspeakers:
// about 140 words a minute (espeak-ng's own default is near 230 for
// Vietnamese), a slightly low pitch that carries, and clear pauses.
const (
	MinWordsPerMinute     = 100
	MaxWordsPerMinute     = 300
	DefaultWordsPerMinute = 140
	DefaultPitch          = 45
	DefaultSentencePause  = 350 * time.Millisecond
	DefaultParagraphPause = 900 * time.Millisecond
	MaxPause              = 5 * time.Second
)

// Check validates the fields that are set.
func (p Prosody) Check() error {
	if p.WordsPerMinute != 0 && (p.WordsPerMinute < MinWordsPerMinute || p.WordsPerMinute > MaxWordsPerMinute) {
		return fmt.Errorf("%w: %d words a minute; use %d–%d (outdoor loudspeakers: 130–150)", ErrBadSpeed, p.WordsPerMinute, MinWordsPerMinute, MaxWordsPerMinute)
	}
	if p.Pitch < 0 || p.Pitch > 99 {
		return fmt.Errorf("%w: pitch %d; use 1–99 (50 is neutral)", ErrBadSpeed, p.Pitch)
	}
	if p.SentencePause < 0 || p.SentencePause > MaxPause || p.ParagraphPause < 0 || p.ParagraphPause > MaxPause {
		return fmt.Errorf("%w: pauses must be between 0 and %s", ErrBadSpeed, MaxPause)
	}
	return nil
}

// Voice describes a voice.
type Voice struct {
	ID       string // stable identifier used in requests, e.g. "vi-north"
	Name     string // human-readable name
	Language string // BCP 47 language tag, e.g. "vi"
}

// Standard Vietnamese voice identifiers.
const (
	VoiceNorth   = "vi-north"
	VoiceCentral = "vi-central"
	VoiceSouth   = "vi-south"
)

// VietnameseVoices are the regional voices every engine here offers by default.
var VietnameseVoices = []Voice{
	{ID: VoiceNorth, Name: "Tiếng Việt – giọng miền Bắc", Language: "vi"},
	{ID: VoiceCentral, Name: "Tiếng Việt – giọng miền Trung", Language: "vi"},
	{ID: VoiceSouth, Name: "Tiếng Việt – giọng miền Nam", Language: "vi"},
}

// DefaultMaxTextRunes bounds the text of one request.
const DefaultMaxTextRunes = 20000

// Errors, usable with errors.Is.
var (
	ErrEmptyText     = errors.New("tts: the text is empty")
	ErrTextTooLong   = errors.New("tts: the text is too long")
	ErrUnknownVoice  = errors.New("tts: unknown voice")
	ErrBadSpeed      = errors.New("tts: speed out of range")
	ErrEngine        = errors.New("tts: speech engine failed")
	ErrToolMissing   = errors.New("tts: external tool missing")
	ErrResponseLarge = errors.New("tts: speech service response too large")
)

// Speed limits (rate factors).
const (
	MinSpeed = 0.5
	MaxSpeed = 2.0
)

// CleanText prepares text for synthesis and for cache keys: Unicode NFC
// (documents produced by old tools are often decomposed), control
// characters removed, runs of spaces collapsed, lines trimmed, at most one
// blank line between paragraphs.
func CleanText(s string) string {
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	blank := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.FieldsFunc(line, func(r rune) bool {
			return unicode.IsSpace(r) || (unicode.IsControl(r) && r != '\n')
		}), " ")
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(line)
	}
	return b.String()
}

// checkRequest validates the common fields and returns the cleaned text,
// the resolved voice and the speed factor.
func checkRequest(req Request, voices []Voice, maxRunes int) (text string, voice Voice, speed float64, err error) {
	text = CleanText(req.Text)
	if text == "" {
		return "", Voice{}, 0, fmt.Errorf("%w: give the bulletin text to read out", ErrEmptyText)
	}
	if n := len([]rune(text)); n > maxRunes {
		return "", Voice{}, 0, fmt.Errorf("%w: %d characters, the limit is %d; split the bulletin into several parts", ErrTextTooLong, n, maxRunes)
	}
	voice, err = findVoice(req.Voice, voices)
	if err != nil {
		return "", Voice{}, 0, err
	}
	if speed, err = checkSpeed(req.Speed); err != nil {
		return "", Voice{}, 0, err
	}
	return text, voice, speed, req.Prosody.Check()
}

func findVoice(id string, voices []Voice) (Voice, error) {
	if len(voices) == 0 {
		return Voice{}, fmt.Errorf("%w: the engine offers no voice", ErrUnknownVoice)
	}
	if id == "" {
		return voices[0], nil
	}
	ids := make([]string, len(voices))
	for i, v := range voices {
		if v.ID == id {
			return v, nil
		}
		ids[i] = v.ID
	}
	return Voice{}, fmt.Errorf("%w %q: choose one of %s", ErrUnknownVoice, id, strings.Join(ids, ", "))
}

func checkSpeed(s float64) (float64, error) {
	if s == 0 {
		return 1, nil
	}
	if math.IsNaN(s) || s < MinSpeed || s > MaxSpeed {
		return 0, fmt.Errorf("%w: %g; use a factor between %g and %g (1 = normal)", ErrBadSpeed, s, MinSpeed, MaxSpeed)
	}
	return s, nil
}
