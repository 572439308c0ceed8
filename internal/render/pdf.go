package render

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/fonts"
)

// Page geometry in millimetres (Decree 30: A4; margins top and bottom
// 20–25 mm, left 30–35 mm, right 15–20 mm).
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 30.0
	marginR = 15.0
	marginT = 20.0
	marginB = 20.0
	textW   = pageW - marginL - marginR

	// The header is a two-column table: issuing body on the left, national
	// name and motto on the right. As in the usual word-processor templates
	// it reaches 10 mm into the left margin: within the 165 mm text width an
	// issuing body such as "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" (12.5–13 pt bold)
	// and the national name (12 pt bold) cannot stand side by side with the
	// clear gap (over 1.5 font sizes) that keeps text extraction from
	// mixing the two columns.
	headerLeftX      = marginL - 10
	headerLeftW      = 78.0
	headerRightX     = 105.0
	headerRightW     = pageW - marginR - headerRightX
	headerLineFactor = 1.15
	ruleDrop         = 1.8 // rule below the baseline of the line above it

	// The signature band below the body: distribution list on the left,
	// signature block on the right.
	bandLeftW  = 78.0
	bandRightX = marginL + bandLeftW + 2
	bandRightW = pageW - marginR - bandRightX

	firstLineIndent = 12.7 // 1.27 cm
	lineFactor      = 1.2  // line height / font size ("single" spacing)
	signatureGap    = 26.0 // room for a handwritten signature and seal
	sealWidth       = 36.0
	signatureWidth  = 40.0
	pageNumberY     = 10.0
	watermarkSize   = 100.0 // pt
)

// pt converts points to millimetres.
func pt(size float64) float64 { return size * 25.4 / 72 }

// lineH is the line height for a font size in points.
func lineH(size float64) float64 { return pt(size) * lineFactor }

// PDF renders f as an A4 PDF in the Decree 30 layout with the embedded
// Liberation Serif fonts. The text is extractable (pdftotext) in reading
// order: issuing body, number and subject, national name and motto, date,
// recipients, body, distribution, signature.
func PDF(w io.Writer, f docmodel.Fields, opt Options) error {
	size, err := checkOptions(opt)
	if err != nil {
		return err
	}
	d, err := prepare(f)
	if err != nil {
		return err
	}
	if opt.Title != "" {
		d.title = cleanLine(opt.Title)
	}
	cov, err := fonts.SerifCoverage()
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	for _, t := range d.allText() {
		if miss := cov.Missing(t[1]); len(miss) > 0 {
			return fmt.Errorf("render: field %q contains %s that the embedded Liberation Serif font cannot display; replace or remove them", t[0], describeRunes(miss))
		}
	}

	p := newPDF(size, opt)
	p.document(d)
	if err := p.pdf.Error(); err != nil {
		return fmt.Errorf("render: laying out the PDF: %w", err)
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return fmt.Errorf("render: writing the PDF: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render: writing the PDF: %w", err)
	}
	return nil
}

func describeRunes(rs []rune) string {
	const show = 5
	parts := make([]string, 0, show)
	for i, r := range rs {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-show))
			break
		}
		parts = append(parts, fmt.Sprintf("U+%04X %q", r, r))
	}
	return "the character(s) " + strings.Join(parts, ", ")
}

type pdfDoc struct {
	pdf      *fpdf.Fpdf
	bodySize float64
	opt      Options
}

func newPDF(bodySize float64, opt Options) *pdfDoc {
	pdf := fpdf.New("P", "mm", "A4", "")
	for _, st := range fonts.SerifStyles() {
		pdf.AddUTF8FontFromBytes(fonts.Family, st.Code, st.Data())
	}
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, marginB)
	pdf.SetCellMargin(0)
	pdf.SetLineWidth(0.3)
	pdf.SetCatalogSort(true)
	pdf.SetCreator("Loa", true)
	pdf.SetLang("vi-VN")
	if !opt.CreationDate.IsZero() {
		pdf.SetCreationDate(opt.CreationDate)
		pdf.SetModificationDate(opt.CreationDate)
	}
	p := &pdfDoc{pdf: pdf, bodySize: bodySize, opt: opt}
	pdf.SetHeaderFuncMode(p.pageHeader, true)
	return p
}

