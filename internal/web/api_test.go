package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

func TestBadInputNeverA500(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		tok := e.creds.AdminToken
		big := strings.Repeat("a", 10<<20)
		for _, path := range []string{"/api/v1/units", "/api/v1/groups", "/api/v1/users", "/api/v1/tokens", "/api/v1/org/import"} {
			if r := e.do("POST", path, tok, big); r.code != http.StatusRequestEntityTooLarge {
				t.Errorf("10 MB to %s: %d, want 413", path, r.code)
			}
		}
		for _, path := range []string{"/api/v1/units/1"} {
			if r := e.do("PUT", path, tok, big); r.code != http.StatusRequestEntityTooLarge {
				t.Errorf("10 MB to PUT %s: %d, want 413", path, r.code)
			}
		}
		cases := []struct {
			method, path, body string
			want               int
			msg                string
		}{
			{"POST", "/api/v1/units", `{"code": "x", `, 400, "malformed JSON"},
			{"POST", "/api/v1/units", `{"code": 5}`, 400, "wrong type"},
			{"POST", "/api/v1/units", `{"code": "x", "nme": "typo"}`, 400, "unknown field"},
			{"POST", "/api/v1/units", `{"code": "x"} {"again": 1}`, 400, "unexpected data"},
			{"POST", "/api/v1/units", ``, 400, "empty"},
			{"POST", "/api/v1/units", `{"code": "bad code!", "name": "X", "kind": "other"}`, 400, "not a valid code"},
			{"POST", "/api/v1/units", `{"code": "ok", "name": "X", "kind": "planet"}`, 400, "unknown kind"},
			{"POST", "/api/v1/units", `{"code": "ok", "name": "X", "kind": "other", "active_from": "2021-13-01"}`, 400, "not a date"},
			{"GET", "/api/v1/units/abc", ``, 400, "not an id"},
			{"GET", "/api/v1/units/999999", ``, 404, "not found"},
			{"POST", "/api/v1/users", `{"username": "A B", "password": "password-1", "unit_id": 1, "roles": ["viewer"]}`, 400, "not a valid username"},
			{"POST", "/api/v1/users", `{"username": "ab", "password": "short", "unit_id": 1, "roles": ["viewer"]}`, 400, "at least 8"},
			{"POST", "/api/v1/users", `{"username": "ab", "password": "password-1", "unit_id": 1, "roles": ["king"]}`, 400, "unknown role"},
			{"POST", "/api/v1/users", `{"username": "admin", "password": "password-1", "unit_id": 1, "roles": ["viewer"]}`, 409, "taken"},
			{"POST", "/api/v1/tokens", `{"name": "", "scopes": ["read"]}`, 400, "name"},
			{"POST", "/api/v1/tokens", `{"name": "x", "scopes": ["root"]}`, 400, "unknown scope"},
			{"GET", "/api/v1/audit?limit=0", ``, 400, "limit"},
			{"GET", "/api/v1/nope", ``, 404, "no such API endpoint"},
		}
		for _, c := range cases {
			var body any
			if c.body != "" {
				body = c.body
			} else if c.method == "POST" {
				body = ""
			}
			r := e.do(c.method, c.path, tok, body)
			if r.code != c.want || !strings.Contains(string(r.body), c.msg) {
				t.Errorf("%s %s %q: got %d %s, want %d mentioning %q", c.method, c.path, c.body, r.code, r.body, c.want, c.msg)
			}
		}
		// Unauthenticated and bad credentials are 401, never 500.
		for _, tokv := range []string{"", "nonsense", "loa_t_doesnotexist", "loa_d_device"} {
			r := e.do("GET", "/api/v1/units", tokv, nil)
			if r.code != 401 {
				t.Errorf("token %q: %d, want 401", tokv, r.code)
			}
		}
	})
}

func TestOrgImportRejectsWholeFile(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		before, _ := e.store.Orgs().Units(context.Background())
		csv := "code,parent_code,name,kind,abbreviation\n" +
			"to-dan-pho-1,ubnd-vinh-lac,Tổ dân phố 1,other,\n" +
			"to-dan-pho-2,ubnd-vinh-lac,,other,\n" // line 3: empty name
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/org/import", strings.NewReader(csv))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+e.creds.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body struct {
			Error struct {
				Field string
				Line  int
			}
		}
		_ = json.Unmarshal(b, &body)
		if resp.StatusCode != 400 || body.Error.Line != 3 || body.Error.Field != "name" {
			t.Fatalf("bad row: %d %s", resp.StatusCode, b)
		}
		after, _ := e.store.Orgs().Units(context.Background())
		if len(after) != len(before) {
			t.Fatalf("a rejected import changed the tree: %d units before, %d after", len(before), len(after))
		}
		// The export re-imports as a no-op.
		r := e.do("GET", "/api/v1/org/export", e.creds.AdminToken, nil)
		if r.code != 200 {
			t.Fatalf("export: %d", r.code)
		}
		var recs []orgs.Record
		r.json(t, &recs)
		if len(recs) != len(before) {
			t.Fatalf("export has %d records, want %d", len(recs), len(before))
		}
		r = e.do("POST", "/api/v1/org/import", e.creds.AdminToken, r.body)
		var res orgs.ImportResult
		r.json(t, &res)
		if r.code != 200 || res.Unchanged != len(before) || res.Created+res.Updated != 0 {
			t.Fatalf("re-import of export: %d %s", r.code, r.body)
		}
	})
}

