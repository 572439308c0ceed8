package render

import (
	"bytes"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

// needTool returns the path of an external program, failing under CI and
// skipping elsewhere when it is missing.
func needTool(t *testing.T, name, debianPkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required (Debian package %s): %v", name, debianPkg, err)
		}
		t.Skipf("%s not found; install the Debian package %s to run this test", name, debianPkg)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), needTool(t, name, "poppler-utils"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return string(out)
}

func writePDF(t *testing.T, f docmodel.Fields, opt Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := PDF(&b, f, opt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(strings.Trim(l, "\f")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

// The seed letter rendered to PDF must come back from pdftotext with the
// same lines, in the order of the sample text, so that the parser reads the
// same fields.
func TestPDFSeedExtractsInReadingOrder(t *testing.T) {
	f := seedFields(t)
	path := writePDF(t, f, Options{})
	text := runTool(t, "pdftotext", "-enc", "UTF-8", path, "-")
	lines := nonEmptyLines(text)

	ordered := []string{
		"UBND TỈNH KIÊN GIANG",
		"SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
		"Số: 570/STTTT-TTBCBC",
		"V/v Đẩy mạnh thông tin, tuyên truyền về",
		"phòng, chống Covid-19",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"Kiên Giang, ngày 04 tháng 6 năm 2021",
		"Kính gửi:",
		"- Báo Kiên Giang;",
		"- Đài Phát thanh và Truyền hình Kiên Giang;",
		"- Cổng Thông tin điện tử tỉnh;",
		"- Thường trực Ủy ban nhân dân các huyện, thành phố.",
		"Nơi nhận:",
		"- Như trên;",
		"- UBND tỉnh (b/c);",
		"- Trung tâm VH, TT và TT các huyện, thành phố;",
		"- Lưu: VT, TTBCBC.",
		"Lâm Văn Sơn",
	}
	last := -1
	for _, want := range ordered {
		i := indexOf(lines, want)
		switch {
		case i < 0:
			t.Errorf("pdftotext output lacks the line %q", want)
		case i < last:
			t.Errorf("line %q comes out of order (at %d, after %d)", want, i, last)
		default:
			last = i
		}
	}
	if t.Failed() {
		t.Logf("pdftotext output:\n%s", text)
	}

	// The body paragraphs come back whole once line breaks are joined.
	flat := strings.Join(strings.Fields(text), " ")
	for _, p := range strings.Split(*f.Body, "\n") {
		if !strings.Contains(flat, p) {
			t.Errorf("pdftotext output lacks the paragraph %q", p)
		}
	}
	for _, r := range "ệơưĐ" {
		if !strings.ContainsRune(text, r) {
			t.Errorf("extracted text lacks %q", r)
		}
	}

	// In layout mode the two header columns share lines with a wide gap.
	layout := runTool(t, "pdftotext", "-layout", "-enc", "UTF-8", path, "-")
	for _, re := range []string{
		`UBND TỈNH KIÊN GIANG {5,}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM`,
		`SỞ THÔNG TIN VÀ TRUYỀN THÔNG {5,}Độc lập - Tự do - Hạnh phúc`,
		`Số: 570/STTTT-TTBCBC {5,}Kiên Giang, ngày 04 tháng 6 năm 2021`,
	} {
		if !regexp.MustCompile(re).MatchString(layout) {
			t.Errorf("pdftotext -layout output does not match %s:\n%s", re, layout)
		}
	}
}

func TestPDFSeedInfoAndFonts(t *testing.T) {
	path := writePDF(t, seedFields(t), Options{})
	info := runTool(t, "pdfinfo", path)
	for _, want := range []string{
		"Page size:       595.28 x 841.89 pts (A4)",
		"Pages:           1",
		"Title:           570/STTTT-TTBCBC - V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19",
		"Author:          SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	fontsOut := runTool(t, "pdffonts", path)
	n := 0
	for _, l := range strings.Split(fontsOut, "\n") {
		if !strings.Contains(strings.ToLower(l), "liberationserif") {
			continue
		}
		n++
		// name type encoding emb sub uni ...: "CID TrueType Identity-H yes".
		if !regexp.MustCompile(`Identity-H\s+yes`).MatchString(l) {
			t.Errorf("font not embedded: %s", l)
		}
	}
	if n != 4 {
		t.Errorf("pdffonts lists %d Liberation Serif fonts, want 4 (regular, bold, italic, bold italic):\n%s", n, fontsOut)
	}
}

type word struct {
	page                   int
	xMin, yMin, xMax, yMax float64 // points, origin top left
	text                   string
}

var (
	pageRe = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

// bboxWords runs pdftotext -bbox and returns every word with its box.
func bboxWords(t *testing.T, path string) []word {
	t.Helper()
	out := runTool(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	var words []word
	page := 0
	for _, l := range strings.Split(out, "\n") {
		if m := pageRe.FindStringSubmatch(l); m != nil {
			page++
			if w, h := num(t, m[1]), num(t, m[2]); math.Abs(w-595.28) > 0.1 || math.Abs(h-841.89) > 0.1 {
				t.Errorf("page %d is %.2f x %.2f pt, want A4", page, w, h)
			}
			continue
		}
		if m := wordRe.FindStringSubmatch(l); m != nil {
			words = append(words, word{page, num(t, m[1]), num(t, m[2]), num(t, m[3]), num(t, m[4]), html.UnescapeString(m[5])})
		}
	}
	if len(words) == 0 {
		t.Fatal("pdftotext -bbox found no words")
	}
	return words
}

func num(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mm(v float64) float64 { return v * 72 / 25.4 }

func findWord(t *testing.T, words []word, page int, text string) word {
	t.Helper()
	for _, w := range words {
		if w.page == page && w.text == text {
			return w
		}
	}
	t.Fatalf("word %q not found on page %d", text, page)
	return word{}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.2f pt (%.1f mm), want %.2f pt (%.1f mm) ± %.1f", what, got, got*25.4/72, want, want*25.4/72, tol)
	}
}

// Geometry of the seed letter read back from the PDF: margins, indent,
// justification, the signature band.
func TestPDFSeedGeometry(t *testing.T) {
	words := bboxWords(t, writePDF(t, seedFields(t), Options{}))
	first := findWord(t, words, 1, "Thực")
	nn := findWord(t, words, 1, "Nơi")
	var bodyMinX, bodyMaxX = math.Inf(1), math.Inf(-1)
	minX, minY, maxY := math.Inf(1), math.Inf(1), math.Inf(-1)
	for _, w := range words {
		minX, minY, maxY = math.Min(minX, w.xMin), math.Min(minY, w.yMin), math.Max(maxY, w.yMax)
		if w.yMin >= first.yMin && w.yMax <= nn.yMin {
			bodyMinX, bodyMaxX = math.Min(bodyMinX, w.xMin), math.Max(bodyMaxX, w.xMax)
		}
	}
	near(t, "body left edge", bodyMinX, mm(30), 0.3)
	near(t, "body right edge (justified)", bodyMaxX, mm(195), 0.3)
	near(t, "first-line indent", first.xMin, mm(30+12.7), 0.3)
	near(t, "top of the header", minY, mm(20), 1.5)
	if maxY > mm(297-20) {
		t.Errorf("text reaches %.1f mm from the top, into the 20 mm bottom margin", maxY*25.4/72)
	}
	if minX < mm(20)-0.5 {
		t.Errorf("text starts %.1f mm from the left edge, left of the header column", minX*25.4/72)
	}
	near(t, "Nơi nhận left edge", nn.xMin, mm(30), 0.3)

	// The header columns: centred on their columns, with a clear gap.
	parent := findWord(t, words, 1, "UBND")
	national := findWord(t, words, 1, "CỘNG")
	near(t, "header top row alignment", national.yMin, parent.yMin, 1.5)
	so := findWord(t, words, 1, "Số:")
	kg := findWord(t, words, 1, "Kiên")
	near(t, "number and date on one line", kg.yMax, so.yMax, 1.5)

	// The signer's name is centred in the right half, below "Nơi nhận".
	var nameMin, nameMax float64 = math.Inf(1), math.Inf(-1)
	var nameY float64
	for _, w := range words {
		if w.text == "Lâm" || w.text == "Sơn" {
			nameMin, nameMax, nameY = math.Min(nameMin, w.xMin), math.Max(nameMax, w.xMax), w.yMin
		}
	}
	near(t, "signer name centre", (nameMin+nameMax)/2, mm(bandRightX+bandRightW/2), 1)
	if nameY < nn.yMax+mm(20) {
		t.Errorf("signer name at %.1f mm leaves no room for a signature below the band top at %.1f mm", nameY*25.4/72, nn.yMin*25.4/72)
	}
	for _, w := range words {
		if w.page != 1 {
			t.Fatalf("the seed letter should fit on one page, found %q on page %d", w.text, w.page)
		}
	}
}

func longFields(t *testing.T) docmodel.Fields {
	f := seedFields(t)
	body := strings.Repeat(*f.Body+"\n", 3)
	f.Body = &body
	f.SigningAuthority = docmodel.Str("KT. GIÁM ĐỐC")
	f.SignerTitle = docmodel.Str("PHÓ GIÁM ĐỐC")
	return f
}

func TestPDFPageNumbers(t *testing.T) {
	path := writePDF(t, longFields(t), Options{})
	info := runTool(t, "pdfinfo", path)
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo shows no page count:\n%s", info)
	}
	pages, _ := strconv.Atoi(m[1])
	if pages < 2 {
		t.Fatalf("long letter has %d page(s), want at least 2", pages)
	}
	words := bboxWords(t, path)
	for p := 1; p <= pages; p++ {
		var top *word
		maxY := 0.0
		for i, w := range words {
			if w.page != p {
				continue
			}
			if top == nil || w.yMin < top.yMin {
				top = &words[i]
			}
			maxY = math.Max(maxY, w.yMax)
		}
		if top == nil {
			t.Fatalf("page %d has no text", p)
		}
		if maxY > mm(297-20) {
			t.Errorf("page %d: text reaches into the bottom margin (%.1f mm)", p, maxY*25.4/72)
		}
		if p == 1 {
			if top.text != "UBND" && top.text != "CỘNG" {
				t.Errorf("page 1 starts with %q, want the header (no page number)", top.text)
			}
			continue
		}
		if top.text != strconv.Itoa(p) {
			t.Errorf("page %d starts with %q, want its number", p, top.text)
			continue
		}
		near(t, "page number centre", (top.xMin+top.xMax)/2, mm(30+165.0/2), 1)
		if top.yMax > mm(20) {
			t.Errorf("page number of page %d is not within the top margin", p)
		}
	}
	text := runTool(t, "pdftotext", "-enc", "UTF-8", path, "-")
	lines := nonEmptyLines(text)
	a, b, n := indexOf(lines, "KT. GIÁM ĐỐC"), indexOf(lines, "PHÓ GIÁM ĐỐC"), indexOf(lines, "Lâm Văn Sơn")
	if a < 0 || b != a+1 || n <= b {
		t.Errorf("signature block lines out of order: authority %d, title %d, name %d", a, b, n)
	}
}

// grayPixels counts light grey pixels (the watermark's colour) in page 1
// rendered at low resolution.
func grayPixels(t *testing.T, path string) int {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "p")
	runTool(t, "pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile", path, prefix)
	raw, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			if g >= 200 && g <= 230 {
				n++
			}
		}
	}
	return n
}

func TestPDFDraftWatermark(t *testing.T) {
	f := seedFields(t)
	plain := writePDF(t, f, Options{})
	draft := writePDF(t, f, Options{Draft: true})
	if gp, gd := grayPixels(t, plain), grayPixels(t, draft); gd < gp+500 {
		t.Errorf("draft page has %d light grey pixels, plain page %d: the watermark is not drawn", gd, gp)
	}
	// The watermark is hidden from text extraction so that a draft parses
	// like the final document.
	pt, dt := runTool(t, "pdftotext", "-enc", "UTF-8", plain, "-"), runTool(t, "pdftotext", "-enc", "UTF-8", draft, "-")
	if pt != dt {
		t.Errorf("the watermark changes the extracted text:\n%s", dt)
	}
}

func TestPDFSignatureAndSealImages(t *testing.T) {
	f := seedFields(t)
	opt := Options{
		SignatureImage: testPNG(t, 400, 150, color.NRGBA{0, 0, 200, 255}, false),
		SealImage:      testPNG(t, 300, 300, color.NRGBA{220, 0, 0, 200}, true),
	}
	path := writePDF(t, f, opt)
	list := runTool(t, "pdfimages", "-list", path)
	n := 0
	for _, l := range strings.Split(list, "\n") {
		if fs := strings.Fields(l); len(fs) > 2 && fs[2] == "image" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("pdfimages lists %d images, want the signature and the seal:\n%s", n, list)
	}
	if !strings.Contains(list, " smask ") {
		t.Errorf("transparent PNGs should keep their alpha channel (soft mask):\n%s", list)
	}
}

func TestPDFMarksAndOtherTypes(t *testing.T) {
	f := seedFields(t)
	f.DocType = docmodel.Str("Kế hoạch")
	f.Notation = docmodel.Str("KH-STTTT")
	f.Urgency = docmodel.Str("Khẩn")
	f.Confidentiality = docmodel.Str("Mật")
	f.Recipients = []string{"Sở Y tế tỉnh Kiên Giang"}
	path := writePDF(t, f, Options{BodyFontSize: 13})
	lines := nonEmptyLines(runTool(t, "pdftotext", "-enc", "UTF-8", path, "-"))
	for _, want := range []string{"MẬT", "KHẨN", "KẾ HOẠCH", "Số: 570/KH-STTTT", "Kính gửi: Sở Y tế tỉnh Kiên Giang"} {
		if indexOf(lines, want) < 0 {
			t.Errorf("pdftotext output lacks the line %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "V/v") {
			t.Errorf("a kế hoạch must not print a V/v line: %q", l)
		}
	}
	words := bboxWords(t, path)
	ke := findWord(t, words, 1, "KẾ")
	hoach := findWord(t, words, 1, "HOẠCH")
	near(t, "type name centre", (ke.xMin+hoach.xMax)/2, mm(30+165.0/2), 1)
	// The marks sit under the number, in the left column.
	mat := findWord(t, words, 1, "MẬT")
	so := findWord(t, words, 1, "Số:")
	if mat.yMin < so.yMax || mat.xMax > mm(105) {
		t.Errorf("confidentiality mark at (%.0f, %.0f) pt is not under the number", mat.xMin, mat.yMin)
	}
}

func TestPDFRejectsCharactersTheFontLacks(t *testing.T) {
	f := seedFields(t)
	f.Subject = docmodel.Str("Chúc mừng 😀")
	err := PDF(&bytes.Buffer{}, f, Options{})
	if err == nil || !strings.Contains(err.Error(), "U+1F600") || !strings.Contains(err.Error(), `"subject"`) {
		t.Fatalf("error = %v, want one naming the field and U+1F600", err)
	}
}

func TestPDFDeterministic(t *testing.T) {
	f := seedFields(t)
	opt := Options{CreationDate: time.Date(2021, 6, 4, 8, 0, 0, 0, time.UTC)}
	var a, b bytes.Buffer
	if err := PDF(&a, f, opt); err != nil {
		t.Fatal(err)
	}
	if err := PDF(&b, f, opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings with a fixed creation date differ")
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) {
		t.Error("output is not a PDF")
	}
	// Fonts are subset: the whole PDF stays far below the 1.5 MB of fonts.
	if a.Len() > 200_000 {
		t.Errorf("seed PDF is %d bytes; font subsetting seems lost", a.Len())
	}
}

// imageSize returns the pixel size of a PNG file.
func imageSize(t *testing.T, path string) image.Point {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return image.Point{cfg.Width, cfg.Height}
}

// The committed documentation image must be a page-1 rendering at 80 dpi
// and stay small.
func TestDocImage(t *testing.T) {
	const path = "../../docs/images/seed-570-page1.png"
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("%s missing; regenerate it with `go run gen_docimage.go` in internal/render: %v", path, err)
	}
	if st.Size() > 300_000 {
		t.Errorf("%s is %d bytes, over 300 KB", path, st.Size())
	}
	// A4 at 80 dpi is 661.4 x 935.4 pixels; pdftoppm rounds up.
	if got := imageSize(t, path); got != (image.Point{662, 936}) {
		t.Errorf("%s is %v pixels, want 662x936 (A4 at 80 dpi)", path, got)
	}
}

func BenchmarkPDFSeed(b *testing.B) {
	f := seedFields(b)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := PDF(&buf, f, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTMLSeed(b *testing.B) {
	f := seedFields(b)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := HTML(&buf, f, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
