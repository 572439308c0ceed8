package directives

import (
	"context"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// CreateTx stores a draft inside the caller's transaction, with the same
// checks as Create; periodic reports (package reports) record the period
// they cover in the same transaction, so a report is made once.
func (s Drafts) CreateTx(ctx context.Context, tx *storage.Tx, a model.Actor, unitID int64, c Content) (*model.Directive, error) {
	c.Normalize()
	return s.createTx(ctx, tx, a, unitID, c, func(*model.Directive) {})
}

// ViewOf is the view of a stored directive for an actor.
func (s Drafts) ViewOf(ctx context.Context, a model.Actor, d *model.Directive) (*View, error) {
	return s.view(ctx, a, d)
}
