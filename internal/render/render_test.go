package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

func TestFormatDate(t *testing.T) {
	cases := []struct {
		place, date, want string
	}{
		{"Kiên Giang", "2021-06-04", "Kiên Giang, ngày 04 tháng 6 năm 2021"},
		{"Hà Nội", "2022-01-15", "Hà Nội, ngày 15 tháng 01 năm 2022"},
		{"Hà Nội", "2022-02-09", "Hà Nội, ngày 09 tháng 02 năm 2022"},
		{"Rạch Giá", "2020-03-01", "Rạch Giá, ngày 01 tháng 3 năm 2020"},
		{"Rạch Giá", "2020-12-31", "Rạch Giá, ngày 31 tháng 12 năm 2020"},
		{"", "2020-10-10", "Ngày 10 tháng 10 năm 2020"},
	}
	for _, c := range cases {
		tm, err := time.Parse("2006-01-02", c.date)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatDate(c.place, tm); got != c.want {
			t.Errorf("formatDate(%q, %s) = %q, want %q", c.place, c.date, got, c.want)
		}
	}
}

func TestPrepareSeed(t *testing.T) {
	d, err := prepare(seedFields(t))
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"parent":   {d.parentIssuer, "UBND TỈNH KIÊN GIANG"},
		"issuer":   {d.issuer, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"},
		"number":   {d.numberLine, "Số: 570/STTTT-TTBCBC"},
		"date":     {d.dateLine, "Kiên Giang, ngày 04 tháng 6 năm 2021"},
		"subject":  {d.subject, "Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19"},
		"name":     {d.signerName, "Lâm Văn Sơn"},
		"title":    {d.title, "570/STTTT-TTBCBC - V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19"},
		"distrib":  {strings.Join(d.distribution, "|"), "- Như trên;|- UBND tỉnh (b/c);|- Trung tâm VH, TT và TT các huyện, thành phố;|- Lưu: VT, TTBCBC."},
		"recipien": {strings.Join(d.recipients, "|"), "Báo Kiên Giang|Đài Phát thanh và Truyền hình Kiên Giang|Cổng Thông tin điện tử tỉnh|Thường trực Ủy ban nhân dân các huyện, thành phố"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if !d.isLetter {
		t.Error("a công văn must use the letter layout")
	}
	if len(d.paragraphs) != 6 {
		t.Errorf("%d paragraphs, want 6", len(d.paragraphs))
	}
}

func TestPrepareNormalises(t *testing.T) {
	// Decomposed (NFD) text from old tools, stray spaces, tabs, and a
	// single-digit number.
	f := docmodel.Fields{
		Issuer:   docmodel.Str("  so\u031b\u0309 Y te\u0302\u0301\t tỉnh "),
		Number:   docmodel.Str("5"),
		Notation: docmodel.Str("SYT-NVY"),
		Recipients: []string{
			"- Bệnh viện Đa khoa tỉnh;", "", "Trung tâm Y tế các huyện.",
		},
		Items: []docmodel.Item{{Label: "1", Text: "Làm A."}, {Label: "a)", Text: "Làm B."}, {Label: "", Text: "Làm C."}},
		Distribution: []docmodel.Distribution{
			{Name: "Như trên"}, {Name: "UBND tỉnh", Purpose: docmodel.Str("(b/c)")},
		},
	}
	d, err := prepare(f)
	if err != nil {
		t.Fatal(err)
	}
	if d.issuer != "SỞ Y TẾ TỈNH" {
		t.Errorf("issuer = %q, want NFC upper case %q", d.issuer, "SỞ Y TẾ TỈNH")
	}
	if d.numberLine != "Số: 05/SYT-NVY" {
		t.Errorf("number line = %q, want the leading zero Decree 30 requires", d.numberLine)
	}
	if got := strings.Join(d.recipients, "|"); got != "Bệnh viện Đa khoa tỉnh|Trung tâm Y tế các huyện" {
		t.Errorf("recipients = %q", got)
	}
	if got := strings.Join(d.paragraphs, "|"); got != "1. Làm A.|a) Làm B.|Làm C." {
		t.Errorf("paragraphs from items = %q", got)
	}
	if got := strings.Join(d.distribution, "|"); got != "- Như trên;|- UBND tỉnh (b/c)." {
		t.Errorf("distribution = %q", got)
	}
	if !strings.HasPrefix(d.dateLine, "Ngày ") {
		t.Errorf("date line without date = %q, want blanks to fill in", d.dateLine)
	}
}

func TestPrepareUnnumberedDraft(t *testing.T) {
	f := docmodel.Fields{Notation: docmodel.Str("STTTT-TTBCBC"), Place: docmodel.Str("Kiên Giang")}
	d, err := prepare(f)
	if err != nil {
		t.Fatal(err)
	}
	if d.numberLine != "Số:       /STTTT-TTBCBC" {
		t.Errorf("number line = %q", d.numberLine)
	}
	if d.dateLine != "Kiên Giang, ngày      tháng      năm" {
		t.Errorf("date line = %q", d.dateLine)
	}
}

func TestValidation(t *testing.T) {
	big := strings.Repeat("a", MaxBodyBytes+1)
	cases := []struct {
		name string
		f    docmodel.Fields
		opt  Options
		want string
	}{
		{"huge body", docmodel.Fields{Body: &big}, Options{}, "1 MiB"},
		{"bad date", docmodel.Fields{Date: docmodel.Str("2021-13-01")}, Options{}, `"date"`},
		{"date format", docmodel.Fields{Date: docmodel.Str("04/06/2021")}, Options{}, "YYYY-MM-DD"},
		{"number with notation", docmodel.Fields{Number: docmodel.Str("570/STTTT")}, Options{}, `"number"`},
		{"notation with space", docmodel.Fields{Notation: docmodel.Str("STTTT - TTBCBC")}, Options{}, `"notation"`},
		{"invalid utf8", docmodel.Fields{Subject: docmodel.Str("V\xff")}, Options{}, "UTF-8"},
		{"long field", docmodel.Fields{Subject: docmodel.Str(strings.Repeat("x", MaxFieldBytes+1))}, Options{}, `"subject"`},
		{"many recipients", docmodel.Fields{Recipients: make([]string, MaxListLen+1)}, Options{}, "recipients"},
		{"font size", docmodel.Fields{}, Options{BodyFontSize: 12}, "13 to 14"},
		{"not png", docmodel.Fields{}, Options{SignatureImage: []byte("GIF89a....")}, "PNG"},
		{"seal alone", docmodel.Fields{}, Options{SealImage: testPNG(t, 10, 10, color.NRGBA{255, 0, 0, 255}, true)}, "SignatureImage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for name, fn := range map[string]func() error{
				"PDF":  func() error { return PDF(&bytes.Buffer{}, c.f, c.opt) },
				"HTML": func() error { return HTML(&bytes.Buffer{}, c.f, c.opt) },
			} {
				err := fn()
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s error = %v, want one mentioning %s", name, err, c.want)
				}
			}
		})
	}
	if err := Text(&bytes.Buffer{}, docmodel.Fields{Body: &big}); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Text error = %v, want the body size limit", err)
	}
}

// testPNG draws a signature-like stroke pattern or a seal-like ring.
func testPNG(t testing.TB, w, h int, c color.NRGBA, ring bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x-w/2)/float64(w/2), float64(y-h/2)/float64(h/2)
			r := dx*dx + dy*dy
			var on bool
			if ring {
				on = r < 1 && r > 0.8
			} else {
				on = (y-h/2)*(y-h/2) < 16 || (x+y)%40 < 4
			}
			if on {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
