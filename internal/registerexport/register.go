// Package registerexport exports the document registers of Decree
// 30/2020/NĐ-CP, Appendix IV (sổ đăng ký văn bản đi / đến), to XLSX and to
// landscape A4 PDF with the ten prescribed columns.
package registerexport

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on the input.
const (
	// MaxRows bounds the rows of one export (a yearly register of a large
	// agency holds a few tens of thousands).
	MaxRows = 200_000
	// MaxTextBytes bounds a single text cell.
	MaxTextBytes = 8000
	// MaxTitleBytes bounds the title.
	MaxTitleBytes = 500
)

// OutgoingRow is one line of the outgoing register (sổ đăng ký văn bản đi).
type OutgoingRow struct {
	NumberNotation string     // Số, ký hiệu: "570/STTTT-TTBCBC"
	Date           time.Time  // Ngày tháng (of the document); required
	TypeAndSubject string     // Tên loại và trích yếu
	Signer         string     // Người ký
	Recipients     string     // Nơi nhận; "\n" separates lines
	CopyHolder     string     // Đơn vị/người nhận bản lưu
	Copies         int        // Số lượng bản
	SentDate       *time.Time // Ngày chuyển; nil when not sent yet
	Notes          string     // Ghi chú
}

// IncomingRow is one line of the incoming register (sổ đăng ký văn bản đến).
type IncomingRow struct {
	ArrivalDate    time.Time  // Ngày đến; required
	ArrivalNumber  int        // Số đến
	Author         string     // Tác giả (issuing agency)
	NumberNotation string     // Số, ký hiệu
	DocDate        *time.Time // Ngày tháng văn bản
	TypeAndSubject string     // Tên loại và trích yếu
	Handler        string     // Đơn vị/người nhận
	TransferDate   *time.Time // Ngày chuyển
	Notes          string     // Ghi chú
}

// column describes one register column in both outputs.
type column struct {
	header string
	pdfW   float64 // width in the PDF, mm
	xlsxW  float64 // width in the XLSX, characters
	center bool    // dates and counts are centred
}

// The ten columns of each register, headers exactly as Appendix IV words
// them. PDF widths add up to the 262 mm between the landscape margins.
var (
	outgoingCols = [10]column{
		{"Số, ký hiệu", 36, 20, true},
		{"Ngày tháng", 19, 12, true},
		{"Tên loại và trích yếu", 58, 45, false},
		{"Người ký", 26, 18, false},
		{"Nơi nhận", 40, 28, false},
		{"Đơn vị/người nhận bản lưu", 26, 18, false},
		{"Số lượng bản", 15, 9, true},
		{"Ngày chuyển", 19, 12, true},
		{"Ký nhận", 11, 10, false},
		{"Ghi chú", 12, 14, false},
	}
	incomingCols = [10]column{
		{"Ngày đến", 19, 12, true},
		{"Số đến", 14, 8, true},
		{"Tác giả", 32, 25, false},
		{"Số, ký hiệu", 36, 20, true},
		{"Ngày tháng văn bản", 19, 12, true},
		{"Tên loại và trích yếu", 62, 45, false},
		{"Đơn vị/người nhận", 29, 20, false},
		{"Ngày chuyển", 19, 12, true},
		{"Ký nhận", 13, 10, false},
		{"Ghi chú", 19, 14, false},
	}
)

// OutgoingHeaders returns the ten column headers of the outgoing register.
func OutgoingHeaders() []string { return headers(outgoingCols) }

// IncomingHeaders returns the ten column headers of the incoming register.
func IncomingHeaders() []string { return headers(incomingCols) }

func headers(cols [10]column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.header
	}
	return out
}

// OutgoingTitle builds the usual title of an outgoing register export,
// e.g. "SỔ ĐĂNG KÝ VĂN BẢN ĐI - Năm 2021 - Sở Thông tin và Truyền thông".
func OutgoingTitle(year int, agency string) string {
	return registerTitle("SỔ ĐĂNG KÝ VĂN BẢN ĐI", year, agency)
}

// IncomingTitle builds the usual title of an incoming register export.
func IncomingTitle(year int, agency string) string {
	return registerTitle("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", year, agency)
}

func registerTitle(kind string, year int, agency string) string {
	parts := []string{kind}
	if year > 0 {
		parts = append(parts, "Năm "+strconv.Itoa(year))
	}
	if a := cleanText(agency, false); a != "" {
		parts = append(parts, a)
	}
	return strings.Join(parts, " - ")
}

// cell is one value: its printed text and the typed value the XLSX stores
// (string, int, time.Time or nil for an empty cell).
type cell struct {
	text  string
	value any
}

// table is a validated register ready for either writer.
type table struct {
	sheet string
	title string
	cols  [10]column
	rows  [][10]cell
}

// dateLayout is the Vietnamese day/month/year form the registers use.
const dateLayout = "02/01/2006"

