package model

// SearchFilter selects documents for a full-text search. The reader's
// scope (UnitID, UnderPath or All) is applied inside the query, so counts
// and facets never include documents the reader may not open.
type SearchFilter struct {
	// Scope: exactly one applies. All for readers who may read every
	// unit's documents; otherwise UnitID (own unit) or UnderPath (a
	// subtree, materialised path prefix).
	All       bool
	UnitID    int64
	UnderPath string

	// FTS5 and TSQuery are the parsed query in each engine's syntax
	// (search.Query); both empty for a filter-only search.
	FTS5, TSQuery string
	// Terms are the same query as folded tokens, one entry per word or
	// phrase (the candidate search matches and ranks by them).
	Terms []SearchTerm
	// Exact are words with diacritics as typed (ranked first).
	Exact []string
	// Number and Notation rank the document with this code first.
	Number, Notation string

	DocType    string // exact type
	Issuer     string // exact issuer
	Recipient  string // folded tokens that must appear in the recipients
	Direction  string
	DateFrom   string // YYYY-MM-DD, inclusive
	DateTo     string // YYYY-MM-DD, inclusive
	Register   string // "incoming" or "outgoing": has a line in that register
	State      string // a delivery status of the document (delivered, read, …)
	HasAudio   bool   // issued or received with a content item that has audio
	Year       int
	Sort       string // relevance (default), date_desc, date_asc, newest
	Offset     int
	Limit      int
	SkipFacets bool
}

// SearchTerm is a word or a phrase of a query: folded tokens that follow
// each other; Prefix: the last one may be the beginning of a word.
type SearchTerm struct {
	Tokens []string
	Prefix bool
}

// SearchHit is one found document.
type SearchHit struct {
	Document *Document
	Rank     float64 // larger is better; 0 for a filter-only search
}

// FacetCount is one value of a facet and how many found documents have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SearchPage is a page of hits, the total and the facets of everything
// found (not just the page).
type SearchPage struct {
	Hits  []SearchHit
	Total int
	// More: more documents match than the search counted (Total is then
	// storage.SearchCandidates, the newest matches, which the ranking and
	// the facets were computed over).
	More   bool
	Facets map[string][]FacetCount // doc_type, issuer, year, direction
}
