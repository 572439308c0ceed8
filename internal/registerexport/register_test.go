package registerexport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func ptr(t time.Time) *time.Time { return &t }

func sampleOutgoing() []OutgoingRow {
	return []OutgoingRow{
		{
			NumberNotation: "570/STTTT-TTBCBC",
			Date:           day(2021, 6, 4),
			TypeAndSubject: "Công văn V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19",
			Signer:         "Lâm Văn Sơn",
			Recipients:     "Báo Kiên Giang\nĐài Phát thanh và Truyền hình Kiên Giang",
			CopyHolder:     "TTBCBC",
			Copies:         12,
			SentDate:       ptr(day(2021, 6, 4)),
			Notes:          "Khẩn",
		},
		{
			NumberNotation: "05/KH-STTTT",
			Date:           time.Date(2021, 1, 9, 23, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
			TypeAndSubject: "Kế hoạch tuyên truyền năm 2021",
			Signer:         "Nguyễn Văn A",
		},
	}
}

func sampleIncoming() []IncomingRow {
	return []IncomingRow{
		{
			ArrivalDate:    day(2021, 6, 3),
			ArrivalNumber:  1234,
			Author:         "Cục Thông tin cơ sở",
			NumberNotation: "355/TTCS-TTTH",
			DocDate:        ptr(day(2021, 6, 3)),
			TypeAndSubject: "Công văn V/v đẩy mạnh tuyên truyền về phòng, chống Covid-19",
			Handler:        "Phòng TTBCBC",
			TransferDate:   ptr(day(2021, 6, 4)),
			Notes:          "",
		},
	}
}

func TestHeadersMatchAppendixIV(t *testing.T) {
	out := strings.Join(OutgoingHeaders(), " | ")
	if want := "Số, ký hiệu | Ngày tháng | Tên loại và trích yếu | Người ký | Nơi nhận | Đơn vị/người nhận bản lưu | Số lượng bản | Ngày chuyển | Ký nhận | Ghi chú"; out != want {
		t.Errorf("outgoing headers\n got %s\nwant %s", out, want)
	}
	in := strings.Join(IncomingHeaders(), " | ")
	if want := "Ngày đến | Số đến | Tác giả | Số, ký hiệu | Ngày tháng văn bản | Tên loại và trích yếu | Đơn vị/người nhận | Ngày chuyển | Ký nhận | Ghi chú"; in != want {
		t.Errorf("incoming headers\n got %s\nwant %s", in, want)
	}
	for _, cols := range [][10]column{outgoingCols, incomingCols} {
		sum := 0.0
		for _, c := range cols {
			sum += c.pdfW
		}
		if math.Abs(sum-tableW) > 0.01 {
			t.Errorf("PDF column widths add up to %.1f mm, want %.1f", sum, tableW)
		}
	}
	if got := OutgoingTitle(2021, "Sở Thông tin và Truyền thông"); got != "SỔ ĐĂNG KÝ VĂN BẢN ĐI - Năm 2021 - Sở Thông tin và Truyền thông" {
		t.Errorf("OutgoingTitle = %q", got)
	}
	if got := IncomingTitle(2021, ""); got != "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN - Năm 2021" {
		t.Errorf("IncomingTitle = %q", got)
	}
}

func readXLSX(t *testing.T, data []byte) (*excelize.File, string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the XLSX back: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("workbook has sheets %v, want one", sheets)
	}
	return f, sheets[0]
}

