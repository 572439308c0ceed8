package documents_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/search"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

type searchEnv struct {
	store *storage.Store
	svc   *documents.Service
	units map[string]*model.Unit
	docs  map[int64]*model.Document
}

// newSearchEnv makes a province with two departments (one with a commune
// below it) and stores documents in each.
func newSearchEnv(t *testing.T, s *storage.Store) *searchEnv {
	t.Helper()
	ctx := context.Background()
	bl, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &searchEnv{store: s, svc: documents.New(s, bl, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil))),
		units: map[string]*model.Unit{}, docs: map[int64]*model.Document{}}
	mk := func(code, name string, parent *model.Unit) {
		u := &model.Unit{Code: code, Name: name, Kind: "other"}
		if parent != nil {
			u.ParentID = &parent.ID
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		got, err := s.Orgs().Unit(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.units[code] = got
	}
	mk("tinh", "UBND tỉnh thử", nil)
	mk("so-a", "Sở A", e.units["tinh"])
	mk("xa-a1", "Xã A1", e.units["so-a"])
	mk("so-b", "Sở B", e.units["tinh"])
	return e
}

func (e *searchEnv) add(t *testing.T, unit, direction string, f docmodel.Fields, body string) *model.Document {
	t.Helper()
	ctx := context.Background()
	d := &model.Document{UnitID: e.units[unit].ID, Direction: direction, Fields: f, BodyText: body}
	if err := e.store.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().InsertDocument(ctx, d) }); err != nil {
		t.Fatal(err)
	}
	e.docs[d.ID] = d
	return d
}

func actorOf(u *model.Unit, roles ...model.Role) model.Actor {
	return model.Actor{Username: "u" + u.Code, UnitID: u.ID, UnitPath: u.Path, Roles: roles}
}

func fields(issuer, typ, number, notation, date, subject string, recipients ...string) docmodel.Fields {
	return docmodel.Fields{Issuer: docmodel.Str(issuer), DocType: docmodel.Str(typ), Number: docmodel.Str(number), Notation: docmodel.Str(notation),
		Date: docmodel.Str(date), Subject: docmodel.Str(subject), Recipients: recipients}
}

func ids(r *documents.SearchResult) []int64 {
	var out []int64
	for _, h := range r.Hits {
		out = append(out, h.Document.ID)
	}
	return out
}

func joined(fr []search.Fragment) string {
	var b strings.Builder
	for _, f := range fr {
		if f.Mark {
			b.WriteString("[" + f.Text + "]")
		} else {
			b.WriteString(f.Text)
		}
	}
	return b.String()
}

