package broadcast

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Several languages. A unit lists the languages its people listen to, in
// order of preference ("km", "vi" for a Khmer commune of Kiên Giang or An
// Giang); units that list none inherit the nearest list above them, and
// Vietnamese is the default. An order's media is its Vietnamese version;
// it may carry versions in other languages (recorded audio, or the HTTP
// speech engine where it has the language: espeak-ng has no Khmer). Each
// device plays the version of the first of its unit's languages that the
// order has, the Vietnamese one otherwise.

// Vietnamese is the language of an order's main media.
const Vietnamese = "vi"

// MaxLanguages bounds a unit's list.
const MaxLanguages = 5

var langRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// VersionInput is an order's version in another language.
type VersionInput struct {
	Language string `json:"language"` // BCP 47: "km", "cmo", …
	MediaID  int64  `json:"media_id"`
}

// checkVersions validates an order's language versions.
func (s OrderBook) checkVersions(ctx context.Context, a model.Actor, unit *model.Unit, in []VersionInput) ([]VersionInput, error) {
	if len(in) > MaxLanguages {
		return nil, invalid("versions", "lang.versions_many", "at most %d language versions", MaxLanguages)
	}
	seen := map[string]bool{}
	for i, v := range in {
		v.Language = strings.TrimSpace(v.Language)
		if err := CheckVersionLanguage(fmt.Sprintf("versions[%d].language", i), v.Language); err != nil {
			return nil, err
		}
		if seen[v.Language] {
			return nil, invalid(fmt.Sprintf("versions[%d].language", i), "lang.twice", "two versions in %q", v.Language)
		}
		seen[v.Language] = true
		if _, err := s.checkContent(ctx, a, unit, v.MediaID); err != nil {
			return nil, err
		}
		in[i] = v
	}
	return in, nil
}

// CheckVersionLanguage checks the language code of a version (field
// names the input in the error).
func CheckVersionLanguage(field, language string) error {
	if !langRe.MatchString(language) || language == Vietnamese {
		return invalid(field, "lang.code", "%q is not a language code other than Vietnamese: use a BCP 47 code such as km (Khmer)", language)
	}
	return nil
}

// SetUnitLanguages sets the languages of a unit, in order of preference
// (audited); its devices' schedules are rebuilt.
func (s Scheduler) SetUnitLanguages(ctx context.Context, a model.Actor, unitID int64, langs []string) ([]string, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, unitID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range langs {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if !langRe.MatchString(l) {
			return nil, invalid("languages", "lang.code_unit", "%q is not a language code: use BCP 47 codes such as vi, km", l)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 || len(out) > MaxLanguages {
		return nil, invalid("languages", "lang.count", "list 1 to %d languages, e.g. km, vi", MaxLanguages)
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().SaveUnitLanguages(ctx, unit.ID, out, a.Username, s.clock()); err != nil {
			return err
		}
		list, err := tx.Devices().ListDevices(ctx, unit.Path, false)
		if err != nil {
			return err
		}
		ids := make([]int64, len(list))
		for i, d := range list {
			ids[i] = d.ID
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, ids); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.languages", "unit", fmt.Sprint(unit.ID), "languages="+strings.Join(out, ","))
	})
	return out, err
}

// UnitLanguages returns the languages that apply to a unit.
func (s Scheduler) UnitLanguages(ctx context.Context, a model.Actor, unitID int64) ([]string, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	return languagesOf(ctx, s.store.Speech(), unit)
}

// languagesOf resolves a unit's languages (nearest list up its branch).
func languagesOf(ctx context.Context, q storage.SpeechStore, unit *model.Unit) ([]string, error) {
	anc := storage.AncestorIDs(unit.Path)
	for i := len(anc) - 1; i >= 0; i-- {
		l, ok, err := q.UnitLanguages(ctx, anc[i])
		if err != nil || ok {
			return l, err
		}
	}
	return []string{Vietnamese}, nil
}

// pickVersion returns the version of an order a unit with the given
// languages plays: nil for the main (Vietnamese) media.
func pickVersion(langs []string, versions []model.OrderVersion) *model.OrderVersion {
	for _, l := range langs {
		if l == Vietnamese {
			return nil
		}
		for i := range versions {
			if versions[i].Language == l {
				return &versions[i]
			}
		}
	}
	return nil
}

// MissingVersion is a language that a unit reached by an order listens
// to and that the order has no version in.
type MissingVersion struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Language string `json:"language"`
}

