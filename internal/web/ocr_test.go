package web_test

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
)

func scanFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docparse", "testdata", "scans", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func requireOCRTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"tesseract", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found: install the Debian packages tesseract-ocr tesseract-ocr-vie poppler-utils", tool)
			}
			t.Skipf("%s not found (Debian packages tesseract-ocr tesseract-ocr-vie poppler-utils)", tool)
		}
	}
}

// TestScannedLetterIsReadFlaggedAndRegistersLikeItsText: a scanned letter
// imported through the UI shows its fields with the uncertain ones
// marked; saving the form confirms them; and the scan is the same letter
// as its text version (the same register line in another unit, and a
// duplicate in the unit that already has the text).
func TestScannedLetterIsReadFlaggedAndRegistersLikeItsText(t *testing.T) {
	requireOCRTools(t)
	eachEnv(t, func(t *testing.T, e *env) {
		so, rg := e.unit("so-tttt-kg"), e.unit("ubnd-rach-gia")
		soClerk, rgClerk := e.tokenFor("vanthu.so"), e.tokenFor("vanthu.rachgia")
		register := func(token string, unit *model.Unit, id int64) model.RegisterEntry {
			t.Helper()
			r := e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2021/incoming", unit.ID), token, map[string]any{"document_id": id, "handler": "Văn phòng"})
			var in model.RegisterEntry
			r.json(t, &in)
			if r.code != 201 {
				t.Fatalf("register %d: %d %s", id, r.code, r.body)
			}
			return in
		}
		// The text version, registered at the Sở.
		r := e.upload("/api/v1/documents", soClerk, "cv-570.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		var text documents.ImportResult
		r.json(t, &text)
		if r.code != 201 {
			t.Fatalf("import text: %d %s", r.code, r.body)
		}
		textLine := register(soClerk, so, text.Document.ID)

		// The scanned PDF at the Sở is recognised as the same letter.
		r = e.upload("/api/v1/documents", soClerk, "scan.pdf", bytes.NewReader(scanFixture(t, "cv-570-scan.pdf")), nil)
		if r.code != 409 || !strings.Contains(string(r.body), fmt.Sprint(text.Document.ID)) {
			t.Fatalf("scan of a stored letter: %d %s, want 409 naming document %d", r.code, r.body, text.Document.ID)
		}

		// Rạch Giá receives the scan on paper: read by OCR, registered
		// with the same line as the text version.
		r = e.upload("/api/v1/documents", rgClerk, "scan.pdf", bytes.NewReader(scanFixture(t, "cv-570-scan.pdf")), nil)
		var scan documents.ImportResult
		r.json(t, &scan)
		if r.code != 201 || scan.Document.Fields.OCR == nil {
			t.Fatalf("import scan: %d %s", r.code, r.body)
		}
		scanLine := register(rgClerk, rg, scan.Document.ID)
		if scanLine.Code != textLine.Code || scanLine.DocDate != textLine.DocDate || scanLine.Party != textLine.Party ||
			scanLine.DocType != textLine.DocType || scanLine.Subject != textLine.Subject {
			t.Fatalf("register line of the scan %+v differs from the text's %+v", scanLine, textLine)
		}

		// A poor fax copy: the uncertain fields are marked on the page.
		r = e.upload("/api/v1/documents", rgClerk, "fax.jpg", bytes.NewReader(scanFixture(t, "cv-570-fax-120dpi.jpg")), map[string]string{"duplicate": "keep"})
		var fax documents.ImportResult
		r.json(t, &fax)
		if r.code != 201 {
			t.Fatalf("import fax: %d %s", r.code, r.body)
		}
		var low []string
		for name := range fax.Document.Fields.Confidence {
			if fax.Document.Fields.LowConfidenceField(name) {
				low = append(low, name)
			}
		}
		if len(low) == 0 {
			t.Fatalf("no field flagged on the fax copy: %v", fax.Document.Fields.Confidence)
		}
		browser := e.loggedIn("vanthu.rachgia")
		path := fmt.Sprintf("/documents/%d", fax.Document.ID)
		page := string(e.page(browser, path).body)
		if !strings.Contains(page, `id="ocr-notice"`) || !strings.Contains(page, "bản quét") || !strings.Contains(page, `<img class="scan"`) {
			t.Fatalf("scanned document page lacks the OCR notice or the scan image:\n%s", page)
		}
		for _, name := range low {
			if !strings.Contains(page, fmt.Sprintf(`class="lowconf" data-field="%s"`, name)) {
				t.Errorf("field %s (confidence %d) is not marked on the page", name, fax.Document.Fields.Confidence[name])
			}
		}
		if n := strings.Count(page, `class="lowconf"`); n != len(low) {
			t.Errorf("%d fields marked, want %d (%v)", n, len(low), low)
		}
		// Saving the form confirms every field.
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if csrf == nil {
			t.Fatal("no CSRF token on the document page")
		}
		form := url.Values{"csrf": {csrf[1]}, "base_version": {"1"}, "note": {"đã đối chiếu bản quét"}}
		for _, m := range regexp.MustCompile(`<input name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
		for _, m := range regexp.MustCompile(`(?s)<textarea name="([a-z_]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
		resp, err := browser.PostForm(e.srv.URL+path+"/fields", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		page = string(e.page(browser, path).body)
		if strings.Contains(page, `class="lowconf"`) {
			t.Error("fields still marked after the clerk saved them")
		}
		var got model.Document
		e.do("GET", fmt.Sprintf("/api/v1/documents/%d", fax.Document.ID), rgClerk, nil).json(t, &struct {
			Document *model.Document `json:"document"`
		}{&got})
		if got.Version != 2 || got.Fields.OCR == nil || len(got.Fields.Confidence) != 0 {
			t.Errorf("after confirmation: version %d, ocr %v, confidence %v", got.Version, got.Fields.OCR, got.Fields.Confidence)
		}
	})
}
