package reports

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/fonts"
	"github.com/loa-project/loa/internal/stats"
)

// Table is figures of one or more units as rows (figures) × columns
// (units), the form of the annex and of the builder's exports.
type Table struct {
	Title   string       `json:"title"`
	Period  stats.Period `json:"period"`
	Columns []string     `json:"columns"` // unit names
	Rows    []Row        `json:"rows"`
}

// Row is one figure across the table's units.
type Row struct {
	Group  string    `json:"group"`
	Key    string    `json:"key"`
	Label  string    `json:"label"`
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
}

// Texts are the row's values in Vietnamese notation.
func (r Row) Texts() []string {
	out := make([]string, len(r.Values))
	for i, v := range r.Values {
		out[i] = Line{Unit: r.Unit, Value: v}.Text()
	}
	return out
}

// NewTable lays out the figures of the units (one column each) for the
// chosen groups (all when none); a figure a unit lacks is 0.
func NewTable(title string, p stats.Period, figs []*Figures, groups []string) *Table {
	t := &Table{Title: title, Period: p, Columns: make([]string, len(figs)), Rows: []Row{}}
	index := map[string]int{}
	for i, f := range figs {
		t.Columns[i] = f.UnitName
		for _, l := range f.Lines(groups) {
			j, ok := index[l.Key]
			if !ok {
				j = len(t.Rows)
				index[l.Key] = j
				t.Rows = append(t.Rows, Row{Group: l.Group, Key: l.Key, Label: l.Label, Unit: l.Unit, Values: make([]float64, len(figs))})
			}
			t.Rows[j].Values[i] = l.Value
		}
	}
	// Keep the groups together in report order.
	slices.SortStableFunc(t.Rows, func(a, b Row) int { return slices.Index(Groups, a.Group) - slices.Index(Groups, b.Group) })
	return t
}

func (t *Table) subtitle() string {
	return fmt.Sprintf("Từ ngày %s đến ngày %s", viDate(t.Period.From), viDate(t.Period.To))
}

var groupTitles = map[string]string{
	"documents":  "Văn bản đến, văn bản đi",
	"directives": "Thực hiện văn bản chỉ đạo",
	"bulletins":  "Bản tin được sản xuất",
	"broadcasts": "Phát sóng theo kênh",
	"coverage":   "Độ phủ",
	"devices":    "Thiết bị",
	"feedback":   "Phản ánh, kiến nghị của người dân",
}

// GroupTitle is the Vietnamese title of a figure group.
func GroupTitle(g string) string { return groupTitles[g] }

