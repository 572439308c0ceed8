package tts

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rule is one entry of a pronunciation dictionary: Term, matched as a
// whole word and case-sensitively, is read as Say.
type Rule struct {
	Term string `json:"term"`
	Say  string `json:"say"`
}

// Limits of a dictionary entry.
const (
	MaxRuleTermRunes = 60
	MaxRuleSayRunes  = 300
)

// Pronouncer rewrites bulletin text so that any speech engine (espeak-ng
// or an HTTP service) reads it as an announcer would: it is applied to the
// text before the engine sees it. It works in passes, in this order:
// document codes ("570/STTTT-TTBCBC"), the dictionary (abbreviations such
// as "UBND", "Đ/c", "5K", "SXH"), phone numbers (read digit by digit in
// their groups), dates, ranges ("2016 - 2020" "… đến …"), money and
// percentages, times ("14h30" "mười bốn giờ ba mươi phút"), Roman
// numerals after words such as "khóa" or "quý", ordinals ("thứ 4"), and
// finally every remaining number in words; abbreviations in capitals that
// no dictionary knows and that have no vowel are spelt with Vietnamese
// letter names. A Pronouncer is immutable and safe for concurrent use.
type Pronouncer struct {
	words   map[rune][]Rule // dictionary by first rune, longest term first
	notions map[string]string
}

// NewPronouncer builds a pronouncer from dictionaries applied in layers:
// a later layer's entry replaces an earlier one with the same term (the
// national default first, then the province's, then the commune's).
// Entries with an empty term or reading are ignored.
func NewPronouncer(layers ...[]Rule) *Pronouncer {
	merged := map[string]string{}
	for _, l := range layers {
		for _, r := range l {
			if r.Term == "" || strings.TrimSpace(r.Say) == "" {
				continue
			}
			merged[r.Term] = r.Say
		}
	}
	p := &Pronouncer{words: map[rune][]Rule{}, notions: map[string]string{}}
	for k, v := range notationWords {
		p.notions[k] = v
	}
	for term, say := range merged {
		first, _ := utf8.DecodeRuneInString(term)
		p.words[first] = append(p.words[first], Rule{Term: term, Say: say})
		// A dictionary entry also reads a segment of a document code.
		p.notions[term] = say
	}
	for k := range p.words {
		slices.SortFunc(p.words[k], func(a, b Rule) int {
			if c := cmp.Compare(len(b.Term), len(a.Term)); c != 0 {
				return c
			}
			return cmp.Compare(a.Term, b.Term)
		})
	}
	return p
}

// DefaultRules is the national default dictionary: abbreviations common
// in administrative texts and bulletins all over the country.
func DefaultRules() []Rule { return slices.Clone(defaultRules) }

var defaultRules = []Rule{
	{"UBND", "Ủy ban nhân dân"},
	{"HĐND", "Hội đồng nhân dân"},
	{"UBMTTQ", "Ủy ban Mặt trận Tổ quốc"},
	{"MTTQ", "Mặt trận Tổ quốc"},
	{"BCĐ", "Ban Chỉ đạo"},
	{"TTTT", "Thông tin và Truyền thông"},
	{"TT&TT", "Thông tin và Truyền thông"},
	{"STTTT", "Sở Thông tin và Truyền thông"},
	{"THPT", "trung học phổ thông"},
	{"THCS", "trung học cơ sở"},
	{"BHYT", "bảo hiểm y tế"},
	{"BHXH", "bảo hiểm xã hội"},
	{"CCCD", "căn cước công dân"},
	{"PCCC", "phòng cháy chữa cháy"},
	{"ANTT", "an ninh trật tự"},
	{"ATTP", "an toàn thực phẩm"},
	{"CSGT", "cảnh sát giao thông"},
	{"HTX", "hợp tác xã"},
	{"KT-XH", "kinh tế - xã hội"},
	{"SĐT", "số điện thoại"},
	{"SXH", "sốt xuất huyết"},
	{"PCT", "Phó Chủ tịch"},
	{"V/v", "về việc"},
	{"v/v", "về việc"},
	{"b/c", "báo cáo"},
	{"Đ/c", "đồng chí"},
	{"đ/c", "đồng chí"},
	{"Đ/C", "đồng chí"},
	{"TP.HCM", "Thành phố Hồ Chí Minh"},
	{"TPHCM", "Thành phố Hồ Chí Minh"},
	{"Tp.HCM", "Thành phố Hồ Chí Minh"},
	{"HCM", "Hồ Chí Minh"},
	{"TP.", "thành phố"},
	{"Tp.", "thành phố"},
	{"TP", "thành phố"},
	{"TX.", "thị xã"},
	{"5K+", "năm ca cộng"},
	{"5K", "năm ca"},
	// espeak-ng switches to English for "Covid".
	{"COVID-19", "Cô vít mười chín"},
	{"Covid-19", "Cô vít mười chín"},
	{"covid-19", "cô vít mười chín"},
	{"COVID", "Cô vít"},
	{"Covid", "Cô vít"},
	{"covid", "cô vít"},
	{"km", "ki lô mét"},
	{"kg", "ki lô gam"},
}

