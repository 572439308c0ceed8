package edxml

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// DocTypeInfo describes one document type and its DocumentType codes.
type DocTypeInfo struct {
	Name           string // canonical name, e.g. "Công văn"
	Abbrev         string // notation abbreviation (Decree 30, Appendix III); "" for Công văn, Thư công
	Type           int    // DocumentType/Type
	TypeDetail     int    // DocumentType/TypeDetail
	LegalNormative bool   // a legal normative document (Law 80/2015), not an administrative one
}

// docTypes is the table of DocumentType codes.
//
// Choice of codes (QCVN 102's own code table was not available to us): Type
// is the position of the type in the list of administrative documents of
// Decree 30/2020/NĐ-CP, Article 7 (1 Nghị quyết … 18 Công văn … 29 Thư công)
// and TypeDetail is 0. Positions 1–20 coincide with the older list of Decree
// 110/2004 (as amended by Decree 09/2010), and Type 18 / TypeDetail 0 for
// Công văn is what a public exchange SDK sample writes. Legal normative
// documents are not in that list; they get codes from 101 up (project
// choice). "Nghị quyết" and "Quyết định" share the administrative codes 1
// and 2. Decoding relies on TypeName first and uses the codes only when the
// name is missing.
var docTypes = [...]DocTypeInfo{
	{Name: "Nghị quyết", Abbrev: "NQ", Type: 1},
	{Name: "Quyết định", Abbrev: "QĐ", Type: 2},
	{Name: "Chỉ thị", Abbrev: "CT", Type: 3},
	{Name: "Quy chế", Abbrev: "QC", Type: 4},
	{Name: "Quy định", Abbrev: "QyĐ", Type: 5},
	{Name: "Thông cáo", Abbrev: "TC", Type: 6},
	{Name: "Thông báo", Abbrev: "TB", Type: 7},
	{Name: "Hướng dẫn", Abbrev: "HD", Type: 8},
	{Name: "Chương trình", Abbrev: "CTr", Type: 9},
	{Name: "Kế hoạch", Abbrev: "KH", Type: 10},
	{Name: "Phương án", Abbrev: "PA", Type: 11},
	{Name: "Đề án", Abbrev: "ĐA", Type: 12},
	{Name: "Dự án", Abbrev: "DA", Type: 13},
	{Name: "Báo cáo", Abbrev: "BC", Type: 14},
	{Name: "Biên bản", Abbrev: "BB", Type: 15},
	{Name: "Tờ trình", Abbrev: "TTr", Type: 16},
	{Name: "Hợp đồng", Abbrev: "HĐ", Type: 17},
	{Name: "Công văn", Type: 18},
	{Name: "Công điện", Abbrev: "CĐ", Type: 19},
	{Name: "Bản ghi nhớ", Abbrev: "BGN", Type: 20},
	{Name: "Bản thỏa thuận", Abbrev: "BTT", Type: 21},
	{Name: "Giấy ủy quyền", Abbrev: "GUQ", Type: 22},
	{Name: "Giấy mời", Abbrev: "GM", Type: 23},
	{Name: "Giấy giới thiệu", Abbrev: "GGT", Type: 24},
	{Name: "Giấy nghỉ phép", Abbrev: "GNP", Type: 25},
	{Name: "Phiếu gửi", Abbrev: "PG", Type: 26},
	{Name: "Phiếu chuyển", Abbrev: "PC", Type: 27},
	{Name: "Phiếu báo", Abbrev: "PB", Type: 28},
	{Name: "Thư công", Type: 29},
	{Name: "Luật", Type: 101, LegalNormative: true},
	{Name: "Pháp lệnh", Type: 102, LegalNormative: true},
	{Name: "Lệnh", Type: 103, LegalNormative: true},
	{Name: "Nghị định", Abbrev: "NĐ", Type: 104, LegalNormative: true},
	{Name: "Thông tư", Abbrev: "TT", Type: 105, LegalNormative: true},
	{Name: "Thông tư liên tịch", Abbrev: "TTLT", Type: 106, LegalNormative: true},
}

// docTypeAliases maps other spellings (old tone placement) to canonical names.
var docTypeAliases = map[string]string{
	"bản thoả thuận": "Bản thỏa thuận",
	"giấy uỷ quyền":  "Giấy ủy quyền",
}

// DocTypes returns the table of known document types.
func DocTypes() []DocTypeInfo { return append([]DocTypeInfo(nil), docTypes[:]...) }

// foldName normalises a Vietnamese name for comparison: NFC, lower case,
// single spaces.
func foldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(s))), " ")
}

// LookupDocType finds a document type by name, ignoring case, Unicode
// normalisation form and extra spaces ("CÔNG VĂN", "Công văn").
func LookupDocType(name string) (DocTypeInfo, bool) {
	f := foldName(name)
	if alias, ok := docTypeAliases[f]; ok {
		f = foldName(alias)
	}
	for _, d := range docTypes {
		if foldName(d.Name) == f {
			return d, true
		}
	}
	return DocTypeInfo{}, false
}

// DocTypeByCode finds a document type by its DocumentType/Type code.
func DocTypeByCode(typ int) (DocTypeInfo, bool) {
	for _, d := range docTypes {
		if d.Type == typ {
			return d, true
		}
	}
	return DocTypeInfo{}, false
}