// pageHeader draws the draft watermark and, from page 2 on, the page
// number centred at the top (Decree 30).
func (p *pdfDoc) pageHeader() {
	pdf := p.pdf
	if p.opt.Draft {
		pdf.SetFont(fonts.Family, "B", watermarkSize)
		pdf.SetTextColor(215, 215, 215)
		cx, cy := pageW/2, pageH/2
		pdf.TransformBegin()
		pdf.TransformRotate(55, cx, cy)
		// Mark the watermark as an artifact whose actual text is empty, so
		// that text extraction (and so the parser) does not see it.
		pdf.RawWriteStr("/Span <</ActualText ()>> BDC\n")
		pdf.Text(cx-pdf.GetStringWidth(watermark)/2, cy+pt(watermarkSize)/3, watermark)
		pdf.RawWriteStr("EMC\n")
		pdf.TransformEnd()
		pdf.SetTextColor(0, 0, 0)
	}
	if n := pdf.PageNo(); n >= 2 {
		pdf.SetFont(fonts.Family, "", p.bodySize)
		pdf.SetXY(marginL, pageNumberY)
		pdf.CellFormat(textW, lineH(p.bodySize), strconv.Itoa(n), "", 0, "C", false, 0, "")
	}
}

func (p *pdfDoc) font(style string, size float64) { p.pdf.SetFont(fonts.Family, style, size) }

// wrap breaks text into lines no wider than width (firstWidth for the first
// line) in the current font. Words longer than a line are cut.
func (p *pdfDoc) wrap(text string, firstWidth, width float64) []string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return nil
	}
	space := p.pdf.GetStringWidth(" ")
	var lines []string
	var cur []string
	curW := 0.0
	limit := firstWidth
	flush := func() {
		lines = append(lines, strings.Join(cur, " "))
		cur, curW, limit = nil, 0, width
	}
	for _, word := range words {
		ww := p.pdf.GetStringWidth(word)
		if len(cur) > 0 && curW+space+ww <= limit {
			cur = append(cur, word)
			curW += space + ww
			continue
		}
		if len(cur) > 0 {
			flush()
		}
		for ww > limit {
			// Cut an over-long word (a URL, a long code) at the last rune
			// that fits.
			runes := []rune(word)
			n := 1
			for n < len(runes) && p.pdf.GetStringWidth(string(runes[:n+1])) <= limit {
				n++
			}
			cur = []string{string(runes[:n])}
			flush()
			word = string(runes[n:])
			ww = p.pdf.GetStringWidth(word)
		}
		if word != "" {
			cur = []string{word}
			curW = ww
		}
	}
	if len(cur) > 0 {
		lines = append(lines, strings.Join(cur, " "))
	}
	return lines
}

// centred writes text centred in [x, x+w] from y on, wrapping it, and
// returns the y below it and the widest line's width.
func (p *pdfDoc) centred(x, y, w float64, style string, size float64, text string) (float64, float64) {
	return p.lines(x, y, w, lineH(size), style, size, text)
}

// lines is centred with an explicit line height h.
func (p *pdfDoc) lines(x, y, w, h float64, style string, size float64, text string) (float64, float64) {
	p.font(style, size)
	widest := 0.0
	for _, l := range p.wrap(text, w, w) {
		p.pdf.SetXY(x, y)
		p.pdf.CellFormat(w, h, l, "", 0, "C", false, 0, "")
		widest = math.Max(widest, p.pdf.GetStringWidth(l))
		y += h
	}
	return y, widest
}

// fits reports whether text fits on one line of width at size.
func (p *pdfDoc) fits(style, text string, width, size float64) bool {
	p.font(style, size)
	return p.pdf.GetStringWidth(text) <= width
}

// fitSize returns the largest of sizes at which text fits in width.
func (p *pdfDoc) fitSize(style, text string, width float64, sizes ...float64) float64 {
	for _, s := range sizes {
		p.font(style, s)
		if p.pdf.GetStringWidth(text) <= width {
			return s
		}
	}
	return sizes[len(sizes)-1]
}

