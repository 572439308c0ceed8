package documents

import (
	"context"
	"errors"
	"fmt"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// MayRead reports whether the actor may open the document held by unitID.
// It is the one rule for "may see a document": opening it, registering it
// in an incoming register, and every page that links to it (references,
// citations, register entries) ask it, so a link is shown only when it
// opens.
func MayRead(ctx context.Context, q storage.Q, p authz.Policy, a model.Actor, unitID int64) (bool, error) {
	if a.IsSystem() {
		return true, nil
	}
	u, err := q.Orgs().Unit(ctx, unitID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("unit %d of a document: %w", unitID, err)
	}
	return p.Can(a, authz.DocRead, u.Path), nil
}

// Readable returns which of the documents ids the actor may open; ids of
// documents that do not exist are false.
func (s *Service) Readable(ctx context.Context, a model.Actor, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	units := map[int64]bool{}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		d, err := s.store.Documents().Document(ctx, id)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				out[id] = false
				continue
			}
			return nil, err
		}
		ok, seen := units[d.UnitID]
		if !seen {
			if ok, err = MayRead(ctx, s.store.Q, s.policy, a, d.UnitID); err != nil {
				return nil, err
			}
			units[d.UnitID] = ok
		}
		out[id] = ok
	}
	return out, nil
}
