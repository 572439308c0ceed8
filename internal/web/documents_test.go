package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "documents", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload posts a file as multipart/form-data to path.
func (e *env) upload(path, token, filename string, data io.Reader, form map[string]string) result {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range form {
			_ = mw.WriteField(k, v)
		}
		fw, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = io.Copy(fw, data)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		// The server may close the connection on an oversized upload
		// before reading it all; the status was still sent.
		e.t.Logf("upload %s: %v", filename, err)
		return result{code: 0}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

func TestDocumentImportLinksCorrectionsAndExchange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		so := e.unit("so-tttt-kg")
		r := e.upload("/api/v1/documents", clerk, "cv-570-STTTT-TTBCBC-2021.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		if r.code != 201 {
			t.Fatalf("import seed: %d %s", r.code, r.body)
		}
		var seed documents.ImportResult
		r.json(t, &seed)
		d := seed.Document
		if d.UnitID != so.ID || d.Code() != "570/STTTT-TTBCBC" || *d.Fields.Date != "2021-06-04" || d.Version != 1 || d.Original == nil {
			t.Fatalf("imported seed: %+v", d)
		}
		// The same file again is recognised, not stored twice.
		r = e.upload("/api/v1/documents", clerk, "again.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		var again documents.ImportResult
		r.json(t, &again)
		if r.code != 200 || !again.Duplicate || again.Document.ID != d.ID {
			t.Fatalf("duplicate import: %d %s", r.code, r.body)
		}
		detail := func(id int64) documents.Detail {
			var out documents.Detail
			r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d", id), clerk, nil)
			if r.code != 200 {
				t.Fatalf("detail %d: %d %s", id, r.code, r.body)
			}
			r.json(t, &out)
			return out
		}
		det := detail(d.ID)
		if len(det.Refs) != 2 || det.Refs[0].Number != "355" || det.Refs[0].ResolvedID != nil {
			t.Fatalf("references before 355 arrives: %+v", det.Refs)
		}
		// The cited letter arrives later: the reference resolves, both ways.
		r = e.upload("/api/v1/documents", clerk, "cv-355.txt", bytes.NewReader(fixture(t, "cv-355-TTCS-TTTH-2021.txt")), nil)
		var up documents.ImportResult
		r.json(t, &up)
		if r.code != 201 || up.Document.Code() != "355/TTCS-TTTH" {
			t.Fatalf("import 355: %d %s", r.code, r.body)
		}
		det = detail(d.ID)
		if det.Refs[0].ResolvedID == nil || *det.Refs[0].ResolvedID != up.Document.ID {
			t.Fatalf("570 → 355 not resolved: %+v", det.Refs[0])
		}
		if det.Refs[1].ResolvedID != nil {
			t.Fatalf("576 resolved to something: %+v", det.Refs[1])
		}
		cited := detail(up.Document.ID)
		if len(cited.CitedBy) != 1 || cited.CitedBy[0].DocumentID != d.ID || cited.CitedBy[0].Code != "570/STTTT-TTBCBC" {
			t.Fatalf("355 cited by: %+v", cited.CitedBy)
		}
		// Search by number and notation, and by words.
		for q, want := range map[string]int{"q=570/STTTT-TTBCBC": 1, "number=355": 1, "q=covid": 2, "q=quỹ+vắc": 2, "q=quy+vac+xin+5K": 2,
			"q=lam+van+son": 1, "q=Đài+Phát+thanh": 1, "q=nonexistentword": 0, "notation=ttcs-ttth": 1} {
			var list struct{ Documents []model.Document }
			e.do("GET", "/api/v1/documents?"+q, clerk, nil).json(t, &list)
			if len(list.Documents) != want {
				t.Errorf("search %s: %d results, want %d", q, len(list.Documents), want)
			}
		}
		// A correction is a new version; a stale one is refused.
		f := d.Fields
		subject := "Đẩy mạnh thông tin, tuyên truyền về phòng, chống dịch Covid-19"
		f.Subject = &subject
		r = e.do("PUT", fmt.Sprintf("/api/v1/documents/%d/fields", d.ID), clerk, documents.Correction{BaseVersion: 1, Fields: f, Note: "sửa trích yếu"})
		if r.code != 200 {
			t.Fatalf("correct: %d %s", r.code, r.body)
		}
		r = e.do("PUT", fmt.Sprintf("/api/v1/documents/%d/fields", d.ID), clerk, documents.Correction{BaseVersion: 1, Fields: f})
		if r.code != 409 {
			t.Fatalf("stale correction: %d %s", r.code, r.body)
		}
		bad := f
		badDate := "04/06/2021"
		bad.Date = &badDate
		if r = e.do("PUT", fmt.Sprintf("/api/v1/documents/%d/fields", d.ID), clerk, documents.Correction{BaseVersion: 2, Fields: bad}); r.code != 400 {
			t.Fatalf("bad date accepted: %d", r.code)
		}
		det = detail(d.ID)
		if det.Document.Version != 2 || len(det.Versions) != 2 || *det.Versions[0].Fields.Subject == subject || *det.Document.Fields.Subject != subject {
			t.Fatalf("versions after correction: %+v", det.Versions)
		}
		// Original, rendering.
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/original", d.ID), clerk, nil)
		if r.code != 200 || !bytes.Equal(r.body, fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")) {
			t.Fatalf("original: %d", r.code)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/render?format=pdf", d.ID), clerk, nil)
		if r.code != 200 || !bytes.HasPrefix(r.body, []byte("%PDF")) {
			t.Fatalf("render pdf: %d %.100s", r.code, r.body)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/render?format=txt", d.ID), clerk, nil)
		if r.code != 200 || !strings.Contains(string(r.body), "570/STTTT-TTBCBC") {
			t.Fatalf("render txt: %d %s", r.code, r.body)
		}
		// edXML out of the Sở, into a district: same fields, same original.
		// The recipients "Báo Kiên Giang" … match units with identifiers.
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/edxml", d.ID), clerk, nil)
		if r.code != 200 || !strings.Contains(string(r.body), "QCVN_102_2016") {
			t.Fatalf("edxml export: %d %.200s", r.code, r.body)
		}
		district := e.tokenFor("vanthu.rachgia")
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/documents/edxml", bytes.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer "+district)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got documents.ImportResult
		_ = json.Unmarshal(body, &got)
		if resp.StatusCode != 201 || got.Document == nil || got.Document.Code() != "570/STTTT-TTBCBC" || *got.Document.Fields.Subject != subject ||
			len(got.Document.Fields.Items) != 3 || got.Document.UnitID != e.unit("ubnd-rach-gia").ID {
			t.Fatalf("edxml import: %d %s", resp.StatusCode, body)
		}
		// The district cannot read the Sở's copy.
		if r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d", d.ID), district, nil); r.code != 403 {
			t.Fatalf("district reads the Sở's document: %d", r.code)
		}
		var list struct{ Documents []model.Document }
		e.do("GET", "/api/v1/documents?number=355", district, nil).json(t, &list)
		if len(list.Documents) != 0 {
			t.Fatalf("district sees the Sở's documents in search")
		}
	})
}

