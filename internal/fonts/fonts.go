// Package fonts embeds the TrueType fonts Loa uses to render documents, so
// that the loa binary needs no fonts installed on the host.
//
// The fonts are Liberation Serif 2.1.5 (Regular, Bold, Italic, Bold Italic)
// from Debian's fonts-liberation2 package: they have the metrics of Times New
// Roman, the typeface Decree 30/2020/NĐ-CP prescribes, and, unlike the 1.x
// series, they cover Vietnamese. They are licensed under the SIL Open Font
// License 1.1 (see OFL.txt, also available from License).
package fonts

import (
	_ "embed"
	"fmt"
	"sync"
)

// Family is the family name under which renderers register the embedded
// serif fonts.
const Family = "LiberationSerif"

var (
	//go:embed LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed LiberationSerif-Italic.ttf
	serifItalic []byte
	//go:embed LiberationSerif-BoldItalic.ttf
	serifBoldItalic []byte
	//go:embed OFL.txt
	license []byte
)

// Each accessor returns a fresh copy so that no caller can alter the
// embedded data seen by other callers.

// SerifRegular returns the bytes of LiberationSerif-Regular.ttf.
func SerifRegular() []byte { return clone(serifRegular) }

// SerifBold returns the bytes of LiberationSerif-Bold.ttf.
func SerifBold() []byte { return clone(serifBold) }

// SerifItalic returns the bytes of LiberationSerif-Italic.ttf.
func SerifItalic() []byte { return clone(serifItalic) }

// SerifBoldItalic returns the bytes of LiberationSerif-BoldItalic.ttf.
func SerifBoldItalic() []byte { return clone(serifBoldItalic) }

// License returns the text of the fonts' licence (SIL OFL 1.1 with the
// copyright notices), which must accompany redistributed copies.
func License() []byte { return clone(license) }

// Style is one of the four embedded serif styles, named the way fpdf names
// them ("", "B", "I", "BI").
type Style struct {
	// Code is the fpdf style string.
	Code string
	// File is the embedded file name.
	File string
	// Data returns a copy of the TTF bytes.
	Data func() []byte
}

// SerifStyles lists the four embedded serif fonts.
func SerifStyles() []Style {
	return []Style{
		{Code: "", File: "LiberationSerif-Regular.ttf", Data: SerifRegular},
		{Code: "B", File: "LiberationSerif-Bold.ttf", Data: SerifBold},
		{Code: "I", File: "LiberationSerif-Italic.ttf", Data: SerifItalic},
		{Code: "BI", File: "LiberationSerif-BoldItalic.ttf", Data: SerifBoldItalic},
	}
}

func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// serifCoverage is computed once from read-only embedded data; it is never
// modified afterwards.
var serifCoverage = sync.OnceValues(func() (*Coverage, error) {
	var all *Coverage
	for _, st := range []struct {
		name string
		data []byte
	}{
		{"LiberationSerif-Regular.ttf", serifRegular},
		{"LiberationSerif-Bold.ttf", serifBold},
		{"LiberationSerif-Italic.ttf", serifItalic},
		{"LiberationSerif-BoldItalic.ttf", serifBoldItalic},
	} {
		c, err := NewCoverage(st.data)
		if err != nil {
			return nil, fmt.Errorf("fonts: reading the character map of embedded %s: %w", st.name, err)
		}
		if all == nil {
			all = c
		} else {
			all = all.intersect(c)
		}
	}
	return all, nil
})

// SerifCoverage returns the characters that all four embedded serif styles
// can display. Renderers use it to reject text the fonts cannot show instead
// of printing blank boxes.
func SerifCoverage() (*Coverage, error) {
	return serifCoverage()
}
