package cli

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestWarnNoPublicURL: a server that is not the demo warns at start when
// the public feeds have no --public-url; with one, or for the demo, it
// does not.
func TestWarnNoPublicURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		demo bool
		want bool
	}{{"", false, true}, {"https://loa.kiengiang.gov.vn", false, false}, {"", true, false}} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		got := warnNoPublicURL(log, c.url, c.demo)
		if got != c.want || strings.Contains(buf.String(), "--public-url") != c.want || (c.want && !strings.Contains(buf.String(), "level=WARN")) {
			t.Errorf("url=%q demo=%v: warned %v (%q), want %v", c.url, c.demo, got, buf.String(), c.want)
		}
	}
}
