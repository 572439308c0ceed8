package docparse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese syllable check, used only to score candidate decodings of
// legacy 8-bit text: a correct decoding yields words that are valid
// syllables, a wrong one yields letter soup ("ViÖt", "Vieọt").

var syllableInitials = []string{"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
	"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""}

var syllableFinals = []string{"ng", "nh", "ch", "c", "m", "n", "p", "t", ""}

// syllableNuclei are the vowel groups (tone marks removed) that can stand
// between an initial and a final consonant.
var syllableNuclei = buildSet("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo " +
	"ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê iêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu yêu ưo uê")

func buildSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// stripTone removes the tone mark of a lowercase letter, keeping the
// vowel modifiers (ấ -> â). ok is false when the letter has no tone mark.
func stripTone(r rune) (base rune, toned bool) {
	if r < utf8.RuneSelf {
		return r, false
	}
	d := norm.NFD.String(string(r))
	var out []rune
	for _, c := range d {
		switch c {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			toned = true
		default:
			out = append(out, c)
		}
	}
	if !toned {
		return r, false
	}
	s := norm.NFC.String(string(out))
	base, _ = utf8.DecodeRuneInString(s)
	return base, true
}

// isVietSyllable reports whether the lowercase word w is a well-formed
// Vietnamese syllable with at most one tone mark.
func isVietSyllable(w string) bool {
	var b strings.Builder
	tones := 0
	for _, r := range w {
		base, toned := stripTone(r)
		if toned {
			tones++
			if !strings.ContainsRune("aăâeêioôơuưy", base) {
				return false
			}
		}
		if base >= utf8.RuneSelf && !strings.ContainsRune("ăâêôơưđ", base) {
			return false
		}
		b.WriteRune(base)
	}
	if tones > 1 {
		return false
	}
	s := b.String()
	for _, ini := range syllableInitials {
		if !strings.HasPrefix(s, ini) {
			continue
		}
		rest := s[len(ini):]
		for _, fin := range syllableFinals {
			if strings.HasSuffix(rest, fin) && syllableNuclei[rest[:len(rest)-len(fin)]] {
				return true
			}
		}
	}
	return false
}

// vietScore scores how Vietnamese s looks: +2 for every word with a
// non-ASCII letter that is a valid syllable, -1 for every other word with
// a non-ASCII letter or symbol glued to letters. ASCII-only words are
// neutral.
func vietScore(s string) int {
	score := 0
	inWord := false
	start := 0
	nonASCII := false
	flush := func(end int) {
		if inWord && nonASCII {
			if isVietSyllable(strings.ToLower(s[start:end])) {
				score += 2
			} else {
				score--
			}
		}
		inWord, nonASCII = false, false
	}
	for i, r := range s {
		wordRune := unicode.IsLetter(r) || (r >= 0x80 && r <= 0xff && !unicode.IsSpace(r))
		if !wordRune {
			flush(i)
			continue
		}
		if !inWord {
			inWord, start = true, i
		}
		if r >= utf8.RuneSelf {
			nonASCII = true
		}
	}
	flush(len(s))
	return score
}
