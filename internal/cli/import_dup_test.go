package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// The same letter in other encodings is reported as skipped-duplicate,
// and stored as other copies only with --keep-duplicates.
func TestImportSkipsTheSameLetterInOtherEncodings(t *testing.T) {
	data := t.TempDir()
	csv := filepath.Join(data, "org.csv")
	_ = os.WriteFile(csv, []byte("code,parent_code,name,kind,abbreviation\nso,,Sở Thông tin và Truyền thông,provincial_dept,STTTT\n"), 0o644)
	if code, _, errs := run(t, "", "org", "import", "--data", data, csv); code != 0 {
		t.Fatal(errs)
	}
	txt, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	u16 := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(txt))) {
		u16 = append(u16, byte(u), byte(u>>8))
	}
	_ = os.WriteFile(filepath.Join(dir, "a-570.txt"), txt, 0o644)
	_ = os.WriteFile(filepath.Join(dir, "b-570-nfd.txt"), []byte(norm.NFD.String(string(txt))), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "c-570-utf16.txt"), u16, 0o644)
	code, out, errs := run(t, "", "import", "--data", data, "--unit", "so", dir)
	if code != 0 || !strings.Contains(out, "imported 1 documents") || !strings.Contains(out, "2 skipped-duplicate") ||
		!strings.Contains(out, "skipped-duplicate "+filepath.Join(dir, "b-570-nfd.txt")) {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	code, out, errs = run(t, "", "import", "--data", data, "--unit", "so", "--keep-duplicates", dir)
	if code != 0 || !strings.Contains(out, "imported 0 documents") || !strings.Contains(out, "1 already stored") || !strings.Contains(out, "2 kept as copies") {
		t.Fatalf("import --keep-duplicates: %d %s %s", code, out, errs)
	}
}
