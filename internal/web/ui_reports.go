package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/stats"
)

// PeriodicReports makes the periodic reports, the report builder's
// tables and the JSON package for the upper level (package reports).
type PeriodicReports interface {
	PeriodOf(name, from, to string) (stats.Period, error)
	Build(ctx context.Context, a model.Actor, in reports.BuildInput) (*reports.Built, error)
	Package(ctx context.Context, a model.Actor, unitID int64, p stats.Period) (*reports.Package, error)
	Settings(ctx context.Context, a model.Actor, unitID int64) (*model.ReportSetting, error)
	PutSettings(ctx context.Context, a model.Actor, unitID int64, in reports.SettingsInput) (*model.ReportSetting, error)
	Reports(ctx context.Context, a model.Actor, unitID int64) ([]*model.PeriodicReport, error)
}

// HasReports reports whether this server makes reports.
func (p *pageData) HasReports() bool { return p.s.deps.Reports != nil }

// reportHandlers serve the report builder, its exports, the periodic
// report settings and the API.
type reportHandlers struct {
	*Server
	svc PeriodicReports
}

func (s *Server) registerReports() {
	h := reportHandlers{Server: s, svc: s.deps.Reports}
	t, err := template.New("reports").Funcs(template.FuncMap{
		"grouptitle": reports.GroupTitle,
		"repperiods": func() []string { return []string{"month", "week", "quarter", "year", "current", "custom"} },
		"colspan":    func(cols []string) int { return len(cols) + 2 },
	}).ParseFS(assets, "templates/layout.html", "templates/reports.html")
	if err != nil {
		panic(fmt.Errorf("parse template reports: %w", err)) // embedded: a programming error
	}
	s.tmpl["reports"] = t
	pg := func(fn pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, fn) }
	s.handle("GET /reports", false, pg(h.uiBuilder))
	s.handle("GET /reports/export", false, pg(h.uiExport))
	s.handle("POST /reports/settings", false, pg(h.uiSettings))
	svc := h.svc
	s.handle("GET /api/v1/reports/package", true, s.api(MaxJSONBody, jsonCall(s, http.StatusOK,
		func(r *http.Request, p *principal, _ noBody) (*reports.Package, error) {
			unit, per, err := h.unitPeriod(r, p)
			if err != nil {
				return nil, err
			}
			return svc.Package(r.Context(), p.Actor, unit, per)
		})))
	s.handle("POST /api/v1/reports/build", true, s.api(MaxJSONBody, jsonBody(s, http.StatusOK, svc.Build)))
	s.handle("GET /api/v1/reports/settings/{id}", true, s.api(MaxJSONBody, jsonGetID(s, "id", http.StatusOK, svc.Settings)))
	s.handle("PUT /api/v1/reports/settings/{id}", true, s.api(MaxJSONBody, jsonID(s, "id", http.StatusOK, svc.PutSettings)))
	s.handle("GET /api/v1/reports/periodic/{id}", true, s.api(MaxJSONBody, jsonCall(s, http.StatusOK,
		func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return nil, err
			}
			list, err := svc.Reports(r.Context(), p.Actor, id)
			return map[string]any{"reports": list}, err
		})))
}

// unitPeriod reads ?unit= (default the caller's unit) and the period.
func (h reportHandlers) unitPeriod(r *http.Request, p *principal) (int64, stats.Period, error) {
	q := r.URL.Query()
	unit := p.Actor.UnitID
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return 0, stats.Period{}, model.Invalid("unit", "%q is not a unit number", v)
		}
		unit = id
	}
	per, err := h.svc.PeriodOf(q.Get("period"), q.Get("from"), q.Get("to"))
	return unit, per, err
}

// buildInput reads the builder's form: unit (repeated), period, from,
// to, group (repeated).
func (h reportHandlers) buildInput(r *http.Request, p *principal) (reports.BuildInput, error) {
	q := r.URL.Query()
	in := reports.BuildInput{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to"), Groups: q["group"]}
	if in.Period == "" {
		in.Period = reports.Month
	}
	if len(q["unit"]) > reports.MaxUnits {
		return in, model.Invalid("unit", "at most %d units in one report", reports.MaxUnits)
	}
	for _, v := range q["unit"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return in, model.Invalid("unit", "%q is not a unit number", v)
		}
		in.UnitIDs = append(in.UnitIDs, id)
	}
	if len(in.UnitIDs) == 0 && p.Actor.UnitID != 0 {
		in.UnitIDs = []int64{p.Actor.UnitID}
	}
	return in, nil
}

