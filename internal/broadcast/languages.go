package broadcast

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/loa-project/loa/internal/authz"
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
		if !langRe.MatchString(v.Language) || v.Language == Vietnamese {
			return nil, invalid(fmt.Sprintf("versions[%d].language", i), "lang.code", "%q is not a language code other than Vietnamese: use a BCP 47 code such as km (Khmer)", v.Language)
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

// MissingVersions lists, for an order, the units of its devices whose
// first language has no version (they hear the Vietnamese one).
func (s OrderBook) MissingVersions(ctx context.Context, a model.Actor, orderID int64) ([]MissingVersion, error) {
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
	devices, err := s.store.Broadcast().OrderDeviceIDs(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var out []MissingVersion
	for _, id := range devices {
		d, err := s.store.Devices().Device(ctx, id)
		if err != nil {
			return nil, err
		}
		if seen[d.UnitID] {
			continue
		}
		seen[d.UnitID] = true
		u, err := s.store.Orgs().Unit(ctx, d.UnitID)
		if err != nil {
			return nil, err
		}
		langs, err := languagesOf(ctx, s.store.Speech(), u)
		if err != nil {
			return nil, err
		}
		if langs[0] != Vietnamese && pickVersion(langs[:1], vs[o.ID]) == nil {
			out = append(out, MissingVersion{UnitID: u.ID, UnitName: u.Name, Language: langs[0]})
		}
	}
	return out, nil
}