func TestOutgoingXLSXRoundTrip(t *testing.T) {
	title := OutgoingTitle(2021, "Sở Thông tin và Truyền thông")
	var buf bytes.Buffer
	if err := OutgoingXLSX(t.Context(), &buf, title, sampleOutgoing()); err != nil {
		t.Fatal(err)
	}
	f, sheet := readXLSX(t, buf.Bytes())
	if sheet != "Văn bản đi" {
		t.Errorf("sheet name %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{title},
		OutgoingHeaders(),
		{"570/STTTT-TTBCBC", "04/06/2021", "Công văn V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19", "Lâm Văn Sơn",
			"Báo Kiên Giang\nĐài Phát thanh và Truyền hình Kiên Giang", "TTBCBC", "12", "04/06/2021", "", "Khẩn"},
		// The date keeps its calendar day in its own time zone; zero copies
		// and a missing sent date stay blank.
		{"05/KH-STTTT", "09/01/2021", "Kế hoạch tuyên truyền năm 2021", "Nguyễn Văn A"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows read back, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if got := strings.Join(rows[i], "|"); got != strings.Join(want[i], "|") {
			t.Errorf("row %d\n got %q\nwant %q", i+1, rows[i], want[i])
		}
	}
	// Dates are real dates (serial numbers) formatted dd/mm/yyyy, counts
	// are numbers.
	raw, err := f.GetCellValue(sheet, "B3", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if raw != "44351" { // 2021-06-04
		t.Errorf("B3 raw value %q, want the date serial 44351", raw)
	}
	if typ, _ := f.GetCellType(sheet, "G3"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("G3 (copies) has cell type %v, want a number", typ)
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "J1" {
		t.Errorf("merged cells %v, want the title over A1:J1", merged)
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 {
		t.Errorf("page layout %+v, want landscape A4 (size 9)", layout)
	}
	found := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && strings.HasSuffix(dn.RefersTo, "!$2:$2") {
			found = true
		}
	}
	if !found {
		t.Errorf("no print titles repeating the header row: %+v", f.GetDefinedName())
	}
}

func TestIncomingXLSXRoundTrip(t *testing.T) {
	title := IncomingTitle(2021, "Sở Thông tin và Truyền thông")
	var buf bytes.Buffer
	if err := IncomingXLSX(t.Context(), &buf, title, sampleIncoming()); err != nil {
		t.Fatal(err)
	}
	f, sheet := readXLSX(t, buf.Bytes())
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{title},
		IncomingHeaders(),
		{"03/06/2021", "1234", "Cục Thông tin cơ sở", "355/TTCS-TTTH", "03/06/2021",
			"Công văn V/v đẩy mạnh tuyên truyền về phòng, chống Covid-19", "Phòng TTBCBC", "04/06/2021"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows read back, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if got := strings.Join(rows[i], "|"); got != strings.Join(want[i], "|") {
			t.Errorf("row %d\n got %q\nwant %q", i+1, rows[i], want[i])
		}
	}
}

func TestValidation(t *testing.T) {
	ctx := t.Context()
	good := sampleOutgoing()
	cases := map[string]func() error{
		"missing date": func() error {
			rows := append([]OutgoingRow{}, good...)
			rows[1].Date = time.Time{}
			return OutgoingXLSX(ctx, &bytes.Buffer{}, "t", rows)
		},
		"negative copies": func() error {
			rows := append([]OutgoingRow{}, good...)
			rows[0].Copies = -1
			return OutgoingPDF(ctx, &bytes.Buffer{}, "t", rows)
		},
		"bad utf8": func() error {
			return IncomingXLSX(ctx, &bytes.Buffer{}, "t", []IncomingRow{{ArrivalDate: day(2021, 1, 1), Author: "\xff"}})
		},
		"huge cell": func() error {
			return IncomingPDF(ctx, &bytes.Buffer{}, "t", []IncomingRow{{ArrivalDate: day(2021, 1, 1), Notes: strings.Repeat("x", MaxTextBytes+1)}})
		},
		"year 1800": func() error {
			return IncomingXLSX(ctx, &bytes.Buffer{}, "t", []IncomingRow{{ArrivalDate: day(1800, 1, 1)}})
		},
		"too many rows": func() error {
			return IncomingXLSX(ctx, &bytes.Buffer{}, "t", make([]IncomingRow, MaxRows+1))
		},
		"glyph missing": func() error {
			return OutgoingPDF(ctx, &bytes.Buffer{}, "t", []OutgoingRow{{Date: day(2021, 1, 1), Notes: "漢字"}})
		},
	}
	wantIn := map[string]string{
		"missing date":    "outgoing row 2, Date (Ngày tháng): is missing",
		"negative copies": "outgoing row 1, Copies",
		"bad utf8":        "incoming row 1, Author",
		"huge cell":       "more than the 8000 allowed",
		"year 1800":       "outside 1900",
		"too many rows":   "export a shorter period",
		"glyph missing":   `column "Ghi chú"`,
	}
	for name, fn := range cases {
		err := fn()
		if err == nil || !strings.Contains(err.Error(), wantIn[name]) {
			t.Errorf("%s: error = %v, want one containing %q", name, err, wantIn[name])
		}
	}
}

func TestExportHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rows := make([]OutgoingRow, 10)
	for i := range rows {
		rows[i].Date = day(2021, 1, 1)
	}
	for name, err := range map[string]error{
		"xlsx": OutgoingXLSX(ctx, &bytes.Buffer{}, "t", rows),
		"pdf":  OutgoingPDF(ctx, &bytes.Buffer{}, "t", rows),
	} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error = %v, want context.Canceled", name, err)
		}
	}
}

// --- PDF checks through poppler ---

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required (Debian package poppler-utils): %v", name, err)
		}
		t.Skipf("%s not found; install the Debian package poppler-utils to run this test", name)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), needTool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return string(out)
}

