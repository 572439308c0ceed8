package directives_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestBrowserDraftApproveIssueTrack drives the core of the scenario in
// headless Chromium: the drafter implements 355 from the assigned work
// (autosave and live preview included), the approver approves, the clerk
// issues, and the tracking page shows the recipients.
func TestBrowserDraftApproveIssueTrack(t *testing.T) {
	st, dsn := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	e.dsn = dsn
	ctx := browsertest.New(t, 150*time.Second)
	issue355(e)
	e.deliver()
	del := e.inboxOf("vanthu.so", "")[0].ID
	e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/assign", del), "vanthu.so", directives.AssignInput{UserID: e.user("chuyenvien.so").ID}, nil)
	e.must(200, "PUT", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing/counter", e.unit("so-tttt-kg").ID), "vanthu.so", map[string]int{"last": 569}, nil)

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot(t, ctx, what)
			t.Fatalf("%s: %v", what, err)
		}
	}
	login := func(user string) {
		t.Helper()
		step("sign in as "+user,
			chromedp.Navigate(e.srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
			chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.who .user`)),
		)
	}
	logout := func() {
		t.Helper()
		step("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	waitFor := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for eval("String("+expr+")") != "true" {
			if time.Now().After(deadline) {
				shot(t, ctx, what)
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// The drafter implements 355 from the work assigned to them.
	login("chuyenvien.so")
	step("open the assigned work",
		chromedp.Navigate(e.srv.URL+"/inbox?assigned=1"),
		chromedp.WaitVisible(chromedp.CSS(`#inbox-list`)),
		chromedp.Click(chromedp.CSS(`#inbox-list a`)),
		chromedp.WaitVisible(chromedp.CSS(`#forward`)),
		chromedp.Click(chromedp.CSS(`#forward`)),
		chromedp.WaitVisible(chromedp.CSS(`#directive-form`)),
	)
	id := strings.TrimPrefix(eval(`location.pathname`), "/directives/")
	waitFor("the live preview", `document.querySelector('#directive-preview').textContent.includes('DỰ THẢO') && document.querySelector('#directive-preview').textContent.includes('355/TTCS-TTTH')`)
	// Address it through the recipient picker: a search typed without
	// diacritics, a saved group, a commune of a district opened in place
	// with its own role; the editor autosaves.
	group, bao, kl, hn := e.group("Thường trực UBND các huyện, thành phố"), e.unit("bao-kg").ID, e.unit("ubnd-kien-luong").ID, e.unit("ubnd-hon-nghe").ID
	step("pick the recipients",
		chromedp.SendKeys(chromedp.CSS(`#rec-search`), "bao kien giang"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#rec-results [data-result="u:%d"] input`, bao))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#rec-results [data-result="u:%d"] input`, bao))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-unit="u:%d"] select[name="role_u:%d"]`, bao, bao))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-unit="g:%d"] input[type=checkbox]`, group))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-unit="u:%d"] button.pk-toggle`, kl))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-unit="u:%d"] input[type=checkbox]`, hn))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-unit="u:%d"] input[type=checkbox]`, hn))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`select[name="role_u:%d"]`, hn))),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`select[name="role_u:%d"]`, hn)), "copy"),
	)
	eval(fmt.Sprintf(`document.querySelector('select[name="role_u:%d"]').dispatchEvent(new Event('change', {bubbles: true})); 'ok'`, hn))
	waitFor("the autosave", `(function(){var s=document.querySelector('#autosave-status'); return s.textContent === s.dataset.saved;})()`)
	var v directives.View
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
		if len(v.Content.Recipients) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	roles := map[int64]string{}
	for _, r := range v.Content.Recipients {
		roles[r.UnitID+r.GroupID] = r.Role
	}
	if len(v.Content.Recipients) != 3 || v.Version < 2 || roles[bao] != "main" || roles[group] != "main" || roles[hn] != "copy" {
		t.Fatalf("after the autosave the draft has recipients %+v (version %d)", v.Content.Recipients, v.Version)
	}
	waitFor("the preview to show the recipients", `document.querySelector('#directive-preview').textContent.includes('Báo Kiên Giang')`)
	subject := "Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19"
	step("type the subject",
		chromedp.Clear(chromedp.CSS(`textarea[name="subject"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="subject"]`), subject),
	)
	// Save with the button (a full form post) and wait for the new page.
	eval(`window.loaOldPage = true; 'ok'`)
	step("save", chromedp.Click(chromedp.CSS(`#save-directive`)))
	waitFor("the saved page", `window.loaOldPage === undefined && document.readyState === 'complete' && !!document.querySelector('#submit-directive')`)
	e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
	if v.Subject != subject || len(v.Content.Recipients) != 3 {
		t.Fatalf("saved draft: subject %q, %d recipients", v.Subject, len(v.Content.Recipients))
	}
	shot(t, ctx, "editor")
	step("submit",
		chromedp.Click(chromedp.CSS(`#submit-directive`)),
		chromedp.WaitVisible(chromedp.CSS(`#directive-status.state-submitted`)),
	)
	logout()

	// The approver approves it from the approval box.
	login("lamvanson")
	step("approve",
		chromedp.Navigate(e.srv.URL+"/directives?box=approve"),
		chromedp.WaitVisible(chromedp.CSS(`#directive-list`)),
		chromedp.Click(chromedp.CSS(`#directive-list a`)),
		chromedp.WaitVisible(chromedp.CSS(`#approve-directive`)),
		chromedp.Click(chromedp.CSS(`#approve-directive`)),
		chromedp.WaitVisible(chromedp.CSS(`#directive-status.state-approved`)),
	)
	logout()

	// The clerk issues it (on its date); the tracking page lists the recipients.
	e.at("2021-06-04")
	login("vanthu.so")
	step("issue",
		chromedp.Navigate(e.srv.URL+"/directives?box=issue"),
		chromedp.WaitVisible(chromedp.CSS(`#directive-list`)),
		chromedp.Click(chromedp.CSS(`#directive-list a`)),
		chromedp.WaitVisible(chromedp.CSS(`#issue-directive`)),
		chromedp.SetValue(chromedp.CSS(`#issue-date`), "2021-06-04"),
		chromedp.Click(chromedp.CSS(`#issue-directive`)),
		chromedp.WaitVisible(chromedp.CSS(`#tracking-matrix`)),
	)
	// 15 district committees (the group), Báo Kiên Giang, Hòn Nghệ.
	if n := e.deliver(); n != 17 {
		t.Fatalf("delivered %d, want 17", n)
	}
	step("reload the tracking page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#tracking-matrix`)))
	h1 := eval(`document.querySelector('main h1').textContent`)
	if !strings.Contains(h1, "570/STTTT-TTBCBC") {
		t.Fatalf("tracking heading %q", h1)
	}
	if n := eval(`String(document.querySelectorAll('#tracking-matrix tbody tr').length)`); n != "17" {
		t.Fatalf("tracking matrix has %s rows, want 17", n)
	}
	matrix := eval(`document.querySelector('#tracking-matrix').textContent`)
	for _, want := range []string{"Báo Kiên Giang", "Ủy ban nhân dân thành phố Rạch Giá", "Ủy ban nhân dân huyện Kiên Hải", "Ủy ban nhân dân xã Hòn Nghệ"} {
		if !strings.Contains(matrix, want) {
			t.Errorf("tracking matrix lacks %q", want)
		}
	}
	shot(t, ctx, "tracking")
}

// shot saves a screenshot (to LOA_SCREENSHOTS when set).
func shot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := os.Getenv("LOA_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	name = strings.NewReplacer(" ", "-", "/", "-").Replace(name)
	if err := os.WriteFile(filepath.Join(dir, "directives-"+name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
