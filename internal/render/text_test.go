package render

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
)

// The plain-text layout of the seed fields must reproduce the sample letter
// the parser was written against, except for the two differences a
// renderer legitimately has: the subject is not wrapped, and the motto uses
// the hyphen Decree 30 prescribes where the sample has an en dash.
func TestTextReproducesSeedLetter(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, seedFields(t)); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(seedText)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(raw))
	want = strings.Replace(want, "Độc lập – Tự do – Hạnh phúc", "Độc lập - Tự do - Hạnh phúc", 1)
	want = strings.Replace(want, "tuyên truyền về\nphòng, chống Covid-19", "tuyên truyền về phòng, chống Covid-19", 1)
	got := strings.TrimSpace(b.String())
	if got != want {
		t.Errorf("text layout differs from the sample letter:\n%s", lineDiff(want, got))
	}
	if !strings.HasSuffix(b.String(), "Lâm Văn Sơn\n") {
		t.Error("text must end with the signer's name and a newline")
	}
}

func TestTextOtherTypeAndSigner(t *testing.T) {
	f := docmodel.Fields{
		ParentIssuer:     docmodel.Str("UBND tỉnh Kiên Giang"),
		Issuer:           docmodel.Str("Sở Thông tin và Truyền thông"),
		DocType:          docmodel.Str("Kế hoạch"),
		Number:           docmodel.Str("12"),
		Notation:         docmodel.Str("KH-STTTT"),
		Place:            docmodel.Str("Kiên Giang"),
		Date:             docmodel.Str("2021-02-03"),
		Subject:          docmodel.Str("Tuyên truyền phòng, chống dịch"),
		Urgency:          docmodel.Str("Khẩn"),
		Recipients:       []string{"Báo Kiên Giang"},
		Body:             docmodel.Str("Đoạn một.\r\n\r\nĐoạn hai."),
		SigningAuthority: docmodel.Str("KT. Giám đốc"),
		SignerTitle:      docmodel.Str("Phó Giám đốc"),
		SignerName:       docmodel.Str("Lâm Văn Sơn"),
		Archive:          []string{"VT", "TTBCBC"},
	}
	var b bytes.Buffer
	if err := Text(&b, f); err != nil {
		t.Fatal(err)
	}
	want := `UBND TỈNH KIÊN GIANG
SỞ THÔNG TIN VÀ TRUYỀN THÔNG

Số: 12/KH-STTTT
KHẨN

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Kiên Giang, ngày 03 tháng 02 năm 2021

KẾ HOẠCH
Tuyên truyền phòng, chống dịch

Kính gửi: Báo Kiên Giang

Đoạn một.

Đoạn hai.

Nơi nhận:

- Lưu: VT, TTBCBC.

KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC



Lâm Văn Sơn
`
	if b.String() != want {
		t.Errorf("text layout:\n%s", lineDiff(want, b.String()))
	}
}

// lineDiff shows the first differing line with some context.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s", i+1, w, g)
		}
	}
	return "(identical lines)"
}
