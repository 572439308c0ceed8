package render

import (
	"bytes"
	"image/color"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
)

func renderHTML(t *testing.T, f docmodel.Fields, opt Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, f, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLSeed(t *testing.T) {
	out := renderHTML(t, seedFields(t), Options{})
	for _, want := range []string{
		`<article class="loa-doc" lang="vi">`,
		`font-family:"Times New Roman","Liberation Serif",Tinos,Times,serif`,
		`padding:20mm 15mm 20mm 30mm`,
		`width:210mm`,
		`<div class="loa-parent">UBND TỈNH KIÊN GIANG</div>`,
		`<div class="loa-issuer">SỞ THÔNG TIN VÀ TRUYỀN THÔNG</div>`,
		`<div class="loa-number">Số: 570/STTTT-TTBCBC</div>`,
		`<div class="loa-vv">V/v Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19</div>`,
		`<div class="loa-national">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>`,
		`<div class="loa-motto">Độc lập - Tự do - Hạnh phúc</div>`,
		`<div class="loa-date">Kiên Giang, ngày 04 tháng 6 năm 2021</div>`,
		`<div>Kính gửi:</div><ul><li>- Báo Kiên Giang;</li>`,
		`<li>- Thường trực Ủy ban nhân dân các huyện, thành phố.</li></ul>`,
		`<p>Thực hiện Công văn số 355/TTCS-TTTH ngày 03/6/2021 của Cục Thông tin cơ sở về việc đẩy mạnh tuyên truyền về phòng, chống Covid-19.</p>`,
		`<p>1. Tuyên truyền trách nhiệm mỗi cá nhân`,
		`<div class="loa-nn-title">Nơi nhận:</div><ul><li>- Như trên;</li><li>- UBND tỉnh (b/c);</li>`,
		`<li>- Lưu: VT, TTBCBC.</li>`,
		`<div class="loa-sig-name">Lâm Văn Sơn</div>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	body := out[strings.Index(out, "<article"):]
	for _, unwanted := range []string{"<!DOCTYPE", "loa-watermark", "<img", "loa-type"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("HTML fragment unexpectedly contains %s", unwanted)
		}
	}
	// The header must come before the body, the body before the signature.
	order := []string{"loa-issuer", "loa-number", "loa-national", "loa-date", "Kính gửi:", "Thực hiện", "Nơi nhận:", "Lâm Văn Sơn"}
	last := -1
	for _, s := range order {
		i := strings.Index(body, s)
		if i <= last {
			t.Errorf("%q is out of order", s)
		}
		last = i
	}
}

func TestHTMLEscapes(t *testing.T) {
	f := seedFields(t)
	f.Subject = docmodel.Str(`<script>alert("x")</script> & "quotes"`)
	f.Body = docmodel.Str(`<img src=x onerror=alert(1)>`)
	f.Recipients = []string{`<b>bold</b>`}
	out := renderHTML(t, f, Options{})
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img src=x") || strings.Contains(out, "<b>bold") {
		t.Fatal("HTML output contains unescaped markup from the fields")
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "Kính gửi: &lt;b&gt;bold&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks escaped %s", want)
		}
	}
}

func TestHTMLStandaloneDraftImagesAndOtherType(t *testing.T) {
	f := seedFields(t)
	f.DocType = docmodel.Str("Thông báo")
	f.SigningAuthority = docmodel.Str("KT. Giám đốc")
	f.SignerTitle = docmodel.Str("Phó Giám đốc")
	f.Urgency = docmodel.Str("Thượng khẩn")
	opt := Options{
		StandalonePage: true,
		Draft:          true,
		SignatureImage: testPNG(t, 200, 80, color.NRGBA{0, 0, 200, 255}, false),
		SealImage:      testPNG(t, 100, 100, color.NRGBA{200, 0, 0, 255}, true),
	}
	out := renderHTML(t, f, opt)
	for _, want := range []string{
		"<!DOCTYPE html>",
		"<title>570/STTTT-TTBCBC - Thông báo Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19</title>",
		`<div class="loa-watermark" aria-hidden="true">DỰ THẢO</div>`,
		`<div class="loa-type">THÔNG BÁO</div>`,
		`<div class="loa-subject">Đẩy mạnh thông tin`,
		`<span class="loa-mark">THƯỢNG KHẨN</span>`,
		`<div class="loa-sig-upper">KT. GIÁM ĐỐC</div>`,
		`<div class="loa-sig-upper">PHÓ GIÁM ĐỐC</div>`,
		`<img class="loa-sig-img" src="data:image/png;base64,iVBORw0KGgo`,
		`<img class="loa-seal-img" src="data:image/png;base64,iVBORw0KGgo`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if !strings.Contains(renderHTML(t, f, Options{BodyFontSize: 13}), `<article class="loa-doc" lang="vi" style="font-size:13pt">`) {
		t.Error("BodyFontSize 13 is not applied to the HTML")
	}
	if strings.Contains(out, "loa-vv") {
		t.Error("a type other than công văn must not print a V/v line")
	}
}
