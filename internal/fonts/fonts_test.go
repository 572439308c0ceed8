package fonts

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"unicode"
)

// vietnameseLetters returns every precomposed letter of the Vietnamese
// alphabet, lower and upper case, with the five tone marks.
func vietnameseLetters() string {
	const base = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
	var b strings.Builder
	for _, r := range base {
		b.WriteRune(r)
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func TestEmbeddedFontsAreTrueType(t *testing.T) {
	for _, st := range SerifStyles() {
		data := st.Data()
		if len(data) < 100_000 {
			t.Errorf("%s: only %d bytes embedded", st.File, len(data))
			continue
		}
		if v := binary.BigEndian.Uint32(data); v != 0x00010000 {
			t.Errorf("%s: sfnt version 0x%08x, want 0x00010000", st.File, v)
		}
		name, err := findTable(data, "name")
		if err != nil {
			t.Errorf("%s: %v", st.File, err)
			continue
		}
		// The name table stores the family in UTF-16BE for Windows platforms.
		if !bytes.Contains(name, utf16be("Liberation Serif")) {
			t.Errorf("%s: name table does not mention Liberation Serif", st.File)
		}
		onDisk, err := os.ReadFile(st.File)
		if err != nil {
			t.Fatalf("reading %s: %v", st.File, err)
		}
		if !bytes.Equal(onDisk, data) {
			t.Errorf("%s: embedded bytes differ from the file", st.File)
		}
	}
}

func utf16be(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

func TestAccessorsReturnCopies(t *testing.T) {
	a := SerifRegular()
	a[0] = 0xFF
	if b := SerifRegular(); b[0] == 0xFF {
		t.Fatal("modifying the returned slice changed the embedded font")
	}
}

func TestLicense(t *testing.T) {
	l := string(License())
	for _, want := range []string{"SIL OPEN FONT LICENSE Version 1.1", "Reserved Font Name Liberation", "fonts-liberation2"} {
		if !strings.Contains(l, want) {
			t.Errorf("license text lacks %q", want)
		}
	}
}

func TestSerifCoversVietnamese(t *testing.T) {
	cov, err := SerifCoverage()
	if err != nil {
		t.Fatal(err)
	}
	text := vietnameseLetters() + " “”–—…/.,;:()0123456789"
	if miss := cov.Missing(text); len(miss) > 0 {
		t.Fatalf("embedded serif fonts lack %q", string(miss))
	}
	if cov.Len() < 1000 {
		t.Errorf("coverage of %d characters is implausibly small", cov.Len())
	}
	if miss := cov.Missing("漢😀"); len(miss) != 2 {
		t.Errorf("Missing(CJK, emoji) = %q, want both reported", string(miss))
	}
}

// The 1.x Liberation fonts lack Vietnamese; the coverage reader must see it.
// This guards against a coverage reader that accepts everything.
func TestOldLiberationLacksVietnamese(t *testing.T) {
	const old = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
	data, err := os.ReadFile(old)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reading %s (Debian package fonts-liberation): %v", old, err)
		}
		t.Skipf("needs Debian package fonts-liberation: %v", err)
	}
	cov, err := NewCoverage(data)
	if err != nil {
		t.Fatal(err)
	}
	if !cov.Has('A') || !cov.Has('é') {
		t.Fatal("old font should still cover basic Latin")
	}
	if len(cov.Missing("ệơưẫ")) == 0 {
		t.Fatal("old Liberation 1.x reported as covering Vietnamese; the coverage reader is wrong")
	}
}

// buildFont makes a minimal sfnt with only a cmap table holding a format 4
// subtable that maps 'A'..'C' (delta) and 'x' (glyph array), plus the
// mandatory 0xFFFF end segment.
func buildFont() []byte {
	type seg struct{ start, end, delta, ro uint16 }
	segs := []seg{{'A', 'C', 10, 0}, {'x', 'y', 0, 1}, {0xFFFF, 0xFFFF, 1, 0}}
	glyphs := []uint16{7, 0} // 'x' -> 7, 'y' -> 0 (missing)
	n := len(segs)
	var sub bytes.Buffer
	w := func(v uint16) { _ = binary.Write(&sub, binary.BigEndian, v) }
	w(4)
	w(uint16(16 + 8*n + 2*len(glyphs)))
	w(0)
	w(uint16(2 * n))
	w(0)
	w(0)
	w(0)
	for _, s := range segs {
		w(s.end)
	}
	w(0)
	for _, s := range segs {
		w(s.start)
	}
	for _, s := range segs {
		w(s.delta)
	}
	for i, s := range segs {
		if s.ro != 0 {
			// Offset from this idRangeOffset entry to glyphs[0].
			s.ro = uint16(2 * (n - i))
		}
		w(s.ro)
	}
	for _, g := range glyphs {
		w(g)
	}
	var cmap bytes.Buffer
	_ = binary.Write(&cmap, binary.BigEndian, []uint16{0, 1, 3, 1})
	_ = binary.Write(&cmap, binary.BigEndian, uint32(12))
	cmap.Write(sub.Bytes())

	var f bytes.Buffer
	_ = binary.Write(&f, binary.BigEndian, uint32(0x00010000))
	_ = binary.Write(&f, binary.BigEndian, []uint16{1, 16, 0, 0})
	f.WriteString("cmap")
	_ = binary.Write(&f, binary.BigEndian, []uint32{0, 28, uint32(cmap.Len())})
	f.Write(cmap.Bytes())
	return f.Bytes()
}

func TestCoverageFormat4(t *testing.T) {
	cov, err := NewCoverage(buildFont())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "ABCx" {
		if !cov.Has(r) {
			t.Errorf("Has(%q) = false, want true", r)
		}
	}
	if got := string(cov.Missing("ABDyx\nD")); got != "Dy" {
		t.Errorf("Missing = %q, want %q", got, "Dy")
	}
	if cov.Len() != 4 {
		t.Errorf("Len = %d, want 4", cov.Len())
	}
}

func TestCoverageRejectsBadInput(t *testing.T) {
	good := buildFont()
	cases := map[string][]byte{
		"empty":      nil,
		"not a font": []byte("%PDF-1.4 hello world"),
		"truncated":  good[:20],
		"no cmap":    append(append([]byte{}, good[:12]...), []byte("glyf\x00\x00\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x00")...),
	}
	for name, data := range cases {
		if _, err := NewCoverage(data); err == nil {
			t.Errorf("%s: NewCoverage accepted it", name)
		}
	}
}
