package docparse

import (
	"regexp"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
)

// pageNumberRe matches a line that is only a page number ("2", "- 2 -",
// "Trang 2/5") as PDF extraction leaves them between pages.
var pageNumberRe = regexp.MustCompile(`^(?:-\s*)?\d{1,3}(?:\s*-)?$|^(?i:trang)\s*\d{1,3}(?:\s*/\s*\d{1,3})?$`)

// paragraphStarters open a new paragraph even without a blank line.
var paragraphStarters = []string{"Căn cứ", "Điều ", "Nơi nhận", "Kính gửi"}

// buildParagraphs joins the wrapped lines of lines[from:to] into
// paragraphs. A paragraph ends at a blank line; a new one starts at a
// numbered item, a dash, a line in capitals, a deeper indentation (the
// first-line indent of PDF layouts) or a capital after a full stop.
func buildParagraphs(lines []docLine, from, to int) []string {
	base := baseIndent(lines, from, to)
	var paras []string
	var cur strings.Builder
	prev := ""
	flush := func() {
		if cur.Len() > 0 {
			paras = append(paras, cur.String())
			cur.Reset()
		}
		prev = ""
	}
	for i := from; i < to; i++ {
		ln := lines[i]
		t := ln.text
		if t == "" {
			flush()
			continue
		}
		if pageNumberRe.MatchString(t) {
			continue
		}
		if prev != "" && startsParagraph(prev, t, ln.indent > base+1) {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(t)
		prev = t
	}
	flush()
	return paras
}

// startsParagraph decides whether line t opens a new paragraph after the
// line prev of the current paragraph.
func startsParagraph(prev, t string, indented bool) bool {
	switch {
	case indented, isListMarkerStart(t), itemMarkerRe.MatchString(t):
		return true
	case isUpperText(t) || isUpperText(prev):
		return true
	case endsSentence(prev) && startsUpperOrDigit(t):
		return true
	}
	for _, w := range paragraphStarters {
		if strings.HasPrefix(t, w) {
			return true
		}
	}
	return false
}

// baseIndent is the smallest indentation of the non-blank lines, the left
// margin of PDF layout text.
func baseIndent(lines []docLine, from, to int) int {
	base := -1
	for i := from; i < to; i++ {
		if lines[i].blank() {
			continue
		}
		if base < 0 || lines[i].indent < base {
			base = lines[i].indent
		}
	}
	return max(base, 0)
}

// extractItems returns the numbered paragraphs as items.
func extractItems(paras []string) []docmodel.Item {
	var items []docmodel.Item
	for _, p := range paras {
		if !startsWithItemMarker(p) {
			continue
		}
		m := itemMarkerRe.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		label := ""
		for _, g := range m[1:6] {
			if g != "" {
				label = g
				break
			}
		}
		items = append(items, docmodel.Item{Label: collapseSpaces(label), Text: strings.TrimSpace(m[6])})
	}
	return items
}

// startsWithItemMarker is a cheap filter before itemMarkerRe.
func startsWithItemMarker(p string) bool {
	if p == "" {
		return false
	}
	c := p[0]
	return (c >= '0' && c <= '9') || c == 'I' || c == 'V' || c == 'X' || (c >= 'a' && c <= 'z') ||
		strings.HasPrefix(p, "Điều") || strings.HasPrefix(p, "đ)")
}
