package web_test

import (
	"fmt"
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

var warningsListRe = regexp.MustCompile(`(?s)<ul class="warnings">(.*?)</ul>`)

// TestDocumentWarningsInVietnamese: the warnings stored with an edXML
// package from the national hub read in Vietnamese on the Vietnamese
// document page, as stored on the English one, and the API keeps the
// stored English strings.
func TestDocumentWarningsInVietnamese(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := statusEnv(t, st)
	clerk := e.tokenFor("vanthu.rachgia")
	id := e.importEdXML(clerk, filepath.Join("..", "edxml", "testdata", "real", "truclienthong-edoc_new.edxml"))

	api := e.do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d", id), clerk, nil)
	if api.code != http.StatusOK || !strings.Contains(string(api.body), "received as edXML from") || !strings.Contains(string(api.body), "starts with OrganId") {
		t.Fatalf("the API should keep the stored English warnings: %d %s", api.code, api.body)
	}

	c := e.loggedIn("vanthu.rachgia")
	warnings := func(lang string) string {
		t.Helper()
		c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		r := e.page(c, fmt.Sprintf("/documents/%d", id))
		m := warningsListRe.FindSubmatch(r.body)
		if r.code != http.StatusOK || m == nil {
			t.Fatalf("document page (%s): %d, warnings list found: %v", lang, r.code, m != nil)
		}
		return html.UnescapeString(string(m[1]))
	}
	vi := warnings("vi")
	for _, want := range []string{"Nhận qua trục liên thông (edXML) từ", "bắt đầu bằng mã định danh"} {
		if !strings.Contains(vi, want) {
			t.Errorf("Vietnamese page lacks %q in its warnings: %s", want, vi)
		}
	}
	for _, english := range []string{"received as edXML from", "starts with OrganId", "but the agency is", "not found", "not recognised", "empty, ignored", "missing"} {
		if strings.Contains(vi, english) {
			t.Errorf("Vietnamese page keeps the English %q in its warnings: %s", english, vi)
		}
	}
	if m := regexp.MustCompile(`\b(the|not|is|was|found|missing|required|with|from|and)\b`).FindString(vi); m != "" {
		t.Errorf("Vietnamese warnings keep the English word %q: %s", m, vi)
	}
	if en := warnings("en"); !strings.Contains(en, "received as edXML from") || !strings.Contains(en, "starts with OrganId") {
		t.Errorf("English page should show the stored warnings: %s", en)
	}
}
