package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/loa-project/loa/internal/model"
)

type auditData struct {
	Entries  []model.AuditEntry
	Query    map[string]string
	RawQuery string
	Next     string
}

func (s accountHandlers) uiAudit(w http.ResponseWriter, r *http.Request, p *principal) {
	f, err := auditFilter(r)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	entries, err := s.deps.Accounts.Audit(r.Context(), p.Actor, f)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "audit.title", "audit")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	q := r.URL.Query()
	d := auditData{Entries: entries, Query: map[string]string{}}
	keep := url.Values{}
	for _, k := range []string{"user", "action", "since", "until"} {
		d.Query[k] = q.Get(k)
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	d.RawQuery = keep.Encode()
	if len(entries) == f.Limit && len(entries) > 0 {
		keep.Set("before", fmt.Sprint(entries[len(entries)-1].ID))
		d.Next = "/audit?" + keep.Encode()
	}
	pd.Data = d
	s.render(w, r, "audit", pd, http.StatusOK)
}
