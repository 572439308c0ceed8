package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/model"
)

// AuditLog is what the audit endpoint and page need.
type AuditLog interface {
	Audit(ctx context.Context, a model.Actor, f model.AuditFilter) ([]model.AuditEntry, error)
}

func (s accountHandlers) registerAuditAPI(svc AuditLog) {
	s.handle("GET /api/v1/audit", true, s.api(MaxJSONBody, s.apiAudit(svc)))
}

// auditFilter reads the audit query parameters shared by the API and UI.
func auditFilter(r *http.Request) (model.AuditFilter, error) {
	q := r.URL.Query()
	f := model.AuditFilter{Action: q.Get("action"), Username: q.Get("user"), Limit: 100}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return f, model.Invalid("limit", "limit must be a number from 1 to 10000")
		}
		f.Limit = n
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, model.Invalid("before", "before must be an entry id")
		}
		f.BeforeID = n
	}
	for name, dst := range map[string]**time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, model.Invalid(name, "%q is not a date: use YYYY-MM-DD", v)
			}
			if name == "until" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = &t
		}
	}
	return f, nil
}

// apiAudit answers the audit entries as JSON, or as a CSV download with
// ?format=csv.
func (s accountHandlers) apiAudit(svc AuditLog) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		f, err := auditFilter(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		entries, err := svc.Audit(r.Context(), p.Actor, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "csv" {
			s.writeAuditCSV(w, entries)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	}
}

func (s accountHandlers) writeAuditCSV(w http.ResponseWriter, entries []model.AuditEntry) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="nhat-ky-he-thong.csv"`)
	cw := csvsafe.NewWriter(w)
	_ = cw.Write([]string{"id", "time", "user", "unit_id", "action", "object_type", "object_id", "detail", "client_addr"})
	for _, e := range entries {
		unit := ""
		if e.UnitID != nil {
			unit = fmt.Sprint(*e.UnitID)
		}
		_ = cw.Write([]string{fmt.Sprint(e.ID), e.At.In(s.loc).Format(time.RFC3339), e.Username, unit, e.Action, e.ObjectType, e.ObjectID, e.Detail, e.ClientAddr})
	}
	cw.Flush()
}
