package documents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestSearchScopeFollowsUnitMoves: the unit ancestors in the index tags
// are rewritten when a unit moves, so a word search of the new parent
// finds the moved unit's documents and the old parent's no longer does.
func TestSearchScopeFollowsUnitMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		d := e.add(t, "xa-a1", model.Incoming, fields("UBND xã A1", "Công văn", "7", "UBND", "2022-03-01", "Về việc phòng chống lụt bão"), "Chuẩn bị ứng phó lụt bão.")
		count := func(unit string) int {
			t.Helper()
			u, err := s.Orgs().Unit(ctx, e.units[unit].ID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.svc.Search(ctx, actorOf(u, model.RoleAdmin), documentsReq("lut bao"))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range r.Hits {
				if h.Document.ID != d.ID {
					t.Errorf("%s finds document %d", unit, h.Document.ID)
				}
			}
			return r.Total
		}
		if a, b := count("so-a"), count("so-b"); a != 1 || b != 0 {
			t.Fatalf("before the move: Sở A finds %d, Sở B %d; want 1 and 0", a, b)
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().MoveUnit(ctx, e.units["xa-a1"].ID, &e.units["so-b"].ID) }); err != nil {
			t.Fatal(err)
		}
		if a, b := count("so-a"), count("so-b"); a != 0 || b != 1 {
			t.Fatalf("after moving Xã A1 under Sở B: Sở A finds %d, Sở B %d; want 0 and 1", a, b)
		}
	})
}

// TestSearchCandidatesCap: a word search with more matches than
// storage.SearchCandidates reports More, counts and facets over the
// newest SearchCandidates matches and still applies the filters; with a
// filter that is not an index tag (recipient) it counts every match.
func TestSearchCandidatesCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		n := storage.SearchCandidates + 150
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			for i := 0; i < n; i++ {
				typ := "Công văn"
				if i%3 == 0 {
					typ = "Kế hoạch"
				}
				d := &model.Document{UnitID: e.units["so-a"].ID, Direction: model.Incoming,
					Fields:   fields("Sở A", typ, fmt.Sprint(i+1), "SA", fmt.Sprintf("20%02d-01-02", 15+i%10), "Tuyên truyền phòng chống cháy rừng", "Xã A1"),
					BodyText: "Nội dung tuyên truyền phòng chống cháy rừng mùa khô."}
				if err := tx.Documents().InsertDocument(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := actorOf(e.units["tinh"], model.RoleAdmin)
		r, err := e.svc.Search(ctx, admin, documentsReq("chay rung"))
		if err != nil {
			t.Fatal(err)
		}
		if !r.More || r.Total != storage.SearchCandidates || len(r.Hits) != 20 {
			t.Fatalf("%d matches: more %v, total %d, %d hits; want more, %d, 20", n, r.More, r.Total, len(r.Hits), storage.SearchCandidates)
		}
		sum := 0
		for _, f := range r.Facets["doc_type"] {
			sum += f.Count
		}
		if sum != r.Total {
			t.Errorf("type facet counts %d, total %d", sum, r.Total)
		}
		req := documentsReq("chay rung")
		req.DocType = "Kế hoạch"
		r, err = e.svc.Search(ctx, admin, req)
		if err != nil {
			t.Fatal(err)
		}
		want := (n + 2) / 3
		if r.More || r.Total != want {
			t.Fatalf("type filter: more %v, total %d; want %d", r.More, r.Total, want)
		}
		for _, h := range r.Hits {
			if h.Document.Fields.DocType == nil || *h.Document.Fields.DocType != "Kế hoạch" {
				t.Fatalf("type filter returns a %v", h.Document.Fields.DocType)
			}
		}
		req = documentsReq("chay rung")
		req.Year = 2016
		if r, err = e.svc.Search(ctx, admin, req); err != nil || r.Total != n/10 {
			t.Fatalf("year filter: total %d (%v); want %d", r.Total, err, n/10)
		}
		req = documentsReq("chay rung")
		req.Recipient = "xa a1"
		if r, err = e.svc.Search(ctx, admin, req); err != nil || r.More || r.Total != n {
			t.Fatalf("recipient filter (full query): total %d, more %v (%v); want %d", r.Total, r.More, err, n)
		}
		clerk := actorOf(e.units["so-b"], model.RoleClerk)
		if r, err = e.svc.Search(ctx, clerk, documentsReq("chay rung")); err != nil || r.Total != 0 || len(r.Facets["issuer"]) != 0 {
			t.Fatalf("another unit's clerk: total %d, facets %v (%v); want nothing", r.Total, r.Facets, err)
		}
	})
}

func documentsReq(q string) documents.SearchRequest { return documents.SearchRequest{Q: q} }

