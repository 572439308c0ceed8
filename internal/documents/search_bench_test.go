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
	"sync"
	"sync/atomic"
	"syscall"
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

// The corpus is built from the sentences of real administrative letters
// (the seed letter 570/STTTT-TTBCBC and the usual forms of a công văn,
// kế hoạch or báo cáo): a topic (Zipf-distributed over benchTopics, each
// with its own words), the communes and wards of An Giang (the unit list
// in internal/orgs/data) as places, agencies, dates and fixed
// administrative sentences, so word frequencies look like a real
// archive's: the form words are in nearly every document, a topic's words
// in a few percent, a place in about one percent.
var (
	benchTypes       = []string{"Công văn", "Quyết định", "Kế hoạch", "Thông báo", "Báo cáo", "Tờ trình", "Chỉ thị", "Hướng dẫn", "Giấy mời", "Nghị quyết"}
	benchAgencies    = []string{"UBND", "STTTT", "SYT", "SGDĐT", "STC", "SNV", "SVHTT", "CATP", "TTVH", "VP", "SNNPTNT", "STNMT", "BCH-QS", "MTTQ"}
	benchAgencyNames = []string{"Ủy ban nhân dân tỉnh", "Sở Thông tin và Truyền thông", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Nội vụ",
		"Sở Văn hóa, Thể thao và Du lịch", "Công an tỉnh", "Trung tâm Văn hóa - Thông tin", "Văn phòng Ủy ban nhân dân tỉnh",
		"Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường", "Bộ Chỉ huy Quân sự tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"}
	// benchTopics: a subject and the words its letters use.
	benchTopics = [][]string{
		{"phòng, chống dịch Covid-19", "tiêm vắc xin", "5K", "giãn cách xã hội", "khai báo y tế", "Quỹ vắc xin phòng, chống Covid-19", "cách ly tập trung"},
		{"phòng, chống thiên tai và tìm kiếm cứu nạn", "mưa lớn", "sạt lở bờ sông", "lũ", "di dời dân", "giông lốc", "ứng phó"},
		{"an toàn giao thông", "đội mũ bảo hiểm", "nồng độ cồn", "tai nạn giao thông", "tuần tra kiểm soát", "xe mô tô"},
		{"xây dựng nông thôn mới", "tiêu chí", "đường giao thông nông thôn", "nước sạch", "thu nhập bình quân", "xã nông thôn mới nâng cao"},
		{"cải cách hành chính", "dịch vụ công trực tuyến", "một cửa", "thủ tục hành chính", "chỉ số hài lòng", "hồ sơ trễ hạn"},
		{"chuyển đổi số", "chữ ký số", "định danh điện tử", "tài khoản VNeID", "thanh toán không dùng tiền mặt", "nền tảng số"},
		{"phòng cháy, chữa cháy", "mùa khô", "cháy rừng", "bình chữa cháy", "thoát nạn", "cơ sở kinh doanh"},
		{"hạn hán, xâm nhập mặn", "độ mặn", "trữ nước ngọt", "cống ngăn mặn", "vụ lúa Đông Xuân", "thiếu nước sinh hoạt"},
		{"phòng, chống sốt xuất huyết", "diệt lăng quăng", "muỗi vằn", "phun hóa chất", "ca mắc", "vệ sinh môi trường"},
		{"bầu cử đại biểu Quốc hội và Hội đồng nhân dân", "cử tri", "tổ bầu cử", "danh sách cử tri", "niêm yết", "ngày bầu cử"},
		{"tuyển chọn và gọi công dân nhập ngũ", "khám sức khỏe nghĩa vụ quân sự", "giao nhận quân", "thanh niên", "hội đồng nghĩa vụ quân sự"},
		{"phòng, chống tội phạm ma túy", "cai nghiện", "người nghiện", "tệ nạn xã hội", "tố giác tội phạm"},
		{"bảo hiểm xã hội tự nguyện", "bảo hiểm y tế hộ gia đình", "thẻ bảo hiểm y tế", "người lao động", "mức đóng"},
		{"phổ biến, giáo dục pháp luật", "Ngày Pháp luật", "tủ sách pháp luật", "hòa giải ở cơ sở", "tuyên truyền viên pháp luật"},
		{"bảo vệ môi trường", "rác thải nhựa", "thu gom rác", "xử lý chất thải", "ô nhiễm nguồn nước", "trồng cây xanh"},
		{"giảm nghèo bền vững", "hộ nghèo", "hộ cận nghèo", "nhà đại đoàn kết", "sinh kế", "rà soát hộ nghèo"},
		{"phòng, chống dịch tả lợn châu Phi", "tiêu độc khử trùng", "chăn nuôi", "tiêm phòng gia súc", "ổ dịch", "vận chuyển gia súc"},
		{"lễ hội và Tết Nguyên đán", "đón Tết", "bắn pháo hoa", "văn nghệ", "thăm hỏi gia đình chính sách", "trang trí cờ"},
		{"tuyển sinh đầu cấp", "khai giảng năm học mới", "học sinh bỏ học", "phổ cập giáo dục", "thi tốt nghiệp trung học phổ thông"},
		{"an toàn thực phẩm", "ngộ độc thực phẩm", "bếp ăn tập thể", "thức ăn đường phố", "kiểm tra liên ngành"},
		{"phát triển du lịch", "lễ hội Vía Bà Chúa Xứ", "núi Sam", "du khách", "homestay", "điểm đến"},
		{"đất đai và giải phóng mặt bằng", "bồi thường", "tái định cư", "giấy chứng nhận quyền sử dụng đất", "kiểm kê đất đai"},
		{"hệ thống thông tin cơ sở", "đài truyền thanh", "cụm loa", "bản tin", "phát thanh viên", "tiếp sóng"},
		{"dân số và kế hoạch hóa gia đình", "mất cân bằng giới tính khi sinh", "tầm soát trước sinh", "người cao tuổi", "chăm sóc sức khỏe"},
	}
	benchForms = []string{
		"Thực hiện %s của %s về %s, %s đề nghị các cơ quan, đơn vị triển khai thực hiện một số nội dung sau:",
		"Căn cứ tình hình thực tế tại địa phương, yêu cầu %s khẩn trương %s tại %s.",
		"Giao %s chủ trì, phối hợp với các đơn vị liên quan tổ chức %s, báo cáo kết quả về %s trước ngày %s.",
		"Tăng cường công tác tuyên truyền trên hệ thống đài truyền thanh cơ sở về %s để người dân biết, chủ động thực hiện.",
		"Thời gian thực hiện: từ ngày %s đến hết ngày %s.",
		"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị phản ánh về %s để được hướng dẫn giải quyết.",
		"Kết quả kiểm tra tại %s cho thấy công tác %s cơ bản đạt yêu cầu, tuy nhiên vẫn còn một số tồn tại, hạn chế.",
		"Đề nghị Ủy ban nhân dân %s chỉ đạo bộ phận chuyên môn rà soát, tổng hợp số liệu về %s, gửi về trước ngày %s.",
		"Kinh phí thực hiện từ nguồn ngân sách nhà nước được giao trong dự toán năm %s và các nguồn hợp pháp khác.",
		"Đây là nhiệm vụ quan trọng, đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm, chỉ đạo thực hiện nghiêm túc./.",
		"Năm %s, toàn tỉnh đã tổ chức %s cuộc tuyên truyền về %s với hơn %s lượt người tham dự.",
		"Tình hình %s trên địa bàn %s diễn biến phức tạp, có nguy cơ ảnh hưởng đến đời sống, sản xuất của Nhân dân.",
	}
	benchActions = []string{"triển khai", "tổ chức thực hiện", "kiểm tra, đôn đốc", "rà soát", "tuyên truyền", "tổng kết", "sơ kết", "hướng dẫn", "tăng cường"}
)

