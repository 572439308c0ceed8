package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/search"
)

// Sizes of the indexed text of one document.
const (
	maxIndexedBody = 256 << 10 // folded body tokens
	maxExactText   = 64 << 10  // lower-cased original for exact ranking
)

// SearchRow is a document's row in document_search after document_id:
// code, subject, parties, body, recipients, exact, tags (SearchTags). Bulk
// loaders (the search benchmark) write it themselves; everything else goes
// through InsertDocument and UpdateDocumentFields, which index in their
// transaction.
func SearchRow(f docmodel.Fields, body, tags string) []any {
	if strings.TrimSpace(body) == "" {
		body = docmodel.Val(f.Body)
	}
	code := docmodel.Val(f.Number) + " " + docmodel.Val(f.Notation)
	subject := docmodel.Val(f.DocType) + " " + docmodel.Val(f.Subject)
	parties := []string{docmodel.Val(f.ParentIssuer), docmodel.Val(f.Issuer), docmodel.Val(f.SignerTitle), docmodel.Val(f.SignerName)}
	parties = append(parties, f.Recipients...)
	for _, d := range f.Distribution {
		parties = append(parties, d.Name)
	}
	p := strings.Join(parties, " \n ")
	return []any{search.IndexText(code, 0), search.IndexText(subject, 0), search.IndexText(p, 0),
		search.IndexText(body, maxIndexedBody), search.IndexText(strings.Join(f.Recipients, " \n "), 0),
		search.ExactText(strings.Join([]string{code, subject, p, body}, "\n"), maxExactText), tags}
}

// SearchTags are the index tokens of a document's scope and filter values
// (migration 00033): its unit (u), the unit and each of its ancestors on
// the materialised path (a), type (t), issuer (i), year (y) and direction
// (d).
func SearchTags(unitID int64, unitPath, direction, docType, issuer string, year int) string {
	tags := []string{"u" + strconv.FormatInt(unitID, 10)}
	for _, p := range strings.Split(unitPath, "/") {
		if p != "" {
			tags = append(tags, search.Tag("a", p))
		}
	}
	if docType != "" {
		tags = append(tags, search.Tag("t", docType))
	}
	if issuer != "" {
		tags = append(tags, search.Tag("i", issuer))
	}
	if year != 0 {
		tags = append(tags, "y"+strconv.Itoa(year))
	}
	if direction != "" {
		tags = append(tags, search.Tag("d", direction))
	}
	return strings.Join(tags, " ")
}

// storedTags computes a stored document's tags from its row and its unit.
func (q DocumentStore) storedTags(ctx context.Context, id int64) (string, error) {
	var unitID int64
	var path, dir, typ, issuer string
	var year int
	err := q.row(ctx, `SELECT d.unit_id, n.path, d.direction, d.doc_type, d.issuer, COALESCE(d.year, 0) FROM documents d JOIN units n ON n.id = d.unit_id WHERE d.id = ?`, id).
		Scan(&unitID, &path, &dir, &typ, &issuer, &year)
	if err != nil {
		return "", fmt.Errorf("scope of document %d for the search index: %w", id, err)
	}
	return SearchTags(unitID, path, dir, typ, issuer, year), nil
}

// RetagUnitDocuments recomputes the search tags of every document of the
// units under path (after MoveUnit rewrote their paths), in the caller's
// transaction.
func (q DocumentStore) RetagUnitDocuments(ctx context.Context, path string) error {
	rows, err := q.query(ctx, `SELECT d.id, d.unit_id, n.path, d.direction, d.doc_type, d.issuer, COALESCE(d.year, 0) FROM documents d JOIN units n ON n.id = d.unit_id
		WHERE n.path LIKE ?`, escapeLike(path)+"%")
	if err != nil {
		return fmt.Errorf("documents under %s: %w", path, err)
	}
	tags := map[int64]string{}
	for rows.Next() {
		var id, unitID int64
		var p, dir, typ, issuer string
		var year int
		if err := rows.Scan(&id, &unitID, &p, &dir, &typ, &issuer, &year); err != nil {
			rows.Close()
			return fmt.Errorf("scan document under %s: %w", path, err)
		}
		tags[id] = SearchTags(unitID, p, dir, typ, issuer, year)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("documents under %s: %w", path, err)
	}
	for id, t := range tags {
		if _, err := q.exec(ctx, `UPDATE document_search SET tags = ? WHERE document_id = ? AND tags <> ?`, t, id, t); err != nil {
			return fmt.Errorf("retag document %d: %w", id, err)
		}
	}
	return nil
}

