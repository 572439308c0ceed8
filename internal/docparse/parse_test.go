package docparse

import (
	"slices"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"golang.org/x/text/unicode/norm"
)

// letter builds a small letter around the given header lines and body.
func letter(header, body, closing string) string {
	if closing == "" {
		closing = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nGIÁM ĐỐC\n\nNguyễn Văn An\n"
	}
	return header + "\n\nKính gửi: Sở Y tế.\n\n" + body + "\n\n" + closing
}

const stdHeader = "UBND TỈNH KIÊN GIANG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n%s\nV/v thử nghiệm\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n%s"

func testHeader(number, date string) string {
	return strings.Replace(strings.Replace(stdHeader, "%s", number, 1), "%s", date, 1)
}

func val(p *string) string { return docmodel.Val(p) }

func TestNumberForms(t *testing.T) {
	cases := []struct{ line, number, notation string }{
		{"Số: 570/STTTT-TTBCBC", "570", "STTTT-TTBCBC"},
		{"Số:570/STTTT-TTBCBC", "570", "STTTT-TTBCBC"},
		{"Số : 570 /STTTT-TTBCBC", "570", "STTTT-TTBCBC"},
		{"Số: 45/2021/QĐ-UBND", "45", "2021/QĐ-UBND"},
		{"Số 05-CT/TW", "05", "CT/TW"},
		{"Số: 125 / UBND - VX", "125", "UBND-VX"},
		{"SỐ: 12/TTr-UBND", "12", "TTr-UBND"},
	}
	for _, tc := range cases {
		f := Parse(letter(testHeader(tc.line, "Kiên Giang, ngày 04 tháng 6 năm 2021"), "Nội dung.", ""))
		if val(f.Number) != tc.number || val(f.Notation) != tc.notation {
			t.Errorf("%q: number %q notation %q, want %q %q", tc.line, val(f.Number), val(f.Notation), tc.number, tc.notation)
		}
	}
	f := Parse(letter(testHeader("", "Kiên Giang, ngày 04 tháng 6 năm 2021"), "Nội dung.", ""))
	if f.Number != nil || f.Notation != nil || !contains(f.Warnings, warnNoNumber) {
		t.Errorf("missing number: %v %v %q", f.Number, f.Notation, f.Warnings)
	}
}

func TestDateForms(t *testing.T) {
	cases := []struct{ line, place, date string }{
		{"Kiên Giang, ngày 04 tháng 6 năm 2021", "Kiên Giang", "2021-06-04"},
		{"Kiên Giang, ngày  4  tháng 06 năm 2021", "Kiên Giang", "2021-06-04"},
		{"Hà Nội, 04/6/2021", "Hà Nội", "2021-06-04"},
		{"Hà Nội, 4-6-2021", "Hà Nội", "2021-06-04"},
		{"TP. Hồ Chí Minh, ngày 15 tháng 01 năm 2024", "TP. Hồ Chí Minh", "2024-01-15"},
		{"Thành phố Huế, ngày 15 tháng 01 năm 2024", "Thành phố Huế", "2024-01-15"},
	}
	for _, tc := range cases {
		f := Parse(letter(testHeader("Số: 1/UBND", tc.line), "Nội dung.", ""))
		if val(f.Place) != tc.place || val(f.Date) != tc.date {
			t.Errorf("%q: place %q date %q, want %q %q", tc.line, val(f.Place), val(f.Date), tc.place, tc.date)
		}
	}
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 31 tháng 02 năm 2021"), "Nội dung.", ""))
	if f.Date != nil || val(f.Place) != "Hà Nội" || !hasPrefix(f.Warnings, "date not parsed") {
		t.Errorf("invalid date: %v %q %q", f.Date, val(f.Place), f.Warnings)
	}
}

