package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/intake"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// countingDocs counts imports and cancels the run after a number of them
// (an interruption such as Ctrl-C).
type countingDocs struct {
	intake.Documents
	calls       atomic.Int32
	cancelAfter int32
	cancel      context.CancelFunc
}

func (c *countingDocs) Import(ctx context.Context, a model.Actor, in documents.ImportInput) (*documents.ImportResult, error) {
	n := c.calls.Add(1)
	res, err := c.Documents.Import(ctx, a, in)
	if c.cancel != nil && n == c.cancelAfter {
		c.cancel()
	}
	return res, err
}

func TestBulkImportResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		e := newIntakeEnv(t, s)
		dir := t.TempDir()
		letter := seed(t, "cv-570-STTTT-TTBCBC-2021.txt")
		const letters = 24
		for i := 0; i < letters; i++ {
			b := bytes.Replace(letter, []byte("Số: 570/"), []byte(fmt.Sprintf("Số: %d/", 1000+i)), 1)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a-%03d.txt", i)), b, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		// The same file twice, the same letter in other bytes, and junk.
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.WriteFile(filepath.Join(dir, "b-copy.txt"), bytes.Replace(letter, []byte("Số: 570/"), []byte("Số: 1000/"), 1), 0o640))
		must(os.WriteFile(filepath.Join(dir, "c-same-letter.txt"), append(bytes.Replace(letter, []byte("Số: 570/"), []byte("Số: 1001/"), 1), "\n\n"...), 0o640))
		must(os.WriteFile(filepath.Join(dir, "d-junk.txt"), []byte("không phải văn bản\n"), 0o640))
		must(os.WriteFile(filepath.Join(dir, "e-empty.txt"), nil, 0o640))
		entries, _ := os.ReadDir(dir)
		var files []string
		for _, en := range entries {
			files = append(files, filepath.Join(dir, en.Name()))
		}
		sort.Strings(files)
		state := filepath.Join(t.TempDir(), "state.jsonl")

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		docs := &countingDocs{Documents: e.pipe.Docs, cancelAfter: 10, cancel: cancel}
		p := *e.pipe
		p.Docs, p.Registry = docs, nil
		var progress bytes.Buffer
		sum, err := (&intake.Bulk{Pipeline: &p, State: state, Progress: &progress}).Run(ctx, files)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Interrupted || sum.Imported != 10 {
			t.Fatalf("first run: %+v", sum)
		}
		if !strings.Contains(progress.String(), "files/s") || !strings.Contains(progress.String(), "left") || !strings.Contains(progress.String(), "/28 ") {
			t.Errorf("progress line %q", progress.String())
		}
		// The same run again goes on where it stopped and reads no file twice.
		docs.cancel = nil
		progress.Reset()
		sum, err = (&intake.Bulk{Pipeline: &p, State: state, Progress: &progress}).Run(context.Background(), files)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Interrupted || sum.Resumed != 10 || sum.Imported != letters || sum.Already != 1 || len(sum.SameLetter) != 1 || len(sum.Failed) != 2 {
			t.Fatalf("second run: %+v", sum)
		}
		if n := docs.calls.Load(); n != int32(len(files)) {
			t.Errorf("%d imports for %d files: files were read again", n, len(files))
		}
		reasons := map[string]string{}
		for _, o := range sum.Failed {
			reasons[filepath.Base(o.Name)] = o.Reason
		}
		if !strings.Contains(reasons["d-junk.txt"], "not recognised") || reasons["e-empty.txt"] == "" {
			t.Errorf("failure reasons: %v", reasons)
		}
		var stored int
		if err := s.QueryRowRaw(context.Background(), `SELECT COUNT(*) FROM documents WHERE unit_id = ?`, e.unit.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != letters {
			t.Errorf("%d documents stored, want %d", stored, letters)
		}
	})
}
