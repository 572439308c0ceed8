package docparse

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of scans
	_ "image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// OCR limits and settings. Official letters are A4 pages; 300 dpi is the
// resolution Tesseract's models are trained for.
const (
	// MaxOCRPages bounds the pages of a scanned PDF that are read: the
	// identification of a letter is on its first and last pages, and a
	// page costs seconds of CPU.
	MaxOCRPages = 8
	ocrDPI      = 300
	// ocrPageTimeout bounds one run of pdftoppm or tesseract on a page.
	ocrPageTimeout = 90 * time.Second
	// ocrNoiseConfidence: a line whose mean confidence is below this (and
	// well below its page's) is scanner noise or a printed rule.
	ocrNoiseConfidence = 50
	tesseractPackage   = "tesseract-ocr and tesseract-ocr-vie"
	maxOCRImagePixels  = 60_000_000 // 60 Mpx: an A4 page at 600 dpi is 35 Mpx
)

// OCRWord is one word Tesseract read, with its confidence (0–100).
type OCRWord struct {
	Text       string
	Confidence float64
}

// OCRResult is what the OCR path read from a scan.
type OCRResult struct {
	Pages int
	// Words in reading order, noise lines removed.
	Words []OCRWord
	// MeanConfidence of the kept words, 0–100.
	MeanConfidence float64
	// Deskewed lists the tilts (degrees) of the pages that were straightened.
	Deskewed []float64
}

// ocrEngine runs the external tools. It is a value so tests and callers
// can see which commands exist before any work is done.
type ocrEngine struct {
	tesseract string
	pdftoppm  string
}

func findOCREngine(needPDF bool) (ocrEngine, error) {
	var e ocrEngine
	var err error
	if e.tesseract, err = exec.LookPath("tesseract"); err != nil {
		return e, fmt.Errorf("%w: tesseract not found; reading scans needs the Debian packages %s", ErrToolMissing, tesseractPackage)
	}
	if needPDF {
		if e.pdftoppm, err = exec.LookPath("pdftoppm"); err != nil {
			return e, fmt.Errorf("%w: pdftoppm not found; install the Debian package %s", ErrToolMissing, pdftotextPackage)
		}
	}
	return e, nil
}

