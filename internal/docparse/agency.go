package docparse

import (
	"fmt"
	"strings"
)

// genericAgencyHeads are agency names that are incomplete on their own:
// the next header line ("TỈNH QUẢNG TRỊ") belongs to the same name.
var genericAgencyHeads = buildSet(strings.Join([]string{
	"uy|ban|nhan|dan", "ubnd", "hoi|dong|nhan|dan", "hdnd", "uy|ban|mat|tran|to|quoc|viet|nam",
	"uy|ban|mttq|viet|nam", "ubmttq|viet|nam", "dang|uy", "cong|an", "bo|chi|huy|quan|su",
	"ban|chi|huy|quan|su", "ban|nhan|dan", "ban|chap|hanh|doan", "doan|thanh|nien", "hoi|nong|dan",
	"hoi|lien|hiep|phu|nu", "hoi|cuu|chien|binh", "ban|chi|dao", "ban|thuong|vu", "uy|ban|thuong|vu", "toa|an|nhan|dan",
	"vien|kiem|sat|nhan|dan", "kho|bac|nha|nuoc", "chi|cuc|thue", "trung|tam|y|te", "van|phong",
	"bo|thong|tin", "so|thong|tin", "so|van|hoa", "phong|van|hoa",
}, " "))

// territorialWords start a line that names the territory of the line
// above ("ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG TRỊ").
var territorialWords = []string{"tinh ", "huyen ", "thanh pho ", "tp ", "tp. ", "quan ", "thi xa ",
	"thi tran ", "xa ", "phuong ", "dac khu "}

// partyBodies are complete Party body names that start with a territorial
// word ("TỈNH ỦY", "HUYỆN ỦY CAM LỘ").
var partyBodies = []string{"tinh uy", "huyen uy", "thanh uy", "thi uy", "quan uy", "dang uy"}

// agencyConnectors end or start a line that continues a wrapped name.
var (
	agencyTrailingConnectors = []string{" va", " cua", " ve", " cac", ",", "-", " &"}
	agencyLeadingConnectors  = []string{"va ", "& ", "cua ", "ve "}
)

// foldedAgencyKey folds an agency line and joins its words with "|", the
// form used in genericAgencyHeads.
func foldedAgencyKey(s string) string {
	return strings.ReplaceAll(foldKey(s), " ", "|")
}

// continuesAgency reports whether next is the wrapped rest of the agency
// name prev rather than the next agency level.
func continuesAgency(prev, next string) bool {
	p, n := foldKey(prev), foldKey(next)
	if genericAgencyHeads[strings.ReplaceAll(p, " ", "|")] {
		return true
	}
	for _, c := range agencyTrailingConnectors {
		if strings.HasSuffix(p, c) {
			return true
		}
	}
	for _, c := range agencyLeadingConnectors {
		if strings.HasPrefix(n, c) {
			return true
		}
	}
	if hasAnyPrefix(n, territorialWords) {
		return !hasAnyPrefix(n, partyBodies) && !containsTerritory(p)
	}
	// A line that does not start like an agency name continues the one
	// above ("BAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH" / "COVID-19").
	return !hasAnyPrefix(n+" ", agencyHeadWords)
}

// agencyHeadWords start the name of an agency (folded, with a trailing
// space).
var agencyHeadWords = []string{"uy ban ", "ubnd ", "hdnd ", "hoi dong ", "so ", "phong ", "bo ", "cuc ",
	"tong cuc ", "vu ", "vien ", "ban ", "trung tam ", "dai ", "bao ", "cong an ", "chi cuc ", "van phong ",
	"truong ", "benh vien ", "dang ", "chinh phu ", "thu tuong ", "quoc hoi ", "mat tran ", "doan ", "hoi ",
	"toa an ", "kho bac ", "bo chi huy ", "ban chi huy ", "cong ty ", "tong cong ty ", "ngan hang ", "quy ",
	"lien doan ", "hoc vien ", "dai hoc ", "thanh tra ", "chi nhanh ", "to ", "hop tac xa ", "ubmttq ",
	"khoi ", "bch ", "bcd ", "bql ", "ttvh", "tt ", "chu tich ", "lien minh ", "hiep hoi ", "nha ", "khu ",
	"tinh uy", "huyen uy", "thanh uy", "thi uy", "quan uy", "dang uy", "dang bo ", "chi bo ", "ban thuong vu "}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// containsTerritory reports a folded name that already names a territory.
func containsTerritory(p string) bool {
	for _, w := range territorialWords {
		if strings.HasPrefix(p, w) || strings.Contains(p, " "+w) {
			return true
		}
	}
	return strings.Contains(p, "trung uong") || strings.Contains(p, "viet nam")
}

// agencyNames merges wrapped agency lines into names, top level first.
func agencyNames(lines []string) []string {
	var names []string
	for _, ln := range lines {
		if len(names) > 0 && continuesAgency(names[len(names)-1], ln) {
			names[len(names)-1] += " " + ln
			continue
		}
		names = append(names, ln)
	}
	return names
}

// issuers picks the parent issuer and the issuer from the agency lines.
func issuers(lines []string) (parent, issuer, warning string) {
	names := agencyNames(lines)
	switch len(names) {
	case 0:
		return "", "", warnNoIssuer
	case 1:
		return "", names[0], ""
	case 2:
		return names[0], names[1], ""
	}
	n := len(names)
	return names[n-2], names[n-1], fmt.Sprintf("more than two agency lines in the header (%s); took the last two",
		strings.Join(names, " / "))
}
