package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Limits on what is kept of a tool's output.
const (
	maxProbeOutput = 1 << 20 // ffprobe JSON
	maxLineLength  = 4096
	maxKeptLines   = 12
)

// inputArgs are placed before every "-i": they restrict ffmpeg and ffprobe
// to local files and to the demuxers of accepted audio formats, so that a
// crafted upload (an HLS playlist, a concat script, an image sequence) can
// neither read other files nor reach the network.
func inputArgs(path string) []string {
	return []string{
		"-protocol_whitelist", "file",
		"-format_whitelist", acceptedDemuxers,
		"-i", fileURL(path),
	}
}

// acceptedDemuxers lists ffmpeg demuxers of accepted formats: MP3, WAV,
// Ogg (Opus/Vorbis/FLAC), MP4/M4A (AAC), AMR (phone recordings), Matroska/WebM
// (browser MediaRecorder), FLAC and raw ADTS AAC.
const acceptedDemuxers = "mp3,wav,ogg,mov,amr,amrnb,amrwb,matroska,flac,aac"

// fileURL prefixes the path with ffmpeg's file protocol so that a name
// containing ':' or starting with '-' is never taken as a protocol or an
// option.
func fileURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "file:" + path
}

// run executes a tool. stdout and stderr may be nil (discarded).
func run(ctx context.Context, bin string, args []string, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.Env = append(os.Environ(), "LC_ALL=C", "AV_LOG_FORCE_NOCOLOR=1")
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", filepath.Base(bin), ctxErr)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(bin), err)
	}
	return nil
}

// capBuffer keeps at most max bytes and silently drops the rest, so a
// misbehaving tool cannot exhaust memory.
type capBuffer struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (c *capBuffer) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if room <= 0 {
		c.truncated = len(p) > 0 || c.truncated
		return len(p), nil
	}
	if len(p) > room {
		c.buf.Write(p[:room])
		c.truncated = true
		return len(p), nil
	}
	c.buf.Write(p)
	return len(p), nil
}

// lineWriter calls fn for each complete line written to it (without the
// line ending); over-long lines are cut at maxLineLength.
type lineWriter struct {
	fn      func(line string)
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			room := maxLineLength - len(w.partial)
			if room > 0 {
				w.partial = append(w.partial, p[:min(room, len(p))]...)
			}
			break
		}
		room := maxLineLength - len(w.partial)
		if room > 0 {
			w.partial = append(w.partial, p[:min(room, i)]...)
		}
		w.fn(string(w.partial))
		w.partial = w.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Flush reports a last line that had no line ending.
func (w *lineWriter) Flush() {
	if len(w.partial) > 0 {
		w.fn(string(w.partial))
		w.partial = w.partial[:0]
	}
}

// logLine is one line of ffmpeg output produced with "-v repeat+level+…".
type logLine struct {
	level string // "error", "warning", "info", … or "" for continuation lines
	text  string // the message without the "[component @ 0x…]" and level tags
}

// parseLogLine splits "[mp3 @ 0x55…] [error] message" into level and text.
func parseLogLine(line string) logLine {
	rest := line
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "] "); i > 0 && strings.Contains(rest[:i], " @ ") {
			rest = rest[i+2:]
		}
	}
	for _, lvl := range []string{"panic", "fatal", "error", "warning", "info", "verbose", "debug", "trace"} {
		tag := "[" + lvl + "] "
		if strings.HasPrefix(rest, tag) {
			return logLine{level: lvl, text: strings.TrimSpace(rest[len(tag):])}
		}
	}
	return logLine{text: rest}
}

func isErrorLevel(level string) bool {
	return level == "error" || level == "fatal" || level == "panic"
}

// excerpt joins up to maxKeptLines lines into a one-line message.
func excerpt(lines []string) string {
	if len(lines) > maxKeptLines {
		lines = append(lines[:maxKeptLines:maxKeptLines], fmt.Sprintf("(%d more lines)", len(lines)-maxKeptLines))
	}
	return strings.Join(lines, " | ")
}

// exitError reports whether err is a non-zero exit of the tool (as opposed
// to a failure to start it or a cancelled context).
func exitError(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}
