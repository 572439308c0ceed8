package channels

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/textfold"
)

// Inbound actions.
const (
	InboundOptOut = "opt_out"
	InboundOptIn  = "opt_in"
	InboundNone   = "none" // not a keyword: nothing changed
)

// InboundResult says what an inbound message did.
type InboundResult struct {
	Phone   string `json:"phone"`
	Action  string `json:"action"`
	Changed bool   `json:"changed"` // false when the phone was already in that state
}

// foldKeyword folds a text for keyword matching: upper case, no
// diacritics (đ as D), punctuation as spaces, single spaces.
func foldKeyword(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, textfold.Fold(s))
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}

// matchKeyword reports whether the folded text is one of the keywords or
// starts with one followed by a space.
func matchKeyword(folded string, keywords []string) bool {
	for _, k := range keywords {
		k = foldKeyword(k)
		if k != "" && (folded == k || strings.HasPrefix(folded, k+" ")) {
			return true
		}
	}
	return false
}

// Inbound handles a message a citizen sent to the service's number: an
// opt-out keyword ("TU CHOI", "TỪ CHỐI", "STOP" …) stops every message to
// the number, an opt-in keyword ("DONG Y", "START") lifts that; anything
// else changes nothing.
func (s ListOps) Inbound(ctx context.Context, from, text string, at time.Time) (*InboundResult, error) {
	phone, err := NormalizePhone(from)
	if err != nil {
		return nil, model.Invalid("from", "%v", err)
	}
	if len(text) > maxInputBytes {
		return nil, model.Invalid("text", "the message is %d bytes: too long", len(text))
	}
	if at.IsZero() || at.After(s.now().Add(24*time.Hour)) {
		at = s.now()
	}
	folded := foldKeyword(text)
	res := &InboundResult{Phone: phone, Action: InboundNone}
	switch {
	case matchKeyword(folded, s.cfg.OptOutKeywords):
		res.Action = InboundOptOut
	case matchKeyword(folded, s.cfg.OptInKeywords):
		res.Action = InboundOptIn
	default:
		return res, nil
	}
	res.Changed, err = s.setOptOut(ctx, model.System("channels-inbound"), phone, res.Action == InboundOptOut, "sms:"+s.cfg.Channel, at)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// OptOut records, for an operator, that a citizen refused messages (by
// phone call, in person …); source says how.
func (s ListOps) OptOut(ctx context.Context, a model.Actor, phone, source string) (bool, error) {
	if !s.policy.Can(a, authz.BroadcastWrite, a.UnitPath) {
		return false, model.ErrForbidden
	}
	p, err := NormalizePhone(phone)
	if err != nil {
		return false, model.Invalid("phone", "%v", err)
	}
	src, err := shortText("source", source, true, maxShortText)
	if err != nil {
		return false, model.Invalid("source", "say how the citizen refused (e.g. \"gọi điện 12/3\")")
	}
	return s.setOptOut(ctx, a, p, true, "operator: "+src, s.now())
}

func (s ListOps) setOptOut(ctx context.Context, a model.Actor, phone string, out bool, source string, at time.Time) (bool, error) {
	var changed bool
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		var err error
		action := "channels.optout"
		if out {
			changed, err = tx.Channels().OptOutPhone(ctx, phone, source, at)
		} else {
			action = "channels.optin"
			changed, err = tx.Channels().OptInPhone(ctx, phone, at)
		}
		if err != nil || !changed {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, action, "phone", maskPhone(phone), source)
	})
	if err == nil && changed {
		s.log.Info("subscription changed", "phone", maskPhone(phone), "opted_out", out, "source", source)
	}
	return changed, err
}
