package cli

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateDryRunAndNewerSchema: `loa migrate --dry-run` lists what
// would run and changes nothing; serve refuses a database migrated by a
// newer release with a message saying what to do.
func TestMigrateDryRunAndNewerSchema(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		return Main(context.Background(), env, args), out.String(), errb.String()
	}
	code, out, errs := run("migrate", "--data", dir, "--dry-run")
	if code != 0 || !strings.Contains(out, "would run") || !strings.Contains(out, "00001_platform.sql") {
		t.Fatalf("dry run on an empty database: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run("migrate", "--data", dir, "--dry-run")
	if code != 0 || !strings.Contains(out, "00001_platform.sql") {
		t.Fatalf("the dry run applied something: %s", out)
	}
	if code, out, errs = run("migrate", "--data", dir); code != 0 || !strings.Contains(errs, "migration applied") {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ = run("migrate", "--data", dir, "--dry-run"); code != 0 || !strings.Contains(out, "nothing would run") {
		t.Fatalf("dry run after migrating: exit %d %s", code, out)
	}

	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "loa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run("serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errs, "newer than this Loa") || !strings.Contains(errs, "99999") || !strings.Contains(errs, "Install that release") {
		t.Fatalf("serve on a newer schema: exit %d, %q", code, errs)
	}
	if code, _, errs = run("migrate", "--data", dir, "--dry-run"); code == 0 || !strings.Contains(errs, "newer than this Loa") {
		t.Fatalf("dry run on a newer schema: exit %d, %q", code, errs)
	}
}
