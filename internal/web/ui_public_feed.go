package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/i18n"
)

// page renders a unit's public bulletins as a small HTML page with
// audio players, for the e-portal to embed (<iframe src="/feeds/CODE">).
func (fd feeds) page(w http.ResponseWriter, r *http.Request) {
	s := fd.s
	f, err := fd.svc.Feed(r.Context(), r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := template.New("public_feed.html").Funcs(template.FuncMap{
		"dmy": i18n.ISODate,
		"dur": func(d time.Duration) string { return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60) },
	}).ParseFS(assets, "templates/public_feed.html")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, f); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	// Embeddable in any portal page; no scripts at all.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'")
	_, _ = w.Write(buf.Bytes())
}
