package docparse

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Header patterns.
var (
	mottoNationRe = regexp.MustCompile(`(?i)c[ộô]ng\s*h(?:òa|oà|oa)\s*x[ãa]\s*h[ộô]i\s*ch[ủu]\s*n[gc]h[ĩíi]a\s*vi[ệe]t\s*nam`)
	// mottoPartRe: a line holding only part of the national motto, as web
	// tables wrap it ("CỘNG HÒA XÃ HỘI" / "CHỦ NGHĨA VIỆT NAM", "CỘNG" /
	// "HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").
	mottoPartRe  = regexp.MustCompile(`(?i)^(?:c[ộô]ng(?:\s*h(?:òa|oà|oa)\s*x[ãa]\s*h[ộô]i)?|h(?:òa|oà|oa)\s*x[ãa]\s*h[ộô]i\s*ch[ủu]\s*n[gc]h[ĩíi]a\s*vi[ệe]t\s*nam|ch[ủu]\s*n[gc]h[ĩíi]a\s*vi[ệe]t\s*nam)$`)
	mottoMaximRe = regexp.MustCompile(`(?i)đ[ộô]c\s*l[ậa]p\s*[-–—]+\s*t[ựư]\s*do\s*[-–—]+\s*h[ạa]nh\s*ph[úu]c`)
	mottoPartyRe = regexp.MustCompile(`(?i)đ[ảa]ng\s*c[ộô]ng\s*s[ảa]n\s*vi[ệe]t\s*nam`)
	// headerNumberRe: "Số: 570/STTTT-TTBCBC", "Số:570/…", "Số : 570 /STTTT",
	// "Số: 45/2021/QĐ-UBND", "Số 05-CT/TW", "Số: 125 / UBND - VX".
	headerNumberRe = regexp.MustCompile(`(?:^\s*số|(?:^|[^\p{L}])(?:Số|SỐ)|^(?:Luật|Pháp lệnh|Nghị quyết|Lệnh)\s+số)\s*:?\s*(\d{1,6}(?:\.\d{1,3})?[a-z]?)?\s*([/-])\s*([\p{Lu}\d][\p{L}\d]*(?:\s*[-/]\s*[\p{Lu}\d][\p{L}\d]*)*)`)
	// subjectPrefixRe: "V/v", "Về việc", "Về:" before a subject.
	subjectPrefixRe = regexp.MustCompile(`^(?:[Vv]\s*/\s*[Vv]\b\.?|[Vv]ề\s+việc\b|VỀ\s+VIỆC\b|[Vv]ề\s*:|VỀ\s*:)\s*:?\s*`)
	kinhGuiRe       = regexp.MustCompile(`^(?i:kính\s*gửi)\s*:?\s*`)
	separatorRe     = regexp.MustCompile(`^[\s*\-_=~.…–—·•]+$`)
	itemMarkerRe    = regexp.MustCompile(`^(?:(Điều\s+\d{1,3})\s*[.:]?|(\d{1,2})[.)]|(\d{1,2}(?:\.\d{1,2})+)\.?|([IVX]{1,5})[.)]|([a-zđ])\))\s+(\S.*)$`)
)

// docTypes maps the folded type name to its canonical form.
var docTypes = buildDocTypes("Công văn", "Quyết định", "Thông báo", "Kế hoạch", "Báo cáo", "Tờ trình",
	"Giấy mời", "Chỉ thị", "Hướng dẫn", "Thông tư", "Thông tư liên tịch", "Nghị định", "Nghị quyết",
	"Quy chế", "Quy định", "Thông cáo", "Chương trình", "Phương án", "Đề án", "Dự án", "Biên bản",
	"Hợp đồng", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền", "Giấy giới thiệu",
	"Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Luật", "Pháp lệnh", "Kết luận",
	"Quy định", "Lệnh", "Thư công")

func buildDocTypes(names ...string) map[string]string {
	m := make(map[string]string, len(names)+4)
	for _, n := range names {
		m[foldKey(n)] = n
	}
	m["cong van"] = "Công văn"
	return m
}

// Urgency and confidentiality marks, by folded key.
var (
	urgencyMarks = map[string]string{
		"khan": "KHẨN", "thuong khan": "THƯỢNG KHẨN", "hoa toc": "HỎA TỐC", "hoa toc hen gio": "HỎA TỐC",
	}
	secrecyMarks = map[string]string{"mat": "MẬT", "toi mat": "TỐI MẬT", "tuyet mat": "TUYỆT MẬT"}
	// ignoredMarks are other printed marks that are not agency names.
	ignoredMarks = map[string]bool{
		"luu hanh noi bo": true, "xem xong tra lai": true, "du thao": true, "ban sao": true,
		"sao y ban chinh": true, "sao y": true, "ban chinh": true,
	}
)