// rule draws a horizontal solid line of length l centred on cx.
func (p *pdfDoc) rule(cx, y, l float64) {
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(cx-l/2, y, cx+l/2, y)
}

func (p *pdfDoc) document(d *doc) {
	pdf := p.pdf
	pdf.SetTitle(d.title, true)
	if d.author != "" {
		pdf.SetAuthor(d.author, true)
	}
	if d.subject != "" {
		pdf.SetSubject(d.subject, true)
	}
	pdf.AddPage()
	y := p.header(d)
	if !d.isLetter {
		y = p.typeBlock(d, y)
	}
	y = p.recipients(d, y)
	p.body(d, y)
	p.signatureBand(d)
}

// header draws the two-column header and returns the y below it.
//
// Every line of the left column is set at 12.5–13 pt with less than 1.5
// lines between baselines, so that text extraction (poppler's pdftotext)
// keeps the column together as one block and reads it before the right
// column, in the order the parser expects: issuing body, number, subject,
// then national name, motto, place and date.
func (p *pdfDoc) header(d *doc) float64 {
	leftCX := headerLeftX + headerLeftW/2
	rightCX := headerRightX + headerRightW/2

	// Left: parent body (regular caps), issuing body (bold caps), short rule,
	// all at one size so that they stay one block.
	size := 13.0
	if !p.fits("", d.parentIssuer, headerLeftW, size) || !p.fits("B", d.issuer, headerLeftW, size) {
		size = 12.5
	}
	hl := pt(size) * headerLineFactor
	yl := marginT
	leftBase := marginT // baseline of the last line of the agency block
	if d.parentIssuer != "" {
		yl, _ = p.lines(headerLeftX, yl, headerLeftW, hl, "", size, d.parentIssuer)
		leftBase = baseline(yl-hl, hl, size)
	}
	if d.issuer != "" {
		var widest float64
		yl, widest = p.lines(headerLeftX, yl, headerLeftW, hl, "B", size, d.issuer)
		leftBase = baseline(yl-hl, hl, size)
		p.rule(leftCX, leftBase+ruleDrop, math.Max(widest*0.4, 15))
	}

	// Right: national name, motto, rule as long as the motto.
	yr := marginT
	nameSize := p.fitSize("B", nationalName, headerRightW, 13, 12.5, 12)
	yr, _ = p.lines(headerRightX, yr, headerRightW, pt(nameSize)*headerLineFactor, "B", nameSize, nationalName)
	hm := pt(13) * headerLineFactor
	yr, mottoW := p.lines(headerRightX, yr, headerRightW, hm, "B", 13, motto)
	rightBase := baseline(yr-hm, hm, 13)
	p.rule(rightCX, rightBase+ruleDrop, mottoW)

	// Second row: number (13 pt) on the left and place and date on the
	// right, on one line. The number's baseline stays 1.45 font sizes below
	// the agency block's: poppler starts a new block beyond 1.5, and the
	// number must stay in the agency block to be read before the right
	// column.
	h13 := pt(13) * headerLineFactor
	numBase := math.Max(leftBase+pt(size)*1.45, rightBase+pt(13)*1.45)
	row := numBase - (baseline(0, h13, 13))
	yl, _ = p.lines(headerLeftX, row, headerLeftW, h13, "", 13, d.numberLine)
	if d.isLetter && d.subject != "" {
		yl, _ = p.lines(headerLeftX, yl, headerLeftW, h13, "", 13, "V/v "+d.subject)
	}
	for _, m := range d.marks {
		yl = p.mark(leftCX, yl+2.5, m)
	}
	dateSize := p.fitSize("I", d.dateLine, headerRightW, 14, 13)
	yr, _ = p.lines(headerRightX, row, headerRightW, h13, "I", dateSize, d.dateLine)
	return math.Max(yl, yr) + 6
}

// baseline returns where fpdf's CellFormat puts the baseline of text of
// size (pt) in a cell of height h whose top is at top.
func baseline(top, h, size float64) float64 { return top + 0.5*h + 0.3*pt(size) }

