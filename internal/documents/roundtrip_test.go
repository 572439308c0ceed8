package documents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/render"
)

// TestSeedRoundTrip: the seed parsed → rendered to PDF → text extracted →
// parsed again gives the same fields; likewise through the text layout.
func TestSeedRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (Debian package poppler-utils)")
		}
		t.Skip("pdftotext not found: install poppler-utils")
	}
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join("testdata", "cv-570-STTTT-TTBCBC-2021.txt"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := docparse.ParseFile(ctx, src, "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	if err := render.PDF(&pdf, first, render.Options{}); err != nil {
		t.Fatal(err)
	}
	again, err := docparse.ParseFile(ctx, pdf.Bytes(), "seed.pdf")
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "PDF", first, again)
	var txt bytes.Buffer
	if err := render.Text(&txt, first); err != nil {
		t.Fatal(err)
	}
	viaText, err := docparse.ParseFile(ctx, txt.Bytes(), "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "text", first, viaText)
}

// compare checks every field of the loa parse contract but the free body
// text, the warnings and the citations' wording (line breaks differ).
func compare(t *testing.T, via string, want, got docmodel.Fields) {
	t.Helper()
	strip := func(f docmodel.Fields) map[string]any {
		f.Body, f.Warnings = nil, nil
		for i := range f.References {
			f.References[i].Text = ""
		}
		b, _ := json.Marshal(f)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	w, g := strip(want), strip(got)
	for k, v := range w {
		if !reflect.DeepEqual(v, g[k]) {
			t.Errorf("round trip via %s: field %s = %v, want %v", via, k, g[k], v)
		}
	}
}