// extractOCR reads a scanned PDF (isPDF) or a page image with Tesseract's
// Vietnamese model. The text keeps the page layout the way pdftotext
// -layout does (columns of the header separated by runs of spaces), so
// the same parser reads it.
func extractOCR(ctx context.Context, data []byte, isPDF bool, ext string) (string, *OCRResult, []string, error) {
	eng, err := findOCREngine(isPDF)
	if err != nil {
		return "", nil, nil, err
	}
	dir, err := os.MkdirTemp("", "loa-ocr-*")
	if err != nil {
		return "", nil, nil, fmt.Errorf("create OCR work directory: %w", err)
	}
	defer os.RemoveAll(dir)
	var pages []string
	var warnings []string
	if isPDF {
		in := filepath.Join(dir, "scan.pdf")
		if err := os.WriteFile(in, data, 0o600); err != nil {
			return "", nil, nil, fmt.Errorf("write scan for OCR: %w", err)
		}
		n, err := pdfPageCount(ctx, in)
		if err != nil {
			return "", nil, nil, err
		}
		last := n
		if last > MaxOCRPages {
			last = MaxOCRPages
			warnings = append(warnings, fmt.Sprintf("OCR: only the first %d of %d scanned pages were read; check the rest against the scan", MaxOCRPages, n))
		}
		// Uncompressed PGM: PNG compression of a 300 dpi page costs more
		// CPU than the OCR itself.
		if _, err := runOCRTool(ctx, eng.pdftoppm, "-r", strconv.Itoa(ocrDPI), "-gray",
			"-f", "1", "-l", strconv.Itoa(last), in, filepath.Join(dir, "page")); err != nil {
			return "", nil, nil, err
		}
		pages, err = filepath.Glob(filepath.Join(dir, "page*.pgm"))
		if err != nil || len(pages) == 0 {
			return "", nil, nil, fmt.Errorf("%w: the scanned PDF produced no page images; the file may be damaged", ErrNotDocument)
		}
		sort.Strings(pages) // pdftoppm zero-pads page numbers
	} else {
		if ext == "" {
			ext = ".img"
		}
		in := filepath.Join(dir, "scan"+ext)
		if err := os.WriteFile(in, data, 0o600); err != nil {
			return "", nil, nil, fmt.Errorf("write scan for OCR: %w", err)
		}
		pages = []string{in}
	}
	res := &OCRResult{}
	var text strings.Builder
	var confSum float64
	for i, p := range pages {
		if err := ctx.Err(); err != nil {
			return "", nil, nil, fmt.Errorf("OCR: %w", err)
		}
		p, tilt, err := deskewFile(p)
		if err != nil {
			return "", nil, nil, err
		}
		if math.Abs(tilt) >= deskewMinDeg {
			res.Deskewed = append(res.Deskewed, tilt)
		}
		tsv, err := runOCRTool(ctx, eng.tesseract, p, "stdout", "-l", "vie", "--psm", "4",
			"-c", "preserve_interword_spaces=1", "tsv")
		if err != nil {
			if strings.Contains(err.Error(), "Failed loading language") {
				return "", nil, nil, fmt.Errorf("%w: Tesseract has no Vietnamese data; install the Debian package tesseract-ocr-vie", ErrToolMissing)
			}
			return "", nil, nil, fmt.Errorf("OCR of page %d: %w", i+1, err)
		}
		pageText, words := layoutFromTSV(tsv)
		if i > 0 {
			text.WriteString("\n\f\n")
		}
		text.WriteString(pageText)
		for _, w := range words {
			confSum += w.Confidence
		}
		res.Words = append(res.Words, words...)
		res.Pages++
	}
	if len(res.Words) > 0 {
		res.MeanConfidence = confSum / float64(len(res.Words))
	}
	out := norm.NFC.String(strings.ReplaceAll(text.String(), "\f", ""))
	if !hasLetters(out, 10) {
		return "", nil, nil, fmt.Errorf("%w: OCR found no text in the scan; check that the scan is a letter, upright and at least 200 dpi", ErrEmpty)
	}
	if res.MeanConfidence < 60 {
		warnings = append(warnings, fmt.Sprintf("OCR: the scan reads poorly (mean confidence %.0f %%); check every field against the scan or rescan at 300 dpi", res.MeanConfidence))
	}
	return out, res, warnings, nil
}

