package documents_test

// BenchmarkSearch measures the search of documents on a generated corpus:
// typical queries are two or three words of middle frequency with a filter;
// "common" queries are phrases found in a tenth of all documents (reported
// apart, as common-p95-ms). It reports
// the p95 latency of typical queries (two or three words and a filter, as
// a province administrator, a district administrator and a commune
// clerk), the rate at which documents are stored with their index and
// the rate of a full index rebuild, and, in the same run, the ratio to a
// plain FTS5 query (SQLite) or a plain PostgreSQL text search query over
// the same data.
//
// The corpus is generated (genDocument: Vietnamese syllables drawn with a
// Zipf distribution, types, issuers, recipients and dates) with a fixed
// seed. Its size is LOA_BENCH_SEARCH_DOCS (default 5,000; the recorded run
// in docs/benchmarks.md used 1,000,000). A large corpus can be kept
// between runs: LOA_BENCH_SEARCH_SQLITE=PATH and
// LOA_BENCH_SEARCH_PG=postgres://… name databases that are filled once
// and reused while they hold the wanted number of documents.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/search"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

var (
	benchInitials = []string{"", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"}
	benchRhymes   = []string{"a", "ai", "am", "an", "ang", "anh", "ao", "au", "ay", "e", "em", "en", "eo", "i", "im", "in", "inh", "iêu", "o", "oi", "om", "on", "ong", "ô", "ôi", "ông", "ơ", "ơi", "u", "ui", "um", "un", "ung", "uy", "ư", "ưa", "ương", "ươi", "iên", "uôn", "uôc", "ươc", "ac", "ach", "ăn", "âm", "ân", "ât", "ôt", "ot"}
	benchTones    = []string{"", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}
	benchTypes    = []string{"Công văn", "Quyết định", "Kế hoạch", "Thông báo", "Báo cáo", "Tờ trình", "Chỉ thị", "Hướng dẫn", "Giấy mời", "Nghị quyết"}
	benchAgencies = []string{"UBND", "STTTT", "SYT", "SGDĐT", "STC", "SNV", "SVHTT", "CATP", "TTVH", "VP"}
	benchPhrases  = []string{"phòng, chống dịch Covid-19", "tiêm vắc xin", "tuyên truyền", "thông tin cơ sở", "phát thanh", "đài truyền thanh", "cải cách hành chính", "an toàn giao thông", "phòng chống thiên tai", "xây dựng nông thôn mới"}
)

// benchVocab is the syllable vocabulary, most frequent first.
func benchVocab() []string {
	var v []string
	for _, r := range benchRhymes {
		for _, i := range benchInitials {
			for ti, t := range benchTones {
				if ti > 2 && len(v)%3 != 0 {
					continue
				}
				v = append(v, i+r+t)
			}
		}
	}
	rng := rand.New(rand.NewSource(7))
	rng.Shuffle(len(v), func(a, b int) { v[a], v[b] = v[b], v[a] })
	return v
}

type benchGen struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newBenchGen(seed int64) *benchGen {
	rng := rand.New(rand.NewSource(seed))
	v := benchVocab()
	return &benchGen{rng: rng, zipf: rand.NewZipf(rng, 1.07, 2, uint64(len(v)-1)), vocab: v}
}

func (g *benchGen) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = g.vocab[g.zipf.Uint64()]
	}
	return strings.Join(w, " ")
}

