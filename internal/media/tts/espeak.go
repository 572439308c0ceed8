package tts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// espeakVoices maps voice IDs to espeak-ng voice names.
var espeakVoices = map[string]string{
	VoiceNorth:   "vi",
	VoiceCentral: "vi-vn-x-central",
	VoiceSouth:   "vi-vn-x-south",
}

// EspeakConfig configures the espeak-ng engine. Zero fields take defaults.
type EspeakConfig struct {
	// Path of the espeak-ng binary (Debian package "espeak-ng"); empty
	// means look it up in PATH.
	Path string
	// WordsPerMinute is the spoken rate, in Vietnamese words (syllables)
	// per minute, at speed 1 when a request gives none (default 140, for
	// outdoor loudspeakers). espeak-ng's own "-s" unit reads Vietnamese
	// about 1.55 times faster than it says (its default 175 gives some
	// 270 syllables a minute), so the rate is converted with the measured
	// espeakRateFactor and clamped to espeak-ng's 80–450.
	WordsPerMinute int
	// Pitch is espeak-ng's 0–99 (default 45).
	Pitch int
	// MaxTextRunes bounds the text of a request (default 20,000).
	MaxTextRunes int
	// ParagraphPause is inserted between paragraphs (default 700 ms).
	ParagraphPause time.Duration
	// ChunkPause is inserted between the pieces a long paragraph is split
	// into, which always end with a sentence (default 150 ms).
	ChunkPause time.Duration
}

// Espeak synthesises Vietnamese with espeak-ng. It produces 16-bit mono
// WAV at espeak-ng's 22,050 Hz. Text goes to espeak-ng on standard input,
// never through a shell or the command line; long texts are split at
// paragraphs and sentences, synthesised piece by piece and joined.
type Espeak struct {
	bin string
	cfg EspeakConfig
}

// NewEspeak locates espeak-ng and applies defaults.
func NewEspeak(cfg EspeakConfig) (*Espeak, error) {
	if cfg.WordsPerMinute == 0 {
		cfg.WordsPerMinute = DefaultWordsPerMinute
	}
	if cfg.Pitch == 0 {
		cfg.Pitch = DefaultPitch
	}
	if cfg.MaxTextRunes == 0 {
		cfg.MaxTextRunes = DefaultMaxTextRunes
	}
	if cfg.ParagraphPause == 0 {
		cfg.ParagraphPause = DefaultParagraphPause
	}
	if cfg.ChunkPause == 0 {
		cfg.ChunkPause = DefaultSentencePause
	}
	if cfg.WordsPerMinute < MinWordsPerMinute || cfg.WordsPerMinute > MaxWordsPerMinute {
		return nil, fmt.Errorf("espeak-ng config: WordsPerMinute %d is outside %d–%d", cfg.WordsPerMinute, MinWordsPerMinute, MaxWordsPerMinute)
	}
	if cfg.Pitch < 0 || cfg.Pitch > 99 {
		return nil, fmt.Errorf("espeak-ng config: Pitch %d is outside 0–99", cfg.Pitch)
	}
	if cfg.MaxTextRunes < 0 || cfg.ParagraphPause < 0 || cfg.ChunkPause < 0 ||
		cfg.ParagraphPause > 10*time.Second || cfg.ChunkPause > 10*time.Second {
		return nil, errors.New("espeak-ng config: MaxTextRunes must be positive and pauses between 0 and 10 s")
	}
	name := cfg.Path
	if name == "" {
		name = "espeak-ng"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%w: espeak-ng not found (%v); install the Debian package \"espeak-ng\" (apt-get install espeak-ng) or configure its path",
			ErrToolMissing, err)
	}
	return &Espeak{bin: bin, cfg: cfg}, nil
}

// ID identifies the engine and the version of its text preparation; it
// is part of cache keys, so change it when the output would change.
func (e *Espeak) ID() string {
	return fmt.Sprintf("espeak-ng/v3/%d/%d/%d/%d", e.cfg.WordsPerMinute, e.cfg.Pitch, e.cfg.ChunkPause.Milliseconds(), e.cfg.ParagraphPause.Milliseconds())
}

