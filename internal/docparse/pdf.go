package docparse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

const (
	warnPDFOwnerEncrypted = "PDF is encrypted with an owner password only; text extracted"
	pdftotextPackage      = "poppler-utils"
)

// cappedBuffer keeps at most limit bytes and remembers that more came;
// the writer never fails so that the child process is not blocked.
type cappedBuffer struct {
	buf      bytes.Buffer
	limit    int
	overflow bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.limit - c.buf.Len()
	if len(p) > room {
		c.overflow = true
		if room > 0 {
			c.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}

// extractPDF returns the text layer of a PDF using poppler's pdftotext.
func extractPDF(ctx context.Context, data []byte) (string, []string, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", nil, fmt.Errorf("%w: pdftotext not found; install the Debian package %s", ErrToolMissing, pdftotextPackage)
	}
	tmp, err := os.CreateTemp("", "loa-docparse-*.pdf")
	if err != nil {
		return "", nil, fmt.Errorf("create temporary PDF file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", nil, fmt.Errorf("write temporary PDF file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", nil, fmt.Errorf("close temporary PDF file: %w", err)
	}
	encrypted, err := pdfEncrypted(ctx, tmp.Name(), data)
	if err != nil {
		return "", nil, err
	}
	out, err := runPDFTool(ctx, tool, "-layout", "-enc", "UTF-8", "-eol", "unix", "-q", tmp.Name(), "-")
	if err != nil {
		return "", nil, err
	}
	text := strings.ReplaceAll(out, "\f", "\n")
	if !hasLetters(text, 10) {
		return "", nil, fmt.Errorf("%w: the PDF contains no extractable text; it is probably a scan and needs OCR (e.g. tesseract-ocr with tesseract-ocr-vie)", ErrNoTextLayer)
	}
	text, warnings, err := decodeText([]byte(text))
	if err != nil {
		return "", nil, fmt.Errorf("PDF text: %w", err)
	}
	if encrypted {
		warnings = append(warnings, warnPDFOwnerEncrypted)
	}
	return text, warnings, nil
}

// pdfEncrypted asks pdfinfo whether the PDF is encrypted; a PDF that
// needs a user password gives ErrEncrypted. Without pdfinfo the /Encrypt
// trailer key is looked for.
func pdfEncrypted(ctx context.Context, path string, data []byte) (bool, error) {
	tool, err := exec.LookPath("pdfinfo")
	if err != nil {
		return bytes.Contains(data, []byte("/Encrypt")), nil
	}
	out, err := runPDFTool(ctx, tool, path)
	if err != nil {
		return false, err
	}
	for _, ln := range strings.Split(out, "\n") {
		if strings.HasPrefix(ln, "Encrypted:") {
			return strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(ln, "Encrypted:")), "yes"), nil
		}
	}
	return false, nil
}

// runPDFTool runs a poppler tool with a timeout and a bounded output and
// maps its failures to the package errors.
func runPDFTool(ctx context.Context, tool string, args ...string) (string, error) {
	return runTool(ctx, toolRun{timeout: pdfToolTimeout, input: "PDF", output: "PDF text"}, tool, args...)
}

// toolRun describes one external tool run: its time limit, what it reads
// and writes (for error messages) and extra environment.
type toolRun struct {
	timeout       time.Duration
	input, output string
	env           []string
}

// runTool runs an external tool (poppler, tesseract) with a timeout and
// bounded output, and maps its failures to the package errors.
func runTool(ctx context.Context, run toolRun, tool string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, run.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	stdout := &cappedBuffer{limit: maxExtractedText}
	stderr := &cappedBuffer{limit: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	if run.env != nil {
		cmd.Env = append(os.Environ(), run.env...)
	}
	err := cmd.Run()
	msg := strings.TrimSpace(stderr.buf.String())
	name := filepath.Base(tool)
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", fmt.Errorf("%s timed out after %s; the %s may be damaged or very large", name, run.timeout, run.input)
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s: %w", name, ctx.Err())
	case err != nil && strings.Contains(strings.ToLower(msg), "password"):
		return "", fmt.Errorf("%w: the PDF needs a password to open; ask the sender for an unprotected copy", ErrEncrypted)
	case err != nil:
		return "", fmt.Errorf("%w: %s cannot read the %s (%v: %s); the file may be damaged", ErrNotDocument, name, run.input, err, lastLine(msg))
	case stdout.overflow:
		return "", fmt.Errorf("%w: the %s is larger than %d MiB", ErrTooLarge, run.output, maxExtractedText>>20)
	}
	return stdout.buf.String(), nil
}

// lastLine is the last line of a tool's error output, at most 300 bytes.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// hasLetters reports whether s contains at least n letters.
func hasLetters(s string, n int) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			n--
			if n <= 0 {
				return true
			}
		}
	}
	return false
}
