package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

// Orgs is what the web layer needs of the organisation service.
type Orgs interface {
	Units(ctx context.Context) ([]*model.Unit, error)
	Unit(ctx context.Context, id int64) (*model.Unit, error)
	CreateUnit(ctx context.Context, a model.Actor, in orgs.UnitInput) (*model.Unit, error)
	UpdateUnit(ctx context.Context, a model.Actor, id int64, in orgs.UnitInput) (*model.Unit, error)
	MergeUnit(ctx context.Context, a model.Actor, id, into int64, day string) (*model.Unit, error)
	History(ctx context.Context, id int64) ([]model.UnitChange, error)
	Kinds(ctx context.Context) ([]model.UnitKind, error)
	SaveKind(ctx context.Context, a model.Actor, k model.UnitKind) error
	CreateGroup(ctx context.Context, a model.Actor, in orgs.GroupInput) (*model.Group, error)
	Groups(ctx context.Context, a model.Actor) ([]*model.Group, error)
	DeleteGroup(ctx context.Context, a model.Actor, id int64) error
	ResolveGroup(ctx context.Context, a model.Actor, id int64, day string) ([]*model.Unit, error)
	Import(ctx context.Context, a model.Actor, recs []orgs.Record) (orgs.ImportResult, error)
	Export(ctx context.Context) ([]orgs.Record, error)
}

func (s *Server) registerAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/openapi.json", true, s.openAPI)
	s.handle("GET /api/v1/me", true, j(s.apiMe))
	s.handle("GET /api/v1/units", true, j(s.apiUnits))
	s.handle("POST /api/v1/units", true, j(s.apiCreateUnit))
	s.handle("GET /api/v1/units/{id}", true, j(s.apiUnit))
	s.handle("PUT /api/v1/units/{id}", true, j(s.apiUpdateUnit))
	s.handle("POST /api/v1/units/{id}/merge", true, j(s.apiMergeUnit))
	s.handle("GET /api/v1/units/{id}/history", true, j(s.apiUnitHistory))
	s.handle("GET /api/v1/unit-kinds", true, j(s.apiKinds))
	s.handle("PUT /api/v1/unit-kinds/{code}", true, j(s.apiSaveKind))
	s.handle("GET /api/v1/groups", true, j(s.apiGroups))
	s.handle("POST /api/v1/groups", true, j(s.apiCreateGroup))
	s.handle("DELETE /api/v1/groups/{id}", true, j(s.apiDeleteGroup))
	s.handle("GET /api/v1/groups/{id}/units", true, j(s.apiGroupUnits))
	s.handle("GET /api/v1/org/export", true, j(s.apiOrgExport))
	s.handle("POST /api/v1/org/import", true, s.api(orgs.MaxImportBytes, s.apiOrgImport))
	s.handle("GET /api/v1/users", true, j(s.apiUsers))
	s.handle("POST /api/v1/users", true, j(s.apiCreateUser))
	s.handle("GET /api/v1/users/{id}", true, j(s.apiUser))
	s.handle("PATCH /api/v1/users/{id}", true, j(s.apiPatchUser))
	s.handle("PUT /api/v1/users/{id}/password", true, j(s.apiSetPassword))
	s.handle("GET /api/v1/tokens", true, j(s.apiTokens))
	s.handle("POST /api/v1/tokens", true, j(s.apiCreateToken))
	s.handle("DELETE /api/v1/tokens/{id}", true, j(s.apiRevokeToken))
	s.handle("GET /api/v1/audit", true, j(s.apiAudit))
	// Anything else under /api/ is a JSON 404, never an HTML page.
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{Error: apiErrorBody{Code: "not_found", Message: "no such API endpoint: " + r.Method + " " + r.URL.Path + "; see /api/v1/openapi.json"}})
	})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("openapi.json")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// pathID reads a numeric path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid(name, "%q is not an id: use a positive number", v)
	}
	return id, nil
}

// queryBool reads a boolean query parameter.
func queryBool(r *http.Request, name string) bool {
	v := strings.ToLower(r.URL.Query().Get(name))
	return v == "1" || v == "true" || v == "yes"
}
