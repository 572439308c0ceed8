package registerexport

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// OutgoingXLSX writes the outgoing register as an XLSX workbook: a title
// row merged over the ten columns, the header row (repeated on every
// printed page), one row per document; dates are real dates shown as
// dd/mm/yyyy, the sheet prints on landscape A4, one page wide.
func OutgoingXLSX(ctx context.Context, w io.Writer, title string, rows []OutgoingRow) error {
	t, err := outgoingTable(title, rows)
	if err != nil {
		return err
	}
	return writeXLSX(ctx, w, t)
}

// IncomingXLSX writes the incoming register as an XLSX workbook laid out
// like OutgoingXLSX.
func IncomingXLSX(ctx context.Context, w io.Writer, title string, rows []IncomingRow) error {
	t, err := incomingTable(title, rows)
	if err != nil {
		return err
	}
	return writeXLSX(ctx, w, t)
}

// XLSX layout: title in row 1, headers in row 2, data from row 3.
const (
	xlsxHeaderRow = 2
	xlsxFirstRow  = 3
	xlsxFont      = "Times New Roman"
)

type xlsxStyles struct {
	title, header, text, center, date int
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	dateFmt := "dd/mm/yyyy"
	defs := []*excelize.Style{
		{Font: &excelize.Font{Family: xlsxFont, Size: 14, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Font: &excelize.Font{Family: xlsxFont, Size: 12, Bold: true}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}},
		{Font: &excelize.Font{Family: xlsxFont, Size: 12}, Border: border, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}},
		{Font: &excelize.Font{Family: xlsxFont, Size: 12}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}},
		{Font: &excelize.Font{Family: xlsxFont, Size: 12}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}, CustomNumFmt: &dateFmt},
	}
	ids := make([]int, len(defs))
	for i, d := range defs {
		id, err := f.NewStyle(d)
		if err != nil {
			return xlsxStyles{}, fmt.Errorf("registerexport: creating XLSX style: %w", err)
		}
		ids[i] = id
	}
	return xlsxStyles{title: ids[0], header: ids[1], text: ids[2], center: ids[3], date: ids[4]}, nil
}

func writeXLSX(ctx context.Context, w io.Writer, t *table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("registerexport: closing the workbook: %w", cerr)
		}
	}()
	wrap := func(what string, err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("registerexport: %s: %w", what, err)
	}
	if err := f.SetSheetName("Sheet1", t.sheet); err != nil {
		return wrap("naming the sheet", err)
	}
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}

	// Print settings go on the worksheet before streaming: the stream
	// writer keeps them.
	size, orientation, one, zero, fit := 9, "landscape", 1, 0, true // 9 = A4
	if err := f.SetSheetProps(t.sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return wrap("setting sheet properties", err)
	}
	if err := f.SetPageLayout(t.sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return wrap("setting the page layout", err)
	}
	l, r, tb, hf := 0.6, 0.4, 0.6, 0.3 // inches
	if err := f.SetPageMargins(t.sheet, &excelize.PageLayoutMarginsOptions{Left: &l, Right: &r, Top: &tb, Bottom: &tb, Header: &hf, Footer: &hf}); err != nil {
		return wrap("setting the page margins", err)
	}
	if err := f.SetHeaderFooter(t.sheet, &excelize.HeaderFooterOptions{OddFooter: "&CTrang &P/&N"}); err != nil {
		return wrap("setting the page footer", err)
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", t.sheet, xlsxHeaderRow, xlsxHeaderRow),
		Scope:    t.sheet,
	}); err != nil {
		return wrap("repeating the header row on printed pages", err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: t.title, Creator: "Loa", Language: "vi-VN"}); err != nil {
		return wrap("setting document properties", err)
	}

	sw, err := f.NewStreamWriter(t.sheet)
	if err != nil {
		return wrap("starting the sheet", err)
	}
	for i, c := range t.cols {
		if err := sw.SetColWidth(i+1, i+1, c.xlsxW); err != nil {
			return wrap("setting column widths", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: xlsxHeaderRow, TopLeftCell: fmt.Sprintf("A%d", xlsxFirstRow), ActivePane: "bottomLeft"}); err != nil {
		return wrap("freezing the header", err)
	}
	titleRow := make([]any, len(t.cols))
	titleRow[0] = excelize.Cell{StyleID: st.title, Value: t.title}
	for i := 1; i < len(titleRow); i++ {
		titleRow[i] = excelize.Cell{StyleID: st.title}
	}
	if err := sw.SetRow("A1", titleRow, excelize.RowOpts{Height: 36}); err != nil {
		return wrap("writing the title", err)
	}
	if err := sw.MergeCell("A1", "J1"); err != nil {
		return wrap("merging the title row", err)
	}
	head := make([]any, len(t.cols))
	for i, c := range t.cols {
		head[i] = excelize.Cell{StyleID: st.header, Value: c.header}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", xlsxHeaderRow), head, excelize.RowOpts{Height: 48}); err != nil {
		return wrap("writing the header row", err)
	}
	vals := make([]any, len(t.cols))
	for i, row := range t.rows {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("registerexport: XLSX export stopped: %w", err)
			}
		}
		for j, c := range row {
			style := st.text
			switch {
			case t.cols[j].center && isDate(c.value):
				style = st.date
			case t.cols[j].center:
				style = st.center
			}
			vals[j] = excelize.Cell{StyleID: style, Value: c.value}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", xlsxFirstRow+i), vals); err != nil {
			return wrap(fmt.Sprintf("writing row %d", i+1), err)
		}
	}
	if err := sw.Flush(); err != nil {
		return wrap("finishing the sheet", err)
	}
	if err := f.Write(w); err != nil {
		return wrap("writing the workbook", err)
	}
	return nil
}

func isDate(v any) bool {
	_, ok := v.(time.Time)
	return ok
}
