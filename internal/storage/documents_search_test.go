package storage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/model"
)

// Candidates are ranked by where the words are: a phrase in the code or
// the subject outranks the same words in the parties, words out of order
// do not count as the phrase, and a prefix matches the start of a word.
func TestCandidateRank(t *testing.T) {
	phrase := []model.SearchTerm{{Tokens: []string{"tiem", "vac", "xin"}}}
	inSubject := candidate{subject: "ke hoach tiem vac xin mui hai"}
	inParties := candidate{partys: "trung tam tiem vac xin tinh"}
	outOfOrder := candidate{subject: "xin tiem vac"}
	body := candidate{subject: "ke hoach"}
	if !(candidateRank(phrase, inSubject) > candidateRank(phrase, inParties) &&
		candidateRank(phrase, inParties) > candidateRank(phrase, outOfOrder) &&
		candidateRank(phrase, outOfOrder) == candidateRank(phrase, body)) {
		t.Errorf("ranks: subject %v, parties %v, out of order %v, body only %v", candidateRank(phrase, inSubject),
			candidateRank(phrase, inParties), candidateRank(phrase, outOfOrder), candidateRank(phrase, body))
	}
	code := candidate{code: "570 stttt ttbcbc"}
	if candidateRank([]model.SearchTerm{{Tokens: []string{"stttt"}}}, code) <= candidateRank([]model.SearchTerm{{Tokens: []string{"stttt"}}}, inSubject) {
		t.Error("a word of the code does not outrank one elsewhere")
	}
	prefix := []model.SearchTerm{{Tokens: []string{"vac"}, Prefix: true}}
	if n := occurrences("vacxin vac xin va", prefix[0]); n != 2 {
		t.Errorf("prefix vac*: %d occurrences, want 2", n)
	}
	if n := occurrences("a a a a a", model.SearchTerm{Tokens: []string{"a"}}); n != 3 {
		t.Errorf("occurrences are counted up to 3, got %d", n)
	}
	if got := tokensTSQuery([]model.SearchTerm{{Tokens: []string{"tiem", "vac"}}, {Tokens: []string{"phong"}, Prefix: true}}); got != "'tiem' & 'vac' & 'phong':*" {
		t.Errorf("tokens query %q", got)
	}
}

// hasToken finds whole tokens only.
func TestHasToken(t *testing.T) {
	for _, c := range []struct {
		text, k string
		want    bool
	}{{"xa my hoa", "xa", true}, {"xa my hoa", "hoa", true}, {"xa my hoa", "my", true}, {"xam myhoa", "xa", false},
		{"hoa xa", "xa", true}, {"thoa hoax", "hoa", false}, {"", "xa", false}, {"a xa", "xa", true}, {"axa xa", "xa", true}} {
		if got := hasToken(c.text, c.k); got != c.want {
			t.Errorf("hasToken(%q, %q) = %v", c.text, c.k, got)
		}
	}
}

// The recency windows of PostgreSQL's candidate search cover every id
// exactly once, newest first, as aligned blocks of the recency levels, and
// read the rest at once when the windows read say it holds few matches.
func TestRecencyWindow(t *testing.T) {
	blocks := func(q string) [][2]int64 { // [start, end) of each block
		var out [][2]int64
		for _, b := range strings.Split(q, " | ") {
			var k, n int64
			if _, err := fmt.Sscanf(strings.Trim(b, "'"), "#r%d_%d", &k, &n); err != nil {
				t.Fatalf("block %q: %v", b, err)
			}
			out = append(out, [2]int64{n << k, (n + 1) << k})
		}
		return out
	}
	for _, tc := range []struct {
		top   int64
		found int // matches per window read
	}{{3, 0}, {1023, 5}, {1024, 5}, {5000, 1}, {1_000_000, 0}, {1_000_000, 200}, {40_000_000, 50}, {40_000_000, 2000}} {
		w := newRecencyWindow(tc.top, 501)
		next := tc.top + 1 // ids at and above it are read
		for rounds := 1; ; rounds++ {
			if rounds > maxCandidateRounds {
				t.Fatalf("top %d, %d found per window: more than %d rounds", tc.top, tc.found, maxCandidateRounds)
			}
			q := w.query()
			if q == "" {
				next = 0 // the rest
			} else {
				for _, b := range blocks(q) {
					if b[1] != next && !(next == tc.top+1 && b[0] <= tc.top && tc.top < b[1]) {
						t.Fatalf("top %d: window %s: block %v does not end where the last one started (%d)", tc.top, q, b, next)
					}
					next = b[0]
				}
				if next != w.lower {
					t.Fatalf("top %d: window %s ends at %d, not at %d", tc.top, q, next, w.lower)
				}
			}
			if !w.next(tc.found) {
				break
			}
		}
		if next != 0 {
			t.Errorf("top %d, %d found per window: ids below %d never read", tc.top, tc.found, next)
		}
	}
	// Many matches per window: the windows grow, the rest is not read at once.
	w := newRecencyWindow(1_000_000, 501)
	w.next(400)
	if w.rest || w.query() != "'#r12_243'" {
		t.Errorf("after a busy first window: rest %v, next window %s", w.rest, w.query())
	}
	w.next(400)
	if w.rest || w.query() != "'#r12_242' | '#r12_241' | '#r12_240' | '#r14_59'" {
		t.Errorf("third window: rest %v, %s", w.rest, w.query())
	}
	// Few: the rest is read at once.
	w = newRecencyWindow(1_000_000, 501)
	w.next(0)
	w.next(0)
	if !w.rest || w.query() != "" {
		t.Errorf("after two empty windows: rest %v, next window %q", w.rest, w.query())
	}
}
