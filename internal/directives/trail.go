package directives

import (
	"context"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// trailActions maps a delivery state reached by a step to the step's
// action in the handling trail.
var trailActions = map[string]string{
	Delivered: model.TrailReceived, Read: model.TrailRead, Acknowledged: model.TrailAcknowledged, Assigned: model.TrailAssigned,
	Forwarded: model.TrailForwarded, Reported: model.TrailReported, Declined: model.TrailDeclined, Closed: model.TrailClosed,
}

// appendTrail records a delivery's step in its handling trail, inside the
// step's transaction. set fills what the step adds (receiver,
// instruction, deadline).
func (s *Service) appendTrail(ctx context.Context, tx *storage.Tx, a model.Actor, d *model.Delivery, state string, at time.Time, set func(*model.TrailEntry)) error {
	delID := d.ID
	e := &model.TrailEntry{UnitID: d.RecipientUnitID, DeliveryID: &delID, DocumentID: d.DocumentID, Action: trailActions[state], State: state,
		ActorUserID: userPtr(a), ActorName: trailActor(a), At: at}
	if set != nil {
		set(e)
	}
	return tx.Trail().AppendTrail(ctx, e)
}

// trailActor names an actor without a user row (the delivery worker).
func trailActor(a model.Actor) string {
	if a.IsSystem() {
		return "Loa"
	}
	return a.Username
}

// DeliveryTrail is the handling trail of a delivery and of the incoming
// document it brought: received, registered, passed on with instructions,
// and every change of state, oldest first.
func (s Deliveries) DeliveryTrail(ctx context.Context, a model.Actor, id int64) (*model.Trail, error) {
	d, err := s.store.Deliveries().Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayHandle(ctx, s.store.Q, a, d, false); err != nil {
		if _, terr := s.mayTrack(ctx, s.store.Q, a, d.DirectiveID, false); terr != nil {
			return nil, err
		}
	}
	return s.trailOf(ctx, d)
}

func (s Deliveries) trailOf(ctx context.Context, d *model.Delivery) (*model.Trail, error) {
	var doc int64
	if d.DocumentID != nil {
		doc = *d.DocumentID
	}
	entries, err := s.store.Trail().TrailOf(ctx, doc, d.ID)
	if err != nil {
		return nil, err
	}
	return model.NewTrail(entries), nil
}
