package docparse

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
)

// requireOCR skips (fails under CI=true) without Tesseract, its
// Vietnamese data and poppler.
func requireOCR(t *testing.T) {
	t.Helper()
	if !requireTool(t, "tesseract", tesseractPackage) || !requireTool(t, "pdftoppm", pdftotextPackage) {
		t.Skip("OCR tools missing")
	}
	if _, err := os.Stat("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"); err != nil {
		if _, err4 := os.Stat("/usr/share/tesseract-ocr/4.00/tessdata/vie.traineddata"); err4 != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("Tesseract's Vietnamese data is missing: install the Debian package tesseract-ocr-vie")
			}
			t.Skip("Tesseract's Vietnamese data is missing (Debian package tesseract-ocr-vie)")
		}
	}
}

// TestOCRScansReadLikeTheirTextVersion reads the seed letter printed to a
// tilted, noisy 200 dpi scan, as an image-only PDF and as a JPEG, and
// expects the identification fields of the text version, each with its
// OCR confidence.
func TestOCRScansReadLikeTheirTextVersion(t *testing.T) {
	requireOCR(t)
	seed, err := os.ReadFile("testdata/seed/cv-570-STTTT-TTBCBC-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := Parse(string(seed))
	for _, name := range []string{"testdata/scans/cv-570-scan.pdf", "testdata/scans/cv-570-scan-200dpi.jpg"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseFile(context.Background(), data, name)
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			if got.OCR == nil || got.OCR.Pages != 1 || got.OCR.MeanConfidence < 80 {
				t.Fatalf("OCR info = %+v, want one page read with a good mean confidence", got.OCR)
			}
			if len(got.OCR.DeskewDegrees) != 1 || math.Abs(got.OCR.DeskewDegrees[0]-1.2) > 0.3 {
				t.Errorf("deskew = %v, want the 1.2° tilt of the fixture straightened", got.OCR.DeskewDegrees)
			}
			for _, c := range []struct {
				field     string
				got, want *string
			}{
				{"parent_issuer", got.ParentIssuer, want.ParentIssuer},
				{"issuer", got.Issuer, want.Issuer},
				{"doc_type", got.DocType, want.DocType},
				{"number", got.Number, want.Number},
				{"notation", got.Notation, want.Notation},
				{"place", got.Place, want.Place},
				{"date", got.Date, want.Date},
				{"subject", got.Subject, want.Subject},
				{"signer_name", got.SignerName, want.SignerName},
			} {
				if docmodel.Val(c.got) != docmodel.Val(c.want) {
					t.Errorf("%s = %q, want %q", c.field, docmodel.Val(c.got), docmodel.Val(c.want))
				}
				if _, ok := got.Confidence[c.field]; !ok {
					t.Errorf("%s has no OCR confidence (confidence = %v)", c.field, got.Confidence)
				}
			}
			if strings.Join(got.Recipients, "|") != strings.Join(want.Recipients, "|") {
				t.Errorf("recipients = %q, want %q", got.Recipients, want.Recipients)
			}
		})
	}
}

