package docparse

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// docLine is one line of the document.
type docLine struct {
	raw    string // spaces, tabs and " | " kept (columns), right-trimmed
	text   string // trimmed, white space collapsed
	indent int    // leading spaces of raw
}

// blank reports an empty line.
func (l docLine) blank() bool { return l.text == "" }

// invisibleReplacer normalises line ends and invisible or unusual spaces,
// and splits a few words that web pages glue together.
var invisibleReplacer = strings.NewReplacer(
	"\r\n", "\n", "\r", "\n", "\f", "\n", "\v", "\n",
	"\u00a0", " ", "\u2007", " ", "\u202f", " ", "\u2009", " ", "\u200a", " ", "\u3000", " ",
	"\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "", "\u00ad", "",
	"\u2028", "\n", "\u2029", "\n",
	"Kínhgửi", "Kính gửi", "KínhGửi", "Kính Gửi", "KÍNHGỬI", "KÍNH GỬI",
	"Nơinhận", "Nơi nhận", "NơiNhận", "Nơi Nhận", "NƠINHẬN", "NƠI NHẬN",
	"Vềviệc", "Về việc", "VỀVIỆC", "VỀ VIỆC",
)

// prepareLines normalises the text (valid UTF-8, NFC, line ends) and
// splits it into lines. normalised reports that NFC changed the text.
func prepareLines(text string) (lines []docLine, normalised bool) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
		normalised = true
	}
	text = invisibleReplacer.Replace(text)
	n := strings.Count(text, "\n") + 1
	lines = make([]docLine, 0, n)
	for _, raw := range strings.Split(text, "\n") {
		raw = strings.TrimRight(raw, " \t")
		if strings.ContainsAny(raw, "*_=~-") {
			raw = stripDecorations(raw)
		}
		lines = append(lines, docLine{raw: raw, text: collapseSpaces(raw), indent: leadingSpaces(raw)})
	}
	return lines, normalised
}

// decorationRe: a run of rule characters glued to the end or start of a
// name ("…TỈNH X******", "----SỞ NỘI VỤ"), as web and PDF copies print the
// short rules under the header's names.
var decorationRe = regexp.MustCompile(`(\S)(?:[*_=~]{3,}|-{4,})[ \t]*$|^([ \t]*)(?:[*_=~]{3,}|-{4,})(\S)`)

// stripDecorations removes rule runs glued to text; a line that is only a
// rule is left for the header's separator check.
func stripDecorations(raw string) string {
	if separatorRe.MatchString(raw) {
		return raw
	}
	return decorationRe.ReplaceAllString(raw, "$1$2$3")
}

// segment is a column piece of a line: lines of PDF layouts, DOCX tables
// and web tables carry two columns separated by a wide gap, a tab or "|".
type segment struct {
	text  string
	col   int // rune offset of the piece in the raw line
	cell  int // index of the piece among the separators of the line
	right bool
}

// splitSegments splits a raw line at tabs, "|" and runs of three or more
// spaces. A line wrapped in pipes ("| a | b |") is a web table row.
func splitSegments(raw string) []segment {
	if !strings.ContainsAny(raw, "\t|") && !strings.Contains(raw, "   ") {
		t := collapseSpaces(raw)
		if t == "" {
			return nil
		}
		return []segment{{text: t, col: leadingSpaces(raw)}}
	}
	trimmed := strings.TrimSpace(raw)
	if strings.HasPrefix(trimmed, "|") && strings.HasSuffix(trimmed, "|") && len(trimmed) > 1 {
		raw = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
	}
	var segs []segment
	cell, col := 0, 0
	start, startCol := -1, 0
	spaces := 0
	flush := func(end int) {
		if start >= 0 {
			if t := collapseSpaces(raw[start:end]); t != "" {
				segs = append(segs, segment{text: t, col: startCol, cell: cell})
			}
		}
		start = -1
	}
	for i, r := range raw {
		switch {
		case r == '\t' || r == '|':
			flush(i)
			cell++
			spaces = 0
		case r == ' ':
			spaces++
			if spaces == 3 && start >= 0 {
				flush(i - 2)
				cell++
			}
		default:
			if start < 0 {
				start, startCol = i, col
			}
			spaces = 0
		}
		col++
	}
	flush(len(raw))
	return segs
}

// markRight flags the segments of the right column: those after a
// separator, and those starting past the middle of the widest line.
func markRight(segs []segment, width int) {
	for i := range segs {
		segs[i].right = segs[i].cell > 0 || (width > 40 && segs[i].col*100 >= width*45)
	}
}

// maxWidth returns the rune length of the longest raw line in lines.
func maxWidth(lines []docLine) int {
	w := 0
	for _, l := range lines {
		if n := runeLen(l.raw); n > w {
			w = n
		}
	}
	return w
}
