package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// CAPStore holds the queries of CAP alerts: incoming drafts, the links of
// emergency orders to CAP alerts and their info blocks per language.
type CAPStore struct{ Q }

// CAP returns the CAP queries on q's pool or transaction.
func (q Q) CAP() CAPStore { return CAPStore{q} }

const capInboundColumns = `id, unit_id, identifier, sender, sent, msg_type, status, headline, refs, xml, target_units, unmatched, state,
	received_by, received_at, decided_by, decided_at, order_id`

func scanCAPInbound(sc scanner) (*model.CAPInbound, error) {
	var c model.CAPInbound
	var targets string
	if err := sc.Scan(&c.ID, &c.UnitID, &c.Identifier, &c.Sender, &c.Sent, &c.MsgType, &c.Status, &c.Headline, &c.Refs, &c.XML, &targets,
		&c.Unmatched, &c.State, &c.ReceivedBy, &c.ReceivedAt, &c.DecidedBy, &c.DecidedAt, &c.OrderID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(targets), &c.TargetUnits); err != nil {
		return nil, fmt.Errorf("target units of CAP alert %d: %w", c.ID, err)
	}
	return &c, nil
}

// InsertCAPInbound stores a received alert; a second alert with the same
// sender and identifier is ErrConflict.
func (q CAPStore) InsertCAPInbound(ctx context.Context, c *model.CAPInbound) error {
	targets, err := json.Marshal(c.TargetUnits)
	if err != nil {
		return err
	}
	id, err := q.insertID(ctx, `INSERT INTO cap_inbound (unit_id, identifier, sender, sent, msg_type, status, headline, refs, xml, target_units, unmatched,
		state, received_by, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.UnitID, c.Identifier, c.Sender, c.Sent, c.MsgType, c.Status, c.Headline, c.Refs, c.XML, string(targets), c.Unmatched,
		c.State, c.ReceivedBy, c.ReceivedAt.UTC().Truncate(time.Microsecond))
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("CAP alert %s from %s was already received: %w", c.Identifier, c.Sender, model.ErrConflict)
		}
		return fmt.Errorf("insert CAP alert %s: %w", c.Identifier, err)
	}
	c.ID = id
	return nil
}

// CAPInbound returns one received alert.
func (q CAPStore) CAPInbound(ctx context.Context, id int64) (*model.CAPInbound, error) {
	c, err := scanCAPInbound(q.row(ctx, `SELECT `+capInboundColumns+` FROM cap_inbound WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("CAP alert %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read CAP alert %d: %w", id, err)
	}
	return c, nil
}

// CAPInboundBySenderID returns the received alert with that sender and
// identifier, or nil.
func (q CAPStore) CAPInboundBySenderID(ctx context.Context, sender, identifier string) (*model.CAPInbound, error) {
	c, err := scanCAPInbound(q.row(ctx, `SELECT `+capInboundColumns+` FROM cap_inbound WHERE sender = ? AND identifier = ?`, sender, identifier))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read CAP alert %s: %w", identifier, err)
	}
	return c, nil
}

