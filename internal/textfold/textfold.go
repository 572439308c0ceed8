// Package textfold folds Vietnamese text for searching: lower case,
// without tone and vowel marks, đ as d — so "quy vac xin" finds
// "Quỹ vắc xin" and "dong" finds "Đông".
package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the search form of s.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Words splits a query into folded words.
func Words(q string) []string {
	return strings.Fields(Fold(q))
}