func TestIssuerLines(t *testing.T) {
	cases := []struct {
		lines          string
		parent, issuer string
	}{
		{"UBND TỈNH KIÊN GIANG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG", "UBND TỈNH KIÊN GIANG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ", "", "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"},
		{"BỘ THÔNG TIN\nVÀ TRUYỀN THÔNG", "", "BỘ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"HỘI ĐỒNG NHÂN DÂN\nHUYỆN CAM LỘ", "", "HỘI ĐỒNG NHÂN DÂN HUYỆN CAM LỘ"},
		{"UBND TỈNH QUẢNG NAM\nSỞ THÔNG TIN VÀ\nTRUYỀN THÔNG", "UBND TỈNH QUẢNG NAM", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"ĐẢNG BỘ TỈNH QUẢNG TRỊ\nHUYỆN ỦY CAM LỘ\n*", "ĐẢNG BỘ TỈNH QUẢNG TRỊ", "HUYỆN ỦY CAM LỘ"},
		{"ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSỞ Y TẾ", "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", "SỞ Y TẾ"},
	}
	for _, tc := range cases {
		text := tc.lines + "\n\nSố: 1/UBND\nV/v thử\n\nHà Nội, ngày 01 tháng 01 năm 2024\n\nKính gửi: Sở Y tế.\n\nNội dung./."
		f := Parse(text)
		if val(f.ParentIssuer) != tc.parent || val(f.Issuer) != tc.issuer {
			t.Errorf("%q: parent %q issuer %q", tc.lines, val(f.ParentIssuer), val(f.Issuer))
		}
	}
	f := Parse("BỘ Y TẾ\nCỤC Y TẾ DỰ PHÒNG\nTRUNG TÂM TRUYỀN THÔNG\n\nSố: 1/TTTT\nV/v thử\n\nHà Nội, ngày 01 tháng 01 năm 2024\n\nKính gửi: Sở Y tế.\n")
	if val(f.Issuer) != "TRUNG TÂM TRUYỀN THÔNG" || !hasPrefix(f.Warnings, "more than two agency lines") {
		t.Errorf("three levels: %q %q", val(f.Issuer), f.Warnings)
	}
}

// TestLayoutHeader: pdftotext -layout puts both header columns on one
// line, separated by spaces.
func TestLayoutHeader(t *testing.T) {
	text := "" +
		"   UBND TỈNH KIÊN GIANG               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" +
		"SỞ THÔNG TIN VÀ TRUYỀN THÔNG                Độc lập - Tự do - Hạnh phúc\n" +
		"    Số: 570/STTTT-TTBCBC              Kiên Giang, ngày 04 tháng 6 năm 2021\n" +
		"V/v Đẩy mạnh thông tin, tuyên truyền về\n" +
		"       phòng, chống Covid-19\n\n" +
		"        Kính gửi: Báo Kiên Giang.\n\n" +
		"     Thực hiện Công văn số 355/TTCS-TTTH ngày 03/6/2021 của Cục Thông tin\n" +
		"cơ sở về việc đẩy mạnh tuyên truyền./.\n\n" +
		"Nơi nhận:                                      KT. GIÁM ĐỐC\n" +
		"- Như trên;                                    PHÓ GIÁM ĐỐC\n" +
		"- Trung tâm VH, TT và TT các huyện,\n" +
		"  thành phố;\n" +
		"- Lưu: VT, TTBCBC.\n\n" +
		"                                              Lâm Văn Sơn\n"
	f := Parse(text)
	checks := map[string]string{
		"parent": val(f.ParentIssuer), "issuer": val(f.Issuer), "number": val(f.Number), "date": val(f.Date),
		"subject": val(f.Subject), "authority": val(f.SigningAuthority), "title": val(f.SignerTitle), "name": val(f.SignerName),
	}
	want := map[string]string{
		"parent": "UBND TỈNH KIÊN GIANG", "issuer": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "number": "570", "date": "2021-06-04",
		"subject": "Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19", "authority": "KT. GIÁM ĐỐC",
		"title": "PHÓ GIÁM ĐỐC", "name": "Lâm Văn Sơn",
	}
	for k, w := range want {
		if checks[k] != w {
			t.Errorf("%s = %q, want %q", k, checks[k], w)
		}
	}
	if len(f.Distribution) != 2 || f.Distribution[1].Name != "Trung tâm VH, TT và TT các huyện, thành phố" {
		t.Errorf("distribution = %+v", f.Distribution)
	}
	if len(f.References) != 1 || val(f.References[0].Issuer) != "Cục Thông tin cơ sở" {
		t.Errorf("references = %+v", f.References)
	}
}

func TestMarksOnlyFromHeader(t *testing.T) {
	head := "UBND TỈNH A\nSỞ B\n\nTUYỆT MẬT\n\nSố: 1/SB\nV/v thử\nTHƯỢNG KHẨN\n\nHà Nội, ngày 01 tháng 01 năm 2024"
	f := Parse(letter(head, "Đề nghị khẩn trương thực hiện, giữ bí mật. MẬT\nKHẨN", ""))
	if val(f.Urgency) != "THƯỢNG KHẨN" || val(f.Confidentiality) != "TUYỆT MẬT" {
		t.Errorf("marks %q %q", val(f.Urgency), val(f.Confidentiality))
	}
	f = Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Đề nghị khẩn trương.\n\nMẬT\n\nKHẨN", ""))
	if f.Urgency != nil || f.Confidentiality != nil {
		t.Errorf("marks taken from the body: %q %q", val(f.Urgency), val(f.Confidentiality))
	}
	if f.Issuer == nil || strings.Contains(val(f.Issuer), "MẬT") {
		t.Errorf("issuer %q", val(f.Issuer))
	}
}

func TestRecipientForms(t *testing.T) {
	cases := []struct {
		block string
		want  []string
	}{
		{"Kính gửi: Sở Y tế; Sở Tài chính; Công an tỉnh.", []string{"Sở Y tế", "Sở Tài chính", "Công an tỉnh"}},
		{"Kính gửi: Sở Y tế, Sở Tài chính, Công an tỉnh.", []string{"Sở Y tế", "Sở Tài chính", "Công an tỉnh"}},
		{"Kính gửi: UBND các huyện, thị xã, thành phố.", []string{"UBND các huyện, thị xã, thành phố"}},
		{"Kính gửi: Sở Văn hóa, Thể thao và Du lịch.", []string{"Sở Văn hóa, Thể thao và Du lịch"}},
		{"Kính gửi:\n\n- Báo Kiên Giang;\n- Đài Phát thanh và\nTruyền hình tỉnh;\n- Các huyện, thành phố.", []string{"Báo Kiên Giang", "Đài Phát thanh và Truyền hình tỉnh", "Các huyện, thành phố"}},
		{"KÍNH GỬI: - Báo A; - Báo B.", []string{"Báo A", "Báo B"}},
	}
	for _, tc := range cases {
		text := testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024") + "\n\n" + tc.block + "\n\nThực hiện chỉ đạo của tỉnh./.\n"
		f := Parse(text)
		if strings.Join(f.Recipients, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: recipients %q, want %q", tc.block, f.Recipients, tc.want)
		}
		if f.Body == nil || !strings.HasPrefix(*f.Body, "Thực hiện") {
			t.Errorf("%q: body %q", tc.block, val(f.Body))
		}
	}
}

func TestSigningForms(t *testing.T) {
	cases := []struct{ closing, authority, title, name string }{
		{"KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nNguyễn Văn A", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A"},
		{"TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\nLê Thị Bình", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Thị Bình"},
		{"TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n\nĐã ký\n\nTrần Văn Cường", "TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Trần Văn Cường"},
		{"TUQ. CHỦ TỊCH\nGIÁM ĐỐC SỞ THÔNG TIN\nVÀ TRUYỀN THÔNG\n\nPhạm Minh Đức", "TUQ. CHỦ TỊCH", "GIÁM ĐỐC SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Phạm Minh Đức"},
		{"Q. GIÁM ĐỐC\n\nVõ Văn Em", "Q. GIÁM ĐỐC", "", "Võ Văn Em"},
		{"GIÁM ĐỐC\n\nĐỗ Thị Gấm", "", "GIÁM ĐỐC", "Đỗ Thị Gấm"},
		{"T/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nHồ Văn Hải", "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Hồ Văn Hải"},
		{"KT. CHỈ HUY TRƯỞNG\nPHÓ CHỈ HUY TRƯỞNG\n\nThượng tá Lò Văn Khánh", "KT. CHỈ HUY TRƯỞNG", "PHÓ CHỈ HUY TRƯỞNG", "Lò Văn Khánh"},
	}
	for _, tc := range cases {
		f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Nội dung./.", "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"+tc.closing))
		if val(f.SigningAuthority) != tc.authority || val(f.SignerTitle) != tc.title || val(f.SignerName) != tc.name {
			t.Errorf("%q: got %q / %q / %q", tc.closing, val(f.SigningAuthority), val(f.SignerTitle), val(f.SignerName))
		}
	}
	// Signature block above "Nơi nhận", without "./.".
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Nội dung.", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn A\n\nNơi nhận:\n- Như trên;\n- Lưu: VT."))
	if val(f.SignerName) != "Nguyễn Văn A" || len(f.Distribution) != 1 || val(f.Body) != "Nội dung." {
		t.Errorf("signature first: %q %+v %q", val(f.SignerName), f.Distribution, val(f.Body))
	}
}

func TestDistributionAndArchive(t *testing.T) {
	closing := "Nơi nhận:\n- Như trên;\n- UBND tỉnh (B/C);\n- Sở Y tế (để biết);\n- Cục Kiểm tra VBQPPL (Bộ Tư pháp);\n- Các xã (đ/b);\n- Lưu: VT, P.TTBC, (02b).\n\nGIÁM ĐỐC\n\nNguyễn Văn An"
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Nội dung./.", closing))
	want := []docmodel.Distribution{{Name: "Như trên"}, {Name: "UBND tỉnh", Purpose: docmodel.Str("b/c")},
		{Name: "Sở Y tế", Purpose: docmodel.Str("để biết")}, {Name: "Cục Kiểm tra VBQPPL (Bộ Tư pháp)"},
		{Name: "Các xã", Purpose: docmodel.Str("đ/b")}}
	if len(f.Distribution) != len(want) {
		t.Fatalf("distribution = %+v", f.Distribution)
	}
	for i, w := range want {
		g := f.Distribution[i]
		if g.Name != w.Name || val(g.Purpose) != val(w.Purpose) {
			t.Errorf("[%d] = %q/%q, want %q/%q", i, g.Name, val(g.Purpose), w.Name, val(w.Purpose))
		}
	}
	if strings.Join(f.Archive, "|") != "VT|P.TTBC|(02b)" {
		t.Errorf("archive = %q", f.Archive)
	}
	for _, line := range []string{"Lưu VT", "- Lưu VT.", "Lưu: VT"} {
		f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Nội dung./.", "Nơi nhận:\n- Như trên;\n"+line+"\n\nGIÁM ĐỐC\n\nLưu Văn Bình"))
		if strings.Join(f.Archive, "|") != "VT" || val(f.SignerName) != "Lưu Văn Bình" {
			t.Errorf("%q: archive %q name %q", line, f.Archive, val(f.SignerName))
		}
	}
}

func TestReferences(t *testing.T) {
	body := "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n\n" +
		"Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;\n\n" +
		"Thực hiện Kế hoạch số 12/KH-UBND; văn bản số 77/UBND-VX ngày 2/3/2024 của UBND tỉnh; " +
		"Quyết định 135/QĐ-TTg ngày 20/01/2020 của Thủ tướng Chính phủ phê duyệt Đề án; " +
		"nhắc lại Nghị định số 30/2020/NĐ-CP; công văn số 9/SYT-NV (kèm theo)./."
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), body, ""))
	type r struct{ typ, num, not, date, issuer string }
	want := []r{
		{"Nghị định", "30", "2020/NĐ-CP", "2020-03-05", "Chính phủ"},
		{"Kế hoạch", "12", "KH-UBND", "", ""},
		{"", "77", "UBND-VX", "2024-03-02", "UBND tỉnh"},
		{"Quyết định", "135", "QĐ-TTg", "2020-01-20", "Thủ tướng Chính phủ"},
		{"Công văn", "9", "SYT-NV", "", ""},
	}
	if len(f.References) != len(want) {
		t.Fatalf("references = %+v", f.References)
	}
	for i, w := range want {
		g := f.References[i]
		got := r{val(g.DocType), val(g.Number), val(g.Notation), val(g.Date), val(g.Issuer)}
		if got != w {
			t.Errorf("[%d] = %+v, want %+v", i, got, w)
		}
	}
}

