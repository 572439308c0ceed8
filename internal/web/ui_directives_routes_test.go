package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestDirectivePagesNeedSignIn: the pages redirect to the login page and
// the script and style are served.
func TestDirectivePagesNeedSignIn(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	bl, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(Deps{Policy: policy, Log: log, Directives: directives.NewAPI(directives.New(st, bl, registry.New(st, policy, i18n.Zone()), policy, directives.Options{Log: log}))})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/directives", "/directives/1", "/directives/1/tracking", "/inbox", "/inbox/1", "/notifications"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
			t.Errorf("GET %s without a session: %d %s", path, w.Code, w.Header().Get("Location"))
		}
	}
	for path, ctype := range map[string]string{"/ui/directives.js": "text/javascript", "/ui/directives.css": "text/css"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) || w.Body.Len() < 100 {
			t.Errorf("GET %s: %d %s", path, w.Code, w.Header().Get("Content-Type"))
		}
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("If-None-Match", w.Header().Get("ETag"))
		w2 := httptest.NewRecorder()
		s.ServeHTTP(w2, r)
		if w2.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d", path, w2.Code)
		}
	}
}
