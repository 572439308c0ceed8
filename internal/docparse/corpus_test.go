package docparse

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const corpusDir = "testdata/corpus"

// contractFields are the fields every expectation file holds (the
// contract of `loa parse` except body).
var contractFields = []string{"parent_issuer", "issuer", "doc_type", "number", "notation", "place", "date",
	"subject", "urgency", "confidentiality", "recipients", "references", "items", "signing_authority",
	"signer_title", "signer_name", "distribution", "archive", "attachments_mentioned", "warnings"}

// corpusFile is one document of the corpus with its expectation.
type corpusFile struct {
	path     string
	expected map[string]any
}

func loadCorpus(t testing.TB) []corpusFile {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	var files []corpusFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".expected.json") {
			continue
		}
		base := strings.TrimSuffix(name, filepath.Ext(name))
		raw, err := os.ReadFile(filepath.Join(corpusDir, base+".expected.json"))
		if err != nil {
			t.Fatalf("%s has no expectation file: %v", name, err)
		}
		var exp map[string]any
		if err := json.Unmarshal(raw, &exp); err != nil {
			t.Fatalf("%s.expected.json: %v", base, err)
		}
		files = append(files, corpusFile{path: filepath.Join(corpusDir, name), expected: exp})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files
}

// requireTool skips (or, with CI=true, fails) when an external tool is
// missing.
func requireTool(t testing.TB, tool, debPackage string) bool {
	t.Helper()
	if _, err := exec.LookPath(tool); err == nil {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found: install the Debian package %s", tool, debPackage)
	}
	t.Logf("%s not found (Debian package %s): skipping what needs it", tool, debPackage)
	return false
}

// fieldScore compares one field: a scalar counts as one field, a list as
// one field per element (max of both lengths), an empty list as one.
func fieldScore(want, got any) (matched, total int, diff string) {
	wl, wIsList := want.([]any)
	gl, _ := got.([]any)
	if !wIsList {
		if reflect.DeepEqual(want, got) {
			return 1, 1, ""
		}
		return 0, 1, fmt.Sprintf("want %s, got %s", jsonText(want), jsonText(got))
	}
	if len(wl) == 0 && len(gl) == 0 {
		return 1, 1, ""
	}
	total = max(len(wl), len(gl))
	var diffs []string
	for i := 0; i < total; i++ {
		var w, g any
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if reflect.DeepEqual(w, g) {
			matched++
			continue
		}
		diffs = append(diffs, fmt.Sprintf("[%d] want %s, got %s", i, jsonText(w), jsonText(g)))
	}
	return matched, total, strings.Join(diffs, "; ")
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCorpus parses every corpus document with ParseFile and compares it
// field by field with its expectation; it fails below 98% field accuracy.
func TestCorpus(t *testing.T) {
	files := loadCorpus(t)
	if len(files) < 40 {
		t.Fatalf("corpus has %d documents, want at least 40", len(files))
	}
	havePDF := requireTool(t, "pdftotext", pdftotextPackage)
	matched, total, perfect := 0, 0, 0
	for _, cf := range files {
		if strings.HasSuffix(cf.path, ".pdf") && !havePDF {
			continue
		}
		data, err := os.ReadFile(cf.path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFile(context.Background(), data, cf.path)
		if err != nil {
			t.Errorf("%s: ParseFile: %v", cf.path, err)
			total += len(contractFields)
			continue
		}
		var got map[string]any
		raw, _ := json.Marshal(f)
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		fileMatched, fileTotal := 0, 0
		for _, field := range contractFields {
			want, ok := cf.expected[field]
			if !ok {
				t.Errorf("%s: expectation lacks field %q", cf.path, field)
				continue
			}
			m, n, diff := fieldScore(want, got[field])
			fileMatched += m
			fileTotal += n
			if diff != "" {
				t.Logf("%s: %s: %s", filepath.Base(cf.path), field, diff)
			}
		}
		if fileMatched == fileTotal {
			perfect++
		}
		matched += fileMatched
		total += fileTotal
	}
	accuracy := float64(matched) / float64(max(total, 1))
	t.Logf("corpus: %d documents, %d fully correct; field-level accuracy %d/%d = %.2f%%",
		len(files), perfect, matched, total, 100*accuracy)
	if accuracy < 0.98 {
		t.Errorf("field-level accuracy %.2f%% is below 98%%", 100*accuracy)
	}
}

func readCorpusFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
