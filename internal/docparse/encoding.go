package docparse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Warnings added when the text had to be converted.
const (
	warnFromTCVN3   = "converted from TCVN3 (ABC) to Unicode"
	warnFromVNI     = "converted from VNI to Unicode"
	warnFrom1252    = "text is not UTF-8 nor TCVN3/VNI Vietnamese; decoded as Windows-1252"
	warnFromUTF16LE = "converted from UTF-16LE to UTF-8"
	warnFromUTF16BE = "converted from UTF-16BE to UTF-8"
	warnNFD         = "normalised decomposed Unicode (NFD) to NFC"
	warnMojibake    = "repaired text that was TCVN3/VNI decoded as Windows-1252"
)

// legacyCandidate is one way to read 8-bit text.
type legacyCandidate struct {
	text    string
	warning string
	score   int
}

// decodeText turns the bytes of a text file into NFC Unicode, detecting
// BOMs, UTF-16, UTF-8 and the legacy Vietnamese encodings TCVN3 and VNI.
func decodeText(data []byte) (string, []string, error) {
	var warnings []string
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		text = string(data[3:])
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		text, warnings = decodeUTF16(data[2:], binary.LittleEndian), append(warnings, warnFromUTF16LE)
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		text, warnings = decodeUTF16(data[2:], binary.BigEndian), append(warnings, warnFromUTF16BE)
	case looksUTF16(data, 1):
		text, warnings = decodeUTF16(data, binary.LittleEndian), append(warnings, warnFromUTF16LE)
	case looksUTF16(data, 0):
		text, warnings = decodeUTF16(data, binary.BigEndian), append(warnings, warnFromUTF16BE)
	case utf8.Valid(data):
		var w string
		text, w = repairMojibake(string(data))
		if w != "" {
			warnings = append(warnings, w)
		}
	default:
		if err := checkBinary8(data); err != nil {
			return "", nil, err
		}
		c := bestLegacy(data)
		text = c.text
		warnings = append(warnings, c.warning)
	}
	if err := checkTextRunes(text); err != nil {
		return "", nil, err
	}
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
		warnings = append(warnings, warnNFD)
	}
	return text, warnings, nil
}

// looksUTF16 reports BOM-less UTF-16 text: in ASCII-heavy UTF-16 every
// other byte (odd positions for LE, even for BE) is zero.
func looksUTF16(data []byte, zeroAt int) bool {
	n := len(data)
	if n < 8 || n%2 != 0 {
		return false
	}
	if n > 4096 {
		n = 4096
	}
	zeros, other := 0, 0
	for i := 0; i+1 < n; i += 2 {
		if data[i+zeroAt] == 0 {
			zeros++
		}
		if data[i+1-zeroAt] == 0 {
			other++
		}
	}
	pairs := n / 2
	return zeros*10 >= pairs*6 && other*10 < pairs
}

func decodeUTF16(data []byte, order binary.ByteOrder) string {
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	return string(utf16.Decode(units))
}

// bestLegacy decodes non-UTF-8 bytes as TCVN3, VNI or Windows-1252,
// whichever yields the most valid Vietnamese syllables.
func bestLegacy(data []byte) legacyCandidate {
	cands := []legacyCandidate{
		{text: decodeTCVN3(data), warning: warnFromTCVN3},
		{text: decodeVNI(data), warning: warnFromVNI},
	}
	best := legacyCandidate{text: decodeWindows1252(data), warning: warnFrom1252}
	best.score = vietScore(best.text)
	for _, c := range cands {
		c.score = vietScore(c.text)
		if c.score > best.score && c.score > 0 {
			best = c
		}
	}
	return best
}

// repairMojibake undoes legacy Vietnamese text that an earlier tool read
// as Windows-1252 and saved as UTF-8 ("ViÖt Nam", "Vieät Nam"). The text
// is kept unless a re-decoding scores clearly better.
func repairMojibake(s string) (string, string) {
	if !hasLatin1Letters(s) {
		return s, ""
	}
	raw, ok := encodeWindows1252(s)
	if !ok {
		return s, ""
	}
	base := vietScore(s)
	c := bestLegacy(raw)
	if c.warning == warnFrom1252 || c.score <= base+2 {
		return s, ""
	}
	return c.text, warnMojibake + " (" + strings.TrimPrefix(c.warning, "converted from ") + ")"
}

// hasLatin1Letters reports runes in U+0080..U+00FF, the range that
// Windows-1252 mojibake of TCVN3/VNI lives in.
func hasLatin1Letters(s string) bool {
	for _, r := range s {
		if r >= 0x80 && r <= 0xff {
			return true
		}
	}
	return false
}

// checkBinary8 rejects 8-bit data with NUL bytes or many control bytes.
func checkBinary8(data []byte) error {
	n := len(data)
	if n > 65536 {
		n = 65536
	}
	ctrl := 0
	for _, c := range data[:n] {
		if c == 0 {
			return fmt.Errorf("%w: binary data (NUL bytes), not a text file", ErrNotDocument)
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' {
			ctrl++
		}
	}
	if ctrl*100 > n {
		return fmt.Errorf("%w: binary data (%d control bytes), not a text file", ErrNotDocument, ctrl)
	}
	return nil
}

// checkTextRunes rejects decoded text with many control characters or
// replacement characters, or with no letters at all.
func checkTextRunes(s string) error {
	total, bad, letters := 0, 0, 0
	for _, r := range s {
		total++
		switch {
		case r == utf8.RuneError, r == 0:
			bad++
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' && r != '\v':
			bad++
		case unicode.IsLetter(r):
			letters++
		}
		if total >= 65536 {
			break
		}
	}
	if total == 0 || strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: no text", ErrEmpty)
	}
	if bad*100 > total {
		return fmt.Errorf("%w: binary data (%d control or invalid characters), not a text file", ErrNotDocument, bad)
	}
	if letters == 0 {
		return fmt.Errorf("%w: no letters in the text", ErrNotDocument)
	}
	return nil
}
