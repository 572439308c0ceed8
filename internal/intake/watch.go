package intake

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docparse"
)

// Watcher imports the files dropped into a folder. A file is taken only
// once it is complete: names ending in .part, .tmp, .partial or
// .crdownload and hidden files are left alone (copy under such a name and
// rename when done), and any other file must keep the same size and
// modification time over two scans and be older than Settle. After import
// it is moved to done/ (imported, or already stored) or failed/ with a
// NAME.reason.txt file that says why. A restart is safe: a file imported
// but not yet moved is found again, recognised by its content hash as
// already stored, registered only once, and moved.
type Watcher struct {
	Dir      string
	Pipeline *Pipeline
	Interval time.Duration // between scans (default 2 s)
	Settle   time.Duration // a file must be this old (default 2 s)
	Log      *slog.Logger

	seen map[string]fileState
}

type fileState struct {
	size  int64
	mtime time.Time
}

// Run scans until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	iv := w.Interval
	if iv <= 0 {
		iv = 2 * time.Second
	}
	for _, sub := range []string{"done", "failed"} {
		if err := os.MkdirAll(filepath.Join(w.Dir, sub), 0o750); err != nil {
			return fmt.Errorf("watched folder: %w", err)
		}
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if _, err := w.Scan(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			w.logger().Error("watched folder", "dir", w.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (w *Watcher) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return w.Log
}

// incomplete reports names that are still being written by convention.
func incomplete(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") ||
		strings.HasSuffix(l, ".part") || strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".partial") || strings.HasSuffix(l, ".crdownload")
}

// Scan looks at the folder once and imports the files that are complete;
// it returns what became of them.
func (w *Watcher) Scan(ctx context.Context) ([]Outcome, error) {
	if w.seen == nil {
		w.seen = map[string]fileState{}
	}
	settle := w.Settle
	if settle == 0 {
		settle = 2 * time.Second
	}
	entries, err := os.ReadDir(w.Dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", w.Dir, err)
	}
	var outs []Outcome
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || incomplete(name) {
			continue
		}
		present[name] = true
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		now := fileState{size: info.Size(), mtime: info.ModTime()}
		before, ok := w.seen[name]
		w.seen[name] = now
		if !ok || before != now || time.Since(now.mtime) < settle {
			continue // still being written, or not yet seen twice
		}
		out, err := w.take(ctx, name)
		if err != nil {
			return outs, err
		}
		delete(w.seen, name)
		outs = append(outs, out)
	}
	for name := range w.seen {
		if !present[name] {
			delete(w.seen, name)
		}
	}
	return outs, nil
}

// take imports one complete file and moves it away.
func (w *Watcher) take(ctx context.Context, name string) (Outcome, error) {
	path := filepath.Join(w.Dir, name)
	out := Outcome{Name: name}
	data, err := readLimited(path)
	if err == nil {
		out, err = w.Pipeline.File(ctx, name, data)
		if err != nil {
			return out, err // Loa's failure: the file stays for the next scan
		}
	} else {
		out.Status, out.Reason = Failed, err.Error()
	}
	sub := "done"
	if out.Status == Failed || out.Status == SameLetter {
		sub = "failed"
	}
	dst, err := moveAside(path, filepath.Join(w.Dir, sub))
	if err != nil {
		return out, err
	}
	if sub == "failed" {
		if err := os.WriteFile(dst+".reason.txt", []byte(out.Reason+"\n"), 0o640); err != nil {
			return out, fmt.Errorf("write reason for %s: %w", name, err)
		}
	}
	w.logger().Info("watched folder: file taken", "file", name, "status", out.Status, "document", out.DocumentID, "code", out.Code,
		"incoming_no", out.Registered, "reason", out.Reason)
	return out, nil
}

// readLimited reads a file up to the document size limit.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, docparse.MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if len(data) > docparse.MaxInputSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", filepath.Base(path), docparse.MaxInputSize>>20)
	}
	return data, nil
}

// moveAside moves a file into dir, adding " (2)", " (3)" … before the
// extension when the name is taken; it returns the new path.
func moveAside(path, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; i < 10000; i++ {
		dst := filepath.Join(dir, base)
		if i > 1 {
			dst = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, i, ext))
		}
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		if err := os.Rename(path, dst); err != nil {
			return "", fmt.Errorf("move %s to %s: %w", base, dir, err)
		}
		return dst, nil
	}
	return "", fmt.Errorf("move %s: too many files of that name in %s", base, dir)
}
