package channels

import (
	"fmt"
	"strings"
)

// Vietnamese mobile numbers: 0 + 9 digits, the first of which is 3, 5, 7,
// 8 or 9 (the 2018 renumbering moved the 11-digit 01x numbers there).
var mobileLead = map[byte]bool{'3': true, '5': true, '7': true, '8': true, '9': true}

// NormalizePhone checks a Vietnamese mobile number written as 0xxxxxxxxx,
// +84xxxxxxxxx or 84xxxxxxxxx (spaces, dots, dashes and brackets are
// ignored) and returns it in E.164 form, +84xxxxxxxxx.
func NormalizePhone(s string) (string, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", fmt.Errorf("empty phone number: write it as 0912345678 or +84912345678")
	}
	if len(raw) > 32 {
		return "", fmt.Errorf("phone number %.32q…: too long; write it as 0912345678 or +84912345678", raw)
	}
	var b strings.Builder
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("phone number %q: %q is not allowed; write it as 0912345678 or +84912345678", raw, r)
		}
	}
	national, ok := nationalDigits(b.String())
	if !ok || len(national) != 9 || !mobileLead[national[0]] {
		return "", fmt.Errorf("phone number %q is not a Vietnamese mobile number: use 10 digits starting 03, 05, 07, 08 or 09 (0912345678), or +84 and 9 digits (+84912345678)", raw)
	}
	return "+84" + national, nil
}

// nationalDigits strips the trunk prefix 0 or the country code 84 (with
// an optional leading + and an optional 0 after it, as in +84 (0)912…).
func nationalDigits(d string) (string, bool) {
	switch {
	case strings.HasPrefix(d, "+84"):
		return strings.TrimPrefix(d[3:], "0"), true
	case strings.HasPrefix(d, "+"):
		return "", false
	case len(d) == 10 && d[0] == '0':
		return d[1:], true
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12 && d[2] == '0'):
		return strings.TrimPrefix(d[2:], "0"), true
	default:
		return "", false
	}
}

// NationalPhone writes an E.164 Vietnamese number in national form,
// 0xxxxxxxxx.
func NationalPhone(e164 string) string {
	if strings.HasPrefix(e164, "+84") {
		return "0" + e164[3:]
	}
	return e164
}

// maskPhone hides the middle digits of a number for logs and the audit
// log: +84912***678.
func maskPhone(e164 string) string {
	if len(e164) < 9 {
		return "***"
	}
	return e164[:6] + "***" + e164[len(e164)-3:]
}
