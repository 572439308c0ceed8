package docparse

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const vietSample = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. " +
	"Ủy ban nhân dân tỉnh Quảng Trị đề nghị các xã, phường tăng cường tuyên truyền phòng, chống dịch; " +
	"người dân được hướng dẫn cài đặt ứng dụng trên điện thoại. Nguyễn Thị Hương, Phạm Văn Lực, Đỗ Minh Trí."

// reverseTCVN3 encodes with the inverse of the decoder's table; capitals
// with tone marks use the lowercase code, as .VnTimeH documents do.
func reverseTCVN3(t *testing.T, s string) []byte {
	t.Helper()
	inv := map[rune]byte{}
	for b := 0xa0; b <= 0xff; b++ {
		if r := tcvn3Table[b]; r >= 0x100 || strings.ContainsRune(tcvn3Letters, r) {
			inv[r] = byte(b)
		}
	}
	var out []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case inv[r] != 0:
			out = append(out, inv[r])
		case inv[[]rune(strings.ToLower(string(r)))[0]] != 0:
			out = append(out, inv[[]rune(strings.ToLower(string(r)))[0]])
		default:
			t.Fatalf("cannot encode %q in TCVN3", r)
		}
	}
	return out
}

// reverseVNI encodes with the inverse of the decoder's tables.
func reverseVNI(t *testing.T, s string) []byte {
	t.Helper()
	inv := map[rune][]byte{}
	for k, r := range vniPairs {
		inv[r] = []byte{byte(k >> 8), byte(k)}
	}
	for b, r := range vniSingles {
		if _, ok := inv[r]; !ok || r == 'ơ' || r == 'ư' || r == 'Ơ' || r == 'Ư' {
			inv[r] = []byte{b}
		}
	}
	var out []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case inv[r] != nil:
			out = append(out, inv[r]...)
		default:
			t.Fatalf("cannot encode %q in VNI", r)
		}
	}
	return out
}

func TestTCVN3TableIsConsistent(t *testing.T) {
	if n := utf8.RuneCountInString(tcvn3Letters); n != len(tcvn3Codes) {
		t.Fatalf("%d letters for %d codes", n, len(tcvn3Codes))
	}
	seen := map[byte]bool{}
	for i := 0; i < len(tcvn3Codes); i++ {
		if seen[tcvn3Codes[i]] {
			t.Fatalf("code %#x used twice", tcvn3Codes[i])
		}
		seen[tcvn3Codes[i]] = true
	}
}

// TestKnownMojibake decodes byte strings as they appear in real legacy
// documents (read as Windows-1252 they show the well-known mojibake).
func TestKnownMojibake(t *testing.T) {
	cases := []struct {
		raw  []byte
		want string
		warn string
	}{
		// "Céng hoµ x· héi chñ nghÜa ViÖt Nam" / "§éc lËp - Tù do - H¹nh phóc"
		{[]byte("C\xe9ng ho\xb5 x\xb7 h\xe9i ch\xf1 ngh\xdca Vi\xd6t Nam\n\xa7\xe9c l\xcbp - T\xf9 do - H\xb9nh ph\xf3c\nNinh B\xd7nh, M\xad\xeang Kh\xad\xacng"),
			"Cộng hoà xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nNinh Bình, Mường Khương", warnFromTCVN3},
		// "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam" / "Ñoäc laäp - Töï do - Haïnh phuùc"
		{[]byte("Co\xe4ng ho\xf8a xa\xf5 ho\xe4i chu\xfb ngh\xf3a Vie\xe4t Nam\n\xd1o\xe4c la\xe4p - T\xf6\xef do - Ha\xefnh phu\xf9c"),
			"Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc", warnFromVNI},
	}
	for _, tc := range cases {
		got, warnings, err := decodeText(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("decoded %q, want %q", got, tc.want)
		}
		if len(warnings) != 1 || warnings[0] != tc.warn {
			t.Errorf("warnings = %q, want [%q]", warnings, tc.warn)
		}
	}
}

func TestLegacyRoundTrip(t *testing.T) {
	got, w, err := decodeText(reverseTCVN3(t, vietSample))
	if err != nil || got != vietSample || len(w) != 1 || w[0] != warnFromTCVN3 {
		t.Errorf("TCVN3: got %q %q %v", got, w, err)
	}
	got, w, err = decodeText(reverseVNI(t, vietSample))
	if err != nil || got != vietSample || len(w) != 1 || w[0] != warnFromVNI {
		t.Errorf("VNI: got %q %q %v", got, w, err)
	}
}

