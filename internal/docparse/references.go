package docparse

import (
	"regexp"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
)

// refTypeNames are the type words recognised before a cited number, longest
// first so that "Thông tư liên tịch" wins over "Thông tư".
const refTypeNames = `Thông tư liên tịch|Công văn|Quyết định|Thông báo|Kế hoạch|Báo cáo|Tờ trình|Giấy mời|` +
	`Chỉ thị|Hướng dẫn|Thông tư|Nghị định|Nghị quyết|Quy chế|Quy định|Thông cáo|Chương trình|` +
	`Phương án|Đề án|Công điện|Kết luận|Luật|Pháp lệnh|Biên bản`

// citationRe finds a cited document: a type word and/or "số", then
// number and notation ("Công văn số 355/TTCS-TTTH", "Nghị định
// 30/2020/NĐ-CP", "văn bản số 12/UBND-VX", "Chỉ thị số 05-CT/TW").
var citationRe = regexp.MustCompile(`(?:(?i:(` + refTypeNames + `))\s+(?:(?i:số)\s*:?\s*)?|(?i:số)\s*:?\s*)` +
	`(\d{1,6}[a-z]?)\s*([/-])\s*([\p{Lu}\d][\p{L}\d]*(?:[-/][\p{Lu}\d][\p{L}\d]*)*)`)

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
		if !strings.ContainsAny(t, "/-") || !containsDigit(t) {
			continue
		}
		matches := citationRe.FindAllStringSubmatchIndex(t, -1)
		for k, m := range matches {
			limit := len(t)
			if k+1 < len(matches) {
				limit = matches[k+1][0]
			}
			ref, end := buildReference(t[:limit], m)
			if !hasLetter(docmodel.Val(ref.Notation)) {
				continue
			}
			key := docmodel.Val(ref.Number) + "/" + docmodel.Val(ref.Notation)
			if seen[key] {
				continue
			}
			seen[key] = true
			ref.Text = strings.TrimSpace(t[m[0]:end])
			refs = append(refs, ref)
		}
	}
	return refs
}

// buildReference fills a reference from a citationRe match and reads the
// date and issuer that follow it; end is where the citation ends.
func buildReference(t string, m []int) (docmodel.Reference, int) {
	var ref docmodel.Reference
	if m[2] >= 0 {
		typ := docTypes[foldKey(t[m[2]:m[3]])]
		ref.DocType = docmodel.Str(typ)
	}
	ref.Number = docmodel.Str(t[m[4]:m[5]])
	ref.Notation = docmodel.Str(t[m[8]:m[9]])
	end := m[1]
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