// TestSearchCommonWords: words counted as common (search_common_tokens,
// migration 00037) are left out of SQLite's FTS5 query and checked in the
// candidates' text, so the results are those of the whole query: a
// document without the common word is not found, the next newest
// candidates are taken when the check drops some (rounds), and a query of
// common words only still finds its documents. PostgreSQL ignores the
// counts; the results are the same.
func TestSearchCommonWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		// The 300 newest documents lack the word "xã".
		n, without := storage.SearchCandidates+100, 300
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			for i := 0; i < n; i++ {
				body := "Tuyên truyền phòng chống cháy rừng mùa khô tại xã Mỹ Hòa."
				if i >= n-without {
					body = "Tuyên truyền phòng chống cháy rừng mùa khô."
				}
				d := &model.Document{UnitID: e.units["so-a"].ID, Direction: model.Incoming,
					Fields:   fields("Sở A", "Công văn", fmt.Sprint(i+1), "SA", "2022-01-02", "Phòng chống cháy rừng"),
					BodyText: body}
				if err := tx.Documents().InsertDocument(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := actorOf(e.units["tinh"], model.RoleAdmin)
		type result struct {
			total int
			more  bool
			first int64
		}
		search := func(q string) result {
			t.Helper()
			r, err := e.svc.Search(ctx, admin, documentsReq(q))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range r.Hits {
				if q == "cháy rừng xã" && !strings.Contains(h.Document.BodyText, "xã") {
					t.Errorf("%q finds document %d without the word", q, h.Document.ID)
				}
			}
			res := result{total: r.Total, more: r.More}
			if len(r.Hits) > 0 {
				res.first = r.Hits[0].Document.ID
			}
			return res
		}
		queries := map[string]result{
			"cháy rừng xã": {total: n - without},
			"xã":           {total: n - without},
			"tuyên truyền": {total: storage.SearchCandidates, more: true},
			"xa my hoa":    {total: n - without},
		}
		before := map[string]result{}
		for q, want := range queries {
			got := search(q)
			if got.total != want.total || got.more != want.more {
				t.Errorf("without counts, %q: total %d, more %v; want %d, %v", q, got.total, got.more, want.total, want.more)
			}
			before[q] = got
		}
		// As in an archive of 10,000 documents where "xã", "tuyên" and
		// "truyền" are in most of them.
		err = s.Tx(ctx, func(tx *storage.Tx) error {
			for _, row := range []struct {
				token string
				docs  int
			}{{"", 10000}, {"xa", 9000}, {"tuyen", 9500}, {"truyen", 9600}, {"hoa", 6000}} {
				if _, err := tx.ExecRaw(ctx, `INSERT INTO search_common_tokens (token, docs) VALUES (?, ?) ON CONFLICT (token) DO UPDATE SET docs = excluded.docs`, row.token, row.docs); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for q := range queries {
			if got := search(q); got != before[q] {
				t.Errorf("with counts, %q: %+v; without: %+v", q, got, before[q])
			}
		}
	})
}

// TestSearchAcrossRecencyBlocks: with thousands of documents the
// candidate search reads PostgreSQL's ids block by block (migration
// 00045; SQLite reads them newest first from FTS5): a rare word is found
// in the oldest, a middle and the newest document, a word in one document
// of seven is counted over the newest SearchCandidates with More, and
// narrowed by a filter it is counted exactly.
func TestSearchAcrossRecencyBlocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		const n = 4500
		rare := map[int]bool{0: true, 2222: true, n - 1: true}
		var first, last int64
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			for i := 0; i < n; i++ {
				body := "Tuyên truyền phòng chống thiên tai."
				if i%7 == 0 {
					body += " Gia cố đê bao."
				}
				if rare[i] {
					body += " Di dời khẩn cấp hộ dân vùng sạt lở."
				}
				d := &model.Document{UnitID: e.units["so-a"].ID, Direction: model.Incoming,
					Fields:   fields("Sở A", "Công văn", fmt.Sprint(i+1), "SA", fmt.Sprintf("20%02d-03-04", 15+i%10), "Phòng chống thiên tai"),
					BodyText: body}
				if err := tx.Documents().InsertDocument(ctx, d); err != nil {
					return err
				}
				if i == 0 {
					first = d.ID
				}
				last = d.ID
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := actorOf(e.units["tinh"], model.RoleAdmin)
		r, err := e.svc.Search(ctx, admin, documentsReq("sat lo khan cap"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, h := range r.Hits {
			got[h.Document.ID] = true
		}
		if r.Total != 3 || r.More || !got[first] || !got[last] || !got[first+2222] {
			t.Fatalf("rare words: total %d, more %v, hits %v; want 3 (%d, %d, %d)", r.Total, r.More, ids(r), first, first+2222, last)
		}
		req := documentsReq("de bao")
		req.Sort = "newest"
		r, err = e.svc.Search(ctx, admin, req)
		if err != nil {
			t.Fatal(err)
		}
		newest := first + int64((n-1)/7*7)
		if !r.More || r.Total != storage.SearchCandidates || len(r.Hits) == 0 || r.Hits[0].Document.ID != newest {
			t.Fatalf("one in seven: more %v, total %d, first hit %v; want more, %d, %d", r.More, r.Total, ids(r), storage.SearchCandidates, newest)
		}
		req = documentsReq("de bao")
		req.Year = 2017
		want := 0
		for i := 0; i < n; i += 7 {
			if i%10 == 2 {
				want++
			}
		}
		if r, err = e.svc.Search(ctx, admin, req); err != nil || r.More || r.Total != want {
			t.Fatalf("one in seven in 2017: total %d, more %v (%v); want %d", r.Total, r.More, err, want)
		}
	})
}