func zipBombDOCX(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	for i := 0; i < 200; i++ { // 200 MiB of spaces, ~200 KiB compressed
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// endless produces n bytes without holding them in memory.
type endless struct{ n int64 }

func (r *endless) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = 'x'
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestBadDocumentFilesStoreNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		var notDocx bytes.Buffer
		zw := zip.NewWriter(&notDocx)
		w, _ := zw.Create("hello.txt")
		_, _ = w.Write([]byte("hello"))
		_ = zw.Close()
		garbage := make([]byte, 4096)
		for i := range garbage {
			garbage[i] = byte(i*7 + 3)
		}
		cases := []struct {
			name string
			data io.Reader
			want []int
		}{
			{"image.png", bytes.NewReader(png), []int{400}},
			{"letter.docx", bytes.NewReader(notDocx.Bytes()), []int{400}},
			{"bomb.docx", bytes.NewReader(zipBombDOCX(t)), []int{400, 413}},
			{"encrypted.pdf", bytes.NewReader(fixture(t, "encrypted.pdf")), []int{400}},
			{"garbage.bin", bytes.NewReader(garbage), []int{400}},
			{"empty.txt", bytes.NewReader(nil), []int{400}},
			{"huge.pdf", &endless{n: 200 << 20}, []int{413, 0}},
		}
		for _, c := range cases {
			r := e.upload("/api/v1/documents", clerk, c.name, c.data, nil)
			ok := false
			for _, w := range c.want {
				ok = ok || r.code == w
			}
			if !ok {
				t.Errorf("%s: %d %s, want one of %v", c.name, r.code, r.body, c.want)
			}
			if r.code == 400 && !strings.Contains(string(r.body), c.name) {
				t.Errorf("%s: the error does not name the file: %s", c.name, r.body)
			}
		}
		docs, err := e.store.Documents().ListDocuments(context.Background(), model.DocumentFilter{})
		if err != nil || len(docs) != 0 {
			t.Fatalf("bad files stored %d documents (%v)", len(docs), err)
		}
		entries, _ := os.ReadDir(e.blobDir)
		for _, en := range entries {
			if en.Name() != "tmp" {
				t.Errorf("bad files left blob %s", en.Name())
			}
		}
	})
}