// mark draws an urgency or confidentiality mark: bold caps in a single
// rectangular frame.
func (p *pdfDoc) mark(cx, y float64, text string) float64 {
	p.font("B", 13)
	w := p.pdf.GetStringWidth(text) + 6
	h := lineH(13) + 1.5
	p.pdf.SetLineWidth(0.3)
	p.pdf.Rect(cx-w/2, y, w, h, "D")
	p.pdf.SetXY(cx-w/2, y)
	p.pdf.CellFormat(w, h, text, "", 0, "C", false, 0, "")
	return y + h
}

// typeBlock draws the type name and subject of a document other than a
// letter, centred across the text width, with a short rule below.
func (p *pdfDoc) typeBlock(d *doc, y float64) float64 {
	y, _ = p.centred(marginL, y, textW, "B", 14, d.typeName)
	if d.subject != "" {
		var widest float64
		y, widest = p.centred(marginL+10, y, textW-20, "B", 14, d.subject)
		y += 1
		p.rule(marginL+textW/2, y, math.Min(math.Max(widest/3, 30), textW/2))
	}
	return y + 6
}

// recipients draws "Kính gửi:" with one recipient on the same line, or on
// its own line above a dash list.
func (p *pdfDoc) recipients(d *doc, y float64) float64 {
	if len(d.recipients) == 0 {
		return y
	}
	size := p.bodySize
	h := lineH(size)
	p.font("", size)
	label := "Kính gửi:"
	if len(d.recipients) == 1 {
		lines := p.wrap(label+" "+d.recipients[0], textW-20, textW-20)
		for _, l := range lines {
			p.pdf.SetXY(marginL, y)
			p.pdf.CellFormat(textW, h, l, "", 0, "C", false, 0, "")
			y += h
		}
		return y + 3
	}
	labelW := p.pdf.GetStringWidth(label + " ")
	items := make([]string, len(d.recipients))
	widest := 0.0
	for i, r := range d.recipients {
		if i == len(d.recipients)-1 {
			items[i] = "- " + r + "."
		} else {
			items[i] = "- " + r + ";"
		}
		widest = math.Max(widest, p.pdf.GetStringWidth(items[i]))
	}
	// Centre the label plus the widest item, as the Decree 30 letter form
	// does, without leaving the text area.
	x0 := marginL + math.Max(0, (textW-labelW-widest)/2)
	x0 = math.Min(x0, marginL+firstLineIndent*2)
	p.pdf.SetXY(x0, y)
	p.pdf.CellFormat(labelW, h, label, "", 0, "L", false, 0, "")
	y += h
	ix := x0 + labelW
	iw := pageW - marginR - ix
	dashW := p.pdf.GetStringWidth("- ")
	for _, it := range items {
		for j, l := range p.wrap(it, iw, iw-dashW) {
			x := ix
			if j > 0 {
				x += dashW
			}
			p.pdf.SetXY(x, y)
			p.pdf.CellFormat(iw, h, l, "", 0, "L", false, 0, "")
			y += h
		}
	}
	return y + 3
}

// body draws the paragraphs justified, with a first-line indent and 6 pt
// between paragraphs; fpdf breaks pages automatically.
func (p *pdfDoc) body(d *doc, y float64) {
	size := p.bodySize
	h := lineH(size)
	p.font("", size)
	p.pdf.SetY(y)
	for _, para := range d.paragraphs {
		lines := p.wrap(para, textW-firstLineIndent, textW)
		for i, l := range lines {
			x, w := marginL, textW
			if i == 0 {
				x, w = marginL+firstLineIndent, textW-firstLineIndent
			}
			align := "L"
			if i < len(lines)-1 && strings.Contains(l, " ") {
				align = "J"
			}
			p.pdf.SetX(x)
			p.pdf.CellFormat(w, h, l, "", 2, align, false, 0, "")
		}
		p.pdf.SetY(p.pdf.GetY() + pt(6))
	}
}

