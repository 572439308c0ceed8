package tts

import (
	"strings"
	"testing"
)

// The expected readings below were written by hand, before the engine
// was run on them. Sources: testdata/bulletin-sources.md.
var realBulletins = []struct{ source, in, want string }{
	{"hcm-2718", "Ngày 15/8, UBND TPHCM đã có Công văn khẩn số 2718/ UBND - VX gửi Thủ trưởng các Sở, ban, ngành",
		"Ngày mười lăm tháng tám, Ủy ban nhân dân Thành phố Hồ Chí Minh đã có Công văn khẩn số hai nghìn bảy trăm mười tám, Ủy ban nhân dân, văn xã gửi Thủ trưởng các Sở, ban, ngành"},
	{"hcm-2718", "theo tinh thần Chỉ thị số 16/CT-TTg ngày 31/3/2020 của Thủ tướng Chính phủ từ 0 giờ ngày 16/8 đến hết ngày 15/9 năm 2021",
		"theo tinh thần Chỉ thị số mười sáu, chỉ thị, Thủ tướng ngày ba mươi mốt tháng ba năm hai nghìn không trăm hai mươi của Thủ tướng Chính phủ từ không giờ ngày mười sáu tháng tám đến hết ngày mười lăm tháng chín năm hai nghìn không trăm hai mươi mốt"},
	{"byt-hotline", "Bộ Y tế đã bổ sung thêm một tổng đài đường dây nóng 1900 9095 để tư vấn",
		"Bộ Y tế đã bổ sung thêm một tổng đài đường dây nóng một chín không không, chín không chín năm để tư vấn"},
	{"byt-hotline", "Về số lượng cuộc gọi, tính từ 07:00 - 15:00, ngày 2-2, có tổng cộng 5.511 cuộc gọi đến, kết nối thành công 95,1%.",
		"Về số lượng cuộc gọi, tính từ bảy giờ đến mười lăm giờ, ngày hai tháng hai, có tổng cộng năm nghìn năm trăm mười một cuộc gọi đến, kết nối thành công chín mươi lăm phẩy một phần trăm."},
	{"5k", "nếu nơi nào tập trung đông người, không tuân thủ các quy định phòng chống dịch, người dân không thực hiện 5K… thì nơi đó nguy cơ lây lan dịch rất lớn.",
		"nếu nơi nào tập trung đông người, không tuân thủ các quy định phòng chống dịch, người dân không thực hiện năm ca… thì nơi đó nguy cơ lây lan dịch rất lớn."},
	{"5k", "trong dịp nghỉ lễ dài ngày sắp tới (30/4-1/5)",
		"trong dịp nghỉ lễ dài ngày sắp tới (ba mươi tháng tư đến một tháng năm)"},
	{"sxh-hanoi", "đẩy mạnh việc tuyên truyền chỉ đạo công tác phòng chống dịch sốt xuất huyết (SXH) trên địa bàn.",
		"đẩy mạnh việc tuyên truyền chỉ đạo công tác phòng chống dịch sốt xuất huyết (sốt xuất huyết) trên địa bàn."},
	{"bacninh", "Từ ngày 10 - 12/10, TP Bắc Ninh ghi nhận 10 ca mắc COVID-19 ở phường Phong Khê và phường Võ Cường.",
		"Từ ngày mười đến mười hai tháng mười, thành phố Bắc Ninh ghi nhận mười ca mắc Cô vít mười chín ở phường Phong Khê và phường Võ Cường."},
	{"byt-19003228", "Từ 0h ngày 1/2/2020, đường dây nóng 19003228 tiếp nhận thông tin về dịch corona của Bộ Y tế sẽ miễn phí cước.",
		"Từ không giờ ngày một tháng hai năm hai nghìn không trăm hai mươi, đường dây nóng một chín không không, ba hai hai tám tiếp nhận thông tin về dịch corona của Bộ Y tế sẽ miễn phí cước."},
	{"byt-19003228", "Trước đó, số đường dây nóng này được Bộ Y tế thu phí 5.000 đồng/phút",
		"Trước đó, số đường dây nóng này được Bộ Y tế thu phí năm nghìn đồng một phút"},
	{"chauthanh-lich", "7 giờ 30’, cùng Đ/c Bí thư Huyện ủy khảo sát các điểm sạt lở",
		"bảy giờ ba mươi phút, cùng đồng chí Bí thư Huyện ủy khảo sát các điểm sạt lở"},
	{"chauthanh-lich", "họp Ban Chỉ đạo các chương trình mục tiêu quốc gia giai đoạn 2016 - 2020, điểm tại phòng họp số 3 UBND tỉnh.",
		"họp Ban Chỉ đạo các chương trình mục tiêu quốc gia giai đoạn hai nghìn không trăm mười sáu đến hai nghìn không trăm hai mươi, điểm tại phòng họp số ba Ủy ban nhân dân tỉnh."},
	{"chauthanh-lich", "điểm tại Hội trường II - UBND huyện (LĐVP: Đ/c Chiến).",
		"điểm tại Hội trường hai - Ủy ban nhân dân huyện (e lờ đê vê pê: đồng chí Chiến)."},
	{"dongnai-hdnd", "Chiều 16-5, Thường trực HĐND tỉnh tổ chức hội nghị thống nhất nội dung, chương trình chuẩn bị kỳ họp thứ 6, HĐND tỉnh khóa IX.",
		"Chiều mười sáu tháng năm, Thường trực Hội đồng nhân dân tỉnh tổ chức hội nghị thống nhất nội dung, chương trình chuẩn bị kỳ họp thứ sáu, Hội đồng nhân dân tỉnh khóa chín."},
	{"chiminh", "Hướng dẫn số 13-HD/BTGDVTU ngày 06/8/2025 của Ban Tuyên giáo và Dân vận Thành ủy",
		"Hướng dẫn số mười ba, hướng dẫn, bê tê giê dê vê tê u ngày sáu tháng tám năm hai nghìn không trăm hai mươi lăm của Ban Tuyên giáo và Dân vận Thành ủy"},
	{"chiminh", "vào 07 giờ 30 phút, ngày 29/10/2025 tại hội trường UBND xã Chí Minh; Thường trực Đảng ủy, HĐND, UBND xã",
		"vào bảy giờ ba mươi phút, ngày hai mươi chín tháng mười năm hai nghìn không trăm hai mươi lăm tại hội trường Ủy ban nhân dân xã Chí Minh; Thường trực Đảng ủy, Hội đồng nhân dân, Ủy ban nhân dân xã"},
	{"hanoi-6h", "Từ 6h ngày 14/10, UBND Hà Nội cho phép cơ quan, công sở, tổ chức, doanh nghiệp trở lại hoạt động bình thường",
		"Từ sáu giờ ngày mười bốn tháng mười, Ủy ban nhân dân Hà Nội cho phép cơ quan, công sở, tổ chức, doanh nghiệp trở lại hoạt động bình thường"},
	{"cv570", "Số: 570/STTTT-TTBCBC",
		"Số năm trăm bảy mươi, Sở Thông tin và Truyền thông, tê tê bê xê bê xê"},
	{"cv570", "Thực hiện Công văn số 355/TTCS-TTTH ngày 03/6/2021 của Cục Thông tin cơ sở về việc đẩy mạnh tuyên truyền về phòng, chống Covid-19.",
		"Thực hiện Công văn số ba trăm năm mươi lăm, Thông tin cơ sở, Thông tin tổng hợp ngày ba tháng sáu năm hai nghìn không trăm hai mươi mốt của Cục Thông tin cơ sở về việc đẩy mạnh tuyên truyền về phòng, chống Cô vít mười chín."},
	{"cv570", "thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ",
		"thực hiện phòng, chống Cô vít mười chín theo phương châm năm ca cộng vắc xin và kết hợp giải pháp công nghệ"},
	{"cv570", "gửi kèm Công văn số 576/STTTT-TTBCBC ngày 04/6/2021). Sở Thông tin và Truyền thông đề nghị các cơ quan thực hiện tốt nội dung theo yêu cầu trên./.",
		"gửi kèm Công văn số năm trăm bảy mươi sáu, Sở Thông tin và Truyền thông, tê tê bê xê bê xê ngày bốn tháng sáu năm hai nghìn không trăm hai mươi mốt). Sở Thông tin và Truyền thông đề nghị các cơ quan thực hiện tốt nội dung theo yêu cầu trên."},
	// Constructed in the style of a commune bulletin, for the forms the
	// quoted sentences do not cover (money, percentages, mobile numbers,
	// Roman numerals after "quý" and "lần thứ").
	{"constructed", "Đúng 14h30 ngày 05/6/2021, Đ/c Phó Chủ tịch UBND xã trao 120 suất quà, mỗi suất 500.000đ, tổng trị giá 60 triệu đồng; 33,3% hộ nghèo đã được hỗ trợ 1,5 tỷ đồng. Liên hệ SĐT 0912345678 hoặc 0297 3862 123.",
		"Đúng mười bốn giờ ba mươi phút ngày năm tháng sáu năm hai nghìn không trăm hai mươi mốt, đồng chí Phó Chủ tịch Ủy ban nhân dân xã trao một trăm hai mươi suất quà, mỗi suất năm trăm nghìn đồng, tổng trị giá sáu mươi triệu đồng; ba mươi ba phẩy ba phần trăm hộ nghèo đã được hỗ trợ một phẩy năm tỷ đồng. Liên hệ số điện thoại không chín một hai, ba bốn năm, sáu bảy tám hoặc không hai chín bảy, ba tám sáu hai, một hai ba."},
	{"constructed", "Quý III năm 2024, thực hiện Nghị quyết Đại hội Đảng toàn quốc lần thứ XIII, từ 14h-16h tại HCM.",
		"Quý ba năm hai nghìn không trăm hai mươi bốn, thực hiện Nghị quyết Đại hội Đảng toàn quốc lần thứ mười ba, từ mười bốn giờ đến mười sáu giờ tại Hồ Chí Minh."},
}

