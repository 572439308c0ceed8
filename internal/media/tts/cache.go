package tts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// Cached wraps an Engine and stores each result in a directory, keyed by
// sha256(engine ID, voice, speed, CleanText(text)), so that the same
// bulletin is synthesised once: later requests, and concurrent requests
// for the same key, get the stored audio. Files are written atomically
// (temporary file, then rename), so a crash never leaves a partial entry.
type Cached struct {
	engine   Engine
	id       string
	dir      string
	maxBytes int64
	log      *slog.Logger

	mu       sync.Mutex
	inflight map[string]*flight
}

type flight struct {
	done   chan struct{}
	audio  []byte
	format string
	err    error
}

// DefaultMaxCachedBytes bounds an entry read back from the cache.
const DefaultMaxCachedBytes = 512 << 20

// NewCached creates dir if needed. engineID must change whenever the
// engine would produce different audio for the same request (another
// service, model or text preparation); Espeak.ID and HTTP.ID provide one.
// logger (nil: discard) receives cache write failures, which do not fail
// a synthesis.
func NewCached(engine Engine, engineID, dir string, logger *slog.Logger) (*Cached, error) {
	if engine == nil || engineID == "" || dir == "" {
		return nil, errors.New("tts cache: engine, engine ID and directory are required")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("tts cache: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cached{engine: engine, id: engineID, dir: dir, maxBytes: DefaultMaxCachedBytes, log: logger, inflight: map[string]*flight{}}, nil
}

// Voices returns the wrapped engine's voices.
func (c *Cached) Voices() []Voice { return c.engine.Voices() }

// Key returns the cache key of a request (hex sha256). The empty voice and
// speed 0 are resolved to the engine's defaults first, so that they share
// entries with the explicit values.
func (c *Cached) Key(req Request) string {
	voice := req.Voice
	if voice == "" {
		if vs := c.engine.Voices(); len(vs) > 0 {
			voice = vs[0].ID
		}
	}
	speed := req.Speed
	if speed == 0 {
		speed = 1
	}
	h := sha256.New()
	pr := req.Prosody
	prosody := fmt.Sprintf("%d/%d/%d/%d", pr.WordsPerMinute, pr.Pitch, pr.SentencePause.Milliseconds(), pr.ParagraphPause.Milliseconds())
	for _, part := range []string{c.id, voice, strconv.FormatFloat(speed, 'g', -1, 64), prosody, CleanText(req.Text)} {
		fmt.Fprintf(h, "%d:%s\n", len(part), part) // length-prefixed: no ambiguity between fields
	}
	return hex.EncodeToString(h.Sum(nil))
}

var formatRe = regexp.MustCompile(`^[a-z0-9]{1,10}$`)

// Synthesize returns the cached audio or asks the engine once.
func (c *Cached) Synthesize(ctx context.Context, req Request) ([]byte, string, error) {
	key := c.Key(req)
	if audio, format, ok := c.load(key); ok {
		return audio, format, nil
	}

	c.mu.Lock()
	if f, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.audio, f.format, f.err
		case <-ctx.Done():
			return nil, "", fmt.Errorf("tts cache: %w", ctx.Err())
		}
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(f.done)
	}()
	// Another process may have filled the entry meanwhile.
	if audio, format, ok := c.load(key); ok {
		f.audio, f.format = audio, format
		return audio, format, nil
	}
	f.audio, f.format, f.err = c.engine.Synthesize(ctx, req)
	if f.err != nil {
		return nil, "", f.err
	}
	if !formatRe.MatchString(f.format) {
		f.err = fmt.Errorf("%w: engine returned the invalid format name %q", ErrEngine, f.format)
		return nil, "", f.err
	}
	if err := c.store(key, f.format, f.audio); err != nil {
		// The audio is good; a cache that cannot be written only costs time.
		c.log.Warn("tts cache: cannot store synthesised audio", "dir", c.dir, "key", key, "err", err)
	}
	return f.audio, f.format, nil
}

// path returns the entry's directory and file name prefix.
func (c *Cached) path(key string) (dir, prefix string) {
	dir = filepath.Join(c.dir, key[:2])
	return dir, filepath.Join(dir, key)
}

// load looks for <dir>/<k[:2]>/<key>.<format>.
func (c *Cached) load(key string) ([]byte, string, bool) {
	_, prefix := c.path(key)
	matches, err := filepath.Glob(prefix + ".*")
	if err != nil {
		return nil, "", false
	}
	for _, m := range matches {
		format := filepath.Ext(m)[1:]
		if !formatRe.MatchString(format) {
			continue
		}
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		audio, err := io.ReadAll(io.LimitReader(f, c.maxBytes+1))
		f.Close()
		if err != nil || len(audio) == 0 || int64(len(audio)) > c.maxBytes {
			continue
		}
		return audio, format, true
	}
	return nil, "", false
}

func (c *Cached) store(key, format string, audio []byte) error {
	dir, prefix := c.path(key)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(audio)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), prefix+"."+format); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
