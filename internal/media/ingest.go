package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Ingested is the outcome of Ingest. Both files belong to the caller,
// who moves them (for example into the blob store) or calls Remove.
type Ingested struct {
	OriginalPath   string // the upload exactly as received
	OriginalSHA256 string // hex
	OriginalSize   int64
	Original       Info

	NormalizedPath   string // the device-format MP3
	NormalizedSHA256 string // hex
	NormalizedSize   int64
	Normalized       Result
}

// Remove deletes both files; files already moved away are ignored.
func (in *Ingested) Remove() error {
	var errs []error
	for _, p := range []string{in.OriginalPath, in.NormalizedPath} {
		if p == "" {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Ingest takes an upload: it spools r to a temporary file with a hard
// limit of maxBytes (<= 0 or above Config.MaxFileSize means
// Config.MaxFileSize; a larger stream fails with ErrTooLarge as soon as
// the limit is passed, without reading the rest and without buffering it
// in memory), validates it, and normalises it with Config.Output. On error
// no file is left behind.
func (p *Processor) Ingest(ctx context.Context, r io.Reader, maxBytes int64) (*Ingested, error) {
	sp, err := p.spool(ctx, r, maxBytes)
	if err != nil {
		return nil, err
	}
	res := &Ingested{OriginalPath: sp.path, OriginalSHA256: sp.sha256, OriginalSize: sp.size}
	ok := false
	defer func() {
		if !ok {
			res.Remove()
		}
	}()
	normFile, err := os.CreateTemp(p.tempDir, "loa-normalized-*.mp3")
	if err != nil {
		return nil, fmt.Errorf("ingest audio: %w", err)
	}
	res.NormalizedPath = normFile.Name()
	normFile.Close()

	nr, err := p.Normalize(ctx, sp.path, res.NormalizedPath, NormalizeOptions{})
	if err != nil {
		return nil, err
	}
	res.Original = nr.Input
	res.Normalized = nr
	res.NormalizedSHA256, res.NormalizedSize, err = hashFile(res.NormalizedPath)
	if err != nil {
		return nil, fmt.Errorf("ingest audio: %w", err)
	}
	ok = true
	return res, nil
}

type spooled struct {
	path   string
	sha256 string
	size   int64
}

// spool copies r into a new temporary file, hashing it on the way.
func (p *Processor) spool(ctx context.Context, r io.Reader, maxBytes int64) (spooled, error) {
	if maxBytes <= 0 || maxBytes > p.maxFileSize {
		maxBytes = p.maxFileSize
	}
	f, err := os.CreateTemp(p.tempDir, "loa-upload-*")
	if err != nil {
		return spooled{}, fmt.Errorf("spool upload: %w", err)
	}
	path := f.Name()
	h := sha256.New()
	n, copyErr := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx: ctx, r: r}, maxBytes+1))
	closeErr := f.Close()
	switch {
	case copyErr != nil:
		os.Remove(path)
		return spooled{}, fmt.Errorf("spool upload: %w", copyErr)
	case closeErr != nil:
		os.Remove(path)
		return spooled{}, fmt.Errorf("spool upload: %w", closeErr)
	case n > maxBytes:
		os.Remove(path)
		return spooled{}, &Error{Kind: ErrTooLarge,
			Reason: fmt.Sprintf("the upload exceeds the limit of %d bytes", maxBytes), Hint: hintTooLarge}
	case n == 0:
		os.Remove(path)
		return spooled{}, &Error{Kind: ErrEmpty, Reason: "the upload is empty (0 bytes)", Hint: hintReexport}
	}
	return spooled{path: path, sha256: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %q: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