// notationWords read the parts of a document's notation ("CT-TTg",
// "UBND-VX"); they apply only inside a document code, where "CT" cannot
// mean anything but "chỉ thị".
var notationWords = map[string]string{
	"CT": "chỉ thị", "NQ": "nghị quyết", "QĐ": "quyết định", "NĐ": "nghị định", "TT": "thông tư",
	"KH": "kế hoạch", "TB": "thông báo", "CV": "công văn", "HD": "hướng dẫn", "BC": "báo cáo",
	"TTr": "tờ trình", "CĐ": "công điện", "CP": "Chính phủ", "TTg": "Thủ tướng", "VX": "văn xã",
	"KT": "kinh tế", "NC": "nội chính", "VP": "văn phòng", "BYT": "Bộ Y tế", "SYT": "Sở Y tế",
	"BTTTT": "Bộ Thông tin và Truyền thông", "TU": "Tỉnh ủy", "HU": "Huyện ủy", "ĐU": "Đảng ủy",
	"QH": "Quốc hội", "SNV": "Sở Nội vụ", "TTCS": "Thông tin cơ sở", "TTTH": "Thông tin tổng hợp",
}

var letterNames = map[rune]string{
	'A': "a", 'Ă': "á", 'Â': "ớ", 'B': "bê", 'C': "xê", 'D': "dê", 'Đ': "đê", 'E': "e", 'Ê': "ê",
	'F': "ép", 'G': "giê", 'H': "hát", 'I': "i", 'J': "gi", 'K': "ca", 'L': "e lờ", 'M': "em mờ",
	'N': "en nờ", 'O': "o", 'Ô': "ô", 'Ơ': "ơ", 'P': "pê", 'Q': "quy", 'R': "e rờ", 'S': "ét",
	'T': "tê", 'U': "u", 'Ư': "ư", 'V': "vê", 'W': "vê kép", 'X': "ích", 'Y': "i dài", 'Z': "dét",
}

// Spell reads capital letters with their Vietnamese names: "TTBCBC" "tê
// tê bê xê bê xê". Other characters are dropped.
func Spell(s string) string {
	var w []string
	for _, r := range s {
		if n, ok := letterNames[unicode.ToUpper(r)]; ok {
			w = append(w, n)
		} else if r >= '0' && r <= '9' {
			w = append(w, digitWords[r-'0'])
		}
	}
	return strings.Join(w, " ")
}

const upperL = `A-ZĐĂÂÊÔƠƯ`
const letterL = `A-Za-zĐđĂăÂâÊêÔôƠơƯư&`

