package web

import (
	"net/url"
	"strings"
	"unicode"
)

// maxRedirectTarget bounds a user-supplied redirect target.
const maxRedirectTarget = 2048

// sameSiteTarget returns a user-supplied redirect target (a "next"
// parameter) when it is a path on this site, else fallback. It accepts
// only a single leading "/" (not "//"), no backslash and no control
// character (tab, CR, LF … which browsers drop, turning "/\t/evil" into
// "//evil"), also after percent-decoding, and re-serialises the result
// from its path and query so no scheme, host or fragment survives. Every
// redirect to a target the request names goes through it.
func sameSiteTarget(target, fallback string) string {
	if !plainSitePath(target) || len(target) > maxRedirectTarget {
		return fallback
	}
	dec, err := url.PathUnescape(target)
	if err != nil || !plainSitePath(dec) {
		return fallback
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return fallback
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}).String()
	if !plainSitePath(out) {
		return fallback
	}
	return out
}

// plainSitePath reports whether s starts with exactly one "/" and holds
// no backslash and no control character.
func plainSitePath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) || c == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// safeNext is sameSiteTarget falling back to the home page.
func safeNext(next string) string { return sameSiteTarget(next, "/") }
