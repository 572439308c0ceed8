// Package render lays out an official document (docmodel.Fields) the way
// Decree 30/2020/NĐ-CP prescribes: as PDF (A4, embedded Liberation Serif,
// extractable text), as an HTML preview and as plain text that the parser
// reads back.
//
// All three outputs share one normalised view of the fields (see prepare), so
// they show the same lines in the same order: issuing body, number, subject
// (V/v for a letter), national name and motto, place and date, type name and
// subject (other types), recipients, body, distribution list and signature.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-project/loa/internal/docmodel"
)

// Limits on the input. They are far above what a real document needs and
// exist so that a hostile or broken draft cannot exhaust memory.
const (
	// MaxBodyBytes bounds Fields.Body and, separately, the combined text of
	// Fields.Items.
	MaxBodyBytes = 1 << 20
	// MaxFieldBytes bounds every single-line field (issuer, subject, names…).
	MaxFieldBytes = 2000
	// MaxListLen bounds the recipient, distribution and archive lists.
	MaxListLen = 500
	// MaxItems bounds the number of content items.
	MaxItems = 5000
	// MaxImageBytes bounds the signature and seal PNG files.
	MaxImageBytes = 4 << 20
	// MaxImageSide bounds the width and height of those images in pixels.
	MaxImageSide = 6000
)

// Options tune the rendering. The zero value renders a final document at
// 14 pt.
type Options struct {
	// Title is the PDF/HTML document title; empty derives it from the
	// number, notation and subject.
	Title string
	// Draft adds a diagonal "DỰ THẢO" watermark on every page.
	Draft bool
	// SignatureImage is an optional PNG (blue, transparent background) of
	// the signer's signature, placed between the title and the name.
	SignatureImage []byte
	// SealImage is an optional PNG (red, transparent) of the seal; it covers
	// the left third of the signature, as Decree 30 shows for electronic
	// signatures. It requires SignatureImage.
	SealImage []byte
	// BodyFontSize is the body text size in points, 13 or 14 (0 means 14).
	BodyFontSize float64
	// CreationDate is stored in the PDF metadata; the zero value means the
	// time of rendering. Set it to get byte-identical output.
	CreationDate time.Time
	// StandalonePage makes HTML write a complete page (doctype, head, body)
	// instead of a fragment to embed.
	StandalonePage bool
}

// Fixed wording of the national name and motto (Decree 30, Appendix I).
const (
	nationalName = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	motto        = "Độc lập - Tự do - Hạnh phúc"
	watermark    = "DỰ THẢO"
)

// doc is the normalised, ready-to-print view of a document shared by the
// PDF, HTML and text renderers.
type doc struct {
	parentIssuer string // upper case, may be empty
	issuer       string // upper case, may be empty
	numberLine   string // "Số: 570/STTTT-TTBCBC"
	isLetter     bool   // công văn: "V/v" subject under the number
	typeName     string // upper case type name for other types
	subject      string
	marks        []string // confidentiality then urgency, upper case
	dateLine     string   // "Kiên Giang, ngày 04 tháng 6 năm 2021"
	recipients   []string // without trailing punctuation
	paragraphs   []string
	distribution []string // ready lines: "- Như trên;", …, "- Lưu: VT, TTBCBC."
	authority    string   // upper case, e.g. "KT. GIÁM ĐỐC"
	signerTitle  string   // upper case, e.g. "PHÓ GIÁM ĐỐC"
	signerName   string
	title        string // metadata title
	author       string // metadata author (issuer as written)
}

// fieldError builds a user-facing validation error naming the field.
func fieldError(field, format string, args ...any) error {
	return fmt.Errorf("render: field %q: %s", field, fmt.Sprintf(format, args...))
}

