// Package i18n translates Loa's visible strings. Vietnamese is the default
// language, English the second. Every string shown by the UI goes through
// a Catalog; a test checks that each key has both languages.
package i18n

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Languages offered, default first.
const (
	VI = "vi"
	EN = "en"
)

// Catalog maps a message key to its text per language.
type Catalog map[string]map[string]string

// T returns the text of key in lang (falling back to Vietnamese, then to
// the key itself, so a missing string is visible rather than blank).
func (c Catalog) T(lang, key string, args ...any) string {
	m, ok := c[key]
	if !ok {
		return key
	}
	s, ok := m[lang]
	if !ok || s == "" {
		s = m[VI]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Missing lists keys without a text in some language.
func (c Catalog) Missing() []string {
	var out []string
	for k, m := range c {
		for _, l := range []string{VI, EN} {
			if strings.TrimSpace(m[l]) == "" {
				out = append(out, k+"["+l+"]")
			}
		}
	}
	return out
}

// FromRequest picks the language: the "lang" cookie, then the user's
// preference (given), then Vietnamese. The browser's Accept-Language is
// not used: officials' machines are often set to English, and Loa speaks
// Vietnamese unless asked otherwise.
func FromRequest(r *http.Request, userPref string) string {
	if c, err := r.Cookie("lang"); err == nil && (c.Value == VI || c.Value == EN) {
		return c.Value
	}
	if userPref == VI || userPref == EN {
		return userPref
	}
	return VI
}

// Zone is Vietnam's time zone (Asia/Ho_Chi_Minh, UTC+7, no DST).
func Zone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}

// Date formats a day as dd/mm/yyyy in Vietnam's time zone.
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02/01/2006")
}

// DateTime formats an instant as dd/mm/yyyy HH:MM in Vietnam's time zone.
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

// ISODate turns "YYYY-MM-DD" into "dd/mm/yyyy" ("" stays "").
func ISODate(s string) string {
	if len(s) != 10 {
		return s
	}
	return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
}