// TestOCRFlagsWhatItMisreads reads a poor fax-like copy (120 dpi,
// blurred, noisy): whatever field OCR gets wrong must be flagged for the
// clerk, and the identification (number, notation, date) still holds.
func TestOCRFlagsWhatItMisreads(t *testing.T) {
	requireOCR(t)
	seed, err := os.ReadFile("testdata/seed/cv-570-STTTT-TTBCBC-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := Parse(string(seed))
	data, err := os.ReadFile("testdata/scans/cv-570-fax-120dpi.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseFile(context.Background(), data, "fax.jpg")
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	flagged := 0
	for _, c := range []struct {
		field     string
		got, want *string
	}{
		{"parent_issuer", got.ParentIssuer, want.ParentIssuer}, {"issuer", got.Issuer, want.Issuer},
		{"number", got.Number, want.Number}, {"notation", got.Notation, want.Notation},
		{"place", got.Place, want.Place}, {"date", got.Date, want.Date},
		{"subject", got.Subject, want.Subject}, {"signer_name", got.SignerName, want.SignerName},
	} {
		low := got.LowConfidenceField(c.field)
		if low {
			flagged++
		}
		if docmodel.Val(c.got) != docmodel.Val(c.want) && !low {
			t.Errorf("%s misread as %q (want %q) but not flagged (confidence %d)", c.field, docmodel.Val(c.got), docmodel.Val(c.want), got.Confidence[c.field])
		}
	}
	if flagged == 0 {
		t.Errorf("nothing flagged on a poor copy: confidence = %v", got.Confidence)
	}
	if docmodel.Val(got.Number) != "570" || docmodel.Val(got.Notation) != "STTTT-TTBCBC" || docmodel.Val(got.Date) != "2021-06-04" {
		t.Errorf("identification = %s/%s %s", docmodel.Val(got.Number), docmodel.Val(got.Notation), docmodel.Val(got.Date))
	}
}

func TestOCRBadScansGetClearErrors(t *testing.T) {
	requireOCR(t)
	blank := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"blank page", encodePNG(t, blank), ErrEmpty, "OCR found no text"},
		{"thumbnail", encodePNG(t, image.NewGray(image.Rect(0, 0, 120, 160))), ErrNotDocument, "too small"},
		{"truncated png", encodePNG(t, blank)[:60], ErrNotDocument, "damaged"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), ErrNotDocument, "GIF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(context.Background(), tc.data, "scan.png")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

// TestEstimateSkew draws text-like bars, tilts them, and expects the tilt
// back; straightening makes the page level again.
func TestEstimateSkew(t *testing.T) {
	page := image.NewGray(image.Rect(0, 0, 1200, 1600))
	for i := range page.Pix {
		page.Pix[i] = 255
	}
	for y := 200; y < 1400; y += 60 {
		for x := 150; x < 1050; x++ {
			if (x/40)%5 == 4 { // gaps between "words"
				continue
			}
			for dy := 0; dy < 22; dy++ {
				page.SetGray(x, y+dy, color.Gray{Y: 20})
			}
		}
	}
	for _, tilt := range []float64{-2.4, -0.8, 0, 1.5, 3.0} {
		tilted := rotateGray(page, -tilt) // rotateGray undoes a tilt: -tilt makes one
		got := estimateSkew(tilted)
		if math.Abs(got-tilt) > 0.15 {
			t.Errorf("tilt %.1f°: estimated %.1f°", tilt, got)
		}
		if back := estimateSkew(rotateGray(tilted, got)); math.Abs(back) > 0.15 {
			t.Errorf("tilt %.1f°: %.1f° left after straightening", tilt, back)
		}
	}
}

// TestLayoutFromTSV: words of a phrase get one space, the gap between the
// header's columns becomes a column break, printed rules read as
// letters are dropped, and confidences are kept per word.
func TestLayoutFromTSV(t *testing.T) {
	row := func(block, line, left, width int, conf float64, text string) string {
		return strings.Join([]string{"5", "1", itoa(block), "1", itoa(line), "1", itoa(left), "100", itoa(width), "30",
			strings.TrimRight(strings.TrimRight(ftoa(conf), "0"), "."), text}, "\t")
	}
	tsv := strings.Join([]string{
		"level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
		row(1, 1, 100, 80, 95, "UBND"), row(1, 1, 190, 80, 93, "TỈNH"), row(1, 1, 900, 100, 96, "CỘNG"), row(1, 1, 1010, 60, 96, "HÒA"),
		row(1, 2, 150, 60, 0, "đ="), row(1, 2, 220, 90, 12, "=:ÀlÂu"), row(1, 2, 950, 40, 30, "SE"), row(1, 2, 1000, 60, 95, "phục"),
		row(1, 3, 100, 60, 91, "Số:"), row(1, 3, 170, 200, 62, "570/STTTT-TTBCBC"),
	}, "\n")
	text, words := layoutFromTSV(tsv)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines = %q, want the rule line dropped", lines)
	}
	if !strings.HasPrefix(lines[0], "UBND TỈNH   ") || !strings.HasSuffix(lines[0], "CỘNG HÒA") {
		t.Errorf("header line = %q, want one space inside a column and a column break between", lines[0])
	}
	if strings.TrimSpace(lines[1]) != "Số: 570/STTTT-TTBCBC" {
		t.Errorf("number line = %q", lines[1])
	}
	if len(words) != 6 || words[5].Confidence != 62 {
		t.Errorf("words = %+v", words)
	}
	f := Parse("UBND TỈNH KIÊN GIANG\nSố: 570/STTTT-TTBCBC\nV/v Đẩy mạnh thông tin\n")
	scoreOCR(&f, &OCRResult{Pages: 1, Words: []OCRWord{{"Số:", 91}, {"570/STTTT-TTBCBC", 62}, {"V/v", 90}, {"Đẩy", 95}, {"mạnh", 93}, {"thông", 92}, {"tin", 97}}})
	if !f.LowConfidenceField("notation") || !f.LowConfidenceField("number") || f.LowConfidenceField("subject") {
		t.Errorf("confidence = %v, want number and notation low, subject not", f.Confidence)
	}
	if !strings.Contains(strings.Join(f.Warnings, "\n"), "notation read with low confidence (62 %)") {
		t.Errorf("warnings = %q", f.Warnings)
	}
	f.Confirm("number", "notation")
	if f.LowConfidenceField("notation") {
		t.Error("a confirmed field is still flagged")
	}
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
