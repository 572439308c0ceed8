package docparse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// TCVN3 (TCVN 5712:1993 VN3, the "ABC" encoding of the .VnTime fonts) is a
// single-byte encoding: ASCII below 0x80, Vietnamese lowercase letters with
// tone marks and the seven uppercase letters Ă Â Đ Ê Ô Ơ Ư above 0xA0.
// Uppercase letters with tone marks do not exist: documents print them with
// the .VnTimeH font, whose glyphs for the lowercase codes are capitals, so a
// text file contains the lowercase codes (see fixTCVN3Case).
//
// tcvn3Letters[i] is encoded as the byte tcvn3Codes[i].
const (
	tcvn3Letters = "àáảãạ" + "ăằắẳẵặ" + "âầấẩẫậ" + "đ" + "èéẻẽẹ" + "êềếểễệ" +
		"ìíỉĩị" + "òóỏõọ" + "ôồốổỗộ" + "ơờớởỡợ" + "ùúủũụ" + "ưừứửữự" +
		"ỳýỷỹỵ" + "ĂÂĐÊÔƠƯ"
	tcvn3Codes = "\xb5\xb8\xb6\xb7\xb9" + "\xa8\xbb\xbe\xbc\xbd\xc6" +
		"\xa9\xc7\xca\xc8\xc9\xcb" + "\xae" + "\xcc\xd0\xce\xcf\xd1" +
		"\xaa\xd2\xd5\xd3\xd4\xd6" + "\xd7\xdd\xd8\xdc\xde" + "\xdf\xe3\xe1\xe2\xe4" +
		"\xab\xe5\xe8\xe6\xe7\xe9" + "\xac\xea\xed\xeb\xec\xee" + "\xef\xf3\xf1\xf2\xf4" +
		"\xad\xf5\xf8\xf6\xf7\xf9" + "\xfa\xfd\xfb\xfc\xfe" + "\xa1\xa2\xa7\xa3\xa4\xa5\xa6"
)

// tcvn3Table maps every byte to a rune; bytes that carry no Vietnamese
// letter decode as Windows-1252 (quotes, dashes of Word documents).
var tcvn3Table = buildTCVN3Table()

func buildTCVN3Table() [256]rune {
	var t [256]rune
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	i := 0
	for _, r := range tcvn3Letters {
		t[tcvn3Codes[i]] = r
		i++
	}
	return t
}

// VNI (VNI-Windows, the VNI-Times fonts) writes a Vietnamese letter as an
// ASCII base letter followed by one byte that carries the mark(s):
// "Vieät Nam" = "Việt Nam". Lowercase letters take the lowercase mark
// bytes, capitals the uppercase ones. ơ, ư, đ and the letter i with tones
// (and ỵ) are single bytes.
//
// vniMarks lists, for each combining mark group, the mark bytes in the
// order sắc, huyền, hỏi, ngã, nặng (lowercase then uppercase) and, for the
// circumflex and breve groups, the byte of the bare modified letter first.
var (
	vniToneLower = [5]byte{0xf9, 0xf8, 0xfb, 0xf5, 0xef}
	vniToneUpper = [5]byte{0xd9, 0xd8, 0xdb, 0xd5, 0xcf}
	vniCircLower = [6]byte{0xe2, 0xe1, 0xe0, 0xe5, 0xe3, 0xe4}
	vniCircUpper = [6]byte{0xc2, 0xc1, 0xc0, 0xc5, 0xc3, 0xc4}
	vniBrevLower = [6]byte{0xea, 0xe9, 0xe8, 0xfa, 0xfc, 0xeb}
	vniBrevUpper = [6]byte{0xca, 0xc9, 0xc8, 0xda, 0xdc, 0xcb}
)

// toneMarks are the combining Unicode tone marks in VNI table order.
var toneMarks = [5]string{"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}

// vniSingles maps the VNI bytes that are letters by themselves.
var vniSingles = map[byte]rune{
	0xf1: 'đ', 0xd1: 'Đ', 0xf4: 'ơ', 0xd4: 'Ơ', 0xf6: 'ư', 0xd6: 'Ư',
	0xed: 'í', 0xec: 'ì', 0xe6: 'ỉ', 0xf3: 'ĩ', 0xf2: 'ị',
	0xcd: 'Í', 0xcc: 'Ì', 0xc6: 'Ỉ', 0xd3: 'Ĩ', 0xd2: 'Ị',
	0xee: 'ỵ', 0xce: 'Ỵ',
}

// vniPairs maps (base byte << 8 | mark byte) to the composed letter.
var vniPairs = buildVNIPairs()

func buildVNIPairs() map[uint16]rune {
	m := make(map[uint16]rune, 200)
	add := func(base byte, mark byte, letter string) {
		r, _ := utf8.DecodeRuneInString(norm.NFC.String(letter))
		m[uint16(base)<<8|uint16(mark)] = r
	}
	type baseDef struct {
		lower, upper byte
		letter       string // lowercase base letter as Unicode
	}
	toned := []baseDef{{'a', 'A', "a"}, {'e', 'E', "e"}, {'o', 'O', "o"}, {'u', 'U', "u"},
		{'y', 'Y', "y"}, {0xf4, 0xd4, "ơ"}, {0xf6, 0xd6, "ư"}}
	for _, b := range toned {
		for i, t := range toneMarks {
			add(b.lower, vniToneLower[i], b.letter+t)
			add(b.upper, vniToneUpper[i], strings.ToUpper(b.letter)+t)
		}
	}
	for _, b := range []baseDef{{'a', 'A', "a"}, {'e', 'E', "e"}, {'o', 'O', "o"}} {
		add(b.lower, vniCircLower[0], b.letter+"\u0302")
		add(b.upper, vniCircUpper[0], strings.ToUpper(b.letter)+"\u0302")
		for i, t := range toneMarks {
			add(b.lower, vniCircLower[i+1], b.letter+"\u0302"+t)
			add(b.upper, vniCircUpper[i+1], strings.ToUpper(b.letter)+"\u0302"+t)
		}
	}
	add('a', vniBrevLower[0], "a\u0306")
	add('A', vniBrevUpper[0], "A\u0306")
	for i, t := range toneMarks {
		add('a', vniBrevLower[i+1], "a\u0306"+t)
		add('A', vniBrevUpper[i+1], "A\u0306"+t)
	}
	return m
}

// decodeTCVN3 converts TCVN3 bytes to Unicode and restores the capitals
// that the .VnTimeH font showed.
func decodeTCVN3(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/2)
	for _, c := range data {
		b.WriteRune(tcvn3Table[c])
	}
	return fixTCVN3Case(b.String())
}

