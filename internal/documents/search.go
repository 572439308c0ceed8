package documents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/search"
)

// SearchRequest is a search as typed on the search page or sent to
// GET /api/v1/search.
type SearchRequest struct {
	Q         string
	DocType   string
	Issuer    string
	Recipient string
	Direction string
	DateFrom  string // YYYY-MM-DD
	DateTo    string // YYYY-MM-DD
	Register  string // incoming, outgoing
	State     string // a delivery status
	HasAudio  bool
	Year      int
	Sort      string // relevance, date_desc, date_asc, newest
	Page      int    // from 1
	PerPage   int
}

// SearchHit is a found document with its highlighted subject and a
// snippet of its text, both taken from the original (not the folded) text.
type SearchHit struct {
	Document *model.Document   `json:"document"`
	Code     string            `json:"code"`
	Subject  []search.Fragment `json:"subject"`
	Snippet  []search.Fragment `json:"snippet"`
	Rank     float64           `json:"rank"`
}

// SearchResult is one page of a search.
type SearchResult struct {
	Query string `json:"query"`
	// Truncated: the query was longer than search.MaxQueryBytes or had
	// more than search.MaxTerms words; the rest was ignored.
	Truncated bool `json:"truncated"`
	// NoWords: the query had text but no letter or digit to look for
	// (only punctuation such as `"*()`); the filters alone apply.
	NoWords bool `json:"no_words"`
	Total   int  `json:"total"`
	// More: more documents match than were counted; Total is then the
	// number of the newest matches that were ranked and counted in the
	// facets (storage.SearchCandidates). Narrow the search to see all.
	More    bool                          `json:"more"`
	Page    int                           `json:"page"`
	PerPage int                           `json:"per_page"`
	Hits    []SearchHit                   `json:"hits"`
	Facets  map[string][]model.FacetCount `json:"facets"`
}

// DeliveryStates are the delivery states a search may filter on.
var DeliveryStates = []string{"pending", "delivered", "read", "acknowledged", "assigned", "forwarded", "reported", "closed", "declined", "failed"}

// SearchSorts are the orders a search may ask for.
var SearchSorts = []string{"relevance", "date_desc", "date_asc", "newest"}

// ReadScope expresses MayRead for a whole query: which documents the actor
// may read, as the SQL filter of the store. The search test checks it
// against MayRead document by document.
func ReadScope(p authz.Policy, a model.Actor) (all bool, unitID int64, underPath string, err error) {
	switch p.ReachOf(a, authz.DocRead) {
	case authz.Any:
		return true, 0, "", nil
	case authz.Subtree:
		if a.UnitPath == "" {
			return false, a.UnitID, "", nil
		}
		return false, 0, a.UnitPath, nil
	case authz.Own:
		return false, a.UnitID, "", nil
	}
	return false, 0, "", fmt.Errorf("reading documents: %w", model.ErrForbidden)
}

func checkDate(field, v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return model.Invalid(field, "%q is not a date: use YYYY-MM-DD", v)
	}
	return nil
}

// Search finds the documents the actor may read. The query never fails
// for what it contains: it is folded (diacritics, đ), cut to the limits
// and turned into letters-and-digits tokens; bad filters (a date that is
// not a date, an unknown register) are 400 with the field named.
func (s *Service) Search(ctx context.Context, a model.Actor, r SearchRequest) (*SearchResult, error) {
	all, unitID, under, err := ReadScope(s.policy, a)
	if err != nil {
		return nil, err
	}
	if err := checkDate("date_from", r.DateFrom); err != nil {
		return nil, err
	}
	if err := checkDate("date_to", r.DateTo); err != nil {
		return nil, err
	}
	if r.Register != "" && r.Register != model.Incoming && r.Register != model.Outgoing {
		return nil, model.Invalid("register", "%q: use incoming or outgoing", r.Register)
	}
	if r.Direction != "" && r.Direction != model.Incoming && r.Direction != model.Outgoing && r.Direction != model.Reference {
		return nil, model.Invalid("direction", "%q: use incoming, outgoing or reference", r.Direction)
	}
	if r.State != "" && !slices.Contains(DeliveryStates, r.State) {
		return nil, model.Invalid("state", "%q: use one of %s", r.State, strings.Join(DeliveryStates, ", "))
	}
	if r.Sort != "" && !slices.Contains(SearchSorts, r.Sort) {
		return nil, model.Invalid("sort", "%q: use one of %s", r.Sort, strings.Join(SearchSorts, ", "))
	}
	for name, v := range map[string]string{"type": r.DocType, "issuer": r.Issuer, "recipient": r.Recipient} {
		if len(v) > 300 || !utf8.ValidString(v) {
			return nil, model.Invalid(name, "at most 300 bytes of UTF-8 text")
		}
	}
	if r.Page < 1 {
		r.Page = 1
	}
	if r.PerPage <= 0 || r.PerPage > 100 {
		r.PerPage = 20
	}
	if (r.Page-1)*r.PerPage > 10000 {
		return nil, model.Invalid("page", "at most the first 10,000 results can be paged through: narrow the search with filters")
	}
	q := search.Parse(r.Q)
	terms := make([]model.SearchTerm, len(q.Terms))
	for i, t := range q.Terms {
		terms[i] = model.SearchTerm{Tokens: t.Tokens, Prefix: t.Prefix}
	}
	f := model.SearchFilter{All: all, UnitID: unitID, UnderPath: under, FTS5: q.FTS5(), TSQuery: q.TSQuery(), Terms: terms, Exact: q.Exact,
		Number: q.Number, Notation: q.Notation, DocType: r.DocType, Issuer: r.Issuer, Recipient: r.Recipient, Direction: r.Direction,
		DateFrom: r.DateFrom, DateTo: r.DateTo, Register: r.Register, State: r.State, HasAudio: r.HasAudio, Year: r.Year,
		Sort: r.Sort, Offset: (r.Page - 1) * r.PerPage, Limit: r.PerPage}
	page, err := s.store.Documents().SearchDocuments(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &SearchResult{Query: r.Q, Truncated: q.Truncated, NoWords: q.Empty() && strings.TrimSpace(r.Q) != "", Total: page.Total, More: page.More,
		Page: r.Page, PerPage: r.PerPage, Hits: make([]SearchHit, 0, len(page.Hits)), Facets: page.Facets}
	if utf8.RuneCountInString(out.Query) > 200 {
		out.Query = string([]rune(out.Query)[:200]) + "…"
	}
	for _, h := range page.Hits {
		d := h.Document
		hit := SearchHit{Document: d, Code: d.Code(), Rank: h.Rank, Subject: search.Highlight(docmodel.Val(d.Fields.Subject), q, 0)}
		body := d.BodyText
		if strings.TrimSpace(body) == "" {
			body = docmodel.Val(d.Fields.Body)
		}
		hit.Snippet = search.Highlight(body, q, 240)
		if hit.Snippet == nil {
			hit.Snippet = []search.Fragment{}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}