// cleanText normalises a value: NFC (decomposed Vietnamese from old tools
// prints loose accents), control characters removed; multiline keeps "\n".
func cleanText(s string, multiline bool) string {
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == utf8.RuneError || r == '\uFEFF':
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// validator collects the first error with its row and column.
type validator struct {
	kind string // "outgoing" / "incoming"
	row  int    // 1-based
	err  error
}

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = fmt.Errorf("registerexport: %s row %d, %s: %s", v.kind, v.row, field, fmt.Sprintf(format, args...))
	}
}

func (v *validator) text(field, s string) cell {
	if len(s) > MaxTextBytes {
		v.fail(field, "is %d bytes long, more than the %d allowed; shorten it", len(s), MaxTextBytes)
		return cell{}
	}
	if !utf8.ValidString(s) {
		v.fail(field, "is not valid UTF-8 text")
		return cell{}
	}
	t := cleanText(s, true)
	if t == "" {
		return cell{}
	}
	return cell{text: t, value: t}
}

func (v *validator) date(field string, t time.Time, required bool) cell {
	if t.IsZero() {
		if required {
			v.fail(field, "is missing; every registered document has this date")
		}
		return cell{}
	}
	if y := t.Year(); y < 1900 || y > 9999 {
		v.fail(field, "year %d is outside 1900–9999", y)
		return cell{}
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return cell{text: d.Format(dateLayout), value: d}
}

func (v *validator) optDate(field string, t *time.Time) cell {
	if t == nil {
		return cell{}
	}
	return v.date(field, *t, false)
}

func (v *validator) count(field string, n int, zeroBlank bool) cell {
	if n < 0 {
		v.fail(field, "is %d; it cannot be negative", n)
		return cell{}
	}
	if n == 0 && zeroBlank {
		return cell{}
	}
	return cell{text: strconv.Itoa(n), value: n}
}

func checkTitle(title string, rows int) (string, error) {
	if len(title) > MaxTitleBytes || !utf8.ValidString(title) {
		return "", fmt.Errorf("registerexport: the title must be valid UTF-8 of at most %d bytes", MaxTitleBytes)
	}
	if rows > MaxRows {
		return "", fmt.Errorf("registerexport: %d rows is more than the %d one export may hold; export a shorter period", rows, MaxRows)
	}
	return cleanText(title, false), nil
}

func outgoingTable(title string, rows []OutgoingRow) (*table, error) {
	title, err := checkTitle(title, len(rows))
	if err != nil {
		return nil, err
	}
	t := &table{sheet: "Văn bản đi", title: title, cols: outgoingCols, rows: make([][10]cell, len(rows))}
	v := &validator{kind: "outgoing"}
	for i, r := range rows {
		v.row = i + 1
		t.rows[i] = [10]cell{
			v.text("NumberNotation (Số, ký hiệu)", r.NumberNotation),
			v.date("Date (Ngày tháng)", r.Date, true),
			v.text("TypeAndSubject (Tên loại và trích yếu)", r.TypeAndSubject),
			v.text("Signer (Người ký)", r.Signer),
			v.text("Recipients (Nơi nhận)", r.Recipients),
			v.text("CopyHolder (Đơn vị/người nhận bản lưu)", r.CopyHolder),
			v.count("Copies (Số lượng bản)", r.Copies, true),
			v.optDate("SentDate (Ngày chuyển)", r.SentDate),
			{}, // Ký nhận: signed by hand on the printed register
			v.text("Notes (Ghi chú)", r.Notes),
		}
		if v.err != nil {
			return nil, v.err
		}
	}
	return t, nil
}

func incomingTable(title string, rows []IncomingRow) (*table, error) {
	title, err := checkTitle(title, len(rows))
	if err != nil {
		return nil, err
	}
	t := &table{sheet: "Văn bản đến", title: title, cols: incomingCols, rows: make([][10]cell, len(rows))}
	v := &validator{kind: "incoming"}
	for i, r := range rows {
		v.row = i + 1
		t.rows[i] = [10]cell{
			v.date("ArrivalDate (Ngày đến)", r.ArrivalDate, true),
			v.count("ArrivalNumber (Số đến)", r.ArrivalNumber, false),
			v.text("Author (Tác giả)", r.Author),
			v.text("NumberNotation (Số, ký hiệu)", r.NumberNotation),
			v.optDate("DocDate (Ngày tháng văn bản)", r.DocDate),
			v.text("TypeAndSubject (Tên loại và trích yếu)", r.TypeAndSubject),
			v.text("Handler (Đơn vị/người nhận)", r.Handler),
			v.optDate("TransferDate (Ngày chuyển)", r.TransferDate),
			{}, // Ký nhận
			v.text("Notes (Ghi chú)", r.Notes),
		}
		if v.err != nil {
			return nil, v.err
		}
	}
	return t, nil
}
