package channels

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizePhone(t *testing.T) {
	ok := map[string]string{
		"0912345678":          "+84912345678",
		"091 234 5678":        "+84912345678",
		"0912.345.678":        "+84912345678",
		"+84912345678":        "+84912345678",
		"+84 (0) 912-345-678": "+84912345678",
		"84912345678":         "+84912345678",
		"840912345678":        "+84912345678",
		"0353334444":          "+84353334444",
		"0707123456":          "+84707123456",
		"0868123456":          "+84868123456",
		"0598123456":          "+84598123456",
	}
	for in, want := range ok {
		got, err := NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "12345", "01234567890", "0212345678", "02973812345", "+1 202 555 0100", "09123456789", "091234567",
		"0912a45678", "0912345678;DROP", "+8491234567", "++84912345678", "0012345678", strings.Repeat("9", 40)} {
		if got, err := NormalizePhone(bad); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", bad, got)
		} else if !strings.Contains(err.Error(), "phone number") {
			t.Errorf("NormalizePhone(%q): error %q does not say what is wrong", bad, err)
		}
	}
	if NationalPhone("+84912345678") != "0912345678" {
		t.Error("NationalPhone")
	}
	if m := maskPhone("+84912345678"); m != "+84912***678" {
		t.Errorf("maskPhone = %q", m)
	}
}

func TestCleanText(t *testing.T) {
	// Decomposed (NFD) Vietnamese becomes precomposed; controls go away.
	in := norm.NFD.String("  Tiêm vắc xin\r\nphòng Covid-19\x07\t!  ")
	got, err := cleanText("text", in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Tiêm vắc xin\nphòng Covid-19 !"; got != want || !norm.NFC.IsNormalString(got) {
		t.Fatalf("cleanText = %q, want %q", got, want)
	}
	for _, bad := range []string{"", "   \n\t ", "\xff\xfe bad", strings.Repeat("a", maxInputBytes+1)} {
		if _, err := cleanText("text", bad); err == nil {
			t.Errorf("cleanText(%.20q) accepted", bad)
		}
	}
}

func TestSplitText(t *testing.T) {
	short := "Ngày 04/6/2021: thực hiện nghiêm 5K."
	parts, err := splitText(short, 70, 1)
	if err != nil || len(parts) != 1 || parts[0] != short {
		t.Fatalf("short text: %q, %v", parts, err)
	}
	long := "Đề nghị người dân thực hiện nghiêm thông điệp 5K kết hợp vắc xin; tiêm vắc xin phòng Covid-19 theo thứ tự ưu tiên; ủng hộ Quỹ vắc xin phòng Covid-19 của Việt Nam."
	if _, err := splitText(long, 70, 1); err == nil || !strings.Contains(err.Error(), "at most 70") {
		t.Fatalf("long text with one part allowed: %v", err)
	}
	parts, err = splitText(long, 70, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Fatalf("%d parts: %q", len(parts), parts)
	}
	var rebuilt []string
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > 70 {
			t.Errorf("part %d has %d characters: %q", i+1, n, p)
		}
		prefix := partPrefix(i+1, len(parts))
		if !strings.HasPrefix(p, prefix) {
			t.Errorf("part %d %q lacks prefix %q", i+1, p, prefix)
		}
		rebuilt = append(rebuilt, strings.TrimPrefix(p, prefix))
	}
	if got := strings.Join(rebuilt, " "); got != long {
		t.Errorf("parts do not rebuild the text:\n%q\n%q", got, long)
	}
	if _, err := splitText(long, 70, 2); err == nil {
		t.Error("text needing 3 parts accepted with 2")
	}
	// A word longer than a part is cut.
	parts, err = splitText(strings.Repeat("ư", 150), 70, 3)
	if err != nil || len(parts) != 3 {
		t.Fatalf("unbroken text: %q, %v", parts, err)
	}
}

func TestEvidenceChecks(t *testing.T) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	good := []struct {
		name string
		data []byte
		mime string
	}{{"anh-bang-tin.PNG", pngBuf.Bytes(), "image/png"}, {"anh.webp", webp, "image/webp"}, {"bao-cao.pdf", pdf, "application/pdf"}, {`C:\Users\a\ảnh chụp.png`, pngBuf.Bytes(), "image/png"}}
	for _, g := range good {
		ft, name, err := checkFile("f", g.name, g.data)
		if err != nil || ft.mime != g.mime || strings.ContainsAny(name, `/\`) {
			t.Errorf("checkFile(%q) = %v %q, %v", g.name, ft.mime, name, err)
		}
	}
	bad := []struct {
		name string
		data []byte
		why  string
	}{
		{"anh.jpg", []byte("just some text pretending to be a photo"), "not a JPEG"},
		{"anh.jpg", pngBuf.Bytes(), "named"},
		{"bao-cao.pdf", pngBuf.Bytes(), "named"},
		{"anh.png", pngBuf.Bytes()[:20], "damaged"},
		{"anh.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, "damaged"},
		{"anh.png", nil, "empty"},
		{"", pdf, "name"},
		{"a\x00.pdf", pdf, "name"},
	}
	for _, b := range bad {
		if _, _, err := checkFile("f", b.name, b.data); err == nil || !strings.Contains(err.Error(), b.why) {
			t.Errorf("checkFile(%q, %d bytes) = %v, want an error about %q", b.name, len(b.data), err, b.why)
		}
	}
}

func TestCheckLink(t *testing.T) {
	for _, ok := range []string{"https://baokiengiang.vn/xa-hoi/tiem-vac-xin-123.html", "http://kgtv.vn/video?id=5", "https://www.facebook.com/dtt.vinhthanhvan/posts/1"} {
		if _, err := checkLink("l", ok); err != nil {
			t.Errorf("checkLink(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "not a url", "javascript:alert(1)", "ftp://example.vn/a", "https://user:pw@example.vn/", "http://127.0.0.1/x",
		"http://192.168.1.10/a", "http://localhost/a", "http://intranet/a", "https://example.vn/a b", "mailto:a@b.vn", "https://" + strings.Repeat("a", MaxURLLen)} {
		if _, err := checkLink("l", bad); err == nil {
			t.Errorf("checkLink(%q) accepted", bad)
		}
	}
}

func TestKeywords(t *testing.T) {
	out := DefaultOptOutKeywords
	for _, yes := range []string{"TU CHOI", "từ chối", "Từ Chối!", "TỪ CHỐI nhận tin", "tuchoi", "stop", "HUY DK"} {
		if !matchKeyword(foldKeyword(yes), out) {
			t.Errorf("%q is not an opt-out", yes)
		}
	}
	for _, no := range []string{"", "Tôi muốn hỏi về tiêm chủng", "STOPPED", "tu", "HUYEN"} {
		if matchKeyword(foldKeyword(no), out) {
			t.Errorf("%q taken for an opt-out", no)
		}
	}
	if !matchKeyword(foldKeyword("Đồng ý"), DefaultOptInKeywords) {
		t.Error("Đồng ý is not an opt-in")
	}
}
