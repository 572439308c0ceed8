package demo

import (
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/schedule"
)

// The seed scenario's documents: 355/TTCS-TTTH of the Cục Thông tin cơ
// sở (3 June 2021) and the Sở's implementing letter 570/STTTT-TTBCBC (4
// June 2021, shared/samples). The demo dataset and the tests build them
// from here.

// Seed355Content is the content of 355/TTCS-TTTH addressed to the given
// provincial departments.
func Seed355Content(recipients []directives.Recipient) directives.Content {
	c := directives.Content{
		DocType:    "Công văn",
		Subject:    "Đẩy mạnh tuyên truyền về phòng, chống Covid-19",
		Place:      "Hà Nội",
		Recipients: recipients,
		Intro:      "Thực hiện chỉ đạo của Bộ Thông tin và Truyền thông về công tác thông tin, tuyên truyền phòng, chống dịch Covid-19, Cục Thông tin cơ sở đề nghị Sở Thông tin và Truyền thông các tỉnh, thành phố trực thuộc Trung ương chỉ đạo hệ thống thông tin cơ sở trên địa bàn thực hiện một số nội dung sau:",
		Items: []directives.Item{
			{Label: "1", Text: "Tuyên truyền trách nhiệm của mỗi cá nhân, cơ quan, đơn vị, tổ chức trong thực hiện phòng, chống dịch theo phương châm “5K + vắc xin”."},
			{Label: "2", Text: "Thông tin về sự cần thiết của việc tiêm vắc xin và thứ tự ưu tiên tiêm vắc xin."},
			{Label: "3", Text: "Vận động các tổ chức, cá nhân đóng góp cho Quỹ vắc xin phòng, chống Covid-19."},
		},
		Closing:          "Cục Thông tin cơ sở đề nghị các Sở Thông tin và Truyền thông quan tâm, phối hợp thực hiện./.",
		Distribution:     []docmodel.Distribution{{Name: "Bộ trưởng", Purpose: docmodel.Str("để b/c")}},
		Archive:          []string{"VT", "TTTH"},
		Deadline:         "2021-06-30",
		SigningAuthority: "KT. CỤC TRƯỞNG",
		SignerTitle:      "PHÓ CỤC TRƯỞNG",
	}
	c.Normalize()
	return c
}

// SeedItems are the three content items of 570/STTTT-TTBCBC, each a
// priority broadcast twice a day from 5 to 20 June 2021; audio (sha256 of
// uploaded files, the materials of 576) goes with the third.
func SeedItems(audio []string) []directives.Item {
	spec := func(a []string) *directives.BroadcastSpec {
		return &directives.BroadcastSpec{Level: schedule.LevelPriority, StartDate: "2021-06-05", EndDate: "2021-06-20", TimesPerDay: 2, Audio: a}
	}
	return []directives.Item{
		{Label: "1", Text: "Tuyên truyền trách nhiệm mỗi cá nhân, cơ quan, đơn vị, tổ chức thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ để chủ động chống dịch, sản xuất kinh doanh an toàn, đảm bảo thực hiện thắng lợi mục tiêu kép.", Broadcast: spec(nil)},
		{Label: "2", Text: "Tiếp tục thông tin, tuyên truyền về sự cần thiết phải tiêm vắc xin, tổ chức thực hiện tiêm vắc xin theo thứ tự ưu tiên một cách hợp lý, hiệu quả, trước hết ưu tiên cho các lực lượng tuyến đầu và các địa bàn trọng điểm về dịch Covid-19 để người dân hiểu, tự giác và tích cực tham gia.", Broadcast: spec(nil)},
		{Label: "3", Text: "Tiếp tục thông tin, tuyên truyền, kêu gọi, vận động cơ quan, đơn vị, tổ chức, doanh nghiệp và cá nhân trong và ngoài nước đóng góp cho Quỹ vắc xin phòng, chống Covid-19 Việt Nam (file âm thanh và tài liệu tuyên truyền tuyên truyền đã được gửi kèm Công văn số 576/STTTT-TTBCBC ngày 04/6/2021).", Broadcast: spec(audio)},
	}
}

// SeedRecipients are the addressees of 570: the newspaper, the radio/TV
// station, the e-portal and the district People's Committees (a group),
// b/c to the provincial People's Committee, copies to the district
// culture centres (a group); labels as the letter prints them.
func SeedRecipients(newspaper, radio, portal, districtsGroup, province, centresGroup int64) []directives.Recipient {
	return []directives.Recipient{
		{UnitID: newspaper, Role: directives.RoleMain},
		{UnitID: radio, Role: directives.RoleMain},
		{UnitID: portal, Role: directives.RoleMain, Label: "Cổng Thông tin điện tử tỉnh"},
		{GroupID: districtsGroup, Role: directives.RoleMain, Label: "Thường trực Ủy ban nhân dân các huyện, thành phố"},
		{UnitID: province, Role: directives.RoleReport, Label: "UBND tỉnh"},
		// The letter names the group as a whole here (a group without a
		// label prints as its member agencies).
		{GroupID: centresGroup, Role: directives.RoleCopy, Label: "Trung tâm VH, TT và TT các huyện, thành phố"},
	}
}

// Seed570Content completes a draft implementing 355 (whose first intro
// paragraph and reference Implement pre-filled) into the seed letter.
func Seed570Content(prefilled directives.Content, recipients []directives.Recipient, audio []string, signer int64) directives.Content {
	c := prefilled
	c.DocType = "Công văn"
	c.Subject = "Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19"
	c.Recipients = recipients
	c.Intro = prefilled.Intro + "\n" + "Sở Thông tin và Truyền thông đề nghị Báo Kiên Giang; Đài Phát thanh và Truyền hình Kiên Giang; Cổng Thông tin điện tử tỉnh; Thường trực Ủy ban nhân dân các huyện, thành phố chỉ đạo hệ thống thông tin cơ sở tiếp tục đẩy mạnh công tác thông tin, tuyên truyền về phòng, chống dịch Covid-19 để người dân hiểu, tin tưởng vào công cuộc chống dịch của Đảng, Chính phủ, cùng vào cuộc thực hiện tốt công tác phòng, chống dịch Covid-19 với nội dung cụ thể sau:"
	c.Items = SeedItems(audio)
	c.Closing = "Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị, địa phương thực hiện tốt nội dung theo yêu cầu trên./."
	c.References = append(append([]docmodel.Reference{}, prefilled.References...), docmodel.Reference{DocType: docmodel.Str("Công văn"),
		Number: docmodel.Str("576"), Notation: docmodel.Str("STTTT-TTBCBC"), Date: docmodel.Str("2021-06-04"), Text: "Công văn số 576/STTTT-TTBCBC ngày 04/6/2021"})
	c.Archive = []string{"VT", "TTBCBC"}
	c.Deadline = "2021-06-20"
	c.SignerUserID = signer
	c.Normalize()
	return c
}