func TestMergeKeepsHistory(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		// The 2025 reform: districts disappear, communes move up under the province.
		district := e.unit("ubnd-kien-hai")
		province := e.unit("ubnd-kg")
		r := e.do("POST", fmt.Sprintf("/api/v1/units/%d/merge", district.ID), e.creds.AdminToken, map[string]any{"into": province.ID, "date": "2025-07-01"})
		if r.code != 200 {
			t.Fatalf("merge: %d %s", r.code, r.body)
		}
		var merged model.Unit
		r.json(t, &merged)
		if merged.DissolvedOn != "2025-07-01" || merged.MergedInto == nil || *merged.MergedInto != province.ID || merged.Name != district.Name {
			t.Fatalf("merged unit: %+v", merged)
		}
		commune := e.unit("ubnd-hon-tre")
		if commune.ParentID == nil || *commune.ParentID != province.ID || !strings.HasPrefix(commune.Path, province.Path) {
			t.Fatalf("commune not moved under the province: %+v", commune)
		}
		radio := e.unit("dtt-hon-tre")
		if radio.Depth != commune.Depth+1 || !strings.HasPrefix(radio.Path, commune.Path) {
			t.Fatalf("grandchild path not rewritten: %+v", radio)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/units/%d/history", district.ID), e.creds.AdminToken, nil)
		var h struct{ History []model.UnitChange }
		r.json(t, &h)
		if len(h.History) != 2 || h.History[1].Change != "merge" || !strings.Contains(h.History[1].Before, `"dissolved_on":""`) {
			t.Fatalf("history: %+v", h.History)
		}
		// A group rule on a day before the reform still lists the district.
		r = e.do("GET", "/api/v1/groups/1/units?date=2021-06-04", e.creds.AdminToken, nil)
		var g struct{ Units []model.Unit }
		r.json(t, &g)
		if len(g.Units) != 15 {
			t.Fatalf("district PCs on 2021-06-04: %d, want 15", len(g.Units))
		}
		r = e.do("GET", "/api/v1/groups/1/units?date=2025-08-01", e.creds.AdminToken, nil)
		r.json(t, &g)
		if len(g.Units) != 14 {
			t.Fatalf("district PCs after the merge: %d, want 14", len(g.Units))
		}
	})
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestSessionCSRFAndThrottling(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.browser()
		// Unauthenticated page → login redirect.
		resp, err := c.Get(e.srv.URL + "/org")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=%2Forg") {
			t.Fatalf("anonymous /org: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, err = c.PostForm(e.srv.URL+"/login", url.Values{"username": {"vanthu.so"}, "password": {"LoaDemo@2021"}, "next": {"/org"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/org" {
			t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var sc *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "loa_session" {
				sc = ck
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie: %+v", sc)
		}
		resp, _ = c.Get(e.srv.URL + "/")
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "Nguyễn Thị Thu Hà") || !strings.Contains(string(page), "Đăng xuất") {
			t.Fatalf("home page: %d", resp.StatusCode)
		}
		m := csrfRe.FindSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF token on the home page")
		}
		csrf := string(m[1])
		// A cookie-authenticated API change without the CSRF header is refused.
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/tokens", strings.NewReader(`{"name":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, _ = c.Do(req)
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("API change without CSRF header: %d", resp.StatusCode)
		}
		req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/tokens", strings.NewReader(`{"name":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		resp, _ = c.Do(req)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("API change with CSRF header: %d", resp.StatusCode)
		}
		// A form post without the token is refused too.
		resp, _ = c.PostForm(e.srv.URL+"/tokens", url.Values{"name": {"y"}})
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("form without CSRF: %d", resp.StatusCode)
		}
		// Sign out ends the session.
		resp, _ = c.PostForm(e.srv.URL+"/logout", url.Values{"csrf": {csrf}})
		resp.Body.Close()
		resp, _ = c.Get(e.srv.URL + "/")
		resp.Body.Close()
		if resp.StatusCode != 303 {
			t.Fatalf("after logout: %d", resp.StatusCode)
		}
		// Throttling: after five wrong passwords from one address, the
		// next attempt from there must wait, even with the right password.
		e.clock.freeze()
		for i := 0; i < 5; i++ {
			resp, _ = c.PostForm(e.srv.URL+"/login", url.Values{"username": {"lamvanson"}, "password": {"wrong"}})
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Fatalf("wrong password %d: %d", i, resp.StatusCode)
			}
		}
		resp, _ = c.PostForm(e.srv.URL+"/login", url.Values{"username": {"lamvanson"}, "password": {"LoaDemo@2021"}})
		resp.Body.Close()
		if resp.StatusCode != 429 {
			t.Fatalf("after 5 failures: %d, want 429", resp.StatusCode)
		}
		// The audit log recorded the failures and the logout.
		r := e.do("GET", "/api/v1/audit?action=login.failed", e.creds.AdminToken, nil)
		var a struct{ Entries []model.AuditEntry }
		r.json(t, &a)
		if len(a.Entries) != 5 {
			t.Fatalf("audit login.failed: %d entries", len(a.Entries))
		}
	})
}
