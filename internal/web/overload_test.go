package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
)

// TestOverloadAndAbandonedRequests: a saturated database is answered
// 503 with Retry-After (logged as a warning, not an error), and a request
// its client abandoned is not logged as a server error.
func TestOverloadAndAbandonedRequests(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var fail error
	s.handle("GET /api/v1/test-overload", true, func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, fail) })
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/test-overload", nil))
		return w
	}

	fail = fmt.Errorf("device schedule: database: all 20 connections stayed busy for 2s: %w", model.ErrOverloaded)
	w := get()
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"overloaded"`) {
		t.Fatalf("overloaded: %d %s", w.Code, w.Body)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 10 {
		t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("an overload is a warning:\n%s", logs.String())
	}

	logs.Reset()
	fail = fmt.Errorf("device schedule: %w", context.Canceled)
	if w := get(); w.Code != StatusClientClosedRequest {
		t.Fatalf("abandoned: %d", w.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") || strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("an abandoned request is no server error:\n%s", logs.String())
	}

	logs.Reset()
	fail = errors.New("disk on fire")
	if w := get(); w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a real failure: %d, logs %s", w.Code, logs.String())
	}
}
