package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The command line: backup, restore into an empty directory only, fsck
// clean (exit 0) and after a stored file is corrupted (exit 1).
func TestBackupRestoreFsckCommands(t *testing.T) {
	data := t.TempDir()
	csv := filepath.Join(data, "org.csv")
	_ = os.WriteFile(csv, []byte("code,parent_code,name,kind,abbreviation\nso,,Sở Thông tin và Truyền thông,provincial_dept,STTTT\n"), 0o644)
	if code, _, errs := run(t, "", "org", "import", "--data", data, csv); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := run(t, "", "import", "--data", data, "--unit", "so", seed); code != 0 {
		t.Fatal(out, errs)
	}
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	code, stdout, errs := run(t, "", "backup", "--data", data, "--out", out)
	if code != 0 || !strings.Contains(stdout, "1 stored files") {
		t.Fatalf("backup: %d %s %s", code, stdout, errs)
	}
	if code, _, errs := run(t, "", "restore", "--data", data, out); code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("restore over live data: %d %s", code, errs)
	}
	dst := filepath.Join(t.TempDir(), "new")
	if code, stdout, errs := run(t, "", "restore", "--data", dst, out); code != 0 || !strings.Contains(stdout, "matched the manifest") {
		t.Fatalf("restore: %d %s %s", code, stdout, errs)
	}
	if code, stdout, errs := run(t, "", "fsck", "--data", dst); code != 0 || !strings.Contains(stdout, "0 problems") {
		t.Fatalf("fsck of the restored copy: %d %s %s", code, stdout, errs)
	}
	blobs, _ := filepath.Glob(filepath.Join(dst, "blobs", "*", "*"))
	var victim string
	for _, b := range blobs {
		if regexp.MustCompile(`^[0-9a-f]{62}$`).MatchString(filepath.Base(b)) {
			victim = b
		}
	}
	if victim == "" {
		t.Fatalf("no stored file in %v", blobs)
	}
	if err := os.WriteFile(victim, []byte("hỏng"), 0o640); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := run(t, "", "fsck", "--data", dst); code != 1 || !strings.Contains(stdout, "corrupt") {
		t.Fatalf("fsck of a corrupted store: %d %s", code, stdout)
	}
}
