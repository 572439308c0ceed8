package intake_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/intake"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

type intakeEnv struct {
	store *storage.Store
	pipe  *intake.Pipeline
	unit  *model.Unit
}

func newIntakeEnv(t *testing.T, s *storage.Store) *intakeEnv {
	t.Helper()
	ctx := context.Background()
	bl, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u := &model.Unit{Code: "so-tttt", Name: "Sở Thông tin và Truyền thông", Kind: "other"}
	if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &intakeEnv{store: s, unit: u, pipe: &intake.Pipeline{Docs: documents.New(s, bl, policy, log), Registry: registry.New(s, policy, i18n.Zone()),
		Unit: u.ID, Actor: model.System("intake-test"), Note: "thư mục nhận"}}
}

func seed(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "documents", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *intakeEnv) registered(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.store.QueryRowRaw(context.Background(), `SELECT COUNT(*) FROM register_entries WHERE unit_id = ? AND series = 'incoming'`, e.unit.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWatchedFolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newIntakeEnv(t, s)
		dir := t.TempDir()
		w := &intake.Watcher{Dir: dir, Pipeline: e.pipe, Settle: time.Nanosecond}
		scan := func() []intake.Outcome {
			t.Helper()
			outs, err := w.Scan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return outs
		}
		letter := seed(t, "cv-570-STTTT-TTBCBC-2021.txt")
		// A file being copied under a .part name is left alone.
		part := filepath.Join(dir, "570.txt.part")
		if err := os.WriteFile(part, letter[:len(letter)/2], 0o640); err != nil {
			t.Fatal(err)
		}
		if outs := append(scan(), scan()...); len(outs) != 0 {
			t.Fatalf("a .part file was taken: %+v", outs)
		}
		if err := os.WriteFile(part, letter, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(part, filepath.Join(dir, "570.txt")); err != nil {
			t.Fatal(err)
		}
		if outs := scan(); len(outs) != 0 {
			t.Fatalf("a file seen once was taken: %+v", outs)
		}
		outs := scan()
		if len(outs) != 1 || outs[0].Status != intake.Imported || outs[0].Code != "570/STTTT-TTBCBC" || outs[0].Registered != 1 {
			t.Fatalf("570: %+v", outs)
		}
		if _, err := os.Stat(filepath.Join(dir, "done", "570.txt")); err != nil {
			t.Errorf("570.txt not moved to done/: %v", err)
		}
		// A file that grows between scans is taken only once it is stable.
		other := seed(t, "cv-355-TTCS-TTTH-2021.txt")
		grow := filepath.Join(dir, "355.txt")
		if err := os.WriteFile(grow, other[:len(other)/3], 0o640); err != nil {
			t.Fatal(err)
		}
		scan()
		f, err := os.OpenFile(grow, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(other[len(other)/3:]); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if outs := scan(); len(outs) != 0 {
			t.Fatalf("a growing file was taken: %+v", outs)
		}
		if outs := scan(); len(outs) != 1 || outs[0].Status != intake.Imported || outs[0].Code != "355/TTCS-TTTH" {
			t.Fatalf("355 once stable: %+v", outs)
		}
		// After a restart (a new watcher) a file imported but not moved is
		// recognised by its content and registered only once.
		if err := os.WriteFile(filepath.Join(dir, "570.txt"), letter, 0o640); err != nil {
			t.Fatal(err)
		}
		w = &intake.Watcher{Dir: dir, Pipeline: e.pipe, Settle: time.Nanosecond}
		scan()
		outs = scan()
		if len(outs) != 1 || outs[0].Status != intake.Already || outs[0].Registered != 1 {
			t.Fatalf("570 again after a restart: %+v", outs)
		}
		if _, err := os.Stat(filepath.Join(dir, "done", "570 (2).txt")); err != nil {
			t.Errorf("second 570.txt not moved to done/ under another name: %v", err)
		}
		if n := e.registered(t); n != 2 {
			t.Errorf("%d incoming register lines, want 2", n)
		}
		// A file that is not a document goes to failed/ with the reason.
		if err := os.WriteFile(filepath.Join(dir, "shopping.txt"), []byte("mua rau, mua thịt\nhai quả trứng\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		scan()
		outs = scan()
		if len(outs) != 1 || outs[0].Status != intake.Failed {
			t.Fatalf("shopping list: %+v", outs)
		}
		reason, err := os.ReadFile(filepath.Join(dir, "failed", "shopping.txt.reason.txt"))
		if err != nil || !strings.Contains(string(reason), "not recognised as a document") {
			t.Errorf("reason file: %q %v", reason, err)
		}
		// Run stops with its context.
		rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if err := (&intake.Watcher{Dir: dir, Pipeline: e.pipe, Interval: 50 * time.Millisecond}).Run(rctx); err != nil {
			t.Errorf("run: %v", err)
		}
	})
}
