package storage

import (
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
