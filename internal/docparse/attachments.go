package docparse

import (
	"regexp"
	"sort"
	"strings"
)

// Attachment mentions (best effort).
var (
	// parenNoteRe is a parenthesised note without nested parentheses.
	parenNoteRe = regexp.MustCompile(`\(([^()]{3,400})\)`)
	// attachClauseRe starts a clause about something sent along.
	attachClauseRe = regexp.MustCompile(`(?i)(?:gửi kèm|đính kèm|kèm theo|file âm thanh|tệp âm thanh|file ghi âm|tệp tin âm thanh|file audio)`)
	// appendixRe is "Phụ lục" with its designator.
	appendixRe = regexp.MustCompile(`Phụ lục\s+(?:số\s+)?(?:[IVX]{1,5}|\d{1,2}|[A-Z])\b`)
	// clauseBackStops end a noun phrase read backwards from "kèm theo".
	clauseBackStops = []string{" trong ", " tại ", " theo ", " có ", " với ", " gồm ", " là "}
)

// maxMentionsPerParagraph and maxMentions bound the work on pathological
// input; real documents mention a handful of attachments.
const (
	maxMentionsPerParagraph = 20
	maxMentions             = 100
)

// mention is an attachment phrase and where it was found.
type mention struct {
	para, pos, end int
	text           string
}

// extractAttachments lists, in document order, the attachments the body
// mentions: notes in parentheses that contain "kèm"; outside them,
// clauses about files sent along ("gửi kèm …", "file âm thanh …", up to
// the next punctuation; "danh sách kèm theo" when "kèm theo" ends the
// clause); and appendices ("Phụ lục II").
func extractAttachments(paras []string) []string {
	var found []mention
	for pi, p := range paras {
		if !mayMentionAttachment(p) {
			continue
		}
		rest := []byte(p)
		if len(found) >= maxMentions {
			break
		}
		for _, m := range parenNoteRe.FindAllStringSubmatchIndex(p, maxMentionsPerParagraph) {
			note := p[m[2]:m[3]]
			if strings.Contains(note, "kèm") || strings.Contains(note, "Kèm") {
				found = append(found, mention{pi, m[0], m[1], strings.TrimSpace(note)})
				for i := m[0]; i < m[1]; i++ {
					rest[i] = ' '
				}
			}
		}
		r := string(rest)
		for _, m := range attachClauseRe.FindAllStringIndex(r, maxMentionsPerParagraph) {
			start, text := attachmentClause(r, m[0], m[1])
			found = append(found, mention{pi, start, start + len(text), text})
		}
		for _, m := range appendixRe.FindAllStringIndex(r, maxMentionsPerParagraph) {
			found = append(found, mention{pi, m[0], m[1], r[m[0]:m[1]]})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].para != found[j].para {
			return found[i].para < found[j].para
		}
		return found[i].pos < found[j].pos
	})
	return dedupeMentions(found)
}

// mayMentionAttachment is a cheap filter before the patterns.
func mayMentionAttachment(p string) bool {
	return strings.Contains(p, "kèm") || strings.Contains(p, "Kèm") || strings.Contains(p, "Phụ lục") ||
		strings.Contains(p, "âm thanh") || strings.Contains(p, "ghi âm") || strings.Contains(p, "audio")
}

// attachmentClause returns the clause that starts at the keyword s[i:j],
// up to the next punctuation; when nothing follows "kèm theo" the noun
// phrase before it is taken instead.
func attachmentClause(s string, i, j int) (int, string) {
	end := len(s)
	if k := strings.IndexAny(s[i:], ",;.()"); k >= 0 {
		end = i + k
	}
	clause := strings.TrimSpace(s[i:end])
	if strings.TrimSpace(s[j:end]) != "" || !strings.EqualFold(s[i:j], "kèm theo") {
		return i, clause
	}
	start := 0
	if k := strings.LastIndexAny(s[:i], ",;.():"); k >= 0 {
		start = k + 1
	}
	for _, stop := range clauseBackStops {
		if k := strings.LastIndex(s[start:i], stop); k >= 0 {
			start += k + len(stop)
		}
	}
	return start, strings.TrimSpace(s[start:end])
}

// dedupeMentions keeps the first of equal phrases and drops a phrase
// whose place lies inside a longer one ("file âm thanh" inside the clause
// "gửi kèm file âm thanh").
func dedupeMentions(found []mention) []string {
	out := make([]string, 0, len(found))
	seen := map[string]bool{}
	for i, m := range found {
		if m.text == "" || seen[m.text] {
			continue
		}
		contained := false
		for j := i - maxMentionsPerParagraph*3; j < len(found) && j <= i+maxMentionsPerParagraph*3; j++ {
			if j < 0 {
				continue
			}
			o := found[j]
			if i != j && o.para == m.para && o.end-o.pos > m.end-m.pos && o.pos <= m.pos && m.end <= o.end {
				contained = true
				break
			}
		}
		if !contained {
			seen[m.text] = true
			out = append(out, m.text)
		}
	}
	return out
}
