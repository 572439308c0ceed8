package docparse

import (
	"strings"
)

// parseRecipients reads the "Kính gửi" block that starts at lines[at]:
// recipients on the same line (separated by ";" or, when every part is a
// capitalised name, by ","), or a dash list below it. It returns the
// recipients and the index of the first line after the block.
func parseRecipients(lines []docLine, at int) ([]string, int) {
	rest := strings.TrimSpace(kinhGuiRe.ReplaceAllString(lines[at].text, ""))
	var recips []string
	open := true // the last recipient may continue on the next line
	if rest != "" {
		recips = splitRecipientLine(rest, !isListMarkerStart(rest))
		open = !strings.HasSuffix(rest, ".")
		if !isListMarkerStart(rest) && !strings.HasSuffix(rest, ";") {
			open = false
		}
	}
	i := at + 1
	for ; open && i < len(lines); i++ {
		t := lines[i].text
		switch {
		case t == "":
			if len(recips) > 0 && !nextIsListItem(lines, i) {
				return recips, i
			}
		case isListMarkerStart(t):
			if runeLen(t) > 160 {
				return recips, i
			}
			recips = append(recips, splitRecipientLine(t, false)...)
			open = !strings.HasSuffix(t, ".")
		case len(recips) > 0 && !endsSentence(lines[i-1].text) && !looksLikeBody(t):
			recips[len(recips)-1] = trimItemPunct(recips[len(recips)-1] + " " + t)
			open = !strings.HasSuffix(t, ".")
		case len(recips) == 0 && runeLen(t) <= 120 && !looksLikeBody(t):
			recips = append(recips, splitRecipientLine(t, true)...)
			open = strings.HasSuffix(t, ";")
		default:
			return recips, i
		}
	}
	return recips, i
}

// nextIsListItem reports whether the next non-blank line after i is a
// dash list entry.
func nextIsListItem(lines []docLine, i int) bool {
	for j := i + 1; j < len(lines); j++ {
		if t := lines[j].text; t != "" {
			return isListMarkerStart(t)
		}
	}
	return false
}

// splitRecipientLine splits one line of recipients at ";" and, when
// byComma is set and every part is a capitalised name, at ",".
func splitRecipientLine(s string, byComma bool) []string {
	var parts []string
	switch {
	case strings.Contains(s, ";"):
		parts = strings.Split(s, ";")
	case byComma && strings.Contains(s, ","):
		if p := splitNames(s); allCapitalised(p) {
			parts = p
		} else {
			parts = []string{s}
		}
	default:
		parts = []string{s}
	}
	out := parts[:0]
	for _, p := range parts {
		if p = trimItemPunct(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// allCapitalised reports whether every part starts with a capital letter.
func allCapitalised(parts []string) bool {
	for _, p := range parts {
		p = trimItemPunct(p)
		if p == "" || !startsUpperOrDigit(p) {
			return false
		}
	}
	return len(parts) > 1
}

// splitNames splits s at the commas that separate names, keeping commas
// inside a name ("Sở Văn hóa, Thể thao và Du lịch").
func splitNames(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ',' {
			continue
		}
		if m := commaInNameRe.FindStringIndex(s[i:]); m != nil {
			i += m[1] - 1
			continue
		}
		parts = append(parts, s[start:i])
		start = i + 1
	}
	return append(parts, s[start:])
}
