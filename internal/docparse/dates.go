package docparse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date forms: "ngày 04 tháng 6 năm 2021" (any spacing, any case) and
// numeric "04/6/2021", "4-6-2021", "04.6.2021".
var (
	textDateRe = regexp.MustCompile(`(?i)ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})`)
	// headerNumericDateRe needs the place comma or "ngày" before the
	// digits, so that a notation such as 45/2021/QĐ-UBND is not a date.
	headerNumericDateRe = regexp.MustCompile(`(?i)(?:,\s*(?:ngày\s*)?|^\s*ngày\s*)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\b`)
	// refDateRe is the date right after a cited document.
	refDateRe = regexp.MustCompile(`^\s*,?\s*(?:ban hành\s+)?(?i:ngày)\s*(?:(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})|(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4}))`)
)

// isoDate validates day, month and year and formats them as YYYY-MM-DD.
func isoDate(day, month, year string) (string, bool) {
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || y < 1945 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// headerDate is the place and date line of the header.
type headerDate struct {
	place string
	date  string // YYYY-MM-DD, "" when invalid
	raw   string
	start int // byte offsets of the whole match in the segment
	end   int
}

// findHeaderDate finds "<place>, ngày dd tháng mm năm yyyy" or
// "<place>, dd/mm/yyyy" in a header segment.
func findHeaderDate(s string) (headerDate, bool) {
	var hd headerDate
	var m []int
	if strings.Contains(s, "tháng") || strings.Contains(s, "THÁNG") || strings.Contains(s, "Tháng") {
		m = textDateRe.FindStringSubmatchIndex(s)
	}
	if m == nil {
		m = headerNumericDateRe.FindStringSubmatchIndex(s)
		if m == nil {
			return hd, false
		}
	}
	if !strings.HasPrefix(s[m[0]:], ",") && !datePrefixOK(s[:m[0]]) {
		return hd, false
	}
	hd.raw = s[m[0]:m[1]]
	hd.date, _ = isoDate(s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]])
	hd.start, hd.end = m[0], m[1]
	before := strings.TrimRight(s[:m[0]], " ,")
	hd.place, hd.start = placeBefore(before)
	if hd.place == "" {
		hd.start = m[0]
	}
	return hd, true
}

// placeBefore takes the place name at the end of s: the run of
// capitalised words ("Kiên Giang", "TP. Hồ Chí Minh", "Thành phố Huế")
// before the date. It returns the place and where it starts in s.
func placeBefore(s string) (string, int) {
	type word struct {
		text  string
		start int
	}
	var words []word
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				words = append(words, word{s[start:i], start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	i := len(words)
	for i > 0 {
		w := strings.TrimRight(words[i-1].text, ",")
		if !isTitleWord(w) && !placeFillers[w] {
			break
		}
		i--
	}
	// a lowercase filler cannot start the place ("phố Huế").
	for i < len(words) && placeFillers[words[i].text] && !isTitleWord(words[i].text) && !strings.HasSuffix(words[i].text, ".") {
		i++
	}
	if i == len(words) {
		return "", len(s)
	}
	return s[words[i].start:], words[i].start
}

// placeFillers may appear inside a place name besides capitalised words.
var placeFillers = map[string]bool{
	"TP.": true, "Tp.": true, "TX.": true, "TT.": true, "phố": true, "xã": true, "trấn": true, "thị": true,
}

// formatDateWarning explains a date that was found but is not valid.
func formatDateWarning(raw string) string {
	return fmt.Sprintf("date not parsed: %q is not a valid date", raw)
}

// datePrefixOK accepts the text before a header date: nothing, a place
// followed by a comma, or only capitalised words (a place without comma).
func datePrefixOK(prefix string) bool {
	p := strings.TrimRight(prefix, " ")
	if p == "" || strings.HasSuffix(p, ",") {
		return true
	}
	for _, w := range strings.Fields(p) {
		if !isTitleWord(w) && !placeFillers[w] {
			return false
		}
	}
	return true
}