func TestSearchFoldsRanksAndFindsCodes(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("testdata", "cv-570-STTTT-TTBCBC-2021.txt"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		admin := actorOf(e.units["tinh"], model.RoleAdmin)
		res, err := e.svc.Import(ctx, admin, documents.ImportInput{UnitID: e.units["so-a"].ID, Filename: "570.txt", Data: strings.NewReader(string(seed))})
		if err != nil {
			t.Fatal(err)
		}
		letter := res.Document
		citing := e.add(t, "so-a", model.Incoming, fields("UBND huyện Vĩnh Thuận", "Công văn", "88", "UBND-VP", "2021-06-07", "Triển khai Công văn 570/STTTT-TTBCBC"),
			"Thực hiện Công văn số 570/STTTT-TTBCBC của Sở Thông tin và Truyền thông về phòng chống dịch.")
		plain := e.add(t, "so-a", model.Incoming, fields("Ông Lê Văn Phong", "Đơn", "1", "DON", "2021-05-01", "Đơn của ông Phong về đất đai tại Đồng Tháp"), "Tôi tên là Lê Văn Phong, cư trú tại Đồng Tháp.")
		other := e.add(t, "so-a", model.Outgoing, fields("Sở A", "Thông báo", "12", "TB-SA", "2021-08-01", "Lịch họp tháng 8"), "Nội dung không liên quan.")

		find := func(q string) *documents.SearchResult {
			t.Helper()
			r, err := e.svc.Search(ctx, admin, documents.SearchRequest{Q: q})
			if err != nil {
				t.Fatalf("search %.40q: %v", q, err)
			}
			return r
		}
		// "phong chong covid" finds the seed letter first, typed without diacritics.
		r := find("phong chong covid")
		if got := ids(r); len(got) == 0 || got[0] != letter.ID {
			t.Fatalf("phong chong covid: %v, want the seed letter %d first", got, letter.ID)
		}
		// Snippets and subjects come from the original text, marked.
		if s := joined(r.Hits[0].Subject); !strings.Contains(s, "[phòng], [chống] [Covid]-19") {
			t.Errorf("subject highlight %q", s)
		}
		if s := joined(r.Hits[0].Snippet); !strings.Contains(s, "[Covid]") || !strings.Contains(s, "[phòng]") {
			t.Errorf("snippet %q", s)
		}
		// đ folds to d.
		if got := ids(find("dong thap")); len(got) != 1 || got[0] != plain.ID {
			t.Errorf("dong thap: %v, want %d", got, plain.ID)
		}
		// Exact diacritics first: "phòng" is in the letter and the citing
		// letter; "Phong" (a name) folds the same but ranks after them.
		r = find("phòng")
		got := ids(r)
		if len(got) != 3 || got[len(got)-1] != plain.ID {
			t.Errorf("phòng: %v, want the letters before the application of Mr Phong (%d)", got, plain.ID)
		}
		if r = find("Phong"); ids(r)[0] == plain.ID && len(ids(r)) != 3 {
			t.Errorf("Phong: %v", ids(r))
		}
		// Codes: the letter itself first, the letter citing it second.
		for _, q := range []string{"570/STTTT-TTBCBC", "570/STTTT", "570", "STTTT", "stttt-ttbcbc"} {
			got := ids(find(q))
			if len(got) < 1 || got[0] != letter.ID {
				t.Errorf("%s: %v, want %d first", q, got, letter.ID)
			}
			if strings.Contains(q, "/") && (len(got) != 2 || got[1] != citing.ID) {
				t.Errorf("%s: %v, want %d then %d", q, got, letter.ID, citing.ID)
			}
		}
		// Filters and facets.
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Q: "", Direction: model.Outgoing})
		if err != nil || len(r.Hits) != 1 || r.Hits[0].Document.ID != other.ID || r.Total != 1 {
			t.Fatalf("outgoing filter: %+v %v", r, err)
		}
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Q: "dich", DateFrom: "2021-06-05", DateTo: "2021-06-30"})
		if err != nil || len(r.Hits) != 1 || r.Hits[0].Document.ID != citing.ID {
			t.Fatalf("date filter: %v %v", ids(r), err)
		}
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Q: "phong", DocType: "Công văn", Sort: "date_asc"})
		if err != nil || len(r.Hits) != 2 || r.Hits[0].Document.ID != letter.ID {
			t.Fatalf("type filter sorted by date: %v %v", ids(r), err)
		}
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Q: "phong"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 3 || facet(r, "doc_type", "Công văn") != 2 || facet(r, "doc_type", "Đơn") != 1 || facet(r, "year", "2021") != 3 {
			t.Errorf("facets %+v total %d", r.Facets, r.Total)
		}
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Recipient: "bao kien giang"})
		if err != nil || len(r.Hits) != 1 || r.Hits[0].Document.ID != letter.ID {
			t.Errorf("recipient filter: %v %v", ids(r), err)
		}
		// Bad filters are named; bad queries are never errors.
		if _, err := e.svc.Search(ctx, admin, documents.SearchRequest{DateFrom: "04/06/2021"}); err == nil || !strings.Contains(err.Error(), "date_from") {
			t.Errorf("bad date: %v", err)
		}
		for _, q := range []string{strings.Repeat("phòng chống ", 4200), `"*()`, `NEAR`, `NEAR(phong chong)`, `AND OR NOT`, `"phong chong`, `phong" "`, `***`, `'; DROP TABLE documents; --`, "\xff\xfe", `{code}: 570`, `a:* & !b`} {
			r, err := e.svc.Search(ctx, admin, documents.SearchRequest{Q: q})
			if err != nil {
				t.Errorf("%.40q: %v", q, err)
				continue
			}
			if len(q) > 50000 && !r.Truncated {
				t.Errorf("a %d-byte query is not reported as truncated", len(q))
			}
			if q == `"*()` && !r.NoWords {
				t.Errorf(`"*() is not reported as having no words`)
			}
		}
		if r := find(`"phong chong`); len(ids(r)) == 0 {
			t.Error("an unbalanced quote finds nothing")
		}
		// The index follows corrections in the same transaction.
		fs := letter.Fields
		fs.Subject = docmodel.Str("Về việc tiêm vắc xin mũi hai")
		if _, err := e.svc.Correct(ctx, admin, letter.ID, documents.Correction{BaseVersion: 1, Fields: fs}); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.Search(ctx, admin, documents.SearchRequest{Q: "mui hai"})
		if err != nil || len(ids(r)) != 1 || ids(r)[0] != letter.ID {
			t.Errorf("after correction: %v %v", ids(r), err)
		}
		// Documents stored before the index are indexed at start.
		if err := s.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.ExecRaw(ctx, `DELETE FROM document_search`); return err }); err != nil {
			t.Fatal(err)
		}
		if n := len(ids(find("dong thap"))); n != 0 {
			t.Fatalf("index not emptied: %d", n)
		}
		n, err := s.IndexMissingDocuments(ctx, nil)
		if err != nil || n != 4 {
			t.Fatalf("backfill: %d %v", n, err)
		}
		if got := ids(find("dong thap")); len(got) != 1 || got[0] != plain.ID {
			t.Errorf("after backfill: %v", got)
		}
		// Once the newest document is indexed, a start indexes nothing.
		if n, err := s.IndexMissingDocuments(ctx, nil); err != nil || n != 0 {
			t.Fatalf("second start: %d indexed (%v), want 0", n, err)
		}
	})
}

