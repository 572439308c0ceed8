package tts

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultPronouncer reads with the national default dictionary only.
var defaultPronouncer = NewPronouncer(defaultRules)

// ExpandForSpeech rewrites text with the national default dictionary and
// the reading rules of Pronouncer (units add their own dictionaries
// through NewPronouncer).
func ExpandForSpeech(text string) string {
	return defaultPronouncer.Apply(text)
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// maxChunkRunes bounds the text given to one espeak-ng run.
const maxChunkRunes = 600

// chunk is a piece of text synthesised in one run; paragraph tells that a
// paragraph ends after it.
type chunk struct {
	text      string
	paragraph bool
}

var sentenceEnd = regexp.MustCompile(`[.!?…;:]["'”)»]*\s+`)

// splitText cuts cleaned text into paragraphs, and paragraphs longer than
// maxRunes into groups of whole sentences (a sentence longer than that is
// cut at commas, then at spaces). A single line break inside a sentence
// (a wrapped line) is not a paragraph break.
func splitText(text string, maxRunes int) []chunk {
	var paras []string
	var cur strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if cur.Len() > 0 {
				paras = append(paras, cur.String())
				cur.Reset()
			}
			continue
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(line)
		if strings.ContainsAny(line[len(line)-1:], ".!?:;…") {
			paras = append(paras, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		paras = append(paras, cur.String())
	}

	var out []chunk
	for _, p := range paras {
		var pieces []string
		for _, s := range splitSentences(p) {
			pieces = append(pieces, splitLong(s, maxRunes)...)
		}
		var group strings.Builder
		n := 0
		for _, s := range pieces {
			l := utf8.RuneCountInString(s)
			if n > 0 && n+1+l > maxRunes {
				out = append(out, chunk{text: group.String()})
				group.Reset()
				n = 0
			}
			if n > 0 {
				group.WriteByte(' ')
				n++
			}
			group.WriteString(s)
			n += l
		}
		if n > 0 {
			out = append(out, chunk{text: group.String(), paragraph: true})
		}
	}
	return out
}

// splitSentenceChunks is splitText with one sentence per chunk (a
// sentence longer than maxRunes is cut as splitLong does).
func splitSentenceChunks(text string, maxRunes int) []chunk {
	var out []chunk
	for _, para := range splitText(text, maxRunes) {
		var pieces []string
		for _, s := range splitSentences(para.text) {
			pieces = append(pieces, splitLong(s, maxRunes)...)
		}
		for i, s := range pieces {
			out = append(out, chunk{text: s, paragraph: para.paragraph && i == len(pieces)-1})
		}
	}
	return out
}

func splitSentences(p string) []string {
	var out []string
	for {
		loc := sentenceEnd.FindStringIndex(p)
		if loc == nil {
			if s := strings.TrimSpace(p); s != "" {
				out = append(out, s)
			}
			return out
		}
		out = append(out, strings.TrimSpace(p[:loc[1]]))
		p = p[loc[1]:]
	}
}

// splitLong cuts s into pieces of at most maxRunes, preferring commas.
func splitLong(s string, maxRunes int) []string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return []string{s}
	}
	var out []string
	for utf8.RuneCountInString(s) > maxRunes {
		r := []rune(s)
		window := string(r[:maxRunes])
		cut := strings.LastIndex(window, ", ")
		if cut > 0 {
			cut += 1 // keep the comma
		} else if cut = strings.LastIndex(window, " "); cut <= 0 {
			cut = len(window)
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
