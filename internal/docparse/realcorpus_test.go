package docparse

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The real corpus (testdata/real): public letters as they were published,
// with expectations written before the parser was run on them. See
// testdata/real/README.md for the sources and the split.
const realCorpusDir = "testdata/real"

// realFields are the fields the real corpus expectations hold.
var realFields = []string{"parent_issuer", "issuer", "doc_type", "number", "notation", "place", "date",
	"subject", "signing_authority", "signer_title", "signer_name", "recipients"}

// Floors of field-level accuracy on the real corpus: what the parser
// reaches today, so that a regression fails. Raise them when the parser
// improves; never lower them to make a change pass.
const (
	realTuneFloor = 0.979
	realHeldFloor = 0.970
)

type realDoc struct {
	id, split, format, level, year, source string
}

func loadRealManifest(t testing.TB) []realDoc {
	t.Helper()
	f, err := os.Open(filepath.Join(realCorpusDir, "manifest.tsv"))
	if err != nil {
		t.Fatalf("open real corpus manifest: %v", err)
	}
	defer f.Close()
	var docs []realDoc
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 6 {
			t.Fatalf("manifest.tsv line %d: %d columns, want 6", line, len(cols))
		}
		docs = append(docs, realDoc{cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read manifest.tsv: %v", err)
	}
	return docs
}

// realSplit is the documented split: "tune" when the first byte of the
// SHA-256 of the document id is even, "held" otherwise.
func realSplit(id string) string {
	if sum := sha256.Sum256([]byte(id)); sum[0]%2 == 0 {
		return "tune"
	}
	return "held"
}

// realTally counts matched and total fields, overall and per field.
type realTally struct {
	docs, perfect  int
	matched, total int
	field          map[string][2]int
}

func (r *realTally) add(field string, m, n int) {
	if r.field == nil {
		r.field = map[string][2]int{}
	}
	c := r.field[field]
	r.field[field] = [2]int{c[0] + m, c[1] + n}
	r.matched += m
	r.total += n
}

func (r *realTally) accuracy() float64 { return float64(r.matched) / float64(max(r.total, 1)) }

func (r *realTally) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d documents, %d fully correct; fields %d/%d = %.2f%%", r.docs, r.perfect, r.matched,
		r.total, 100*r.accuracy())
	names := make([]string, 0, len(r.field))
	for k := range r.field {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := r.field[k]
		fmt.Fprintf(&b, "\n    %-18s %4d/%-4d %6.2f%%", k, c[0], c[1], 100*float64(c[0])/float64(max(c[1], 1)))
	}
	return b.String()
}

// scoreReal parses the real corpus and scores it per split. Differences
// are logged (with -v) for tune documents only: held documents are only
// counted.
func scoreReal(t *testing.T) map[string]*realTally {
	t.Helper()
	docs := loadRealManifest(t)
	tallies := map[string]*realTally{"tune": {}, "held": {}}
	for _, d := range docs {
		if want := realSplit(d.id); d.split != want {
			t.Errorf("%s: manifest says split %q, the hash rule says %q", d.id, d.split, want)
		}
		path := filepath.Join(realCorpusDir, "docs", d.id+".txt")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", d.id, err)
		}
		raw, err := os.ReadFile(filepath.Join(realCorpusDir, "docs", d.id+".expected.json"))
		if err != nil {
			t.Fatalf("%s: no expectation: %v", d.id, err)
		}
		var exp map[string]any
		if err := json.Unmarshal(raw, &exp); err != nil {
			t.Fatalf("%s.expected.json: %v", d.id, err)
		}
		f, err := ParseFile(context.Background(), data, path)
		if err != nil {
			t.Fatalf("%s: ParseFile: %v", d.id, err)
		}
		var got map[string]any
		out, _ := json.Marshal(f)
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		tally := tallies[d.split]
		tally.docs++
		docMatched, docTotal := 0, 0
		for _, field := range realFields {
			want, ok := exp[field]
			if !ok {
				t.Fatalf("%s: expectation lacks field %q", d.id, field)
			}
			m, n, diff := fieldScore(want, got[field])
			tally.add(field, m, n)
			docMatched += m
			docTotal += n
			if diff != "" && d.split == "tune" && testing.Verbose() {
				t.Logf("%s: %s: %s", d.id, field, diff)
			}
		}
		if docMatched == docTotal {
			tally.perfect++
		}
	}
	return tallies
}

// TestRealCorpus scores the parser on real published letters, separately
// for the tune and the held-back split, and fails below the floors.
func TestRealCorpus(t *testing.T) {
	tallies := scoreReal(t)
	tune, held := tallies["tune"], tallies["held"]
	if tune.docs+held.docs < 200 {
		t.Fatalf("real corpus has %d documents, want at least 200", tune.docs+held.docs)
	}
	t.Logf("tune: %s", tune.report())
	t.Logf("held: %s", held.report())
	if tune.accuracy() < realTuneFloor {
		t.Errorf("tune split field accuracy %.2f%% is below the floor %.2f%%", 100*tune.accuracy(), 100*realTuneFloor)
	}
	if held.accuracy() < realHeldFloor {
		t.Errorf("held split field accuracy %.2f%% is below the floor %.2f%%", 100*held.accuracy(), 100*realHeldFloor)
	}
}

// BenchmarkParseRealCorpus parses the texts of the real corpus (web copies
// of whole laws and decrees as well as one-page letters, 58 KB on average).
func BenchmarkParseRealCorpus(b *testing.B) {
	docs := loadRealManifest(b)
	texts := make([]string, 0, len(docs))
	size := 0
	for _, d := range docs {
		data, err := os.ReadFile(filepath.Join(realCorpusDir, "docs", d.id+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		text, _, err := decodeText(data)
		if err != nil {
			b.Fatalf("%s: %v", d.id, err)
		}
		texts = append(texts, text)
		size += len(text)
	}
	b.SetBytes(int64(size / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
