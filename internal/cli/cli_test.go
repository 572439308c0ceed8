package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = Main(context.Background(), env, args)
	return code, out.String(), errb.String()
}

const seed = "../documents/testdata/cv-570-STTTT-TTBCBC-2021.txt"

// TestParseSeedMatchesExpected is the `loa parse` contract: the seed
// parses to exactly the expected JSON (extra fields allowed).
func TestParseSeedMatchesExpected(t *testing.T) {
	code, out, errs := run(t, "", "parse", seed)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	b, err := os.ReadFile("../render/testdata/cv-570-STTTT-TTBCBC-2021.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		g := got[k]
		if k == "references" {
			// Extra fields (the citation text) are allowed.
			refs, _ := g.([]any)
			for _, r := range refs {
				delete(r.(map[string]any), "text")
			}
		}
		if !reflect.DeepEqual(v, g) {
			t.Errorf("field %s = %v, want %v", k, g, v)
		}
	}
	// Standard input and several files: a JSON array.
	src, _ := os.ReadFile(seed)
	code, out, _ = run(t, string(src), "parse", seed, "-")
	var arr []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &arr) != nil || len(arr) != 2 || arr[1]["number"] != "570" {
		t.Fatalf("two inputs: exit %d, %s", code, out)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "garbage.pdf")
	_ = os.WriteFile(bad, []byte("\x00\x01\x02 not a pdf"), 0o644)
	if code, _, errs := run(t, "", "parse", bad); code == 0 || !strings.Contains(errs, "garbage.pdf") {
		t.Fatalf("garbage: exit %d, %q", code, errs)
	}
	if code, _, _ := run(t, "", "nope"); code != 2 {
		t.Fatalf("unknown command: exit %d", code)
	}
	if code, _, _ := run(t, "", "serve", "--bogus"); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
	if code, _, errs := run(t, "", "serve", "--webhook-allow", "10.0.0.0/33"); code != 2 || !strings.Contains(errs, "--webhook-allow") {
		t.Fatalf("bad webhook allow-list: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t, "", "serve", "--cap-poll-url", "https://kttv.example/cap.atom"); code != 2 || !strings.Contains(errs, "--cap-poll-unit") {
		t.Fatalf("CAP feed without its unit: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t, "", "serve", "--cap-sender", "loa kiên giang"); code != 2 || !strings.Contains(errs, "--cap-sender") {
		t.Fatalf("bad CAP sender: exit %d, %q", code, errs)
	}
	if code, _, _ := run(t, "", "parse", "--help"); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "loa ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestUsersAndOrgImport(t *testing.T) {
	data := t.TempDir()
	csvOK := filepath.Join(data, "org.csv")
	_ = os.WriteFile(csvOK, []byte("code,parent_code,name,kind,abbreviation\nubnd-x,,Ủy ban nhân dân tỉnh X,provincial_pc,UBND\nso-x,ubnd-x,Sở Văn hóa tỉnh X,provincial_dept,SVHTTDL\n"), 0o644)
	if code, out, errs := run(t, "", "org", "import", "--data", data, csvOK); code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("org import: %d %s %s", code, out, errs)
	}
	csvBad := filepath.Join(data, "bad.csv")
	_ = os.WriteFile(csvBad, []byte("code,parent_code,name,kind\nxa-1,so-x,Xã 1,commune_pc\nxa-2,so-x,Xã 2,planet\n"), 0o644)
	code, _, errs := run(t, "", "org", "import", "--data", data, csvBad)
	if code != 1 || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "kind") {
		t.Fatalf("bad row: exit %d, %q", code, errs)
	}
	if code, out, _ := run(t, "", "org", "export", "--data", data); code != 0 || strings.Contains(out, "xa-1") || !strings.Contains(out, "so-x") {
		t.Fatalf("a rejected import left units behind: %s", out)
	}
	if code, out, errs := run(t, "mật-khẩu-dài\n", "user", "add", "--data", data, "--username", "vanthu", "--unit", "so-x", "--roles", "clerk,receiver", "--full-name", "Nguyễn Văn A"); code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "x\n", "user", "add", "--data", data, "--username", "bb", "--unit", "so-x", "--roles", "clerk"); code != 1 || !strings.Contains(errs, "8 characters") {
		t.Fatalf("short password: %d %s", code, errs)
	}
	if code, out, _ := run(t, "", "user", "list", "--data", data); code != 0 || !strings.Contains(out, "vanthu") || !strings.Contains(out, "clerk,receiver") {
		t.Fatalf("user list: %s", out)
	}
	code, out, errs := run(t, "", "token", "create", "--data", data, "--user", "vanthu", "--name", "ci", "--scopes", "read,write")
	if code != 0 || !strings.HasPrefix(out, "loa_t_") {
		t.Fatalf("token create: %d %s %s", code, out, errs)
	}
	if code, _, _ := run(t, "mật-khẩu-mới-1\n", "user", "passwd", "--data", data, "vanthu"); code != 0 {
		t.Fatalf("passwd: exit %d", code)
	}
}

func TestBackupRestores(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := run(t, "", "import", "--data", data, "--unit", "x", seed); code != 1 || !strings.Contains(errs, "--unit") {
		t.Fatalf("import into a missing unit: %d %s", code, errs)
	}
	csv := filepath.Join(data, "org.csv")
	_ = os.WriteFile(csv, []byte("code,parent_code,name,kind,abbreviation\nso,,Sở Thông tin và Truyền thông,provincial_dept,STTTT\n"), 0o644)
	if code, _, errs := run(t, "", "org", "import", "--data", data, csv); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := run(t, "", "import", "--data", data, "--unit", "so", seed, "../documents/testdata/cv-355-TTCS-TTTH-2021.txt"); code != 0 || !strings.Contains(out, "imported 2") {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	if code, out, errs := run(t, "", "backup", "--data", data, "--out", archive); code != 0 || !strings.Contains(out, "2 stored files") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	// Restore into a fresh data directory and use it.
	restored := t.TempDir()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(restored, h.Name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		b, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := run(t, "", "export", "--data", restored, "--to", "so", "1")
	if code == 0 || !strings.Contains(errs, "agency identifier") {
		t.Fatalf("export from the restored copy: %d %s %s", code, out, errs)
	}
	if code, out, _ := run(t, "", "render", "--data", restored, "--format", "txt", "--id", "1"); code != 0 || !strings.Contains(out, "355/TTCS-TTTH") {
		t.Fatalf("render from the restored copy: %d %s", code, out)
	}
}
