package textfold

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Quỹ vắc xin phòng, chống Covid-19": "quy vac xin phong, chong covid-19",
		"ĐÀI TRUYỀN THANH xã Hòn Nghệ":      "dai truyen thanh xa hon nghe",
		"Ủy ban nhân dân":                   "uy ban nhan dan",
		"Thường trực":                       "thuong truc",
		"570/STTTT-TTBCBC":                  "570/stttt-ttbcbc",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
