package docparse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/docmodel"
	"golang.org/x/text/unicode/norm"
)

// corpusRaw returns the raw bytes of the corpus documents.
func corpusRaw(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, cf := range loadCorpus(t) {
		data, err := os.ReadFile(cf.path)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(cf.path)] = data
	}
	return out
}

// checkFields verifies the invariants of a parse result.
func checkFields(t *testing.T, f docmodel.Fields) {
	t.Helper()
	for _, w := range f.Warnings {
		if strings.HasPrefix(w, "internal parser error") {
			t.Fatalf("parser panicked: %s", w)
		}
	}
	if f.Recipients == nil || f.References == nil || f.Items == nil || f.Distribution == nil ||
		f.Archive == nil || f.AttachmentsMentioned == nil || f.Warnings == nil {
		t.Fatal("lists not normalised")
	}
	checkDate(t, f.Date)
	strs := []*string{f.ParentIssuer, f.Issuer, f.DocType, f.Number, f.Notation, f.Place, f.Subject,
		f.Urgency, f.Confidentiality, f.Body, f.SigningAuthority, f.SignerTitle, f.SignerName}
	for _, r := range f.References {
		checkDate(t, r.Date)
		strs = append(strs, r.DocType, r.Number, r.Notation, r.Issuer, &r.Text)
	}
	for _, s := range strs {
		if s != nil && !utf8.ValidString(*s) {
			t.Fatalf("invalid UTF-8 in output: %q", *s)
		}
	}
	for _, list := range [][]string{f.Recipients, f.Archive, f.AttachmentsMentioned, f.Warnings} {
		for _, s := range list {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in output: %q", s)
			}
		}
	}
	for _, it := range f.Items {
		if !utf8.ValidString(it.Label) || !utf8.ValidString(it.Text) {
			t.Fatalf("invalid UTF-8 in item %q", it)
		}
	}
	for _, d := range f.Distribution {
		if !utf8.ValidString(d.Name) || (d.Purpose != nil && !utf8.ValidString(*d.Purpose)) {
			t.Fatalf("invalid UTF-8 in distribution %q", d.Name)
		}
	}
}

func checkDate(t *testing.T, d *string) {
	t.Helper()
	if d == nil {
		return
	}
	if _, err := time.Parse("2006-01-02", *d); err != nil || len(*d) != 10 {
		t.Fatalf("date %q is not YYYY-MM-DD: %v", *d, err)
	}
}

// FuzzParse checks that Parse never panics and keeps its invariants.
func FuzzParse(f *testing.F) {
	for name, data := range corpusRaw(f) {
		if strings.HasSuffix(name, ".pdf") || strings.HasSuffix(name, ".docx") {
			continue
		}
		text, _, err := decodeText(data)
		if err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		f.Add(text)
	}
	f.Add("Số: 1/\nngày 31 tháng 2 năm 2021\nKính gửi:\n- \nNơi nhận:\nTM.\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkFields(t, Parse(text))
	})
}

// FuzzExtract checks that Extract never panics, returns NFC UTF-8 text or
// one of the package's errors. PDF inputs are skipped (each would start
// pdftotext).
func FuzzExtract(f *testing.F) {
	for name, data := range corpusRaw(f) {
		if !strings.HasSuffix(name, ".pdf") {
			f.Add(data, name)
		}
	}
	f.Add([]byte("PK\x03\x04garbage"), "x.docx")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if format, err := sniffFormat(data, name); err == nil && format == formatPDF {
			t.Skip("PDF inputs need pdftotext")
		}
		text, warnings, err := Extract(context.Background(), data, name)
		if err != nil {
			for _, sentinel := range []error{ErrNotDocument, ErrEncrypted, ErrTooLarge, ErrNoTextLayer, ErrEmpty, ErrToolMissing} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("error without a package sentinel: %v", err)
		}
		if !utf8.ValidString(text) || !norm.NFC.IsNormalString(text) {
			t.Fatalf("text is not NFC UTF-8: %q", text)
		}
		for _, w := range warnings {
			if !utf8.ValidString(w) {
				t.Fatalf("invalid warning %q", w)
			}
		}
		checkFields(t, Parse(text))
	})
}
