package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

const seed = "../documents/testdata/cv-570-STTTT-TTBCBC-2021.txt"

// env is a store with its data directory and services.
type env struct {
	st    *storage.Store
	dsn   string
	data  string
	blobs *blob.FS
	docs  *documents.Service
	reg   *registry.Service
	unit  *model.Unit
}

func newEnv(t *testing.T, e storage.Engine) *env {
	t.Helper()
	ctx := context.Background()
	st, dsn := storetest.Open(t, e)
	data := t.TempDir()
	if e == storage.SQLite {
		// Keep the database in the data directory, as `loa serve` does.
		data = filepath.Dir(strings.TrimPrefix(dsn, "sqlite:"))
	}
	bs, err := blob.NewFS(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	u := &model.Unit{Code: "so" + storetest.Unique(), Name: "Sở Thông tin và Truyền thông", Kind: "provincial_dept", Abbreviation: "STTTT"}
	if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := authz.Default()
	return &env{st: st, dsn: dsn, data: data, blobs: bs, docs: documents.New(st, bs, p, log), reg: registry.New(st, p, i18n.Zone()), unit: u}
}

// letter makes a distinct document file: the seed with another number.
func letter(t *testing.T, n int) []byte {
	t.Helper()
	src, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(src, []byte("Số: 570/STTTT"), []byte(fmt.Sprintf("Số: %d/STTTT", 1000+n)), 1)
}

// addLetter imports a letter and enters it in the incoming register.
func (e *env) addLetter(ctx context.Context, n int, data []byte) error {
	sys := model.System("test")
	res, err := e.docs.Import(ctx, sys, documents.ImportInput{UnitID: e.unit.ID, Filename: fmt.Sprintf("cv-%d.txt", n), Data: bytes.NewReader(data)})
	if err != nil {
		return err
	}
	_, err = e.reg.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: e.unit.ID, DocumentID: res.Document.ID})
	return err
}

// state is what a backup must keep: every document (fields, text,
// original), every register line and every stored file's bytes.
type state struct {
	docs  map[int64]string
	lines map[string]string
	files map[string][]byte
	// lineDocs are the documents the register lines name.
	lineDocs []int64
}