type benchGen struct {
	rng    *rand.Rand
	topic  *rand.Zipf
	places []string
}

func newBenchGen(b testing.TB, seed int64) *benchGen {
	return withSeed(benchPlaces(b), seed)
}

func withSeed(places []string, seed int64) *benchGen {
	rng := rand.New(rand.NewSource(seed))
	return &benchGen{rng: rng, topic: rand.NewZipf(rng, 1.05, 3, uint64(len(benchTopics)-1)), places: places}
}

// benchPlaces are the communes and wards of An Giang from the unit list.
func benchPlaces(b testing.TB) []string {
	raw, err := os.ReadFile("../orgs/data/two-level-2025/an-giang-units.csv")
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		f := strings.Split(line, ",")
		if len(f) > 3 && strings.HasPrefix(f[3], "UBND ") && !strings.Contains(f[3], "tỉnh") {
			out = append(out, strings.TrimPrefix(f[3], "UBND "))
		}
	}
	if len(out) < 50 {
		b.Fatalf("only %d places read from the An Giang unit list", len(out))
	}
	return out
}

func (g *benchGen) pick(l []string) string { return l[g.rng.Intn(len(l))] }

func (g *benchGen) date() string {
	return time.Date(2015+g.rng.Intn(10), time.Month(1+g.rng.Intn(12)), 1+g.rng.Intn(28), 0, 0, 0, 0, time.UTC).Format("02/01/2006")
}

