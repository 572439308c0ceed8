// Package capalert connects emergency broadcasting to CAP 1.2 (package
// cap): every emergency order is published as a CAP alert in a public
// Atom feed (Alert, Update when an order replaces another, Cancel when an
// order is cancelled), and CAP alerts from other systems, posted to the
// API or polled from a feed, become draft emergency orders for the areas
// they name, waiting for an approver of the receiving unit.
package capalert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/loa-project/loa/internal/atom"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/cap"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/textfold"
)

// MaxAlertBytes bounds an incoming CAP message.
const MaxAlertBytes = 1 << 20

// FeedWindow is how far back the public feed lists emergencies.
const FeedWindow = 30 * 24 * time.Hour

// Broadcaster is what approving an incoming alert needs of the broadcast
// service: speech for its text, and the emergency order itself.
type Broadcaster interface {
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	Emergency(ctx context.Context, a model.Actor, in broadcast.EmergencyInput) (*broadcast.EmergencyResult, error)
	CancelOrder(ctx context.Context, a model.Actor, id int64) error
}

// Config configures the service.
type Config struct {
	Store     *storage.Store
	Blobs     blob.Store
	Policy    authz.Policy
	Broadcast Broadcaster
	Clock     clock.Clock
	Log       *slog.Logger
	// Sender is the CAP sender of Loa's alerts (e.g. loa@kiengiang.gov.vn;
	// default "loa"). It must not contain spaces, commas or < &.
	Sender string
	// HTTP fetches polled feeds; use a netguard client (no private or
	// metadata addresses). Nil disables polling.
	HTTP *http.Client
}

// Service publishes and receives CAP alerts.
type Service struct {
	cfg   Config
	store *storage.Store
	clock clock.Clock
	log   *slog.Logger
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("capalert: no store")
	}
	if cfg.Sender == "" {
		cfg.Sender = "loa"
	}
	if strings.ContainsAny(cfg.Sender, " ,<&") {
		return nil, fmt.Errorf("capalert: sender %q: no spaces, commas, < or & allowed", cfg.Sender)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, store: cfg.Store, clock: clock.Or(cfg.Clock), log: cfg.Log}, nil
}

// Message is one published CAP message.
type Message struct {
	Alert   *cap.Alert
	OrderID int64
}

func (s *Service) identifier(orderID int64, msg cap.MsgType) string {
	if msg == cap.MsgCancel {
		return fmt.Sprintf("loa-order-%d-cancel", orderID)
	}
	return fmt.Sprintf("loa-order-%d", orderID)
}

func (s *Service) reference(o *model.BroadcastOrder) string {
	return s.cfg.Sender + "," + s.identifier(o.ID, cap.MsgAlert) + "," + cap.FormatTime(o.IssuedAt.Truncate(time.Second))
}

// Messages returns the CAP messages of the emergencies issued in the last
// FeedWindow, newest first: for each order an Alert (an Update when it
// replaces an earlier order) and, when it was cancelled without being
// replaced, a Cancel. base is the public URL of the server ("" for
// relative links) used for the audio resource and the web link.
func (s *Service) Messages(ctx context.Context, base string) ([]Message, error) {
	now := s.clock.Now()
	orders, err := s.store.CAP().EmergencyOrders(ctx, now.Add(-FeedWindow), 200)
	if err != nil {
		return nil, err
	}
	links, err := s.store.CAP().CAPOrderLinks(ctx)
	if err != nil {
		return nil, err
	}
	replaced := map[int64]bool{}
	for _, l := range links {
		if l.SupersedesOrderID != 0 {
			replaced[l.SupersedesOrderID] = true
		}
	}
	var out []Message
	for _, o := range orders {
		if o.IssuedAt == nil {
			continue
		}
		a, err := s.alertOf(ctx, o, links[o.ID], base)
		if err != nil {
			return nil, err
		}
		if o.CancelledAt != nil && !replaced[o.ID] {
			c := *a
			c.MsgType, c.Identifier, c.Sent = cap.MsgCancel, s.identifier(o.ID, cap.MsgCancel), cap.At(o.CancelledAt.Truncate(time.Second))
			c.References = s.reference(o)
			c.Info = slices.Clone(a.Info)
			for i := range c.Info {
				c.Info[i].ResponseType = []cap.ResponseType{cap.ResponseAllClear}
				c.Info[i].Urgency = cap.UrgencyPast
			}
			out = append(out, Message{Alert: &c, OrderID: o.ID})
		}
		out = append(out, Message{Alert: a, OrderID: o.ID})
	}
	return out, nil
}

