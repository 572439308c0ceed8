package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestBrowserLoginHomeAndTree signs in through the real login form in
// headless Chromium and checks the home page and the organisation tree.
func TestBrowserLoginHomeAndTree(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	ctx := browsertest.New(t, 90*time.Second)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "vanthu.so"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "LoaDemo@2021"),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who .user`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Xin chào, Nguyễn Thị Thu Hà" {
		t.Fatalf("home page heading %q", h1)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.who .unit`)))
	if err != nil || who != "Sở Thông tin và Truyền thông tỉnh Kiên Giang" {
		t.Fatalf("unit shown %q (%v)", who, err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/org"),
		chromedp.WaitVisible(chromedp.CSS(`#org-tree`)),
	); err != nil {
		t.Fatalf("open the tree: %v", err)
	}
	tree, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#org-tree`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Ủy ban nhân dân tỉnh Kiên Giang", "Sở Thông tin và Truyền thông tỉnh Kiên Giang", "Phòng Thông tin - Báo chí - Bưu chính", "Ủy ban nhân dân huyện Kiên Lương", "Đài truyền thanh xã Hòn Nghệ", "Cục Thông tin cơ sở"} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree lacks %q", want)
		}
	}
	// The filter folds diacritics and đ: "hon nghe" finds Hòn Nghệ and hides the rest.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#tree-filter`), "hon nghe")); err != nil {
		t.Fatal(err)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#org-tree li')].filter(li => !li.classList.contains('hidden') && li.offsetParent !== null).length`))
	if err != nil {
		t.Fatal(err)
	}
	if visible < 3 || visible > 8 {
		t.Fatalf("after filtering, %d tree items are visible; want the path to Hòn Nghệ only", visible)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "org.png")
	if dir := os.Getenv("LOA_SCREENSHOTS"); dir != "" {
		out = filepath.Join(dir, "org-tree.png")
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
