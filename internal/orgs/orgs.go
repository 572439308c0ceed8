// Package orgs manages the organisation tree (units of any depth, kinds,
// history of renames, moves and merges), recipient groups, and the import
// and export of the tree. Structure is data: nothing here knows about
// provinces or districts beyond the kinds an administrator defines.
package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Service is the organisation service.
type Service struct {
	store  *storage.Store
	policy authz.Policy
}

// New builds the service.
func New(store *storage.Store, policy authz.Policy) *Service {
	return &Service{store: store, policy: policy}
}

var (
	codeRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	abbrevRe   = regexp.MustCompile(`^[\p{L}\p{N}.&]{0,20}$`)
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	agencyIDRe = regexp.MustCompile(`^[A-Za-z0-9.\-]{0,35}$`)
)

// UnitInput is what a client sends to create or replace a unit.
type UnitInput struct {
	Code         string `json:"code"`
	ParentID     *int64 `json:"parent_id"`
	Name         string `json:"name"`
	ShortName    string `json:"short_name"`
	Kind         string `json:"kind"`
	Abbreviation string `json:"abbreviation"`
	AgencyID     string `json:"agency_id"`
	ActiveFrom   string `json:"active_from"`
	DissolvedOn  string `json:"dissolved_on"`
}

func validDate(s string) bool {
	if s == "" {
		return true
	}
	if !dateRe.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// validate checks a unit's own fields; kinds is the set of known kinds.
func (in *UnitInput) validate(kinds map[string]bool) error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.ShortName = strings.TrimSpace(in.ShortName)
	in.Abbreviation = strings.TrimSpace(in.Abbreviation)
	in.AgencyID = strings.TrimSpace(in.AgencyID)
	switch {
	case !codeRe.MatchString(in.Code):
		return model.Invalid("code", "%q is not a valid code: use 1-64 letters, digits, '.', '_' or '-' (e.g. \"so-tttt-kg\")", in.Code)
	case in.Name == "" || len(in.Name) > 300:
		return model.Invalid("name", "the name is required and at most 300 bytes")
	case len(in.ShortName) > 100:
		return model.Invalid("short_name", "the short name is at most 100 bytes")
	case !kinds[in.Kind]:
		known := make([]string, 0, len(kinds))
		for k := range kinds {
			known = append(known, k)
		}
		sort.Strings(known)
		return model.Invalid("kind", "unknown kind %q; use one of %s (administrators can add kinds)", in.Kind, strings.Join(known, ", "))
	case !abbrevRe.MatchString(in.Abbreviation):
		return model.Invalid("abbreviation", "%q is not a notation abbreviation: letters and digits only, at most 20 (e.g. STTTT, TTBCBC, UBND)", in.Abbreviation)
	case !agencyIDRe.MatchString(in.AgencyID):
		return model.Invalid("agency_id", "%q is not an agency identifier: at most 35 letters, digits, '.' or '-' (e.g. 000.00.00.H41)", in.AgencyID)
	case !validDate(in.ActiveFrom):
		return model.Invalid("active_from", "%q is not a date: use YYYY-MM-DD", in.ActiveFrom)
	case !validDate(in.DissolvedOn):
		return model.Invalid("dissolved_on", "%q is not a date: use YYYY-MM-DD", in.DissolvedOn)
	case in.ActiveFrom != "" && in.DissolvedOn != "" && in.DissolvedOn < in.ActiveFrom:
		return model.Invalid("dissolved_on", "the unit is dissolved (%s) before it starts (%s)", in.DissolvedOn, in.ActiveFrom)
	}
	return nil
}

func (s *Service) kindSet(ctx context.Context, q storage.Q) (map[string]bool, error) {
	kinds, err := q.Orgs().UnitKinds(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		m[k.Code] = true
	}
	return m, nil
}

func snapshot(u *model.Unit) string {
	b, _ := json.Marshal(map[string]any{
		"code": u.Code, "parent_id": u.ParentID, "name": u.Name, "short_name": u.ShortName, "kind": u.Kind,
		"abbreviation": u.Abbreviation, "agency_id": u.AgencyID, "active_from": u.ActiveFrom,
		"dissolved_on": u.DissolvedOn, "merged_into": u.MergedInto, "path": u.Path,
	})
	return string(b)
}

// targetPathForParent is the path whose write permission creating a unit
// under parent needs: the parent's (creating a root needs reach Any).
func (s *Service) canCreateUnder(ctx context.Context, q storage.Q, a model.Actor, parent *int64) error {
	if parent == nil {
		if !isRootAdmin(a) {
			return fmt.Errorf("creating a top-level unit: %w", model.ErrForbidden)
		}
		return nil
	}
	p, err := q.Orgs().Unit(ctx, *parent)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("parent_id", "parent unit %d does not exist", *parent)
		}
		return err
	}
	if !s.can(a, authz.UnitWrite, p.Path) {
		return fmt.Errorf("adding units under %q: %w", p.Name, model.ErrForbidden)
	}
	return nil
}