// Message returns one published message by identifier.
func (s *Service) Message(ctx context.Context, identifier, base string) (*cap.Alert, error) {
	msgs, err := s.Messages(ctx, base)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Alert.Identifier == identifier {
			return m.Alert, nil
		}
	}
	return nil, fmt.Errorf("CAP message %q: %w", identifier, model.ErrNotFound)
}

// AudioURL is the path of an emergency's audio in the CAP feed.
func AudioURL(base string, orderID int64, sha string) string {
	return fmt.Sprintf("%s/cap/audio/%d/%s.mp3", base, orderID, sha)
}

// alertOf builds the CAP alert of an emergency order: Vietnamese info
// (and English, or any other language stored with the order), the audio
// as a resource and one area per targeted unit.
func (s *Service) alertOf(ctx context.Context, o *model.BroadcastOrder, link model.CAPOrderLink, base string) (*cap.Alert, error) {
	issuer, err := s.store.Orgs().Unit(ctx, o.UnitID)
	if err != nil {
		return nil, err
	}
	a := &cap.Alert{Identifier: s.identifier(o.ID, cap.MsgAlert), Sender: s.cfg.Sender, Sent: cap.At(o.IssuedAt.Truncate(time.Second)),
		Status: cap.StatusActual, MsgType: cap.MsgAlert, Scope: cap.ScopePublic, Source: issuer.Name}
	if link.SupersedesOrderID != 0 {
		prev, err := s.store.Broadcast().Order(ctx, link.SupersedesOrderID)
		if err != nil {
			return nil, err
		}
		if prev.IssuedAt != nil {
			a.MsgType, a.References = cap.MsgUpdate, s.reference(prev)
		}
	}
	areas, err := s.areas(ctx, o)
	if err != nil {
		return nil, err
	}
	infos, err := s.store.CAP().CAPOrderInfo(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(infos, func(in model.CAPOrderInfo) bool { return strings.HasPrefix(in.Lang, "vi") }) {
		text := o.Title
		if m, err := s.store.Broadcast().MediaItem(ctx, o.MediaID); err == nil && m.TTSText != "" {
			text = m.TTSText
		}
		infos = append([]model.CAPOrderInfo{{Lang: "vi-VN", Event: "Phát thanh khẩn cấp", Headline: o.Title, Description: text}}, infos...)
	}
	res := cap.Resource{ResourceDesc: "Bản tin phát thanh khẩn cấp (audio)", MimeType: "audio/mpeg", Size: o.MediaSize,
		URI: AudioURL(base, o.ID, o.MediaSHA256)}
	var expires cap.Time
	if o.ExpiresAt != nil {
		expires = cap.At(o.ExpiresAt.Truncate(time.Second))
	}
	for _, in := range infos {
		a.Info = append(a.Info, cap.Info{Language: in.Lang, Category: []cap.Category{cap.CategorySafety}, Event: in.Event,
			ResponseType: []cap.ResponseType{cap.ResponseMonitor}, Urgency: cap.UrgencyImmediate, Severity: cap.SeveritySevere,
			Certainty: cap.CertaintyObserved, Effective: a.Sent, Expires: expires, SenderName: issuer.Name, Headline: in.Headline,
			Description: in.Description, Instruction: in.Instruction, Web: base + "/xa/" + issuer.Code,
			Resource: []cap.Resource{res}, Area: areas})
	}
	return a, nil
}

// GeocodeName is the valueName of the geocodes Loa writes and matches:
// the unit's code in Loa.
const GeocodeName = "LOA-UNIT"

// AgencyGeocodeName names a unit's national agency identifier.
const AgencyGeocodeName = "VN-AGENCY"

func (s *Service) areas(ctx context.Context, o *model.BroadcastOrder) ([]cap.Area, error) {
	var out []cap.Area
	seen := map[int64]bool{}
	for _, t := range o.Targets {
		unitID := t.ID
		if t.Kind == model.TargetDevice {
			d, err := s.store.Devices().Device(ctx, t.ID)
			if err != nil {
				return nil, err
			}
			unitID = d.UnitID
		}
		if seen[unitID] {
			continue
		}
		seen[unitID] = true
		u, err := s.store.Orgs().Unit(ctx, unitID)
		if err != nil {
			return nil, err
		}
		area := cap.Area{AreaDesc: u.Name, Geocode: []cap.NamedValue{{ValueName: GeocodeName, Value: u.Code}}}
		if u.AgencyID != "" {
			area.Geocode = append(area.Geocode, cap.NamedValue{ValueName: AgencyGeocodeName, Value: u.AgencyID})
		}
		out = append(out, area)
	}
	return out, nil
}

// OpenAudio opens the audio of an emergency published in the feed.
func (s *Service) OpenAudio(ctx context.Context, orderID int64, sha string) (io.ReadSeekCloser, error) {
	o, err := s.store.Broadcast().Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.Level != "emergency" || o.IssuedAt == nil || o.MediaSHA256 != sha || s.clock.Now().Sub(*o.IssuedAt) > FeedWindow || s.cfg.Blobs == nil {
		return nil, fmt.Errorf("audio of emergency %d: %w", orderID, model.ErrNotFound)
	}
	r, _, err := s.cfg.Blobs.Open(ctx, sha)
	return r, err
}

// Atom feed of CAP messages (the usual form of CAP feeds: one entry per
// message, its link to the CAP XML with type application/cap+xml).

const tagAuthority = "loa-project.github.io,2021"

// AlertPath is the path of one CAP message.
func AlertPath(identifier string) string { return "/cap/alerts/" + identifier + ".xml" }

// Atom renders the public Atom feed of CAP messages.
func (s *Service) Atom(ctx context.Context, base string) ([]byte, error) {
	msgs, err := s.Messages(ctx, base)
	if err != nil {
		return nil, err
	}
	f := atom.Feed{Lang: "vi", ID: "tag:" + tagAuthority + ":cap/alerts", Title: "Cảnh báo khẩn cấp (CAP 1.2)", Author: atom.Person{Name: s.cfg.Sender},
		Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links:   []atom.Link{{Rel: "self", Href: base + "/cap/alerts.atom", Type: "application/atom+xml"}}}
	for i, m := range msgs {
		sent := m.Alert.Sent.UTC().Format(time.RFC3339)
		if i == 0 || m.Alert.Sent.After(mustParse(f.Updated)) {
			f.Updated = sent
		}
		title, summary := string(m.Alert.MsgType), ""
		if len(m.Alert.Info) > 0 {
			title = fmt.Sprintf("%s: %s", m.Alert.MsgType, m.Alert.Info[0].Headline)
			summary = m.Alert.Info[0].Description
		}
		f.Entries = append(f.Entries, atom.Entry{ID: "tag:" + tagAuthority + ":cap/" + m.Alert.Identifier, Title: title, Updated: sent, Summary: summary,
			Links: []atom.Link{{Rel: "alternate", Href: base + AlertPath(m.Alert.Identifier), Type: "application/cap+xml"}}})
	}
	return f.Marshal()
}

func mustParse(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// Incoming alerts.

// Receive takes a CAP 1.2 alert for the actor's unit: it is validated,
// its areas are matched to units below the unit (geocode LOA-UNIT or
// VN-AGENCY, else the area's name), and it is stored as a draft emergency
// order waiting for an approver. Cancel messages are stored the same way:
// approving one cancels the orders made from the alerts it references.
func (s *Service) Receive(ctx context.Context, a model.Actor, raw []byte) (*model.CAPInbound, error) {
	unit, err := s.store.Orgs().Unit(ctx, a.UnitID)
	if err != nil {
		return nil, err
	}
	if !s.cfg.Policy.Can(a, authz.BroadcastRead, unit.Path) {
		return nil, fmt.Errorf("receive CAP alerts for %s: %w", unit.Name, model.ErrForbidden)
	}
	return s.receive(ctx, a, unit, raw)
}

func (s *Service) receive(ctx context.Context, a model.Actor, unit *model.Unit, raw []byte) (*model.CAPInbound, error) {
	alert, err := cap.Decode(bytes.NewReader(raw), MaxAlertBytes)
	if err != nil {
		if errors.Is(err, cap.ErrTooLarge) {
			return nil, model.Invalid("", "the CAP alert is larger than %d bytes", MaxAlertBytes)
		}
		return nil, model.Invalid("", "not a valid CAP 1.2 alert: %v", err)
	}
	switch alert.MsgType {
	case cap.MsgAlert, cap.MsgUpdate, cap.MsgCancel:
	default:
		return nil, model.Invalid("msgType", "%s messages are not broadcast; send Alert, Update or Cancel", alert.MsgType)
	}
	if alert.Status != cap.StatusActual && alert.Status != cap.StatusExercise {
		return nil, model.Invalid("status", "only Actual and Exercise alerts are received (got %s)", alert.Status)
	}
	in := &model.CAPInbound{UnitID: unit.ID, Identifier: alert.Identifier, Sender: alert.Sender, Sent: alert.Sent.String(), MsgType: string(alert.MsgType),
		Status: string(alert.Status), Refs: alert.References, XML: string(raw), State: model.CAPDraft, ReceivedBy: a.Username, ReceivedAt: s.clock.Now()}
	if info := pickInfo(alert, "vi"); info != nil {
		in.Headline = firstNonEmpty(info.Headline, info.Event)
	}
	if alert.MsgType != cap.MsgCancel {
		units, unmatched, err := s.matchAreas(ctx, unit, alert)
		if err != nil {
			return nil, err
		}
		if len(units) == 0 {
			return nil, i18n.Localise(model.Invalid("area", "no area of the alert matches a unit below %s (unmatched: %s); name the areas by their Loa code in a geocode %q or by their exact name",
				unit.Name, strings.Join(unmatched, "; "), GeocodeName), "cap.err.no_area")
		}
		in.TargetUnits, in.Unmatched = units, strings.Join(unmatched, "; ")
	} else {
		in.TargetUnits = []int64{}
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.CAP().InsertCAPInbound(ctx, in); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "cap.receive", "cap_inbound", fmt.Sprint(in.ID),
			fmt.Sprintf("sender=%q identifier=%q type=%s units=%v", in.Sender, in.Identifier, in.MsgType, in.TargetUnits))
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("CAP alert received", "id", in.ID, "sender", in.Sender, "identifier", in.Identifier, "type", in.MsgType, "units", len(in.TargetUnits))
	return in, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// pickInfo returns the info block in the language (prefix), else the
// first one.
func pickInfo(a *cap.Alert, lang string) *cap.Info {
	for i := range a.Info {
		if strings.HasPrefix(strings.ToLower(a.Info[i].Language), lang) {
			return &a.Info[i]
		}
	}
	if lang == "vi" && len(a.Info) > 0 {
		return &a.Info[0]
	}
	return nil
}

// matchAreas finds the units below root that the alert's areas name.
func (s *Service) matchAreas(ctx context.Context, root *model.Unit, alert *cap.Alert) ([]int64, []string, error) {
	all, err := s.store.Orgs().Units(ctx)
	if err != nil {
		return nil, nil, err
	}
	var below []*model.Unit
	for _, u := range all {
		if strings.HasPrefix(u.Path, root.Path) && u.DissolvedOn == "" {
			below = append(below, u)
		}
	}
	var ids []int64
	var unmatched []string
	add := func(id int64) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, info := range alert.Info {
		for _, area := range info.Area {
			found := false
			for _, g := range area.Geocode {
				for _, u := range below {
					if (g.ValueName == GeocodeName && g.Value == u.Code) || (g.ValueName == AgencyGeocodeName && u.AgencyID != "" && g.Value == u.AgencyID) {
						add(u.ID)
						found = true
					}
				}
			}
			if found {
				continue
			}
			// By name: each name listed in areaDesc (comma or semicolon
			// separated), accents and case folded, against the unit's name
			// or short name.
			for _, name := range strings.FieldsFunc(area.AreaDesc, func(r rune) bool { return r == ',' || r == ';' }) {
				want := textfold.Fold(strings.TrimSpace(name))
				hit := false
				for _, u := range below {
					if want != "" && slices.Contains(unitNames(u), want) {
						add(u.ID)
						hit = true
					}
				}
				if !hit {
					unmatched = append(unmatched, strings.TrimSpace(name))
				}
			}
		}
	}
	return ids, unmatched, nil
}

// Inbound lists the alerts received by the actor's unit and below.
func (s *Service) Inbound(ctx context.Context, a model.Actor) ([]*model.CAPInbound, error) {
	list, err := s.store.CAP().CAPInboundUnder(ctx, a.UnitPath, 200)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CAPInbound, 0, len(list))
	for _, c := range list {
		u, err := s.store.Orgs().Unit(ctx, c.UnitID)
		if err != nil {
			return nil, err
		}
		if s.cfg.Policy.Can(a, authz.BroadcastRead, u.Path) {
			out = append(out, c)
		}
	}
	return out, nil
}

// decidable loads a draft the actor may decide: a broadcaster (emergency
// sender) of the receiving unit.
func (s *Service) decidable(ctx context.Context, a model.Actor, id int64) (*model.CAPInbound, *model.Unit, error) {
	c, err := s.store.CAP().CAPInbound(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.Orgs().Unit(ctx, c.UnitID)
	if err != nil {
		return nil, nil, err
	}
	if !s.cfg.Policy.Can(a, authz.BroadcastRead, u.Path) {
		return nil, nil, fmt.Errorf("CAP alert %d: %w", id, model.ErrNotFound)
	}
	if !s.cfg.Policy.Can(a, authz.BroadcastWrite, u.Path) {
		return nil, nil, i18n.Localise(fmt.Errorf("CAP alert %d: only an emergency broadcaster of %s may decide it: %w", id, u.Name, model.ErrForbidden), "cap.err.forbidden")
	}
	if c.State != model.CAPDraft {
		return nil, nil, i18n.Localise(fmt.Errorf("CAP alert %d is already %s: %w", id, c.State, model.ErrConflict), "cap.err.state")
	}
	return c, u, nil
}

// Reject refuses a draft.
func (s *Service) Reject(ctx context.Context, a model.Actor, id int64) (*model.CAPInbound, error) {
	if _, _, err := s.decidable(ctx, a, id); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.CAP().DecideCAPInbound(ctx, id, model.CAPRejected, a.Username, s.clock.Now(), nil); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "cap.reject", "cap_inbound", fmt.Sprint(id), "")
	})
	if err != nil {
		return nil, err
	}
	return s.store.CAP().CAPInbound(ctx, id)
}

