// Package search turns what a person types into a safe full-text query and
// marks the words found in a document's original text.
//
// Documents are indexed in their folded form (textfold: lower case, no
// tone or vowel marks, đ as d), split into tokens of letters and digits
// and joined by single spaces, so SQLite FTS5 and PostgreSQL's text search
// see the same tokens. A query goes through the same folding; nothing the
// user types reaches the query language of either engine except those
// tokens (letters and digits only), so `"*()`, NEAR, AND OR NOT or an
// unbalanced quote can never make a query fail.
package search

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/textfold"
	"golang.org/x/text/unicode/norm"
)

// Limits of a query: longer input is cut (and Query.Truncated set), never
// refused.
const (
	MaxQueryBytes = 512 // of the typed query
	MaxTerms      = 12  // words or phrases
	MaxTokenBytes = 64  // a single word
	maxExact      = 8   // words with diacritics used for ranking
)

// Term is one word, or a phrase of words that must follow each other: a
// quoted phrase, or a word written with punctuation inside
// ("570/STTTT-TTBCBC", "covid-19").
type Term struct {
	Tokens []string // folded
	Prefix bool     // the last token may be the beginning of a word ("phong*")
}

// Query is a parsed search query.
type Query struct {
	Terms []Term
	// Exact are the typed words that carry diacritics, lower-cased in NFC:
	// documents containing them as typed rank first.
	Exact []string
	// Number and Notation are set when the query is a document code:
	// "570/STTTT-TTBCBC" (both), "570" (number), "STTTT" (notation part).
	Number, Notation string
	// Truncated reports that the query was cut to the limits.
	Truncated bool
}

// Empty reports whether the query has no words to look for.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// Words lists every token of the query (for highlighting).
func (q Query) Words() []string {
	var out []string
	for _, t := range q.Terms {
		out = append(out, t.Tokens...)
	}
	return out
}

var (
	numberCode   = regexp.MustCompile(`^([0-9]{1,7})(?:/([\p{L}\p{N}.\-/&]+))?$`)
	notationCode = regexp.MustCompile(`^(?:[\p{Lu}][\p{Lu}\p{N}.\-&]*|[\p{L}\p{N}.&]+(?:-[\p{L}\p{N}.&]+)+)$`)
)

// Parse reads a typed query. It never fails: characters that are not
// letters or digits separate words, quotes make phrases (an unbalanced
// quote is ignored), a trailing * asks for a prefix.
func Parse(s string) Query {
	var q Query
	s = strings.ToValidUTF8(s, " ")
	if len(s) > MaxQueryBytes {
		cut := MaxQueryBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s, q.Truncated = s[:cut], true
	}
	s = norm.NFC.String(strings.TrimSpace(s))
	if c := strings.TrimSpace(s); c != "" && !strings.ContainsAny(c, " \t\n\"") {
		if m := numberCode.FindStringSubmatch(c); m != nil {
			q.Number, q.Notation = m[1], m[2]
		} else if notationCode.MatchString(c) && strings.ContainsFunc(c, unicode.IsLetter) && len(c) >= 2 {
			q.Notation = c
		}
	}
	add := func(t Term) {
		if len(t.Tokens) == 0 {
			return
		}
		if len(q.Terms) == MaxTerms {
			q.Truncated = true
			return
		}
		q.Terms = append(q.Terms, t)
	}
	parts := strings.Split(s, `"`)
	if len(parts)%2 == 0 { // unbalanced: the last quote is text
		last := len(parts) - 1
		parts[last-1] += " " + parts[last]
		parts = parts[:last]
	}
	for i, p := range parts {
		if i%2 == 1 { // inside quotes: one phrase
			add(Term{Tokens: Tokens(p)})
			continue
		}
		for _, w := range strings.Fields(p) {
			t := Term{Tokens: Tokens(w), Prefix: strings.HasSuffix(w, "*")}
			if len(t.Tokens) > 1 {
				t.Prefix = false
			}
			add(t)
		}
	}
	seen := map[string]bool{}
	for _, w := range strings.Fields(s) {
		for _, e := range exactTokens(w) {
			if len(q.Exact) == maxExact {
				break
			}
			if textfold.Fold(e) != e && !seen[e] {
				seen[e] = true
				q.Exact = append(q.Exact, e)
			}
		}
	}
	return q
}

func isTokenRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// Tokens folds s and splits it into tokens of letters and digits, each at
// most MaxTokenBytes.
func Tokens(s string) []string {
	f := strings.FieldsFunc(textfold.Fold(s), func(r rune) bool { return !isTokenRune(r) })
	for i, t := range f {
		f[i] = cutToken(t)
	}
	return f
}

func exactTokens(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool { return !isTokenRune(r) && !unicode.Is(unicode.Mn, r) })
	for i, t := range f {
		f[i] = cutToken(t)
	}
	return f
}

func cutToken(t string) string {
	if len(t) <= MaxTokenBytes {
		return t
	}
	cut := MaxTokenBytes
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return t[:cut]
}

// IndexText is the form a text is indexed in: folded tokens joined by
// single spaces, at most max bytes (0 = no limit), cut between tokens.
func IndexText(s string, max int) string {
	toks := Tokens(s)
	var b strings.Builder
	for _, t := range toks {
		if max > 0 && b.Len()+len(t)+1 > max {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// ExactText is the lower-cased NFC text (diacritics kept) that the exact
// words of a query are looked for in, at most max bytes.
func ExactText(s string, max int) string {
	s = strings.ToLower(norm.NFC.String(s))
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// FTS5 is the query in SQLite FTS5 syntax: every token quoted, terms
// joined by AND; "" when the query is empty.
func (q Query) FTS5() string {
	parts := make([]string, 0, len(q.Terms))
	for _, t := range q.Terms {
		p := `"` + strings.Join(t.Tokens, " ") + `"`
		if t.Prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " AND ")
}

// TSQuery is the query for PostgreSQL's to_tsquery('simple', …): phrases
// with <->, prefixes with :*, terms joined by &; "" when empty.
func (q Query) TSQuery() string {
	parts := make([]string, 0, len(q.Terms))
	for _, t := range q.Terms {
		toks := make([]string, len(t.Tokens))
		for i, k := range t.Tokens {
			toks[i] = "'" + k + "'"
		}
		p := strings.Join(toks, " <-> ")
		if t.Prefix {
			p += ":*"
		}
		if len(toks) > 1 {
			p = "(" + p + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " & ")
}

// Tag is a filter value as one index token: kind (one letter: u unit, a
// unit or one of its ancestors, t type, i issuer, y year, d direction)
// followed by the folded letters and digits of value, at most
// MaxTokenBytes. Tags live in their own index column (FTS5) or as lexemes
// text never produces (PostgreSQL), so no word of a document can match
// one; two values that fold to the same tag only widen the candidates, the
// exact filter is still applied in SQL.
func Tag(kind, value string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, r := range textfold.Fold(value) {
		if r < utf8.RuneSelf && isTokenRune(r) {
			if b.Len() == MaxTokenBytes {
				break
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
