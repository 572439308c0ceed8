package media

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Info describes an audio file.
type Info struct {
	Format     string        // ffprobe format name, e.g. "mp3", "ogg", "mov,mp4,m4a,3gp,3g2,mj2"
	Codec      string        // audio codec, e.g. "mp3", "aac", "opus", "vorbis", "amr_nb", "flac", "pcm_s16le"
	Duration   time.Duration // measured by decoding the whole stream
	Channels   int
	SampleRate int   // Hz
	BitRate    int64 // bits per second of the audio stream (of the container when the stream has none); 0 if unknown
	Size       int64 // bytes
	HasVideo   bool  // the container also holds a video track, which is ignored
}

// ContentType returns the MIME type matching the container.
func (i Info) ContentType() string {
	switch {
	case i.Format == "mp3":
		return "audio/mpeg"
	case i.Format == "wav":
		return "audio/wav"
	case i.Format == "ogg" && i.Codec == "opus":
		return "audio/ogg; codecs=opus"
	case i.Format == "ogg":
		return "audio/ogg"
	case i.Format == "flac":
		return "audio/flac"
	case i.Format == "aac":
		return "audio/aac"
	case i.Format == "amr":
		return "audio/amr"
	case strings.HasPrefix(i.Format, "matroska"):
		return "audio/webm"
	case strings.HasPrefix(i.Format, "mov"):
		return "audio/mp4"
	}
	return "application/octet-stream"
}

// probeMeta is what ffprobe says beyond Info.
type probeMeta struct {
	stream    int           // absolute index of the audio stream to use
	declared  time.Duration // duration announced by the container, 0 if unknown
	estimated bool          // ffprobe estimated the duration from the bitrate
	amr       amrStats      // frame counts, for AMR files
}

// ffprobe -print_format json output (the parts used).
type ffprobeOutput struct {
	Streams []struct {
		Index       int    `json:"index"`
		CodecType   string `json:"codec_type"`
		CodecName   string `json:"codec_name"`
		SampleRate  string `json:"sample_rate"`
		Channels    int    `json:"channels"`
		BitRate     string `json:"bit_rate"`
		Duration    string `json:"duration"`
		Disposition struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		BitRate    string `json:"bit_rate"`
	} `json:"format"`
}

// Probe validates an audio file and describes it. It refuses, with an
// *Error wrapping ErrNotAudio, ErrCorrupt, ErrTooLong, ErrTooLarge or
// ErrEmpty, anything that is not a complete, decodable audio recording of
// an accepted format within the configured limits. Besides reading the
// container header with ffprobe it decodes the whole stream once
// (ffmpeg -f null), so it costs roughly one decode of the file.
func (p *Processor) Probe(ctx context.Context, path string) (Info, error) {
	info, meta, err := p.inspect(ctx, path)
	if err != nil {
		return Info{}, err
	}
	dec, err := p.decode(ctx, path, info, meta, "")
	if err != nil {
		return Info{}, err
	}
	if err := p.validateDecode(path, &info, meta, dec); err != nil {
		return Info{}, err
	}
	return info, nil
}