// TestReferenceWritingVariants: separators with spaces, "&" in a
// notation, a notation that ends before a spaced dash and a lower-case
// word, dotted dates, "năm2024" run together, and a number without a
// notation after its type word.
func TestReferenceWritingVariants(t *testing.T) {
	body := "Thực hiện Kế hoạch số 12 / KH - UBND ngày 01.02.2024 của UBND tỉnh; " +
		"Công văn số 45/ABĐT-XY&ZĐ ngày 3/4/2024 của Ban Quản lý; " +
		"Công văn số 46/SYT-NV - nội dung đã nêu; " +
		"Báo cáo số 1234 ngày 03 tháng 02 năm2024 của Sở Tài chính./."
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), body, ""))
	type r struct{ typ, num, not, date, issuer string }
	want := []r{
		{"Kế hoạch", "12", "KH-UBND", "2024-02-01", "UBND tỉnh"},
		{"Công văn", "45", "ABĐT-XY&ZĐ", "2024-04-03", "Ban Quản lý"},
		{"Công văn", "46", "SYT-NV", "", ""},
		{"Báo cáo", "1234", "", "2024-02-03", "Sở Tài chính"},
	}
	if len(f.References) != len(want) {
		t.Fatalf("references = %+v", f.References)
	}
	for i, w := range want {
		g := f.References[i]
		got := r{val(g.DocType), val(g.Number), val(g.Notation), val(g.Date), val(g.Issuer)}
		if got != w {
			t.Errorf("[%d] = %+v, want %+v", i, got, w)
		}
	}
}