// TestTCVN3RestoresCapitals: header lines typed with the .VnTimeH font.
func TestTCVN3RestoresCapitals(t *testing.T) {
	src := "UBND TỈNH QUẢNG TRỊ\nSỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH\nVề việc Kế hoạch của Sở.\n- Ủy ban nhân dân các xã."
	got, _, err := decodeText(reverseTCVN3(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if got != src {
		t.Errorf("got %q, want %q", got, src)
	}
}

func TestUnicodeForms(t *testing.T) {
	nfd := norm.NFD.String(vietSample)
	cases := []struct {
		name string
		raw  []byte
		warn []string
	}{
		{"utf8 nfc", []byte(vietSample), nil},
		{"utf8 nfd", []byte(nfd), []string{warnNFD}},
		{"utf8 bom", append([]byte{0xef, 0xbb, 0xbf}, vietSample...), nil},
		{"utf16le bom", utf16Bytes(vietSample, false, true), []string{warnFromUTF16LE}},
		{"utf16be bom", utf16Bytes(vietSample, true, true), []string{warnFromUTF16BE}},
		{"utf16le no bom", utf16Bytes(vietSample, false, false), []string{warnFromUTF16LE}},
		{"utf16be nfd", utf16Bytes(nfd, true, true), []string{warnFromUTF16BE, warnNFD}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, warnings, err := decodeText(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got != vietSample {
				t.Errorf("got %q", got)
			}
			if strings.Join(warnings, "|") != strings.Join(tc.warn, "|") {
				t.Errorf("warnings = %q, want %q", warnings, tc.warn)
			}
		})
	}
}

func utf16Bytes(s string, be, bom bool) []byte {
	var buf bytes.Buffer
	if bom {
		if be {
			buf.Write([]byte{0xfe, 0xff})
		} else {
			buf.Write([]byte{0xff, 0xfe})
		}
	}
	for _, r := range s {
		var units []uint16
		if r >= 0x10000 {
			r -= 0x10000
			units = []uint16{uint16(0xd800 + r>>10), uint16(0xdc00 + r&0x3ff)}
		} else {
			units = []uint16{uint16(r)}
		}
		for _, u := range units {
			if be {
				buf.Write([]byte{byte(u >> 8), byte(u)})
			} else {
				buf.Write([]byte{byte(u), byte(u >> 8)})
			}
		}
	}
	return buf.Bytes()
}

// TestMojibakeSavedAsUTF8: TCVN3 text that a tool read as Windows-1252
// and saved as UTF-8 is repaired; genuine UTF-8 Vietnamese is untouched.
func TestMojibakeSavedAsUTF8(t *testing.T) {
	moji := "Céng hoµ x· héi chñ nghÜa ViÖt Nam. §éc lËp - Tù do - H¹nh phóc. Ninh B×nh"
	got, warnings, err := decodeText([]byte(moji))
	if err != nil {
		t.Fatal(err)
	}
	if got != "Cộng hoà xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. Ninh Bình" {
		t.Errorf("got %q", got)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], warnMojibake) {
		t.Errorf("warnings = %q", warnings)
	}
	// French text with Latin-1 letters stays as it is.
	fr := "Élève à l'école, garçon déçu."
	if got, w, _ := decodeText([]byte(fr)); got != fr || len(w) != 0 {
		t.Errorf("French text changed: %q %q", got, w)
	}
}

func TestVietSyllable(t *testing.T) {
	for _, w := range []string{"nghiêng", "việt", "khuyến", "người", "gì", "quốc", "tuyên", "truyền", "ủy", "hòa", "hoà", "đường", "oanh", "khuya"} {
		if !isVietSyllable(w) {
			t.Errorf("%q should be a syllable", w)
		}
	}
	for _, w := range []string{"viöt", "vieọt", "xãa", "hé×", "ngh×", "ñy"} {
		if isVietSyllable(w) {
			t.Errorf("%q should not be a syllable", w)
		}
	}
}

// TestCorpusLegacyFilesDecode: the legacy-encoded corpus files decode to
// text that contains their header words.
func TestCorpusLegacyFilesDecode(t *testing.T) {
	for name, want := range map[string]string{
		"31-tcvn3-cv-35-UBND-DaiHiep.txt":       "UBND XÃ ĐẠI HIỆP",
		"32-tcvn3-qd-210-SVHTTDL-QuangNam.txt":  "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
		"33-vni-cv-289-STTTT-TienGiang.txt":     "Tiền Giang, ngày 10 tháng 4 năm 2017",
		"34-vni-tb-37-BTGHU-ChauThanh.txt":      "ĐẢNG CỘNG SẢN VIỆT NAM",
		"35-nfd-kh-143-UBND-VinhChau.txt":       "UBND THỊ XÃ VĨNH CHÂU",
		"36-utf16le-bc-77-STTTT-LamDong.txt":    "Lâm Đồng",
		"37-utf16be-gm-12-UBND-TanHiep.txt":     "GIẤY MỜI",
		"38-bomcrlf-tb-19-TTVHTTTT-ChauDuc.txt": "Châu Đức",
	} {
		data := readCorpusFile(t, name)
		text, _, err := Extract(context.Background(), data, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(text, want) {
			t.Errorf("%s: decoded text lacks %q", name, want)
		}
	}
}