func TestPronouncerRealBulletins(t *testing.T) {
	p := NewPronouncer(DefaultRules())
	for _, c := range realBulletins {
		if got := p.Apply(c.in); got != c.want {
			t.Errorf("[%s] Apply(%q)\n got  %q\n want %q", c.source, c.in, got, c.want)
		}
	}
}

// A unit's dictionary adds terms and overrides national ones; its terms
// also read the parts of document codes.
func TestPronouncerUnitDictionary(t *testing.T) {
	unit := []Rule{
		{Term: "TTBCBC", Say: "phòng Thông tin, Báo chí, Bưu chính"},
		{Term: "LĐVP", Say: "lãnh đạo Văn phòng"},
		{Term: "SXH", Say: "bệnh sốt xuất huyết"},
		{Term: "", Say: "ignored"},
	}
	p := NewPronouncer(DefaultRules(), unit)
	cases := map[string]string{
		"Số: 570/STTTT-TTBCBC":      "Số năm trăm bảy mươi, Sở Thông tin và Truyền thông, phòng Thông tin, Báo chí, Bưu chính",
		"(LĐVP: Đ/c Chiến)":         "(lãnh đạo Văn phòng: đồng chí Chiến)",
		"phòng, chống SXH tại xã":   "phòng, chống bệnh sốt xuất huyết tại xã",
		"Phòng TTBCBC báo cáo":      "Phòng phòng Thông tin, Báo chí, Bưu chính báo cáo",
		"SXHD không phải từ điển":   "ét ích hát dê không phải từ điển",
		"UBNDX và HĐND tỉnh":        "UBNDX và Hội đồng nhân dân tỉnh",
		"TP. Rạch Giá":              "thành phố Rạch Giá",
		"Công văn 355 (03/06/2021)": "Công văn ba trăm năm mươi lăm (ngày ba tháng sáu năm hai nghìn không trăm hai mươi mốt)",
	}
	for in, want := range cases {
		if got := p.Apply(in); got != want {
			t.Errorf("Apply(%q)\n got  %q\n want %q", in, got, want)
		}
	}
	// Without the unit's layer the national reading applies.
	if got := NewPronouncer(DefaultRules()).Apply("chống SXH"); got != "chống sốt xuất huyết" {
		t.Errorf("national SXH = %q", got)
	}
}