// isRootAdmin: an admin of a top-level unit, or the command line.
func isRootAdmin(a model.Actor) bool {
	if a.IsSystem() {
		return true
	}
	if !authz.IsRootPath(a.UnitPath) {
		return false
	}
	for _, r := range a.Roles {
		if r == model.RoleAdmin {
			return true
		}
	}
	return false
}

func (s *Service) can(a model.Actor, action authz.Action, path string) bool {
	return s.policy.Can(a, action, path)
}

// CreateUnit adds a unit.
func (s *Service) CreateUnit(ctx context.Context, a model.Actor, in UnitInput) (*model.Unit, error) {
	var out *model.Unit
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		u, err := s.createUnitTx(ctx, tx, a, in)
		out = u
		return err
	})
	return out, err
}

func (s *Service) createUnitTx(ctx context.Context, tx *storage.Tx, a model.Actor, in UnitInput) (*model.Unit, error) {
	kinds, err := s.kindSet(ctx, tx.Q)
	if err != nil {
		return nil, err
	}
	if err := in.validate(kinds); err != nil {
		return nil, err
	}
	if err := s.canCreateUnder(ctx, tx.Q, a, in.ParentID); err != nil {
		return nil, err
	}
	u := &model.Unit{Code: in.Code, ParentID: in.ParentID, Name: in.Name, ShortName: in.ShortName, Kind: in.Kind,
		Abbreviation: in.Abbreviation, AgencyID: in.AgencyID, ActiveFrom: in.ActiveFrom, DissolvedOn: in.DissolvedOn}
	if err := tx.Orgs().InsertUnit(ctx, u); err != nil {
		return nil, err
	}
	if err := s.record(ctx, tx, a, u, "create", "", snapshot(u)); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) record(ctx context.Context, tx *storage.Tx, a model.Actor, u *model.Unit, change, before, after string) error {
	var actor *int64
	if a.UserID != 0 {
		id := a.UserID
		actor = &id
	}
	if err := tx.Orgs().AddUnitChange(ctx, &model.UnitChange{UnitID: u.ID, ActorID: actor, Change: change, Before: before, After: after}); err != nil {
		return err
	}
	return tx.Audit().AppendAudit(ctx, a, "unit."+change, "unit", fmt.Sprint(u.ID), u.Code+" "+u.Name)
}

// UpdateUnit replaces a unit's descriptive fields; a different parent_id
// moves it (with its subtree).
func (s *Service) UpdateUnit(ctx context.Context, a model.Actor, id int64, in UnitInput) (*model.Unit, error) {
	var out *model.Unit
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		u, err := s.updateUnitTx(ctx, tx, a, id, in)
		out = u
		return err
	})
	return out, err
}

