package media

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every refusal returned by this package wraps exactly one
// of them (test with errors.Is) inside an *Error that says what is wrong
// and how to fix it.
var (
	// ErrNotAudio: the input is not an accepted audio file (text, image,
	// video without an audio track, unsupported container).
	ErrNotAudio = errors.New("not an accepted audio file")
	// ErrCorrupt: the input looks like audio but cannot be decoded
	// completely (truncated upload, damaged file).
	ErrCorrupt = errors.New("damaged or truncated audio file")
	// ErrTooLong: the audio lasts longer than the configured limit.
	ErrTooLong = errors.New("audio too long")
	// ErrTooLarge: the input has more bytes than the configured limit.
	ErrTooLarge = errors.New("file too large")
	// ErrEmpty: the input holds no usable sound: zero bytes, no samples,
	// shorter than the minimum duration, or only silence.
	ErrEmpty = errors.New("no usable audio")
	// ErrToolMissing: ffmpeg, ffprobe (Debian package "ffmpeg") or
	// espeak-ng (Debian package "espeak-ng") is not installed.
	ErrToolMissing = errors.New("external tool missing")
	// ErrLoudness: the sound cannot reach the broadcast loudness without
	// exceeding the peak ceiling (short, very peaky clips: clicks, beeps).
	ErrLoudness = errors.New("audio cannot be normalised to the broadcast loudness")
)

// Error describes a refused input. Kind is one of the sentinel errors
// above; Err, when set, is the underlying cause (tool output, I/O error).
type Error struct {
	Kind   error  // ErrNotAudio, ErrCorrupt, ErrTooLong, ErrTooLarge, ErrEmpty or ErrLoudness
	Path   string // the file concerned, may be empty for streams
	Reason string // what is wrong, in plain words
	Hint   string // how to fix it
	Limit  string // ErrTooLong: the longest accepted, e.g. "2:00:00"
	Err    error  // underlying cause, optional
}

func (e *Error) Error() string {
	msg := e.Kind.Error()
	if e.Path != "" {
		msg = fmt.Sprintf("audio file %q: %s", e.Path, msg)
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap exposes both the sentinel kind and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Hints shared by several refusals.
const (
	hintFormats   = "send an MP3, WAV, OGG (Opus/Vorbis), M4A/AAC, AMR, WebM or FLAC recording"
	hintReexport  = "the file is probably incomplete: upload it again or export it again from the recording app"
	hintShorten   = "cut the recording into shorter parts, or ask the administrator to raise the duration limit"
	hintTooLarge  = "compress it (for example export as MP3 or M4A) or cut it into shorter parts"
	hintRecording = "record the message again and check that the microphone works"
)
