package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveTracking is what the endpoints that follow an issued
// directive's execution need: tracking, the forwarding tree, the summary.
type DirectiveTracking interface {
	Track(ctx context.Context, a model.Actor, id int64, f directives.TrackingFilter) (*directives.Tracking, error)
	ExportTracking(ctx context.Context, a model.Actor, id int64, f directives.TrackingFilter, format string, w io.Writer) error
	Tree(ctx context.Context, a model.Actor, id int64) (*directives.Branch, error)
	Summary(ctx context.Context, a model.Actor, id int64) (*directives.Summary, error)
	SummaryDocument(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error)
	CreateSummaryDraft(ctx context.Context, a model.Actor, id int64) (*directives.View, error)
	Remind(ctx context.Context, a model.Actor, id int64, in directives.RemindInput) (*directives.RemindResult, error)
	Reminders(ctx context.Context, a model.Actor, id int64) ([]model.DeliveryReminder, error)
}

func (s directiveHandlers) registerDirectiveTrackingAPI(svc DirectiveTracking) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/directives/{id}/tracking", true, j(s.apiTracking(svc)))
	s.handle("GET /api/v1/directives/{id}/tree", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveTracking.Tree))))
	s.handle("GET /api/v1/directives/{id}/summary", true, j(s.apiSummary(svc)))
	s.handle("POST /api/v1/directives/{id}/summary", true, j(jsonGetID(s.Server, "id", http.StatusCreated, bind(svc, DirectiveTracking.CreateSummaryDraft))))
	s.handle("POST /api/v1/directives/{id}/remind", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DirectiveTracking.Remind))))
	s.handle("GET /api/v1/directives/{id}/reminders", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveTracking.Reminders))))
}

func dirTrackingFilter(r *http.Request) directives.TrackingFilter {
	q := r.URL.Query()
	return directives.TrackingFilter{Status: q.Get("status"), Purpose: q.Get("purpose"), Query: q.Get("q"), Late: queryBool(r, "late"), Overdue: queryBool(r, "overdue")}
}

// apiTracking answers JSON, or a CSV or XLSX download with ?format=.
func (s directiveHandlers) apiTracking(svc DirectiveTracking) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f := dirTrackingFilter(r)
		switch format := r.URL.Query().Get("format"); format {
		case "", "json":
			t, err := svc.Track(r.Context(), p.Actor, id, f)
			s.respond(w, r, http.StatusOK, t, err)
		case "csv", "xlsx":
			var buf bytes.Buffer
			if err := svc.ExportTracking(r.Context(), p.Actor, id, f, format, &buf); err != nil {
				s.writeError(w, r, err)
				return
			}
			ctype := "text/csv; charset=utf-8"
			if format == "xlsx" {
				ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			}
			dirWriteFile(w, ctype, fmt.Sprintf("theo-doi-%d.%s", id, format), buf.Bytes())
		default:
			s.writeError(w, r, model.Invalid("format", "%q: use json, csv or xlsx", format))
		}
	}
}

// apiSummary answers JSON, or the summary document with ?format=.
func (s directiveHandlers) apiSummary(svc DirectiveTracking) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		format := r.URL.Query().Get("format")
		if format == "" || format == "json" {
			sum, err := svc.Summary(r.Context(), p.Actor, id)
			s.respond(w, r, http.StatusOK, sum, err)
			return
		}
		b, ctype, err := svc.SummaryDocument(r.Context(), p.Actor, id, format)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		name := ""
		if format == "pdf" {
			name = fmt.Sprintf("bao-cao-ket-qua-%d.pdf", id)
		}
		dirWriteFile(w, ctype, name, b)
	}
}
