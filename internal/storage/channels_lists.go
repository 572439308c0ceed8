package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// InsertChannelList stores a new list and fills l.ID and l.CreatedAt.
// ErrConflict when the unit already has a list of that name.
func (q ChannelStore) InsertChannelList(ctx context.Context, l *ChannelList) error {
	l.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO channel_lists (unit_id, name, description, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		l.UnitID, l.Name, l.Description, l.CreatedBy, l.CreatedAt)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("the unit already has a subscriber list named %q: %w", l.Name, model.ErrConflict)
		}
		return fmt.Errorf("insert subscriber list %q: %w", l.Name, err)
	}
	l.ID = id
	return nil
}

const channelListSelect = `SELECT l.id, l.unit_id, l.name, l.description, l.created_by, l.created_at,
	(SELECT count(*) FROM channel_subscribers s WHERE s.list_id = l.id AND s.opted_out_at IS NULL) FROM channel_lists l`

func scanChannelList(sc scanner) (*ChannelList, error) {
	var l ChannelList
	if err := sc.Scan(&l.ID, &l.UnitID, &l.Name, &l.Description, &l.CreatedBy, &l.CreatedAt, &l.Active); err != nil {
		return nil, err
	}
	return &l, nil
}

// ChannelList returns a subscriber list.
func (q ChannelStore) ChannelList(ctx context.Context, id int64) (*ChannelList, error) {
	l, err := scanChannelList(q.row(ctx, channelListSelect+` WHERE l.id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("subscriber list %d", id))
	}
	return l, nil
}

// ChannelListsOfUnit lists a unit's subscriber lists by name.
func (q ChannelStore) ChannelListsOfUnit(ctx context.Context, unitID int64) ([]*ChannelList, error) {
	rows, err := q.query(ctx, channelListSelect+` WHERE l.unit_id = ? ORDER BY l.name`, unitID)
	if err != nil {
		return nil, fmt.Errorf("query subscriber lists of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []*ChannelList
	for rows.Next() {
		l, err := scanChannelList(rows)
		if err != nil {
			return nil, fmt.Errorf("scan subscriber list: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpsertSubscriber adds a phone to a list or renews its consent, and
// reports whether it was new. Renewing clears a list-level opt-out; the
// caller checks the global opt-out first.
func (q ChannelStore) UpsertSubscriber(ctx context.Context, s *Subscriber) (bool, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM channel_subscribers WHERE list_id = ? AND phone = ?`, s.ListID, s.Phone).Scan(&n); err != nil {
		return false, fmt.Errorf("look up subscriber %s: %w", s.Phone, err)
	}
	s.UpdatedAt = now()
	s.ConsentAt = s.ConsentAt.UTC().Truncate(time.Microsecond)
	_, err := q.exec(ctx, `INSERT INTO channel_subscribers (list_id, phone, name, consent_source, consent_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (list_id, phone) DO UPDATE SET name = excluded.name, consent_source = excluded.consent_source,
		consent_at = excluded.consent_at, opted_out_at = NULL, updated_at = excluded.updated_at`,
		s.ListID, s.Phone, s.Name, s.ConsentSource, s.ConsentAt, s.CreatedBy, s.UpdatedAt)
	if err != nil {
		return false, fmt.Errorf("save subscriber %s: %w", s.Phone, err)
	}
	return n == 0, nil
}

// DeleteSubscriber removes a phone from a list.
func (q ChannelStore) DeleteSubscriber(ctx context.Context, listID int64, phone string) error {
	res, err := q.exec(ctx, `DELETE FROM channel_subscribers WHERE list_id = ? AND phone = ?`, listID, phone)
	if err != nil {
		return fmt.Errorf("remove subscriber %s: %w", phone, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscriber %s on list %d: %w", phone, listID, model.ErrNotFound)
	}
	return nil
}

// Subscribers lists the subscribers of a list by phone, at most limit.
func (q ChannelStore) Subscribers(ctx context.Context, listID int64, limit int) ([]*Subscriber, error) {
	if limit <= 0 || limit > 100000 {
		limit = 1000
	}
	rows, err := q.query(ctx, fmt.Sprintf(`SELECT list_id, phone, name, consent_source, consent_at, opted_out_at, created_by, updated_at
		FROM channel_subscribers WHERE list_id = ? ORDER BY phone LIMIT %d`, limit), listID)
	if err != nil {
		return nil, fmt.Errorf("query subscribers of list %d: %w", listID, err)
	}
	defer rows.Close()
	var out []*Subscriber
	for rows.Next() {
		var s Subscriber
		var opted sql.NullTime
		if err := rows.Scan(&s.ListID, &s.Phone, &s.Name, &s.ConsentSource, &s.ConsentAt, &opted, &s.CreatedBy, &s.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan subscriber: %w", err)
		}
		s.OptedOutAt = bcTimePtr(opted)
		out = append(out, &s)
	}
	return out, rows.Err()
}

// ListRecipients returns the phones of a list that may receive messages:
// consented, not opted out of the list nor globally.
func (q ChannelStore) ListRecipients(ctx context.Context, listID int64) ([]string, error) {
	rows, err := q.query(ctx, `SELECT s.phone FROM channel_subscribers s WHERE s.list_id = ? AND s.opted_out_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM channel_optouts o WHERE o.phone = s.phone) ORDER BY s.phone`, listID)
	if err != nil {
		return nil, fmt.Errorf("query recipients of list %d: %w", listID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("scan recipient: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// OptedOutPhones returns which of the phones refused messages.
func (q ChannelStore) OptedOutPhones(ctx context.Context, phones []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(phones) > 0 {
		n := min(len(phones), 500)
		args := make([]any, n)
		for i, p := range phones[:n] {
			args[i] = p
		}
		phones = phones[n:]
		rows, err := q.query(ctx, `SELECT phone FROM channel_optouts WHERE phone IN (`+bcPlaceholders(n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("query opt-outs: %w", err)
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan opt-out: %w", err)
			}
			out[p] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OptOutPhone records that a phone refuses messages (from every list) and
// reports whether it was not already opted out.
func (q ChannelStore) OptOutPhone(ctx context.Context, phone, source string, at time.Time) (bool, error) {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `INSERT INTO channel_optouts (phone, at, source) VALUES (?, ?, ?) ON CONFLICT (phone) DO NOTHING`, phone, at, source)
	if err != nil {
		return false, fmt.Errorf("record opt-out of %s: %w", phone, err)
	}
	if _, err := q.exec(ctx, `UPDATE channel_subscribers SET opted_out_at = ?, updated_at = ? WHERE phone = ? AND opted_out_at IS NULL`, at, at, phone); err != nil {
		return false, fmt.Errorf("mark subscriptions of %s opted out: %w", phone, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// OptInPhone lifts a phone's opt-out when the citizen asked for messages
// again at a time after the opt-out (so a replayed old request cannot undo
// a newer refusal), and reports whether it did.
func (q ChannelStore) OptInPhone(ctx context.Context, phone string, at time.Time) (bool, error) {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `DELETE FROM channel_optouts WHERE phone = ? AND at < ?`, phone, at)
	if err != nil {
		return false, fmt.Errorf("lift opt-out of %s: %w", phone, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return false, nil
	}
	if _, err := q.exec(ctx, `UPDATE channel_subscribers SET opted_out_at = NULL, updated_at = ? WHERE phone = ?`, at, phone); err != nil {
		return false, fmt.Errorf("restore subscriptions of %s: %w", phone, err)
	}
	return true, nil
}

// Types and constants of this aggregate live in internal/model.
type ChannelList = model.ChannelList
type Subscriber = model.Subscriber