// inspect checks size limits and reads the container with ffprobe.
func (p *Processor) inspect(ctx context.Context, path string) (Info, probeMeta, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, probeMeta{}, fmt.Errorf("probe audio: %w", err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, probeMeta{}, fmt.Errorf("probe audio: %q is not a regular file", path)
	}
	if st.Size() == 0 {
		return Info{}, probeMeta{}, &Error{Kind: ErrEmpty, Path: path, Reason: "the file is empty (0 bytes)", Hint: hintReexport}
	}
	if st.Size() > p.maxFileSize {
		return Info{}, probeMeta{}, &Error{Kind: ErrTooLarge, Path: path,
			Reason: fmt.Sprintf("%d bytes, the limit is %d bytes", st.Size(), p.maxFileSize), Hint: hintTooLarge}
	}

	var (
		stdout    = &capBuffer{max: maxProbeOutput}
		errLines  []string
		rejected  string // demuxer refused by the whitelist
		estimated bool
	)
	lw := &lineWriter{fn: func(line string) {
		ll := parseLogLine(line)
		if strings.Contains(ll.text, "Estimating duration from bitrate") {
			estimated = true
		}
		if strings.Contains(ll.text, "Format not on whitelist") {
			if name, _, ok := strings.Cut(strings.TrimPrefix(line, "["), " @ "); ok {
				rejected = name
			}
		}
		if (isErrorLevel(ll.level) || (ll.level == "" && ll.text != "")) && len(errLines) < 100 {
			errLines = append(errLines, ll.text)
		}
	}}
	args := []string{"-hide_banner", "-v", "repeat+level+warning", "-print_format", "json", "-show_format", "-show_streams"}
	args = append(args, inputArgs(path)...)
	runErr := run(ctx, p.ffprobe, args, stdout, lw)
	lw.Flush()
	if runErr != nil {
		if !exitError(runErr) {
			return Info{}, probeMeta{}, fmt.Errorf("probe audio %q: %w", path, runErr)
		}
		reason := "it is not a recognised audio file"
		kind := ErrNotAudio
		hint := hintFormats + "; if it is one, it is damaged: " + hintReexport
		if name := sniffAudio(path); name != "" && rejected == "" {
			// The signature says audio, so the rest of the file is damaged.
			kind, hint = ErrCorrupt, hintReexport
			reason = fmt.Sprintf("it starts like a %s file but cannot be read", name)
		}
		if rejected != "" {
			reason = fmt.Sprintf("it is a %q file, not one of the accepted audio formats", strings.TrimSuffix(rejected, "_pipe"))
		} else if len(errLines) > 0 {
			reason += " (ffprobe: " + excerpt(errLines) + ")"
		}
		return Info{}, probeMeta{}, &Error{Kind: kind, Path: path, Reason: reason, Hint: hint, Err: runErr}
	}
	if stdout.truncated {
		return Info{}, probeMeta{}, &Error{Kind: ErrNotAudio, Path: path,
			Reason: "the container describes an unreasonable number of streams", Hint: hintFormats}
	}
	var out ffprobeOutput
	if err := json.Unmarshal(stdout.buf.Bytes(), &out); err != nil {
		return Info{}, probeMeta{}, fmt.Errorf("probe audio %q: decode ffprobe output: %w", path, err)
	}

	info := Info{Format: out.Format.FormatName, Size: st.Size()}
	meta := probeMeta{stream: -1, estimated: estimated}
	sawImage := false
	for _, s := range out.Streams {
		switch s.CodecType {
		case "video":
			if s.Disposition.AttachedPic != 0 {
				sawImage = true // cover art of an MP3/M4A: harmless
			} else {
				info.HasVideo = true
			}
		case "audio":
			if meta.stream >= 0 {
				continue
			}
			meta.stream = s.Index
			info.Codec = s.CodecName
			info.Channels = s.Channels
			info.SampleRate = atoi(s.SampleRate)
			info.BitRate = int64(atoi(s.BitRate))
			meta.declared = parseSeconds(s.Duration)
		}
	}
	if meta.stream < 0 {
		reason := "it contains no audio track"
		switch {
		case info.HasVideo:
			reason = "it is a video without an audio track"
		case sawImage:
			reason = "it contains only a picture"
		}
		return Info{}, probeMeta{}, &Error{Kind: ErrNotAudio, Path: path, Reason: reason, Hint: hintFormats}
	}
	if info.Codec == "" || info.Codec == "none" || info.SampleRate <= 0 || info.Channels <= 0 {
		return Info{}, probeMeta{}, &Error{Kind: ErrNotAudio, Path: path,
			Reason: "its audio track uses a codec that cannot be decoded here", Hint: hintFormats}
	}
	if info.BitRate == 0 {
		info.BitRate = int64(atoi(out.Format.BitRate))
	}
	if meta.declared == 0 {
		meta.declared = parseSeconds(out.Format.Duration)
	}
	if info.Format == "wav" {
		if err := checkWAVLength(path, st.Size()); err != nil {
			return Info{}, probeMeta{}, err
		}
	}
	if info.Format == "amr" {
		if meta.amr, err = checkAMR(path); err != nil {
			return Info{}, probeMeta{}, err
		}
		if meta.amr.speech == 0 {
			return Info{}, probeMeta{}, &Error{Kind: ErrEmpty, Path: path, Reason: "the AMR recording holds no speech frames", Hint: hintRecording}
		}
	}
	if err := p.checkDeclaredDuration(path, meta); err != nil {
		return Info{}, probeMeta{}, err
	}
	return info, meta, nil
}

// decodeResult is what a full decode pass reports.
type decodeResult struct {
	duration    time.Duration // timestamp reached; 0 when nothing was decoded
	errLines    []string      // error-level messages that indicate damage
	benign      int           // tolerated decoder errors (AMR comfort-noise frames)
	badFrames   int           // "Error while decoding stream" count
	failed      error         // non-zero exit
	loudnormRaw []string      // lines of the loudnorm JSON block, if a loudnorm filter ran
}