func TestNumberWords(t *testing.T) {
	cases := map[string]string{
		"0": "không", "5": "năm", "10": "mười", "11": "mười một", "15": "mười lăm", "21": "hai mươi mốt",
		"24": "hai mươi bốn", "25": "hai mươi lăm", "100": "một trăm", "105": "một trăm linh năm", "110": "một trăm mười",
		"1000": "một nghìn", "1005": "một nghìn không trăm linh năm", "2021": "hai nghìn không trăm hai mươi mốt",
		"1500000": "một triệu năm trăm nghìn", "1000500": "một triệu năm trăm", "2000000000": "hai tỷ",
		"1000000005": "một tỷ không trăm linh năm", "007": "bảy", "1234567890123": "một hai ba bốn năm sáu bảy tám chín không một hai ba",
	}
	for in, want := range cases {
		if got := NumberWords(in); got != want {
			t.Errorf("NumberWords(%s) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"95,1": "chín mươi lăm phẩy một", "0,05": "không phẩy không năm", "1.500.000": "một triệu năm trăm nghìn"} {
		if got := decimalWords(in); got != want {
			t.Errorf("decimalWords(%s) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]int{"IX": 9, "XIII": 13, "IV": 4, "MMXXI": 2021} {
		if got, ok := romanValue(in); !ok || got != want {
			t.Errorf("romanValue(%s) = %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"IIII", "VX", "x", "ABC", ""} {
		if _, ok := romanValue(bad); ok {
			t.Errorf("romanValue(%q) accepted", bad)
		}
	}
}

// Apply never panics and keeps text without numbers or abbreviations.
func TestPronouncerPlainTextUnchanged(t *testing.T) {
	p := NewPronouncer(DefaultRules())
	plain := "Người dân cần chủ động phòng, chống dịch bệnh; giữ vệ sinh nơi ở."
	if got := p.Apply(plain); got != plain {
		t.Errorf("plain text changed: %q", got)
	}
	for _, s := range []string{"", "/", "-", "1/", "/2", "99:99", "31/13/2021", "25h70", strings.Repeat("9", 40), "Đ", "h30"} {
		_ = p.Apply(s)
	}
}
