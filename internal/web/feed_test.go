package web_test

import (
	"strings"
	"testing"
)

func TestPublicFeedPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/feeds/dtt-vinh-thanh-van", "", nil)
		if r.code != 200 || !strings.Contains(string(r.body), "Đài truyền thanh phường Vĩnh Thanh Vân") || !strings.Contains(string(r.body), "bulletins.atom") {
			t.Fatalf("feed page: %d %s", r.code, r.body)
		}
		if r := e.do("GET", "/feeds/no-such-unit", "", nil); r.code != 404 {
			t.Fatalf("unknown unit: %d", r.code)
		}
	})
}
