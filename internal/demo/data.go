package demo

// The demo dataset: the situation of the seed letter 570/STTTT-TTBCBC of
// 4 June 2021 (Kiên Giang, before the 2025 reform removed districts).

// district is a district-level unit of Kiên Giang in 2021 with a few of
// its communes/wards.
type district struct {
	code, kind, name string // kind: "huyện" or "thành phố"
	communes         []commune
}

type commune struct {
	code, kind, name string // kind: "xã", "phường" or "thị trấn"
}

func kienGiangDistricts() []district {
	return []district{
		{"rach-gia", "thành phố", "Rạch Giá", []commune{{"vinh-thanh-van", "phường", "Vĩnh Thanh Vân"}, {"vinh-lac", "phường", "Vĩnh Lạc"}, {"an-hoa", "phường", "An Hòa"}}},
		{"ha-tien", "thành phố", "Hà Tiên", []commune{{"dong-ho", "phường", "Đông Hồ"}, {"binh-san", "phường", "Bình San"}, {"thuan-yen", "xã", "Thuận Yên"}}},
		{"phu-quoc", "thành phố", "Phú Quốc", []commune{{"duong-dong", "phường", "Dương Đông"}, {"an-thoi", "phường", "An Thới"}, {"cua-can", "xã", "Cửa Cạn"}}},
		{"kien-luong", "huyện", "Kiên Lương", []commune{{"tt-kien-luong", "thị trấn", "Kiên Lương"}, {"binh-an", "xã", "Bình An"}, {"hon-nghe", "xã", "Hòn Nghệ"}}},
		{"hon-dat", "huyện", "Hòn Đất", []commune{{"tt-hon-dat", "thị trấn", "Hòn Đất"}, {"son-kien", "xã", "Sơn Kiên"}, {"binh-son", "xã", "Bình Sơn"}}},
		{"tan-hiep", "huyện", "Tân Hiệp", []commune{{"tt-tan-hiep", "thị trấn", "Tân Hiệp"}, {"thanh-dong", "xã", "Thạnh Đông"}, {"tan-an", "xã", "Tân An"}}},
		{"chau-thanh", "huyện", "Châu Thành", []commune{{"minh-luong", "thị trấn", "Minh Lương"}, {"mong-tho", "xã", "Mong Thọ"}, {"giuc-tuong", "xã", "Giục Tượng"}}},
		{"giong-rieng", "huyện", "Giồng Riềng", []commune{{"tt-giong-rieng", "thị trấn", "Giồng Riềng"}, {"thanh-hoa", "xã", "Thạnh Hòa"}, {"ngoc-chuc", "xã", "Ngọc Chúc"}}},
		{"go-quao", "huyện", "Gò Quao", []commune{{"tt-go-quao", "thị trấn", "Gò Quao"}, {"vinh-hoa-hung-bac", "xã", "Vĩnh Hòa Hưng Bắc"}, {"dinh-hoa", "xã", "Định Hòa"}}},
		{"an-bien", "huyện", "An Biên", []commune{{"thu-ba", "thị trấn", "Thứ Ba"}, {"dong-thai", "xã", "Đông Thái"}, {"nam-yen", "xã", "Nam Yên"}}},
		{"an-minh", "huyện", "An Minh", []commune{{"thu-muoi-mot", "thị trấn", "Thứ Mười Một"}, {"thuan-hoa", "xã", "Thuận Hòa"}, {"van-khanh", "xã", "Vân Khánh"}}},
		{"vinh-thuan", "huyện", "Vĩnh Thuận", []commune{{"tt-vinh-thuan", "thị trấn", "Vĩnh Thuận"}, {"vinh-binh-bac", "xã", "Vĩnh Bình Bắc"}, {"phong-dong", "xã", "Phong Đông"}}},
		{"u-minh-thuong", "huyện", "U Minh Thượng", []commune{{"thanh-yen", "xã", "Thạnh Yên"}, {"an-minh-bac", "xã", "An Minh Bắc"}, {"minh-thuan", "xã", "Minh Thuận"}}},
		{"giang-thanh", "huyện", "Giang Thành", []commune{{"tan-khanh-hoa", "xã", "Tân Khánh Hòa"}, {"phu-loi", "xã", "Phú Lợi"}, {"vinh-dieu", "xã", "Vĩnh Điều"}}},
		{"kien-hai", "huyện", "Kiên Hải", []commune{{"hon-tre", "xã", "Hòn Tre"}, {"lai-son", "xã", "Lại Sơn"}, {"an-son", "xã", "An Sơn"}}},
	}
}

// Password is the password of every demo user.
const Password = "LoaDemo@2021"

// demoUser is one demo account; unit is a unit code.
type demoUser struct {
	Username, FullName, Title, Unit string
	Roles                           []string
}

func demoUsers() []demoUser {
	return []demoUser{
		{"admin", "Quản trị hệ thống", "Quản trị viên", "ubnd-kg", []string{"admin"}},
		{"vanthu.so", "Nguyễn Thị Thu Hà", "Văn thư", "so-tttt-kg", []string{"clerk", "receiver"}},
		{"chuyenvien.so", "Trần Minh Khoa", "Chuyên viên", "so-tttt-kg-ttbcbc", []string{"drafter", "receiver"}},
		{"lamvanson", "Lâm Văn Sơn", "Phó Giám đốc", "so-tttt-kg", []string{"approver"}},
		{"vanthu.cuc", "Phạm Thị Lan", "Văn thư", "cuc-ttcs", []string{"clerk", "drafter"}},
		{"lanhdao.cuc", "Lê Quang Minh", "Phó Cục trưởng", "cuc-ttcs", []string{"approver"}},
		{"chuyenvien.cuc", "Hoàng Thu Trang", "Chuyên viên", "cuc-ttcs-ttth", []string{"drafter"}},
		{"admin.rachgia", "Võ Thanh Tùng", "Quản trị viên", "ubnd-rach-gia", []string{"admin"}},
		{"vanthu.rachgia", "Đặng Thị Mai", "Văn thư", "ubnd-rach-gia", []string{"clerk", "receiver", "drafter"}},
		{"lanhdao.rachgia", "Huỳnh Văn Phúc", "Phó Chủ tịch", "ubnd-rach-gia", []string{"approver"}},
		{"ttvh.rachgia", "Nguyễn Hoàng Nam", "Viên chức", "ttvh-rach-gia", []string{"receiver", "broadcaster"}},
		{"vanthu.kienluong", "Trương Thị Bích", "Văn thư", "ubnd-kien-luong", []string{"clerk", "receiver", "drafter"}},
		{"phatthanh.vinhthanhvan", "Lê Thị Hồng", "Phát thanh viên", "dtt-vinh-thanh-van", []string{"broadcaster", "receiver"}},
		{"phatthanh.honnghe", "Danh Sóc", "Phát thanh viên", "dtt-hon-nghe", []string{"broadcaster", "receiver"}},
		{"xaphuong.vinhthanhvan", "Phan Văn Lợi", "Công chức Văn hóa - Xã hội", "ubnd-vinh-thanh-van", []string{"receiver", "clerk"}},
		{"xem.baokg", "Mai Anh Tuấn", "Biên tập viên", "bao-kg", []string{"viewer", "receiver"}},
	}
}
