// Package web serves Loa's HTML interface and its JSON API (/api/v1). It
// depends on the domain services through small interfaces declared beside
// the handlers that use them, so handlers test with fakes; nothing imports
// this package except cmd/loa's wiring.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's tzdata

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed templates static openapi.json
var assets embed.FS

// Limits of request bodies.
const (
	MaxJSONBody   = 1 << 20  // 1 MiB for ordinary API calls
	MaxUploadBody = 50 << 20 // organisation imports and other uploads
)

// Deps are what the web layer needs from the rest of Loa.
type Deps struct {
	Accounts   Accounts
	Orgs       Orgs
	Health     Pinger
	Documents  Documents
	Registry   Registry
	Directives Directives
	Channels   Channels
	// Stats computes the dashboards; nil disables them.
	Stats Dashboards
	// Reports makes the periodic reports, the report builder and the JSON
	// package for the upper level; nil disables them.
	Reports PeriodicReports
	// Hooks are endpoints for outside systems (SMS receipts), mounted
	// with the channel endpoints.
	Hooks []Hook
	// Scheduler turns received directives' broadcast items into orders.
	Scheduler DirectiveScheduler
	// Broadcast serves media, schedules and devices; nil disables them.
	Broadcast Broadcast
	Policy    authz.Policy
	Log       *slog.Logger
	Version   string
	// Commit is the source revision the binary was built from (/healthz).
	Commit string
	// Feedback serves the public commune pages and the feedback inbox;
	// nil disables them.
	Feedback Feedback
	// CAP publishes emergencies as CAP 1.2 alerts and takes incoming
	// ones; nil disables it.
	CAP CAPAlerts
	// SecureCookies marks cookies Secure (set when served over HTTPS,
	// directly or behind a proxy).
	SecureCookies bool
	// PublicURL is the URL users and the e-portal reach Loa at (loa serve
	// --public-url), e.g. https://loa.kiengiang.gov.vn: the base of the
	// absolute links of public feeds. Empty: feeds use links relative to
	// the server's root; the Host header of a request is never used.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// gives the client address (see Server.clientAddr); empty: the header
	// is ignored.
	TrustedProxies []netip.Prefix
	// Metrics collectors to register besides the HTTP ones (DB pool …).
	Collectors []prometheus.Collector
	// MetricsToken, when set, is the bearer token /metrics requires;
	// without it /metrics answers loopback clients only.
	MetricsToken string
	// Archive serves retention, legal holds and disposal; nil disables it.
	Archive Archive
}

// Pinger checks that the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is Loa's HTTP handler.
type Server struct {
	deps    Deps
	mux     *http.ServeMux
	tmpl    map[string]*template.Template
	msgs    i18n.Catalog
	loc     *time.Location
	reg     *prometheus.Registry
	latency *prometheus.HistogramVec
	routes  []route
	// publicURL is Deps.PublicURL checked, without a trailing slash.
	publicURL string
	uploads   *uploadLimiter
	busyLog   rateLog // "server busy" refusals (respond.go)
}

// PublicBase checks a public URL (loa serve --public-url) and returns it
// without a trailing slash: an absolute http or https URL with a host and
// no query or fragment. "" stays "".
func PublicBase(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("public URL %q: give the absolute http(s) URL users reach Loa at, e.g. https://loa.example.gov.vn", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// route is one registered endpoint, kept for the OpenAPI consistency test.
type route struct {
	Method, Pattern string
	API             bool
}

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	s := &Server{deps: d, mux: http.NewServeMux(), msgs: i18n.Messages(), loc: i18n.Zone(), reg: prometheus.NewRegistry(),
		uploads: newUploadLimiter(MaxUploadsPerUser)}
	if s.deps.Log == nil {
		s.deps.Log = slog.Default()
	}
	pub, err := PublicBase(d.PublicURL)
	if err != nil {
		return nil, err
	}
	s.publicURL = pub
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "loa_http_request_duration_seconds",
		Help:    "Latency of HTTP requests by route, method and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	s.reg.MustRegister(s.latency, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	for _, c := range d.Collectors {
		if err := s.reg.Register(c); err != nil {
			return nil, err
		}
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.registerRoutes()
	return s, nil
}

func (s *Server) registerRoutes() {
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	s.handle("GET /healthz", false, s.healthz)
	s.handle("GET /metrics", false, s.metrics)
	s.registerUI()
	s.registerAPI()
	if s.deps.Documents != nil {
		s.documents().registerDocumentAPI()
		s.documents().registerDocumentUI()
		s.documents().registerSearch()
		s.documents().registerExchangeAPI()
	}
	if s.deps.Channels != nil {
		s.channels().registerChannelAPI()
	}
	if s.deps.Scheduler != nil {
		s.bcAPI().registerBridge()
	}
	if s.deps.Directives != nil {
		s.directives().registerDirectiveRoutes()
	}
	if s.deps.Broadcast != nil {
		s.bcAPI().registerBroadcastAPI()
	}
	if s.deps.Archive != nil {
		s.archive().registerArchiveAPI()
		s.archive().registerArchiveUI()
	}
	if s.deps.Stats != nil {
		s.dashboards().register()
	}
	if s.deps.Reports != nil {
		s.registerReports()
	}
	if s.deps.Feedback != nil {
		s.registerFeedback()
	}
	if s.deps.CAP != nil {
		s.registerCAP()
	}
}

// handle registers a route with the common middleware.
func (s *Server) handle(pattern string, api bool, h http.HandlerFunc) {
	method, path := splitPattern(pattern)
	s.routes = append(s.routes, route{Method: method, Pattern: path, API: api})
	s.mux.Handle(pattern, s.observe(h))
}

func splitPattern(p string) (string, string) {
	for i := 0; i < len(p); i++ {
		if p[i] == ' ' {
			return p[:i], p[i+1:]
		}
	}
	return "", p
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.deps.Log.Error("panic serving request", "path", r.URL.Path, "panic", v)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	// HTTPS (direct, via a trusted proxy, or declared with
	// --secure-cookies): browsers keep to HTTPS for a year.
	if s.secure(r) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
	}
	if s.unknownPage(r) {
		s.notFoundPage(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.deps.Health.Ping(ctx); err != nil {
		s.deps.Log.Warn("health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.deps.Version, "commit": s.deps.Commit})
}
