package channels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// MaxListsPerCampaign bounds the lists of one campaign.
const MaxListsPerCampaign = 100

// CampaignInput creates a campaign: a text to phone numbers and/or the
// subscribers of lists, optionally linked to the broadcast order or the
// directive whose content it carries.
type CampaignInput struct {
	UnitID      int64    `json:"unit_id"`
	Text        string   `json:"text"`
	Phones      []string `json:"phones,omitempty"`
	ListIDs     []int64  `json:"list_ids,omitempty"`
	OrderID     int64    `json:"order_id,omitempty"`
	DirectiveID int64    `json:"directive_id,omitempty"`
}

// CampaignView is a campaign with its messages counted by status.
type CampaignView struct {
	*model.Campaign
	Counts map[string]int `json:"counts"`
}

// CreateCampaign validates a campaign and queues one message per
// recipient (and part) in the outbox, in one transaction; the workers
// send them. Invalid input (a bad number, an empty or too long text, a
// list of another unit) refuses the whole campaign and stores nothing.
func (s CampaignOps) CreateCampaign(ctx context.Context, a model.Actor, in CampaignInput) (*CampaignView, error) {
	if s.cfg.Gateway == nil {
		return nil, model.Invalid("channel", "no %s gateway is configured on this server: ask the administrator to set one up", s.cfg.Channel)
	}
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID, "unit_id")
	if err != nil {
		return nil, err
	}
	text, err := cleanText("text", in.Text)
	if err != nil {
		return nil, err
	}
	parts, err := splitText(text, s.cfg.MaxChars, s.cfg.MaxParts)
	if err != nil {
		return nil, err
	}
	if err := s.checkLinks(ctx, a, unit, in.OrderID, in.DirectiveID); err != nil {
		return nil, err
	}
	phones, err := s.recipients(ctx, a, unit, in)
	if err != nil {
		return nil, err
	}
	c := &model.Campaign{UnitID: unit.ID, Channel: s.cfg.Channel, Body: text, Parts: len(parts), OrderID: in.OrderID, DirectiveID: in.DirectiveID,
		Status: model.CampaignSending, CreatedBy: a.Username}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error { return s.insertCampaign(ctx, tx, a, c, phones, parts) })
	if err != nil {
		return nil, err
	}
	s.sender.Wake()
	return s.campaignView(ctx, c)
}

func (s CampaignOps) insertCampaign(ctx context.Context, tx *storage.Tx, a model.Actor, c *model.Campaign, phones, parts []string) error {
	out, err := tx.Channels().OptedOutPhones(ctx, phones)
	if err != nil {
		return err
	}
	send := make([]string, 0, len(phones))
	for _, p := range phones {
		if !out[p] {
			send = append(send, p)
		}
	}
	if len(send) == 0 {
		return model.Invalid("phones", "every recipient opted out of messages: nothing to send")
	}
	c.Recipients, c.Excluded = len(send), len(phones)-len(send)
	if err := tx.Channels().InsertCampaign(ctx, c); err != nil {
		return err
	}
	msgs, err := s.outMessages(c, send, parts)
	if err != nil {
		return err
	}
	if err := tx.Channels().InsertOutMessages(ctx, msgs); err != nil {
		return err
	}
	return tx.Audit().AppendAudit(ctx, a, "channels.campaign.create", "channel_campaign", fmt.Sprint(c.ID),
		fmt.Sprintf("channel=%s recipients=%d excluded=%d parts=%d order=%d directive=%d", c.Channel, c.Recipients, c.Excluded, c.Parts, c.OrderID, c.DirectiveID))
}

func (s CampaignOps) outMessages(c *model.Campaign, phones, parts []string) ([]*model.OutMessage, error) {
	at := s.now()
	msgs := make([]*model.OutMessage, 0, len(phones)*len(parts))
	for _, p := range phones {
		for i, body := range parts {
			ref, err := newClientRef()
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, &model.OutMessage{CampaignID: c.ID, Channel: c.Channel, Phone: p, Part: i + 1, Parts: len(parts), Body: body, ClientRef: ref, NextAt: at})
		}
	}
	return msgs, nil
}

// newClientRef returns a reference unique to one message: "loa" and 20
// hex digits (80 random bits), short enough for providers' limits.
func newClientRef() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("client reference: %w", err)
	}
	return "loa" + hex.EncodeToString(b), nil
}

// checkLinks validates the optional order and directive the campaign
// carries. An order must exist and be visible from the campaign's unit
// (issued above it or readable by the actor).
func (s CampaignOps) checkLinks(ctx context.Context, a model.Actor, unit *model.Unit, orderID, directiveID int64) error {
	if orderID < 0 {
		return model.Invalid("order_id", "give the id of a broadcast order, or leave it out")
	}
	if directiveID < 0 {
		return model.Invalid("directive_id", "give the id of a directive, or leave it out")
	}
	if orderID == 0 {
		return nil
	}
	o, err := s.store.Broadcast().Order(ctx, orderID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("order_id", "broadcast order %d does not exist", orderID)
		}
		return err
	}
	ou, err := s.store.Orgs().Unit(ctx, o.UnitID)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(unit.Path, ou.Path) && !s.policy.Can(a, authz.BroadcastRead, ou.Path) {
		return fmt.Errorf("broadcast order %d of unit %q: %w", orderID, ou.Name, model.ErrForbidden)
	}
	return nil
}

