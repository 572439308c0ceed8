package web

import (
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request, p *principal) {
	units, err := s.deps.Orgs.Units(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if queryBool(r, "tree") {
		writeJSON(w, http.StatusOK, map[string]any{"units": orgs.Tree(units)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": units})
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Orgs.Unit(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request, p *principal) {
	var in orgs.UnitInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Orgs.CreateUnit(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in orgs.UnitInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.deps.Orgs.UpdateUnit(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type mergeRequest struct {
	Into int64  `json:"into"`
	Date string `json:"date"`
}

func (s *Server) apiMergeUnit(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in mergeRequest
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Date == "" {
		in.Date = time.Now().In(i18n.Zone()).Format("2006-01-02")
	}
	u, err := s.deps.Orgs.MergeUnit(r.Context(), p.Actor, id, in.Into, in.Date)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiUnitHistory(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h, err := s.deps.Orgs.History(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": h})
}

func (s *Server) apiKinds(w http.ResponseWriter, r *http.Request, p *principal) {
	k, err := s.deps.Orgs.Kinds(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kinds": k})
}

func (s *Server) apiSaveKind(w http.ResponseWriter, r *http.Request, p *principal) {
	var k model.UnitKind
	if err := decodeJSON(w, r, &k, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	k.Code = r.PathValue("code")
	if err := s.deps.Orgs.SaveKind(r.Context(), p.Actor, k); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Server) apiGroups(w http.ResponseWriter, r *http.Request, p *principal) {
	g, err := s.deps.Orgs.Groups(r.Context(), p.Actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": g})
}

func (s *Server) apiCreateGroup(w http.ResponseWriter, r *http.Request, p *principal) {
	var in orgs.GroupInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.deps.Orgs.CreateGroup(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (s *Server) apiDeleteGroup(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Orgs.DeleteGroup(r.Context(), p.Actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiGroupUnits(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	day := r.URL.Query().Get("date")
	if day == "" {
		day = time.Now().In(i18n.Zone()).Format("2006-01-02")
	} else if _, err := time.Parse("2006-01-02", day); err != nil {
		s.writeError(w, r, model.Invalid("date", "%q is not a date: use YYYY-MM-DD", day))
		return
	}
	units, err := s.deps.Orgs.ResolveGroup(r.Context(), p.Actor, id, day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"date": day, "units": units})
}

func (s *Server) apiOrgExport(w http.ResponseWriter, r *http.Request, p *principal) {
	recs, err := s.deps.Orgs.Export(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="loa-org.csv"`)
		if err := orgs.WriteCSV(w, recs); err != nil {
			s.deps.Log.Error("org export", "err", err)
		}
		return
	}
	writeJSON(w, http.StatusOK, recs)
}

// apiOrgImport takes the CSV format (Content-Type text/csv) or the JSON
// format (application/json) as the request body.
func (s *Server) apiOrgImport(w http.ResponseWriter, r *http.Request, p *principal) {
	var recs []orgs.Record
	var err error
	ct := r.Header.Get("Content-Type")
	switch {
	case ct == "text/csv" || len(ct) > 8 && ct[:9] == "text/csv;":
		recs, err = orgs.ParseCSV(r.Body)
	case ct == "" || len(ct) >= 16 && ct[:16] == "application/json":
		recs, err = orgs.ParseJSON(r.Body)
	default:
		err = model.Invalid("", "send the organisation file as text/csv or application/json, not %q", ct)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Orgs.Import(r.Context(), p.Actor, recs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
