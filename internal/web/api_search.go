package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
)

// DocumentSearch is what the search page and GET /api/v1/search need.
type DocumentSearch interface {
	Search(ctx context.Context, a model.Actor, r documents.SearchRequest) (*documents.SearchResult, error)
}

func (s documentHandlers) registerSearch() {
	s.handle("GET /api/v1/search", true, s.api(MaxJSONBody, s.apiSearch))
	s.handle("GET /search", false, s.page(MaxJSONBody, s.uiSearch))
}

// searchRequest reads the search parameters shared by the page and the API.
func searchRequest(q url.Values) (documents.SearchRequest, error) {
	r := documents.SearchRequest{Q: q.Get("q"), DocType: q.Get("type"), Issuer: q.Get("issuer"), Recipient: q.Get("recipient"),
		Direction: q.Get("direction"), DateFrom: q.Get("from"), DateTo: q.Get("to"), Register: q.Get("register"), State: q.Get("state"),
		Sort: q.Get("sort")}
	switch q.Get("audio") {
	case "", "0", "false":
	case "1", "true":
		r.HasAudio = true
	default:
		return r, model.Invalid("audio", "%q: use true or false", q.Get("audio"))
	}
	for name, dst := range map[string]*int{"year": &r.Year, "page": &r.Page, "per_page": &r.PerPage} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100000 {
				return r, model.Invalid(name, "%q is not a number", v)
			}
			*dst = n
		}
	}
	return r, nil
}

func (s documentHandlers) apiSearch(w http.ResponseWriter, r *http.Request, p *principal) {
	req, err := searchRequest(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Documents.Search(r.Context(), p.Actor, req)
	s.respond(w, r, http.StatusOK, res, err)
}
