package i18n_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/i18n"
)

var errBase = errors.New("forbidden")

func TestLocalisedErrors(t *testing.T) {
	c := i18n.Messages()
	if missing := c.Missing(); len(missing) > 0 {
		t.Fatalf("keys without a language: %v", missing)
	}
	base := fmt.Errorf("broadcast order 7 was issued by %q: %w", "UBND thành phố Rạch Giá", errBase)
	err := fmt.Errorf("cancel: %w", i18n.Localise(base, "bcsvc.order_read_only", "UBND thành phố Rạch Giá"))
	if !errors.Is(err, errBase) || !strings.Contains(err.Error(), "was issued by") {
		t.Fatalf("the localised error hides what it wraps: %v", err)
	}
	vi, ok := c.Message(i18n.VI, err)
	if !ok || vi != "Lệnh phát này do UBND thành phố Rạch Giá phát lệnh: đơn vị bạn chỉ theo dõi, không được sửa hay hủy. Cần thay đổi, hãy liên hệ UBND thành phố Rạch Giá." {
		t.Fatalf("Vietnamese: %q %v", vi, ok)
	}
	if en, _ := c.Message(i18n.EN, err); !strings.HasPrefix(en, "This order was issued by UBND thành phố Rạch Giá:") {
		t.Fatalf("English: %q", en)
	}
	if _, ok := c.Message(i18n.VI, base); ok {
		t.Fatal("a plain error has a message")
	}
	if _, ok := c.Message(i18n.VI, i18n.Localise(base, "no.such.key")); ok {
		t.Fatal("an unknown key has a message")
	}
	if i18n.Localise(nil, "bcsvc.title") != nil {
		t.Fatal("Localise(nil) is not nil")
	}
	// A message that uses none of the arguments is shown as it is.
	list := &i18n.Errors{Err: base, Parts: []*i18n.Error{
		{Key: "sched.empty", Args: []any{"order its identifier"}, Err: base},
		{Key: "sched.end_before_start", Args: []any{"07/06/2021", "09/06/2021"}, Err: base},
	}}
	got := c.Texts(i18n.VI, fmt.Errorf("create: %w", list))
	want := []string{"Còn trống: hãy điền vào.", "Ngày kết thúc 07/06/2021 trước ngày bắt đầu 09/06/2021: hãy chọn ngày kết thúc từ ngày bắt đầu trở đi."}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("texts %q, want %q", got, want)
	}
	for _, text := range got {
		if strings.Contains(text, "%!") {
			t.Fatalf("bad formatting: %q", text)
		}
	}
}