// genDocument makes the i-th document of the corpus.
func (g *benchGen) genDocument(i int, units []*model.Unit) *model.Document {
	u := units[g.rng.Intn(len(units))]
	typ := benchTypes[g.rng.Intn(len(benchTypes))]
	agency := benchAgencies[g.rng.Intn(len(benchAgencies))]
	date := time.Date(2015+g.rng.Intn(10), time.Month(1+g.rng.Intn(12)), 1+g.rng.Intn(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	phrase := benchPhrases[g.rng.Intn(len(benchPhrases))]
	subject := "Về việc " + g.words(4+g.rng.Intn(6)) + " " + phrase
	body := g.words(25+g.rng.Intn(40)) + ". " + phrase + " " + g.words(10+g.rng.Intn(20)) + "."
	f := docmodel.Fields{DocType: docmodel.Str(typ), Number: docmodel.Str(strconv.Itoa(1 + i%2000)), Notation: docmodel.Str(agency + "-" + benchAgencies[i%len(benchAgencies)]),
		Date: docmodel.Str(date), Issuer: docmodel.Str("Cơ quan " + agency + " " + strconv.Itoa(i%50)), Subject: docmodel.Str(subject),
		Recipients: []string{"UBND xã " + g.words(2), "Đài truyền thanh " + g.words(2)}}
	dir := model.Incoming
	if g.rng.Intn(3) == 0 {
		dir = model.Outgoing
	}
	return &model.Document{UnitID: u.ID, Direction: dir, Fields: f, BodyText: body}
}

// benchStore opens (and if needed fills) the corpus on an engine.
func benchStore(b *testing.B, e storage.Engine, n int) (*storage.Store, []*model.Unit, float64) {
	b.Helper()
	ctx := context.Background()
	var s *storage.Store
	keep := map[storage.Engine]string{storage.SQLite: os.Getenv("LOA_BENCH_SEARCH_SQLITE"), storage.Postgres: os.Getenv("LOA_BENCH_SEARCH_PG")}[e]
	if keep != "" {
		dsn := keep
		if e == storage.SQLite {
			dsn = "sqlite:" + keep
		}
		var err error
		if s, err = storage.Open(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx, nil); err != nil {
			b.Fatal(err)
		}
	} else {
		s, _ = storetest.Open(b, e)
	}
	units, err := s.Orgs().Units(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var have int
	if err := s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM documents`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have == n && len(units) > 1 {
		return s, units, 0
	}
	if have != 0 {
		b.Fatalf("the kept database holds %d documents, not %d: remove it", have, n)
	}
	// A province, 12 districts, 10 communes each.
	mk := func(tx *storage.Tx, code, name string, parent *model.Unit) *model.Unit {
		u := &model.Unit{Code: code, Name: name, Kind: "other"}
		if parent != nil {
			u.ParentID = &parent.ID
		}
		if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
			b.Fatal(err)
		}
		got, err := tx.Orgs().Unit(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		return got
	}
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		root := mk(tx, "bench-tinh", "UBND tỉnh", nil)
		units = []*model.Unit{root}
		for d := 0; d < 12; d++ {
			dist := mk(tx, fmt.Sprintf("bench-h%02d", d), fmt.Sprintf("UBND huyện %d", d), root)
			units = append(units, dist)
			for c := 0; c < 10; c++ {
				units = append(units, mk(tx, fmt.Sprintf("bench-h%02d-x%02d", d, c), fmt.Sprintf("UBND xã %d-%d", d, c), dist))
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	g := newBenchGen(1)
	if e == storage.Postgres {
		return s, units, bulkLoadPG(b, s, g, units, n)
	}
	start := time.Now()
	const batch = 2000
	for i := 0; i < n; i += batch {
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			for j := i; j < i+batch && j < n; j++ {
				if err := tx.Documents().InsertDocument(ctx, g.genDocument(j, units)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if (i/batch)%50 == 0 && i > 0 {
			el := time.Since(start)
			b.Logf("%s: %d documents stored, %.0f/s", e, i, float64(i)/el.Seconds())
		}
	}
	return s, units, float64(n) / time.Since(start).Seconds()
}

// bulkLoadPG fills PostgreSQL with multi-row inserts and builds the GIN
// index afterwards (as a restore would); it returns the index build rate
// in documents per second. The rows are what InsertDocument writes
// (storage.SearchRow for the search row), without version rows.
func bulkLoadPG(b *testing.B, s *storage.Store, g *benchGen, units []*model.Unit, n int) float64 {
	b.Helper()
	ctx := context.Background()
	if _, err := s.ExecRaw(ctx, `DROP INDEX IF EXISTS document_search_tsv`); err != nil {
		b.Fatal(err)
	}
	const batch = 250
	start := time.Now()
	now := time.Now().UTC()
	for i := 0; i < n; i += batch {
		var docs, rows []string
		var dargs, sargs []any
		for j := i; j < i+batch && j < n; j++ {
			d := g.genDocument(j, units)
			f := d.Fields
			fj, err := json.Marshal(f)
			if err != nil {
				b.Fatal(err)
			}
			id := int64(j + 1)
			year, _ := strconv.Atoi(docmodel.Val(f.Date)[:4])
			docs = append(docs, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`)
			dargs = append(dargs, id, d.UnitID, d.Direction, docmodel.Val(f.DocType), docmodel.Val(f.Number), docmodel.Val(f.Notation), docmodel.Val(f.Date),
				year, docmodel.Val(f.Issuer), docmodel.Val(f.Subject), string(fj), d.BodyText, search.IndexText(docmodel.Val(f.Subject), 0), now, now)
			rows = append(rows, `(?, ?, ?, ?, ?, ?, ?)`)
			sargs = append(append(sargs, id), storage.SearchRow(f, d.BodyText)...)
		}
		if _, err := s.ExecRaw(ctx, `INSERT INTO documents (id, unit_id, direction, doc_type, number, notation, doc_date, year, issuer, subject, fields, body_text, search_text, version, created_at, updated_at) VALUES `+strings.Join(docs, ", "), dargs...); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ExecRaw(ctx, `INSERT INTO document_search (document_id, code, subject, parties, body, recipients, exact) VALUES `+strings.Join(rows, ", "), sargs...); err != nil {
			b.Fatal(err)
		}
		if (i/batch)%400 == 0 && i > 0 {
			b.Logf("postgres: %d documents stored, %.0f/s", i, float64(i)/time.Since(start).Seconds())
		}
	}
	var last int64
	if err := s.QueryRowRaw(ctx, `SELECT setval(pg_get_serial_sequence('documents', 'id'), ?)`, n).Scan(&last); err != nil {
		b.Fatal(err)
	}
	b.Logf("postgres: %d documents stored in %s", n, time.Since(start).Round(time.Second))
	t0 := time.Now()
	if _, err := s.ExecRaw(ctx, `CREATE INDEX document_search_tsv ON document_search USING gin (tsv)`); err != nil {
		b.Fatal(err)
	}
	rate := float64(n) / time.Since(t0).Seconds()
	b.Logf("postgres: GIN index built in %s", time.Since(t0).Round(time.Second))
	if _, err := s.ExecRaw(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return rate
}

type benchQuery struct {
	req    documents.SearchRequest
	actor  model.Actor
	common bool // a phrase found in a tenth of all documents
}

func BenchmarkSearch(b *testing.B) {
	n := 5000
	if v := os.Getenv("LOA_BENCH_SEARCH_DOCS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("LOA_BENCH_SEARCH_DOCS=%q: give a number of documents ≥ 100", v)
		}
	}
	for _, e := range storetest.Engines(b) {
		b.Run(fmt.Sprintf("%s/%d", e, n), func(b *testing.B) {
			ctx := context.Background()
			s, units, storeRate := benchStore(b, e, n)
			if b.N < 60 {
				// The probe run (b.N = 1): a p95 needs every query; the
				// measured run follows (use -benchtime 120x or more).
				return
			}
			bl, err := blob.NewFS(filepath.Join(b.TempDir(), "blobs"))
			if err != nil {
				b.Fatal(err)
			}
			svc := documents.New(s, bl, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			// Typical queries: two or three mid-frequency syllables (and
			// some phrases), one filter, by readers of three reaches.
			g := newBenchGen(99)
			var queries []benchQuery
			filters := []func(r *documents.SearchRequest){
				func(r *documents.SearchRequest) { r.DocType = benchTypes[g.rng.Intn(len(benchTypes))] },
				func(r *documents.SearchRequest) { r.Direction = model.Incoming },
				func(r *documents.SearchRequest) { r.Year = 2015 + g.rng.Intn(10) },
				func(r *documents.SearchRequest) { r.DateFrom, r.DateTo = "2020-01-01", "2021-12-31" },
			}
			for i := 0; i < 60; i++ {
				var words []string
				for k := 0; k < 2+g.rng.Intn(2); k++ {
					words = append(words, g.vocab[10+g.rng.Intn(300)])
				}
				q := strings.Join(words, " ")
				common := i%6 == 0
				if common {
					q = benchPhrases[g.rng.Intn(len(benchPhrases))]
				}
				if i%4 == 1 {
					q = search.IndexText(q, 0) // typed without diacritics
				}
				r := documents.SearchRequest{Q: q}
				filters[i%len(filters)](&r)
				var a model.Actor
				switch i % 3 {
				case 0:
					a = actorOf(units[0], model.RoleAdmin) // whole province
				case 1:
					a = actorOf(units[1], model.RoleAdmin) // a district and its communes
				default:
					a = actorOf(units[2+g.rng.Intn(10)], model.RoleClerk) // a commune
				}
				queries = append(queries, benchQuery{req: r, actor: a, common: common})
			}
			plainFTS := func(q string) error {
				var c int
				pq := search.Parse(q)
				if e == storage.Postgres {
					return s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM (SELECT document_id FROM document_search WHERE tsv @@ to_tsquery('simple', ?)
						ORDER BY ts_rank(tsv, to_tsquery('simple', ?)) DESC LIMIT 20) x`, pq.TSQuery(), pq.TSQuery()).Scan(&c)
				}
				return s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM document_fts WHERE document_fts MATCH ? ORDER BY rank LIMIT 20)`, pq.FTS5()).Scan(&c)
			}
			// Warm up the caches once.
			for _, q := range queries {
				if _, err := svc.Search(ctx, q.actor, q.req); err != nil {
					b.Fatal(err)
				}
				if err := plainFTS(q.req.Q); err != nil {
					b.Fatal(err)
				}
			}
			var ours, plain, oursCommon, plainCommon []time.Duration
			var found int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := queries[i%len(queries)]
				t0 := time.Now()
				res, err := svc.Search(ctx, q.actor, q.req)
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(t0)
				found += res.Total
				t0 = time.Now()
				if err := plainFTS(q.req.Q); err != nil {
					b.Fatal(err)
				}
				if q.common {
					oursCommon, plainCommon = append(oursCommon, took), append(plainCommon, time.Since(t0))
				} else {
					ours, plain = append(ours, took), append(plain, time.Since(t0))
				}
			}
			b.StopTimer()
			p95 := func(d []time.Duration) float64 {
				s := append([]time.Duration(nil), d...)
				sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
				return float64(s[(len(s)*95)/100].Microseconds()) / 1000
			}
			mean := func(d []time.Duration) float64 {
				var t time.Duration
				for _, x := range d {
					t += x
				}
				return float64(t.Microseconds()) / 1000 / float64(len(d))
			}
			b.ReportMetric(p95(ours), "p95-ms")
			b.ReportMetric(p95(oursCommon), "common-p95-ms")
			b.ReportMetric(p95(plainCommon), "common-plain-p95-ms")
			b.ReportMetric(mean(ours), "mean-ms")
			b.ReportMetric(p95(plain), "plain-p95-ms")
			b.ReportMetric(p95(ours)/p95(plain), "p95-ratio")
			b.ReportMetric(float64(found)/float64(b.N), "found/query")
			if storeRate > 0 && e == storage.SQLite {
				b.ReportMetric(storeRate, "stored-docs/s")
			}
			if storeRate > 0 && e == storage.Postgres {
				b.ReportMetric(storeRate, "gin-build-docs/s")
			}
			// Full index rebuild rate (minutes on a large corpus: asked
			// for with LOA_BENCH_SEARCH_REBUILD=1, or on a generated one).
			if storeRate == 0 && os.Getenv("LOA_BENCH_SEARCH_REBUILD") == "" {
				return
			}
			t0 := time.Now()
			if e == storage.Postgres {
				_, err = s.ExecRaw(ctx, `REINDEX INDEX document_search_tsv`)
			} else {
				err = s.Tx(ctx, func(tx *storage.Tx) error {
					_, err := tx.ExecRaw(ctx, `INSERT INTO document_fts(document_fts) VALUES ('rebuild')`)
					return err
				})
			}
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/time.Since(t0).Seconds(), "rebuild-docs/s")
		})
	}
}
