package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// tcvn3Bytes is the TCVN3 (ABC) code of each Vietnamese letter, written
// here independently of the decoder's table (by byte value) so that the
// round trip checks both.
var tcvn3Bytes = map[rune]byte{
	'Ă': 0xa1, 'Â': 0xa2, 'Ê': 0xa3, 'Ô': 0xa4, 'Ơ': 0xa5, 'Ư': 0xa6, 'Đ': 0xa7,
	'ă': 0xa8, 'â': 0xa9, 'ê': 0xaa, 'ô': 0xab, 'ơ': 0xac, 'ư': 0xad, 'đ': 0xae,
	'à': 0xb5, 'ả': 0xb6, 'ã': 0xb7, 'á': 0xb8, 'ạ': 0xb9,
	'ằ': 0xbb, 'ẳ': 0xbc, 'ẵ': 0xbd, 'ắ': 0xbe,
	'ặ': 0xc6, 'ầ': 0xc7, 'ẩ': 0xc8, 'ẫ': 0xc9, 'ấ': 0xca, 'ậ': 0xcb,
	'è': 0xcc, 'ẻ': 0xce, 'ẽ': 0xcf, 'é': 0xd0, 'ẹ': 0xd1,
	'ề': 0xd2, 'ể': 0xd3, 'ễ': 0xd4, 'ế': 0xd5, 'ệ': 0xd6,
	'ì': 0xd7, 'ỉ': 0xd8, 'ĩ': 0xdc, 'í': 0xdd, 'ị': 0xde,
	'ò': 0xdf, 'ỏ': 0xe1, 'õ': 0xe2, 'ó': 0xe3, 'ọ': 0xe4,
	'ồ': 0xe5, 'ổ': 0xe6, 'ỗ': 0xe7, 'ố': 0xe8, 'ộ': 0xe9,
	'ờ': 0xea, 'ở': 0xeb, 'ỡ': 0xec, 'ớ': 0xed, 'ợ': 0xee,
	'ù': 0xef, 'ủ': 0xf1, 'ũ': 0xf2, 'ú': 0xf3, 'ụ': 0xf4,
	'ừ': 0xf5, 'ử': 0xf6, 'ữ': 0xf7, 'ứ': 0xf8, 'ự': 0xf9,
	'ỳ': 0xfa, 'ỷ': 0xfb, 'ỹ': 0xfc, 'ý': 0xfd, 'ỵ': 0xfe,
}

// encodeTCVN3 writes text as a .VnTime document would be saved: capitals
// with a tone mark have no code and are written with the lowercase code
// (the .VnTimeH font shows them as capitals).
func encodeTCVN3(text string) ([]byte, error) {
	var out []byte
	for _, r := range text {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case tcvn3Bytes[r] != 0:
			out = append(out, tcvn3Bytes[r])
		case tcvn3Bytes[unicode.ToLower(r)] != 0:
			out = append(out, tcvn3Bytes[unicode.ToLower(r)])
		default:
			b, ok := charmap.Windows1252.EncodeRune(r)
			if !ok {
				return nil, fmt.Errorf("TCVN3 cannot encode %q", r)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// VNI mark bytes: tones in the order sắc, huyền, hỏi, ngã, nặng.
var (
	vniTone      = map[rune][2]byte{'\u0301': {0xf9, 0xd9}, '\u0300': {0xf8, 0xd8}, '\u0309': {0xfb, 0xdb}, '\u0303': {0xf5, 0xd5}, '\u0323': {0xef, 0xcf}}
	vniCircTone  = map[rune][2]byte{0: {0xe2, 0xc2}, '\u0301': {0xe1, 0xc1}, '\u0300': {0xe0, 0xc0}, '\u0309': {0xe5, 0xc5}, '\u0303': {0xe3, 0xc3}, '\u0323': {0xe4, 0xc4}}
	vniBreveTone = map[rune][2]byte{0: {0xea, 0xca}, '\u0301': {0xe9, 0xc9}, '\u0300': {0xe8, 0xc8}, '\u0309': {0xfa, 0xda}, '\u0303': {0xfc, 0xdc}, '\u0323': {0xeb, 0xcb}}
	vniIToned    = map[rune][2]byte{'\u0301': {0xed, 0xcd}, '\u0300': {0xec, 0xcc}, '\u0309': {0xe6, 0xc6}, '\u0303': {0xf3, 0xd3}, '\u0323': {0xf2, 0xd2}}
)

// encodeVNI writes text in VNI-Windows: base letter plus mark byte.
func encodeVNI(text string) ([]byte, error) {
	var out []byte
	for _, ch := range splitLetters(norm.NFD.String(text)) {
		b, err := vniLetter(ch)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// splitLetters groups a base rune with its combining marks.
func splitLetters(s string) [][]rune {
	var out [][]rune
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) && len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], r)
			continue
		}
		out = append(out, []rune{r})
	}
	return out
}

func vniLetter(ch []rune) ([]byte, error) {
	base := ch[0]
	upper := 0
	if unicode.IsUpper(base) {
		upper = 1
	}
	var modifier, tone rune
	for _, m := range ch[1:] {
		switch m {
		case '\u0302', '\u0306', '\u031b':
			modifier = m
		default:
			tone = m
		}
	}
	lower := unicode.ToLower(base)
	switch {
	case lower == 'đ':
		return []byte{[2]byte{0xf1, 0xd1}[upper]}, nil
	case len(ch) == 1 && base < 0x80:
		return []byte{byte(base)}, nil
	case len(ch) == 1:
		b, ok := charmap.Windows1252.EncodeRune(base)
		if !ok {
			return nil, fmt.Errorf("VNI cannot encode %q", base)
		}
		return []byte{b}, nil
	case modifier == '\u0302':
		return []byte{byte(base), vniCircTone[tone][upper]}, nil
	case modifier == '\u0306':
		return []byte{byte(base), vniBreveTone[tone][upper]}, nil
	case modifier == '\u031b':
		horn := [2]byte{0xf4, 0xd4}
		if lower == 'u' {
			horn = [2]byte{0xf6, 0xd6}
		}
		if tone == 0 {
			return []byte{horn[upper]}, nil
		}
		return []byte{horn[upper], vniTone[tone][upper]}, nil
	case lower == 'i':
		return []byte{vniIToned[tone][upper]}, nil
	case lower == 'y' && tone == '\u0323':
		return []byte{[2]byte{0xee, 0xce}[upper]}, nil
	default:
		t, ok := vniTone[tone]
		if !ok {
			return nil, fmt.Errorf("VNI cannot encode %q", string(ch))
		}
		return []byte{byte(base), t[upper]}, nil
	}
}

func encodeNFD(text string) ([]byte, error) { return []byte(norm.NFD.String(text)), nil }

func encodeUTF16(text string, bigEndian bool) []byte {
	units := utf16.Encode([]rune(text))
	out := make([]byte, 0, 2+2*len(units))
	if bigEndian {
		out = append(out, 0xfe, 0xff)
	} else {
		out = append(out, 0xff, 0xfe)
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func encodeBOMCRLF(text string) ([]byte, error) {
	return append([]byte{0xef, 0xbb, 0xbf}, strings.ReplaceAll(text, "\n", "\r\n")...), nil
}
