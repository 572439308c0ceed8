package docparse

import (
	"regexp"
	"slices"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
)

// warnTitleLine explains where the identification came from when a
// letter was re-posted without its header.
const warnTitleLine = "the letter's header is missing; type, number, date and subject were read from its title line"

// titleSubjectRe finds "V/v" or "về việc" inside a title line.
var titleSubjectRe = regexp.MustCompile(`(?:^|\s)(?:[Vv]\s*/\s*[Vv]\b\.?|[Vv]ề\s+việc\b)\s*:?\s*`)

// fillFromTitleLine reads the identification of a letter re-posted on a
// web portal without its header, whose only identification is the title
// line the portal printed above it: "Công văn số 123/SNV-TCBC ngày
// 05/3/2024 của Sở Nội vụ V/v tuyển dụng viên chức". It looks at the first
// non-blank lines and fills only what the header left empty. It returns
// the index of the line after the title line, or from when none is found.
func fillFromTitleLine(f *docmodel.Fields, lines []docLine, from int) int {
	seen := 0
	for i := from; i < len(lines) && seen < 4; i++ {
		t := lines[i].text
		if t == "" {
			continue
		}
		seen++
		cs := citationMatches(t)
		if len(cs) == 0 || cs[0].start > 3 || cs[0].docType == "" {
			continue
		}
		ref, end := buildReference(t, cs[0])
		if ref.Date == nil {
			continue // a title line dates the letter
		}
		f.DocType, f.Number, f.Notation, f.Date = ref.DocType, ref.Number, ref.Notation, ref.Date
		if f.Issuer == nil && ref.Issuer != nil {
			f.Issuer = ref.Issuer
		}
		if f.Subject == nil {
			rest := t[end:]
			if loc := titleSubjectRe.FindStringIndex(rest); loc != nil {
				rest = rest[loc[1]:]
			}
			if s := strings.TrimSpace(strings.Trim(strings.TrimSpace(rest), ",.;:-–")); s != "" {
				f.Subject = docmodel.Str(capitalizeFirst(s))
			}
		}
		f.Warnings = slices.DeleteFunc(f.Warnings, func(w string) bool {
			return w == warnNoNumber || w == warnNoDate || w == warnNoType ||
				(w == warnNoSubject && f.Subject != nil) || (w == warnNoIssuer && f.Issuer != nil)
		})
		f.Warnings = append(f.Warnings, warnTitleLine)
		return i + 1
	}
	return from
}
