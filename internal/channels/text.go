package channels

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/model"
	"golang.org/x/text/unicode/norm"
)

// maxInputBytes bounds a text before it is even looked at.
const maxInputBytes = 64 << 10

// cleanText checks a message text and returns it in NFC (Vietnamese
// letters precomposed, so that counting characters is right), with
// "\n" line ends and no other control characters, trimmed.
func cleanText(field, s string) (string, error) {
	if len(s) > maxInputBytes {
		return "", model.Invalid(field, "the text is %d bytes: far too long for a message", len(s))
	}
	if !utf8.ValidString(s) {
		return "", model.Invalid(field, "the text is not valid UTF-8: save it as UTF-8 (Unicode)")
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r) || r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", model.Invalid(field, "the text is empty: write the message to send")
	}
	return s, nil
}

// splitText cuts a text into at most maxParts messages of at most
// maxChars characters each, at spaces where possible. Parts of a split
// text start with "(i/n) " so that recipients read them in order.
func splitText(text string, maxChars, maxParts int) ([]string, error) {
	runes := []rune(text)
	if len(runes) <= maxChars {
		return []string{text}, nil
	}
	if maxParts <= 1 {
		return nil, model.Invalid("text", "the text has %d characters: a message holds at most %d; shorten it", len(runes), maxChars)
	}
	for n := 2; n <= maxParts; n++ {
		width := maxChars - len(partPrefix(n, n))
		chunks := chunk(runes, width)
		if len(chunks) <= n {
			out := make([]string, len(chunks))
			for i, c := range chunks {
				out[i] = partPrefix(i+1, len(chunks)) + c
			}
			return out, nil
		}
	}
	return nil, model.Invalid("text", "the text has %d characters: at most %d messages of %d characters can be sent; shorten it", len(runes), maxParts, maxChars)
}

func partPrefix(i, n int) string { return fmt.Sprintf("(%d/%d) ", i, n) }

// chunk splits runes into pieces of at most width, cutting after the last
// space of a piece when there is one in its second half.
func chunk(runes []rune, width int) []string {
	var out []string
	for len(runes) > 0 {
		runes = trimLeftSpace(runes)
		if len(runes) <= width {
			if len(runes) > 0 {
				out = append(out, string(runes))
			}
			break
		}
		cut := width
		if !unicode.IsSpace(runes[cut]) {
			for i := width - 1; i > width/2; i-- {
				if unicode.IsSpace(runes[i]) {
					cut = i
					break
				}
			}
		}
		out = append(out, strings.TrimRightFunc(string(runes[:cut]), unicode.IsSpace))
		runes = runes[cut:]
	}
	return out
}

func trimLeftSpace(r []rune) []rune {
	for len(r) > 0 && unicode.IsSpace(r[0]) {
		r = r[1:]
	}
	return r
}