// benignAMRErrors are emitted by ffmpeg's native AMR decoder for the
// comfort-noise (SID) and no-data frames that phones and encoders with
// discontinuous transmission write during pauses. They carry no speech.
var benignAMRErrors = []string{
	"Corrupt bitstream",
	"Not yet implemented in FFmpeg",
	"Invalid data found when processing input",
}

// decode runs one complete decode of the chosen audio track, optionally
// through filter, and collects errors, the reached duration and the
// loudnorm report.
func (p *Processor) decode(ctx context.Context, path string, info Info, meta probeMeta, filter string) (decodeResult, error) {
	var res decodeResult
	level := "error"
	if filter != "" {
		level = "info" // the loudnorm report is printed at info level
	}
	amr := strings.HasPrefix(info.Codec, "amr")
	inJSON := false
	lw := &lineWriter{fn: func(line string) {
		ll := parseLogLine(line)
		if ll.level == "" {
			switch {
			case ll.text == "{":
				inJSON = true
			case inJSON:
				res.loudnormRaw = append(res.loudnormRaw, ll.text)
				if strings.TrimSpace(ll.text) == "}" {
					inJSON = false
				}
			}
			return
		}
		if !isErrorLevel(ll.level) {
			return
		}
		if strings.HasPrefix(ll.text, "Error while decoding stream") {
			res.badFrames++
		}
		if amr && containsAny(ll.text, benignAMRErrors) {
			res.benign++
			return
		}
		if len(res.errLines) < 1000 {
			res.errLines = append(res.errLines, ll.text)
		}
	}}
	pw := &lineWriter{fn: func(line string) {
		if v, ok := strings.CutPrefix(line, "out_time_us="); ok {
			if us, err := strconv.ParseInt(v, 10, 64); err == nil && us >= 0 {
				res.duration = time.Duration(us) * time.Microsecond
			}
		}
	}}
	limit := p.maxDuration + time.Second
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "repeat+level+" + level,
		"-progress", "pipe:1", "-t", strconv.FormatFloat(limit.Seconds(), 'f', 3, 64)}
	args = append(args, inputArgs(path)...)
	args = append(args, "-map", "0:"+strconv.Itoa(meta.stream))
	if filter != "" {
		args = append(args, "-af", filter)
	}
	args = append(args, "-f", "null", "-")
	err := run(ctx, p.ffmpeg, args, pw, lw)
	lw.Flush()
	pw.Flush()
	if err != nil {
		if !exitError(err) {
			return res, fmt.Errorf("decode audio %q: %w", path, err)
		}
		res.failed = err
	}
	return res, nil
}

// validateDecode turns a decode pass into a verdict and stores the decoded
// duration in info.
func (p *Processor) validateDecode(path string, info *Info, meta probeMeta, dec decodeResult) error {
	if dec.failed != nil || len(dec.errLines) > 0 {
		reason := "ffmpeg could not decode it"
		if len(dec.errLines) > 0 {
			reason = "decoding failed: " + excerpt(dec.errLines)
		}
		return &Error{Kind: ErrCorrupt, Path: path, Reason: reason, Hint: hintReexport, Err: dec.failed}
	}
	if dec.benign > 0 {
		// AMR pauses: each comfort-noise or no-data frame makes ffmpeg's
		// decoder complain once; more complaints than such frames is damage.
		if dec.badFrames > meta.amr.dtx {
			return &Error{Kind: ErrCorrupt, Path: path,
				Reason: fmt.Sprintf("%d AMR frames cannot be decoded", dec.badFrames-meta.amr.dtx), Hint: hintReexport}
		}
		p.log.Debug("media: tolerated AMR comfort-noise frames", "path", path, "frames", dec.badFrames)
	}
	if dec.duration <= 0 {
		return &Error{Kind: ErrEmpty, Path: path, Reason: "it contains no decodable sound", Hint: hintRecording}
	}
	if dec.duration > p.maxDuration {
		return &Error{Kind: ErrTooLong, Path: path,
			Reason: fmt.Sprintf("it lasts more than %s, the limit is %s", formatDuration(p.maxDuration), formatDuration(p.maxDuration)),
			Hint:   hintShorten, Limit: formatDuration(p.maxDuration)}
	}
	if meta.declared > 0 && !meta.estimated {
		tol := max(500*time.Millisecond, meta.declared/50)
		if dec.duration < meta.declared-tol {
			return &Error{Kind: ErrCorrupt, Path: path,
				Reason: fmt.Sprintf("truncated: its header announces %s of sound but only %s could be decoded",
					formatDuration(meta.declared), formatDuration(dec.duration)),
				Hint: hintReexport}
		}
	}
	if dec.duration < p.minDuration {
		return &Error{Kind: ErrEmpty, Path: path,
			Reason: fmt.Sprintf("it lasts only %s, the minimum is %s", formatDuration(dec.duration), formatDuration(p.minDuration)),
			Hint:   hintRecording}
	}
	info.Duration = dec.duration
	return nil
}