func facet(r *documents.SearchResult, name, value string) int {
	for _, f := range r.Facets[name] {
		if f.Value == value {
			return f.Count
		}
	}
	return 0
}

// A reader never sees, not even as a count or a facet, a document their
// unit may not read: the search's scope is MayRead expressed in SQL.
func TestSearchRespectsMayRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newSearchEnv(t, s)
		for code, u := range e.units {
			for i := 0; i < 3; i++ {
				e.add(t, code, model.Incoming, fields("Cơ quan riêng của "+u.Name, "Công văn "+code, fmt.Sprint(i+1), "CV-"+strings.ToUpper(code), "2021-06-0"+fmt.Sprint(i+1),
					"Phòng chống dịch tại "+u.Name), "Nội dung phòng chống dịch Covid-19.")
			}
		}
		policy := authz.Default()
		var actors []model.Actor
		for _, u := range e.units {
			for _, role := range []model.Role{model.RoleAdmin, model.RoleClerk, model.RoleViewer, model.RoleBroadcaster} {
				actors = append(actors, actorOf(u, role))
			}
		}
		for _, a := range actors {
			want := map[int64]bool{}
			issuers := map[string]bool{}
			for id, d := range e.docs {
				ok, err := documents.MayRead(ctx, s.Q, policy, a, d.UnitID)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					want[id] = true
					issuers[docmodel.Val(d.Fields.Issuer)] = true
				}
			}
			for _, req := range []documents.SearchRequest{{Q: "phong chong dich", PerPage: 100}, {PerPage: 100}, {Q: "covid", Sort: "newest", PerPage: 100}} {
				r, err := e.svc.Search(ctx, a, req)
				if len(want) == 0 {
					if err == nil && r.Total != 0 {
						t.Errorf("%s %v: sees %d documents, may read none", a.Username, a.Roles, r.Total)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", a.Username, err)
				}
				if r.Total != len(want) || len(r.Hits) != len(want) {
					t.Errorf("%s %v %q: total %d, %d hits, may read %d", a.Username, a.Roles, req.Q, r.Total, len(r.Hits), len(want))
				}
				for _, h := range r.Hits {
					if !want[h.Document.ID] {
						t.Errorf("%s %v: sees document %d of unit %d", a.Username, a.Roles, h.Document.ID, h.Document.UnitID)
					}
				}
				sum := 0
				for _, f := range r.Facets["issuer"] {
					sum += f.Count
					if !issuers[f.Value] {
						t.Errorf("%s %v: facet shows issuer %q it may not read", a.Username, a.Roles, f.Value)
					}
				}
				if sum != r.Total {
					t.Errorf("%s: issuer facet counts %d, total %d", a.Username, sum, r.Total)
				}
			}
		}
	})
}
