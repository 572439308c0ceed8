package docparse

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/docmodel"
)

// refTypeNames are the type words recognised before a cited number,
// lowercase, longest first so that "thông tư liên tịch" wins over "thông tư".
var refTypeNames = []string{"thông tư liên tịch", "chương trình", "quyết định", "nghị quyết", "nghị định",
	"thông báo", "hướng dẫn", "thông cáo", "phương án", "công văn", "kế hoạch", "báo cáo", "tờ trình",
	"giấy mời", "chỉ thị", "thông tư", "quy chế", "quy định", "công điện", "kết luận", "pháp lệnh",
	"biên bản", "đề án", "luật"}

// citationNumberRe is the number and notation of a cited document
// ("355/TTCS-TTTH", "30/2020/NĐ-CP", "05-CT/TW"); the words before it
// ("Công văn số", "Nghị định", "số") are checked separately, which is much
// faster than one pattern with a leading alternation.
//
// Notations are also written with spaces around their separators ("12 /
// KH - UBND") and with "&" ("ABĐT-XY&ZĐ"); a part after a spaced
// separator must be in capitals, so "12/KH-UBND - Sở Tài chính" keeps
// "KH-UBND" (see trimSpacedNotation).
var citationNumberRe = regexp.MustCompile(`(\d{1,6}[a-z]?)\s*([/-])\s*([\p{Lu}\d][\p{L}\d&]*(?:\s?[-/]\s?[\p{Lu}\d][\p{L}\d&]*)*)`)

// bareCitationRe is a cited number without a notation, recognised only
// after a type word and "số" and before its date: "Báo cáo số 1234 ngày
// 03 tháng 02 năm 2024".
var bareCitationRe = regexp.MustCompile(`(?i:số)\s*:?\s*(\d{1,6})\s*,?\s*(?i:ngày)\s*\d`)

// trimSpacedNotation cuts a notation matched by citationNumberRe at the
// first spaced separator whose next part is not in capitals, and removes
// the spaces around the separators it keeps. n is the length of raw that
// the notation really covers.
func trimSpacedNotation(raw string) (notation string, n int) {
	var b strings.Builder
	i := 0
	for i < len(raw) {
		j := strings.IndexAny(raw[i:], "-/")
		if j < 0 {
			b.WriteString(raw[i:])
			return b.String(), len(raw)
		}
		sepAt := i + j
		part := raw[i:sepAt]
		spaced := strings.HasSuffix(part, " ")
		k := sepAt + 1
		for k < len(raw) && raw[k] == ' ' {
			spaced = true
			k++
		}
		next := raw[k:]
		if e := strings.IndexAny(next, "-/ "); e >= 0 {
			next = next[:e]
		}
		if spaced && !isUpperText(strings.ReplaceAll(next, "&", "")) {
			b.WriteString(strings.TrimRight(part, " "))
			return b.String(), len(strings.TrimRight(raw[:sepAt], " "))
		}
		b.WriteString(strings.TrimRight(part, " "))
		b.WriteByte(raw[sepAt])
		i = k
	}
	return b.String(), len(raw)
}

// citationIssuerRe: "của <issuer>" right after the citation and its date.
var citationIssuerRe = regexp.MustCompile(`^\s*,?\s*của\s+`)

// issuerStops end the issuer noun phrase after "của".
var issuerStops = []string{" về ", " về việc", " v/v", " V/v", " ban hành", " phê duyệt", " hướng dẫn", " quy định",
	" triển khai", " thực hiện", " tổ chức", " đề nghị", " yêu cầu", " nhằm", " đối với", " trên địa bàn",
	" trong ", " tại ", " để ", " theo ", " ngày ", " và các", " chỉ đạo", " giao ", " gửi ", " đã ", " thì ",
	" có ", " cho ", " - ", " – "}

// extractReferences finds the documents cited in texts (subject first,
// then the body paragraphs), de-duplicated by number and notation, leaving
// out the document's own number.
func extractReferences(texts []string, ownNumber, ownNotation string) []docmodel.Reference {
	var refs []docmodel.Reference
	seen := map[string]bool{ownNumber + "/" + ownNotation: ownNotation != ""}
	for _, t := range texts {
		if !containsDigit(t) || !strings.ContainsAny(t, "/-") && !strings.Contains(t, "ngày") {
			continue
		}
		matches := citationMatches(t)
		for k, m := range matches {
			limit := len(t)
			if k+1 < len(matches) {
				limit = matches[k+1].start
			}
			ref, end := buildReference(t[:limit], m)
			key := docmodel.Val(ref.Number) + "/" + docmodel.Val(ref.Notation)
			if seen[key] {
				continue
			}
			seen[key] = true
			ref.Text = strings.TrimSpace(t[m.start:end])
			refs = append(refs, ref)
		}
	}
	return refs
}

// maxCitationsPerParagraph bounds the work on pathological input.
const maxCitationsPerParagraph = 200

// citation is a cited number with the type word before it.
type citation struct {
	start            int    // where the citation text starts (type word or "số")
	end              int    // end of the notation
	docType          string // canonical type, "" when none
	number, notation string
}

