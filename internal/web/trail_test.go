package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
)

// TestDuplicateIncomingRegistration: registering the same incoming letter
// again (the same document, or another file of the same letter) warns
// before giving a second arrival number — 409 with the existing line in
// the API, a page showing that line with "Vẫn vào sổ" in the browser —
// and registers only when confirmed.
func TestDuplicateIncomingRegistration(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		so := e.unit("so-tttt-kg")
		letter := fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")
		var imp documents.ImportResult
		r := e.upload("/api/v1/documents", clerk, "cv-570.txt", bytes.NewReader(letter), nil)
		r.json(t, &imp)
		if r.code != http.StatusCreated {
			t.Fatalf("import: %d %s", r.code, r.body)
		}
		doc := imp.Document.ID
		reg := fmt.Sprintf("/api/v1/registers/%d/%d/incoming", so.ID, time.Now().Year())
		var first model.RegisterEntry
		r = e.do("POST", reg, clerk, map[string]any{"document_id": doc})
		if r.code != http.StatusCreated {
			t.Fatalf("first registration: %d %s", r.code, r.body)
		}
		r.json(t, &first)

		// The same document again: 409 with the existing line.
		var dup struct {
			Error    struct{ Code, Message string } `json:"error"`
			Existing *model.RegisterEntry           `json:"existing"`
		}
		r = e.do("POST", reg, clerk, map[string]any{"document_id": doc})
		r.json(t, &dup)
		if r.code != http.StatusConflict || dup.Existing == nil || dup.Existing.ID != first.ID || dup.Existing.Number != first.Number {
			t.Fatalf("second registration: %d %s", r.code, r.body)
		}

		// Another file of the same letter (kept as a copy): same issuer,
		// number, notation and date — also refused.
		other := append(bytes.Clone(letter), []byte("\n(Bản chụp gửi kèm)\n")...)
		r = e.upload("/api/v1/documents?duplicate=keep", clerk, "cv-570-ban-chup.txt", bytes.NewReader(other), nil)
		var cp documents.ImportResult
		r.json(t, &cp)
		if r.code != http.StatusCreated || cp.Document.CopyOf == nil {
			t.Fatalf("copy import: %d %s", r.code, r.body)
		}
		r = e.do("POST", reg, clerk, map[string]any{"document_id": cp.Document.ID})
		dup.Existing = nil
		r.json(t, &dup)
		if r.code != http.StatusConflict || dup.Existing == nil || dup.Existing.ID != first.ID {
			t.Fatalf("copy registration: %d %s", r.code, r.body)
		}

		// Confirmed: a new number.
		var again model.RegisterEntry
		r = e.do("POST", reg, clerk, map[string]any{"document_id": cp.Document.ID, "confirm_duplicate": true})
		r.json(t, &again)
		if r.code != http.StatusCreated || again.Number != first.Number+1 {
			t.Fatalf("confirmed registration: %d %s", r.code, r.body)
		}

		// In the browser: the warning shows the existing line with a
		// link and asks; "Vẫn vào sổ" registers.
		c := e.loggedIn("vanthu.so")
		page := e.page(c, fmt.Sprintf("/documents/%d", doc))
		csrf := csrfRe.FindSubmatch(page.body)
		if csrf == nil {
			t.Fatalf("document page has no form: %d", page.code)
		}
		resp, err := c.PostForm(e.srv.URL+fmt.Sprintf("/documents/%d/register", doc), url.Values{"csrf": {string(csrf[1])}})
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("UI second registration: %d", resp.StatusCode)
		}
		for _, want := range []string{`id="duplicate-registration"`, `id="register-anyway"`, "Vẫn vào sổ", fmt.Sprintf(`href="/documents/%d" id="duplicate-document"`, doc),
			fmt.Sprintf("%d/%d", first.Number, first.Year), "đã được vào sổ văn bản đến"} {
			if !strings.Contains(body, want) {
				t.Errorf("warning page lacks %q", want)
			}
		}
		resp, err = c.PostForm(e.srv.URL+fmt.Sprintf("/documents/%d/register", doc), url.Values{"csrf": {string(csrf[1])}, "confirm_duplicate": {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("UI confirmed registration: %d", resp.StatusCode)
		}
		var list struct {
			Entries []model.RegisterEntry `json:"entries"`
		}
		e.do("GET", reg, clerk, nil).json(t, &list)
		if len(list.Entries) != 3 {
			t.Errorf("register has %d lines, want 3 (the first, and two confirmed): %+v", len(list.Entries), list.Entries)
		}
	})
}