// reportsPage is what reports.html shows.
// Units lists the units of the caller's subtree whose figures they may read.
type reportsPage struct {
	In       reports.BuildInput
	Built    *reports.Built
	Err      string
	Query    string
	Units    []*model.Unit // the units the caller may choose (their subtree)
	Groups   []string
	Kinds    []string
	Setting  *model.ReportSetting
	Periodic []*model.PeriodicReport
	CanSet   bool
	Saved    bool
}

// Chosen reports whether a unit or group is chosen.
func (d reportsPage) Chosen(id int64) bool { return slices.Contains(d.In.UnitIDs, id) }

// GroupChosen reports whether a figure group is chosen (all when none).
func (d reportsPage) GroupChosen(g string) bool {
	return len(d.In.Groups) == 0 || slices.Contains(d.In.Groups, g)
}

// Reports reports whether the unit reports that period kind.
func (d reportsPage) Reports(kind string) bool {
	return d.Setting != nil && slices.Contains(d.Setting.Periods, kind)
}

func (h reportHandlers) uiBuilder(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := h.newPage(r, p, "rep.title", "reports")
	if err := h.withDirectory(r, pd); err != nil {
		h.renderError(w, r, p, err)
		return
	}
	d := reportsPage{Groups: reports.Groups, Kinds: reports.Kinds, Query: r.URL.RawQuery, Saved: r.URL.Query().Get("saved") == "1"}
	in, err := h.buildInput(r, p)
	d.In = in
	if err == nil {
		d.Built, err = h.svc.Build(r.Context(), p.Actor, in)
	}
	if err != nil {
		// The services explain in English (for the API); the page says
		// what to check in the reader's language.
		code, _ := h.publicError("", err)
		switch {
		case code == http.StatusForbidden:
			d.Err = pd.T("rep.forbidden")
		case code >= 500:
			h.renderError(w, r, p, err)
			return
		default:
			d.Err = pd.T("rep.invalid")
		}
		d.Built = nil
	}
	if pd.Unit != nil {
		for _, u := range pd.units {
			may := h.deps.Policy.Can(p.Actor, authz.BroadcastRead, u.Path) || h.deps.Policy.Can(p.Actor, authz.DirectiveRead, u.Path)
			if strings.HasPrefix(u.Path, pd.Unit.Path) && u.DissolvedOn == "" && may {
				d.Units = append(d.Units, u)
			}
		}
		sortUnitsByPath(d.Units)
		if len(d.Units) > 500 {
			d.Units = d.Units[:500]
		}
		if set, err := h.svc.Settings(r.Context(), p.Actor, pd.Unit.ID); err == nil {
			d.Setting = set
			d.CanSet = pd.Unit.ParentID != nil && h.deps.Policy.Can(p.Actor, authz.DirectiveSettings, pd.Unit.Path)
			d.Periodic, _ = h.svc.Reports(r.Context(), p.Actor, pd.Unit.ID)
		}
	}
	pd.Data = d
	h.render(w, r, "reports", pd, http.StatusOK)
}

// uiExport downloads the built report as PDF, XLSX or CSV, named in
// Vietnamese ("Báo cáo số liệu 2026-11-01 - 2026-11-30.xlsx").
func (h reportHandlers) uiExport(w http.ResponseWriter, r *http.Request, p *principal) {
	in, err := h.buildInput(r, p)
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	b, err := h.svc.Build(r.Context(), p.Actor, in)
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	t := b.Table
	name := "Báo cáo số liệu"
	if len(b.Figures) == 1 {
		name += " " + b.Figures[0].UnitName
	}
	name = reports.FileName(name + " " + t.Period.From.String() + " - " + t.Period.To.String())
	var buf bytes.Buffer
	var ctype string
	switch format := r.URL.Query().Get("format"); format {
	case "pdf":
		err, ctype, name = t.PDF(&buf), "application/pdf", name+".pdf"
	case "xlsx":
		err, ctype, name = t.XLSX(&buf), reports.XLSXType, name+".xlsx"
	case "csv":
		err, ctype, name = t.CSV(&buf), "text/csv; charset=utf-8", name+".csv"
	default:
		err = model.Invalid("format", "%q: use pdf, xlsx or csv", format)
	}
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", contentDisposition("attachment", name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

// uiSettings saves which periods the caller's unit reports to its
// superior (the caller becomes the drafter of the reports).
func (h reportHandlers) uiSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	in := reports.SettingsInput{Periods: r.PostForm["period"]}
	if len(in.Periods) > len(reports.Kinds) {
		h.renderError(w, r, p, model.Invalid("period", "at most %d periods", len(reports.Kinds)))
		return
	}
	if _, err := h.svc.PutSettings(r.Context(), p.Actor, p.Actor.UnitID, in); err != nil {
		h.renderError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/reports?saved=1&"+url.Values{"unit": {strconv.FormatInt(p.Actor.UnitID, 10)}}.Encode(), http.StatusSeeOther)
}
