package render

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
)

const (
	seedJSON = "testdata/cv-570-STTTT-TTBCBC-2021.expected.json"
	seedText = "testdata/cv-570-STTTT-TTBCBC-2021.txt"
)

// seedFields builds the fields of the seed letter: the expected parse plus
// a body assembled from the sample text (the paragraphs between the
// recipient list and "Nơi nhận:").
func seedFields(t testing.TB) docmodel.Fields {
	t.Helper()
	raw, err := os.ReadFile(seedJSON)
	if err != nil {
		t.Fatal(err)
	}
	var f docmodel.Fields
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("decoding %s: %v", seedJSON, err)
	}
	txt, err := os.ReadFile(seedText)
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	last := f.Recipients[len(f.Recipients)-1]
	in := false
	for _, line := range strings.Split(string(txt), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "- ") && strings.Contains(line, last):
			in = true
		case strings.HasPrefix(line, "Nơi nhận"):
			in = false
		case in && line != "":
			paras = append(paras, line)
		}
	}
	if len(paras) != 6 {
		t.Fatalf("assembled %d body paragraphs from %s, want 6", len(paras), seedText)
	}
	f.Body = docmodel.Str(strings.Join(paras, "\n"))
	return f
}