func capture(t *testing.T, st *storage.Store, data string, unit int64) state {
	t.Helper()
	ctx := context.Background()
	s := state{docs: map[int64]string{}, lines: map[string]string{}, files: map[string][]byte{}}
	bs, err := blob.NewFS(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); ; id++ {
		d, err := st.Documents().Document(ctx, id)
		if err != nil {
			var n int
			if qerr := st.QueryRowRaw(ctx, `SELECT count(*) FROM documents WHERE id > ?`, id).Scan(&n); qerr != nil {
				t.Fatal(qerr)
			}
			if n == 0 {
				break
			}
			continue
		}
		s.docs[d.ID] = fmt.Sprintf("%d|%s|%s|%+v|%s", d.UnitID, d.Direction, d.BodyText, *d.Original, mustJSON(d.Fields))
		f, _, err := bs.Open(ctx, d.Original.SHA256)
		if err != nil {
			t.Fatalf("document %d: %v", d.ID, err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		s.files[d.Original.SHA256] = b
	}
	year := time.Now().In(i18n.Zone()).Year()
	entries, err := st.Registers().RegisterEntries(ctx, unit, year, model.SeriesIncoming)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		e.CreatedAt = e.CreatedAt.UTC()
		s.lineDocs = append(s.lineDocs, *e.DocumentID)
		s.lines[fmt.Sprint(e.Number)] = fmt.Sprintf("%d|%d|%s|%s|%s|%s|%s", e.ID, *e.DocumentID, e.EntryDate, e.Code, e.DocDate, e.Subject, e.Party)
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestBackupUnderLoadRestoresByteForByte backs up while writers import
// documents, register them and store their files; the restored copy must
// be a consistent snapshot: every document, register line and file in it
// is identical to the live one, nothing committed before the backup began
// is missing, numbering has no gap, and every file matches its hash.
func TestBackupUnderLoadRestoresByteForByte(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			src := newEnv(t, e)
			for i := range 5 {
				if err := src.addLetter(ctx, i, letter(t, i)); err != nil {
					t.Fatal(err)
				}
			}
			before := capture(t, src.st, src.data, src.unit.ID)

			// Writers run until the backup is done (bounded in count).
			var next atomic.Int64
			next.Store(100)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; k < 200; k++ {
						select {
						case <-stop:
							return
						default:
						}
						n := int(next.Add(1))
						if err := src.addLetter(ctx, n, letter(t, n)); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			time.Sleep(150 * time.Millisecond) // let the writers get going
			out := filepath.Join(t.TempDir(), "backup.tar.gz")
			res, err := archive.Backup(ctx, archive.BackupOptions{Store: src.st, DSN: src.dsn, DataDir: src.data, Out: out})
			close(stop)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("writer: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			after := capture(t, src.st, src.data, src.unit.ID)
			if len(after.docs) <= len(before.docs) {
				t.Fatalf("no writes happened during the backup (%d documents before, %d after)", len(before.docs), len(after.docs))
			}

			// Restore into a new data directory (and a new, empty database).
			dst := filepath.Join(t.TempDir(), "restored")
			dsn := ""
			if e == storage.Postgres {
				dsn = storetest.DSN(t, e)
			}
			rres, err := archive.Restore(ctx, archive.RestoreOptions{Archive: out, DataDir: dst, DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			if rres.Files != res.Files || rres.Database != res.Database {
				t.Fatalf("restored %+v, backed up %+v", rres, res)
			}
			if dsn == "" {
				dsn = "sqlite:" + filepath.Join(dst, archive.SQLiteName)
			}
			rst, err := storage.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer rst.Close()
			if err := rst.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			got := capture(t, rst, dst, src.unit.ID)
			t.Logf("%s: %d documents before, %d in the backup, %d after; %d stored files", e, len(before.docs), len(got.docs), len(after.docs), res.Files)
			for id, d := range before.docs {
				if got.docs[id] != d {
					t.Errorf("document %d committed before the backup is missing or differs", id)
				}
			}
			for id, d := range got.docs {
				if after.docs[id] != d {
					t.Errorf("restored document %d differs from the live one:\n%s\n%s", id, d, after.docs[id])
				}
			}
			for sha, b := range got.files {
				if !bytes.Equal(after.files[sha], b) {
					t.Errorf("restored file %s differs from the live one", sha)
				}
			}
			// Importing and registering are two transactions: a document
			// imported by a writer just before the snapshot may not be
			// registered yet (at most one per writer), but every line
			// names a document of the snapshot.
			if len(got.lines) > len(got.docs) || len(got.docs)-len(got.lines) > 3 {
				t.Errorf("%d register lines for %d documents: the snapshot is not consistent", len(got.lines), len(got.docs))
			}
			for _, id := range got.lineDocs {
				if _, ok := got.docs[id]; !ok {
					t.Errorf("a restored register line names document %d, which is not in the restored copy", id)
				}
			}
			for n, l := range got.lines {
				if after.lines[n] != l {
					t.Errorf("register line %s differs: %s / %s", n, l, after.lines[n])
				}
			}
			for i := 1; i <= len(got.lines); i++ {
				if _, ok := got.lines[fmt.Sprint(i)]; !ok {
					t.Errorf("register number %d is missing from the restored register", i)
				}
			}
			rep, err := archive.Fsck(ctx, rst, dst, archive.FsckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				// Files stored after the snapshot are unreferenced in it.
				if p.Kind != archive.ProblemOrphan {
					t.Errorf("fsck of the restored copy: %s %s", p.Kind, p.Detail)
				}
			}

			// Restoring again into the same (now full) place is refused.
			if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: out, DataDir: dst}); err == nil || !strings.Contains(err.Error(), "not empty") {
				t.Fatalf("restore over existing data: %v", err)
			}
			if e == storage.Postgres {
				if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: out, DataDir: t.TempDir(), DSN: dsn}); err == nil || !strings.Contains(err.Error(), "already has") {
					t.Fatalf("restore into a database with tables: %v", err)
				}
			}
		})
	}
}