// indexDocument writes (or rewrites) a document's search row; it runs in
// the transaction that writes the document.
func (q DocumentStore) indexDocument(ctx context.Context, id int64, f docmodel.Fields, body string) error {
	tags, err := q.storedTags(ctx, id)
	if err != nil {
		return err
	}
	args := append([]any{id}, SearchRow(f, body, tags)...)
	if _, err := q.exec(ctx, `INSERT INTO document_search (document_id, code, subject, parties, body, recipients, exact, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id) DO UPDATE SET code = excluded.code, subject = excluded.subject, parties = excluded.parties,
		body = excluded.body, recipients = excluded.recipients, exact = excluded.exact, tags = excluded.tags`, args...); err != nil {
		return fmt.Errorf("index document %d for search: %w", id, err)
	}
	return nil
}

// IndexMissingDocuments indexes the documents that have no search row yet
// (documents stored before the search index existed) or no tags yet
// (indexed before migration 00033), in batches of one
// transaction each. It returns how many it indexed.
func (s *Store) IndexMissingDocuments(ctx context.Context, log *slog.Logger) (int, error) {
	// Documents are indexed in the transaction that stores them, and the
	// loop below goes by ascending id: when the newest document has its
	// search row and tags, none is missing. This look-up by key spares a
	// start a scan of both tables (seconds at a million documents).
	var done bool
	if err := s.QueryRowRaw(ctx, `SELECT COALESCE((SELECT s.tags <> '' FROM document_search s WHERE s.document_id = (SELECT MAX(id) FROM documents)),
		(SELECT MAX(id) FROM documents) IS NULL)`).Scan(&done); err != nil {
		return 0, fmt.Errorf("documents missing from the search index: %w", err)
	}
	if done {
		return 0, nil
	}
	total := 0
	for {
		var ids []int64
		rows, err := s.query(ctx, `SELECT d.id FROM documents d LEFT JOIN document_search s ON s.document_id = d.id WHERE s.document_id IS NULL OR s.tags = '' ORDER BY d.id LIMIT 500`)
		if err != nil {
			return total, fmt.Errorf("documents missing from the search index: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, fmt.Errorf("scan document id: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(ids) == 0 {
			break
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			for _, id := range ids {
				d, err := tx.Documents().Document(ctx, id)
				if err != nil {
					return err
				}
				if err := tx.Documents().indexDocument(ctx, id, d.Fields, d.BodyText); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
	}
	if total > 0 && log != nil {
		log.Info("documents indexed for search", "count", total)
	}
	return total, nil
}

// searchSQL is a search turned into the FROM and WHERE parts of a query.
type searchSQL struct {
	from, where string
	args        []any
	rank        string // expression, larger is better
	rankArgs    []any
	bonus       string // expression: exact words and code found
	bonusArgs   []any
	// filters is where without the words (a word search only).
	filters    string
	filterArgs []any
}

func (q DocumentStore) buildSearch(f model.SearchFilter) searchSQL {
	var b searchSQL
	var where []string
	words := f.FTS5 != "" && f.TSQuery != ""
	// Join only what the filters and the ranking read: the search row
	// (exact words, code, recipients) and the unit (subtree scope).
	needS := len(f.Exact) > 0 || f.Number != "" || f.Notation != "" || f.Recipient != ""
	units := ""
	if !f.All && f.UnitID == 0 {
		units = ` JOIN units n ON n.id = d.unit_id`
	}
	switch {
	case words && q.engine == Postgres:
		b.from = `document_search s JOIN documents d ON d.id = s.document_id` + units
		where = append(where, `s.tsv @@ to_tsquery('simple', ?)`)
		b.args = append(b.args, f.TSQuery)
		b.rank, b.rankArgs = `ts_rank(s.tsv, to_tsquery('simple', ?))`, []any{f.TSQuery}
	case words:
		b.from = `document_fts JOIN documents d ON d.id = -document_fts.rowid` + units
		if needS {
			b.from += ` JOIN document_search s ON s.document_id = d.id`
		}
		where = append(where, `document_fts MATCH ?`)
		b.args = append(b.args, ftsWords+" : ("+f.FTS5+")")
		b.rank = `(-bm25(document_fts, 10.0, 4.0, 2.0, 1.0))`
	default:
		b.from = `documents d` + units
		if needS {
			b.from += ` LEFT JOIN document_search s ON s.document_id = d.id`
		}
		b.rank = `0`
	}
	switch {
	case f.All:
	case f.UnitID != 0:
		where = append(where, `d.unit_id = ?`)
		b.args = append(b.args, f.UnitID)
	case f.UnderPath != "":
		where = append(where, `n.path LIKE ?`)
		b.args = append(b.args, f.UnderPath+"%")
	default:
		where = append(where, `1 = 0`) // no scope: nothing is readable
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		b.args = append(b.args, v)
	}
	if f.DocType != "" {
		add(`d.doc_type = ?`, f.DocType)
	}
	if f.Issuer != "" {
		add(`d.issuer = ?`, f.Issuer)
	}
	if f.Direction != "" {
		add(`d.direction = ?`, f.Direction)
	}
	if f.Year != 0 {
		add(`d.year = ?`, f.Year)
	}
	if f.DateFrom != "" {
		add(`d.doc_date >= ?`, f.DateFrom)
	}
	if f.DateTo != "" {
		add(`d.doc_date <> '' AND d.doc_date <= ?`, f.DateTo)
	}
	if r := search.IndexText(f.Recipient, 300); r != "" {
		add(`s.recipients LIKE ?`, "%"+escapeLike(r)+"%")
	}
	if f.Register != "" {
		add(`EXISTS (SELECT 1 FROM register_entries r WHERE r.document_id = d.id AND r.series = ?)`, f.Register)
	}
	if f.State != "" {
		add(`EXISTS (SELECT 1 FROM deliveries v WHERE v.document_id = d.id AND v.status = ?)`, f.State)
	}
	if f.HasAudio {
		where = append(where, `EXISTS (SELECT 1 FROM directive_items i WHERE i.audio <> '[]' AND i.audio <> '' AND i.directive_id IN
			(SELECT x.id FROM directives x WHERE x.document_id = d.id UNION SELECT v.directive_id FROM deliveries v WHERE v.document_id = d.id))`)
	}
	if words {
		b.filters, b.filterArgs = strings.Join(append([]string{`1 = 1`}, where[1:]...), " AND "), b.args[1:]
	}
	if len(where) == 0 {
		where = append(where, `1 = 1`)
	}
	b.where = strings.Join(where, " AND ")
	var bonus []string
	for _, e := range f.Exact {
		if q.engine == Postgres {
			bonus = append(bonus, `(CASE WHEN strpos(s.exact, ?) > 0 THEN 1 ELSE 0 END)`)
		} else {
			bonus = append(bonus, `(CASE WHEN instr(s.exact, ?) > 0 THEN 1 ELSE 0 END)`)
		}
		b.bonusArgs = append(b.bonusArgs, e)
	}
	if code := search.IndexText(f.Number+" "+f.Notation, 300); code != "" {
		pattern := escapeLike(code) + "%"
		if f.Number == "" {
			pattern = "%" + pattern
		}
		bonus = append(bonus, `(CASE WHEN s.code = ? THEN 20 WHEN s.code LIKE ? THEN 10 ELSE 0 END)`)
		b.bonusArgs = append(b.bonusArgs, code, pattern)
	}
	b.bonus = "0"
	if len(bonus) > 0 {
		b.bonus = strings.Join(bonus, " + ")
	}
	return b
}

// SearchDocuments finds documents: a page in the requested order, the
// total and the facets, all within the reader's scope.
func (q DocumentStore) SearchDocuments(ctx context.Context, f model.SearchFilter) (*model.SearchPage, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	if f.Offset < 0 || f.Offset > 10000 {
		f.Offset = 0
	}
	b := q.buildSearch(f)
	if tags, ok := searchTags(f); ok && f.FTS5 != "" && f.TSQuery != "" && len(f.Terms) > 0 && f.Offset+f.Limit <= SearchCandidates &&
		(f.Sort == "" || f.Sort == "relevance" || f.Sort == "newest") {
		return q.searchCandidates(ctx, f, b, tags)
	}
	var order string
	switch f.Sort {
	case "date_desc":
		order = `d.doc_date DESC, d.id DESC`
	case "date_asc":
		order = `CASE WHEN d.doc_date = '' THEN 1 ELSE 0 END, d.doc_date ASC, d.id ASC`
	case "newest":
		order = `d.id DESC`
	default:
		order = `bonus DESC, score DESC, d.id DESC`
	}
	query := `SELECT d.id, ` + b.bonus + ` AS bonus, ` + b.rank + ` AS score FROM ` + b.from + ` WHERE ` + b.where +
		` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(f.Offset)
	args := append(append(append([]any{}, b.bonusArgs...), b.rankArgs...), b.args...)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	type hit struct {
		id          int64
		bonus, rank float64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.bonus, &h.rank); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan search hit: %w", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	page := &model.SearchPage{Hits: []model.SearchHit{}, Facets: map[string][]model.FacetCount{}}
	if len(hits) > 0 {
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.id
		}
		docs, err := q.documentsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if d := docs[h.id]; d != nil {
				page.Hits = append(page.Hits, model.SearchHit{Document: d, Rank: h.bonus + h.rank})
			}
		}
	}
	if f.SkipFacets {
		page.Total = -1
		return page, nil
	}
	if err := q.facets(ctx, b, page); err != nil {
		return nil, err
	}
	return page, nil
}

// facets counts everything found, by type, issuer, year and direction, in
// one grouped query; the total is their sum.
func (q DocumentStore) facets(ctx context.Context, b searchSQL, page *model.SearchPage) error {
	rows, err := q.query(ctx, `SELECT d.doc_type, d.issuer, COALESCE(d.year, 0), d.direction, COUNT(*) FROM `+b.from+` WHERE `+b.where+
		` GROUP BY d.doc_type, d.issuer, d.year, d.direction`, b.args...)
	if err != nil {
		return fmt.Errorf("count found documents: %w", err)
	}
	defer rows.Close()
	counts := map[string]map[string]int{"doc_type": {}, "issuer": {}, "year": {}, "direction": {}}
	for rows.Next() {
		var typ, issuer, dir string
		var year, n int
		if err := rows.Scan(&typ, &issuer, &year, &dir, &n); err != nil {
			return fmt.Errorf("scan facet: %w", err)
		}
		page.Total += n
		counts["doc_type"][typ] += n
		counts["issuer"][issuer] += n
		if year != 0 {
			counts["year"][strconv.Itoa(year)] += n
		}
		counts["direction"][dir] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count found documents: %w", err)
	}
	setFacets(page, counts)
	return nil
}

// documentsByID loads the found documents of a page.
func (q DocumentStore) documentsByID(ctx context.Context, ids []int64) (map[int64]*model.Document, error) {
	docs := map[int64]*model.Document{}
	if len(ids) == 0 {
		return docs, nil
	}
	in, list := q.inIDs(`id`, ids)
	rows, err := q.query(ctx, `SELECT `+documentColumns+` FROM documents WHERE `+in, list)
	if err != nil {
		return nil, fmt.Errorf("load found documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		docs[d.ID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load found documents: %w", err)
	}
	return docs, nil
}

// inIDs is the condition "col is one of ids" with its one argument: the
// same statement text for any list, so it is prepared once and cached
// (a list written into the text is parsed and planned every time: up to
// 9 ms of PostgreSQL planning for 500 ids).
func (q DocumentStore) inIDs(col string, ids []int64) (string, any) {
	if q.engine == Postgres {
		return col + ` = ANY(?)`, ids
	}
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return col + ` IN (SELECT value FROM json_each(?))`, string(append(b, ']'))
}

// setFacets keeps the 12 largest values of each facet, largest first.
func setFacets(page *model.SearchPage, counts map[string]map[string]int) {
	for name, m := range counts {
		var list []model.FacetCount
		for v, n := range m {
			if v != "" {
				list = append(list, model.FacetCount{Value: v, Count: n})
			}
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].Count != list[j].Count {
				return list[i].Count > list[j].Count
			}
			return list[i].Value < list[j].Value
		})
		if len(list) > 12 {
			list = list[:12]
		}
		page.Facets[name] = list
	}
}

// SearchCandidates is how many of the newest matching documents a word
// search ranks, counts and facets when its filters are all index tags
// (searchTags): the engine stops after them instead of scoring every
// match. More matches than that are reported as "more than
// SearchCandidates" (SearchPage.More), with facets counted over these.
const SearchCandidates = 500

// searchTags turns the scope and the filters into the tag groups of
// migration 00033 (each group: any of its tags). ok is false when a filter
// has no tag (recipient, register, state, audio, an open date range of
// more than 40 years): such searches go through the full query.
func searchTags(f model.SearchFilter) (groups [][]string, ok bool) {
	if f.Recipient != "" || f.Register != "" || f.State != "" || f.HasAudio {
		return nil, false
	}
	switch {
	case f.All:
	case f.UnitID != 0:
		groups = append(groups, []string{"u" + strconv.FormatInt(f.UnitID, 10)})
	case f.UnderPath != "":
		parts := strings.Split(strings.Trim(f.UnderPath, "/"), "/")
		last := parts[len(parts)-1]
		if _, err := strconv.ParseInt(last, 10, 64); err != nil {
			return nil, false
		}
		groups = append(groups, []string{"a" + last})
	default:
		return nil, false
	}
	if f.DocType != "" {
		groups = append(groups, []string{search.Tag("t", f.DocType)})
	}
	if f.Issuer != "" {
		groups = append(groups, []string{search.Tag("i", f.Issuer)})
	}
	if f.Direction != "" {
		groups = append(groups, []string{search.Tag("d", f.Direction)})
	}
	if f.Year != 0 {
		groups = append(groups, []string{"y" + strconv.Itoa(f.Year)})
	}
	if f.DateFrom != "" || f.DateTo != "" {
		from, to := 1900, time.Now().Year()+1
		if y := yearOf(f.DateFrom); y != nil {
			from = *y
		}
		if y := yearOf(f.DateTo); y != nil {
			to = *y
		}
		if to-from > 40 {
			return nil, false
		}
		var years []string
		for y := from; y <= to; y++ {
			years = append(years, "y"+strconv.Itoa(y))
		}
		if len(years) == 0 {
			years = []string{"y0"} // an empty range: nothing matches
		}
		groups = append(groups, years)
	}
	return groups, true
}

// searchCandidates is a word search whose filters are all tags. A first
// query takes the ids of the newest SearchCandidates+1 documents matching
// the words and the tags from the engine's index, which stops there
// (FTS5 reads its doclists newest first; PostgreSQL's GIN bitmap is
// sorted by id) and scores nothing: neither bm25 nor ts_rank, whose
// document statistics cost a read of every match of every term, tags
// included. A second query reads those candidates' rows, applies the
// scope and the filters again in SQL (tags only narrow), and returns the
// exact-word and code bonus, the folded code, subject and parties, and the
// facet values. Candidates are ranked in Go (candidateRank), and the page,
// the total and the facets are computed over them.
//
// PostgreSQL matches the words as tokens in the first query (a phrase's
// word order needs each match's stored tsvector, a read of the whole row)
// and checks phrases in the second, on the candidates only. SQLite leaves
// the words found in most documents out of the first query (splitCommon:
// FTS5 would read each one's whole position list) and checks them in the
// candidates' folded text. When these checks drop candidates the next
// newest ones are taken (keyset on the id), a few rounds at most, so the
// total is not cut short by them.
func (q DocumentStore) searchCandidates(ctx context.Context, f model.SearchFilter, b searchSQL, groups [][]string) (*model.SearchPage, error) {
	units := ""
	if !f.All && f.UnitID == 0 {
		units = ` JOIN units n ON n.id = d.unit_id`
	}
	limit := SearchCandidates + 1
	var match string
	var matchArgs []any
	// phrase is what candidateRows checks in SQL on each candidate beyond
	// the filters, with recheck its arguments (PostgreSQL's phrases: the
	// whole query on the stored vector); common are SQLite's common words
	// left out of the FTS5 query, checked in Go in the folded text.
	phrase := ""
	var recheck []any
	var common []string
	if q.engine == Postgres {
		var tq []string
		for _, g := range groups {
			alt := make([]string, len(g))
			for i, t := range g {
				alt[i] = "'#" + t + "'"
			}
			tq = append(tq, "("+strings.Join(alt, " | ")+")")
		}
		match = `tsv @@ to_tsquery('simple', ?)`
		matchArgs = []any{tokensTSQuery(f.Terms)}
		if len(tq) > 0 {
			match = `tsv @@ (to_tsquery('simple', ?) && CAST(? AS tsquery))`
			matchArgs = append(matchArgs, strings.Join(tq, " & "))
		}
		for _, t := range f.Terms {
			if len(t.Tokens) > 1 && phrase == "" {
				phrase = ` AND s.tsv @@ to_tsquery('simple', ?)`
				recheck = []any{f.TSQuery}
			}
		}
	} else {
		words, cw, err := q.splitCommon(ctx, f.Terms)
		if err != nil {
			return nil, err
		}
		common = cw
		m := ftsWords + " : (" + words + ")"
		for _, g := range groups {
			alt := make([]string, len(g))
			for i, t := range g {
				alt[i] = `"` + t + `"`
			}
			m += ` AND {tags} : (` + strings.Join(alt, " OR ") + `)`
		}
		match, matchArgs = `document_fts MATCH ?`, []any{m}
	}
	// FTS5 holds each document under -id (migration 00046): newest first
	// is its forward order, in which it reads each doclist page once.
	idQuery, order := `SELECT document_id FROM document_search WHERE `+match, ` ORDER BY document_id DESC LIMIT `
	if q.engine != Postgres {
		idQuery, order = `SELECT -rowid FROM document_fts WHERE `+match, ` ORDER BY rowid LIMIT `
	}
	// PostgreSQL reads the ids by recency window (migration 00045): w is
	// the block of ids the next round asks for.
	var w *recencyWindow
	if q.engine == Postgres {
		var top int64
		if err := q.row(ctx, `SELECT COALESCE(MAX(document_id), 0) FROM document_search`).Scan(&top); err != nil {
			return nil, fmt.Errorf("search documents: newest document: %w", err)
		}
		w = newRecencyWindow(top, limit)
	}
	var cands []candidate
	before, exhausted := int64(0), false
	n := limit // ids asked for in this round
	for round := 0; round < maxCandidateRounds; round++ {
		query, args := idQuery, append([]any{}, matchArgs...)
		upper := before // the ids below it are still to be read (0: all)
		if w != nil {
			if lex := w.query(); lex != "" {
				query = `SELECT document_id FROM document_search WHERE tsv @@ CAST(? AS tsquery) AND ` + match
				args = append([]any{lex}, args...)
			}
			if upper == 0 || upper > w.upper {
				upper = w.upper
			}
		}
		switch {
		case upper > 0 && q.engine == Postgres:
			query += ` AND document_id < ?`
			args = append(args, upper)
		case upper > 0:
			query += ` AND rowid > ?`
			args = append(args, -upper)
		}
		ids, err := q.ids(ctx, query+order+strconv.Itoa(n), args...)
		if err != nil {
			return nil, fmt.Errorf("search documents: %w", err)
		}
		got, err := q.candidateRows(ctx, b, ids, units, phrase, recheck, common)
		if err != nil {
			return nil, err
		}
		cands = append(cands, got...)
		full := len(ids) == n // the query may hold more ids
		if full {
			before = ids[len(ids)-1]
		} else {
			if w == nil || !w.next(len(ids)) {
				exhausted = true
				break
			}
			before = 0
		}
		if len(cands) >= limit || (w == nil && phrase == "" && len(common) == 0) {
			break
		}
		// The next round asks for what is missing at the share of ids
		// that passed the checks so far (a fifth more), not for a whole
		// round: every id asked for is a row read.
		if full {
			passed := max(len(got), 1)
			n = min(limit, (limit-len(cands))*len(ids)/passed*6/5+10)
		} else {
			n = limit
		}
	}
	page := &model.SearchPage{Hits: []model.SearchHit{}, Facets: map[string][]model.FacetCount{}}
	sort.Slice(cands, func(i, j int) bool { return cands[i].id > cands[j].id })
	// More: matches beyond the candidates were not looked at.
	page.More = !exhausted || len(cands) > SearchCandidates
	if len(cands) > SearchCandidates {
		cands = cands[:SearchCandidates]
	}
	if f.Sort != "newest" {
		for i := range cands {
			cands[i].rank = candidateRank(f.Terms, cands[i])
		}
		sort.SliceStable(cands, func(i, j int) bool {
			a, c := cands[i], cands[j]
			if a.bonus != c.bonus {
				return a.bonus > c.bonus
			}
			return a.rank > c.rank
		})
	}
	page.Total = len(cands)
	counts := map[string]map[string]int{"doc_type": {}, "issuer": {}, "year": {}, "direction": {}}
	for _, c := range cands {
		counts["doc_type"][c.typ]++
		counts["issuer"][c.issuer]++
		if c.year != 0 {
			counts["year"][strconv.Itoa(c.year)]++
		}
		counts["direction"][c.dir]++
	}
	setFacets(page, counts)
	var ids []int64
	ranks := map[int64]float64{}
	for i := f.Offset; i < f.Offset+f.Limit && i < len(cands); i++ {
		ids = append(ids, cands[i].id)
		ranks[cands[i].id] = cands[i].bonus + cands[i].rank
	}
	docs, err := q.documentsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if d := docs[id]; d != nil {
			page.Hits = append(page.Hits, model.SearchHit{Document: d, Rank: ranks[id]})
		}
	}
	return page, nil
}

// maxCandidateRounds bounds the id queries of one candidate search.
const maxCandidateRounds = 16

// recencyLevels are the block sizes (1 << k ids) of PostgreSQL's recency
// lexemes '#r<k>_<id >> k>' (migration 00045).
var recencyLevels = [...]int{10, 12, 14, 16, 18, 20, 22}

// recencyWindow walks PostgreSQL's document ids from the newest down, a
// window per round, each four times the size of the one before (the
// first: the newest block of 1,024): a search with many matches reads the
// newest thousand ids only, one with few matches reaches the oldest in a
// few rounds. A window is asked for as the aligned blocks that cover it
// exactly (lexemes), so GIN reads no match twice. Once the windows read
// say the remaining ids hold at most a couple of rounds' worth of
// matches, the rest is read at once, without lexemes.
type recencyWindow struct {
	top   int64 // newest id when the search started
	upper int64 // ids below upper are still to be read
	lower int64 // the next window is [lower, upper)
	size  int64 // the next window's size
	found int   // ids found in the windows read so far
	limit int
	rest  bool // the next round reads everything below upper
}

func newRecencyWindow(top int64, limit int) *recencyWindow {
	first := int64(1) << recencyLevels[0]
	return &recencyWindow{top: top, upper: top + 1, lower: top &^ (first - 1), size: first, limit: limit}
}

// query is the tsquery of the blocks of the next window ("" for the rest).
func (w *recencyWindow) query() string {
	if w.rest {
		return ""
	}
	var blocks []string
	for p := w.upper; p > w.lower; {
		// The largest block that ends at p (or, for the first window,
		// holds p-1) and starts at or above lower.
		k := recencyLevels[0]
		for _, l := range recencyLevels {
			if b := int64(1) << l; (p-1)&^(b-1) >= w.lower && (p%b == 0 || p == w.top+1) {
				k = l
			}
		}
		start := (p - 1) &^ (int64(1)<<k - 1)
		blocks = append(blocks, "'#r"+strconv.Itoa(k)+"_"+strconv.FormatInt((p-1)>>k, 10)+"'")
		p = start
	}
	return strings.Join(blocks, " | ")
}

// next moves below the window just read, in which found ids matched; it
// reports false when no ids are left.
func (w *recencyWindow) next(found int) bool {
	if w.rest || w.lower <= 0 {
		return false
	}
	w.upper = w.lower
	w.found += found
	if w.size < int64(1)<<recencyLevels[len(recencyLevels)-1] {
		w.size *= 4
	}
	w.lower = max((w.upper-w.size)&^(w.size-1), 0)
	// Matches are spread over time like the documents: at the rate seen
	// so far, what is left holds about expect matches.
	read := w.top + 1 - w.upper
	expect := int64(w.found+1) * w.upper / read
	w.rest = expect <= int64(2*w.limit)
	return true
}

// candidate is a document found by searchCandidates.
type candidate struct {
	id                    int64
	bonus, rank           float64
	code, subject, partys string
	typ, issuer, dir      string
	year                  int
}

// ids runs a query that returns document ids.
func (q DocumentStore) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// candidateRows reads the rows of the candidates ids that pass the scope,
// the filters, the check phrase (with its arguments recheck) and hold
// every token of common in their folded text.
func (q DocumentStore) candidateRows(ctx context.Context, b searchSQL, ids []int64, units, phrase string, recheck []any, common []string) ([]candidate, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, list := q.inIDs(`d.id`, ids)
	args := append(append(append(append([]any{}, b.bonusArgs...), list), b.filterArgs...), recheck...)
	// SQLite would read each candidate's document row by its id; its
	// scope and filter columns are in the covering index of migration
	// 00038, a few dozen pages for thousands of candidates.
	keys := ""
	if q.engine == SQLite {
		keys = ` INDEXED BY documents_search_keys`
	}
	body := `''`
	if len(common) > 0 {
		body = `s.body`
	}
	rows, err := q.query(ctx, `SELECT d.id, `+b.bonus+` AS bonus, s.code, s.subject, s.parties, d.doc_type, d.issuer, COALESCE(d.year, 0), d.direction, `+body+`
		FROM documents d`+keys+` JOIN document_search s ON s.document_id = d.id`+units+` WHERE `+in+` AND `+b.filters+phrase, args...)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var text string
		if err := rows.Scan(&c.id, &c.bonus, &c.code, &c.subject, &c.partys, &c.typ, &c.issuer, &c.year, &c.dir, &text); err != nil {
			return nil, fmt.Errorf("scan search candidate: %w", err)
		}
		ok := true
		for _, k := range common {
			if !hasToken(text, k) && !hasToken(c.subject, k) && !hasToken(c.partys, k) && !hasToken(c.code, k) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	return out, nil
}

// tokensTSQuery is the query's words as tokens joined by & (phrases
// without their word order, prefixes kept), for to_tsquery('simple', …).
func tokensTSQuery(terms []model.SearchTerm) string {
	var parts []string
	for _, t := range terms {
		for i, k := range t.Tokens {
			p := "'" + k + "'"
			if t.Prefix && i == len(t.Tokens)-1 {
				p += ":*"
			}
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " & ")
}

// Weights of where a query's word is found, as in the complete query's
// bm25 and ts_rank (the body counts once: every candidate has the words).
const (
	rankCode    = 10
	rankSubject = 4
	rankParties = 2
)

// candidateRank scores a candidate by where the query's words and phrases
// are: each term found in the code, the subject or the parties (folded
// text, up to three times each) adds that place's weight. These are the
// weights of the complete query's bm25 and ts_rank, without their
// document-frequency statistics (a read of every match of every term);
// equal ranks keep the newest first.
func candidateRank(terms []model.SearchTerm, c candidate) float64 {
	r := 1.0
	for _, t := range terms {
		r += rankCode*float64(occurrences(c.code, t)) + rankSubject*float64(occurrences(c.subject, t)) + rankParties*float64(occurrences(c.partys, t))
	}
	return r
}

// occurrences counts, up to three, where the term's tokens follow each
// other in a folded text (tokens joined by single spaces).
func occurrences(text string, t model.SearchTerm) int {
	if len(t.Tokens) == 0 || text == "" {
		return 0
	}
	toks := strings.Split(text, " ")
	n := 0
	for i := 0; i+len(t.Tokens) <= len(toks) && n < 3; i++ {
		ok := true
		for j, k := range t.Tokens {
			w := toks[i+j]
			if w != k && !(t.Prefix && j == len(t.Tokens)-1 && strings.HasPrefix(w, k)) {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// ftsWords are the FTS5 columns a query's words are looked for in (not
// the tags column, which only the scope and the filters query).
const ftsWords = `{code subject parties body}`

// Common words (migration 00037): a word found in at least commonShare of
// the documents is left out of the candidate search's FTS5 query (and
// checked in the candidates' folded text), once the archive has at least
// commonMinDocs documents.
const (
	commonShare   = 0.7
	commonMinDocs = 10000
)

// ftsTerm is a word or phrase of a query in FTS5 syntax.
func ftsTerm(t model.SearchTerm) string {
	p := `"` + strings.Join(t.Tokens, " ") + `"`
	if t.Prefix {
		p += "*"
	}
	return p
}

// splitCommon divides a query's terms into those the FTS5 query keeps
// (joined by AND) and the common single words (search_common_tokens) it
// leaves out, for the candidates' text to be checked for. It always keeps
// at least one word: the least common one when all are common. Phrases
// and prefixes are always kept (FTS5 checks them from its positions).
func (q DocumentStore) splitCommon(ctx context.Context, terms []model.SearchTerm) (words string, common []string, err error) {
	var single []string
	for _, t := range terms {
		if len(t.Tokens) == 1 && !t.Prefix {
			single = append(single, t.Tokens[0])
		}
	}
	docs := map[string]int64{}
	if len(single) > 0 {
		args := []any{""}
		marks := []string{"?"}
		for _, k := range single {
			args = append(args, k)
			marks = append(marks, "?")
		}
		rows, err := q.query(ctx, `SELECT token, docs FROM search_common_tokens WHERE token IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return "", nil, fmt.Errorf("search documents: common words: %w", err)
		}
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return "", nil, fmt.Errorf("search documents: common words: %w", err)
			}
			docs[k] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", nil, fmt.Errorf("search documents: common words: %w", err)
		}
	}
	total := docs[""]
	isCommon := func(t model.SearchTerm) bool {
		return total >= commonMinDocs && len(t.Tokens) == 1 && !t.Prefix && float64(docs[t.Tokens[0]]) >= commonShare*float64(total)
	}
	keep := -1 // the least common word, kept when all are common
	for i, t := range terms {
		if !isCommon(t) {
			keep = -1
			break
		}
		if keep < 0 || docs[t.Tokens[0]] < docs[terms[keep].Tokens[0]] {
			keep = i
		}
	}
	var parts []string
	seen := map[string]bool{}
	for i, t := range terms {
		if i != keep && isCommon(t) {
			if !seen[t.Tokens[0]] {
				seen[t.Tokens[0]] = true
				common = append(common, t.Tokens[0])
			}
			continue
		}
		parts = append(parts, ftsTerm(t))
	}
	return strings.Join(parts, " AND "), common, nil
}

