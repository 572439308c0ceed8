package search

import (
	"strings"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/textfold"
	"golang.org/x/text/unicode/norm"
)

// Fragment is a piece of original text; Mark is set on the words the
// query found.
type Fragment struct {
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

type span struct{ from, to int } // byte offsets in the original

// matches finds the words of q in text (compared folded) and returns their
// spans in text, which must be NFC.
func matches(text string, q Query) []span {
	if q.Empty() || text == "" {
		return nil
	}
	whole, prefix := map[string]bool{}, []string{}
	for _, t := range q.Terms {
		for i, k := range t.Tokens {
			if t.Prefix && i == len(t.Tokens)-1 {
				prefix = append(prefix, k)
			} else {
				whole[k] = true
			}
		}
	}
	// Fold rune by rune, remembering where each token starts and ends in
	// the original.
	var out []span
	var tok strings.Builder
	start, end := -1, 0
	flush := func() {
		if start < 0 {
			return
		}
		w := tok.String()
		hit := whole[w]
		for _, p := range prefix {
			if strings.HasPrefix(w, p) {
				hit = true
			}
		}
		if hit {
			out = append(out, span{start, end})
		}
		tok.Reset()
		start = -1
	}
	// Folding a rune allocates and normalises: ASCII is lower-cased in
	// place and the other runes' folds are remembered (a text uses few).
	folded := map[rune]string{}
	for i, r := range text {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if isTokenRune(r) {
				if start < 0 {
					start = i
				}
				tok.WriteByte(byte(r))
				end = i + 1
			} else {
				flush()
			}
			continue
		}
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 1
		}
		f, ok := folded[r]
		if !ok {
			f = textfold.Fold(string(r))
			folded[r] = f
		}
		if f == "" { // a lone combining mark: part of the word before it
			if start >= 0 {
				end = i + size
			}
			continue
		}
		for _, fr := range f {
			if isTokenRune(fr) {
				if start < 0 {
					start = i
				}
				tok.WriteRune(fr)
				end = i + size
			} else {
				flush()
			}
		}
	}
	flush()
	return out
}

// Highlight returns text with the query's words marked. With width > 0
// it returns a window of about width bytes around the densest place of
// matches (nil when nothing matches); with width 0 the whole text.
func Highlight(text string, q Query, width int) []Fragment {
	text = norm.NFC.String(text)
	spans := matches(text, q)
	from, to := 0, len(text)
	if width > 0 {
		if len(spans) == 0 {
			return nil
		}
		best, bestN := 0, 0
		for i := range spans {
			n := 0
			for j := i; j < len(spans) && spans[j].to-spans[i].from <= width; j++ {
				n++
			}
			if n > bestN {
				best, bestN = i, n
			}
		}
		from = spans[best].from - width/4
		if from < 0 {
			from = 0
		}
		to = from + width
		if to > len(text) {
			to = len(text)
		}
		// Widen to whole words and whole runes.
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		if i := strings.LastIndexAny(text[:from], " \n\t"); from > 0 && i >= 0 && from-i < 20 {
			from = i + 1
		}
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		if i := strings.IndexAny(text[to:], " \n\t"); to < len(text) && i >= 0 && i < 20 {
			to += i
		}
	}
	var out []Fragment
	pos := from
	add := func(s string, mark bool) {
		if mark {
			out = append(out, Fragment{Text: s, Mark: true})
			return
		}
		s = collapse(s)
		if s != "" {
			out = append(out, Fragment{Text: s})
		}
	}
	for _, sp := range spans {
		if sp.from < from || sp.to > to {
			continue
		}
		if sp.from > pos {
			add(text[pos:sp.from], false)
		}
		add(text[sp.from:sp.to], true)
		pos = sp.to
	}
	if pos < to {
		add(text[pos:to], false)
	}
	if width > 0 {
		if from > 0 {
			out = append([]Fragment{{Text: "… "}}, out...)
		}
		if to < len(text) {
			out = append(out, Fragment{Text: " …"})
		}
	}
	return out
}

// collapse turns runs of white space (line breaks included) into one
// space, keeping a leading and a trailing one.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
