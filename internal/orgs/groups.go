package orgs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// GroupInput creates a recipient group: an explicit list of units, a rule,
// or both (the union).
type GroupInput struct {
	OwnerUnitID int64            `json:"owner_unit_id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Rule        *model.GroupRule `json:"rule"`
	Members     []int64          `json:"members"`
}

// CreateGroup adds a recipient group owned by a unit.
func (s *Service) CreateGroup(ctx context.Context, a model.Actor, in GroupInput) (*model.Group, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return nil, model.Invalid("name", "the group name is required and at most 200 bytes")
	}
	if in.OwnerUnitID == 0 {
		in.OwnerUnitID = a.UnitID
	}
	if in.Rule == nil && len(in.Members) == 0 {
		return nil, model.Invalid("members", "give a list of member units, a rule, or both")
	}
	if len(in.Members) > 100000 {
		return nil, model.Invalid("members", "at most 100000 members")
	}
	var g *model.Group
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		owner, err := tx.Orgs().Unit(ctx, in.OwnerUnitID)
		if err != nil {
			return model.Invalid("owner_unit_id", "unit %d does not exist", in.OwnerUnitID)
		}
		if !s.can(a, authz.GroupWrite, owner.Path) {
			return fmt.Errorf("groups of %q: %w", owner.Name, model.ErrForbidden)
		}
		for i, m := range in.Members {
			if _, err := tx.Orgs().Unit(ctx, m); err != nil {
				return model.Invalid(fmt.Sprintf("members[%d]", i), "unit %d does not exist", m)
			}
		}
		if in.Rule != nil {
			if _, err := tx.Orgs().Unit(ctx, in.Rule.UnderUnitID); err != nil {
				return model.Invalid("rule.under_unit_id", "unit %d does not exist", in.Rule.UnderUnitID)
			}
			kinds, err := s.kindSet(ctx, tx.Q)
			if err != nil {
				return err
			}
			for _, k := range in.Rule.Kinds {
				if !kinds[k] {
					return model.Invalid("rule.kinds", "unknown unit kind %q", k)
				}
			}
		}
		g = &model.Group{OwnerUnitID: in.OwnerUnitID, Name: in.Name, Description: in.Description, Rule: in.Rule, Members: in.Members}
		if err := tx.Orgs().InsertGroup(ctx, g); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "group.create", "group", fmt.Sprint(g.ID), g.Name)
	})
	return g, err
}

// Groups lists the groups the actor may use: those of its unit, and for
// admins those of its subtree.
func (s *Service) Groups(ctx context.Context, a model.Actor) ([]*model.Group, error) {
	all, err := s.store.Orgs().Groups(ctx, 0)
	if err != nil {
		return nil, err
	}
	units, err := s.unitPaths(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, g := range all {
		if s.can(a, authz.GroupRead, units[g.OwnerUnitID]) {
			out = append(out, g)
		}
	}
	return out, nil
}

func (s *Service) unitPaths(ctx context.Context) (map[int64]string, error) {
	units, err := s.store.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(units))
	for _, u := range units {
		m[u.ID] = u.Path
	}
	return m, nil
}

// Group returns one group the actor may read.
func (s *Service) Group(ctx context.Context, a model.Actor, id int64) (*model.Group, error) {
	g, err := s.store.Orgs().Group(ctx, id)
	if err != nil {
		return nil, err
	}
	owner, err := s.store.Orgs().Unit(ctx, g.OwnerUnitID)
	if err != nil {
		return nil, err
	}
	if !s.can(a, authz.GroupRead, owner.Path) {
		return nil, fmt.Errorf("group %q: %w", g.Name, model.ErrForbidden)
	}
	return g, nil
}

// DeleteGroup removes a group.
func (s *Service) DeleteGroup(ctx context.Context, a model.Actor, id int64) error {
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		g, err := tx.Orgs().Group(ctx, id)
		if err != nil {
			return err
		}
		owner, err := tx.Orgs().Unit(ctx, g.OwnerUnitID)
		if err != nil {
			return err
		}
		if !s.can(a, authz.GroupWrite, owner.Path) {
			return fmt.Errorf("group %q: %w", g.Name, model.ErrForbidden)
		}
		if err := tx.Orgs().DeleteGroup(ctx, id); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "group.delete", "group", fmt.Sprint(id), g.Name)
	})
}

// Resolve returns the units a group stands for on a given day
// (YYYY-MM-DD): its explicit members plus every unit its rule selects,
// leaving out units not active that day. Sorted by path.
func Resolve(g *model.Group, units []*model.Unit, day string) []*model.Unit {
	byID := make(map[int64]*model.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	seen := map[int64]bool{}
	var out []*model.Unit
	add := func(u *model.Unit) {
		if u != nil && !seen[u.ID] && u.Active(day) {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	for _, id := range g.Members {
		add(byID[id])
	}
	if r := g.Rule; r != nil {
		if root := byID[r.UnderUnitID]; root != nil {
			kinds := map[string]bool{}
			for _, k := range r.Kinds {
				kinds[k] = true
			}
			for _, u := range units {
				if u.ID == root.ID || !strings.HasPrefix(u.Path, root.Path) {
					continue
				}
				if r.MaxDepth > 0 && u.Depth-root.Depth > r.MaxDepth {
					continue
				}
				if len(kinds) == 0 || kinds[u.Kind] {
					add(u)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ResolveGroup resolves a group for the actor on a day.
func (s *Service) ResolveGroup(ctx context.Context, a model.Actor, id int64, day string) ([]*model.Unit, error) {
	g, err := s.Group(ctx, a, id)
	if err != nil {
		return nil, err
	}
	units, err := s.store.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	return Resolve(g, units, day), nil
}