// CSV writes the table as CSV (UTF-8 with a byte order mark for
// spreadsheet programs; cells escaped against formula injection), values
// in Vietnamese notation.
func (t *Table) CSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csvsafe.NewWriter(w)
	head := append([]string{"Nhóm", "Chỉ tiêu", "Đơn vị tính"}, t.Columns...)
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range t.Rows {
		if err := cw.Write(append([]string{GroupTitle(r.Group), r.Label, r.Unit}, r.Texts()...)); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// SheetName is the sheet of the XLSX files.
const SheetName = "Số liệu"

// XLSX writes the table as a workbook: title, period, then one row per
// figure with the values as numbers (percentages as percent points).
func (t *Table) XLSX(w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close xlsx: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("xlsx sheet: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Times New Roman", Size: 12}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Times New Roman", Size: 11},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"},
		Border:    []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	num, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 11}, CustomNumFmt: ptr("#,##0.#"),
		Border: []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	set := func(col, row int, v any, style int) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellValue(SheetName, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(SheetName, cell, cell, style)
		}
		return nil
	}
	if err := set(1, 1, t.Title, bold); err != nil {
		return fmt.Errorf("xlsx title: %w", err)
	}
	if err := set(1, 2, t.subtitle(), 0); err != nil {
		return fmt.Errorf("xlsx period: %w", err)
	}
	for i, h := range append([]string{"STT", "Chỉ tiêu", "Đơn vị tính"}, t.Columns...) {
		if err := set(i+1, XLSXHeaderRow, h, head); err != nil {
			return fmt.Errorf("xlsx header: %w", err)
		}
	}
	for i, r := range t.Rows {
		row := XLSXHeaderRow + 1 + i
		for j, v := range []any{i + 1, r.Label, r.Unit} {
			if err := set(j+1, row, v, num); err != nil {
				return fmt.Errorf("xlsx row %d: %w", i+1, err)
			}
		}
		for j, v := range r.Values {
			if err := set(4+j, row, v, num); err != nil {
				return fmt.Errorf("xlsx row %d: %w", i+1, err)
			}
		}
	}
	if err := f.SetColWidth(SheetName, "A", "A", 6); err != nil {
		return fmt.Errorf("xlsx widths: %w", err)
	}
	if err := f.SetColWidth(SheetName, "B", "B", 52); err != nil {
		return fmt.Errorf("xlsx widths: %w", err)
	}
	if err := f.SetColWidth(SheetName, "C", "C", 12); err != nil {
		return fmt.Errorf("xlsx widths: %w", err)
	}
	last, _ := excelize.ColumnNumberToName(3 + max(1, len(t.Columns)))
	if err := f.SetColWidth(SheetName, "D", last, 22); err != nil {
		return fmt.Errorf("xlsx widths: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// XLSXHeaderRow is the row of the column headings; figures follow it
// (columns: STT, Chỉ tiêu, Đơn vị tính, one per unit).
const XLSXHeaderRow = 4

func ptr[T any](v T) *T { return &v }

// PDF writes the table as an A4 landscape PDF with the embedded font, at
// most five units side by side (more units continue in further tables).
func (t *Table) PDF(w io.Writer) error {
	cov, err := fonts.SerifCoverage()
	if err != nil {
		return fmt.Errorf("report pdf: %w", err)
	}
	check := []string{t.Title}
	check = append(check, t.Columns...)
	for _, c := range check {
		if miss := cov.Missing(c); len(miss) > 0 {
			return fmt.Errorf("report pdf: %q contains %q, which the embedded font cannot display", c, string(miss))
		}
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	for _, st := range fonts.SerifStyles() {
		pdf.AddUTF8FontFromBytes(fonts.Family, st.Code, st.Data())
	}
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetCreator("Loa", true)
	pdf.SetLang("vi-VN")
	pdf.SetTitle(t.Title, true)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(fonts.Family, "I", 9)
		pdf.CellFormat(0, 4, "Trang "+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	const perPage = 5
	const lineH = 5.5
	for start := 0; start == 0 || start < len(t.Columns); start += perPage {
		cols := t.Columns[start:min(len(t.Columns), start+perPage)]
		pdf.AddPage()
		pdf.SetFont(fonts.Family, "B", 14)
		pdf.MultiCell(0, 7, strings.ToUpper(t.Title), "", "C", false)
		pdf.SetFont(fonts.Family, "I", 12)
		pdf.CellFormat(0, 7, t.subtitle(), "", 1, "C", false, 0, "")
		pdf.Ln(3)
		widths := []float64{10, 95, 22}
		rest := (267 - 127) / float64(max(1, len(cols)))
		for range cols {
			widths = append(widths, rest)
		}
		row := func(cells []string, style string) {
			pdf.SetFont(fonts.Family, style, 11)
			lines := 1
			split := make([][]string, len(cells))
			for i, c := range cells {
				split[i] = pdf.SplitText(c, widths[i]-2)
				lines = max(lines, len(split[i]))
			}
			h := float64(lines) * lineH
			if pdf.GetY()+h > 195 {
				pdf.AddPage()
			}
			x, y := pdf.GetX(), pdf.GetY()
			for i := range cells {
				pdf.Rect(x, y, widths[i], h, "D")
				align := "L"
				if i != 1 {
					align = "C"
				}
				if i >= 3 && style == "" {
					align = "R"
				}
				for j, l := range split[i] {
					pdf.SetXY(x+1, y+float64(j)*lineH)
					pdf.CellFormat(widths[i]-2, lineH, l, "", 0, align, false, 0, "")
				}
				x += widths[i]
			}
			pdf.SetXY(15, y+h)
		}
		row(append([]string{"STT", "Chỉ tiêu", "Đơn vị tính"}, cols...), "B")
		group := ""
		for i, r := range t.Rows {
			if r.Group != group {
				group = r.Group
				pdf.SetFont(fonts.Family, "B", 11)
				pdf.CellFormat(267, lineH+1, GroupTitle(group), "1", 1, "L", false, 0, "")
			}
			texts := r.Texts()[start : start+len(cols)]
			row(append([]string{strconv.Itoa(i + 1), r.Label, r.Unit}, texts...), "")
		}
		if len(t.Columns) == 0 {
			break
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write report pdf: %w", err)
	}
	return nil
}
