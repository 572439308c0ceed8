package tts

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations of Vietnamese administrative texts that espeak-ng would
// otherwise spell letter by letter or read as English. Matched as whole
// words, case-sensitively. Numbers are left to espeak-ng, which reads
// Vietnamese numbers (including "1.500.000") correctly.
var abbreviations = []struct{ from, to string }{
	{"UBND", "Ủy ban nhân dân"},
	{"HĐND", "Hội đồng nhân dân"},
	{"MTTQ", "Mặt trận Tổ quốc"},
	{"BCĐ", "Ban Chỉ đạo"},
	{"TTTT", "Thông tin và Truyền thông"},
	{"TT&TT", "Thông tin và Truyền thông"},
	{"THPT", "trung học phổ thông"},
	{"THCS", "trung học cơ sở"},
	{"BHYT", "bảo hiểm y tế"},
	{"CCCD", "căn cước công dân"},
	{"V/v", "về việc"},
	{"v/v", "về việc"},
	{"b/c", "báo cáo"},
	{"TP.", "thành phố"},
	{"Tp.", "thành phố"},
	{"TX.", "thị xã"},
	// espeak-ng switches to English for "Covid" and reads "19" well.
	{"COVID", "Cô vít"},
	{"Covid", "Cô vít"},
	{"covid", "cô vít"},
}

var (
	// A date written 03/6/2021, optionally after "ngày".
	dateRe = regexp.MustCompile(`(ngày\s+)?\b(\d{1,2})/(\d{1,2})/(\d{4})\b`)
	// "Covid-19": the hyphen would be read as a pause or "trừ".
	dashNumberRe = regexp.MustCompile(`(Cô vít|cô vít)-(\d+)`)
	// The "./." that ends administrative documents.
	endMarkRe = regexp.MustCompile(`\./\.`)
)

// ExpandForSpeech rewrites text so that espeak-ng reads it as a person
// would: common administrative abbreviations expanded, dates spelt out
// ("ngày 3 tháng 6 năm 2021"), the closing "./." removed, typographic
// quotes dropped.
func ExpandForSpeech(text string) string {
	text = endMarkRe.ReplaceAllString(text, ".")
	for _, a := range abbreviations {
		text = replaceWord(text, a.from, a.to)
	}
	text = dashNumberRe.ReplaceAllString(text, "$1 $2")
	text = dateRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := dateRe.FindStringSubmatch(m)
		return "ngày " + strings.TrimLeft(sub[2], "0") + " tháng " + strings.TrimLeft(sub[3], "0") + " năm " + sub[4]
	})
	text = strings.NewReplacer("“", "", "”", "", "„", "", "«", "", "»", "").Replace(text)
	return text
}

// replaceWord replaces from with to where from is not part of a longer
// word (letters or digits on either side).
func replaceWord(s, from, to string) string {
	if !strings.Contains(s, from) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, from)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(from):])
		lastOfFrom, _ := utf8.DecodeLastRuneInString(from)
		okBefore := i == 0 || !isWordRune(before)
		okAfter := i+len(from) == len(s) || !isWordRune(after) || !isWordRune(lastOfFrom)
		b.WriteString(s[:i])
		if okBefore && okAfter {
			b.WriteString(to)
		} else {
			b.WriteString(from)
		}
		s = s[i+len(from):]
	}
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