// decodeVNI converts VNI bytes to Unicode.
func decodeVNI(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/2)
	for i := 0; i < len(data); i++ {
		c := data[i]
		if i+1 < len(data) && data[i+1] >= 0x80 {
			if r, ok := vniPairs[uint16(c)<<8|uint16(data[i+1])]; ok {
				b.WriteRune(r)
				i++
				continue
			}
		}
		if c < 0x80 {
			b.WriteByte(c)
			continue
		}
		if r, ok := vniSingles[c]; ok {
			b.WriteRune(r)
			continue
		}
		b.WriteRune(charmap.Windows1252.DecodeByte(c))
	}
	return b.String()
}

// decodeWindows1252 converts Windows-1252 bytes to Unicode.
func decodeWindows1252(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/4)
	for _, c := range data {
		if c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(charmap.Windows1252.DecodeByte(c))
		}
	}
	return b.String()
}

// encodeWindows1252 maps s back to Windows-1252 bytes; ok is false when a
// rune has no Windows-1252 byte. Used to undo mojibake: TCVN3 or VNI bytes
// that an earlier tool decoded as Windows-1252 and saved as UTF-8.
func encodeWindows1252(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			// Latin-1 control range that Windows-1252 leaves undefined.
			if r >= 0x80 && r <= 0xff {
				out = append(out, byte(r))
				continue
			}
			return nil, false
		}
		out = append(out, c)
	}
	return out, true
}

// fixTCVN3Case restores capitals lost by TCVN3: a line whose ASCII letters
// are all capitals is upper-cased whole; otherwise a word with at least two
// ASCII letters, all capitals, is upper-cased ("CéNG" -> "CỘNG", while
// "Về" stays), and a lowercase accented letter that starts a line, a list
// entry or a sentence is capitalised.
func fixTCVN3Case(s string) string {
	lines := strings.Split(s, "\n")
	prevEnds := true
	for i, ln := range lines {
		trimmed := strings.TrimSpace(ln)
		lines[i] = fixTCVN3Line(ln, prevEnds || isListMarkerStart(trimmed))
		if trimmed != "" {
			prevEnds = endsSentence(trimmed)
		} else {
			prevEnds = true
		}
	}
	return strings.Join(lines, "\n")
}

// fixTCVN3Line fixes one line; lineStart tells whether the line starts a
// sentence (the previous line ended one, or the line is a list entry).
func fixTCVN3Line(ln string, lineStart bool) string {
	au, al := asciiCase(ln)
	if al == 0 && au >= 3 {
		return strings.ToUpper(ln)
	}
	words := strings.Split(ln, " ")
	sentenceStart := lineStart
	for i, w := range words {
		if w == "" {
			continue
		}
		wu, wl := asciiCase(w)
		switch {
		case wu >= 2 && wl == 0:
			words[i] = strings.ToUpper(w)
		case sentenceStart:
			words[i] = capitalizeAccented(w)
		}
		if strings.Trim(w, "-+•") != "" {
			sentenceStart = strings.HasSuffix(w, ".") || strings.HasSuffix(w, ":")
		}
	}
	return strings.Join(words, " ")
}

// capitalizeAccented upper-cases the first letter of w when it is a
// lowercase non-ASCII letter (ASCII letters kept their case in TCVN3).
func capitalizeAccented(w string) string {
	for i, r := range w {
		if unicode.IsLetter(r) {
			if r >= utf8.RuneSelf && unicode.IsLower(r) {
				return w[:i] + string(unicode.ToUpper(r)) + w[i+utf8.RuneLen(r):]
			}
			return w
		}
	}
	return w
}

func asciiCase(s string) (upper, lower int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			upper++
		} else if c >= 'a' && c <= 'z' {
			lower++
		}
	}
	return upper, lower
}