// RefreshSearchStats counts again the documents that hold each common
// word (search_common_tokens, SQLite only) when the archive has at least
// doubled since they were counted and holds at least 10,000 documents. It
// reads the whole FTS5 index (seconds per 100,000 documents) and returns
// whether it counted.
func (s *Store) RefreshSearchStats(ctx context.Context, log *slog.Logger) (bool, error) {
	if s.engine != SQLite {
		return false, nil
	}
	var docs, counted int64
	if err := s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM documents`).Scan(&docs); err != nil {
		return false, fmt.Errorf("search statistics: count documents: %w", err)
	}
	if err := s.QueryRowRaw(ctx, `SELECT COALESCE(MAX(docs), 0) FROM search_common_tokens WHERE token = ''`).Scan(&counted); err != nil {
		return false, fmt.Errorf("search statistics: %w", err)
	}
	if docs < commonMinDocs || docs < 2*counted {
		return false, nil
	}
	t0 := time.Now()
	err := s.Tx(ctx, func(tx *Tx) error {
		for _, q := range []string{`DELETE FROM search_common_tokens`,
			`INSERT INTO search_common_tokens (token, docs) SELECT '', COUNT(*) FROM documents`,
			`INSERT INTO search_common_tokens (token, docs) SELECT term, doc FROM document_fts_vocab
				WHERE term <> '' AND doc * 10 >= (SELECT docs FROM search_common_tokens WHERE token = '')`} {
			if _, err := tx.ExecRaw(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("search statistics: count common words: %w", err)
	}
	if log != nil {
		log.Info("search: common words counted", "documents", docs, "took", time.Since(t0).Round(time.Millisecond))
	}
	return true, nil
}

// hasToken reports whether a folded text (tokens joined by single spaces)
// holds the token k.
func hasToken(text, k string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], k)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(k)
		if (j == 0 || text[j-1] == ' ') && (end == len(text) || text[end] == ' ') {
			return true
		}
		i = j + 1
	}
}
