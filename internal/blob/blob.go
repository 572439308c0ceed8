// Package blob is Loa's content-addressed store for files (originals,
// attachments, audio): each file is named by the sha256 of its bytes, so
// the same file is stored once. The local filesystem implementation writes
// through a temporary file and renames, so a crash never leaves a partial
// blob under its final name.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// ErrTooLarge is returned when a blob exceeds the size limit of a Put.
var ErrTooLarge = errors.New("file too large")

// ErrNotFound is returned for an unknown blob.
var ErrNotFound = errors.New("blob not found")

// Info describes a stored blob.
type Info struct {
	SHA256  string
	Size    int64
	Existed bool // the same content was already stored (deduplicated)
}

// Store is what Loa needs from a blob store.
type Store interface {
	// Put stores r, refusing more than maxBytes with ErrTooLarge.
	Put(ctx context.Context, r io.Reader, maxBytes int64) (Info, error)
	// Open returns a reader over a blob (it also seeks, for HTTP ranges).
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error)
	// Path returns a local path to the blob when the store has one.
	Path(sha string) (string, bool)
}

// FS stores blobs under a directory as ab/cdef….
type FS struct {
	dir string
}

// NewFS opens (creating) a filesystem blob store.
func NewFS(dir string) (*FS, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", dir, err)
	}
	return &FS{dir: dir}, nil
}

var shaRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSHA256 reports whether s is a blob name: 64 lower-case hex digits.
func ValidSHA256(s string) bool { return shaRe.MatchString(s) }

// CtxReader returns a reader of r that stops with ctx's error once ctx
// ends (an abandoned upload stops being read).
func CtxReader(ctx context.Context, r io.Reader) io.Reader { return &ctxReader{ctx: ctx, r: r} }

func (s *FS) path(sha string) string {
	return filepath.Join(s.dir, sha[:2], sha[2:])
}

// Path returns the file of a blob.
func (s *FS) Path(sha string) (string, bool) {
	if !shaRe.MatchString(sha) {
		return "", false
	}
	return s.path(sha), true
}

// Put stores the content of r.
func (s *FS) Put(ctx context.Context, r io.Reader, maxBytes int64) (Info, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return Info{}, fmt.Errorf("blob: temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), &ctxReader{ctx: ctx, r: io.LimitReader(r, maxBytes+1)})
	if err != nil {
		return Info{}, fmt.Errorf("blob: write: %w", err)
	}
	if n > maxBytes {
		return Info{}, fmt.Errorf("blob: more than %d bytes: %w", maxBytes, ErrTooLarge)
	}
	if err := tmp.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob: sync: %w", err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	final := s.path(sha)
	if _, err := os.Stat(final); err == nil {
		return Info{SHA256: sha, Size: n, Existed: true}, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Info{}, fmt.Errorf("blob: mkdir: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Info{}, fmt.Errorf("blob: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Info{}, fmt.Errorf("blob: rename: %w", err)
	}
	return Info{SHA256: sha, Size: n}, nil
}

// Open opens a blob for reading.
func (s *FS) Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error) {
	if !shaRe.MatchString(sha) {
		return nil, 0, fmt.Errorf("blob %q: not a sha256: %w", sha, ErrNotFound)
	}
	f, err := os.Open(s.path(sha))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, fmt.Errorf("blob %s: %w", sha, ErrNotFound)
		}
		return nil, 0, fmt.Errorf("blob %s: %w", sha, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob %s: %w", sha, err)
	}
	return f, st.Size(), nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