// CAPInboundUnder lists the alerts received by units at or below path,
// newest first.
func (q CAPStore) CAPInboundUnder(ctx context.Context, path string, limit int) ([]*model.CAPInbound, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := q.query(ctx, `SELECT `+capInboundColumns+` FROM cap_inbound WHERE unit_id IN (SELECT id FROM units WHERE path LIKE ?) ORDER BY id DESC LIMIT ?`, path+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("list CAP alerts: %w", err)
	}
	defer rows.Close()
	var out []*model.CAPInbound
	for rows.Next() {
		c, err := scanCAPInbound(rows)
		if err != nil {
			return nil, fmt.Errorf("scan CAP alert: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DecideCAPInbound approves (with the order it became, if any) or rejects
// a draft; ErrConflict when it is no longer a draft.
func (q CAPStore) DecideCAPInbound(ctx context.Context, id int64, state, by string, at time.Time, orderID *int64) error {
	res, err := q.exec(ctx, `UPDATE cap_inbound SET state = ?, decided_by = ?, decided_at = ?, order_id = ? WHERE id = ? AND state = 'draft'`,
		state, by, at.UTC().Truncate(time.Microsecond), orderID, id)
	if err != nil {
		return fmt.Errorf("decide CAP alert %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("CAP alert %d is no longer a draft: %w", id, model.ErrConflict)
	}
	return nil
}

// PutCAPOrder links an emergency order to its CAP origin.
func (q CAPStore) PutCAPOrder(ctx context.Context, l model.CAPOrderLink) error {
	var in, sup any
	if l.InboundID != 0 {
		in = l.InboundID
	}
	if l.SupersedesOrderID != 0 {
		sup = l.SupersedesOrderID
	}
	if _, err := q.exec(ctx, `INSERT INTO cap_orders (order_id, inbound_id, supersedes_order_id) VALUES (?, ?, ?)`, l.OrderID, in, sup); err != nil {
		return fmt.Errorf("link order %d to CAP: %w", l.OrderID, err)
	}
	return nil
}

// CAPOrderLinks returns the CAP links of every linked order, by order id.
func (q CAPStore) CAPOrderLinks(ctx context.Context) (map[int64]model.CAPOrderLink, error) {
	rows, err := q.query(ctx, `SELECT order_id, COALESCE(inbound_id, 0), COALESCE(supersedes_order_id, 0) FROM cap_orders`)
	if err != nil {
		return nil, fmt.Errorf("read CAP order links: %w", err)
	}
	defer rows.Close()
	out := map[int64]model.CAPOrderLink{}
	for rows.Next() {
		var l model.CAPOrderLink
		if err := rows.Scan(&l.OrderID, &l.InboundID, &l.SupersedesOrderID); err != nil {
			return nil, err
		}
		out[l.OrderID] = l
	}
	return out, rows.Err()
}

// PutCAPOrderInfo stores one language's info block of an order.
func (q CAPStore) PutCAPOrderInfo(ctx context.Context, in model.CAPOrderInfo) error {
	if _, err := q.exec(ctx, `INSERT INTO cap_order_info (order_id, lang, event, headline, description, instruction) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (order_id, lang) DO UPDATE SET event = excluded.event, headline = excluded.headline, description = excluded.description, instruction = excluded.instruction`,
		in.OrderID, in.Lang, in.Event, in.Headline, in.Description, in.Instruction); err != nil {
		return fmt.Errorf("store CAP info %s of order %d: %w", in.Lang, in.OrderID, err)
	}
	return nil
}

// CAPOrderInfo returns the info blocks of an order, by language.
func (q CAPStore) CAPOrderInfo(ctx context.Context, orderID int64) ([]model.CAPOrderInfo, error) {
	rows, err := q.query(ctx, `SELECT order_id, lang, event, headline, description, instruction FROM cap_order_info WHERE order_id = ? ORDER BY lang DESC`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read CAP info of order %d: %w", orderID, err)
	}
	defer rows.Close()
	var out []model.CAPOrderInfo
	for rows.Next() {
		var in model.CAPOrderInfo
		if err := rows.Scan(&in.OrderID, &in.Lang, &in.Event, &in.Headline, &in.Description, &in.Instruction); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// EmergencyOrders lists the emergency orders issued since a time, newest
// first, with their targets.
func (q CAPStore) EmergencyOrders(ctx context.Context, since time.Time, limit int) ([]*BroadcastOrder, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return BroadcastStore(q).scanOrders(ctx, fmt.Sprintf(`SELECT `+orderColumns+orderFrom+` WHERE o.level = 'emergency' AND o.issued_at >= ?
		ORDER BY o.issued_at DESC, o.id DESC LIMIT %d`, limit), since.UTC().Truncate(time.Microsecond))
}