// UnitVersion says which version of an order a unit reached by it plays.
type UnitVersion struct {
	UnitID    int64    `json:"unit_id"`
	UnitName  string   `json:"unit_name"`
	Languages []string `json:"languages"` // the unit's, in order of preference
	Devices   int      `json:"devices"`   // the order's devices in the unit
	Plays     string   `json:"plays"`     // the language of the version its devices play
	// Missing is the unit's first language when the order has no
	// version in it (the unit hears a later language or Vietnamese).
	Missing string `json:"missing,omitempty"`
}

// OrderLanguages is an order's language versions and, per unit it
// reaches, the version played there.
type OrderLanguages struct {
	OrderID  int64                `json:"order_id"`
	Versions []model.OrderVersion `json:"versions"`
	Units    []UnitVersion        `json:"units"`
}

// OrderLanguages returns an order's versions and the version each unit
// reached by it plays (those who may follow the issuer's orders).
func (s OrderBook) OrderLanguages(ctx context.Context, a model.Actor, orderID int64) (*OrderLanguages, error) {
	o, err := s.store.Broadcast().Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, o.UnitID); err != nil {
		return nil, err
	}
	vs, err := s.store.Speech().OrderVersions(ctx, []int64{o.ID})
	if err != nil {
		return nil, err
	}
	units, counts, err := s.store.Broadcast().OrderDeviceUnits(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	out := &OrderLanguages{OrderID: o.ID, Versions: vs[o.ID], Units: []UnitVersion{}}
	if out.Versions == nil {
		out.Versions = []model.OrderVersion{}
	}
	for i, id := range units {
		u, err := s.store.Orgs().Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		langs, err := languagesOf(ctx, s.store.Speech(), u)
		if err != nil {
			return nil, err
		}
		uv := UnitVersion{UnitID: u.ID, UnitName: u.Name, Languages: langs, Devices: counts[i], Plays: Vietnamese}
		if v := pickVersion(langs, out.Versions); v != nil {
			uv.Plays = v.Language
		}
		if langs[0] != Vietnamese && uv.Plays != langs[0] {
			uv.Missing = langs[0]
		}
		out.Units = append(out.Units, uv)
	}
	return out, nil
}

// MissingVersions lists, for an order, the units of its devices whose
// first language has no version.
func (s OrderBook) MissingVersions(ctx context.Context, a model.Actor, orderID int64) ([]MissingVersion, error) {
	ol, err := s.OrderLanguages(ctx, a, orderID)
	if err != nil {
		return nil, err
	}
	var out []MissingVersion
	for _, u := range ol.Units {
		if u.Missing != "" {
			out = append(out, MissingVersion{UnitID: u.UnitID, UnitName: u.UnitName, Language: u.Missing})
		}
	}
	return out, nil
}