func (s *Service) updateUnitTx(ctx context.Context, tx *storage.Tx, a model.Actor, id int64, in UnitInput) (*model.Unit, error) {
	u, err := tx.Orgs().Unit(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.can(a, authz.UnitWrite, u.Path) {
		return nil, fmt.Errorf("editing unit %q: %w", u.Name, model.ErrForbidden)
	}
	kinds, err := s.kindSet(ctx, tx.Q)
	if err != nil {
		return nil, err
	}
	if err := in.validate(kinds); err != nil {
		return nil, err
	}
	before := snapshot(u)
	moved := !sameParent(u.ParentID, in.ParentID)
	if moved {
		if err := s.canCreateUnder(ctx, tx.Q, a, in.ParentID); err != nil {
			return nil, err
		}
		if err := tx.Orgs().MoveUnit(ctx, id, in.ParentID); err != nil {
			return nil, err
		}
	}
	renamed := u.Name != in.Name || u.ShortName != in.ShortName || u.Abbreviation != in.Abbreviation
	u.Code, u.Name, u.ShortName, u.Kind, u.Abbreviation, u.AgencyID, u.ActiveFrom, u.DissolvedOn =
		in.Code, in.Name, in.ShortName, in.Kind, in.Abbreviation, in.AgencyID, in.ActiveFrom, in.DissolvedOn
	if err := tx.Orgs().UpdateUnit(ctx, u); err != nil {
		return nil, err
	}
	if u, err = tx.Orgs().Unit(ctx, id); err != nil {
		return nil, err
	}
	change := "update"
	switch {
	case moved:
		change = "move"
	case renamed:
		change = "rename"
	}
	if before == snapshot(u) {
		return u, nil
	}
	return u, s.record(ctx, tx, a, u, change, before, snapshot(u))
}

func sameParent(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// MergeUnit dissolves unit id on the given day and records that it was
// merged into another unit; its children move to the target. Documents
// keep pointing at the dissolved unit as it was.
func (s *Service) MergeUnit(ctx context.Context, a model.Actor, id, into int64, day string) (*model.Unit, error) {
	if !validDate(day) || day == "" {
		return nil, model.Invalid("date", "%q is not a date: use YYYY-MM-DD", day)
	}
	if id == into {
		return nil, model.Invalid("into", "a unit cannot be merged into itself")
	}
	var out *model.Unit
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		u, err := tx.Orgs().Unit(ctx, id)
		if err != nil {
			return err
		}
		target, err := tx.Orgs().Unit(ctx, into)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalid("into", "unit %d does not exist", into)
			}
			return err
		}
		if !s.can(a, authz.UnitWrite, u.Path) || !s.can(a, authz.UnitWrite, target.Path) {
			return fmt.Errorf("merging %q into %q: %w", u.Name, target.Name, model.ErrForbidden)
		}
		if strings.HasPrefix(target.Path, u.Path) {
			return model.Invalid("into", "cannot merge %q into one of its own sub-units", u.Name)
		}
		if u.DissolvedOn != "" {
			return model.Invalid("id", "unit %q was already dissolved on %s", u.Name, u.DissolvedOn)
		}
		before := snapshot(u)
		children, err := tx.Orgs().Subtree(ctx, u.Path)
		if err != nil {
			return err
		}
		for _, c := range children {
			if c.ParentID != nil && *c.ParentID == u.ID {
				cb := snapshot(c)
				if err := tx.Orgs().MoveUnit(ctx, c.ID, &target.ID); err != nil {
					return err
				}
				moved, err := tx.Orgs().Unit(ctx, c.ID)
				if err != nil {
					return err
				}
				if err := s.record(ctx, tx, a, moved, "move", cb, snapshot(moved)); err != nil {
					return err
				}
			}
		}
		u.DissolvedOn = day
		u.MergedInto = &target.ID
		if err := tx.Orgs().UpdateUnit(ctx, u); err != nil {
			return err
		}
		if u, err = tx.Orgs().Unit(ctx, id); err != nil {
			return err
		}
		out = u
		return s.record(ctx, tx, a, u, "merge", before, snapshot(u))
	})
	return out, err
}

// Units returns every unit (the directory is readable by every user).
func (s *Service) Units(ctx context.Context) ([]*model.Unit, error) {
	return s.store.Orgs().Units(ctx)
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, id int64) (*model.Unit, error) {
	return s.store.Orgs().Unit(ctx, id)
}

// History returns a unit's changes.
func (s *Service) History(ctx context.Context, id int64) ([]model.UnitChange, error) {
	if _, err := s.store.Orgs().Unit(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Orgs().UnitHistory(ctx, id)
}

// Kinds lists unit kinds.
func (s *Service) Kinds(ctx context.Context) ([]model.UnitKind, error) {
	return s.store.Orgs().UnitKinds(ctx)
}

// SaveKind creates or edits a unit kind (root administrators only).
func (s *Service) SaveKind(ctx context.Context, a model.Actor, k model.UnitKind) error {
	if !isRootAdmin(a) {
		return fmt.Errorf("editing unit kinds needs an administrator of a top-level unit: %w", model.ErrForbidden)
	}
	if !codeRe.MatchString(k.Code) {
		return model.Invalid("code", "%q is not a valid kind code (letters, digits, '_', '-')", k.Code)
	}
	if strings.TrimSpace(k.NameVI) == "" {
		return model.Invalid("name_vi", "the Vietnamese name is required")
	}
	if k.NameEN == "" {
		k.NameEN = k.NameVI
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Orgs().UpsertUnitKind(ctx, k); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "unit_kind.save", "unit_kind", k.Code, k.NameVI)
	})
}

// Tree arranges units into a forest by parent, children sorted by name in
// Vietnamese alphabetical order (a, ă, â, b, …, đ after d).
func Tree(units []*model.Unit) []*model.Unit {
	byID := make(map[int64]*model.Unit, len(units))
	for _, u := range units {
		u.Children = nil
		byID[u.ID] = u
	}
	var roots []*model.Unit
	for _, u := range units {
		if u.ParentID != nil {
			if p, ok := byID[*u.ParentID]; ok {
				p.Children = append(p.Children, u)
				continue
			}
		}
		roots = append(roots, u)
	}
	col := collate.New(language.Vietnamese, collate.Loose)
	var sortRec func([]*model.Unit)
	sortRec = func(list []*model.Unit) {
		sort.SliceStable(list, func(i, j int) bool { return col.CompareString(list[i].Name, list[j].Name) < 0 })
		for _, u := range list {
			sortRec(u.Children)
		}
	}
	sortRec(roots)
	return roots
}
