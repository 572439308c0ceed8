package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// attackTargets are "next" values that must never leave the site.
var attackTargets = []string{"//evil.example", "/\\evil.example", "/%09/evil.example", "/%5Cevil.example", "https://evil.example",
	"/\t/evil.example", "javascript:alert(1)", "/%2F/evil.example", "/%0D%0ALocation:%20https://evil.example"}

// TestRedirectNextStaysOnSite checks /lang and /login against open
// redirects through "next".
func TestRedirectNextStaysOnSite(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	c := e.browser()
	location := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	for _, next := range attackTargets {
		if loc := location(c.Get(e.srv.URL + "/lang?set=en&next=" + url.QueryEscape(next))); loc != "/" {
			t.Errorf("/lang next=%q redirects to %q", next, loc)
		}
		if loc := location(c.PostForm(e.srv.URL+"/login", url.Values{"username": {"vanthu.so"}, "password": {"LoaDemo@2021"}, "next": {next}})); loc != "/" {
			t.Errorf("/login next=%q redirects to %q", next, loc)
		}
	}
	// The raw query form of the reported attack, unencoded by the client.
	if loc := location(c.Get(e.srv.URL + "/lang?next=/%09/evil.example/")); loc != "/" {
		t.Errorf("/lang next=/%%09/evil.example/ redirects to %q", loc)
	}
	if loc := location(c.Get(e.srv.URL + "/lang?set=vi&next=" + url.QueryEscape("/documents?q=570"))); loc != "/documents?q=570" {
		t.Errorf("same-site next: %q", loc)
	}
	if loc := location(c.PostForm(e.srv.URL+"/login", url.Values{"username": {"vanthu.so"}, "password": {"LoaDemo@2021"}, "next": {"/org"}})); loc != "/org" {
		t.Errorf("login same-site next: %q", loc)
	}
}
