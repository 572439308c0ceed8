package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// TrailStore holds the queries of the handling trail of incoming
// documents and deliveries (append-only).
type TrailStore struct{ Q }

// Trail returns the handling trail queries on q's pool or transaction.
func (q Q) Trail() TrailStore { return TrailStore{q} }

// AppendTrail records one step. The actor's and the receiver's names are
// read from the users and units tables, so the trail keeps them as they
// were; ActorName and ToName given by the caller are used when there is
// no such row (a system actor).
func (q TrailStore) AppendTrail(ctx context.Context, e *model.TrailEntry) error {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	name := func(query string, id *int64, dst *string) error {
		if id == nil {
			return nil
		}
		var n string
		err := q.row(ctx, query, *id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("name for the handling trail: %w", err)
		}
		*dst = n
		return nil
	}
	if err := name(`SELECT full_name FROM users WHERE id = ?`, e.ActorUserID, &e.ActorName); err != nil {
		return err
	}
	if err := name(`SELECT name FROM units WHERE id = ?`, e.ToUnitID, &e.ToName); err != nil {
		return err
	}
	if err := name(`SELECT full_name FROM users WHERE id = ?`, e.ToUserID, &e.ToName); err != nil {
		return err
	}
	id, err := q.insertID(ctx, `INSERT INTO handling_trail (unit_id, document_id, delivery_id, action, state, actor_user_id, actor_name,
		to_user_id, to_unit_id, to_name, instruction, deadline, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.UnitID, e.DocumentID, e.DeliveryID, e.Action, e.State, e.ActorUserID, e.ActorName,
		e.ToUserID, e.ToUnitID, e.ToName, e.Instruction, e.Deadline, e.Detail, e.At)
	if err != nil {
		return fmt.Errorf("append handling trail %s: %w", e.Action, err)
	}
	e.ID = id
	return nil
}

const trailColumns = `id, unit_id, document_id, delivery_id, action, state, actor_user_id, actor_name, to_user_id, to_unit_id, to_name,
	instruction, deadline, detail, at`

// TrailOf lists, oldest first, the steps of a delivery (deliveryID) and of
// the incoming document it brought or that was registered by hand
// (documentID); either may be 0.
func (q TrailStore) TrailOf(ctx context.Context, documentID, deliveryID int64) ([]model.TrailEntry, error) {
	rows, err := q.query(ctx, `SELECT `+trailColumns+` FROM handling_trail WHERE document_id = ? OR delivery_id = ? ORDER BY id LIMIT 1000`,
		documentID, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("query handling trail: %w", err)
	}
	defer rows.Close()
	var out []model.TrailEntry
	for rows.Next() {
		var e model.TrailEntry
		var doc, del, actor, toUser, toUnit sql.NullInt64
		if err := rows.Scan(&e.ID, &e.UnitID, &doc, &del, &e.Action, &e.State, &actor, &e.ActorName, &toUser, &toUnit, &e.ToName,
			&e.Instruction, &e.Deadline, &e.Detail, &e.At); err != nil {
			return nil, fmt.Errorf("scan handling trail: %w", err)
		}
		e.DocumentID, e.DeliveryID, e.ActorUserID, e.ToUserID, e.ToUnitID = dirInt(doc), dirInt(del), dirInt(actor), dirInt(toUser), dirInt(toUnit)
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