// VersionTextInput asks for an order's version to be read out from text
// by a speech engine voice in that language.
type VersionTextInput struct {
	Language string `json:"language"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
}

// VoiceFor returns the first voice of the speech engine in a language.
func (s Library) VoiceFor(language string) (string, bool) {
	for _, v := range s.Voices() {
		if v.Language == language || strings.HasPrefix(v.Language, language+"-") {
			return v.ID, true
		}
	}
	return "", false
}

// orderForVersions loads an order whose versions a actor may change: the
// issuer's writers, while it has not been cancelled.
func (s OrderBook) orderForVersions(ctx context.Context, a model.Actor, orderID int64) (*model.BroadcastOrder, *model.Unit, error) {
	o, err := s.store.Broadcast().Order(ctx, orderID)
	if err != nil {
		return nil, nil, err
	}
	issuer, err := s.unitFor(ctx, a, authz.BroadcastWrite, o.UnitID)
	if err != nil {
		return nil, nil, err
	}
	if o.CancelledAt != nil {
		return nil, nil, invalid("order", "lang.order_cancelled", "broadcast order %d was cancelled: its versions can no longer change", o.ID)
	}
	return o, issuer, nil
}

// SpeakOrderVersion reads text out with a voice in the version's language
// (espeak-ng has none for Khmer: the caller is told to record it) and
// adds it to the order as that language's version.
func (s OrderBook) SpeakOrderVersion(ctx context.Context, a model.Actor, orderID int64, in VersionTextInput) (*model.OrderVersion, error) {
	in.Language = strings.TrimSpace(in.Language)
	if err := CheckVersionLanguage("language", in.Language); err != nil {
		return nil, err
	}
	_, issuer, err := s.orderForVersions(ctx, a, orderID)
	if err != nil {
		return nil, err
	}
	voice, ok := s.Library().VoiceFor(in.Language)
	if !ok {
		return nil, invalid("text", "lang.no_voice", "the speech engine has no voice in %q: upload or record the version in that language", in.Language)
	}
	m, err := s.Library().SpeakText(ctx, a, TTSInput{UnitID: issuer.ID, Title: in.Title, Text: in.Text, Voice: voice})
	if err != nil {
		return nil, err
	}
	v, err := s.SetOrderVersion(ctx, a, orderID, VersionInput{Language: in.Language, MediaID: m.ID})
	if err != nil {
		// The speech was made for this version only: it does not stay
		// behind in the library when the version is refused.
		if derr := s.Library().DiscardMedia(context.WithoutCancel(ctx), a, m.ID, err.Error()); derr != nil {
			return nil, errors.Join(err, fmt.Errorf("discard the speech made for it: %w", derr))
		}
		return nil, err
	}
	return v, nil
}

// SetOrderVersion adds (or replaces) an order's version in a language
// other than Vietnamese: audio of the issuer's library. The devices of
// the order get a new schedule.
func (s OrderBook) SetOrderVersion(ctx context.Context, a model.Actor, orderID int64, in VersionInput) (*model.OrderVersion, error) {
	o, issuer, err := s.orderForVersions(ctx, a, orderID)
	if err != nil {
		return nil, err
	}
	vs, err := s.checkVersions(ctx, a, issuer, []VersionInput{in})
	if err != nil {
		return nil, err
	}
	in = vs[0]
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().SaveOrderVersion(ctx, o.ID, in.Language, in.MediaID); err != nil {
			return err
		}
		all, err := tx.Speech().OrderVersions(ctx, []int64{o.ID})
		if err != nil {
			return err
		}
		if len(all[o.ID]) > MaxLanguages {
			return invalid("versions", "lang.versions_many", "at most %d language versions", MaxLanguages)
		}
		if devices, err = tx.Broadcast().OrderDeviceIDs(ctx, o.ID); err != nil {
			return err
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, devices); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.order.version", "broadcast_order", fmt.Sprint(o.ID), fmt.Sprintf("language=%s media=%d", in.Language, in.MediaID))
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, Notice{Kind: protocol.EventSchedule, OrderID: o.ID, Devices: devices})
	all, err := s.store.Speech().OrderVersions(ctx, []int64{o.ID})
	if err != nil {
		return nil, err
	}
	for i := range all[o.ID] {
		if all[o.ID][i].Language == in.Language {
			return &all[o.ID][i], nil
		}
	}
	return nil, fmt.Errorf("the %s version of order %d vanished after it was saved: %w", in.Language, o.ID, model.ErrNotFound)
}

// RemoveOrderVersion removes an order's version in a language; its
// devices play the next language of their units (or Vietnamese).
func (s OrderBook) RemoveOrderVersion(ctx context.Context, a model.Actor, orderID int64, language string) error {
	o, _, err := s.orderForVersions(ctx, a, orderID)
	if err != nil {
		return err
	}
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		ok, err := tx.Speech().DeleteOrderVersion(ctx, o.ID, language)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("broadcast order %d has no version in %q: %w", o.ID, language, model.ErrNotFound)
		}
		if devices, err = tx.Broadcast().OrderDeviceIDs(ctx, o.ID); err != nil {
			return err
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, devices); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.order.version_remove", "broadcast_order", fmt.Sprint(o.ID), "language="+language)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, Notice{Kind: protocol.EventSchedule, OrderID: o.ID, Devices: devices})
	return nil
}
