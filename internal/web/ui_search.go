package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

type searchFacetLink struct {
	Label  string
	Count  string
	URL    string
	Active bool
}

type searchFacet struct {
	Title string
	Links []searchFacetLink
}

type searchData struct {
	Req        documents.SearchRequest
	Res        *documents.SearchResult
	Total      string
	Facets     []searchFacet
	Sorts      []string
	Directions []string
	Registers  []string
	States     []string
	Prev, Next string
	Filtered   bool
	Err        string
}

// groupDigits writes n with the thousands separator of the language
// (1.234 in Vietnamese, 1,234 in English).
func groupDigits(n int, lang string) string {
	s := strconv.Itoa(n)
	sep := "."
	if lang == i18n.EN {
		sep = ","
	}
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return neg + s
}

// uiSearch is the search page: one box, filters, facets with counts,
// highlighted subjects and snippets. A query never makes it an error page:
// what the query cannot use is said on the page; a bad filter (a date that
// is not a date) is shown on the page with the field named.
func (s documentHandlers) uiSearch(w http.ResponseWriter, r *http.Request, p *principal) {
	q := r.URL.Query()
	pd := s.newPage(r, p, "search.title", "search")
	d := searchData{Sorts: documents.SearchSorts, Directions: []string{model.Incoming, model.Outgoing, model.Reference},
		Registers: []string{model.Incoming, model.Outgoing}, States: documents.DeliveryStates}
	req, err := searchRequest(q)
	d.Req = req
	var res *documents.SearchResult
	if err == nil {
		res, err = s.deps.Documents.Search(r.Context(), p.Actor, req)
	}
	code := http.StatusOK
	if err != nil {
		c, _ := errorStatus(err)
		if c >= 500 {
			s.renderError(w, r, p, err)
			return
		}
		code = c
		if msg, ok := s.msgs.Message(pd.Lang, err); ok {
			d.Err = msg
		} else {
			d.Err = err.Error()
		}
		res = &documents.SearchResult{Query: req.Q, Page: 1, PerPage: 20}
	}
	d.Res = res
	d.Total = groupDigits(res.Total, pd.Lang)
	d.Filtered = req.DocType != "" || req.Issuer != "" || req.Recipient != "" || req.Direction != "" || req.DateFrom != "" || req.DateTo != "" ||
		req.Register != "" || req.State != "" || req.HasAudio || req.Year != 0
	with := func(key, value string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" {
				v[k] = vs
			}
		}
		if value == "" {
			v.Del(key)
		} else {
			v.Set(key, value)
		}
		return "/search?" + v.Encode()
	}
	for _, f := range []struct{ name, param, title string }{
		{"doc_type", "type", "doc.type"}, {"issuer", "issuer", "doc.issuer"}, {"year", "year", "reg.year"}, {"direction", "direction", "docs.direction"},
	} {
		sf := searchFacet{Title: pd.T(f.title)}
		for _, c := range res.Facets[f.name] {
			label := c.Value
			if f.name == "direction" {
				label = pd.T("docs.dir." + c.Value)
			}
			active := q.Get(f.param) == c.Value
			link := with(f.param, c.Value)
			if active {
				link = with(f.param, "")
			}
			sf.Links = append(sf.Links, searchFacetLink{Label: label, Count: groupDigits(c.Count, pd.Lang), URL: link, Active: active})
		}
		if len(sf.Links) > 0 {
			d.Facets = append(d.Facets, sf)
		}
	}
	if res.Page > 1 {
		d.Prev = with("page", strconv.Itoa(res.Page-1))
	}
	if res.Page*res.PerPage < res.Total && res.Page*res.PerPage < 10000 {
		d.Next = with("page", strconv.Itoa(res.Page+1))
	}
	pd.Data = d
	s.render(w, r, "search", pd, code)
}