// checkDeclaredDuration refuses, before decoding, a file whose header
// reliably announces more than the limit.
func (p *Processor) checkDeclaredDuration(path string, meta probeMeta) error {
	if meta.declared > p.maxDuration && !meta.estimated {
		return &Error{Kind: ErrTooLong, Path: path,
			Reason: fmt.Sprintf("it lasts %s, the limit is %s", formatDuration(meta.declared), formatDuration(p.maxDuration)),
			Hint:   hintShorten, Limit: formatDuration(p.maxDuration)}
	}
	return nil
}

// checkWAVLength compares the size announced by a WAV file's data chunk
// with the bytes actually present: a WAV cut at a sample boundary decodes
// without any error, and this is the only sign of the truncation.
// Streaming placeholders (0, 0xFFFFFFFF, RF64) are not checked.
func checkWAVLength(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("check WAV header: %w", err)
	}
	defer f.Close()
	var hdr [12]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return &Error{Kind: ErrCorrupt, Path: path, Reason: "the WAV header is incomplete", Hint: hintReexport, Err: err}
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil // RF64 or other variants: sizes live elsewhere
	}
	var byteRate int64
	off := int64(12)
	for range 64 {
		var ch [8]byte
		if _, err := f.ReadAt(ch[:], off); err != nil {
			if errors.Is(err, io.EOF) {
				return &Error{Kind: ErrCorrupt, Path: path, Reason: "the WAV file ends before its sound data starts", Hint: hintReexport}
			}
			return fmt.Errorf("check WAV header: %w", err)
		}
		id := string(ch[0:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := off + 8
		switch id {
		case "fmt ":
			var fmtBody [12]byte
			if _, err := f.ReadAt(fmtBody[:], body); err == nil {
				byteRate = int64(binary.LittleEndian.Uint32(fmtBody[8:12]))
			}
		case "data":
			if n == 0 || n == math.MaxUint32 || n >= math.MaxInt32 {
				return nil // size unknown (written while streaming)
			}
			have := size - body
			if n <= have+1 { // +1: tolerate a missing pad byte
				return nil
			}
			reason := fmt.Sprintf("truncated: the WAV header announces %d bytes of sound but the file holds only %d", n, have)
			if byteRate > 0 {
				reason = fmt.Sprintf("truncated: the WAV header announces %s of sound but the file holds only %s",
					formatDuration(time.Duration(float64(n)/float64(byteRate)*float64(time.Second))),
					formatDuration(time.Duration(float64(have)/float64(byteRate)*float64(time.Second))))
			}
			return &Error{Kind: ErrCorrupt, Path: path, Reason: reason, Hint: hintReexport}
		}
		off = body + n + n&1
		if off >= size {
			return &Error{Kind: ErrCorrupt, Path: path, Reason: "the WAV file has no sound data chunk", Hint: hintReexport}
		}
	}
	return nil
}

// sniffAudio names the accepted format whose signature starts the file,
// or returns "".
func sniffAudio(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var b [12]byte
	n, _ := io.ReadFull(f, b[:])
	h := string(b[:n])
	switch {
	case strings.HasPrefix(h, "RIFF") && len(h) >= 12 && h[8:12] == "WAVE":
		return "WAV"
	case strings.HasPrefix(h, "ID3"):
		return "MP3"
	case strings.HasPrefix(h, "fLaC"):
		return "FLAC"
	case strings.HasPrefix(h, "OggS"):
		return "OGG"
	case strings.HasPrefix(h, "#!AMR"):
		return "AMR"
	case strings.HasPrefix(h, "\x1a\x45\xdf\xa3"):
		return "WebM"
	case len(h) >= 8 && h[4:8] == "ftyp":
		return "M4A/MP4"
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseSeconds parses an ffprobe duration ("12.345000" or "N/A").
func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || f > 1e9 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// formatDuration prints 1h02m03s / 4m05s / 3.2s.
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return d.Round(time.Second).String()
}
