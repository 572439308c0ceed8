package web

import (
	"context"
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

// Orgs is what the web layer needs of the organisation service: the union
// of the small interfaces its handler groups declare.
type Orgs interface {
	OrgUnits
	OrgGroups
}

// OrgUnits is what the unit and unit-kind endpoints need: the
// organisation tree, its history, import and export.
type OrgUnits interface {
	Units(ctx context.Context) ([]*model.Unit, error)
	Unit(ctx context.Context, id int64) (*model.Unit, error)
	CreateUnit(ctx context.Context, a model.Actor, in orgs.UnitInput) (*model.Unit, error)
	UpdateUnit(ctx context.Context, a model.Actor, id int64, in orgs.UnitInput) (*model.Unit, error)
	MergeUnit(ctx context.Context, a model.Actor, id, into int64, day string) (*model.Unit, error)
	History(ctx context.Context, id int64) ([]model.UnitChange, error)
	Kinds(ctx context.Context) ([]model.UnitKind, error)
	SaveKind(ctx context.Context, a model.Actor, k model.UnitKind) error
	Import(ctx context.Context, a model.Actor, recs []orgs.Record) (orgs.ImportResult, error)
	Export(ctx context.Context) ([]orgs.Record, error)
}

type mergeRequest struct {
	Into int64  `json:"into"`
	Date string `json:"date"`
}

// today is the current date in Vietnam, YYYY-MM-DD.
func today() string { return time.Now().In(i18n.Zone()).Format("2006-01-02") }

func (s orgHandlers) registerUnitAPI(svc OrgUnits) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/units", true, j(jsonList(s.Server, "units", func(r *http.Request, _ *principal) (any, error) {
		units, err := svc.Units(r.Context())
		if err != nil || !queryBool(r, "tree") {
			return units, err
		}
		return orgs.Tree(units), nil
	})))
	s.handle("POST /api/v1/units", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, OrgUnits.CreateUnit))))
	s.handle("GET /api/v1/units/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, func(ctx context.Context, _ model.Actor, id int64) (*model.Unit, error) {
		return svc.Unit(ctx, id)
	})))
	s.handle("PUT /api/v1/units/{id}", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, OrgUnits.UpdateUnit))))
	s.handle("POST /api/v1/units/{id}/merge", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in mergeRequest) (*model.Unit, error) {
		if in.Date == "" {
			in.Date = today()
		}
		return svc.MergeUnit(ctx, a, id, in.Into, in.Date)
	})))
	s.handle("GET /api/v1/units/{id}/history", true, j(jsonList(s.Server, "history", func(r *http.Request, _ *principal) ([]model.UnitChange, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return svc.History(r.Context(), id)
	})))
	s.handle("GET /api/v1/unit-kinds", true, j(jsonList(s.Server, "kinds", func(r *http.Request, _ *principal) ([]model.UnitKind, error) {
		return svc.Kinds(r.Context())
	})))
	s.handle("PUT /api/v1/unit-kinds/{code}", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, k model.UnitKind) (model.UnitKind, error) {
		k.Code = r.PathValue("code")
		return k, svc.SaveKind(r.Context(), p.Actor, k)
	})))
	s.handle("GET /api/v1/org/export", true, j(s.apiOrgExport(svc)))
	s.handle("POST /api/v1/org/import", true, s.api(orgs.MaxImportBytes, jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (orgs.ImportResult, error) {
		recs, err := orgRecords(r)
		if err != nil {
			return orgs.ImportResult{}, err
		}
		return svc.Import(r.Context(), p.Actor, recs)
	})))
}

// apiOrgExport answers the organisation as JSON, or as a CSV download
// with ?format=csv.
func (s orgHandlers) apiOrgExport(svc OrgUnits) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		recs, err := svc.Export(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="co-cau-to-chuc.csv"`)
			if err := orgs.WriteCSV(w, recs); err != nil {
				s.deps.Log.Error("org export", "err", err)
			}
			return
		}
		writeJSON(w, http.StatusOK, recs)
	}
}

// orgRecords reads an organisation import: the CSV format (Content-Type
// text/csv) or the JSON format (application/json) as the request body.
func orgRecords(r *http.Request) ([]orgs.Record, error) {
	ct := r.Header.Get("Content-Type")
	switch {
	case ct == "text/csv" || len(ct) > 8 && ct[:9] == "text/csv;":
		return orgs.ParseCSV(r.Body)
	case ct == "" || len(ct) >= 16 && ct[:16] == "application/json":
		return orgs.ParseJSON(r.Body)
	default:
		return nil, model.Invalid("", "send the organisation file as text/csv or application/json, not %q", ct)
	}
}