// Voices returns the three regional Vietnamese voices; North is the default.
func (e *Espeak) Voices() []Voice { return append([]Voice(nil), VietnameseVoices...) }

// espeakRateFactor is how many Vietnamese syllables a minute espeak-ng
// reads per unit of its "-s" option, measured on espeak-ng 1.51 (Debian
// 12/13) over a 54-word bulletin sentence at -s 100, 130, 150 and 175:
// 157, 203, 233 and 271 words a minute.
const espeakRateFactor = 1.55

// Limits on espeak-ng output.
const (
	maxChunkAudio = 64 << 20
	maxTotalAudio = 512 << 20
)

// Synthesize returns WAV audio.
func (e *Espeak) Synthesize(ctx context.Context, req Request) ([]byte, string, error) {
	text, voice, speed, err := checkRequest(req, VietnameseVoices, e.cfg.MaxTextRunes)
	if err != nil {
		return nil, "", err
	}
	rate, pitch := e.cfg.WordsPerMinute, e.cfg.Pitch
	sentencePause, paragraphPause := e.cfg.ChunkPause, e.cfg.ParagraphPause
	if p := req.Prosody; p.WordsPerMinute != 0 {
		rate = p.WordsPerMinute
	}
	if p := req.Prosody; p.Pitch != 0 {
		pitch = p.Pitch
	}
	if p := req.Prosody; p.SentencePause != 0 {
		sentencePause = p.SentencePause
	}
	if p := req.Prosody; p.ParagraphPause != 0 {
		paragraphPause = p.ParagraphPause
	}
	wpm := int(math.Round(float64(rate) * speed / espeakRateFactor))
	wpm = max(80, min(450, wpm))
	// One sentence per run, so that each is followed by its pause.
	chunks := splitSentenceChunks(text, maxChunkRunes)
	var j wavJoiner
	for i, c := range chunks {
		if err := ctx.Err(); err != nil {
			return nil, "", fmt.Errorf("espeak-ng: %w", err)
		}
		audio, err := e.run(ctx, espeakVoices[voice.ID], wpm, pitch, c.text)
		if err != nil {
			return nil, "", err
		}
		f, data, err := readWAV(audio)
		if err != nil {
			return nil, "", fmt.Errorf("%w: espeak-ng output for part %d: %v", ErrEngine, i+1, err)
		}
		if err := j.add(f, data); err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrEngine, err)
		}
		if j.buf.Len() > maxTotalAudio {
			return nil, "", fmt.Errorf("%w: more than %d bytes of audio", ErrEngine, maxTotalAudio)
		}
		if i < len(chunks)-1 {
			if c.paragraph {
				j.silence(paragraphPause)
			} else {
				j.silence(sentencePause)
			}
		}
	}
	if !j.set || j.buf.Len() == 0 {
		return nil, "", fmt.Errorf("%w: espeak-ng produced no sound for the text", ErrEngine)
	}
	out, err := j.bytes()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrEngine, err)
	}
	return out, "wav", nil
}

// run synthesises one piece of text; the text is passed on stdin.
func (e *Espeak) run(ctx context.Context, voice string, wpm, pitch int, text string) ([]byte, error) {
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxChunkAudio, 4096
	cmd := exec.CommandContext(ctx, e.bin, "-v", voice, "-s", strconv.Itoa(wpm), "-p", strconv.Itoa(pitch), "-b", "1", "--stdin", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("espeak-ng: %w", ctxErr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %v: %s", ErrEngine, filepath.Base(e.bin), voice, err, strings.TrimSpace(stderr.buf.String()))
	}
	if stdout.over {
		return nil, fmt.Errorf("%w: espeak-ng produced more than %d bytes for one part", ErrEngine, maxChunkAudio)
	}
	return stdout.buf.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and notes that more came.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); len(p) > room {
		l.over = true
		if room > 0 {
			l.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return l.buf.Write(p)
}