// pdfPageCount asks pdfinfo for the number of pages.
func pdfPageCount(ctx context.Context, path string) (int, error) {
	tool, err := exec.LookPath("pdfinfo")
	if err != nil {
		return MaxOCRPages, nil // pdftoppm stops at the last page anyway
	}
	out, err := runPDFTool(ctx, tool, path)
	if err != nil {
		return 0, err
	}
	for _, ln := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(ln, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil && n > 0 {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: pdfinfo reports no pages; the file may be damaged", ErrNotDocument)
}

// runOCRTool runs pdftoppm or tesseract with a timeout and bounded output.
// Tesseract's own thread pool would fight the server's goroutines for the
// same cores; one thread per page is the predictable choice.
func runOCRTool(ctx context.Context, tool string, args ...string) (string, error) {
	return runTool(ctx, toolRun{timeout: ocrPageTimeout, input: "scan", output: "OCR text", env: []string{"OMP_THREAD_LIMIT=1"}}, tool, args...)
}

// tsvWord is one level-5 row of Tesseract's TSV output.
type tsvWord struct {
	block, par, line int
	left, top, width int
	conf             float64
	text             string
}

// layoutFromTSV rebuilds the page text from Tesseract's word boxes: words
// of a line are placed at the column their left edge falls on, so that a
// wide gap (the space between the issuer block and the national motto)
// becomes a run of spaces the parser reads as a column break. Lines of
// noise (printed rules, specks) are dropped.
func layoutFromTSV(tsv string) (string, []OCRWord) {
	var words []tsvWord
	sc := bufio.NewScanner(strings.NewReader(tsv))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 12 || f[0] != "5" {
			continue
		}
		text := strings.TrimSpace(f[11])
		if text == "" {
			continue
		}
		var w tsvWord
		w.block, _ = strconv.Atoi(f[2])
		w.par, _ = strconv.Atoi(f[3])
		w.line, _ = strconv.Atoi(f[4])
		w.left, _ = strconv.Atoi(f[6])
		w.top, _ = strconv.Atoi(f[7])
		w.width, _ = strconv.Atoi(f[8])
		w.conf, _ = strconv.ParseFloat(f[10], 64)
		w.text = text
		words = append(words, w)
	}
	if len(words) == 0 {
		return "", nil
	}
	charW := medianCharWidth(words)
	var pageConf float64
	for _, w := range words {
		pageConf += w.conf
	}
	pageConf /= float64(len(words))
	minLeft := math.MaxInt
	for _, w := range words {
		minLeft = min(minLeft, w.left)
	}
	var out strings.Builder
	var kept []OCRWord
	for start := 0; start < len(words); {
		end := start + 1
		for end < len(words) && words[end].block == words[start].block &&
			words[end].par == words[start].par && words[end].line == words[start].line {
			end++
		}
		line := words[start:end]
		start = end
		if noiseLine(line, pageConf) {
			continue
		}
		sort.SliceStable(line, func(i, j int) bool { return line[i].left < line[j].left })
		var b strings.Builder
		col := 0
		prevRight := -1
		for _, w := range line {
			// Words of one phrase get one space; a wide gap (the space
			// between the header's two columns, or before a signature) is
			// a column break placed at the word's column, at least three
			// spaces so the parser sees the columns.
			pad := 1
			switch {
			case prevRight < 0:
				pad = int(math.Round(float64(w.left-minLeft) / charW))
			case float64(w.left-prevRight) > 2.5*charW:
				pad = max(int(math.Round(float64(w.left-minLeft)/charW))-col, 3)
			}
			b.WriteString(strings.Repeat(" ", pad))
			b.WriteString(w.text)
			col += pad + utf8.RuneCountInString(w.text)
			prevRight = w.left + w.width
			kept = append(kept, OCRWord{Text: norm.NFC.String(w.text), Confidence: w.conf})
		}
		out.WriteString(b.String())
		out.WriteByte('\n')
	}
	return out.String(), kept
}

// medianCharWidth estimates the width of one character in pixels from the
// words of three or more letters.
func medianCharWidth(words []tsvWord) float64 {
	var ws []float64
	for _, w := range words {
		n := utf8.RuneCountInString(w.text)
		if n >= 3 && w.width > 0 {
			ws = append(ws, float64(w.width)/float64(n))
		}
	}
	if len(ws) == 0 {
		return 20
	}
	sort.Float64s(ws)
	m := ws[len(ws)/2]
	if m < 1 {
		m = 1
	}
	return m
}

// noiseLine reports whether a line of words is scanner noise or a printed
// rule read as letters (the rules under the issuer and the motto): most
// of its words are read with low confidence, well under the page's own
// level, or it holds no letter or digit at all. pageConf is the mean
// word confidence of the page, so a uniformly poor scan keeps its text.
func noiseLine(line []tsvWord, pageConf float64) bool {
	var conf float64
	letters, weak := 0, 0
	for _, w := range line {
		conf += w.conf
		if w.conf < 60 {
			weak++
		}
		for _, r := range w.text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				letters++
			}
		}
	}
	if letters == 0 {
		return true
	}
	conf /= float64(len(line))
	limit := math.Min(ocrNoiseConfidence, pageConf-30)
	return conf < limit && float64(weak) >= 0.6*float64(len(line))
}

// imageExt returns the extension of a page image format Tesseract reads,
// from the content's signature, or "".
func imageExt(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return ".png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return ".jpg"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return ".tif"
	}
	return ""
}

// checkImageSize refuses images whose declared size would take more
// memory than a page can need (a decompression bomb), and damaged
// PNG/JPEG headers, before any tool runs.
func checkImageSize(data []byte) error {
	if imageExt(data) == ".tif" {
		return nil // Tesseract's reader bounds TIFF itself; the page timeout applies
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w: the image cannot be read (%v); the file may be damaged", ErrNotDocument, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxOCRImagePixels {
		return fmt.Errorf("%w: the image is %d×%d pixels; scan letters at 200–300 dpi (an A4 page at 300 dpi is 2480×3508)",
			ErrTooLarge, cfg.Width, cfg.Height)
	}
	if cfg.Width < 600 || cfg.Height < 600 {
		return fmt.Errorf("%w: the image is only %d×%d pixels, too small to read; scan letters at 200–300 dpi",
			ErrNotDocument, cfg.Width, cfg.Height)
	}
	return nil
}