type word struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var (
	pageRe = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

func bboxWords(t *testing.T, path string) (words []word, pages int) {
	t.Helper()
	out := runTool(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	for _, l := range strings.Split(out, "\n") {
		if m := pageRe.FindStringSubmatch(l); m != nil {
			pages++
			w, _ := strconv.ParseFloat(m[1], 64)
			h, _ := strconv.ParseFloat(m[2], 64)
			if math.Abs(w-841.89) > 0.1 || math.Abs(h-595.28) > 0.1 {
				t.Errorf("page %d is %.2f x %.2f pt, want landscape A4", pages, w, h)
			}
			continue
		}
		if m := wordRe.FindStringSubmatch(l); m != nil {
			v := make([]float64, 4)
			for i := range v {
				v[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			words = append(words, word{pages, v[0], v[1], v[2], v[3], html.UnescapeString(m[5])})
		}
	}
	return words, pages
}

func mm(v float64) float64 { return v * 72 / 25.4 }

// columnText joins, in reading order, the words of one page that lie in
// column c and whose tops are between y0 and y1 (points).
func columnText(words []word, cols [10]column, page, c int, y0, y1 float64) string {
	x0 := marginL
	for i := 0; i < c; i++ {
		x0 += cols[i].pdfW
	}
	x1 := x0 + cols[c].pdfW
	var in []word
	for _, w := range words {
		cx := (w.xMin + w.xMax) / 2
		if w.page == page && cx > mm(x0) && cx < mm(x1) && w.yMin >= y0 && w.yMin < y1 {
			in = append(in, w)
		}
	}
	sort.SliceStable(in, func(i, j int) bool {
		if math.Abs(in[i].yMin-in[j].yMin) > 2 {
			return in[i].yMin < in[j].yMin
		}
		return in[i].xMin < in[j].xMin
	})
	parts := make([]string, len(in))
	for i, w := range in {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}

// headerBand returns the range (points) in which the tops of the header
// row's words lie on a page.
func headerBand(t *testing.T, words []word, page int) (float64, float64) {
	t.Helper()
	// "Tên loại và trích yếu" is one line, centred vertically in a header
	// row of at most three lines: the other header lines start at most one
	// line above or below it, the first data line at least 1.5 lines below.
	for _, w := range words {
		if w.page == page && w.text == "Tên" {
			return w.yMin - mm(lineH)*1.2, w.yMin + mm(lineH)*1.25
		}
	}
	t.Fatalf("page %d has no header row", page)
	return 0, 0
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "register.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOutgoingPDFContents(t *testing.T) {
	var buf bytes.Buffer
	title := OutgoingTitle(2021, "Sở Thông tin và Truyền thông")
	if err := OutgoingPDF(t.Context(), &buf, title, sampleOutgoing()); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, buf.Bytes())
	info := runTool(t, "pdfinfo", path)
	if !strings.Contains(info, "841.89 x 595.28 pts (A4)") {
		t.Errorf("pdfinfo does not report landscape A4:\n%s", info)
	}
	text := runTool(t, "pdftotext", "-enc", "UTF-8", path, "-")
	if !strings.Contains(text, title) {
		t.Errorf("PDF text lacks the title %q:\n%s", title, text)
	}
	fontsOut := runTool(t, "pdffonts", path)
	n := 0
	for _, l := range strings.Split(fontsOut, "\n") {
		if strings.Contains(strings.ToLower(l), "liberationserif") {
			n++
			if !regexp.MustCompile(`Identity-H\s+yes`).MatchString(l) {
				t.Errorf("font not embedded: %s", l)
			}
		}
	}
	if n == 0 {
		t.Errorf("pdffonts shows no Liberation Serif font:\n%s", fontsOut)
	}

	words, pages := bboxWords(t, path)
	if pages != 1 {
		t.Fatalf("%d pages, want 1", pages)
	}
	y0, y1 := headerBand(t, words, 1)
	for c, h := range OutgoingHeaders() {
		if got := columnText(words, outgoingCols, 1, c, y0, y1); got != h {
			t.Errorf("header of column %d reads %q, want %q", c+1, got, h)
		}
	}
	// The first data row lies below the header band.
	wantRow := []string{"570/STTTT-TTBCBC", "04/06/2021", "Công văn V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19",
		"Lâm Văn Sơn", "Báo Kiên Giang Đài Phát thanh và Truyền hình Kiên Giang", "TTBCBC", "12", "04/06/2021", "", "Khẩn"}
	rowTop := y1
	// The second row starts at "05/KH-STTTT".
	rowBottom := math.Inf(1)
	for _, w := range words {
		if w.text == "05/KH-STTTT" {
			rowBottom = w.yMin
		}
	}
	for c, want := range wantRow {
		if got := columnText(words, outgoingCols, 1, c, rowTop, rowBottom); got != want {
			t.Errorf("row 1, column %q reads %q, want %q", outgoingCols[c].header, got, want)
		}
	}
}

func TestIncomingPDFContents(t *testing.T) {
	var buf bytes.Buffer
	if err := IncomingPDF(t.Context(), &buf, IncomingTitle(2021, "Sở Thông tin và Truyền thông"), sampleIncoming()); err != nil {
		t.Fatal(err)
	}
	words, pages := bboxWords(t, writeFile(t, buf.Bytes()))
	if pages != 1 {
		t.Fatalf("%d pages, want 1", pages)
	}
	y0, y1 := headerBand(t, words, 1)
	for c, h := range IncomingHeaders() {
		if got := columnText(words, incomingCols, 1, c, y0, y1); got != h {
			t.Errorf("header of column %d reads %q, want %q", c+1, got, h)
		}
	}
	want := []string{"03/06/2021", "1234", "Cục Thông tin cơ sở", "355/TTCS-TTTH", "03/06/2021",
		"Công văn V/v đẩy mạnh tuyên truyền về phòng, chống Covid-19", "Phòng TTBCBC", "04/06/2021", "", ""}
	for c, w := range want {
		if got := columnText(words, incomingCols, 1, c, y1, mm(pageBottom)); got != w {
			t.Errorf("row 1, column %q reads %q, want %q", incomingCols[c].header, got, w)
		}
	}
}

// 300 rows span several pages; each page repeats the header row and every
// row appears exactly once.
func TestOutgoingPDFManyRows(t *testing.T) {
	rows := make([]OutgoingRow, 300)
	for i := range rows {
		rows[i] = OutgoingRow{
			NumberNotation: fmt.Sprintf("%02d/STTTT-VP", i+1),
			Date:           day(2021, 1, 1).AddDate(0, 0, i),
			TypeAndSubject: fmt.Sprintf("Công văn V/v triển khai nhiệm vụ thông tin cơ sở đợt %d năm 2021 trên địa bàn tỉnh", i+1),
			Signer:         "Lâm Văn Sơn",
			Recipients:     "UBND các huyện, thành phố",
			CopyHolder:     "VP",
			Copies:         3,
		}
	}
	// One row longer than a page must be split, not lost.
	rows[150].Notes = strings.Repeat("Ghi chú dài ", 200) + "HẾT"
	var buf bytes.Buffer
	if err := OutgoingPDF(t.Context(), &buf, OutgoingTitle(2021, "Sở Thông tin và Truyền thông"), rows); err != nil {
		t.Fatal(err)
	}
	words, pages := bboxWords(t, writeFile(t, buf.Bytes()))
	if pages < 5 {
		t.Fatalf("300 rows fit on %d pages; expected several", pages)
	}
	for p := 1; p <= pages; p++ {
		y0, y1 := headerBand(t, words, p)
		for c, h := range OutgoingHeaders() {
			if got := columnText(words, outgoingCols, p, c, y0, y1); got != h {
				t.Errorf("page %d: header of column %d reads %q, want %q", p, c+1, got, h)
			}
		}
	}
	seen := map[string]int{}
	re := regexp.MustCompile(`^\d+/STTTT-VP$`)
	maxY := 0.0
	for _, w := range words {
		if re.MatchString(w.text) {
			seen[w.text]++
		}
		if !strings.HasPrefix(w.text, "Trang") && !regexp.MustCompile(`^\d+$`).MatchString(w.text) {
			maxY = math.Max(maxY, w.yMax)
		}
	}
	for i := 1; i <= 300; i++ {
		if k := fmt.Sprintf("%02d/STTTT-VP", i); seen[k] != 1 {
			t.Errorf("row %s appears %d times", k, seen[k])
		}
	}
	if maxY > mm(pageBottom)+1 {
		t.Errorf("table text reaches %.1f mm, into the bottom margin", maxY*25.4/72)
	}
	n := 0
	for _, w := range words {
		if w.text == "HẾT" {
			n++
		}
		if w.text == "dài" {
			n++
		}
	}
	if n != 201 {
		t.Errorf("the over-long note lost words: found %d of 201 marker words", n)
	}
}

func BenchmarkOutgoingPDF300(b *testing.B) {
	rows := make([]OutgoingRow, 300)
	for i := range rows {
		rows[i] = OutgoingRow{NumberNotation: fmt.Sprintf("%d/STTTT-VP", i+1), Date: day(2021, 1, 1), TypeAndSubject: "Công văn V/v triển khai nhiệm vụ thông tin cơ sở năm 2021", Signer: "Lâm Văn Sơn"}
	}
	ctx := context.Background()
	for b.Loop() {
		if err := OutgoingPDF(ctx, io.Discard, "t", rows); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOutgoingXLSX300(b *testing.B) {
	rows := make([]OutgoingRow, 300)
	for i := range rows {
		rows[i] = OutgoingRow{NumberNotation: fmt.Sprintf("%d/STTTT-VP", i+1), Date: day(2021, 1, 1), TypeAndSubject: "Công văn V/v triển khai nhiệm vụ thông tin cơ sở năm 2021", Signer: "Lâm Văn Sơn"}
	}
	ctx := context.Background()
	for b.Loop() {
		if err := OutgoingXLSX(ctx, io.Discard, "t", rows); err != nil {
			b.Fatal(err)
		}
	}
}

// TestXLSXFormulaTextStaysText: register cells that look like formulas
// are written as string cells (excelize never turns a string value into a
// formula), so the XLSX export needs no quote: the text stays as typed and
// no cell of the sheet carries a formula.
func TestXLSXFormulaTextStaysText(t *testing.T) {
	evil := []string{`=HYPERLINK("http://evil.example/","x")`, "+84 1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"}
	rows := []OutgoingRow{{NumberNotation: evil[4], Date: day(2021, 6, 4), TypeAndSubject: evil[0], Signer: evil[1], Recipients: evil[2], Notes: evil[3]}}
	var buf bytes.Buffer
	if err := OutgoingXLSX(t.Context(), &buf, "Sổ đăng ký", rows); err != nil {
		t.Fatal(err)
	}
	f, sheet := readXLSX(t, buf.Bytes())
	all, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for i, row := range all {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if formula, err := f.GetCellFormula(sheet, cell); err != nil || formula != "" {
				t.Errorf("cell %s has formula %q (%v)", cell, formula, err)
			}
			for _, e := range evil {
				if v == e {
					found[e] = true
					if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("cell %s (%q) has type %v, want a string", cell, v, typ)
					}
				}
			}
		}
	}
	if len(found) != len(evil) {
		t.Fatalf("values kept as typed: %v of %q", found, evil)
	}
}