var (
	endMarkRe = regexp.MustCompile(`\./\.`)
	// 570/STTTT-TTBCBC, 16/CT-TTg, 15/2021/NĐ-CP, 13-HD/BTGDVTU.
	docCodeRe = regexp.MustCompile(`(\bsố\s+|\bSố\s+|\bSố:\s*)?\b(\d{1,6})(?:/(\d{4}))?[/-]\s?([` + upperL + `][` + letterL + `]*(?:\s?[-/]\s?[` + upperL + `][` + letterL + `]*)*)`)
	// 1900 9095, 19003228, 0297 3862 123, 0912.345.678, 0912345678.
	phoneRe = regexp.MustCompile(`\b(?:1[89]00[ .]?\d{3,4}|0\d{2,3}[ .]\d{3,4}[ .]\d{3,4}|0\d{8,10})\b`)
	// ngày 2-2, chiều 16-5, ngày 4-6-2021.
	dashDateRe = regexp.MustCompile(`((?i:ngày|sáng|chiều|trưa|tối|đêm))\s+(\d{1,2})-(\d{1,2})(?:-(\d{4}))?\b`)
	// tháng 10-2015, tháng 6/2021.
	monthYearRe = regexp.MustCompile(`\b(tháng|Tháng)\s+(\d{1,2})[-/](\d{4})\b`)
	// 2016 - 2020, 07:00 - 15:00, 30/4-1/5, 10 - 12/10.
	rangeRe = regexp.MustCompile(`(\d[\dh:’']*)\s*[-–—]\s*(\d)`)
	// 1.500.000 đồng, 50.000đ, 2,5 tỷ đồng, 3tr.
	moneyRe   = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?\s?(đồng|đ|VNĐ|VND|vnđ|tr)([^\pL\pN]|$)`)
	percentRe = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?\s?%`)
	// 14h30, 14h, 7 giờ 30’, 07:00, 7g30.
	timeHRe     = regexp.MustCompile(`\b(\d{1,2})[hg](\d{2})?(?:’|'|p|\s?phút)?([^\pL\pN]|$)`)
	timeColonRe = regexp.MustCompile(`\b(\d{1,2}):(\d{2})\b`)
	timeGioRe   = regexp.MustCompile(`\b(\d{1,2})\s+giờ(?:\s+(\d{1,2})\s?(’|'|phút))?`)
	// 03/6/2021, 3-6-2021 (with the year), 15/8 (day and month).
	dateRe     = regexp.MustCompile(`(ngày\s+|Ngày\s+)?\b(\d{1,2})/(\d{1,2})/(\d{4})\b`)
	dayMonthRe = regexp.MustCompile(`(ngày\s+|Ngày\s+)?\b(\d{1,2})/(\d{1,2})\b`)
	romanRe    = regexp.MustCompile(`((?i:khóa|khoá|kỳ|quý|lần thứ|thứ|đại hội|phần|chương|mục|giai đoạn|cấp độ|cấp|loại|hội trường|tuần|hạng))\s+([IVXLCDM]+)\b`)
	ordinalRe  = regexp.MustCompile(`\b(thứ|Thứ)\s+(\d{1,3})\b`)
	perUnitRe  = regexp.MustCompile(`(\pL)/(phút|giờ|ngày|tuần|tháng|năm|người|hộ|lít|lần|suất|tấn|ha)`)
	numberRe   = regexp.MustCompile(`\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?`)
	plusRe     = regexp.MustCompile(`\s\+\s`)
	spacesRe   = regexp.MustCompile(`[ \t]{2,}`)
)

