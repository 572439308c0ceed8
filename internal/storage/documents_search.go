package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"

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
// code, subject, parties, body, recipients, exact. Bulk loaders (the
// search benchmark) write it themselves; everything else goes through
// InsertDocument and UpdateDocumentFields, which index in their
// transaction.
func SearchRow(f docmodel.Fields, body string) []any {
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
		search.ExactText(strings.Join([]string{code, subject, p, body}, "\n"), maxExactText)}
}

// indexDocument writes (or rewrites) a document's search row; it runs in
// the transaction that writes the document.
func (q DocumentStore) indexDocument(ctx context.Context, id int64, f docmodel.Fields, body string) error {
	args := append([]any{id}, SearchRow(f, body)...)
	if _, err := q.exec(ctx, `INSERT INTO document_search (document_id, code, subject, parties, body, recipients, exact) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id) DO UPDATE SET code = excluded.code, subject = excluded.subject, parties = excluded.parties,
		body = excluded.body, recipients = excluded.recipients, exact = excluded.exact`, args...); err != nil {
		return fmt.Errorf("index document %d for search: %w", id, err)
	}
	return nil
}

// IndexMissingDocuments indexes the documents that have no search row yet
// (documents stored before the search index existed), in batches of one
// transaction each. It returns how many it indexed.
func (s *Store) IndexMissingDocuments(ctx context.Context, log *slog.Logger) (int, error) {
	total := 0
	for {
		var ids []int64
		rows, err := s.query(ctx, `SELECT d.id FROM documents d LEFT JOIN document_search s ON s.document_id = d.id WHERE s.document_id IS NULL ORDER BY d.id LIMIT 500`)
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
		b.from = `document_fts JOIN documents d ON d.id = document_fts.rowid` + units
		if needS {
			b.from += ` JOIN document_search s ON s.document_id = d.id`
		}
		where = append(where, `document_fts MATCH ?`)
		b.args = append(b.args, f.FTS5)
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
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = strconv.FormatInt(h.id, 10)
		}
		docs := map[int64]*model.Document{}
		rows, err := q.query(ctx, `SELECT `+documentColumns+` FROM documents WHERE id IN (`+strings.Join(ids, ",")+`)`)
		if err != nil {
			return nil, fmt.Errorf("load found documents: %w", err)
		}
		for rows.Next() {
			d, err := scanDocument(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan document: %w", err)
			}
			docs[d.ID] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
	return nil
}
