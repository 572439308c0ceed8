package tts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// HTTPConfig configures an engine backed by an external speech service.
type HTTPConfig struct {
	// URL receives POST requests with the JSON body
	// {"text": "...", "voice": "vi-north", "speed": 1} (plus, when the
	// unit sets them, "words_per_minute", "pitch", "sentence_pause_ms"
	// and "paragraph_pause_ms", which a service may honour) and must answer
	// 2xx with the audio bytes and a Content-Type audio/*.
	URL string
	// Token, when set, is sent as "Authorization: Bearer <Token>".
	Token string
	// Timeout bounds one request (default 2 minutes).
	Timeout time.Duration
	// MaxResponseBytes bounds the audio accepted (default 64 MiB).
	MaxResponseBytes int64
	// MaxTextRunes bounds the text of a request (default 20,000).
	MaxTextRunes int
	// Voices the service offers; the first is the default. Default: the
	// three regional Vietnamese voices.
	Voices []Voice
	// Client to use; nil means a new http.Client.
	Client *http.Client
}

// HTTP is an Engine calling an external speech service. The text is sent
// after CleanText, without the espeak-specific expansions.
type HTTP struct {
	cfg    HTTPConfig
	url    *url.URL
	client *http.Client
}

// NewHTTP validates the configuration.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tts http config: URL %q must be an absolute http or https URL", cfg.URL)
	}
	if u.User != nil {
		return nil, errors.New("tts http config: put credentials in Token, not in the URL")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = 64 << 20
	}
	if cfg.MaxTextRunes == 0 {
		cfg.MaxTextRunes = DefaultMaxTextRunes
	}
	if cfg.Timeout < 0 || cfg.MaxResponseBytes < 0 || cfg.MaxTextRunes < 0 {
		return nil, errors.New("tts http config: Timeout, MaxResponseBytes and MaxTextRunes must be positive")
	}
	if len(cfg.Voices) == 0 {
		cfg.Voices = VietnameseVoices
	}
	cfg.Voices = append([]Voice(nil), cfg.Voices...)
	if strings.ContainsAny(cfg.Token, "\r\n") {
		return nil, errors.New("tts http config: Token contains a line break")
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{}
	}
	return &HTTP{cfg: cfg, url: u, client: client}, nil
}

// ID identifies the service for cache keys (scheme, host and path).
func (h *HTTP) ID() string {
	return "http/" + h.url.Scheme + "://" + h.url.Host + h.url.Path
}

// Voices returns the configured voices.
func (h *HTTP) Voices() []Voice { return append([]Voice(nil), h.cfg.Voices...) }

// Synthesize posts the request and returns the audio and its format,
// derived from the Content-Type ("mp3", "wav", "ogg", …).
func (h *HTTP) Synthesize(ctx context.Context, req Request) ([]byte, string, error) {
	text, voice, speed, err := checkRequest(req, h.cfg.Voices, h.cfg.MaxTextRunes)
	if err != nil {
		return nil, "", err
	}
	body, err := json.Marshal(struct {
		Text             string  `json:"text"`
		Voice            string  `json:"voice"`
		Speed            float64 `json:"speed"`
		WordsPerMinute   int     `json:"words_per_minute,omitempty"`
		Pitch            int     `json:"pitch,omitempty"`
		SentencePauseMS  int64   `json:"sentence_pause_ms,omitempty"`
		ParagraphPauseMS int64   `json:"paragraph_pause_ms,omitempty"`
	}{text, voice.ID, speed, req.Prosody.WordsPerMinute, req.Prosody.Pitch,
		req.Prosody.SentencePause.Milliseconds(), req.Prosody.ParagraphPause.Milliseconds()})
	if err != nil {
		return nil, "", fmt.Errorf("tts http: encode request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("tts http: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "audio/*")
	if h.cfg.Token != "" {
		hreq.Header.Set("Authorization", "Bearer "+h.cfg.Token)
	}
	resp, err := h.client.Do(hreq)
	if err != nil {
		return nil, "", fmt.Errorf("%w: speech service %s: %v", ErrEngine, h.url.Host, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", fmt.Errorf("%w: speech service %s answered %s: %s",
			ErrEngine, h.url.Host, resp.Status, bodyExcerpt(resp.Body))
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, perr := mime.ParseMediaType(ct)
	if perr != nil || !strings.HasPrefix(mt, "audio/") {
		return nil, "", fmt.Errorf("%w: speech service %s answered Content-Type %q instead of audio/*: %s",
			ErrEngine, h.url.Host, ct, bodyExcerpt(resp.Body))
	}
	limit := h.cfg.MaxResponseBytes
	if resp.ContentLength > limit {
		return nil, "", fmt.Errorf("%w: speech service %s announced %d bytes, the limit is %d",
			ErrResponseLarge, h.url.Host, resp.ContentLength, limit)
	}
	audio, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("%w: speech service %s: reading the audio: %v", ErrEngine, h.url.Host, err)
	}
	if int64(len(audio)) > limit {
		return nil, "", fmt.Errorf("%w: speech service %s sent more than %d bytes", ErrResponseLarge, h.url.Host, limit)
	}
	if len(audio) == 0 {
		return nil, "", fmt.Errorf("%w: speech service %s sent no audio", ErrEngine, h.url.Host)
	}
	return audio, formatFromMIME(mt), nil
}

// formatFromMIME maps an audio media type to a file extension.
func formatFromMIME(mt string) string {
	switch mt {
	case "audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3":
		return "mp3"
	case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave":
		return "wav"
	case "audio/ogg", "audio/vorbis":
		return "ogg"
	case "audio/opus":
		return "opus"
	case "audio/webm":
		return "webm"
	case "audio/flac", "audio/x-flac":
		return "flac"
	case "audio/aac", "audio/x-aac":
		return "aac"
	case "audio/mp4", "audio/x-m4a", "audio/m4a":
		return "m4a"
	case "audio/amr":
		return "amr"
	}
	// Another audio/* subtype: keep a safe rendering of it.
	sub := strings.TrimPrefix(mt, "audio/")
	sub = strings.TrimPrefix(sub, "x-")
	var b strings.Builder
	for _, r := range sub {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 10 {
			break
		}
	}
	if b.Len() == 0 {
		return "bin"
	}
	return b.String()
}

// bodyExcerpt reads at most 300 bytes of an error body and makes them
// printable on one line.
func bodyExcerpt(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 300))
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), " "))
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", s)
}
