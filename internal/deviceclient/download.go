package deviceclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

var shaRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ErrChecksum is returned when downloaded audio does not match its sha256.
var ErrChecksum = errors.New("downloaded audio does not match its sha256")

// MediaPath is where the audio with this hash is cached in dir.
func MediaPath(dir, sha string) string { return filepath.Join(dir, sha+".mp3") }

// Download fetches the audio m into dir (as SHA256.mp3) unless it is
// already there. An interrupted download leaves SHA256.mp3.part, which the
// next call resumes with an HTTP Range request. The complete file is
// checked against the sha256; on mismatch it is deleted and ErrChecksum
// returned. It returns the file's path.
func (c *Client) Download(ctx context.Context, m protocol.Media, dir string) (string, error) {
	if !shaRe.MatchString(m.SHA256) {
		return "", fmt.Errorf("media hash %q is not a sha256", m.SHA256)
	}
	final := MediaPath(dir, m.SHA256)
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("media cache %s: %w", dir, err)
	}
	part := final + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	if m.Size > 0 && have > m.Size {
		if err := f.Truncate(0); err != nil {
			return "", fmt.Errorf("media cache: %w", err)
		}
		have = 0
	}
	if m.Size == 0 || have < m.Size {
		if err := c.fetchRange(ctx, m, f, have); err != nil {
			return "", err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("media cache: check %s: %w", part, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		f.Close()
		os.Remove(part)
		return "", fmt.Errorf("audio %s: %w; it was deleted and will be downloaded again", m.SHA256[:12], ErrChecksum)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	if err := os.Rename(part, final); err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	return final, nil
}

// fetchRange appends the audio from offset have to f.
func (c *Client) fetchRange(ctx context.Context, m protocol.Media, f *os.File, have int64) error {
	timeout := 2*time.Minute + time.Duration(m.Size/(64<<10))*time.Second // at least 64 KiB/s
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+c.path(protocol.PathMedia, m.SHA256), nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	c.setHeaders(req, true)
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("download audio %s: %w", m.SHA256[:12], err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		var start, end, total int64
		if _, err := fmt.Sscanf(resp.Header.Get("Content-Range"), "bytes %d-%d/%d", &start, &end, &total); err != nil || start != have {
			return fmt.Errorf("download audio %s: unexpected Content-Range %q", m.SHA256[:12], resp.Header.Get("Content-Range"))
		}
	case http.StatusOK:
		// The whole file: start again.
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("media cache: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("media cache: %w", err)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("media cache: %w", err)
		}
		return fmt.Errorf("download audio %s: the partial download was longer than the file; restarting", m.SHA256[:12])
	default:
		return fmt.Errorf("download audio %s: %w", m.SHA256[:12], readAPIError(resp))
	}
	limit := int64(1 << 30)
	if m.Size > 0 {
		limit = m.Size + 1
	}
	if _, err := io.Copy(f, io.LimitReader(resp.Body, limit)); err != nil {
		return fmt.Errorf("download audio %s (will resume): %w", m.SHA256[:12], err)
	}
	return nil
}