// genDocument makes the i-th document of the corpus.
func (g *benchGen) genDocument(i int, units []*model.Unit) *model.Document {
	u := units[g.rng.Intn(len(units))]
	typ := g.pick(benchTypes)
	ai := g.rng.Intn(len(benchAgencies))
	t := benchTopics[g.topic.Uint64()]
	place := g.pick(g.places)
	date := time.Date(2015+g.rng.Intn(10), time.Month(1+g.rng.Intn(12)), 1+g.rng.Intn(28), 0, 0, 0, 0, time.UTC)
	kw := func() string { return t[1+g.rng.Intn(len(t)-1)] }
	subject := g.pick(benchActions) + " công tác " + t[0] + ", " + kw() + " trên địa bàn " + place
	var body []string
	for k := 0; k < 4+g.rng.Intn(5); k++ {
		form := benchForms[g.rng.Intn(len(benchForms))]
		var args []any
		for n := strings.Count(form, "%s"); n > 0; n-- {
			switch g.rng.Intn(6) {
			case 0:
				args = append(args, place)
			case 1:
				args = append(args, g.pick(benchAgencyNames))
			case 2:
				args = append(args, g.date())
			case 3:
				args = append(args, g.pick(benchActions)+" "+kw())
			default:
				args = append(args, kw()+" "+g.pick(g.places))
			}
		}
		body = append(body, fmt.Sprintf(form, args...))
	}
	f := docmodel.Fields{DocType: docmodel.Str(typ), Number: docmodel.Str(strconv.Itoa(1 + i%2000)), Notation: docmodel.Str(benchAgencies[ai] + "-" + benchAgencies[i%len(benchAgencies)]),
		Date: docmodel.Str(date.Format("2006-01-02")), Issuer: docmodel.Str(benchAgencyNames[ai]), Subject: docmodel.Str(subject),
		Recipients: []string{"UBND " + g.pick(g.places), "Đài truyền thanh " + g.pick(g.places)}}
	dir := model.Incoming
	if g.rng.Intn(3) == 0 {
		dir = model.Outgoing
	}
	return &model.Document{UnitID: u.ID, Direction: dir, Fields: f, BodyText: strings.Join(body, " ")}
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
		// A load stopped while its text index was built left no index
		// (PostgreSQL) or no triggers (SQLite): it is built again.
		check := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'document_search_au'`
		if e == storage.Postgres {
			check = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'document_search_tsv'`
		}
		var built int
		if err := s.QueryRowRaw(ctx, check).Scan(&built); err != nil {
			b.Fatal(err)
		}
		if built == 1 {
			return s, units, 0
		}
		b.Logf("%s: the kept corpus has no complete text index: building it", e)
		return s, units, bulkLoad(b, s, e, newBenchGen(b, 1), units, n)
	}
	if have != 0 {
		// A kept corpus smaller than asked (a load stopped early): it is
		// continued, batch by batch (each batch is one transaction with
		// ids from its own range and its own seed, so the result is the
		// corpus a load of n from scratch makes).
		if keep == "" || have > n || len(units) < 2 {
			b.Fatalf("the kept database holds %d documents, not %d: remove it", have, n)
		}
		b.Logf("%s: continuing the kept corpus from %d to %d documents", e, have, n)
		return s, units, bulkLoad(b, s, e, newBenchGen(b, 1), units, n)
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
	return s, units, bulkLoad(b, s, e, newBenchGen(b, 1), units, n)
}

