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

// TestBrowserDocuments imports the seed and the letter it implements
// through the UI, follows the 570 → 355 link both ways, corrects a field
// and searches by number.
func TestBrowserDocuments(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	ctx := browsertest.New(t, 120*time.Second)
	seed, _ := filepath.Abs(filepath.Join("..", "documents", "testdata", "cv-570-STTTT-TTBCBC-2021.txt"))
	upstream, _ := filepath.Abs(filepath.Join("..", "documents", "testdata", "cv-355-TTCS-TTTH-2021.txt"))

	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	importFile := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/documents"),
			chromedp.WaitVisible(chromedp.CSS(`#file-input`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#file-input`), []string{path}),
			chromedp.Click(chromedp.CSS(`#dropzone button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#fields-form`)),
		); err != nil {
			t.Fatalf("import %s: %v", filepath.Base(path), err)
		}
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "vanthu.so"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "LoaDemo@2021"),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who .user`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}

	importFile(seed)
	if h := text(`main h1`); !strings.HasPrefix(h, "570/STTTT-TTBCBC") {
		t.Fatalf("seed page heading %q", h)
	}
	if flash := text(`.flash`); !strings.Contains(flash, "vào sổ văn bản đến") {
		t.Fatalf("flash after import: %q", flash)
	}
	if refs := text(`#references`); !strings.Contains(refs, "355/TTCS-TTTH") || !strings.Contains(refs, "chưa có trong hệ thống") {
		t.Fatalf("references before 355: %q", refs)
	}
	seedURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	importFile(upstream)
	if h := text(`main h1`); !strings.HasPrefix(h, "355/TTCS-TTTH") {
		t.Fatalf("355 page heading %q", h)
	}
	if cited := text(`#cited-by`); !strings.Contains(cited, "570/STTTT-TTBCBC") {
		t.Fatalf("355 is not shown as cited by 570: %q", cited)
	}
	// From 570, the reference is now a link to 355.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(seedURL),
		chromedp.WaitVisible(chromedp.CSS(`#references a`)),
		chromedp.Click(chromedp.CSS(`#references a`)),
		chromedp.WaitVisible(chromedp.CSS(`#cited-by a`)),
	); err != nil {
		t.Fatalf("follow 570 → 355: %v", err)
	}
	if h := text(`main h1`); !strings.HasPrefix(h, "355/TTCS-TTTH") {
		t.Fatalf("link led to %q", h)
	}

	// Correct the signer's title of 355 and see version 2.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`input[name="place"]`), "Thành phố Hà Nội"),
		chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "sửa địa danh"),
		chromedp.Click(chromedp.CSS(`#fields-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	); err != nil {
		t.Fatalf("correct: %v", err)
	}
	place, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="place"]`)))
	if err != nil || place != "Thành phố Hà Nội" {
		t.Fatalf("corrected place %q (%v)", place, err)
	}
	if h2 := text(`#fields-form`); h2 == "" {
		t.Fatal("fields form vanished")
	}
	if v := text(`section.card h2 small`); !strings.Contains(v, "2") {
		t.Fatalf("version after correction: %q", v)
	}

	// Search by number.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/documents"),
		chromedp.WaitVisible(chromedp.CSS(`main form[action="/documents"] input[name="q"]`)),
		chromedp.SendKeys(chromedp.CSS(`main form[action="/documents"] input[name="q"]`), "570/STTTT-TTBCBC"),
		chromedp.Submit(chromedp.CSS(`main form[action="/documents"] input[name="q"]`)),
		// The server echoes the query in the value attribute of the new page.
		chromedp.WaitVisible(chromedp.CSS(`main form[action="/documents"] input[name="q"][value="570/STTTT-TTBCBC"]`)),
	); err != nil {
		t.Fatalf("search: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#documents tbody tr a').length`))
	if err != nil || rows != 1 {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("search by number found %d rows (%v) at %s: %s", rows, err, loc, text(`#documents`))
	}
	if list := text(`#documents`); !strings.Contains(list, "570/STTTT-TTBCBC") {
		t.Fatalf("search result: %q", list)
	}
	if dir := os.Getenv("LOA_SCREENSHOTS"); dir != "" {
		if err := chromedp.Do(ctx, chromedp.Navigate(seedURL), chromedp.WaitVisible(chromedp.CSS(`#fields-form`))); err == nil {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
				_ = os.WriteFile(filepath.Join(dir, "document.png"), png, 0o644)
			}
		}
	}
}