func TestRegistersNumberAndExport(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		so, ttbcbc := e.unit("so-tttt-kg"), e.unit("so-tttt-kg-ttbcbc")
		path := fmt.Sprintf("/api/v1/registers/%d/2021/outgoing", so.ID)
		r := e.do("POST", path, clerk, map[string]any{"doc_type": "Công văn", "drafting_unit_id": ttbcbc.ID, "date": "2021-01-05", "subject": "Thư đầu năm"})
		var first registry.Issued
		r.json(t, &first)
		if r.code != 201 || first.Code != "01/STTTT-TTBCBC" {
			t.Fatalf("first number: %d %s", r.code, r.body)
		}
		if r = e.do("PUT", path+"/counter", clerk, map[string]int{"last": 569}); r.code != 200 {
			t.Fatalf("set counter: %d %s", r.code, r.body)
		}
		r = e.do("POST", path, clerk, map[string]any{"doc_type": "Công văn", "drafting_unit_id": ttbcbc.ID, "date": "2021-06-04",
			"subject": "Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19", "signer": "Lâm Văn Sơn", "copies": 22})
		var seed registry.Issued
		r.json(t, &seed)
		if r.code != 201 || seed.Code != "570/STTTT-TTBCBC" {
			t.Fatalf("seed number: %d %s", r.code, r.body)
		}
		r = e.do("POST", path, clerk, map[string]any{"doc_type": "Quyết định", "date": "2021-06-05", "subject": "Ban hành quy chế"})
		var qd registry.Issued
		r.json(t, &qd)
		if qd.Code != "571/QĐ-STTTT" {
			t.Fatalf("decision notation: %s", r.body)
		}
		// A unit may configure its notation patterns.
		settings := fmt.Sprintf("/api/v1/registers/%d/settings", so.ID)
		if r = e.do("PUT", settings, clerk, map[string]string{"other_pattern": "{type}-{agency}-{unit}"}); r.code != 200 {
			t.Fatalf("save settings: %d %s", r.code, r.body)
		}
		if r = e.do("PUT", settings, clerk, map[string]string{"other_pattern": "{year}/{type}"}); r.code != 400 {
			t.Fatalf("bad pattern accepted: %d", r.code)
		}
		r = e.do("POST", path, clerk, map[string]any{"doc_type": "Kế hoạch", "drafting_unit_id": ttbcbc.ID, "date": "2021-06-06"})
		var kh registry.Issued
		r.json(t, &kh)
		if kh.Code != "572/KH-STTTT-TTBCBC" {
			t.Fatalf("configured notation: %s", r.body)
		}
		if r = e.do("POST", path, clerk, map[string]any{"doc_type": "Công văn", "date": "2022-01-02"}); r.code != 400 {
			t.Fatalf("date outside the register's year: %d", r.code)
		}
		var list struct{ Entries []model.RegisterEntry }
		e.do("GET", path, clerk, nil).json(t, &list)
		if len(list.Entries) != 4 || list.Entries[1].Number != 570 || list.Entries[1].Copies != 22 {
			t.Fatalf("register: %+v", list.Entries)
		}
		for format, magic := range map[string]string{"xlsx": "PK", "pdf": "%PDF"} {
			r = e.do("GET", path+"?format="+format, clerk, nil)
			if r.code != 200 || !bytes.HasPrefix(r.body, []byte(magic)) {
				t.Fatalf("export %s: %d", format, r.code)
			}
		}
		// Only the Sở's clerk numbers the Sở's documents.
		if r = e.do("POST", path, e.tokenFor("chuyenvien.so"), map[string]any{"doc_type": "Công văn"}); r.code != 403 {
			t.Fatalf("drafter allocated a number: %d", r.code)
		}
		if r = e.do("POST", path, e.tokenFor("vanthu.rachgia"), map[string]any{"doc_type": "Công văn"}); r.code != 403 {
			t.Fatalf("another unit's clerk allocated a number: %d", r.code)
		}
		// Incoming register.
		up := e.upload("/api/v1/documents", clerk, "cv-355.txt", bytes.NewReader(fixture(t, "cv-355-TTCS-TTTH-2021.txt")), nil)
		var doc documents.ImportResult
		up.json(t, &doc)
		r = e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2026/incoming", so.ID), clerk, map[string]any{"document_id": doc.Document.ID, "handler": "Phòng TTBCBC"})
		var in model.RegisterEntry
		r.json(t, &in)
		if r.code != 201 || in.Number != 1 || in.Code != "355/TTCS-TTTH" || in.Party != "CỤC THÔNG TIN CƠ SỞ" {
			t.Fatalf("incoming entry: %d %s", r.code, r.body)
		}
	})
}
