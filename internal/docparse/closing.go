package docparse

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/docmodel"
)

// Closing patterns.
var (
	noiNhanRe = regexp.MustCompile(`^(?i:n[ơo]i\s*nh[ậa]n)\s*:?\s*`)
	// signingFormRe: TM. (on behalf of a collective), KT. (deputy), TL.
	// (by order), TUQ. (by delegation), Q. (acting); Party documents write
	// T/M, K/T, T/L; older letters K.T., T.M., T.L.
	signingFormRe = regexp.MustCompile(`^(?:TM|KT|TL|TUQ|Q)\.\s*\p{Lu}|^(?:T/M|K/T|T/L|TUQ)\.?\s+\p{Lu}|^(?:T\.M|K\.T|T\.L|T\.U\.Q)\.?\s*\p{Lu}`)
	// archiveRe: "Lưu: VT, TTBCBC.", "Lưu VT", "- Lưu: VT, P.TTBC, (02b)".
	archiveRe = regexp.MustCompile(`^(?:[-–+•]\s*(?:Lưu|LƯU)\s*:?\s*|(?:Lưu|LƯU)\s*(?::\s*|\s+(?:VT|VP|Văn thư|HS|Hồ sơ|hồ sơ)\b))`)
	// rankPrefixRe: military and police ranks printed before a name.
	rankPrefixRe = regexp.MustCompile(`^(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)\s+`)
	// signatureMarkRe: notes printed where the signature is.
	signatureMarkRe = regexp.MustCompile(`(?i)\(?\s*(?:đã ký|đã kí|ký tên(?:,\s*đóng dấu)?|ký,\s*đóng dấu|chữ ký số|ký số|ký và ghi rõ họ tên|ký, ghi rõ họ tên)\s*(?:và đóng dấu)?\s*\)?\s*:?`)
	// purposeRe: a trailing "(b/c)", "(để biết)" on a distribution line.
	purposeRe = regexp.MustCompile(`\(([^()]{1,60})\)\s*[;.,]?\s*$`)
	// shortPurposeRe: short forms "b/c", "đ/b", "t/h", "p/h".
	shortPurposeRe = regexp.MustCompile(`^\p{L}{1,3}/\p{L}{1,3}$`)
	// knownTitleRe: titles that may stand alone above a signature.
	knownTitleRe = regexp.MustCompile(`^(?:PHÓ\s+)?(?:GIÁM ĐỐC|CHỦ TỊCH|TRƯỞNG BAN|TRƯỞNG PHÒNG|BÍ THƯ|BỘ TRƯỞNG|THỨ TRƯỞNG|CỤC TRƯỞNG|VỤ TRƯỞNG|CHÁNH VĂN PHÒNG|THỦ TƯỚNG|HIỆU TRƯỞNG|GIÁM ĐỐC SỞ|TỔNG GIÁM ĐỐC|CHỈ HUY TRƯỞNG|TRƯỞNG CÔNG AN|TỔNG CỤC TRƯỞNG|VIỆN TRƯỞNG|CHÁNH ÁN|THƯ KÝ|TRƯỞNG ĐOÀN|CHÁNH THANH TRA|THỦ TRƯỞNG)(?:\s+[\p{Lu}\s,.-]*)?$`)
)

// annexHeadingRe matches the heading of what follows the signature in
// legal documents: annexes, forms, the regulation the document issues.
var annexHeadingRe = regexp.MustCompile(`^(?:PHỤ LỤC|Phụ lục\s+[IVX\d]|MẪU|Mẫu số|DANH MỤC|BIỂU MẪU|CÁC MẪU|QUY CHẾ|QUY ĐỊNH|QUY CHUẨN|HỒ SƠ|BẢNG|CỘNG H(?:ÒA|OÀ)|Chương\s+[IVX\d]|CHƯƠNG\s+[IVX\d])`)

// maxDistEntryLen bounds a distribution entry joined from wrapped lines.
const maxDistEntryLen = 600

// findClosingStart returns the index of the first line of the closing
// (signature block and "Nơi nhận") after the body start: the line after
// the body's final "./.", the "Nơi nhận" line or a signing form line,
// whichever comes first; failing those, the title above the final name.
func findClosingStart(lines []docLine, from int) int {
	for i := from; i < len(lines); i++ {
		t := lines[i].text
		if t == "" {
			continue
		}
		if strings.HasSuffix(t, "./.") || strings.HasSuffix(t, "/.") && i > from {
			return i + 1
		}
		if t[0] == 'N' || t[0] == 'n' {
			if noiNhanRe.MatchString(t) {
				return i
			}
		}
		if hasSigningForm(lines[i]) {
			return i
		}
	}
	return closingByFinalName(lines, from)
}

// hasSigningForm reports a line with a segment that is a signing form.
func hasSigningForm(ln docLine) bool {
	if !mayHaveSigningForm(ln.text) {
		return false
	}
	for _, seg := range splitSegments(ln.raw) {
		if signingFormRe.MatchString(seg.text) {
			return true
		}
	}
	return false
}