// signatureBand draws "Nơi nhận" on the left and the signature block on the
// right, starting on the same line; it moves to a new page when the band
// does not fit below the body.
func (p *pdfDoc) signatureBand(d *doc) {
	pdf := p.pdf
	y := pdf.GetY() + 2
	leftH, rightH := p.distributionHeight(d), p.signatureHeight(d)
	need := math.Max(leftH, rightH)
	if y+need > pageH-marginB && y > marginT+10 {
		pdf.AddPage()
		y = marginT
	}
	p.signature(d, y)
	p.distributionList(d, y)
}

func (p *pdfDoc) distributionLines(d *doc) [][]string {
	p.font("", 11)
	dashW := p.pdf.GetStringWidth("- ")
	out := make([][]string, 0, len(d.distribution))
	for _, l := range d.distribution {
		out = append(out, p.wrap(l, bandLeftW, bandLeftW-dashW))
	}
	return out
}

func (p *pdfDoc) distributionHeight(d *doc) float64 {
	if len(d.distribution) == 0 {
		return 0
	}
	n := 0
	for _, ls := range p.distributionLines(d) {
		n += len(ls)
	}
	return lineH(12) + float64(n)*pt(11)*1.15
}

func (p *pdfDoc) distributionList(d *doc, y float64) {
	if len(d.distribution) == 0 {
		return
	}
	pdf := p.pdf
	p.font("BI", 12)
	pdf.SetXY(marginL, y)
	pdf.CellFormat(bandLeftW, lineH(12), "Nơi nhận:", "", 2, "L", false, 0, "")
	lines := p.distributionLines(d)
	p.font("", 11)
	dashW := pdf.GetStringWidth("- ")
	for _, ls := range lines {
		for j, l := range ls {
			x := marginL
			if j > 0 {
				x += dashW
			}
			pdf.SetX(x)
			pdf.CellFormat(bandLeftW, pt(11)*1.15, l, "", 2, "L", false, 0, "")
		}
	}
}

func (p *pdfDoc) signatureHeight(d *doc) float64 {
	h := 0.0
	p.font("B", 14)
	for _, s := range []string{d.authority, d.signerTitle} {
		if s != "" {
			h += float64(len(p.wrap(s, bandRightW, bandRightW))) * lineH(14)
		}
	}
	h += p.signatureSpace()
	if d.signerName != "" {
		h += lineH(14)
	}
	return h
}

// signatureSpace is the vertical room between title and name: the
// signature image's height when one is given, a fixed gap otherwise.
func (p *pdfDoc) signatureSpace() float64 {
	if len(p.opt.SignatureImage) == 0 {
		return signatureGap
	}
	h := signatureWidth * pngAspect(p.opt.SignatureImage)
	return math.Max(math.Min(h, 35), 12) + 4
}

func (p *pdfDoc) signature(d *doc, y float64) {
	pdf := p.pdf
	cx := bandRightX + bandRightW/2
	for _, s := range []string{d.authority, d.signerTitle} {
		if s != "" {
			y, _ = p.centred(bandRightX, y, bandRightW, "B", 14, s)
		}
	}
	space := p.signatureSpace()
	if len(p.opt.SignatureImage) > 0 {
		h := space - 4
		w := h / pngAspect(p.opt.SignatureImage)
		if w > signatureWidth {
			w = signatureWidth
			h = w * pngAspect(p.opt.SignatureImage)
		}
		sx, sy := cx-w/2, y+2
		opts := fpdf.ImageOptions{ImageType: "PNG"}
		pdf.RegisterImageOptionsReader("signature", opts, bytes.NewReader(p.opt.SignatureImage))
		pdf.ImageOptions("signature", sx, sy, w, h, false, opts, 0, "")
		if len(p.opt.SealImage) > 0 {
			sw := sealWidth
			shh := sw * pngAspect(p.opt.SealImage)
			// The seal covers the left third of the signature.
			sealX := sx + w/3 - sw
			sealY := sy + h/2 - shh/2
			pdf.RegisterImageOptionsReader("seal", opts, bytes.NewReader(p.opt.SealImage))
			pdf.ImageOptions("seal", sealX, sealY, sw, shh, false, opts, 0, "")
		}
	}
	y += space
	if d.signerName != "" {
		p.centred(bandRightX, y, bandRightW, "B", 14, d.signerName)
	}
}
