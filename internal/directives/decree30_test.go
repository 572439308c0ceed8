package directives

import (
	"errors"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

func TestCheckDecree30(t *testing.T) {
	s := docmodel.Str
	good := func() *docmodel.Fields {
		return &docmodel.Fields{Issuer: s("SỞ THÔNG TIN VÀ TRUYỀN THÔNG"), DocType: s("Công văn"), Number: s("570"), Notation: s("STTTT-TTBCBC"),
			Place: s("Kiên Giang"), Date: s("2021-06-04"), Subject: s("Đẩy mạnh tuyên truyền"), SigningAuthority: s("KT. GIÁM ĐỐC"),
			SignerTitle: s("PHÓ GIÁM ĐỐC"), SignerName: s("Lâm Văn Sơn"), Recipients: []string{"Báo Kiên Giang"}}
	}
	if err := CheckDecree30(good(), "2021-06-04", "2021-06-04"); err != nil {
		t.Fatalf("a complete letter is refused: %v", err)
	}
	cat := i18n.Messages()
	for _, tc := range []struct {
		name        string
		change      func(f *docmodel.Fields)
		date, field string
		vi          string
	}{
		{"no place", func(f *docmodel.Fields) { f.Place = nil }, "2021-06-04", "place", "Thiếu địa danh"},
		{"future date", func(f *docmodel.Fields) {}, "2021-06-05", "date", "ngày trong tương lai"},
		{"no title above the signer", func(f *docmodel.Fields) { f.SigningAuthority, f.SignerTitle = nil, nil }, "2021-06-04", "signer_title", "chức vụ người ký"},
		{"authority without title", func(f *docmodel.Fields) { f.SignerTitle = nil }, "2021-06-04", "signer_title", "dưới dòng “KT. GIÁM ĐỐC”"},
		{"no number", func(f *docmodel.Fields) { f.Number = nil }, "2021-06-04", "number", "số, ký hiệu"},
		{"no subject", func(f *docmodel.Fields) { f.Subject = s("") }, "2021-06-04", "subject", "trích yếu"},
		{"no recipients", func(f *docmodel.Fields) { f.Recipients = nil }, "2021-06-04", "recipients", "nơi nhận"},
		{"no signer", func(f *docmodel.Fields) { f.SignerName = nil }, "2021-06-04", "signer", "họ tên người ký"},
	} {
		f := good()
		tc.change(f)
		err := CheckDecree30(f, tc.date, "2021-06-04")
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a validation error", tc.name, err)
			continue
		}
		texts := cat.Texts(i18n.VI, err)
		found := false
		for _, p := range i18n.Problems(err) {
			var pv *model.ValidationError
			if errors.As(p.Err, &pv) && pv.Field == tc.field {
				found = true
			}
		}
		if !found || !strings.Contains(strings.ToLower(strings.Join(texts, " ")), strings.ToLower(tc.vi)) {
			t.Errorf("%s: problems %v (field %s wanted), Vietnamese %q lacks %q", tc.name, i18n.Problems(err), tc.field, texts, tc.vi)
		}
	}
}