// SQLite's FTS5 triggers (migration 00046), dropped during a bulk load and
// put back after the index is rebuilt.
const benchFTSTriggers = `
CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (-new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;
CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', -old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
END;
CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body, tags) VALUES ('delete', -old.document_id, old.code, old.subject, old.parties, old.body, old.tags);
    INSERT INTO document_fts(rowid, code, subject, parties, body, tags) VALUES (-new.document_id, new.code, new.subject, new.parties, new.body, new.tags);
END;`

// bulkLoad fills the corpus with multi-row inserts and builds the text
// index afterwards (as a restore would): PostgreSQL's GIN index is dropped
// and created again, SQLite's FTS5 triggers are dropped and the index
// rebuilt ('rebuild'). It returns the index build rate in documents per
// second. The rows are what InsertDocument writes (storage.SearchRow and
// storage.SearchTags for the search row), without version rows.
func bulkLoad(b *testing.B, s *storage.Store, e storage.Engine, g *benchGen, units []*model.Unit, n int) float64 {
	b.Helper()
	ctx := context.Background()
	drop := `DROP INDEX IF EXISTS document_search_tsv`
	if e == storage.SQLite {
		drop = `DROP TRIGGER IF EXISTS document_search_ai; DROP TRIGGER IF EXISTS document_search_ad; DROP TRIGGER IF EXISTS document_search_au`
	}
	exec := func(q string, args ...any) {
		b.Helper()
		if err := s.Tx(ctx, func(tx *storage.Tx) error { _, err := tx.ExecRaw(ctx, q, args...); return err }); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range strings.Split(drop, ";") {
		exec(q)
	}
	const batch = benchBatch
	// Batches already stored (a continued load) are skipped.
	done := map[int]bool{}
	var have int
	if err := s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM documents`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n && have > 0; i += batch {
		var c int
		if err := s.QueryRowRaw(ctx, `SELECT COUNT(*) FROM documents WHERE id > ? AND id <= ?`, i, i+batch).Scan(&c); err != nil {
			b.Fatal(err)
		}
		if c != 0 && c != min(batch, n-i) {
			b.Fatalf("batch %d of the kept corpus holds %d documents: remove the corpus", i/batch, c)
		}
		done[i] = c != 0
	}
	from := have
	start := time.Now()
	now := time.Now().UTC()
	paths := map[int64]string{}
	for _, u := range units {
		paths[u.ID] = u.Path
	}
	// Batches are generated by several workers (each batch from its own
	// seed, so the corpus does not depend on their order) and written
	// one transaction each.
	workers := 3
	next := make(chan int)
	errs := make(chan error, workers)
	var stored atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				g := withSeed(g.places, int64(i/batch)+1)
				var docs, rows []string
				var dargs, sargs []any
				for j := i; j < i+batch && j < n; j++ {
					d := g.genDocument(j, units)
					f := d.Fields
					fj, err := json.Marshal(f)
					if err != nil {
						errs <- err
						return
					}
					id := int64(j + 1)
					year, _ := strconv.Atoi(docmodel.Val(f.Date)[:4])
					docs = append(docs, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`)
					dargs = append(dargs, id, d.UnitID, d.Direction, docmodel.Val(f.DocType), docmodel.Val(f.Number), docmodel.Val(f.Notation), docmodel.Val(f.Date),
						year, docmodel.Val(f.Issuer), docmodel.Val(f.Subject), string(fj), d.BodyText, search.IndexText(docmodel.Val(f.Subject), 0), now, now)
					rows = append(rows, `(?, ?, ?, ?, ?, ?, ?, ?)`)
					tags := storage.SearchTags(d.UnitID, paths[d.UnitID], d.Direction, docmodel.Val(f.DocType), docmodel.Val(f.Issuer), year)
					sargs = append(append(sargs, id), storage.SearchRow(f, d.BodyText, tags)...)
				}
				err := s.Tx(ctx, func(tx *storage.Tx) error {
					if _, err := tx.ExecRaw(ctx, `INSERT INTO documents (id, unit_id, direction, doc_type, number, notation, doc_date, year, issuer, subject, fields, body_text, search_text, version, created_at, updated_at) VALUES `+strings.Join(docs, ", "), dargs...); err != nil {
						return err
					}
					_, err := tx.ExecRaw(ctx, `INSERT INTO document_search (document_id, code, subject, parties, body, recipients, exact, tags) VALUES `+strings.Join(rows, ", "), sargs...)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if k := stored.Add(int64(len(docs))); (k/batch)%200 == 0 {
					b.Logf("%s: %d documents stored, %.0f/s", e, k, float64(k)/time.Since(start).Seconds())
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i += batch {
		if done[i] {
			continue
		}
		select {
		case next <- i:
		case err := <-errs:
			b.Error(err)
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	if b.Failed() {
		b.FailNow()
	}
	b.Logf("%s: %d documents stored in %s (%.0f/s, without the text index)", e, n-from, time.Since(start).Round(time.Second), float64(n-from)/time.Since(start).Seconds())
	t0 := time.Now()
	if e == storage.Postgres {
		exec(`SELECT setval(pg_get_serial_sequence('documents', 'id'), ?)`, n)
		exec(`CREATE INDEX document_search_tsv ON document_search USING gin (tsv)`)
	} else {
		// As migration 00037 leaves it: one segment.
		exec(`INSERT INTO document_fts(document_fts) VALUES ('rebuild')`)
		exec(`INSERT INTO document_fts(document_fts) VALUES ('optimize')`)
		for _, q := range strings.SplitAfter(benchFTSTriggers, "END;") {
			if strings.TrimSpace(q) != "" {
				exec(q)
			}
		}
	}
	rate := float64(n) / time.Since(t0).Seconds()
	b.Logf("%s: text index of %d documents built in %s (%.0f documents/s)", e, n, time.Since(t0).Round(time.Second), rate)
	exec(`ANALYZE`)
	t0 = time.Now()
	if ok, err := s.RefreshSearchStats(ctx, nil); err != nil {
		b.Fatal(err)
	} else if ok {
		b.Logf("%s: common words counted in %s", e, time.Since(t0).Round(time.Millisecond))
	}
	return rate
}

// benchBatch is how many documents one transaction of the bulk load
// writes (and the unit a stopped load is continued by).
const benchBatch = 500

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
			// Typical queries: two or three words of a topic or a topic
			// word and a place, one filter, by readers of three reaches; a
			// quarter typed without diacritics.
			g := newBenchGen(b, 99)
			var queries []benchQuery
			filters := []func(r *documents.SearchRequest){
				func(r *documents.SearchRequest) { r.DocType = benchTypes[g.rng.Intn(len(benchTypes))] },
				func(r *documents.SearchRequest) { r.Direction = model.Incoming },
				func(r *documents.SearchRequest) { r.Year = 2015 + g.rng.Intn(10) },
				func(r *documents.SearchRequest) { r.DateFrom, r.DateTo = "2020-01-01", "2021-12-31" },
			}
			for i := 0; i < 60; i++ {
				t := benchTopics[g.rng.Intn(len(benchTopics))]
				q := t[1+g.rng.Intn(len(t)-1)]
				if w := strings.Fields(q); len(w) > 3 {
					q = strings.Join(w[:3], " ")
				} else if len(w) == 1 {
					q += " " + g.pick(g.places)
				}
				common := i%6 == 0
				if common {
					// A form phrase found in most documents.
					q = []string{"đề nghị các cơ quan", "tuyên truyền", "báo cáo kết quả", "thực hiện"}[g.rng.Intn(4)]
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
			// LOA_BENCH_SEARCH_NOPLAIN=1 leaves the plain query out (a
			// quick look at the search alone; no ratio is reported).
			noPlain := os.Getenv("LOA_BENCH_SEARCH_NOPLAIN") != ""
			plainFTS := func(q string) error {
				if noPlain {
					return nil
				}
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
			// LOA_BENCH_SEARCH_TRACE=1 logs each query of the first round
			// with its time (which queries make the p95).
			trace := os.Getenv("LOA_BENCH_SEARCH_TRACE") != ""
			var ours, plain, oursCommon, plainCommon []time.Duration
			var found int
			var cpu time.Duration
			var cpus []time.Duration // per typical query
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := queries[i%len(queries)]
				t0, c0 := time.Now(), cpuTime()
				res, err := svc.Search(ctx, q.actor, q.req)
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(t0)
				if !q.common {
					c := cpuTime() - c0
					cpu += c
					cpus = append(cpus, c)
				}
				found += res.Total
				if trace && i < len(queries) {
					b.Logf("query %d: %q %s as unit %d: %d found (more %v), %s, cpu %s", i, q.req.Q, filterOf(q.req), q.actor.UnitID, res.Total, res.More,
						took.Round(time.Millisecond), (cpuTime() - c0).Round(time.Millisecond))
				}
				if q.common {
					oursCommon = append(oursCommon, took)
				} else {
					ours = append(ours, took)
				}
			}
			b.StopTimer()
			// The plain queries run after the measured loop, each query
			// once (two rounds on large corpora take minutes): run between
			// the searches they emptied the page caches that the searches
			// read, and the searches' times measured the plain queries'
			// evictions.
			for i := 0; i < len(queries) && i < b.N && !noPlain; i++ {
				q := queries[i]
				t0 := time.Now()
				if err := plainFTS(q.req.Q); err != nil {
					b.Fatal(err)
				}
				if q.common {
					plainCommon = append(plainCommon, time.Since(t0))
				} else {
					plain = append(plain, time.Since(t0))
				}
			}
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
			b.ReportMetric(mean(ours), "mean-ms")
			if e == storage.SQLite {
				// The engine runs in this process: its CPU time per
				// typical query does not depend on the machine's load.
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ours)), "cpu-ms/query")
				// The p95 of that CPU time: what the p95 would be on an idle
				// machine, before any wait.
				b.ReportMetric(p95(cpus), "cpu-p95-ms")
			}
			if !noPlain {
				b.ReportMetric(p95(plain), "plain-p95-ms")
				b.ReportMetric(p95(plainCommon), "common-plain-p95-ms")
				b.ReportMetric(p95(ours)/p95(plain), "p95-ratio")
			}
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

// filterOf is a benchmark query's filters without its words (for the trace).
func filterOf(r documents.SearchRequest) string {
	r.Q = ""
	var parts []string
	for k, v := range map[string]string{"type": r.DocType, "direction": r.Direction, "from": r.DateFrom, "to": r.DateTo} {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	if r.Year != 0 {
		parts = append(parts, "year="+strconv.Itoa(r.Year))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