// pieceKind classifies a piece of a header line.
type pieceKind int

const (
	pkText pieceKind = iota
	pkIgnore
	pkNumber
	pkDate
	pkUrgency
	pkSecrecy
	pkType
	pkSubject
)

type piece struct {
	kind     pieceKind
	text     string // text, canonical type, mark, or subject without prefix
	number   string
	notation string
	date     headerDate
}

// classifySegment cuts a header segment into pieces: the national motto,
// the number, the place and date are found anywhere (web pages glue the
// two header columns together); the rest is classified as a whole.
func classifySegment(s string, out []piece) []piece {
	if s = strings.TrimSpace(s); s == "" {
		return out
	}
	if loc := subjectPrefixRe.FindStringIndex(s); loc != nil {
		return append(out, piece{kind: pkSubject, text: strings.TrimSpace(s[loc[1]:])})
	}
	if len(s) < 60 && mottoPartRe.MatchString(s) {
		return append(out, piece{kind: pkIgnore, text: s})
	}
	for _, re := range [...]*regexp.Regexp{mottoNationRe, mottoMaximRe, mottoPartyRe} {
		if !mottoCandidate(s) {
			break
		}
		if loc := re.FindStringIndex(s); loc != nil {
			out = classifySegment(s[:loc[0]], out)
			out = append(out, piece{kind: pkIgnore, text: s[loc[0]:loc[1]]})
			return classifySegment(s[loc[1]:], out)
		}
	}
	if strings.Contains(s, "ố") || strings.Contains(s, "Ố") {
		if m := headerNumberRe.FindStringSubmatchIndex(s); m != nil {
			p := piece{kind: pkNumber, text: s[m[0]:m[1]], notation: normalizeNotation(removeSpaces(s[m[6]:m[7]]))}
			if m[2] >= 0 {
				p.number = s[m[2]:m[3]]
			}
			out = classifySegment(s[:m[0]], out)
			out = append(out, p)
			return classifySegment(s[m[1]:], out)
		}
	}
	if hd, ok := findHeaderDate(s); ok {
		out = classifySegment(s[:hd.start], out)
		out = append(out, piece{kind: pkDate, text: s[hd.start:hd.end], date: hd})
		return classifySegment(s[hd.end:], out)
	}
	return classifyRest(s, out)
}

// mottoCandidate is a cheap filter before the motto patterns.
func mottoCandidate(s string) bool {
	return strings.Contains(s, "AM") || strings.Contains(s, "am") || strings.Contains(s, "húc") ||
		strings.Contains(s, "HÚC") || strings.Contains(s, "ÚC") || strings.Contains(s, "úc")
}

// homoglyphs maps Cyrillic capitals that look like Latin ones, typed into
// notations on some portals ("TT-BTС" with a Cyrillic С), to the Latin
// letters.
var homoglyphs = strings.NewReplacer("А", "A", "В", "B", "С", "C", "Е", "E", "Н", "H", "К", "K", "М", "M",
	"О", "O", "Р", "P", "Т", "T", "Х", "X")

// lostHyphenRe: a notation whose hyphen a PDF text layer dropped
// ("QĐUBND" for "QĐ-UBND"): a type abbreviation glued to a known issuer
// abbreviation.
var lostHyphenRe = regexp.MustCompile(`^(QĐ|NQ|KH|TB|BC|CT|HD|TTr|NĐ|TT|CĐ|GM|KL|CV)(UBND|HĐND|CP|TTg|VPCP|UBMTTQ|BCĐ)$`)

// normalizeNotation repairs what web and PDF copies do to a notation:
// Cyrillic look-alike letters and a lost hyphen.
func normalizeNotation(s string) string {
	for _, r := range s {
		if r >= 0x400 && r <= 0x4FF {
			s = homoglyphs.Replace(s)
			break
		}
	}
	if !strings.ContainsAny(s, "-/") {
		if m := lostHyphenRe.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2]
		}
	}
	return s
}

func removeSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// classifyRest classifies a piece that holds no motto, number or date.
func classifyRest(s string, out []piece) []piece {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return out
	case separatorRe.MatchString(s):
		return append(out, piece{kind: pkIgnore, text: s})
	}
	if loc := subjectPrefixRe.FindStringIndex(s); loc != nil {
		return append(out, piece{kind: pkSubject, text: strings.TrimSpace(s[loc[1]:])})
	}
	key := foldKey(strings.Trim(s, "()[]!*. "))
	if len(key) <= 16 {
		if m, ok := urgencyMarks[key]; ok {
			return append(out, piece{kind: pkUrgency, text: m})
		}
		if m, ok := secrecyMarks[key]; ok {
			return append(out, piece{kind: pkSecrecy, text: m})
		}
	}
	if ignoredMarks[key] {
		return append(out, piece{kind: pkIgnore, text: s})
	}
	if typ, rest, ok := leadingDocType(s); ok {
		out = append(out, piece{kind: pkType, text: typ})
		if rest != "" {
			out = append(out, piece{kind: pkSubject, text: rest})
		}
		return out
	}
	return append(out, piece{kind: pkText, text: s})
}

// leadingDocType recognises a type name that is the whole piece ("QUYẾT
// ĐỊNH", "Quyết định") or starts it in capitals followed by the subject
// ("KẾ HOẠCH Tuyên truyền ..."). rest is the subject, without "V/v".
func leadingDocType(s string) (typ, rest string, ok bool) {
	words := strings.Fields(s)
	if len(words) == 0 {
		return "", "", false
	}
	maxN := min(4, len(words))
	for n := maxN; n >= 1; n-- {
		head := strings.Join(words[:n], " ")
		canon, found := docTypes[foldKey(head)]
		if !found {
			continue
		}
		if n == len(words) {
			return canon, "", true
		}
		if !isUpperText(head) || isUpperText(words[n]) {
			continue
		}
		rest = strings.Join(words[n:], " ")
		if loc := subjectPrefixRe.FindStringIndex(rest); loc != nil {
			rest = rest[loc[1]:]
		}
		return canon, rest, true
	}
	return "", "", false
}

// header is what the header zone yields.
type header struct {
	agencyLines     []string
	number          string
	notation        string
	numberFound     bool
	place           string
	date            string
	dateRaw         string
	dateFound       bool
	docType         string
	subjectLines    []string
	subjectByPrefix bool // "V/v" or "Về việc" seen
	urgency         string
	secrecy         string
	end             int  // index of the first line after the header
	kinhGui         bool // the header ended at "Kính gửi"
}

// headerState is the position of the header scanner.
type headerState int

const (
	stTop     headerState = iota // agency block, number, marks
	stSubject                    // inside the type name / subject block
	stAfter                      // subject done; motto and date may follow
)

// maxHeaderLines bounds the non-blank lines scanned for the header;
// maxHeaderLineLen bounds the length of a header line (longer lines are
// body text).
const (
	maxHeaderLines   = 45
	maxHeaderLineLen = 1000
)

// headerScanner walks the first lines of the document.
type headerScanner struct {
	h          header
	state      headerState
	awaitTitle bool // a type name was seen, its subject not yet
	afterBlank bool // a blank line followed the subject lines read so far
	pieces     []piece
}

// parseHeader scans the header zone: from the top to "Kính gửi" or to the
// first line of the body.
func parseHeader(lines []docLine) header {
	sc := &headerScanner{pieces: make([]piece, 0, 8)}
	nonBlank := 0
	for i := range lines {
		if i > 40 { // header tables sit in the first lines
			break
		}
		joinSplitDate(lines, i)
	}
	for i, ln := range lines {
		if ln.blank() {
			// Web copies put every wrapped line of a subject in its own
			// paragraph: a blank line only ends the subject if the next
			// line does not continue it (see text).
			if sc.state == stSubject && len(sc.h.subjectLines) > 0 {
				sc.afterBlank = true
			}
			continue
		}
		nonBlank++
		if kinhGuiRe.MatchString(ln.text) {
			sc.h.end, sc.h.kinhGui = i, true
			return sc.h
		}
		if nonBlank > maxHeaderLines || !sc.line(ln) {
			sc.h.end = i
			return sc.h
		}
	}
	sc.h.end = len(lines)
	return sc.h
}