// referenced returns the approved alerts (and their orders) that a
// message's references name.
func (s *Service) referenced(ctx context.Context, refs string) ([]*model.CAPInbound, error) {
	var out []*model.CAPInbound
	for _, ref := range strings.Fields(refs) {
		parts := strings.Split(ref, ",")
		if len(parts) != 3 {
			continue
		}
		c, err := s.store.CAP().CAPInboundBySenderID(ctx, parts[0], parts[1])
		if err != nil {
			return nil, err
		}
		if c != nil && c.State == model.CAPApproved && c.OrderID != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// Approve turns a draft into what it asks for: an Alert or Update becomes
// an emergency order for the matched units (the Vietnamese text read out
// by speech; an Update replaces the orders of the alerts it references),
// a Cancel cancels the orders of the alerts it references. The order is
// issued in the approver's name.
func (s *Service) Approve(ctx context.Context, a model.Actor, id int64) (*model.CAPInbound, error) {
	c, unit, err := s.decidable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if s.cfg.Broadcast == nil {
		return nil, errors.New("capalert: no broadcast service")
	}
	alert, err := cap.Decode(strings.NewReader(c.XML), MaxAlertBytes)
	if err != nil {
		return nil, fmt.Errorf("stored CAP alert %d: %w", id, err)
	}
	prev, err := s.referenced(ctx, c.Refs)
	if err != nil {
		return nil, err
	}
	var orderID *int64
	if c.MsgType != string(cap.MsgCancel) {
		info := pickInfo(alert, "vi")
		title := firstNonEmpty(info.Headline, info.Event)
		if r := []rune(title); len(r) > broadcast.MaxTitleRunes {
			title = string(r[:broadcast.MaxTitleRunes])
		}
		text := firstNonEmpty(strings.Join(nonEmpty(info.Headline, info.Description, info.Instruction), ". "), title)
		m, err := s.cfg.Broadcast.SpeakText(ctx, a, broadcast.TTSInput{UnitID: unit.ID, Title: title, Text: text})
		if err != nil {
			return nil, fmt.Errorf("speech for CAP alert %d: %w", id, err)
		}
		targets := make([]model.OrderTarget, 0, len(c.TargetUnits))
		for _, u := range c.TargetUnits {
			targets = append(targets, model.OrderTarget{Kind: model.TargetSubtree, ID: u})
		}
		ttl := 0
		if !info.Expires.IsZero() {
			if d := info.Expires.Sub(s.clock.Now()); d > time.Minute && d < broadcast.MaxEmergencyTTL {
				ttl = int(d / time.Minute)
			}
		}
		res, err := s.cfg.Broadcast.Emergency(ctx, a, broadcast.EmergencyInput{UnitID: unit.ID, Title: title, MediaID: m.ID, Targets: targets,
			ExpiresInMinutes: ttl, Source: "cap", SourceRef: "cap:" + strconv.FormatInt(c.ID, 10)})
		if err != nil {
			return nil, err
		}
		oid := res.Order.ID
		orderID = &oid
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.CAP().DecideCAPInbound(ctx, id, model.CAPApproved, a.Username, s.clock.Now(), orderID); err != nil {
			return err
		}
		if orderID != nil {
			link := model.CAPOrderLink{OrderID: *orderID, InboundID: c.ID}
			if len(prev) > 0 && c.MsgType == string(cap.MsgUpdate) {
				link.SupersedesOrderID = *prev[0].OrderID
			}
			if err := tx.CAP().PutCAPOrder(ctx, link); err != nil {
				return err
			}
			for _, info := range alert.Info {
				lang := info.Language
				if lang == "" {
					lang = "en-US"
				}
				if err := tx.CAP().PutCAPOrderInfo(ctx, model.CAPOrderInfo{OrderID: *orderID, Lang: lang, Event: info.Event, Headline: info.Headline,
					Description: info.Description, Instruction: info.Instruction}); err != nil {
					return err
				}
			}
		}
		return tx.Audit().AppendAudit(ctx, a, "cap.approve", "cap_inbound", fmt.Sprint(id), fmt.Sprintf("type=%s order=%v", c.MsgType, orderID))
	})
	if err != nil {
		return nil, err
	}
	// An Update replaces, a Cancel ends, the orders of the alerts they
	// reference.
	if c.MsgType != string(cap.MsgAlert) {
		for _, p := range prev {
			if err := s.cfg.Broadcast.CancelOrder(ctx, a, *p.OrderID); err != nil && !errors.Is(err, model.ErrConflict) {
				return nil, fmt.Errorf("cancel order %d of CAP alert %d: %w", *p.OrderID, p.ID, err)
			}
		}
	}
	return s.store.CAP().CAPInbound(ctx, id)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimRight(s, ". "))
		}
	}
	return out
}

// unitNames are the folded names an area may call a unit by: its name and
// short name, with and without the "Ủy ban nhân dân"/"UBND" prefix (an
// area "Phường Vĩnh Lạc" is the People's Committee of that ward).
func unitNames(u *model.Unit) []string {
	var out []string
	for _, n := range []string{u.Name, u.ShortName} {
		f := textfold.Fold(strings.TrimSpace(n))
		if f == "" {
			continue
		}
		out = append(out, f)
		for _, prefix := range []string{"uy ban nhan dan ", "ubnd "} {
			if rest, ok := strings.CutPrefix(f, prefix); ok {
				out = append(out, rest)
			}
		}
	}
	return out
}
