package orgs

import (
	"context"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// RenameUnit gives a unit a new name from day on (YYYY-MM-DD) by the act
// named in basis (e.g. "Nghị quyết 202/2025/QH15"), keeping the old name
// as valid until then: documents and deliveries of earlier days still show
// the name of their day (NameAt).
func (s *Service) RenameUnit(ctx context.Context, a model.Actor, id int64, name, shortName, day, basis string) (*model.Unit, error) {
	name, shortName, basis = strings.TrimSpace(name), strings.TrimSpace(shortName), strings.TrimSpace(basis)
	if !validDate(day) || day == "" {
		return nil, model.Invalid("date", "%q is not a date: use YYYY-MM-DD", day)
	}
	if name == "" || len(name) > 300 {
		return nil, model.Invalid("name", "give the new name (at most 300 bytes)")
	}
	if len(shortName) > 300 || len(basis) > 300 {
		return nil, model.Invalid("basis", "short name and basis: at most 300 bytes each")
	}
	var out *model.Unit
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		u, err := tx.Orgs().Unit(ctx, id)
		if err != nil {
			return err
		}
		if !s.can(a, authz.UnitWrite, u.Path) {
			return fmt.Errorf("renaming %q: %w", u.Name, model.ErrForbidden)
		}
		former, err := tx.Orgs().FormerNames(ctx, id)
		if err != nil {
			return err
		}
		from := u.ActiveFrom
		if len(former) > 0 {
			from = former[len(former)-1].ValidTo
		}
		if from != "" && day <= from {
			return model.Invalid("date", "the name %q is valid from %s: a rename must come later than %s", u.Name, from, day)
		}
		if err := tx.Orgs().AddFormerName(ctx, storage.FormerName{UnitID: id, Name: u.Name, ShortName: u.ShortName, ValidFrom: from, ValidTo: day, Basis: basis}); err != nil {
			return err
		}
		before := snapshot(u)
		u.Name, u.ShortName = name, shortName
		if err := tx.Orgs().UpdateUnit(ctx, u); err != nil {
			return err
		}
		if u, err = tx.Orgs().Unit(ctx, id); err != nil {
			return err
		}
		out = u
		return s.record(ctx, tx, a, u, "rename", before, snapshot(u))
	})
	return out, err
}

// NameAt is the name a unit had on day (YYYY-MM-DD): a former name when
// it was renamed later, otherwise its current name.
func (s *Service) NameAt(ctx context.Context, id int64, day string) (string, error) {
	if !validDate(day) || day == "" {
		return "", model.Invalid("date", "%q is not a date: use YYYY-MM-DD", day)
	}
	n, ok, err := s.store.Orgs().FormerNameAt(ctx, id, day)
	if err != nil {
		return "", err
	}
	if ok {
		return n.Name, nil
	}
	u, err := s.store.Orgs().Unit(ctx, id)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// FormerNames lists a unit's former names, oldest first.
func (s *Service) FormerNames(ctx context.Context, id int64) ([]storage.FormerName, error) {
	return s.store.Orgs().FormerNames(ctx, id)
}
