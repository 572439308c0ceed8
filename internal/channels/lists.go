package channels

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Limits of subscriber lists.
const (
	MaxListName         = 120
	MaxSubscribersBatch = 10000
	maxShortText        = 200
)

// ListInput creates a subscriber list of a unit.
type ListInput struct {
	UnitID      int64  `json:"unit_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// SubscriberInput adds a phone to a list. ConsentSource records how the
// citizen agreed (a signed form, an SMS "DK", a meeting …) and is
// required; ConsentAt defaults to now.
type SubscriberInput struct {
	Phone         string     `json:"phone"`
	Name          string     `json:"name"`
	ConsentSource string     `json:"consent_source"`
	ConsentAt     *time.Time `json:"consent_at,omitempty"`
}

// AddResult says what adding subscribers did.
type AddResult struct {
	Added   int `json:"added"`
	Renewed int `json:"renewed"`
	// OptedOut lists numbers that refused messages (by SMS or through an
	// operator) and were not added: only the citizen can opt in again.
	OptedOut []string `json:"opted_out"`
}

// shortText checks a one-line text field.
func shortText(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", model.Invalid(field, "required")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.ContainsAny(s, "\x00\r\n") {
		return "", model.Invalid(field, "use one line of at most %d characters", max)
	}
	return s, nil
}

// CreateList creates a subscriber list of a unit.
func (s ListOps) CreateList(ctx context.Context, a model.Actor, in ListInput) (*model.ChannelList, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID, "unit_id")
	if err != nil {
		return nil, err
	}
	name, err := shortText("name", in.Name, true, MaxListName)
	if err != nil {
		return nil, err
	}
	desc, err := shortText("description", in.Description, false, 1000)
	if err != nil {
		return nil, err
	}
	l := &model.ChannelList{UnitID: unit.ID, Name: name, Description: desc, CreatedBy: a.Username}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Channels().InsertChannelList(ctx, l); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "channels.list.create", "channel_list", fmt.Sprint(l.ID), fmt.Sprintf("unit=%s name=%q", unit.Code, name))
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Lists returns a unit's subscriber lists.
func (s ListOps) Lists(ctx context.Context, a model.Actor, unitID int64) ([]*model.ChannelList, error) {
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID, "unit_id"); err != nil {
		return nil, err
	}
	return s.store.Channels().ChannelListsOfUnit(ctx, unitID)
}

// listFor loads a list and checks an action on its unit.
func (s ListOps) listFor(ctx context.Context, a model.Actor, action authz.Action, listID int64) (*model.ChannelList, *model.Unit, error) {
	l, err := s.store.Channels().ChannelList(ctx, listID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.Orgs().Unit(ctx, l.UnitID)
	if err != nil {
		return nil, nil, err
	}
	return l, u, s.can(a, action, u)
}

// Subscribers lists the subscribers of a list (at most limit).
func (s ListOps) Subscribers(ctx context.Context, a model.Actor, listID int64, limit int) ([]*model.Subscriber, error) {
	if _, _, err := s.listFor(ctx, a, authz.BroadcastRead, listID); err != nil {
		return nil, err
	}
	return s.store.Channels().Subscribers(ctx, listID, limit)
}

// AddSubscribers adds phones to a list (or renews their consent). The
// whole batch is refused when one entry is invalid; numbers that opted
// out are left out and reported.
func (s ListOps) AddSubscribers(ctx context.Context, a model.Actor, listID int64, in []SubscriberInput) (*AddResult, error) {
	l, _, err := s.listFor(ctx, a, authz.BroadcastWrite, listID)
	if err != nil {
		return nil, err
	}
	subs, err := s.checkSubscribers(in)
	if err != nil {
		return nil, err
	}
	phones := make([]string, len(subs))
	for i, sub := range subs {
		sub.ListID, sub.CreatedBy = l.ID, a.Username
		phones[i] = sub.Phone
	}
	res := &AddResult{OptedOut: []string{}}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		*res = AddResult{OptedOut: []string{}}
		return s.addSubscribers(ctx, tx, a, l, subs, phones, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s ListOps) addSubscribers(ctx context.Context, tx *storage.Tx, a model.Actor, l *model.ChannelList, subs []*model.Subscriber, phones []string, res *AddResult) error {
	out, err := tx.Channels().OptedOutPhones(ctx, phones)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if out[sub.Phone] {
			res.OptedOut = append(res.OptedOut, sub.Phone)
			continue
		}
		added, err := tx.Channels().UpsertSubscriber(ctx, sub)
		if err != nil {
			return err
		}
		if added {
			res.Added++
		} else {
			res.Renewed++
		}
	}
	return tx.Audit().AppendAudit(ctx, a, "channels.subscribers.add", "channel_list", fmt.Sprint(l.ID),
		fmt.Sprintf("added=%d renewed=%d opted_out=%d", res.Added, res.Renewed, len(res.OptedOut)))
}

// checkSubscribers validates a batch, naming the first bad entry.
func (s ListOps) checkSubscribers(in []SubscriberInput) ([]*model.Subscriber, error) {
	if len(in) == 0 || len(in) > MaxSubscribersBatch {
		return nil, model.Invalid("subscribers", "give 1-%d subscribers per request", MaxSubscribersBatch)
	}
	seen := map[string]bool{}
	out := make([]*model.Subscriber, 0, len(in))
	now := s.now()
	for i, x := range in {
		field := fmt.Sprintf("subscribers[%d]", i)
		phone, err := NormalizePhone(x.Phone)
		if err != nil {
			return nil, model.Invalid(field+".phone", "%v", err)
		}
		name, err := shortText(field+".name", x.Name, false, maxShortText)
		if err != nil {
			return nil, err
		}
		src, err := shortText(field+".consent_source", x.ConsentSource, true, maxShortText)
		if err != nil {
			return nil, model.Invalid(field+".consent_source", "say how the citizen agreed to receive messages (e.g. \"phiếu đăng ký 12/2025\"), in one line of at most %d characters", maxShortText)
		}
		at := now
		if x.ConsentAt != nil {
			if x.ConsentAt.After(now.Add(time.Hour)) {
				return nil, model.Invalid(field+".consent_at", "the consent date is in the future")
			}
			at = *x.ConsentAt
		}
		if seen[phone] {
			continue
		}
		seen[phone] = true
		out = append(out, &model.Subscriber{Phone: phone, Name: name, ConsentSource: src, ConsentAt: at})
	}
	return out, nil
}

// RemoveSubscriber takes a phone off a list.
func (s ListOps) RemoveSubscriber(ctx context.Context, a model.Actor, listID int64, phone string) error {
	l, _, err := s.listFor(ctx, a, authz.BroadcastWrite, listID)
	if err != nil {
		return err
	}
	p, err := NormalizePhone(phone)
	if err != nil {
		return model.Invalid("phone", "%v", err)
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Channels().DeleteSubscriber(ctx, l.ID, p); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "channels.subscribers.remove", "channel_list", fmt.Sprint(l.ID), maskPhone(p))
	})
}
