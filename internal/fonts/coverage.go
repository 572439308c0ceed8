package fonts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode"
)

// Coverage is the set of characters a TrueType font maps to a glyph, read
// from its cmap table. It is immutable once built.
type Coverage struct {
	runes map[rune]struct{}
}

// maxFontSize bounds the font files NewCoverage accepts.
const maxFontSize = 64 << 20

// NewCoverage reads the Unicode character map (cmap formats 4 and 12) of a
// TrueType/OpenType font.
func NewCoverage(ttf []byte) (*Coverage, error) {
	if len(ttf) > maxFontSize {
		return nil, fmt.Errorf("font file is %d bytes, more than the %d accepted", len(ttf), maxFontSize)
	}
	cmap, err := findTable(ttf, "cmap")
	if err != nil {
		return nil, err
	}
	if len(cmap) < 4 {
		return nil, errors.New("cmap table is truncated")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	if len(cmap) < 4+8*n {
		return nil, errors.New("cmap encoding records are truncated")
	}
	// Prefer a full-repertoire subtable (format 12), then a BMP one.
	best, bestRank := -1, 0
	for i := 0; i < n; i++ {
		rec := cmap[4+8*i:]
		platform := binary.BigEndian.Uint16(rec)
		encoding := binary.BigEndian.Uint16(rec[2:])
		off := int(binary.BigEndian.Uint32(rec[4:]))
		rank := 0
		switch {
		case platform == 3 && encoding == 10, platform == 0 && (encoding == 4 || encoding == 6):
			rank = 2
		case platform == 3 && encoding == 1, platform == 0 && encoding <= 3:
			rank = 1
		}
		if rank > bestRank && off+2 <= len(cmap) {
			best, bestRank = off, rank
		}
	}
	if best < 0 {
		return nil, errors.New("font has no Unicode cmap subtable")
	}
	sub := cmap[best:]
	format := binary.BigEndian.Uint16(sub)
	c := &Coverage{runes: make(map[rune]struct{}, 4096)}
	switch format {
	case 4:
		err = c.readFormat4(sub)
	case 12:
		err = c.readFormat12(sub)
	default:
		err = fmt.Errorf("unsupported cmap subtable format %d", format)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func findTable(ttf []byte, tag string) ([]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("not a TrueType font: file is shorter than its header")
	}
	switch v := binary.BigEndian.Uint32(ttf); v {
	case 0x00010000, 0x4F54544F, 0x74727565: // 1.0, "OTTO", "true"
	default:
		return nil, fmt.Errorf("not a TrueType font: unknown version 0x%08x", v)
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return nil, errors.New("font table directory is truncated")
	}
	for i := 0; i < n; i++ {
		rec := ttf[12+16*i:]
		if string(rec[:4]) != tag {
			continue
		}
		off := int(binary.BigEndian.Uint32(rec[8:]))
		length := int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off > len(ttf) || length > len(ttf)-off {
			return nil, fmt.Errorf("font table %q lies outside the file", tag)
		}
		return ttf[off : off+length], nil
	}
	return nil, fmt.Errorf("font has no %q table", tag)
}

func (c *Coverage) readFormat4(sub []byte) error {
	if len(sub) < 14 {
		return errors.New("cmap format 4 header is truncated")
	}
	length := int(binary.BigEndian.Uint16(sub[2:]))
	if length < 14 || length > len(sub) {
		length = len(sub) // some fonts store a wrong length; stay within the table
	}
	sub = sub[:length]
	segX2 := int(binary.BigEndian.Uint16(sub[6:]))
	if segX2%2 != 0 || 16+4*segX2 > len(sub) {
		return errors.New("cmap format 4 segment arrays are truncated")
	}
	ends := sub[14:]
	starts := sub[16+segX2:]
	deltas := sub[16+2*segX2:]
	rangeOffPos := 16 + 3*segX2
	for s := 0; s < segX2/2; s++ {
		end := int(binary.BigEndian.Uint16(ends[2*s:]))
		start := int(binary.BigEndian.Uint16(starts[2*s:]))
		delta := int(binary.BigEndian.Uint16(deltas[2*s:]))
		ro := int(binary.BigEndian.Uint16(sub[rangeOffPos+2*s:]))
		if start > end {
			continue
		}
		for ch := start; ch <= end && ch != 0xFFFF; ch++ {
			var glyph int
			if ro == 0 {
				glyph = (ch + delta) & 0xFFFF
			} else {
				pos := rangeOffPos + 2*s + ro + 2*(ch-start)
				if pos+2 > len(sub) {
					return errors.New("cmap format 4 glyph index lies outside the table")
				}
				glyph = int(binary.BigEndian.Uint16(sub[pos:]))
				if glyph != 0 {
					glyph = (glyph + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				c.runes[rune(ch)] = struct{}{}
			}
		}
	}
	return nil
}

func (c *Coverage) readFormat12(sub []byte) error {
	if len(sub) < 16 {
		return errors.New("cmap format 12 header is truncated")
	}
	n := int(binary.BigEndian.Uint32(sub[12:]))
	if n < 0 || n > (len(sub)-16)/12 {
		return errors.New("cmap format 12 groups are truncated")
	}
	for i := 0; i < n; i++ {
		g := sub[16+12*i:]
		start := binary.BigEndian.Uint32(g)
		end := binary.BigEndian.Uint32(g[4:])
		glyph := binary.BigEndian.Uint32(g[8:])
		if end > unicode.MaxRune || start > end {
			continue
		}
		for ch := start; ch <= end; ch++ {
			if glyph+(ch-start) != 0 {
				c.runes[rune(ch)] = struct{}{}
			}
		}
	}
	return nil
}

func (c *Coverage) intersect(o *Coverage) *Coverage {
	out := &Coverage{runes: make(map[rune]struct{}, len(c.runes))}
	for r := range c.runes {
		if _, ok := o.runes[r]; ok {
			out.runes[r] = struct{}{}
		}
	}
	return out
}

// Len returns the number of characters covered.
func (c *Coverage) Len() int { return len(c.runes) }

// Has reports whether the font has a glyph for r.
func (c *Coverage) Has(r rune) bool {
	_, ok := c.runes[r]
	return ok
}

// Missing returns the distinct characters of s, in order of first
// appearance, that the font cannot display. Line breaks and tabs are not
// reported: layout code handles them.
func (c *Coverage) Missing(s string) []rune {
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' || seen[r] {
			continue
		}
		if !c.Has(r) {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