// cleanLine normalises a single-line value: NFC (decomposed Vietnamese from
// old tools would print loose accents), control characters removed, runs of
// white space collapsed.
func cleanLine(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || r == utf8.RuneError || r == '\uFEFF' || r == '\u200B':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// checkedLine validates the size and UTF-8 encoding of a single-line field
// and returns it cleaned.
func checkedLine(field, s string) (string, error) {
	if len(s) > MaxFieldBytes {
		return "", fieldError(field, "is %d bytes long, more than the %d allowed; shorten it", len(s), MaxFieldBytes)
	}
	if !utf8.ValidString(s) {
		return "", fieldError(field, "is not valid UTF-8 text; convert it to Unicode (UTF-8) first")
	}
	return cleanLine(s), nil
}

// trimListPunct removes the separators a list line carries in print (";" or
// "." at the end, "-" at the start) so that the renderer can add its own.
func trimListPunct(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "-–+• ")
	return strings.TrimSpace(strings.TrimRight(s, ";,. "))
}

// upper upper-cases Vietnamese text (strings.ToUpper handles đ→Đ, ệ→Ệ).
func upper(s string) string { return strings.ToUpper(s) }

// formatDate renders the Decree 30 date line: day below 10 and months 1–2
// with a leading zero.
func formatDate(place string, t time.Time) string {
	day := fmt.Sprintf("%02d", t.Day())
	month := strconv.Itoa(int(t.Month()))
	if t.Month() <= 2 {
		month = fmt.Sprintf("%02d", int(t.Month()))
	}
	line := fmt.Sprintf("ngày %s tháng %s năm %d", day, month, t.Year())
	if place == "" {
		return "Ngày" + strings.TrimPrefix(line, "ngày")
	}
	return place + ", " + line
}

// formatNumber pads a purely numeric number below 10 with a leading zero,
// as Decree 30 requires ("01" … "09").
func formatNumber(n string) string {
	if len(n) == 1 && n[0] >= '1' && n[0] <= '9' {
		return "0" + n
	}
	return n
}

// isLetterType reports whether the type is a công văn (or unknown, which
// Loa treats as a letter because a letter prints no type name).
func isLetterType(t string) bool {
	if t == "" {
		return true
	}
	f := strings.ToLower(t)
	return f == "công văn" || f == "cv"
}

// prepare validates f and builds the normalised view.
func prepare(f docmodel.Fields) (*doc, error) {
	d := &doc{}
	var err error
	line := func(field string, p *string) string {
		if err != nil || p == nil {
			return ""
		}
		var s string
		s, err = checkedLine(field, *p)
		return s
	}
	parent := line("parent_issuer", f.ParentIssuer)
	issuer := line("issuer", f.Issuer)
	docType := line("doc_type", f.DocType)
	number := line("number", f.Number)
	notation := line("notation", f.Notation)
	place := line("place", f.Place)
	date := line("date", f.Date)
	subject := line("subject", f.Subject)
	urgency := line("urgency", f.Urgency)
	secrecy := line("confidentiality", f.Confidentiality)
	authority := line("signing_authority", f.SigningAuthority)
	signerTitle := line("signer_title", f.SignerTitle)
	signerName := line("signer_name", f.SignerName)
	if err != nil {
		return nil, err
	}

	d.parentIssuer = upper(parent)
	d.issuer = upper(issuer)
	d.author = issuer
	d.isLetter = isLetterType(docType)
	if !d.isLetter {
		d.typeName = upper(docType)
	}
	d.subject = subject
	d.authority = upper(authority)
	d.signerTitle = upper(signerTitle)
	d.signerName = signerName
	if secrecy != "" {
		d.marks = append(d.marks, upper(secrecy))
	}
	if urgency != "" {
		d.marks = append(d.marks, upper(urgency))
	}

	if strings.ContainsAny(number, " /") {
		return nil, fieldError("number", "%q must be the bare number (e.g. 570), without spaces or \"/\"", number)
	}
	if strings.Contains(notation, " ") {
		return nil, fieldError("notation", "%q must not contain spaces (e.g. STTTT-TTBCBC)", notation)
	}
	switch {
	case number == "" && notation == "":
		d.numberLine = "Số:       /"
	case number == "":
		// Not numbered yet: leave room for the clerk, as drafts do.
		d.numberLine = "Số:       /" + notation
	case notation == "":
		d.numberLine = "Số: " + formatNumber(number)
	default:
		d.numberLine = "Số: " + formatNumber(number) + "/" + notation
	}

	if date != "" {
		t, perr := time.Parse("2006-01-02", date)
		if perr != nil {
			return nil, fieldError("date", "%q is not a date in the form YYYY-MM-DD (e.g. 2021-06-04)", date)
		}
		d.dateLine = formatDate(place, t)
	} else if place != "" {
		d.dateLine = place + ", ngày      tháng      năm"
	} else {
		d.dateLine = "Ngày      tháng      năm"
	}

	if d.recipients, err = list("recipients", f.Recipients); err != nil {
		return nil, err
	}
	if d.paragraphs, err = paragraphs(f); err != nil {
		return nil, err
	}
	if d.distribution, err = distribution(f); err != nil {
		return nil, err
	}

	d.title = number
	if notation != "" {
		d.title = strings.TrimPrefix(number+"/"+notation, "/")
	}
	if subject != "" {
		if d.title != "" {
			d.title += " - "
		}
		if d.isLetter {
			d.title += "V/v " + subject
		} else {
			d.title += docType + " " + subject
		}
	}
	if d.title == "" {
		d.title = "Văn bản"
	}
	return d, nil
}