// Apply rewrites text for speech.
func (p *Pronouncer) Apply(text string) string {
	text = endMarkRe.ReplaceAllString(text, ".")
	text = strings.NewReplacer("“", "", "”", "", "„", "", "«", "", "»", "").Replace(text)
	text = docCodeRe.ReplaceAllStringFunc(text, p.docCode)
	text = p.dictionary(text)
	text = phoneRe.ReplaceAllStringFunc(text, phone)
	text = dashDateRe.ReplaceAllStringFunc(text, func(m string) string {
		s := dashDateRe.FindStringSubmatch(m)
		if !validDayMonth(s[2], s[3]) {
			return m
		}
		out := s[1] + " " + NumberWords(s[2]) + " tháng " + monthWords(s[3])
		if s[4] != "" {
			out += " năm " + NumberWords(s[4])
		}
		return out
	})
	text = monthYearRe.ReplaceAllStringFunc(text, func(m string) string {
		s := monthYearRe.FindStringSubmatch(m)
		return s[1] + " " + monthWords(s[2]) + " năm " + NumberWords(s[3])
	})
	text = replaceAllLoop(text, rangeRe, "$1 đến $2")
	text = moneyRe.ReplaceAllStringFunc(text, func(m string) string {
		s := moneyRe.FindStringSubmatch(m)
		unit := "đồng"
		if s[3] == "tr" {
			unit = "triệu"
		}
		return decimalWords(s[1]+s[2]) + " " + unit + s[4]
	})
	text = percentRe.ReplaceAllStringFunc(text, func(m string) string {
		s := percentRe.FindStringSubmatch(m)
		return decimalWords(s[1]+s[2]) + " phần trăm"
	})
	text = timeHRe.ReplaceAllStringFunc(text, func(m string) string {
		s := timeHRe.FindStringSubmatch(m)
		if t := timeWords(s[1], s[2], ""); t != "" {
			return t + s[3]
		}
		return m
	})
	text = timeColonRe.ReplaceAllStringFunc(text, func(m string) string {
		s := timeColonRe.FindStringSubmatch(m)
		return timeWords(s[1], s[2], m)
	})
	text = timeGioRe.ReplaceAllStringFunc(text, func(m string) string {
		s := timeGioRe.FindStringSubmatch(m)
		return timeWords(s[1], s[2], m)
	})
	text = dateRe.ReplaceAllStringFunc(text, func(m string) string {
		s := dateRe.FindStringSubmatch(m)
		if !validDayMonth(s[2], s[3]) {
			return m
		}
		lead := s[1]
		if lead == "" {
			lead = "ngày "
		}
		return lead + NumberWords(s[2]) + " tháng " + monthWords(s[3]) + " năm " + NumberWords(s[4])
	})
	text = dayMonth(text)
	text = romanRe.ReplaceAllStringFunc(text, func(m string) string {
		s := romanRe.FindStringSubmatch(m)
		n, ok := romanValue(s[2])
		if !ok {
			return m
		}
		if strings.EqualFold(s[1], "thứ") || strings.EqualFold(s[1], "lần thứ") {
			return s[1] + " " + ordinalWords(n)
		}
		return s[1] + " " + NumberWords(itoa(n))
	})
	text = ordinalRe.ReplaceAllStringFunc(text, func(m string) string {
		s := ordinalRe.FindStringSubmatch(m)
		return s[1] + " " + ordinalWords(atoi(s[2]))
	})
	text = perUnitRe.ReplaceAllString(text, "$1 một $2")
	text = plusRe.ReplaceAllString(text, " cộng ")
	text = numberRe.ReplaceAllStringFunc(text, decimalWords)
	text = spellCaps(text)
	return spacesRe.ReplaceAllString(text, " ")
}

// replaceAllLoop applies re until nothing changes (overlapping matches
// such as "1-2-3"), at most a few times.
func replaceAllLoop(s string, re *regexp.Regexp, repl string) string {
	for range 4 {
		n := re.ReplaceAllString(s, repl)
		if n == s {
			return n
		}
		s = n
	}
	return s
}

// docCode reads a document code: its number, its year, and each part of
// its notation (a known one in words, an unknown one spelt).
func (p *Pronouncer) docCode(m string) string {
	s := docCodeRe.FindStringSubmatch(m)
	lead := s[1]
	if lead == "" {
		lead = "số "
	} else if strings.HasPrefix(lead, "Số:") {
		lead = "Số "
	}
	out := lead + NumberWords(s[2])
	if s[3] != "" {
		out += " năm " + NumberWords(s[3])
	}
	for part := range strings.FieldsFuncSeq(s[4], func(r rune) bool { return r == '-' || r == '/' || r == ' ' }) {
		if say, ok := p.notions[part]; ok {
			out += ", " + say
		} else {
			out += ", " + Spell(part)
		}
	}
	return out
}

// dictionary replaces whole-word dictionary terms in one pass, so that a
// replacement is never matched again.
func (p *Pronouncer) dictionary(s string) string {
	var b strings.Builder
	prevWord := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !prevWord {
			if cands := p.words[r]; len(cands) > 0 {
				matched := false
				for _, c := range cands {
					if !strings.HasPrefix(s[i:], c.Term) {
						continue
					}
					end := i + len(c.Term)
					last, _ := utf8.DecodeLastRuneInString(c.Term)
					after, _ := utf8.DecodeRuneInString(s[end:])
					if end < len(s) && isWordRune(after) && isWordRune(last) {
						continue
					}
					b.WriteString(c.Say)
					i = end
					prevWord = isWordRune(last)
					matched = true
					break
				}
				if matched {
					continue
				}
			}
		}
		b.WriteString(s[i : i+size])
		prevWord = isWordRune(r)
		i += size
	}
	return b.String()
}