func TestItemsAndBody(t *testing.T) {
	body := "Nội dung như sau:\n\nI. MỤC ĐÍCH\n\n1. Một dòng\ntiếp tục dòng.\n\n1.1. Tiểu mục.\n\na) Điểm a;\n\n2) Mục hai.\n\n- Gạch đầu dòng.\n\nĐiều 4. Hiệu lực./."
	f := Parse(letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), body, ""))
	want := []docmodel.Item{{Label: "I", Text: "MỤC ĐÍCH"}, {Label: "1", Text: "Một dòng tiếp tục dòng."},
		{Label: "1.1", Text: "Tiểu mục."}, {Label: "a", Text: "Điểm a;"}, {Label: "2", Text: "Mục hai."},
		{Label: "Điều 4", Text: "Hiệu lực./."}}
	if len(f.Items) != len(want) {
		t.Fatalf("items = %+v", f.Items)
	}
	for i := range want {
		if f.Items[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, f.Items[i], want[i])
		}
	}
	if !strings.HasPrefix(val(f.Body), "Nội dung như sau:\nI. MỤC ĐÍCH\n1. Một dòng tiếp tục dòng.") {
		t.Errorf("body = %q", val(f.Body))
	}
}

func TestParseNFDAndGarbage(t *testing.T) {
	src := letter(testHeader("Số: 1/UBND", "Hà Nội, ngày 01 tháng 01 năm 2024"), "Nội dung./.", "")
	f := Parse(norm.NFD.String(src))
	if val(f.Issuer) != "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" || !contains(f.Warnings, warnNFD) {
		t.Errorf("NFD: issuer %q warnings %q", val(f.Issuer), f.Warnings)
	}
	for _, s := range []string{"", "\x00\xff\xfe", "Số:", "Kính gửi:", "Nơi nhận:\n- ", strings.Repeat("|", 1000), "V/v\nQUYẾT ĐỊNH\n"} {
		f := Parse(s)
		if f.Recipients == nil || f.Warnings == nil || f.Items == nil {
			t.Errorf("%q: lists not normalised", s)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasPrefix(list []string, p string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

// TestParseLargeInputs: pathological inputs of a few MiB still parse
// (the package caps its work; a quadratic path would make this test hang).
func TestParseLargeInputs(t *testing.T) {
	inputs := []string{
		strings.Repeat("Số: 1/A Hà Nội, ngày 01 tháng 01 năm 2024 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM ", 40000),
		"Kính gửi: A.\n\n" + strings.Repeat("gửi kèm theo file âm thanh kèm theo Phụ lục I (kèm) ", 60000),
		"Kính gửi: A.\n\nNội dung./.\nNơi nhận:\n- A,\n" + strings.Repeat("tiếp tục\n", 200000),
		strings.Repeat("Công văn số 12/UBND-VX ngày 01/01/2024 của UBND tỉnh và ", 50000),
		strings.Repeat("1. a\n", 300000),
	}
	for i, in := range inputs {
		f := Parse(in)
		if hasPrefix(f.Warnings, "internal parser error") {
			t.Errorf("input %d: %q", i, f.Warnings)
		}
	}
}

func TestTrimSpacedNotation(t *testing.T) {
	for raw, want := range map[string]string{
		"KH-UBND":         "KH-UBND",
		"KH - UBND":       "KH-UBND",
		"KH -UBND / VX":   "KH-UBND/VX",
		"SYT-NV - Sở":     "SYT-NV",
		"QĐ-TTg":          "QĐ-TTg",
		"BC - XYZ&ZĐ":     "BC-XYZ&ZĐ",
		"A -":             "A",
		"A - -":           "A",
		"2020/NĐ-CP":      "2020/NĐ-CP",
		"UBND-VX / 2024a": "UBND-VX",
	} {
		got, n := trimSpacedNotation(raw)
		if got != want || n > len(raw) {
			t.Errorf("trimSpacedNotation(%q) = %q, %d; want %q", raw, got, n, want)
		}
	}
}

// TestRepostAndOldForms: a web re-post whose only identification is the
// portal's title line, with its line breaks kept as literal "\r\n"; rule
// characters glued to header names; an old "K.T." signing line.
func TestRepostAndOldForms(t *testing.T) {
	repost := `Công văn số 123/SNV-TCBC ngày 05/3/2024 V/v tuyển dụng viên chức năm 2024\r\n` +
		`Kính gửi: Các sở, ban, ngành.\r\nSở Nội vụ đề nghị các đơn vị thực hiện.\r\n`
	f := Parse(repost)
	if val(f.DocType) != "Công văn" || val(f.Number) != "123" || val(f.Notation) != "SNV-TCBC" || val(f.Date) != "2024-03-05" ||
		val(f.Subject) != "Tuyển dụng viên chức năm 2024" || len(f.Recipients) != 1 || val(f.Body) != "Sở Nội vụ đề nghị các đơn vị thực hiện." {
		t.Errorf("re-post = %s %s/%s %s %q %q body %q", val(f.DocType), val(f.Number), val(f.Notation), val(f.Date), val(f.Subject), f.Recipients, val(f.Body))
	}
	if !slices.Contains(f.Warnings, warnTitleLine) || !slices.Contains(f.Warnings, warnLiteralBreaks) || slices.Contains(f.Warnings, warnNoNumber) {
		t.Errorf("warnings = %q", f.Warnings)
	}
	old := "UBND TỈNH AN GIANG******\nSỞ NỘI VỤ\n*******\nSố: 123/SNV-TCBC\nAn Giang, ngày 05 tháng 3 năm 2024\n" +
		"V/v tuyển dụng\nKính gửi: Các sở.\nNội dung chính.\nK.T. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn A\n"
	f = Parse(old)
	if val(f.ParentIssuer) != "UBND TỈNH AN GIANG" || val(f.Issuer) != "SỞ NỘI VỤ" || val(f.SigningAuthority) != "K.T. GIÁM ĐỐC" ||
		val(f.SignerTitle) != "PHÓ GIÁM ĐỐC" || val(f.SignerName) != "Nguyễn Văn A" {
		t.Errorf("old form = %q / %q, %q %q %q", val(f.ParentIssuer), val(f.Issuer), val(f.SigningAuthority), val(f.SignerTitle), val(f.SignerName))
	}
}
