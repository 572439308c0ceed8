package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// TestRefuseAndFinishIncomingEdXML drives the two closing steps of an
// incoming document received as edXML through the pages and the API: the
// clerk refuses one before registering it (the reason is required, the
// document gets no arrival number and a "refused" 02 status package with
// the reason goes out), and the leader finishes the handling of a
// registered one (a "finished" 06 package goes out; it can no longer be
// passed on). Someone of another unit may do neither, a read-only token
// neither, and doing either twice is a conflict.
func TestRefuseAndFinishIncomingEdXML(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := statusEnv(t, st)
		clerk := e.tokenFor("vanthu.rachgia")
		importEdXML := func(path string) int64 { return e.importEdXML(clerk, path) }
		statusOut := func(doc int64) map[string]string {
			t.Helper()
			var pkgs struct {
				Packages []model.ExchangePackage `json:"packages"`
			}
			r := e.do("GET", fmt.Sprintf("/api/v1/documents/%d/exchange", doc), clerk, nil)
			r.json(t, &pkgs)
			out := map[string]string{}
			for _, p := range pkgs.Packages {
				if p.Direction == "out" && p.Kind == "status" {
					out[p.StatusCode] = p.Description
				}
			}
			return out
		}
		post := func(c *http.Client, path string, form url.Values) (int, string) {
			t.Helper()
			page := e.page(c, path[:strings.LastIndex(path, "/")])
			csrf := csrfRe.FindSubmatch(page.body)
			if csrf == nil {
				t.Fatalf("%s has no form: %d", path, page.code)
			}
			form.Set("csrf", string(csrf[1]))
			resp, err := c.PostForm(e.srv.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, readBody(t, resp)
		}

		// 1. Refused by the clerk in the page.
		refused := importEdXML(filepath.Join("..", "edxml", "testdata", "real", "truclienthong-edoc_new.edxml"))
		c := e.loggedIn("vanthu.rachgia")
		docPath := fmt.Sprintf("/documents/%d", refused)
		if body := string(e.page(c, docPath).body); !strings.Contains(body, `id="refuse-form"`) || !strings.Contains(body, `id="register-form"`) {
			t.Fatalf("the clerk gets no refuse and register forms")
		}
		if code, body := post(c, docPath+"/refuse", url.Values{"reason": {"  "}}); code != http.StatusBadRequest || !strings.Contains(body, "Nhập lý do từ chối tiếp nhận") {
			t.Fatalf("refuse without a reason: %d", code)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/refuse", refused), e.tokenFor("ttvh.rachgia"), map[string]string{"reason": "x"}); r.code != http.StatusForbidden && r.code != http.StatusNotFound {
			t.Fatalf("another unit refuses: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/refuse", refused), e.readOnlyToken("vanthu.rachgia"), map[string]string{"reason": "x"}); r.code != http.StatusForbidden {
			t.Fatalf("read-only token refuses: %d %s", r.code, r.body)
		}
		reason := "Văn bản không thuộc thẩm quyền giải quyết của UBND thành phố Rạch Giá"
		if code, _ := post(c, docPath+"/refuse", url.Values{"reason": {reason}}); code != http.StatusSeeOther {
			t.Fatalf("refuse: %d", code)
		}
		body := string(e.page(c, docPath).body)
		for _, want := range []string{`id="trail-outcome"`, "đã bị từ chối tiếp nhận", reason, "Từ chối văn bản"} {
			if !strings.Contains(body, want) {
				t.Errorf("refused document page lacks %q", want)
			}
		}
		for _, unwanted := range []string{`id="register-form"`, `id="refuse-form"`, `id="finish-form"`} {
			if strings.Contains(body, unwanted) {
				t.Errorf("refused document page still has %s", unwanted)
			}
		}
		if got := statusOut(refused); got["02"] != reason || got["03"] != "" {
			t.Errorf("status packages out after refusal: %v", got)
		}
		var apiErr struct {
			Error struct{ Code, Message string }
		}
		r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/refuse", refused), clerk, map[string]string{"reason": reason})
		r.json(t, &apiErr)
		if r.code != http.StatusConflict || !strings.Contains(apiErr.Error.Message, "already refused") {
			t.Errorf("refuse twice: %d %s", r.code, r.body)
		}
		unit := e.unit("ubnd-rach-gia")
		reg := fmt.Sprintf("/api/v1/registers/%d/%d/incoming", unit.ID, time.Now().Year())
		if r := e.do("POST", reg, clerk, map[string]any{"document_id": refused}); r.code != http.StatusBadRequest || !strings.Contains(string(r.body), "refused") {
			t.Errorf("register a refused document: %d %s", r.code, r.body)
		}

		// 2. Registered, then finished by the leader in the page.
		done := importEdXML(filepath.Join("..", "edxml", "testdata", "cv-570-STTTT-TTBCBC-2021.edxml"))
		if r := e.do("POST", reg, clerk, map[string]any{"document_id": done}); r.code != http.StatusCreated {
			t.Fatalf("register: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/documents/%d/refuse", done), clerk, map[string]string{"reason": reason}); r.code != http.StatusBadRequest || !strings.Contains(string(r.body), "already in the incoming register") {
			t.Errorf("refuse a registered document: %d %s", r.code, r.body)
		}
		finish := fmt.Sprintf("/api/v1/documents/%d/finish", done)
		if r := e.do("POST", finish, e.tokenFor("ttvh.rachgia"), map[string]string{}); r.code != http.StatusForbidden && r.code != http.StatusNotFound {
			t.Errorf("another unit finishes: %d %s", r.code, r.body)
		}
		leader := e.loggedIn("lanhdao.rachgia")
		docPath = fmt.Sprintf("/documents/%d", done)
		if body := string(e.page(leader, docPath).body); !strings.Contains(body, `id="finish-form"`) || strings.Contains(body, `id="refuse-form"`) {
			t.Fatalf("the leader's page: finish form missing or refuse form shown")
		}
		note := "Đã chỉ đạo phát trên đài truyền thanh các phường"
		if code, _ := post(leader, docPath+"/finish", url.Values{"note": {note}}); code != http.StatusSeeOther {
			t.Fatalf("finish: %d", code)
		}
		body = string(e.page(leader, docPath).body)
		for _, want := range []string{`id="trail-outcome"`, "Đã hoàn thành xử lý văn bản", note} {
			if !strings.Contains(body, want) {
				t.Errorf("finished document page lacks %q", want)
			}
		}
		for _, unwanted := range []string{`id="pass-form"`, `id="finish-form"`} {
			if strings.Contains(body, unwanted) {
				t.Errorf("finished document page still has %s", unwanted)
			}
		}
		if got := statusOut(done); got["03"] == "" || got["06"] != "Hoàn thành xử lý: "+note {
			t.Errorf("status packages out after finishing: %v", got)
		}
		if r := e.do("POST", finish, clerk, map[string]string{}); r.code != http.StatusConflict {
			t.Errorf("finish twice: %d %s", r.code, r.body)
		}
		var tr model.Trail
		e.do("GET", fmt.Sprintf("/api/v1/documents/%d/trail", done), clerk, nil).json(t, &tr)
		if tr.Outcome != model.TrailFinished || tr.Entries[len(tr.Entries)-1].Instruction != note {
			t.Errorf("trail: %+v", tr)
		}
		if len(e.audit("document.refused")) != 1 || len(e.audit("document.finished")) != 1 {
			t.Errorf("audit: %d refused, %d finished", len(e.audit("document.refused")), len(e.audit("document.finished")))
		}
	})
}

