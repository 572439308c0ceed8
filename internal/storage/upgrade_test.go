package storage_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// The upgrade fixtures (testdata/upgrade, see its README) were made by
// `loa serve --demo` of the release with migrations up to 00013: a SQLite
// data directory and a plain pg_dump of the same demo on PostgreSQL.

// fixtureCounts are the records of the demo when the fixtures were made.
var fixtureCounts = map[string]int{"documents": 45, "register_entries": 45, "deliveries": 41, "devices": 90, "units": 130, "users": 16}

// snapshotQueries read the key fields of the records an upgrade must keep.
var snapshotQueries = []string{
	`SELECT id, unit_id, direction, doc_type, number, notation, issuer, subject, original_sha FROM documents ORDER BY id`,
	`SELECT id, unit_id, year, series, number, document_id, code, subject, party FROM register_entries ORDER BY id`,
	`SELECT id, directive_id, recipient_unit_id, sender_unit_id, status, code, subject, document_id, register_entry_id FROM deliveries ORDER BY id`,
	`SELECT id, unit_id, name, kind, hardware_id, credential_hash, revoked_at IS NULL FROM devices ORDER BY id`,
	`SELECT id, code, parent_id, name FROM units ORDER BY id`,
	`SELECT id, username FROM users ORDER BY id`,
}

// snapshot returns every row of snapshotQueries as text, and the counts.
func snapshot(t *testing.T, db *sql.DB) ([]string, map[string]int) {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, q := range snapshotQueries {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			out = append(out, fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	counts := map[string]int{}
	for table := range fixtureCounts {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return out, counts
}

// untar unpacks a .tar.gz fixture into dir.
func untar(t *testing.T, file, dir string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Clean(h.Name)
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			t.Fatalf("fixture entry %q escapes the directory", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o750); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
				t.Fatal(err)
			}
			w, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, io.LimitReader(tr, 64<<20)); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
	}
}

// upgradeAndCompare migrates the database at dsn with every migration this
// binary knows and checks the records are those of before.
func upgradeAndCompare(t *testing.T, driver, conn, dsn string) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	before, counts := snapshot(t, raw)
	for table, want := range fixtureCounts {
		if counts[table] != want {
			t.Fatalf("fixture has %d %s, want %d (fixture damaged?)", counts[table], table, want)
		}
	}
	st, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	plan, err := st.PlanMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range plan.Pending {
		if slices.Contains([]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 13}, m.Version) {
			t.Errorf("migration %s is pending on a database migrated to 00013", m.File)
		}
	}
	if err := st.Migrate(ctx, nil); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if plan, err = st.PlanMigrations(ctx); err != nil || len(plan.Pending) != 0 || len(plan.Unknown) != 0 {
		t.Fatalf("after the upgrade: %+v %v", plan, err)
	}
	after, counts := snapshot(t, raw)
	for table, want := range fixtureCounts {
		if counts[table] != want {
			t.Errorf("after the upgrade %d %s, want %d", counts[table], table, want)
		}
	}
	if len(after) != len(before) {
		t.Fatalf("after the upgrade %d key rows, before %d", len(after), len(before))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("row changed by the upgrade:\nbefore %s\nafter  %s", before[i], after[i])
		}
	}
}

// TestUpgradeSQLiteDataDir upgrades the previous release's SQLite data
// directory in place: documents, register lines, deliveries, devices,
// units and users keep every key field, and every document's original
// file is still in the blob store with its checksum.
func TestUpgradeSQLiteDataDir(t *testing.T) {
	dir := t.TempDir()
	untar(t, filepath.Join("testdata", "upgrade", "sqlite-datadir.tar.gz"), dir)
	db := filepath.Join(dir, "loa.db")
	upgradeAndCompare(t, "sqlite", "file:"+db+"?_pragma=busy_timeout(10000)", "sqlite:"+db)
	raw, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	blobs, err := blob.NewFS(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := raw.QueryContext(context.Background(), `SELECT DISTINCT original_sha FROM documents WHERE original_sha <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			t.Fatal(err)
		}
		r, _, err := blobs.Open(context.Background(), sha)
		if err != nil {
			t.Fatalf("original %s: %v", sha, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != sha {
			t.Fatalf("original %s damaged: %v", sha, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no document originals checked")
	}
}

// TestUpgradePostgresDump restores the previous release's plain pg_dump
// into a fresh database and upgrades it in place.
func TestUpgradePostgresDump(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), storage.Postgres) {
		t.Skip("PostgreSQL suite not run")
	}
	dsn := storetest.DSN(t, storage.Postgres)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	restoreDump(t, raw, filepath.Join("testdata", "upgrade", "postgres.sql.gz"))
	upgradeAndCompare(t, "pgx", dsn, dsn)
}

// restoreDump runs a plain-format pg_dump in one go (PostgreSQL's simple
// query protocol takes many statements); psql's meta-commands (\restrict
// of newer pg_dump versions) are dropped.
func restoreDump(t *testing.T, db *sql.DB, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	for line := range strings.Lines(string(b)) {
		if strings.HasPrefix(line, `\restrict `) || strings.HasPrefix(line, `\unrestrict `) {
			continue
		}
		script.WriteString(line)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, script.String()); err != nil {
		t.Fatalf("restore %s: %v", file, err)
	}
	// The dump empties search_path for its session: the connection is
	// discarded rather than returned to the pool.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// TestSchemaTooNewRefused: a database carrying a migration this binary
// does not know (a newer release upgraded it) is refused with a clear
// message, and nothing is applied.
func TestSchemaTooNewRefused(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			st, dsn := storetest.Open(t, e)
			driver, conn := "pgx", dsn
			if e == storage.SQLite {
				driver, conn = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")
			}
			raw, err := sql.Open(driver, conn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			q := `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
			err = st.Migrate(ctx, nil)
			if !errors.Is(err, storage.ErrSchemaTooNew) || !strings.Contains(err.Error(), "99999") || !strings.Contains(err.Error(), "newer Loa release") {
				t.Fatalf("Migrate: %v, want ErrSchemaTooNew naming 99999", err)
			}
			if err := st.CheckSchema(ctx); !errors.Is(err, storage.ErrSchemaTooNew) {
				t.Fatalf("CheckSchema: %v", err)
			}
		})
	}
}

// TestPlanMigrations: an empty database has every migration pending, a
// migrated one none, and planning changes nothing.
func TestPlanMigrations(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(ctx, storetest.DSN(t, storage.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	plan, err := st.PlanMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Pending) < 10 || plan.Pending[0].File != "00001_platform.sql" {
		t.Fatalf("empty database: pending %+v", plan.Pending)
	}
	again, err := st.PlanMigrations(ctx)
	if err != nil || len(again.Pending) != len(plan.Pending) {
		t.Fatalf("planning changed the database: %+v %v", again, err)
	}
	if err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if plan, err = st.PlanMigrations(ctx); err != nil || len(plan.Pending) != 0 {
		t.Fatalf("migrated database: %+v %v", plan, err)
	}
}
