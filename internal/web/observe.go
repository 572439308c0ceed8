package web

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers (server-sent events) flush through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe records latency per route and logs each request.
func (s *Server) observe(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		d := time.Since(start)
		s.latency.WithLabelValues(r.Pattern, r.Method, strconv.Itoa(sw.code)).Observe(d.Seconds())
		level := slogLevel(sw.code)
		s.deps.Log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.code,
			"bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "client", s.clientAddr(r))
	})
}

// metrics serves /metrics on the main listener: with a metrics token
// configured, to requests that carry it as a bearer token; without, only
// to loopback clients that did not come through a proxy. The metrics
// reveal routes, traffic and queue sizes, so they are never public.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if tok := s.deps.MetricsToken; tok != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(tok)) != 1 {
			s.writeError(w, r, fmt.Errorf("send the metrics token (--metrics-token) as \"Authorization: Bearer <token>\": %w", model.ErrUnauthorized))
			return
		}
	} else if !directLoopback(r) {
		s.writeError(w, r, fmt.Errorf("metrics are served to loopback clients only; set --metrics-token to scrape them from elsewhere: %w", model.ErrForbidden))
		return
	}
	s.MetricsHandler().ServeHTTP(w, r)
}

// MetricsHandler serves the metrics without any check, for the
// loopback-only debug listener.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}

// directLoopback reports whether the request's peer is a loopback address
// and it carries no proxy forwarding header (a reverse proxy on the same
// host would otherwise make every client look local).
func directLoopback(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