// recipients resolves the explicit phones and the lists' consenting
// subscribers into sorted distinct E.164 numbers.
func (s CampaignOps) recipients(ctx context.Context, a model.Actor, unit *model.Unit, in CampaignInput) ([]string, error) {
	if len(in.Phones) == 0 && len(in.ListIDs) == 0 {
		return nil, model.Invalid("phones", "give phone numbers or subscriber lists to send to")
	}
	if len(in.Phones) > s.cfg.MaxRecipients {
		return nil, model.Invalid("phones", "%d numbers: at most %d per campaign", len(in.Phones), s.cfg.MaxRecipients)
	}
	if len(in.ListIDs) > MaxListsPerCampaign {
		return nil, model.Invalid("list_ids", "%d lists: at most %d per campaign", len(in.ListIDs), MaxListsPerCampaign)
	}
	set := map[string]bool{}
	for i, raw := range in.Phones {
		p, err := NormalizePhone(raw)
		if err != nil {
			return nil, model.Invalid(fmt.Sprintf("phones[%d]", i), "%v", err)
		}
		set[p] = true
	}
	for i, id := range in.ListIDs {
		if err := s.addListRecipients(ctx, a, unit, fmt.Sprintf("list_ids[%d]", i), id, set); err != nil {
			return nil, err
		}
	}
	if len(set) == 0 {
		return nil, model.Invalid("list_ids", "the lists have no subscriber who consented and did not opt out")
	}
	if len(set) > s.cfg.MaxRecipients {
		return nil, model.Invalid("phones", "%d recipients: at most %d per campaign", len(set), s.cfg.MaxRecipients)
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// addListRecipients adds a list's recipients; the list must belong to the
// campaign's unit or a unit below it that the actor may broadcast to.
func (s CampaignOps) addListRecipients(ctx context.Context, a model.Actor, unit *model.Unit, field string, id int64, set map[string]bool) error {
	l, err := s.store.Channels().ChannelList(ctx, id)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid(field, "subscriber list %d does not exist", id)
		}
		return err
	}
	lu, err := s.store.Orgs().Unit(ctx, l.UnitID)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(lu.Path, unit.Path) {
		return model.Invalid(field, "list %q belongs to unit %q, which is not inside unit %q sending the campaign", l.Name, lu.Name, unit.Name)
	}
	if err := s.can(a, authz.BroadcastWrite, lu); err != nil {
		return err
	}
	phones, err := s.store.Channels().ListRecipients(ctx, id)
	if err != nil {
		return err
	}
	for _, p := range phones {
		set[p] = true
	}
	return nil
}

func (s CampaignOps) campaignView(ctx context.Context, c *model.Campaign) (*CampaignView, error) {
	counts, err := s.store.Channels().CampaignCounts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &CampaignView{Campaign: c, Counts: counts}, nil
}

// campaignFor loads a campaign and checks an action on its unit.
func (s CampaignOps) campaignFor(ctx context.Context, a model.Actor, action authz.Action, id int64) (*model.Campaign, error) {
	c, err := s.store.Channels().Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	u, err := s.store.Orgs().Unit(ctx, c.UnitID)
	if err != nil {
		return nil, err
	}
	return c, s.can(a, action, u)
}

// Campaign returns a campaign with its counts.
func (s CampaignOps) Campaign(ctx context.Context, a model.Actor, id int64) (*CampaignView, error) {
	c, err := s.campaignFor(ctx, a, authz.BroadcastRead, id)
	if err != nil {
		return nil, err
	}
	return s.campaignView(ctx, c)
}

// Campaigns lists a unit's campaigns, newest first.
func (s CampaignOps) Campaigns(ctx context.Context, a model.Actor, unitID int64) ([]*CampaignView, error) {
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID, "unit_id"); err != nil {
		return nil, err
	}
	list, err := s.store.Channels().Campaigns(ctx, model.CampaignFilter{UnitID: unitID})
	if err != nil {
		return nil, err
	}
	out := make([]*CampaignView, 0, len(list))
	for _, c := range list {
		v, err := s.campaignView(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CampaignMessages pages through a campaign's per-recipient messages
// (ids above afterID).
func (s CampaignOps) CampaignMessages(ctx context.Context, a model.Actor, id, afterID int64, limit int) ([]*model.OutMessage, error) {
	if _, err := s.campaignFor(ctx, a, authz.BroadcastRead, id); err != nil {
		return nil, err
	}
	return s.store.Channels().CampaignMessages(ctx, id, afterID, limit)
}

// CancelCampaign stops a campaign: queued messages are not sent (those in
// flight finish).
func (s CampaignOps) CancelCampaign(ctx context.Context, a model.Actor, id int64) (*CampaignView, error) {
	c, err := s.campaignFor(ctx, a, authz.BroadcastWrite, id)
	if err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		n, err := tx.Channels().CancelCampaign(ctx, id, s.now())
		if err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "channels.campaign.cancel", "channel_campaign", fmt.Sprint(id), fmt.Sprintf("cancelled=%d", n))
	})
	if err != nil {
		return nil, err
	}
	if c, err = s.store.Channels().Campaign(ctx, id); err != nil {
		return nil, err
	}
	return s.campaignView(ctx, c)
}
