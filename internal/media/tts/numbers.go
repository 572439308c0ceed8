package tts

import (
	"strings"
)

var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// NumberWords reads a non-negative integer written in decimal digits
// (no separators, leading zeros ignored) the way a Vietnamese announcer
// does: 21 "hai mươi mốt", 105 "một trăm linh năm", 2021 "hai nghìn
// không trăm hai mươi mốt", 1500000 "một triệu năm trăm nghìn". Digits
// beyond what a group name covers (more than 18) are read one by one.
func NumberWords(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "không"
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return digits
		}
	}
	if len(digits) > 12 {
		return DigitWords(digits)
	}
	// Groups of three from the right.
	var groups []string
	for len(digits) > 3 {
		groups = append([]string{digits[len(digits)-3:]}, groups...)
		digits = digits[:len(digits)-3]
	}
	groups = append([]string{digits}, groups...)
	names := [4]string{"", "nghìn", "triệu", "tỷ"}
	var out []string
	for i, g := range groups {
		pos := len(groups) - 1 - i
		if strings.Trim(g, "0") == "" {
			continue
		}
		out = append(out, groupWords(g, i > 0))
		if names[pos] != "" {
			out = append(out, names[pos])
		}
	}
	return strings.Join(out, " ")
}

// groupWords reads up to three digits; inner groups (not the first) say
// their hundreds even when zero ("không trăm").
func groupWords(g string, inner bool) string {
	for len(g) < 3 {
		g = "0" + g
	}
	h, t, u := int(g[0]-'0'), int(g[1]-'0'), int(g[2]-'0')
	var w []string
	if h > 0 || (inner && (t > 0 || u > 0)) {
		w = append(w, digitWords[h], "trăm")
	}
	switch {
	case t == 0 && u == 0:
	case t == 0:
		if h > 0 || inner {
			w = append(w, "linh")
		}
		w = append(w, digitWords[u])
	case t == 1:
		w = append(w, "mười")
		if u == 5 {
			w = append(w, "lăm")
		} else if u > 0 {
			w = append(w, digitWords[u])
		}
	default:
		w = append(w, digitWords[t], "mươi")
		switch u {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	}
	if len(w) == 0 {
		return "không"
	}
	return strings.Join(w, " ")
}

// DigitWords reads digits one by one: "113" "một một ba".
func DigitWords(digits string) string {
	var w []string
	for _, r := range digits {
		if r >= '0' && r <= '9' {
			w = append(w, digitWords[r-'0'])
		}
	}
	return strings.Join(w, " ")
}

// decimalWords reads a number written the Vietnamese way: "." groups
// thousands, "," starts the decimals ("95,1" "chín mươi lăm phẩy một";
// "0,05" "không phẩy không năm").
func decimalWords(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ",")
	intPart = strings.ReplaceAll(intPart, ".", "")
	out := NumberWords(intPart)
	if hasFrac && frac != "" {
		if strings.HasPrefix(frac, "0") {
			out += " phẩy " + DigitWords(frac)
		} else {
			out += " phẩy " + NumberWords(frac)
		}
	}
	return out
}

// romanValue parses a Roman numeral written canonically (I … MMMCMXCIX);
// ok is false for anything else.
func romanValue(s string) (int, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	vals := map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
	n := 0
	for i := 0; i < len(s); i++ {
		v, ok := vals[s[i]]
		if !ok {
			return 0, false
		}
		if i+1 < len(s) && vals[s[i+1]] > v {
			n -= v
		} else {
			n += v
		}
	}
	if n <= 0 || n >= 4000 || toRoman(n) != s {
		return 0, false
	}
	return n, true
}

func toRoman(n int) string {
	table := []struct {
		v int
		s string
	}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
	var b strings.Builder
	for _, t := range table {
		for n >= t.v {
			b.WriteString(t.s)
			n -= t.v
		}
	}
	return b.String()
}