// citationMatches finds the cited documents of t: a number and notation
// preceded by "số" and/or a type word.
func citationMatches(t string) []citation {
	var out []citation
	for _, m := range citationNumberRe.FindAllStringSubmatchIndex(t, maxCitationsPerParagraph) {
		if m[0] > 0 && isWordByte(t[m[0]-1]) {
			continue
		}
		notation, n := trimSpacedNotation(t[m[6]:m[7]])
		if !hasLetter(notation) {
			continue
		}
		start, typ, ok := citationPrefix(t[:m[0]])
		if !ok {
			continue
		}
		out = append(out, citation{start: start, end: m[6] + n, docType: typ, number: t[m[2]:m[3]], notation: notation})
	}
	// Numbers without a notation, after a type word and "số".
	for _, m := range bareCitationRe.FindAllStringSubmatchIndex(t, maxCitationsPerParagraph) {
		if m[0] > 0 && isWordByte(t[m[0]-1]) {
			continue
		}
		start, typ, ok := citationPrefix(t[:m[2]])
		if !ok || typ == "" {
			continue
		}
		dup := false
		for _, c := range out {
			if c.start <= m[0] && m[0] < c.end {
				dup = true
			}
		}
		if !dup {
			out = append(out, citation{start: start, end: m[3], docType: typ, number: t[m[2]:m[3]]})
		}
	}
	slices.SortFunc(out, func(a, b citation) int { return a.start - b.start })
	return out
}

// isWordByte reports an ASCII letter or digit (a number glued to a word
// is not a citation).
func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// citationPrefix checks the words before a number: "số" (with or without
// colon) and/or a type word. It returns where the citation starts.
func citationPrefix(before string) (start int, typ string, ok bool) {
	b := strings.TrimRight(before, " ")
	noColon := strings.TrimRight(strings.TrimSuffix(b, ":"), " ")
	if endsWithWordFold(noColon, "số") {
		soAt := len(noColon) - len("số")
		if at, typ := typeWordAtEnd(strings.TrimRight(noColon[:soAt], " ")); typ != "" {
			return at, typ, true
		}
		return soAt, "", true
	}
	if at, typ := typeWordAtEnd(b); typ != "" {
		return at, typ, true
	}
	return 0, "", false
}

// typeWordAtEnd finds a document type word at the end of s.
func typeWordAtEnd(s string) (int, string) {
	for _, name := range refTypeNames {
		if endsWithWordFold(s, name) {
			return len(s) - len(name), docTypes[foldKey(name)]
		}
	}
	return 0, ""
}

// endsWithWordFold reports whether s ends with the word w, ignoring case
// (Vietnamese letters keep their UTF-8 length across cases).
func endsWithWordFold(s, w string) bool {
	n := len(s)
	return n >= len(w) && strings.EqualFold(s[n-len(w):], w) && !isLetterBefore(s[:n-len(w)])
}

// isLetterBefore reports whether s ends with a letter.
func isLetterBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r)
}

// buildReference fills a reference from a citation and reads the date and
// issuer that follow it; end is where the citation ends.
func buildReference(t string, m citation) (docmodel.Reference, int) {
	var ref docmodel.Reference
	ref.DocType = docmodel.Str(m.docType)
	ref.Number = docmodel.Str(m.number)
	ref.Notation = docmodel.Str(m.notation)
	end := m.end
	if dm := refDateRe.FindStringSubmatchIndex(t[end:]); dm != nil {
		var date string
		if dm[2] >= 0 {
			date, _ = isoDate(t[end+dm[2]:end+dm[3]], t[end+dm[4]:end+dm[5]], t[end+dm[6]:end+dm[7]])
		} else {
			date, _ = isoDate(t[end+dm[8]:end+dm[9]], t[end+dm[10]:end+dm[11]], t[end+dm[12]:end+dm[13]])
		}
		ref.Date = docmodel.Str(date)
		end += dm[1]
	}
	if im := citationIssuerRe.FindStringIndex(t[end:]); im != nil {
		issuer := issuerPhrase(t[end+im[1]:])
		if issuer != "" {
			ref.Issuer = docmodel.Str(issuer)
			end += im[1] + len(issuer)
		}
	}
	return ref, end
}

// issuerPhrase cuts the noun phrase that names the issuer at the first
// punctuation or stop word. A comma inside a name such as "Sở Văn hóa,
// Thể thao và Du lịch" (capitalised words joined by "và") is kept.
func issuerPhrase(s string) string {
	cut := len(s)
	if i := indexIssuerPunct(s); i >= 0 {
		cut = i
	}
	for _, stop := range issuerStops {
		if i := strings.Index(s[:cut], stop); i >= 0 {
			cut = i
		}
	}
	out := strings.TrimSpace(s[:cut])
	for _, tail := range []string{" và", " cùng", " hoặc", " với"} {
		out = strings.TrimSuffix(out, tail)
	}
	return strings.TrimSpace(out)
}

// commaInNameRe: ", Thể thao và Du lịch" continues a name after a comma.
var commaInNameRe = regexp.MustCompile(`^,\s*\p{Lu}\p{Ll}*(?:\s+\p{Ll}+)?\s+và\s+\p{Lu}\p{Ll}*(?:\s+\p{Ll}+)?`)

// indexIssuerPunct finds the punctuation that ends an issuer phrase.
func indexIssuerPunct(s string) int {
	off := 0
	for {
		i := strings.IndexAny(s[off:], ",;.()\"“”:")
		if i < 0 {
			return -1
		}
		i += off
		if s[i] == ',' {
			if m := commaInNameRe.FindStringIndex(s[i:]); m != nil {
				off = i + m[1]
				continue
			}
		}
		return i
	}
}

func containsDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

func hasLetter(s string) bool {
	u, l := letterCase(s)
	return u+l > 0
}
