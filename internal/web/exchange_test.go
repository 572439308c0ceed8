package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestRealEdXMLThroughTheAPI: a real package received by a district shows
// its warnings, files and exchange history on the document page; its file
// downloads; a status package about it imports as its status; a status
// goes back through the API; bad requests get a 400.
func TestRealEdXMLThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		district := e.tokenFor("vanthu.rachgia")
		post := func(name string) (int, []byte) {
			raw, err := os.ReadFile(filepath.Join("..", "edxml", "testdata", "real", name))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/documents/edxml", bytes.NewReader(raw))
			req.Header.Set("Authorization", "Bearer "+district)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		code, body := post("truclienthong-edoc_new.edxml")
		var got struct{ Document *model.Document }
		if code != 201 {
			t.Fatalf("import: %d %s", code, body)
		}
		r := result{code: code, body: body}
		r.json(t, &got)
		id := got.Document.ID
		code, body = post("truclienthong-status_processing_05.edxml")
		var sr struct{ Document *model.Document }
		r = result{code: code, body: body}
		r.json(t, &sr)
		if code != 201 || sr.Document == nil || sr.Document.ID != id {
			t.Fatalf("status import: %d %s", code, body)
		}
		if code, body := post("truclienthong-edoc.edxml"); code != 400 || !strings.Contains(string(body), "malformed XML") {
			t.Fatalf("malformed package: %d %s", code, body)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/files", id), district, nil)
		var files struct{ Files []model.DocumentFile }
		r.json(t, &files)
		if r.code != 200 || len(files.Files) != 1 || files.Files[0].Name != "GUIDE_INSTALL OPENVPN.SIGNED.PDF" {
			t.Fatalf("files: %d %s", r.code, r.body)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d/files/1", id), district, nil); r.code != 200 || !bytes.HasPrefix(r.body, []byte("%PDF")) {
			t.Fatalf("file download: %d %.20s", r.code, r.body)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d/files/9", id), district, nil); r.code != 404 {
			t.Fatalf("missing file: %d", r.code)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/documents/%d/edxml/status", id), district, map[string]string{"code": "03", "description": "Đã vào sổ"})
		if r.code != 200 || !strings.Contains(string(r.body), "<edXML:StatusCode>03</edXML:StatusCode>") {
			t.Fatalf("status out: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/edxml/status", id), district, map[string]string{"code": "77"}); r.code != 400 {
			t.Fatalf("bad status code: %d %s", r.code, r.body)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d/exchange", id), district, nil)
		if r.code != 200 || !strings.Contains(string(r.body), `"05"`) || !strings.Contains(string(r.body), `"03"`) {
			t.Fatalf("exchange: %d %s", r.code, r.body)
		}
		// Another unit's clerk sees nothing of it.
		if r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d/files", id), e.tokenFor("vanthu.so"), nil); r.code != 403 && r.code != 404 {
			t.Fatalf("other unit reads the files: %d", r.code)
		}
		c, _ := e.signIn("vanthu.rachgia", "LoaDemo@2021")
		page := get(t, c, fmt.Sprintf("%s/documents/%d", e.srv.URL, id))
		for _, want := range []string{"Tệp kèm theo", "GUIDE_INSTALL OPENVPN.SIGNED.PDF", "Trao đổi văn bản điện tử (edXML)", "Trạng thái 05", "nhưng cơ quan gửi có mã"} {
			if !strings.Contains(page, want) {
				t.Errorf("document page lacks %q", want)
			}
		}
	})
}
