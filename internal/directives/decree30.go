package directives

import (
	"errors"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// Decree 30 (Nghị định 30/2020/NĐ-CP) lists the components every
// administrative document carries. CheckDecree30 checks the laid-out
// fields of a document about to be issued and names every missing or
// wrong component, so that a letter never goes out without its place
// name, with a date in the future, without the title above the signer's
// name, without its number and notation, subject or recipients.

// decree30Problem is one missing or wrong component: the field it is
// about, the English text (API, logs) and the catalogue key of the
// Vietnamese message.
type decree30Problem struct {
	field, en, key string
	args           []any
}

// CheckDecree30 returns nil when the fields have every component Decree
// 30 requires for an issued document dated date (YYYY-MM-DD) on the day
// today (YYYY-MM-DD), or a validation error listing each problem, each
// with a Vietnamese message (i18n.Errors).
func CheckDecree30(f *docmodel.Fields, date, today string) error {
	var ps []decree30Problem
	add := func(field, en, key string, args ...any) {
		ps = append(ps, decree30Problem{field: field, en: en, key: key, args: args})
	}
	if docmodel.Val(f.Issuer) == "" {
		add("issuer", "the issuing agency's name is missing", "d30.issuer")
	}
	if docmodel.Val(f.Number) == "" || docmodel.Val(f.Notation) == "" {
		add("number", "the number and notation (số, ký hiệu) are missing", "d30.number")
	}
	if docmodel.Val(f.Place) == "" {
		add("place", "the place name before the date (địa danh) is missing: set it on the draft or in the unit's settings", "d30.place")
	}
	if date == "" {
		add("date", "the date of issue is missing", "d30.date")
	} else if date > today {
		add("date", fmt.Sprintf("the date of issue %s is in the future (today is %s): recipients would receive it before its date", date, today), "d30.future", i18n.ISODate(date), i18n.ISODate(today))
	}
	if docmodel.Val(f.Subject) == "" {
		add("subject", "the subject (trích yếu nội dung) is missing", "d30.subject")
	}
	if docmodel.Val(f.SignerName) == "" {
		add("signer", "the signer's name is missing: the document is signed by the approver", "d30.signer")
	}
	if docmodel.Val(f.SignerTitle) == "" && docmodel.Val(f.SigningAuthority) == "" {
		add("signer_title", "the signing authority and title above the signer's name are missing (e.g. KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC)", "d30.title")
	}
	if auth := strings.ToUpper(docmodel.Val(f.SigningAuthority)); auth != "" {
		if (strings.HasPrefix(auth, "KT.") || strings.HasPrefix(auth, "TL.") || strings.HasPrefix(auth, "TUQ.") || strings.HasPrefix(auth, "TM.")) && docmodel.Val(f.SignerTitle) == "" {
			add("signer_title", "the signer's title is missing under the signing authority "+auth, "d30.title_under", auth)
		}
	}
	if len(f.Recipients) == 0 && len(f.Distribution) == 0 {
		add("recipients", "the recipients (Kính gửi / Nơi nhận) are missing", "d30.recipients")
	}
	if len(ps) == 0 {
		return nil
	}
	var en []string
	parts := make([]*i18n.Error, 0, len(ps))
	for _, p := range ps {
		en = append(en, p.en)
		parts = append(parts, &i18n.Error{Key: p.key, Args: p.args, Err: model.Invalid(p.field, "%s", p.en)})
	}
	var first *model.ValidationError
	errors.As(parts[0].Err, &first)
	return &i18n.Errors{Err: model.Invalid(first.Field, "the document is not ready to issue (Decree 30): %s", strings.Join(en, "; ")), Parts: parts}
}