// line handles one header line; false means the body starts here.
func (sc *headerScanner) line(ln docLine) bool {
	if len(ln.raw) > maxHeaderLineLen {
		return false
	}
	sc.pieces = sc.pieces[:0]
	if sc.state == stSubject && (sc.awaitTitle || len(sc.h.subjectLines) > 0) && !opensHeaderItem(ln.text) {
		// Inside the title: a number or date in it ("sửa đổi Nghị quyết số
		// 70/2025/UBTVQH15 ngày 07 tháng 02 năm 2025") is the subject's.
		return sc.piece(piece{kind: pkText, text: ln.text})
	}
	for _, seg := range splitSegments(ln.raw) {
		sc.pieces = classifySegment(seg.text, sc.pieces)
	}
	for _, p := range sc.pieces {
		if !sc.piece(p) {
			return false
		}
	}
	return true
}

// piece files one piece; false means the body starts with it.
func (sc *headerScanner) piece(p piece) bool {
	h := &sc.h
	switch p.kind {
	case pkNumber:
		if !h.numberFound {
			h.number, h.notation, h.numberFound = p.number, p.notation, true
		}
	case pkDate:
		if !h.dateFound {
			h.place, h.date, h.dateRaw, h.dateFound = p.date.place, p.date.date, p.date.raw, true
		}
	case pkUrgency:
		if h.urgency == "" {
			h.urgency = p.text
		}
	case pkSecrecy:
		if h.secrecy == "" {
			h.secrecy = p.text
		}
	case pkType:
		if h.docType == "" && len(h.subjectLines) == 0 {
			h.docType = p.text
			sc.state, sc.awaitTitle = stSubject, true
		}
	case pkSubject:
		if len(h.subjectLines) == 0 {
			h.subjectByPrefix = h.subjectByPrefix || !sc.awaitTitle
			sc.startSubject(p.text)
		}
	case pkText:
		return sc.text(p.text)
	}
	return true
}

func (sc *headerScanner) startSubject(s string) {
	sc.awaitTitle = false
	sc.state = stSubject
	if s != "" {
		sc.h.subjectLines = append(sc.h.subjectLines, s)
	}
}

// text files unclassified text according to the scanner state.
func (sc *headerScanner) text(s string) bool {
	h := &sc.h
	switch sc.state {
	case stTop:
		if isUpperText(s) {
			if !h.numberFound && h.docType == "" {
				h.agencyLines = append(h.agencyLines, s)
			}
			return true
		}
		return !looksLikeBody(s)
	case stSubject:
		if sc.awaitTitle || len(h.subjectLines) == 0 {
			if isUpperText(s) && strings.HasPrefix(s, "CỦA ") {
				return true // "CHỈ THỊ / CỦA BAN BÍ THƯ": part of the title
			}
			if (isUpperText(s) && authorLineRe.MatchString(s)) || !mayBeTitleSubject(s) {
				sc.state = stAfter
				return false
			}
			sc.startSubject(s)
			return true
		}
		if subjectContinues(h.subjectLines, s) && !authorLineRe.MatchString(s) &&
			(!sc.afterBlank || continuesAfterBreak(h.subjectLines, s)) {
			h.subjectLines = append(h.subjectLines, s)
			sc.afterBlank = false
			return true
		}
		sc.state = stAfter
		return false
	}
	return false
}

// splitDateRe: a place-and-date line cut before its month or year ("Lạng
// Sơn, ngày 13" / "tháng 01 năm 2020"), as web table copies wrap it.
var (
	splitDateRe     = regexp.MustCompile(`, ngày\s*\d{1,2}(?:\s*tháng\s*\d{1,2})?\s*$`)
	splitDateRestRe = regexp.MustCompile(`^(?:tháng\s*\d{1,2}\s*)?năm\s*\d{4}|^tháng\s*\d{1,2}\s*năm\s*\d{4}`)
)

// joinSplitDate joins lines[i] with the next line when together they make
// one place-and-date line; the next line is left blank.
func joinSplitDate(lines []docLine, i int) {
	if i+1 >= len(lines) || !splitDateRe.MatchString(lines[i].text) || !splitDateRestRe.MatchString(lines[i+1].text) {
		return
	}
	lines[i].text += " " + lines[i+1].text
	lines[i].raw = strings.TrimRight(lines[i].raw, " ") + " " + lines[i+1].text
	lines[i+1] = docLine{}
}