// phone reads a telephone number digit by digit in its groups; an
// unbroken number is grouped 4-3-3 (mobile) or 4-4 (1900 numbers).
func phone(m string) string {
	groups := strings.FieldsFunc(m, func(r rune) bool { return r == ' ' || r == '.' })
	if len(groups) == 1 {
		d := groups[0]
		switch {
		case len(d) == 8:
			groups = []string{d[:4], d[4:]}
		case len(d) == 10:
			groups = []string{d[:4], d[4:7], d[7:]}
		case len(d) == 11:
			groups = []string{d[:4], d[4:7], d[7:]}
		case len(d) == 9:
			groups = []string{d[:3], d[3:6], d[6:]}
		}
	}
	w := make([]string, len(groups))
	for i, g := range groups {
		w[i] = DigitWords(g)
	}
	return strings.Join(w, ", ")
}

func timeWords(h, m, orig string) string {
	hh, mm := atoi(h), 0
	if m != "" {
		mm = atoi(m)
	}
	if hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return orig
	}
	out := NumberWords(itoa(hh)) + " giờ"
	if mm > 0 {
		out += " " + NumberWords(itoa(mm)) + " phút"
	}
	return out
}

func monthWords(m string) string {
	switch atoi(m) {
	case 4:
		return "tư"
	}
	return NumberWords(m)
}

func ordinalWords(n int) string {
	switch n {
	case 1:
		return "nhất"
	case 4:
		return "tư"
	}
	return NumberWords(itoa(n))
}

func validDayMonth(d, m string) bool {
	dd, mm := atoi(d), atoi(m)
	return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12
}

func hasVowel(s string) bool {
	for _, r := range s {
		switch r {
		case 'A', 'E', 'I', 'O', 'U', 'Y', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư':
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1e8 {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// fractions read as such when no "ngày" or "đến" says they are dates.
var fractions = map[string]string{"1/2": "một phần hai", "1/3": "một phần ba", "2/3": "hai phần ba", "1/4": "một phần tư", "3/4": "ba phần tư"}

// dayMonth reads "15/8" as a date ("mười lăm tháng tám"), except common
// fractions not introduced by "ngày" or "đến".
func dayMonth(text string) string {
	var b strings.Builder
	last := 0
	for _, loc := range dayMonthRe.FindAllStringSubmatchIndex(text, -1) {
		m := text[loc[0]:loc[1]]
		lead := ""
		if loc[2] >= 0 {
			lead = text[loc[2]:loc[3]]
		}
		d, mo := text[loc[4]:loc[5]], text[loc[6]:loc[7]]
		var out string
		switch f, isFrac := fractions[d+"/"+mo]; {
		case isFrac && lead == "" && !strings.HasSuffix(strings.TrimRight(text[:loc[0]], " "), "đến"):
			out = f
		case validDayMonth(d, mo):
			out = lead + NumberWords(d) + " tháng " + monthWords(mo)
		default:
			out = m
		}
		b.WriteString(text[last:loc[0]])
		b.WriteString(out)
		last = loc[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// spellCaps spells words written in capitals that have no vowel (so
// cannot be Vietnamese words) and that no dictionary knew: "TTBCBC".
func spellCaps(text string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		w := text[start:end]
		n := utf8.RuneCountInString(w)
		if n >= 2 && n <= 8 && !hasVowel(w) && allUpper(w) {
			b.WriteString(Spell(w))
		} else {
			b.WriteString(w)
		}
		start = -1
	}
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
		b.WriteRune(r)
	}
	if start >= 0 {
		flush(len(text))
	}
	return b.String()
}

func allUpper(w string) bool {
	for _, r := range w {
		if _, ok := letterNames[r]; !ok {
			return false
		}
	}
	return true
}
