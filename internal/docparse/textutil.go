package docparse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// vietBaseLetters maps each precomposed Vietnamese letter (and a few Latin-1
// letters) to its ASCII base letter; used to build case- and
// diacritic-insensitive keys for matching header words.
const vietFoldFrom = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
const vietFoldTo = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"

// foldTable is read-only after package initialisation.
var foldTable = buildFoldTable()

func buildFoldTable() map[rune]byte {
	m := make(map[rune]byte, 140)
	to := []byte(vietFoldTo)
	i := 0
	for _, r := range vietFoldFrom {
		m[r] = to[i]
		m[unicode.ToUpper(r)] = to[i] - 'a' + 'A'
		i++
	}
	return m
}

// foldKey lowercases s, strips Vietnamese diacritics (đ -> d) and collapses
// runs of whitespace to one space: "QUYẾT  ĐỊNH" -> "quyet dinh".
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r < utf8.RuneSelf {
			b.WriteByte(byte(unicode.ToLower(r)))
			continue
		}
		if c, ok := foldTable[r]; ok {
			b.WriteByte(c | 0x20)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// collapseSpaces trims s and replaces every run of white space by one space.
func collapseSpaces(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") && strings.IndexByte(s, '\t') < 0 {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// letterCase counts the upper- and lowercase letters of s.
func letterCase(s string) (upper, lower int) {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'A' && r <= 'Z' {
				upper++
			} else if r >= 'a' && r <= 'z' {
				lower++
			}
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	return upper, lower
}

// isUpperText reports whether s has at least two letters and none of them
// is lowercase ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG").
func isUpperText(s string) bool {
	u, l := letterCase(s)
	return u >= 2 && l == 0
}

// capitalizeFirst upper-cases the first letter of s.
func capitalizeFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// trimItemPunct removes list punctuation around a list entry:
// "- Báo Kiên Giang;" -> "Báo Kiên Giang".
func trimItemPunct(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "-–—+•*· ")
	s = strings.TrimRight(s, ";.,: ")
	return strings.TrimSpace(s)
}

// isListMarkerStart reports whether the line starts with a dash or bullet.
func isListMarkerStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '-', '–', '—', '+', '•', '*', '·':
		return true
	}
	return false
}

// endsSentence reports whether s ends with sentence or list punctuation.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " ”\"’)")
	if s == "" {
		return false
	}
	switch s[len(s)-1] {
	case '.', ':', ';', '!', '?':
		return true
	}
	return false
}

// startsUpperOrDigit reports whether s starts with an uppercase letter, a
// digit or an opening quote.
func startsUpperOrDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '“' || r == '('
}

// isTitleWord reports whether w looks like a capitalised word of a person
// or place name: an uppercase letter followed only by lowercase letters.
func isTitleWord(w string) bool {
	first := true
	for _, r := range w {
		if first {
			if !unicode.IsUpper(r) {
				return false
			}
			first = false
			continue
		}
		if !unicode.IsLower(r) {
			return false
		}
	}
	return !first
}

// runeLen is utf8.RuneCountInString, named for readability.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// leadingSpaces counts the spaces (a tab counts as 4) before the first
// visible character of s.
func leadingSpaces(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}
