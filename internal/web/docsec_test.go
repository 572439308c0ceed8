package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
)

// letterDOCX is the text of a letter as a DOCX, one paragraph a line.
func letterDOCX(t *testing.T, text string) []byte {
	t.Helper()
	var body strings.Builder
	for _, line := range strings.Split(text, "\n") {
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(line))
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + esc.String() + `</w:t></w:r></w:p>`)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body.String() + `</w:body></w:document>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uiUpload logs in as username and uploads a file through the documents
// page's form.
func (e *env) uiUpload(username, filename string, data []byte, form map[string]string) result {
	e.t.Helper()
	c := e.loggedIn(username)
	page := e.page(c, "/documents")
	m := csrfRe.FindSubmatch(page.body)
	if m == nil {
		e.t.Fatalf("no CSRF token on /documents: %d", page.code)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", string(m[1]))
	for k, v := range form {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	// The upload form carries its CSRF token in the URL: it is checked
	// before the body is read.
	req, _ := http.NewRequest("POST", e.srv.URL+"/documents/upload?csrf="+url.QueryEscape(string(m[1])), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

// loggedIn is a browser with a session of username.
func (e *env) loggedIn(username string) *http.Client {
	e.t.Helper()
	c := e.browser()
	resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {username}, "password": {"LoaDemo@2021"}, "next": {"/"}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	return c
}

// page gets a page with a browser.
func (e *env) page(c *http.Client, path string) result {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

// utf16LE encodes text as UTF-16 little endian with a byte order mark.
func utf16LE(text string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(text)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// The same letter as TXT, DOCX, NFD text and UTF-16 text is stored once;
// the other three are answered 409 with the stored document, and a
// confirmed upload is kept as another copy of it.
func TestImportSameLetterInFourEncodingsStoresItOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		txt := fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")
		r := e.upload("/api/v1/documents", clerk, "cv-570.txt", bytes.NewReader(txt), nil)
		if r.code != 201 {
			t.Fatalf("import txt: %d %s", r.code, r.body)
		}
		var first documents.ImportResult
		r.json(t, &first)
		variants := map[string][]byte{
			"cv-570.docx":      letterDOCX(t, string(txt)),
			"cv-570-nfd.txt":   []byte(norm.NFD.String(string(txt))),
			"cv-570-utf16.txt": utf16LE(string(txt)),
		}
		for name, data := range variants {
			if bytes.Equal(data, txt) {
				t.Fatalf("%s has the bytes of the TXT", name)
			}
			r := e.upload("/api/v1/documents", clerk, name, bytes.NewReader(data), nil)
			var refusal struct {
				Error      struct{ Code, Message string }
				ExistingID int64 `json:"existing_id"`
			}
			r.json(t, &refusal)
			if r.code != 409 || refusal.ExistingID != first.Document.ID || refusal.Error.Code != "duplicate" ||
				!strings.Contains(refusal.Error.Message, "đã có trong hệ thống") {
				t.Errorf("%s: %d %s, want 409 naming document %d", name, r.code, r.body, first.Document.ID)
			}
		}
		docs, err := e.store.Documents().ListDocuments(context.Background(), model.DocumentFilter{})
		if err != nil || len(docs) != 1 {
			t.Fatalf("after four encodings %d documents are stored (%v), want 1", len(docs), err)
		}
		// Confirmed: kept as another copy of the same letter.
		r = e.upload("/api/v1/documents?duplicate=keep", clerk, "cv-570.docx", bytes.NewReader(variants["cv-570.docx"]), nil)
		var kept documents.ImportResult
		r.json(t, &kept)
		if r.code != 201 || kept.Document.CopyOf == nil || *kept.Document.CopyOf != first.Document.ID {
			t.Fatalf("keep duplicate: %d %s", r.code, r.body)
		}
		if r = e.upload("/api/v1/documents?duplicate=yes", clerk, "cv-570-nfd.txt", bytes.NewReader(variants["cv-570-nfd.txt"]), nil); r.code != 400 {
			t.Fatalf("duplicate=yes: %d %s", r.code, r.body)
		}
		// The page answers the same refusal with a button to keep it.
		r = e.uiUpload("vanthu.so", "cv-570-utf16.txt", variants["cv-570-utf16.txt"], map[string]string{"direction": "incoming", "register": "1"})
		if r.code != 409 || !strings.Contains(string(r.body), `id="duplicate-keep"`) || !strings.Contains(string(r.body), fmt.Sprintf(`href="/documents/%d"`, first.Document.ID)) {
			t.Fatalf("upload page duplicate: %d %.2000s", r.code, r.body)
		}
		if docs, _ = e.store.Documents().ListDocuments(context.Background(), model.DocumentFilter{}); len(docs) != 2 {
			t.Fatalf("%d documents stored, want the letter and its kept copy", len(docs))
		}
	})
}

// A file that parses to no document fields is refused and not stored.
func TestImportRefusesFilesWithoutDocumentFields(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		for name, data := range map[string][]byte{
			"notes.txt":  []byte("mua rau, mua thịt\ngọi điện cho anh Ba lúc 9 giờ\n"),
			"image.png":  png,
			"lines.docx": letterDOCX(t, "xin chào\nhẹn gặp lại"),
		} {
			r := e.upload("/api/v1/documents", clerk, name, bytes.NewReader(data), nil)
			if r.code != 400 || !strings.Contains(string(r.body), "Không nhận ra văn bản") || !strings.Contains(string(r.body), name) {
				t.Errorf("%s: %d %s, want 400 không nhận ra văn bản", name, r.code, r.body)
			}
		}
		docs, err := e.store.Documents().ListDocuments(context.Background(), model.DocumentFilter{})
		if err != nil || len(docs) != 0 {
			t.Fatalf("files without fields stored %d documents (%v)", len(docs), err)
		}
	})
}

// An issued letter refuses changes (its edXML keeps the issued subject);
// an incoming letter takes partial, versioned corrections.
func TestIssuedLetterIsImmutableAndCorrectionsMerge(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		so := e.unit("so-tttt-kg")
		r := e.upload("/api/v1/documents", clerk, "cv-570.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), map[string]string{"direction": "outgoing"})
		var out documents.ImportResult
		r.json(t, &out)
		if r.code != 201 {
			t.Fatalf("import outgoing: %d %s", r.code, r.body)
		}
		id := out.Document.ID
		original := *out.Document.Fields.Subject
		r = e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing", so.ID), clerk, map[string]any{"doc_type": "Công văn", "date": "2021-06-04",
			"subject": original, "document_id": id})
		if r.code != 201 {
			t.Fatalf("issue: %d %s", r.code, r.body)
		}
		r = e.do("PUT", fmt.Sprintf("/api/v1/documents/%d/fields", id), clerk, map[string]any{"base_version": 1, "fields": map[string]any{"subject": "Trích yếu khác"}})
		if r.code != 409 || !strings.Contains(string(r.body), "văn bản mới") || !strings.Contains(string(r.body), "new document") {
			t.Fatalf("PUT on an issued letter: %d %s", r.code, r.body)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/edxml", id), clerk, nil)
		if r.code != 200 || !strings.Contains(string(r.body), original) || strings.Contains(string(r.body), "Trích yếu khác") {
			t.Fatalf("edXML after refused change: %d %.300s", r.code, r.body)
		}
		var det documents.Detail
		e.do("GET", fmt.Sprintf("/api/v1/documents/%d", id), clerk, nil).json(t, &det)
		if !det.Issued || det.Document.Version != 1 {
			t.Fatalf("issued detail: issued=%v version=%d", det.Issued, det.Document.Version)
		}
		browser := e.loggedIn("vanthu.so")
		page := e.page(browser, fmt.Sprintf("/documents/%d", id))
		if page.code != 200 || !strings.Contains(string(page.body), `id="issued-locked"`) || strings.Contains(string(page.body), `name="note"`) {
			t.Fatalf("issued page offers the correction form: %d %s", page.code, page.body)
		}

		// Incoming: a PUT changes only the fields it names.
		r = e.upload("/api/v1/documents", clerk, "cv-355.txt", bytes.NewReader(fixture(t, "cv-355-TTCS-TTTH-2021.txt")), nil)
		var in documents.ImportResult
		r.json(t, &in)
		before := in.Document.Fields
		path := fmt.Sprintf("/api/v1/documents/%d/fields", in.Document.ID)
		r = e.do("PUT", path, clerk, `{"base_version": 1, "fields": {"subject": "Trích yếu đã sửa"}, "note": "sửa trích yếu"}`)
		var got model.Document
		r.json(t, &got)
		if r.code != 200 || got.Version != 2 || docmodel.Val(got.Fields.Subject) != "Trích yếu đã sửa" {
			t.Fatalf("partial PUT: %d %s", r.code, r.body)
		}
		for name, pair := range map[string][2]*string{"number": {before.Number, got.Fields.Number}, "notation": {before.Notation, got.Fields.Notation},
			"issuer": {before.Issuer, got.Fields.Issuer}, "date": {before.Date, got.Fields.Date}, "signer_name": {before.SignerName, got.Fields.SignerName}} {
			if docmodel.Val(pair[0]) == "" || docmodel.Val(pair[0]) != docmodel.Val(pair[1]) {
				t.Errorf("partial PUT changed %s: %q → %q", name, docmodel.Val(pair[0]), docmodel.Val(pair[1]))
			}
		}
		if len(got.Fields.Recipients) != len(before.Recipients) || len(got.Fields.Recipients) == 0 {
			t.Errorf("partial PUT changed the recipients: %v → %v", before.Recipients, got.Fields.Recipients)
		}
		// A stale version is still refused; an explicit null clears.
		if r = e.do("PUT", path, clerk, `{"base_version": 1, "fields": {"subject": "cũ"}}`); r.code != 409 {
			t.Fatalf("stale PUT: %d %s", r.code, r.body)
		}
		r = e.do("PUT", path, clerk, `{"base_version": 2, "fields": {"place": null}}`)
		r.json(t, &got)
		if r.code != 200 || got.Version != 3 || got.Fields.Place != nil || docmodel.Val(got.Fields.Subject) != "Trích yếu đã sửa" {
			t.Fatalf("clearing place: %d %s", r.code, r.body)
		}
		if r = e.do("PUT", path, clerk, `{"base_version": 3, "fields": {"subjet": "x"}}`); r.code != 400 {
			t.Fatalf("unknown field accepted: %d %s", r.code, r.body)
		}
		// The page's correction form keeps working for incoming letters.
		page = e.page(browser, fmt.Sprintf("/documents/%d", in.Document.ID))
		if !strings.Contains(string(page.body), `name="note"`) {
			t.Fatalf("incoming page lost its correction form")
		}
	})
}

// A commune clerk cannot register another unit's document, and pages
// link only to documents the reader may open.
func TestDocumentsOfOtherUnitsAreNeitherRegisteredNorLinked(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		so := e.tokenFor("vanthu.so")
		r := e.upload("/api/v1/documents", so, "cv-355.txt", bytes.NewReader(fixture(t, "cv-355-TTCS-TTTH-2021.txt")), nil)
		var secret documents.ImportResult
		r.json(t, &secret)
		if r.code != 201 {
			t.Fatalf("import: %d %s", r.code, r.body)
		}
		commune := e.tokenFor("xaphuong.vinhthanhvan")
		xa := e.unit("ubnd-vinh-thanh-van")
		r = e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2026/incoming", xa.ID), commune, map[string]any{"document_id": secret.Document.ID})
		if (r.code != 403 && r.code != 404) || strings.Contains(string(r.body), "355") || strings.Contains(string(r.body), "TTCS") ||
			strings.Contains(string(r.body), docmodel.Val(secret.Document.Fields.Subject)) {
			t.Fatalf("commune registered the Sở's document: %d %s", r.code, r.body)
		}
		entries, err := e.store.Registers().RegisterEntries(context.Background(), xa.ID, 2026, model.SeriesIncoming)
		if err != nil || len(entries) != 0 {
			t.Fatalf("commune register has %d entries (%v)", len(entries), err)
		}

		// The district's letter cites the Sở's 355: the reference is
		// shown without a link; the Sở does not see the district's letter
		// among those citing its 355.
		district := e.tokenFor("vanthu.rachgia")
		r = e.upload("/api/v1/documents", district, "cv-570.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		var cites documents.ImportResult
		r.json(t, &cites)
		if r.code != 201 {
			t.Fatalf("district import: %d %s", r.code, r.body)
		}
		page := e.page(e.loggedIn("vanthu.rachgia"), fmt.Sprintf("/documents/%d", cites.Document.ID))
		body := string(page.body)
		if page.code != 200 || !strings.Contains(body, "355/TTCS-TTTH") || strings.Contains(body, fmt.Sprintf(`href="/documents/%d"`, secret.Document.ID)) {
			t.Fatalf("district page links the Sở's document %d: %d %s", secret.Document.ID, page.code, page.body)
		}
		var det documents.Detail
		e.do("GET", fmt.Sprintf("/api/v1/documents/%d", cites.Document.ID), district, nil).json(t, &det)
		for _, ref := range det.Refs {
			if ref.ResolvedID != nil && *ref.ResolvedID == secret.Document.ID {
				t.Fatalf("API resolves the reference to the Sở's document")
			}
		}
		page = e.page(e.loggedIn("vanthu.so"), fmt.Sprintf("/documents/%d", secret.Document.ID))
		if page.code != 200 || strings.Contains(string(page.body), fmt.Sprintf(`href="/documents/%d"`, cites.Document.ID)) {
			t.Fatalf("Sở page links the district's letter: %d", page.code)
		}
		e.do("GET", fmt.Sprintf("/api/v1/documents/%d", secret.Document.ID), so, nil).json(t, &det)
		if len(det.CitedBy) != 0 {
			t.Fatalf("Sở sees the district's letter citing its own: %+v", det.CitedBy)
		}
		// The provincial administrator may enter the district's letter in
		// the Sở's incoming register; the Sở's clerk sees the entry
		// without a link to a document she may not open.
		soUnit := e.unit("so-tttt-kg")
		r = e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2026/incoming", soUnit.ID), e.tokenFor("admin"), map[string]any{"document_id": cites.Document.ID})
		if r.code != 201 {
			t.Fatalf("admin registers: %d %s", r.code, r.body)
		}
		page = e.page(e.loggedIn("vanthu.so"), fmt.Sprintf("/registers?unit=%d&series=incoming", soUnit.ID))
		if page.code != 200 || !strings.Contains(string(page.body), "570/STTTT-TTBCBC") || strings.Contains(string(page.body), fmt.Sprintf(`href="/documents/%d"`, cites.Document.ID)) {
			t.Fatalf("register page links the district's letter: %d", page.code)
		}
	})
}
