package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// xssDocument is an "official letter" that is really a page whose script
// marks the page and creates an API token as whoever opens it.
const xssDocument = `<!doctype html>
<html><head><title>CÔNG VĂN</title></head><body>
<p>ỦY BAN NHÂN DÂN TỈNH</p><p>Số: 12/UBND-VX</p><p>V/v thử nghiệm</p>
<script>
document.title = "pwned";
fetch("/tokens").then(r => r.text()).then(t => {
  const m = t.match(/name="csrf" value="([^"]+)"/);
  return fetch("/api/v1/tokens", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": m ? m[1] : ""},
    body: JSON.stringify({name: "xss", scopes: ["read", "write"]})});
});
</script></body></html>`

// TestBrowserUploadedHTMLDoesNotRun imports an HTML file with a script as
// a document's original and opens its link as the signed-in clerk: the
// script must not run in Loa's origin (no token, title unchanged).
func TestBrowserUploadedHTMLDoesNotRun(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	ctx := browsertest.New(t, 90*time.Second)
	path := filepath.Join(t.TempDir(), "cong-van.html")
	if err := os.WriteFile(path, []byte(xssDocument), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "vanthu.so"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "LoaDemo@2021"),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who .user`)),
		chromedp.Navigate(e.srv.URL+"/documents"),
		chromedp.WaitVisible(chromedp.CSS(`#file-input`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file-input`), []string{path}),
		chromedp.Click(chromedp.CSS(`#dropzone button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#fields-form`)),
	); err != nil {
		t.Fatalf("sign in and import: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/documents/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after import the browser is at %s", loc)
	}
	original := e.srv.URL + "/api/v1/documents/" + m[1] + "/original"
	// Open the link as a user would; a download aborts the navigation,
	// which is fine.
	_ = chromedp.Do(ctx, chromedp.Navigate(original))
	// And in a frame of a Loa page, the other way a file can be shown.
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const f = document.createElement("iframe"); f.src = `+"`"+original+"`"+`; document.body.appendChild(f); return true; })()`))

	u, _, err := e.store.Accounts().UserByUsername(context.Background(), "vanthu.so")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		toks, err := e.store.Accounts().Tokens(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.Name == "xss" {
				t.Fatalf("the uploaded page's script created an API token as the user who opened it")
			}
		}
		if title, err := chromedp.Run(ctx, chromedp.Title()); err == nil && title == "pwned" {
			t.Fatalf("the uploaded page's script ran in Loa's origin (title %q)", title)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
