package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
)

func TestMetricsAccess(t *testing.T) {
	newServer := func(token string) *Server {
		s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MetricsToken: token})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	get := func(s *Server, remote string, hdr map[string]string) (int, string) {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	const metric = "go_goroutines"
	open := newServer("")
	for _, c := range []struct {
		remote string
		hdr    map[string]string
		want   int
	}{
		{"127.0.0.1:5000", nil, http.StatusOK},
		{"127.9.8.7:5000", nil, http.StatusOK},
		{"[::1]:5000", nil, http.StatusOK},
		{"[::ffff:127.0.0.1]:5000", nil, http.StatusOK},
		{"203.0.113.5:5000", nil, http.StatusForbidden},
		{"10.0.0.2:5000", nil, http.StatusForbidden},
		{"[2001:db8::1]:5000", nil, http.StatusForbidden},
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.5"}, http.StatusForbidden},
		{"127.0.0.1:5000", map[string]string{"Forwarded": "for=203.0.113.5"}, http.StatusForbidden},
		{"203.0.113.5:5000", map[string]string{"Authorization": "Bearer anything"}, http.StatusForbidden},
	} {
		code, body := get(open, c.remote, c.hdr)
		if code != c.want {
			t.Errorf("no token, from %s %v: %d, want %d", c.remote, c.hdr, code, c.want)
		}
		if code != http.StatusOK && strings.Contains(body, metric) {
			t.Errorf("no token, from %s: refused but the metrics leaked", c.remote)
		}
	}
	locked := newServer("s3cret-metrics")
	for _, c := range []struct {
		remote, auth string
		want         int
	}{
		{"203.0.113.5:5000", "Bearer s3cret-metrics", http.StatusOK},
		{"127.0.0.1:5000", "Bearer s3cret-metrics", http.StatusOK},
		{"127.0.0.1:5000", "", http.StatusUnauthorized},
		{"203.0.113.5:5000", "", http.StatusUnauthorized},
		{"203.0.113.5:5000", "Bearer s3cret-metric", http.StatusUnauthorized},
		{"203.0.113.5:5000", "Bearer s3cret-metrics2", http.StatusUnauthorized},
		{"203.0.113.5:5000", "Basic s3cret-metrics", http.StatusUnauthorized},
		{"203.0.113.5:5000", "s3cret-metrics", http.StatusUnauthorized},
	} {
		code, body := get(locked, c.remote, map[string]string{"Authorization": c.auth})
		if code != c.want {
			t.Errorf("token, from %s with %q: %d, want %d", c.remote, c.auth, code, c.want)
		}
		if code == http.StatusOK && !strings.Contains(body, metric) {
			t.Errorf("token accepted but no metrics: %.200s", body)
		}
		if code != http.StatusOK && strings.Contains(body, metric) {
			t.Errorf("token refused but the metrics leaked")
		}
	}
	// The debug listener's handler has no check (it listens on loopback).
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "203.0.113.5:5000"
	locked.MetricsHandler().ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "go_goroutines") {
		t.Errorf("MetricsHandler: %d", w.Code)
	}
}
