package archive_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func kinds(rep *archive.FsckReport) map[string][]string {
	out := map[string][]string{}
	for _, p := range rep.Problems {
		out[p.Kind] = append(out[p.Kind], p.Detail)
	}
	return out
}

// TestFsckFindsCorruptionOrphansAndGaps: a clean store passes; a blob
// corrupted on disk, a deleted blob, an orphan file and a gap and a
// duplicate in register numbering are each found; --remove-orphans
// removes the orphan and nothing else.
func TestFsckFindsCorruptionOrphansAndGaps(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			env := newEnv(t, e)
			for i := range 4 {
				if err := env.addLetter(ctx, i, letter(t, i)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := archive.Fsck(ctx, env.st, env.data, archive.FsckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed() || rep.Blobs != 4 || rep.Registers != 1 {
				t.Fatalf("clean store: %+v", rep)
			}

			d1, _ := env.st.Documents().Document(ctx, 1)
			d2, _ := env.st.Documents().Document(ctx, 2)
			p1, _ := env.blobs.Path(d1.Original.SHA256)
			p2, _ := env.blobs.Path(d2.Original.SHA256)
			// Flip one byte of a stored file, delete another.
			b, err := os.ReadFile(p1)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			if err := os.WriteFile(p1, b, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(p2); err != nil {
				t.Fatal(err)
			}
			// An orphan: a stored file nothing refers to.
			info, err := env.blobs.Put(ctx, strings.NewReader("không ai dùng tệp này"), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			orphan, _ := env.blobs.Path(info.SHA256)
			old := time.Now().Add(-2 * time.Hour)
			_ = os.Chtimes(orphan, old, old)
			// A gap (number 3 removed) and a duplicate register number
			// in another series written behind the register's back.
			err = env.st.Tx(ctx, func(tx *storage.Tx) error {
				if _, err := tx.ExecRaw(ctx, `DELETE FROM register_entries WHERE number = 3`); err != nil {
					return err
				}
				_, err := tx.ExecRaw(ctx, `INSERT INTO register_entries (unit_id, year, series, number, entry_date, created_at) VALUES (?, 2020, 'outgoing', 1, '2020-01-01', ?), (?, 2020, 'outgoing', 3, '2020-01-02', ?)`,
					env.unit.ID, old, env.unit.ID, old)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			rep, err = archive.Fsck(ctx, env.st, env.data, archive.FsckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			k := kinds(rep)
			if !rep.Failed() || len(k[archive.ProblemCorrupt]) != 1 || !strings.HasPrefix(k[archive.ProblemCorrupt][0], d1.Original.SHA256) {
				t.Fatalf("corrupted blob not found: %+v", rep.Problems)
			}
			if len(k[archive.ProblemMissing]) != 1 || !strings.Contains(k[archive.ProblemMissing][0], "document 2 original") {
				t.Fatalf("missing blob not found: %+v", rep.Problems)
			}
			if len(k[archive.ProblemOrphan]) != 1 || !strings.HasPrefix(k[archive.ProblemOrphan][0], info.SHA256) {
				t.Fatalf("orphan not found: %+v", rep.Problems)
			}
			if len(k[archive.ProblemGap]) != 2 || !strings.Contains(strings.Join(k[archive.ProblemGap], "|"), "numbers missing: 3") {
				t.Fatalf("gaps not found: %+v", rep.Problems)
			}
			if len(k[archive.ProblemCounter]) != 1 || !strings.Contains(k[archive.ProblemCounter][0], "outgoing 2020") {
				t.Fatalf("register without counter not found: %+v", rep.Problems)
			}

			rep, err = archive.Fsck(ctx, env.st, env.data, archive.FsckOptions{RemoveOrphans: true, OrphanGrace: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if rep.OrphansRemoved != 1 {
				t.Fatalf("orphans removed: %d", rep.OrphansRemoved)
			}
			if _, err := os.Stat(orphan); !os.IsNotExist(err) {
				t.Fatalf("orphan still there: %v", err)
			}
			if _, err := os.Stat(p1); err != nil {
				t.Fatalf("the corrupted (referenced) file must be kept for inspection: %v", err)
			}
		})
	}
}
