package registry

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// typeAbbreviations are the abbreviations of Decree 30/2020, Appendix III.
// A công văn (and thư công) has none.
var typeAbbreviations = map[string]string{
	"nghị quyết": "NQ", "quyết định": "QĐ", "chỉ thị": "CT", "quy chế": "QC", "quy định": "QyĐ", "thông cáo": "TC",
	"thông báo": "TB", "hướng dẫn": "HD", "chương trình": "CTr", "kế hoạch": "KH", "phương án": "PA", "đề án": "ĐA",
	"dự án": "DA", "báo cáo": "BC", "biên bản": "BB", "tờ trình": "TTr", "hợp đồng": "HĐ", "công điện": "CĐ",
	"bản ghi nhớ": "BGN", "bản thỏa thuận": "BTT", "giấy ủy quyền": "GUQ", "giấy mời": "GM", "giấy giới thiệu": "GGT",
	"giấy nghỉ phép": "GNP", "phiếu gửi": "PG", "phiếu chuyển": "PC", "phiếu báo": "PB",
}

// TypeAbbreviation returns the notation abbreviation of a document type
// ("Quyết định" → "QĐ"); ok is false for types without one (Công văn).
func TypeAbbreviation(docType string) (string, bool) {
	key := strings.ToLower(norm.NFC.String(strings.TrimSpace(docType)))
	a, ok := typeAbbreviations[key]
	return a, ok
}

// Default notation patterns: a letter carries the agency and the drafting
// unit ("STTTT-TTBCBC"), other types the type and the agency ("QĐ-UBND").
// A unit may configure its own with the placeholders {type}, {agency},
// {unit}.
const (
	DefaultLetterPattern = "{agency}-{unit}"
	DefaultOtherPattern  = "{type}-{agency}"
)

// Notation builds a notation from a pattern. Empty parts and the dashes
// around them are dropped, so a letter drafted by the agency itself (no
// sub-unit) is just "STTTT".
func Notation(pattern, typeAbbr, agencyAbbr, unitAbbr string) string {
	r := strings.NewReplacer("{type}", typeAbbr, "{agency}", agencyAbbr, "{unit}", unitAbbr)
	out := r.Replace(pattern)
	parts := strings.FieldsFunc(out, func(c rune) bool { return c == '-' || unicode.IsSpace(c) })
	return strings.Join(parts, "-")
}