// mayHaveSigningForm is a cheap filter before signingFormRe.
func mayHaveSigningForm(s string) bool {
	for _, f := range [...]string{"TM.", "KT.", "TL.", "TUQ", "Q.", "T/M", "K/T", "T/L", "K.T", "T.M", "T.L", "T.U.Q"} {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// closingByFinalName finds the signature block of a document without
// "./.", "Nơi nhận" or signing form: a known title line shortly above the
// last person name.
func closingByFinalName(lines []docLine, from int) int {
	nameAt := -1
	for i := len(lines) - 1; i >= from && i >= len(lines)-12; i-- {
		if t := stripSignatureMarks(lines[i].text); isPersonName(t) {
			nameAt = i
			break
		}
	}
	if nameAt < 0 {
		return len(lines)
	}
	for i := nameAt - 1; i >= from && i >= nameAt-6; i-- {
		for _, seg := range splitSegments(lines[i].raw) {
			if knownTitleRe.MatchString(seg.text) {
				return i
			}
		}
	}
	return len(lines)
}

// closing is what the closing zone yields.
type closing struct {
	authority []string
	titles    []string
	name      string
	dist      []docmodel.Distribution
	archive   []string
	distOpen  bool   // the last distribution entry may continue
	lastRaw   string // the last distribution entry as written
}

// parseClosing reads the signature block, the distribution list and the
// archive mark from lines[from:].
func parseClosing(lines []docLine, from int) closing {
	var c closing
	inDist := false
	for i := from; i < len(lines); i++ {
		if t := lines[i].text; (c.name != "" || len(c.titles) > 0) && annexHeadingRe.MatchString(t) ||
			c.name != "" && isUpperText(t) && !signingFormRe.MatchString(t) {
			break // an annex, a form or a regulation follows the signature
		}
		for _, seg := range splitSegments(lines[i].raw) {
			inDist = c.segment(seg, inDist)
		}
	}
	return c
}

// segment files one closing segment; it returns whether the distribution
// list is being read.
func (c *closing) segment(seg segment, inDist bool) bool {
	t := seg.text
	if m := noiNhanRe.FindStringIndex(t); m != nil && (t[0] == 'N' || t[0] == 'n') {
		if rest := strings.TrimSpace(t[m[1]:]); rest != "" {
			c.distLine(rest)
		}
		return true
	}
	if m := archiveRe.FindStringIndex(t); m != nil {
		c.archiveLine(t[m[1]:], t[:m[1]])
		c.distOpen = false
		return inDist
	}
	if signingFormRe.MatchString(t) {
		c.authority = append(c.authority, t)
		c.titles = nil
		return inDist
	}
	if isListMarkerStart(t) {
		c.distLine(t)
		return inDist
	}
	stripped := stripSignatureMarks(t)
	switch {
	case stripped == "":
	case isUpperText(stripped) && (seg.right || !c.distOpen):
		c.titles = append(c.titles, stripped)
	case isPersonName(stripped):
		c.name = stripped
	case inDist && c.distOpen && !seg.right && len(c.dist) > 0 && len(c.lastRaw) < maxDistEntryLen:
		c.lastRaw += " " + t
		c.dist[len(c.dist)-1] = parseDistribution(c.lastRaw)
		c.distOpen = !endsSentence(t)
	}
	return inDist
}

// distLine files one or more distribution entries written on one line.
func (c *closing) distLine(s string) {
	for _, part := range strings.Split(s, ";") {
		if p := strings.TrimSpace(part); p != "" && strings.Trim(p, "-–+•. ") != "" {
			if archiveRe.MatchString(p) {
				m := archiveRe.FindStringIndex(p)
				c.archiveLine(p[m[1]:], p[:m[1]])
				continue
			}
			c.dist = append(c.dist, parseDistribution(p))
			c.lastRaw = p
		}
	}
	c.distOpen = !endsSentence(s)
}

// archiveLine splits "VT, TTBCBC." into archive marks; head is the matched
// "Lưu:" part, which for "Lưu VT" holds the first mark itself.
func (c *closing) archiveLine(rest, head string) {
	head = strings.TrimSpace(strings.TrimLeft(head, "-–+• "))
	head = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(head, "Lưu"), "LƯU"))
	if !strings.HasPrefix(head, ":") && head != "" {
		rest = head + rest
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimRight(rest, ".; ")
	for _, tok := range strings.Split(rest, ",") {
		if tok = strings.TrimSpace(tok); tok != "" {
			c.archive = append(c.archive, tok)
		}
	}
}

// parseDistribution splits a distribution entry into its name and the
// purpose in trailing parentheses.
func parseDistribution(s string) docmodel.Distribution {
	s = strings.TrimSpace(s)
	var purpose *string
	if m := purposeRe.FindStringSubmatchIndex(s); m != nil {
		p := collapseSpaces(s[m[2]:m[3]])
		switch {
		case shortPurposeRe.MatchString(p):
			purpose, s = docmodel.Str(strings.ToLower(p)), s[:m[0]]
		case startsLower(p):
			purpose, s = docmodel.Str(p), s[:m[0]]
		}
	}
	return docmodel.Distribution{Name: trimItemPunct(s), Purpose: purpose}
}

// startsLower reports whether s starts with a lowercase letter.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// stripSignatureMarks removes "(Đã ký)" and similar notes, and a rank
// ("Đại tá") before the name.
func stripSignatureMarks(s string) string {
	if strings.ContainsAny(s, "ýíÝÍ") {
		s = collapseSpaces(signatureMarkRe.ReplaceAllString(s, " "))
	}
	if loc := rankPrefixRe.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	return s
}

// isPersonName reports a line that looks like a Vietnamese person name:
// two to six capitalised words ("Lâm Văn Sơn", "Nguyễn Thị A").
func isPersonName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 6 {
		return false
	}
	for _, w := range words {
		if !isTitleWord(w) {
			return false
		}
	}
	return true
}

// signature assembles the signing authority and the title.
func (c *closing) signature() (authority, title string) {
	return strings.Join(c.authority, " "), strings.Join(c.titles, " ")
}
