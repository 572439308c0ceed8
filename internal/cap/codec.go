package cap

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// DefaultMaxBytes bounds Decode when no limit is given. Alerts may embed
// resources (derefUri), hence the generous default.
const DefaultMaxBytes = 10 << 20

// Sentinel errors, matched with errors.Is.
var (
	ErrTooLarge = errors.New("cap: input exceeds the size limit")
	ErrDoctype  = errors.New("cap: DOCTYPE and other markup declarations are not allowed")
)

// Encode validates a and writes it as a CAP 1.2 XML document.
func Encode(w io.Writer, a *Alert) error {
	if a == nil {
		return fmt.Errorf("cap: encode: nil alert")
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("cap: encode: %w", err)
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(xml.Header); err != nil {
		return fmt.Errorf("cap: encode: write: %w", err)
	}
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("cap: encode: %w", err)
	}
	if err := bw.WriteByte('\n'); err != nil {
		return fmt.Errorf("cap: encode: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cap: encode: write: %w", err)
	}
	return nil
}

// Decode reads one CAP 1.2 alert of at most maxBytes (DefaultMaxBytes when
// maxBytes ≤ 0), refusing DOCTYPE declarations, and validates it. Errors:
// ErrTooLarge, ErrDoctype, a malformed-XML error (including a wrong root or
// namespace, e.g. a CAP 1.1 alert, and a badly formatted dateTime), or a
// *ValidationError (errors.Is(err, ErrInvalid)).
func Decode(r io.Reader, maxBytes int64) (*Alert, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	raw := xml.NewDecoder(&limitReader{r: r, left: maxBytes})
	raw.Strict = true
	dec := xml.NewTokenDecoder(&declGuard{d: raw})
	var a Alert
	if err := dec.Decode(&a); err != nil {
		var te *timeError
		var ne *numberError
		switch {
		case errors.Is(err, ErrTooLarge):
			return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, maxBytes)
		case errors.Is(err, ErrDoctype):
			return nil, err
		case errors.As(err, &te), errors.As(err, &ne):
			return nil, fmt.Errorf("cap: decode: %w", err)
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("cap: decode: no XML element found: the input is empty or not XML")
		}
		return nil, fmt.Errorf("cap: decode: not a well-formed CAP 1.2 alert (root <alert xmlns=%q>): %w", Namespace, err)
	}
	if err := a.Validate(); err != nil {
		return nil, err // a *ValidationError, self-describing
	}
	return &a, nil
}

// limitReader fails with ErrTooLarge once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}

// declGuard refuses directives (<!DOCTYPE …>, <!ENTITY …>).
type declGuard struct {
	d *xml.Decoder
}

func (g *declGuard) Token() (xml.Token, error) {
	t, err := g.d.Token()
	if _, ok := t.(xml.Directive); ok {
		return nil, ErrDoctype
	}
	return t, err
}

// Digest returns the CAP resource digest of data: SHA-1 as 40 lowercase
// hexadecimal digits.
func Digest(data []byte) string {
	sum := sha1.Sum(data)
	return hex.EncodeToString(sum[:])
}

// audioTypes maps file extensions to MIME types for NewEmergency.
var audioTypes = map[string]string{
	".mp3":  "audio/mpeg",
	".wav":  "audio/wav",
	".ogg":  "audio/ogg",
	".oga":  "audio/ogg",
	".opus": "audio/ogg",
	".m4a":  "audio/mp4",
	".aac":  "audio/aac",
	".flac": "audio/flac",
}

// NewEmergency builds an emergency alert for commune radio: status Actual,
// msgType Alert, scope Public, one info block in Vietnamese (vi-VN) with
// category Safety, urgency Immediate, severity Severe, certainty Observed
// (emergency bulletins are played at once: disaster, fire, epidemic;
// adjust the info block if the event calls for other values), and one area.
// When audioURI is not empty the recorded bulletin is added as a resource
// with its size and SHA-1 digest (see Digest); the MIME type follows the
// URI's extension (audio/mpeg when unknown). The result still needs
// Validate (Encode does it) because the arguments are not checked here.
func NewEmergency(id, sender string, sent time.Time, event, headline, description, areaDesc string, audioURI string, audioSize int64, audioSHA1 string) *Alert {
	info := Info{
		Language:    "vi-VN",
		Category:    []Category{CategorySafety},
		Event:       event,
		Urgency:     UrgencyImmediate,
		Severity:    SeveritySevere,
		Certainty:   CertaintyObserved,
		Effective:   At(sent),
		Headline:    headline,
		Description: description,
		Area:        []Area{{AreaDesc: areaDesc}},
	}
	if audioURI != "" {
		ext := strings.ToLower(path.Ext(strings.SplitN(strings.SplitN(audioURI, "?", 2)[0], "#", 2)[0]))
		mime, ok := audioTypes[ext]
		if !ok {
			mime = "audio/mpeg"
		}
		info.Resource = []Resource{{
			ResourceDesc: "Bản tin âm thanh",
			MimeType:     mime,
			Size:         audioSize,
			URI:          audioURI,
			Digest:       strings.ToLower(audioSHA1),
		}}
	}
	return &Alert{
		Identifier: id,
		Sender:     sender,
		Sent:       At(sent),
		Status:     StatusActual,
		MsgType:    MsgAlert,
		Scope:      ScopePublic,
		Info:       []Info{info},
	}
}
