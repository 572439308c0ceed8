package registerexport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/loa-project/loa/internal/fonts"
)

// Landscape A4 geometry in millimetres.
const (
	pageW      = 297.0
	pageH      = 210.0
	marginL    = 20.0
	marginR    = 15.0
	marginT    = 15.0
	marginB    = 15.0
	tableW     = pageW - marginL - marginR // 262, the sum of the column widths
	pageBottom = pageH - marginB
	fontSize   = 10.0 // pt, cells and headers
	titleSize  = 14.0 // pt
	padX       = 1.2
	padY       = 1.0
	footerY    = pageH - 10
)

// lineH is the height of one text line in a cell, mm.
const lineH = fontSize * 25.4 / 72 * 1.2

// OutgoingPDF writes the outgoing register as a landscape A4 PDF table with
// the embedded Liberation Serif fonts: title on page 1, the header row
// repeated at the top of every page, cells wrapping their text, rows taller
// than a page split across pages, page numbers at the bottom.
func OutgoingPDF(ctx context.Context, w io.Writer, title string, rows []OutgoingRow) error {
	t, err := outgoingTable(title, rows)
	if err != nil {
		return err
	}
	return writePDF(ctx, w, t)
}

// IncomingPDF writes the incoming register as a PDF laid out like
// OutgoingPDF.
func IncomingPDF(ctx context.Context, w io.Writer, title string, rows []IncomingRow) error {
	t, err := incomingTable(title, rows)
	if err != nil {
		return err
	}
	return writePDF(ctx, w, t)
}

type pdfTable struct {
	pdf     *fpdf.Fpdf
	t       *table
	headers [10][]string // wrapped header lines
	headerH float64
}