func list(field string, in []string) ([]string, error) {
	if len(in) > MaxListLen {
		return nil, fieldError(field, "has %d entries, more than the %d allowed", len(in), MaxListLen)
	}
	out := make([]string, 0, len(in))
	for i, s := range in {
		c, err := checkedLine(fmt.Sprintf("%s[%d]", field, i), s)
		if err != nil {
			return nil, err
		}
		if c = trimListPunct(c); c != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// paragraphs splits the body on line breaks; without a body the numbered
// items become the paragraphs.
func paragraphs(f docmodel.Fields) ([]string, error) {
	var out []string
	if body := docmodel.Val(f.Body); strings.TrimSpace(body) != "" {
		if len(body) > MaxBodyBytes {
			return nil, fieldError("body", "is %d bytes long, more than the 1 MiB (%d bytes) a document body may have; split the document or move the long part to an attachment", len(body), MaxBodyBytes)
		}
		if !utf8.ValidString(body) {
			return nil, fieldError("body", "is not valid UTF-8 text; convert it to Unicode (UTF-8) first")
		}
		body = strings.ReplaceAll(body, "\r\n", "\n")
		body = strings.ReplaceAll(body, "\r", "\n")
		for _, p := range strings.Split(body, "\n") {
			if p = cleanLine(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	if len(f.Items) > MaxItems {
		return nil, fieldError("items", "has %d entries, more than the %d allowed", len(f.Items), MaxItems)
	}
	total := 0
	for i, it := range f.Items {
		total += len(it.Label) + len(it.Text)
		if total > MaxBodyBytes {
			return nil, fieldError("items", "hold more than 1 MiB (%d bytes) of text; split the document", MaxBodyBytes)
		}
		if !utf8.ValidString(it.Label) || !utf8.ValidString(it.Text) {
			return nil, fieldError(fmt.Sprintf("items[%d]", i), "is not valid UTF-8 text; convert it to Unicode (UTF-8) first")
		}
		label := cleanLine(it.Label)
		text := cleanLine(it.Text)
		if text == "" {
			continue
		}
		switch {
		case label == "":
			out = append(out, text)
		case strings.HasSuffix(label, ")") || strings.HasSuffix(label, ".") || label == "-" || label == "+":
			out = append(out, label+" "+text)
		default:
			out = append(out, label+". "+text)
		}
	}
	return out, nil
}

// distribution builds the "Nơi nhận" lines: "- name (purpose);" … and the
// archive line "- Lưu: VT, unit." ending with a full stop.
func distribution(f docmodel.Fields) ([]string, error) {
	if len(f.Distribution) > MaxListLen {
		return nil, fieldError("distribution", "has %d entries, more than the %d allowed", len(f.Distribution), MaxListLen)
	}
	var lines []string
	for i, dd := range f.Distribution {
		name, err := checkedLine(fmt.Sprintf("distribution[%d].name", i), dd.Name)
		if err != nil {
			return nil, err
		}
		name = trimListPunct(name)
		if name == "" {
			continue
		}
		if p := docmodel.Val(dd.Purpose); p != "" {
			purpose, err := checkedLine(fmt.Sprintf("distribution[%d].purpose", i), p)
			if err != nil {
				return nil, err
			}
			purpose = strings.Trim(purpose, "() ")
			if purpose != "" && !strings.HasSuffix(name, ")") {
				name += " (" + purpose + ")"
			}
		}
		lines = append(lines, "- "+name)
	}
	archive, err := list("archive", f.Archive)
	if err != nil {
		return nil, err
	}
	if len(archive) > 0 {
		lines = append(lines, "- Lưu: "+strings.Join(archive, ", "))
	}
	for i := range lines {
		if i == len(lines)-1 {
			lines[i] += "."
		} else {
			lines[i] += ";"
		}
	}
	return lines, nil
}

// checkPNG validates an optional image option.
func checkPNG(name string, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if len(data) > MaxImageBytes {
		return fmt.Errorf("render: option %s is %d bytes, more than the %d allowed; scale the image down", name, len(data), MaxImageBytes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("render: option %s is not a readable PNG image (%w); export the image as PNG", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return fmt.Errorf("render: option %s is %dx%d pixels; it must be at most %dx%d", name, cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
	}
	// Decode fully: a truncated or corrupt file must be caught here, not
	// half-way through the PDF writer.
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("render: option %s is a damaged PNG image: %w", name, err)
	}
	return nil
}

// pngAspect returns height/width of a PNG already checked by checkPNG.
func pngAspect(data []byte) float64 {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width == 0 {
		return 1
	}
	return float64(cfg.Height) / float64(cfg.Width)
}

// checkOptions validates opt and returns the body font size.
func checkOptions(opt Options) (float64, error) {
	size := opt.BodyFontSize
	if size == 0 {
		size = 14
	}
	if size < 13 || size > 14 {
		return 0, fmt.Errorf("render: option BodyFontSize is %g; Decree 30 allows 13 to 14 pt", opt.BodyFontSize)
	}
	if len(opt.Title) > MaxFieldBytes || !utf8.ValidString(opt.Title) {
		return 0, errors.New("render: option Title must be valid UTF-8 of at most 2000 bytes")
	}
	if err := checkPNG("SignatureImage", opt.SignatureImage); err != nil {
		return 0, err
	}
	if err := checkPNG("SealImage", opt.SealImage); err != nil {
		return 0, err
	}
	if len(opt.SealImage) > 0 && len(opt.SignatureImage) == 0 {
		return 0, errors.New("render: option SealImage needs SignatureImage too: the seal is placed over the signature")
	}
	return size, nil
}

// allText lists every string the document prints, with the field it came
// from, for the font coverage check.
func (d *doc) allText() [][2]string {
	out := [][2]string{
		{"parent_issuer", d.parentIssuer}, {"issuer", d.issuer}, {"number/notation", d.numberLine},
		{"doc_type", d.typeName}, {"subject", d.subject}, {"place/date", d.dateLine},
		{"signing_authority", d.authority}, {"signer_title", d.signerTitle}, {"signer_name", d.signerName},
		{"title", d.title},
	}
	for _, m := range d.marks {
		out = append(out, [2]string{"urgency/confidentiality", m})
	}
	for i, r := range d.recipients {
		out = append(out, [2]string{fmt.Sprintf("recipients[%d]", i), r})
	}
	for i, p := range d.paragraphs {
		out = append(out, [2]string{fmt.Sprintf("body paragraph %d", i+1), p})
	}
	for i, l := range d.distribution {
		out = append(out, [2]string{fmt.Sprintf("distribution line %d", i+1), l})
	}
	return out
}