// TestDocumentPassOn: a registered incoming document is passed to the
// leader with the clerk's note, then by the leader to a specialist with an
// instruction and a deadline; the page shows both instructions, names and
// the current assignee, and the API gives the same trail.
func TestDocumentPassOn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		clerk := e.tokenFor("vanthu.so")
		var imp documents.ImportResult
		r := e.upload("/api/v1/documents", clerk, "cv-570.txt", bytes.NewReader(fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")), nil)
		r.json(t, &imp)
		doc := imp.Document.ID
		so := e.unit("so-tttt-kg")
		if r := e.do("POST", fmt.Sprintf("/api/v1/registers/%d/%d/incoming", so.ID, time.Now().Year()), clerk, map[string]any{"document_id": doc}); r.code != http.StatusCreated {
			t.Fatalf("register: %d %s", r.code, r.body)
		}
		var users struct {
			Users []model.User `json:"users"`
		}
		e.do("GET", "/api/v1/users", e.tokenFor("admin"), nil).json(t, &users)
		ids := map[string]int64{}
		names := map[string]string{}
		for _, u := range users.Users {
			ids[u.Username], names[u.Username] = u.ID, u.FullName
		}
		path := fmt.Sprintf("/api/v1/documents/%d/trail", doc)
		if r := e.do("POST", path, clerk, map[string]any{"user_id": ids["lamvanson"], "instruction": "Kính trình Phó Giám đốc"}); r.code != http.StatusCreated {
			t.Fatalf("clerk passes on: %d %s", r.code, r.body)
		}
		deadline := time.Now().AddDate(0, 0, 7)
		// The leader is the current assignee and passes it on in the page.
		c := e.loggedIn("lamvanson")
		page := e.page(c, fmt.Sprintf("/documents/%d", doc))
		csrf := csrfRe.FindSubmatch(page.body)
		if csrf == nil || !strings.Contains(string(page.body), `id="pass-form"`) {
			t.Fatalf("the leader gets no pass-on form: %d", page.code)
		}
		resp, err := c.PostForm(e.srv.URL+fmt.Sprintf("/documents/%d/pass", doc), url.Values{"csrf": {string(csrf[1])},
			"to": {fmt.Sprintf("u:%d", ids["chuyenvien.so"])}, "instruction": {"Giao phòng TTBCBC tham mưu"}, "deadline": {deadline.Format("02/01/2006")}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("leader passes on: %d", resp.StatusCode)
		}
		body := string(e.page(c, fmt.Sprintf("/documents/%d", doc)).body)
		for _, want := range []string{"Kính trình Phó Giám đốc", "Giao phòng TTBCBC tham mưu", names["lamvanson"], names["chuyenvien.so"],
			`id="trail-holder-name">` + names["chuyenvien.so"], deadline.Format("02/01/2006"), "Vào sổ văn bản đến, số đến"} {
			if !strings.Contains(body, want) {
				t.Errorf("document page lacks %q", want)
			}
		}
		var tr model.Trail
		e.do("GET", path, clerk, nil).json(t, &tr)
		if len(tr.Entries) != 3 || tr.Holder != names["chuyenvien.so"] || tr.Entries[1].Instruction != "Kính trình Phó Giám đốc" || tr.Entries[2].Deadline != deadline.Format("2006-01-02") {
			t.Errorf("trail: %+v", tr)
		}
		// Someone of another unit may neither pass it on nor read it.
		if r := e.do("POST", path, e.tokenFor("vanthu.kienluong"), map[string]any{"user_id": ids["chuyenvien.so"]}); r.code != http.StatusForbidden && r.code != http.StatusNotFound {
			t.Errorf("another unit passes it on: %d %s", r.code, r.body)
		}
		if r := e.do("GET", path, e.tokenFor("vanthu.kienluong"), nil); r.code != http.StatusNotFound && r.code != http.StatusForbidden {
			t.Errorf("another unit reads the trail: %d %s", r.code, r.body)
		}
	})
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