// opensHeaderItem reports whether a line under the title is still a header
// item (motto, number, place and date, subject prefix, marks) rather than
// title text.
func opensHeaderItem(s string) bool {
	if subjectPrefixRe.MatchString(s) || separatorRe.MatchString(s) || mottoPartRe.MatchString(s) ||
		(mottoCandidate(s) && (mottoNationRe.MatchString(s) || mottoMaximRe.MatchString(s) || mottoPartyRe.MatchString(s))) {
		return true
	}
	if strings.HasPrefix(s, "Số") || strings.HasPrefix(s, "SỐ") {
		return true
	}
	if hd, ok := findHeaderDate(s); ok && hd.place != "" &&
		utf8.RuneCountInString(s[:hd.start]) <= 40 && !strings.Contains(s[:hd.start], " của ") {
		return true
	}
	if _, _, ok := leadingDocType(s); ok {
		return true
	}
	key := foldKey(strings.Trim(s, "()[]!*. "))
	return len(key) <= 16 && (urgencyMarks[key] != "" || secrecyMarks[key] != "" || ignoredMarks[key])
}

// authorLineRe matches the line naming the author under a title ("CHỦ TỊCH
// ỦY BAN NHÂN DÂN TỈNH", "BỘ TRƯỞNG BỘ TÀI CHÍNH", "QUYẾT ĐỊNH:"): it ends
// the subject.
var authorLineRe = regexp.MustCompile(`^(?:CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|GIÁM ĐỐC|THỐNG ĐỐC|TỔNG KIỂM TOÁN|` +
	`CHÁNH ÁN|VIỆN TRƯỞNG|[ỦU][YỶ] BAN|HỘI ĐỒNG|CHÍNH PHỦ|QUỐC HỘI|BAN THƯỜNG VỤ|BAN CHẤP HÀNH|BAN BÍ THƯ|` +
	`TRƯỞNG BAN|CHÁNH VĂN PHÒNG|CỤC TRƯỞNG|TỔNG CỤC TRƯỞNG|BỘ CHÍNH TRỊ)(?:\s|$)|^[^a-zđ]*:\s*$`)

// continuesAfterBreak reports whether s, after a blank line, still
// continues the subject: a wrapped line starts in lower case, or stays in
// capitals under a subject in capitals.
func continuesAfterBreak(subject []string, s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsLower(r) {
		return true
	}
	last := subject[len(subject)-1]
	if isUpperText(s) {
		return isUpperText(last)
	}
	// A line cut after a function word goes on, whatever the next line's
	// first letter.
	return endsWithConnector(last) && !endsSentence(s)
}

// subjectConnectors are words a wrapped title line cannot end with.
var subjectConnectors = []string{"của", "và", "thuộc", "về", "cho", "tại", "trong", "với", "đối với",
	"các", "những", "giữa", "theo", "từ", "đến", "số", "ngày", "để", "có", "là"}

func endsWithConnector(s string) bool {
	s = strings.TrimSpace(s)
	for _, w := range subjectConnectors {
		if strings.HasSuffix(s, " "+w) {
			return true
		}
	}
	return strings.HasSuffix(s, ",")
}

// bodyStarters are words that open the first paragraph of a body.
var bodyStarters = []string{"Căn cứ", "Thực hiện", "Theo ", "Xét ", "Hôm nay", "Nhằm ", "Để ",
	"Triển khai", "Sau khi", "Được sự", "Qua ", "Trong ", "Thời gian", "Ngày ", "Vừa qua", "Tiếp ",
	"Hiện nay", "Thời gian qua", "Nhận được"}

// looksLikeBody reports a line that opens the body rather than continuing
// the header: a long line, a numbered item or a typical opening phrase.
func looksLikeBody(s string) bool {
	if runeLen(s) > 110 || itemMarkerRe.MatchString(s) {
		return true
	}
	for _, w := range bodyStarters {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// mayBeTitleSubject reports whether the line under a type name can be the
// subject: anything but the opening of the body ("Căn cứ", a numbered
// item, a long sentence).
func mayBeTitleSubject(s string) bool {
	n := runeLen(s)
	switch {
	case strings.HasPrefix(s, "Căn cứ"), itemMarkerRe.MatchString(s), n > 600:
		return false
	case endsSentence(s) && n > 100:
		return false
	}
	return true
}

// subjectContinues reports whether s continues a wrapped subject.
func subjectContinues(subject []string, s string) bool {
	last := subject[len(subject)-1]
	if endsSentence(last) || isListMarkerStart(s) || runeLen(s) > 100 {
		return false
	}
	if isUpperText(s) {
		return isUpperText(last)
	}
	return !looksLikeBody(s)
}
