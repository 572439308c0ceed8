package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// TestArchivePagesAndAPI: the clerk of the Sở sees the seed letter (a
// Công văn of 2021, 10 years) due in 2032 on the Vietnamese archive page,
// draws up a disposal list through the API, the leader approves it on the
// list page, the clerk carries it out; the rules page is editable by the
// administrator only; bad input gets a clear 400, never a 500.
func TestArchivePagesAndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		bs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		arc := archive.New(st, bs, authz.Default(), i18n.Zone())
		arc.SetNow(func() time.Time { return time.Date(2032, 3, 1, 9, 0, 0, 0, i18n.Zone()) })
		e := newEnvWith(t, st, func(d *web.Deps) { d.Archive = arc })
		so := e.unit("so-tttt-kg")
		res, err := e.documents.Import(ctx, model.System("test"), documents.ImportInput{UnitID: so.ID, Filename: "cv-570.txt", Data: bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt"))})
		if err != nil {
			t.Fatal(err)
		}
		docID := res.Document.ID

		clerk := e.tokenFor("vanthu.so")
		r := e.do("GET", fmt.Sprintf("/api/v1/archive/units/%d/due", so.ID), clerk, nil)
		var due struct{ Documents []model.DueDocument }
		r.json(t, &due)
		if r.code != 200 || len(due.Documents) != 1 || due.Documents[0].DocumentID != docID || due.Documents[0].Code != "570/STTTT-TTBCBC" {
			t.Fatalf("due: %d %s", r.code, r.body)
		}
		if r := e.do("GET", "/api/v1/archive/rules", clerk, nil); r.code != 200 || !strings.Contains(string(r.body), "Công văn") {
			t.Fatalf("rules: %d %s", r.code, r.body)
		}
		if r := e.do("PUT", "/api/v1/archive/rules", clerk, map[string]any{"doc_type": "Công văn", "years": 1}); r.code != 403 {
			t.Fatalf("clerk edits a rule: %d %s", r.code, r.body)
		}
		if r := e.do("POST", "/api/v1/archive/disposals", clerk, map[string]any{"document_ids": []int64{}}); r.code != 400 {
			t.Fatalf("empty list: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/holds", docID), clerk, map[string]any{"reason": strings.Repeat("x", 3000)}); r.code != 400 {
			t.Fatalf("overlong reason: %d %s", r.code, r.body)
		}

		// The Vietnamese page lists it.
		c, csrf := e.signIn("vanthu.so", "LoaDemo@2021")
		page := get(t, c, e.srv.URL+"/archive")
		if !strings.Contains(page, "Tài liệu hết thời hạn bảo quản") || !strings.Contains(page, "570/STTTT-TTBCBC") || !strings.Contains(page, "10 năm") || !strings.Contains(page, "01/01/2032") {
			t.Fatalf("archive page:\n%s", page)
		}
		// Proposed from the page's form.
		resp, err := c.PostForm(e.srv.URL+"/archive/disposals", url.Values{"csrf": {csrf}, "unit": {fmt.Sprint(so.ID)}, "doc": {fmt.Sprint(docID)}, "title": {"Danh mục hủy năm 2032"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/archive/disposals/") {
			t.Fatalf("propose: %d %s", resp.StatusCode, loc)
		}
		listID := strings.TrimPrefix(loc, "/archive/disposals/")
		if r := e.do("POST", "/api/v1/archive/disposals/"+listID+"/execute", clerk, nil); r.code != 409 {
			t.Fatalf("execute before approval: %d %s", r.code, r.body)
		}
		if r := e.do("POST", "/api/v1/archive/disposals/"+listID+"/decision", clerk, map[string]any{"approve": true}); r.code != 403 {
			t.Fatalf("clerk approves: %d %s", r.code, r.body)
		}
		// The leader approves on the list page.
		lc, lcsrf := e.signIn("lamvanson", "LoaDemo@2021")
		page = get(t, lc, e.srv.URL+"/archive/disposals/"+listID)
		if !strings.Contains(page, "Chờ phê duyệt") || !strings.Contains(page, "Phê duyệt hủy") {
			t.Fatalf("list page for the leader:\n%s", page)
		}
		resp, err = lc.PostForm(e.srv.URL+"/archive/disposals/"+listID+"/decision", url.Values{"csrf": {lcsrf}, "decision": {"approve"}, "note": {"Đồng ý"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
		r = e.do("POST", "/api/v1/archive/disposals/"+listID+"/execute", clerk, nil)
		var l model.DisposalList
		r.json(t, &l)
		if r.code != 200 || l.Status != model.DisposalExecuted || len(l.Items) != 1 {
			t.Fatalf("execute: %d %s", r.code, r.body)
		}
		r = e.do("GET", "/api/v1/archive/disposals/"+listID+"/document", clerk, nil)
		if r.code != 200 || !strings.Contains(string(r.body), "DANH MỤC TÀI LIỆU HẾT GIÁ TRỊ") || !strings.Contains(string(r.body), "570/STTTT-TTBCBC") {
			t.Fatalf("list document: %d %s", r.code, r.body)
		}
		if page := get(t, c, e.srv.URL+"/archive/disposals/"+listID); !strings.Contains(page, "Đã hủy") {
			t.Fatalf("executed list page:\n%s", page)
		}

		// Rules: the administrator edits, a clerk only reads.
		if page := get(t, c, e.srv.URL+"/archive/rules"); !strings.Contains(page, "Thông tư 10/2022/TT-BNV") || strings.Contains(page, `action="/archive/rules/delete"`) {
			t.Fatalf("rules page for a clerk:\n%s", page)
		}
		ac, acsrf := e.signIn("admin", "LoaDemo@2021")
		resp, err = ac.PostForm(e.srv.URL+"/archive/rules", url.Values{"csrf": {acsrf}, "doc_type": {"Giấy mời"}, "years": {"3"}, "basis": {"Quy định riêng"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin saves a rule: %d", resp.StatusCode)
		}
		if page := get(t, ac, e.srv.URL+"/archive/rules"); !strings.Contains(page, "Quy định riêng") || !strings.Contains(page, "Vĩnh viễn") {
			t.Fatalf("rules page after the change:\n%s", page)
		}
		resp, err = ac.PostForm(e.srv.URL+"/archive/rules", url.Values{"csrf": {acsrf}, "doc_type": {"Giấy mời"}, "years": {"nhiều"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("years not a number: %d %s", resp.StatusCode, body)
		}
	})
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}