func writePDF(ctx context.Context, w io.Writer, t *table) error {
	cov, err := fonts.SerifCoverage()
	if err != nil {
		return fmt.Errorf("registerexport: %w", err)
	}
	if miss := cov.Missing(t.title); len(miss) > 0 {
		return fmt.Errorf("registerexport: the title contains %q, which the embedded font cannot display; replace it", string(miss))
	}
	for i, row := range t.rows {
		for j, c := range row {
			if miss := cov.Missing(c.text); len(miss) > 0 {
				return fmt.Errorf("registerexport: row %d, column %q contains %q, which the embedded font cannot display; replace it", i+1, t.cols[j].header, string(miss))
			}
		}
	}

	pdf := fpdf.New("L", "mm", "A4", "")
	for _, st := range fonts.SerifStyles() {
		pdf.AddUTF8FontFromBytes(fonts.Family, st.Code, st.Data())
	}
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(false, marginB)
	pdf.SetCellMargin(0)
	pdf.SetLineWidth(0.2)
	pdf.SetCatalogSort(true)
	pdf.SetCreator("Loa", true)
	pdf.SetLang("vi-VN")
	if t.title != "" {
		pdf.SetTitle(t.title, true)
	}
	pdf.SetFooterFunc(func() {
		pdf.SetFont(fonts.Family, "I", 9)
		pdf.SetXY(marginL, footerY)
		pdf.CellFormat(tableW, 4, "Trang "+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})

	p := &pdfTable{pdf: pdf, t: t}
	pdf.SetFont(fonts.Family, "B", fontSize)
	n := 1
	for i, c := range t.cols {
		p.headers[i] = p.wrapCell(c.header, c.pdfW-2*padX)
		n = max(n, len(p.headers[i]))
	}
	p.headerH = float64(n)*lineH + 2*padY

	pdf.AddPage()
	y := marginT
	if t.title != "" {
		pdf.SetFont(fonts.Family, "B", titleSize)
		for _, l := range p.wrapCell(t.title, tableW) {
			pdf.SetXY(marginL, y)
			pdf.CellFormat(tableW, titleSize*25.4/72*1.25, l, "", 0, "C", false, 0, "")
			y += titleSize * 25.4 / 72 * 1.25
		}
		y += 3
	}
	y = p.header(y)
	maxLines := int(math.Floor((pageBottom - marginT - p.headerH - 2*padY) / lineH))

	pdf.SetFont(fonts.Family, "", fontSize)
	for i, row := range t.rows {
		if i%200 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("registerexport: PDF export stopped: %w", err)
			}
		}
		var cells [10][]string
		n := 1
		for j, c := range row {
			cells[j] = p.wrapCell(c.text, t.cols[j].pdfW-2*padX)
			n = max(n, len(cells[j]))
		}
		for start := 0; start < n; {
			fit := int(math.Floor((pageBottom - y - 2*padY) / lineH))
			rest := n - start
			switch {
			case fit >= rest:
				y = p.row(y, cells, start, n)
				start = n
			case fit < 1 || (start == 0 && rest <= maxLines):
				// Keep a row that fits on a page together.
				y = p.newPage()
			default:
				// A row taller than a page: fill this page, go on.
				y = p.row(y, cells, start, start+fit)
				start += fit
				y = p.newPage()
			}
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("registerexport: laying out the PDF: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("registerexport: writing the PDF: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("registerexport: writing the PDF: %w", err)
	}
	return nil
}

func (p *pdfTable) newPage() float64 {
	p.pdf.AddPage()
	y := p.header(marginT)
	p.pdf.SetFont(fonts.Family, "", fontSize)
	return y
}

// header draws the header row at y and returns the y below it.
func (p *pdfTable) header(y float64) float64 {
	pdf := p.pdf
	pdf.SetFont(fonts.Family, "B", fontSize)
	pdf.SetFillColor(231, 230, 230)
	x := marginL
	for i, c := range p.t.cols {
		pdf.Rect(x, y, c.pdfW, p.headerH, "FD")
		// Centre the header lines vertically in the row.
		ty := y + (p.headerH-float64(len(p.headers[i]))*lineH)/2
		for _, l := range p.headers[i] {
			pdf.SetXY(x+padX, ty)
			pdf.CellFormat(c.pdfW-2*padX, lineH, l, "", 0, "C", false, 0, "")
			ty += lineH
		}
		x += c.pdfW
	}
	return y + p.headerH
}

// row draws lines [from, to) of every cell as one table row at y and
// returns the y below it.
func (p *pdfTable) row(y float64, cells [10][]string, from, to int) float64 {
	pdf := p.pdf
	h := float64(to-from)*lineH + 2*padY
	x := marginL
	for j, c := range p.t.cols {
		pdf.Rect(x, y, c.pdfW, h, "D")
		align := "L"
		if c.center {
			align = "C"
		}
		for k := from; k < to && k < len(cells[j]); k++ {
			pdf.SetXY(x+padX, y+padY+float64(k-from)*lineH)
			pdf.CellFormat(c.pdfW-2*padX, lineH, cells[j][k], "", 0, align, false, 0, "")
		}
		x += c.pdfW
	}
	return y + h
}

// wrapCell breaks text into lines no wider than width in the current font;
// "\n" forces a break and words longer than a line are cut.
func (p *pdfTable) wrapCell(text string, width float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		var cur string
		for _, word := range words {
			if cur != "" && p.pdf.GetStringWidth(cur+" "+word) <= width {
				cur += " " + word
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			for p.pdf.GetStringWidth(word) > width {
				// Cut an over-long word (a long notation, a URL) after the
				// last "/" or "-" that fits, else at the last rune that fits.
				runes := []rune(word)
				n := 1
				for n < len(runes) && p.pdf.GetStringWidth(string(runes[:n+1])) <= width {
					n++
				}
				for k := n; k > 1; k-- {
					if runes[k-1] == '/' || runes[k-1] == '-' {
						n = k
						break
					}
				}
				lines = append(lines, string(runes[:n]))
				word = string(runes[n:])
			}
			cur = word
		}
		if cur != "" {
			lines = append(lines, cur)
		}
	}
	return lines
}
