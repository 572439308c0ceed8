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
	// WordsPerMinute at speed 1 (default 150, a little slower than
	// espeak-ng's 175, for loudspeakers). The resulting rate is clamped to
	// espeak-ng's 80–450.
	WordsPerMinute int
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
		cfg.WordsPerMinute = 150
	}
	if cfg.MaxTextRunes == 0 {
		cfg.MaxTextRunes = DefaultMaxTextRunes
	}
	if cfg.ParagraphPause == 0 {
		cfg.ParagraphPause = 700 * time.Millisecond
	}
	if cfg.ChunkPause == 0 {
		cfg.ChunkPause = 150 * time.Millisecond
	}
	if cfg.WordsPerMinute < 80 || cfg.WordsPerMinute > 450 {
		return nil, fmt.Errorf("espeak-ng config: WordsPerMinute %d is outside 80–450", cfg.WordsPerMinute)
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
	return "espeak-ng/v2/" + strconv.Itoa(e.cfg.WordsPerMinute)
}

// Voices returns the three regional Vietnamese voices; North is the default.
func (e *Espeak) Voices() []Voice { return append([]Voice(nil), VietnameseVoices...) }

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
	wpm := int(math.Round(float64(e.cfg.WordsPerMinute) * speed))
	wpm = max(80, min(450, wpm))
	chunks := splitText(text, maxChunkRunes)
	var j wavJoiner
	for i, c := range chunks {
		if err := ctx.Err(); err != nil {
			return nil, "", fmt.Errorf("espeak-ng: %w", err)
		}
		audio, err := e.run(ctx, espeakVoices[voice.ID], wpm, c.text)
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
				j.silence(e.cfg.ParagraphPause)
			} else {
				j.silence(e.cfg.ChunkPause)
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
func (e *Espeak) run(ctx context.Context, voice string, wpm int, text string) ([]byte, error) {
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxChunkAudio, 4096
	cmd := exec.CommandContext(ctx, e.bin, "-v", voice, "-s", strconv.Itoa(wpm), "-b", "1", "--stdin", "--stdout")
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
