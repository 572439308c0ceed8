package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/documents"
)

// The search page and GET /api/v1/search: the seed letter found without
// diacritics, by its code, and hostile queries answered, never an error.
func TestSearchPageAndAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		r := e.upload("/api/v1/documents", clerk, "cv-570-STTTT-TTBCBC-2021.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		if r.code != 201 {
			t.Fatalf("import seed: %d %s", r.code, r.body)
		}
		var imp documents.ImportResult
		r.json(t, &imp)
		// API.
		var res documents.SearchResult
		e.do("GET", "/api/v1/search?q="+url.QueryEscape("phong chong covid"), clerk, nil).json(t, &res)
		if len(res.Hits) == 0 || res.Hits[0].Document.ID != imp.Document.ID || res.Total < 1 || res.Facets["doc_type"] == nil {
			t.Fatalf("api search: %+v", res)
		}
		for _, q := range []string{strings.Repeat("a", 50000), `"*()`, "NEAR", "AND OR NOT", `"phong`} {
			r := e.do("GET", "/api/v1/search?q="+url.QueryEscape(q), clerk, nil)
			if r.code != 200 {
				t.Errorf("api %.20q: %d %s", q, r.code, r.body)
			}
		}
		if r := e.do("GET", "/api/v1/search?from=yesterday", clerk, nil); r.code != 400 || !strings.Contains(string(r.body), "date_from") {
			t.Errorf("bad date: %d %s", r.code, r.body)
		}
		// A unit that may not read the Sở's letters finds nothing, not even a count.
		other := e.tokenFor("vanthu.rachgia")
		var none documents.SearchResult
		e.do("GET", "/api/v1/search?q=covid", other, nil).json(t, &none)
		if none.Total != 0 || len(none.Hits) != 0 || len(none.Facets["issuer"]) != 0 {
			t.Errorf("another unit sees %+v", none)
		}

		// Pages.
		c := e.browser()
		resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {"vanthu.so"}, "password": {"LoaDemo@2021"}, "next": {"/"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := c.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		code, body := get("/")
		if code != 200 || !strings.Contains(body, `action="/search"`) {
			t.Errorf("home page has no search box: %d", code)
		}
		code, body = get("/search?q=" + url.QueryEscape("phong chong covid"))
		if code != 200 || !strings.Contains(body, "570/STTTT-TTBCBC") || !strings.Contains(body, "<mark>phòng</mark>") || !strings.Contains(body, "Tìm thấy 1 văn bản") {
			t.Errorf("search page: %d %s", code, body)
		}
		for _, q := range []string{strings.Repeat("phòng ", 10000), `"*()`, "NEAR", "AND OR NOT", `"unbalanced`} {
			code, body := get("/search?q=" + url.QueryEscape(q))
			if code != http.StatusOK || !strings.Contains(body, `id="search-total"`) {
				t.Errorf("page %.20q: %d", q, code)
			}
			if q == `"*()` && !strings.Contains(body, `id="search-nowords"`) {
				t.Errorf(`"*() gives no explanation`)
			}
			if len(q) > 1000 && !strings.Contains(body, `id="search-truncated"`) {
				t.Errorf("a long query is not said to be shortened")
			}
		}
		code, body = get("/search?from=04%2F06%2F2021")
		if code != 400 || !strings.Contains(body, `id="search-error"`) || !strings.Contains(body, `id="search-form"`) {
			t.Errorf("bad date on the page: %d", code)
		}
		// The documents page finds "570/STTTT".
		code, body = get("/documents?q=" + url.QueryEscape("570/STTTT"))
		if code != 200 || !strings.Contains(body, ">570/STTTT-TTBCBC</a>") {
			t.Errorf("documents page 570/STTTT: %d", code)
		}
	})
}
