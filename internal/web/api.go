package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

func (s *Server) registerAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/openapi.json", true, s.openAPI)
	s.handle("GET /api/v1/me", true, j(jsonCall(s, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
		return apiMe(r, p, s.deps.Orgs)
	})))
	s.orgs().registerUnitAPI(s.deps.Orgs)
	s.orgs().registerGroupAPI(s.deps.Orgs)
	s.accounts().registerUserAPI(s.deps.Accounts)
	s.accounts().registerTokenAPI(s.deps.Accounts)
	s.accounts().registerAuditAPI(s.deps.Accounts)
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
