package docparse

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func zipBytes(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		img.Set(x, x, color.Black)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExtractRejectsNonDocuments checks the clear errors for inputs that
// are not documents.
func TestExtractRejectsNonDocuments(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 4096)
	rng.Read(random)
	cases := []struct {
		name    string
		data    []byte
		file    string
		wantErr error
		wantMsg string
	}{
		{"png too small to read", pngBytes(t), "scan.png", ErrNotDocument, "too small"},
		{"png named txt", pngBytes(t), "letter.txt", ErrNotDocument, "too small"},
		{"random bytes", random, "blob.bin", ErrNotDocument, "binary"},
		{"zip not docx", zipBytes(t, map[string]string{"a.txt": "hello"}), "a.docx", ErrNotDocument, "not a DOCX"},
		{"odt", zipBytes(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), "a.odt", ErrNotDocument, "OpenDocument"},
		{"legacy doc", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 100)...), "a.doc", ErrNotDocument, ".doc"},
		{"pdf name, text content", []byte("Số: 1/UBND"), "a.pdf", ErrNotDocument, "not a PDF"},
		{"empty", []byte("  \n "), "a.txt", ErrEmpty, "no content"},
		{"too large", make([]byte, MaxInputSize+1), "big.txt", ErrTooLarge, "limit"},
		{"corrupt docx xml", zipBytes(t, map[string]string{"word/document.xml": "<w:document><w:body><w:p>"}), "a.docx", ErrNotDocument, "not valid XML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Extract(context.Background(), tc.data, tc.file)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
		})
	}
}

// TestExtractDOCXZipBomb checks that a document.xml larger than the limit
// is refused while reading, whatever the archive header says.
func TestExtractDOCXZipBomb(t *testing.T) {
	huge := "<w:document><w:body><w:p><w:r><w:t>" + strings.Repeat("a", maxDocumentXMLSize+10) + "</w:t></w:r></w:p></w:body></w:document>"
	data := zipBytes(t, map[string]string{"word/document.xml": huge})
	if len(data) > 1<<20 {
		t.Fatalf("compressed bomb is %d bytes; expected it to compress well", len(data))
	}
	_, _, err := Extract(context.Background(), data, "bomb.docx")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestExtractDOCXTooManyEntries(t *testing.T) {
	files := map[string]string{"word/document.xml": "<w:document/>"}
	for i := 0; i <= maxZipEntries; i++ {
		files[fmt.Sprintf("junk/%d", i)] = ""
	}
	_, _, err := Extract(context.Background(), zipBytes(t, files), "many.docx")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

// TestExtractDOCXStructure checks runs, tabs, breaks, fallback content and
// side-by-side table cells.
func TestExtractDOCXStructure(t *testing.T) {
	doc := `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>UBND TỈNH X</w:t></w:r></w:p><w:p><w:r><w:t>SỞ Y TẾ</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:p><w:r><w:t>CỘNG HÒA</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		`<w:p><w:r><w:t>Số: 1/</w:t></w:r><w:r><w:t>SYT</w:t></w:r><w:r><w:tab/><w:t>B</w:t><w:br/><w:t>C</w:t></w:r></w:p>` +
		`<w:p><mc:AlternateContent><mc:Choice><w:r><w:t>box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>` +
		`<w:p><w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t>kept</w:t></w:r></w:p>` +
		`</w:body></w:document>`
	text, _, err := Extract(context.Background(), zipBytes(t, map[string]string{"word/document.xml": doc}), "t.docx")
	if err != nil {
		t.Fatal(err)
	}
	want := "UBND TỈNH X | CỘNG HÒA\nSỞ Y TẾ\nSố: 1/SYT\tB\nC\nbox\nkept\n"
	if text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
}

// TestExtractDOCXFromCorpus checks a generated DOCX end to end.
func TestExtractDOCXFromCorpus(t *testing.T) {
	data, err := os.ReadFile(corpusDir + "/39-docx-cv-1207-SVHTTDL-AnGiang.docx")
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := Extract(context.Background(), data, "x.docx")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UBND TỈNH AN GIANG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nơi nhận: | KT. GIÁM ĐỐC", " | Nguyễn Văn Phước"} {
		if !strings.Contains(text, want) {
			t.Errorf("DOCX text lacks %q:\n%s", want, text)
		}
	}
}

func makePDF(t *testing.T, setup func(*fpdf.Fpdf)) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	setup(pdf)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractPDFErrors(t *testing.T) {
	if !requireTool(t, "pdftotext", pdftotextPackage) {
		t.Skip("pdftotext missing")
	}
	scan := makePDF(t, func(p *fpdf.Fpdf) {
		p.AddPage()
		p.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(pngBytes(t)))
		p.ImageOptions("scan", 10, 10, 100, 100, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	})
	locked := makePDF(t, func(p *fpdf.Fpdf) {
		p.SetProtection(fpdf.CnProtectPrint, "user-secret", "owner-secret")
		p.AddPage()
		p.SetFont("Helvetica", "", 12)
		p.Cell(40, 10, "So: 12/UBND-VX")
	})
	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"blank scan without text layer", scan, ErrEmpty, "OCR found no text"},
		{"user password", locked, ErrEncrypted, "password"},
		{"damaged", []byte("%PDF-1.4\n1 0 obj garbage"), ErrNotDocument, "damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Extract(context.Background(), tc.data, "x.pdf")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

// TestExtractPDFOwnerPasswordOnly: a PDF that opens without a password
// but is encrypted (owner password only) gives its text with a warning.
func TestExtractPDFOwnerPasswordOnly(t *testing.T) {
	if !requireTool(t, "pdftotext", pdftotextPackage) {
		t.Skip("pdftotext missing")
	}
	data := makePDF(t, func(p *fpdf.Fpdf) {
		p.SetProtection(fpdf.CnProtectPrint|fpdf.CnProtectCopy, "", "owner-secret")
		p.AddPage()
		p.SetFont("Helvetica", "", 12)
		p.Cell(40, 10, "Kinh gui: So Y te tinh")
	})
	text, warnings, err := Extract(context.Background(), data, "x.pdf")
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if !strings.Contains(text, "Kinh gui") {
		t.Errorf("text = %q", text)
	}
	if len(warnings) == 0 || warnings[len(warnings)-1] != warnPDFOwnerEncrypted {
		t.Errorf("warnings = %q, want the owner-password warning", warnings)
	}
}

func TestExtractHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Extract(ctx, []byte("Số: 1/UBND"), "a.txt"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestParseFileWrapsErrors(t *testing.T) {
	_, err := ParseFile(context.Background(), pngBytes(t), "scan.png")
	if !errors.Is(err, ErrNotDocument) || !strings.Contains(err.Error(), "scan.png") {
		t.Fatalf("err = %v", err)
	}
}