// statusEnv is a test server whose registry tells the edXML sender of a
// document how its handling goes (as cmd/loa wires it).
func statusEnv(t *testing.T, st *storage.Store) *env {
	return newEnvWith(t, st, func(d *web.Deps) {
		d.Registry.(*registry.Service).SetStatusSender(d.Documents.(*documents.Service))
	})
}

// importEdXML receives an edXML package (a file of the repository) through
// the API and returns the stored document.
func (e *env) importEdXML(token, path string) int64 {
	e.t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/documents/edxml", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	r := result{code: resp.StatusCode, body: []byte(readBody(e.t, resp))}
	var imp documents.ImportResult
	r.json(e.t, &imp)
	if r.code != http.StatusCreated || imp.Document == nil {
		e.t.Fatalf("import %s: %d %s", path, r.code, r.body)
	}
	return imp.Document.ID
}

// TestBrowserRefuseFinishPhone: on a 390 px screen the clerk opens the
// refuse box of an edXML document, refuses it with a reason, then
// finishes the handling of a registered one; the pages stay within the
// screen's width and show the outcome.
func TestBrowserRefuseFinishPhone(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := statusEnv(t, st)
	clerk := e.tokenFor("vanthu.rachgia")
	refused := e.importEdXML(clerk, filepath.Join("..", "edxml", "testdata", "real", "truclienthong-edoc_new.edxml"))
	done := e.importEdXML(clerk, filepath.Join("..", "edxml", "testdata", "cv-570-STTTT-TTBCBC-2021.edxml"))
	unit := e.unit("ubnd-rach-gia")
	if r := e.do("POST", fmt.Sprintf("/api/v1/registers/%d/%d/incoming", unit.ID, time.Now().Year()), clerk, map[string]any{"document_id": done}); r.code != http.StatusCreated {
		t.Fatalf("register: %d %s", r.code, r.body)
	}
	ctx := browsertest.New(t, 120*time.Second)
	fits := func(where string) {
		t.Helper()
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 390 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('body *')).filter(el => el.getBoundingClientRect().right > 392 || el.scrollWidth > el.clientWidth + 2).slice(0, 12).map(el => el.tagName + '#' + el.id + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right) + ' ' + (el.textContent || '').slice(0, 60))`))
			t.Errorf("%s: the page is %d px wide at 390 px (%v): %q", where, w, err, wide)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "vanthu.rachgia"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "LoaDemo@2021"),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`.who`)),
		chromedp.Navigate(fmt.Sprintf("%s/documents/%d", e.srv.URL, refused)),
		chromedp.WaitReady(chromedp.CSS(`#refuse-box`)),
	); err != nil {
		t.Fatalf("open the document: %v", err)
	}
	fits("document before refusal")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#refuse-box summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#refuse-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#refuse-reason`), "Gửi nhầm nơi nhận"),
		chromedp.Click(chromedp.CSS(`#refuse`)),
		chromedp.WaitVisible(chromedp.CSS(`#trail-outcome`)),
	); err != nil {
		t.Fatalf("refuse: %v", err)
	}
	fits("refused document")
	if s := text(`#trail`); !strings.Contains(s, "từ chối tiếp nhận") || !strings.Contains(s, "Gửi nhầm nơi nhận") {
		t.Errorf("refused document's trail: %q", s)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/documents/%d", e.srv.URL, done)),
		chromedp.WaitVisible(chromedp.CSS(`#finish-form`)),
	); err != nil {
		t.Fatalf("open the registered document: %v", err)
	}
	fits("registered document")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#finish-note`), "Đã phát trên đài"),
		chromedp.Click(chromedp.CSS(`#finish`)),
		chromedp.WaitVisible(chromedp.CSS(`#trail-outcome`)),
	); err != nil {
		t.Fatalf("finish: %v", err)
	}
	fits("finished document")
	if s := text(`#trail-outcome`); !strings.Contains(s, "hoàn thành xử lý") {
		t.Errorf("finished document's outcome: %q", s)
	}
}
