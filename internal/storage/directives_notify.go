package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// InsertNotification stores an in-app notification.
func (q DeliveryStore) InsertNotification(ctx context.Context, n *Notification) error {
	n.CreatedAt = n.CreatedAt.UTC().Truncate(time.Microsecond)
	id, err := q.insertID(ctx, `INSERT INTO notifications (unit_id, user_id, kind, directive_id, delivery_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.UnitID, n.UserID, n.Kind, n.DirectiveID, n.DeliveryID, n.Message, n.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert notification for unit %d: %w", n.UnitID, err)
	}
	n.ID = id
	return nil
}

// Notifications lists the notifications a user sees: those of the unit
// addressed to nobody in particular and those addressed to the user,
// newest first.
func (q DeliveryStore) Notifications(ctx context.Context, unitID, userID int64, unreadOnly bool, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	query := `SELECT id, unit_id, user_id, kind, directive_id, delivery_id, message, created_at, read_at FROM notifications
		WHERE unit_id = ? AND (user_id IS NULL OR user_id = ?)`
	if unreadOnly {
		query += ` AND read_at IS NULL`
	}
	rows, err := q.query(ctx, query+fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit), unitID, userID)
	if err != nil {
		return nil, fmt.Errorf("query notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var user, dir, del sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UnitID, &user, &n.Kind, &dir, &del, &n.Message, &n.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		n.UserID, n.DirectiveID, n.DeliveryID, n.ReadAt, n.CreatedAt = dirInt(user), dirInt(dir), dirInt(del), dirTime(read), n.CreatedAt.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotificationRead marks a notification of the unit read.
func (q DeliveryStore) MarkNotificationRead(ctx context.Context, id, unitID, userID int64, at time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND unit_id = ? AND (user_id IS NULL OR user_id = ?)`,
		at.UTC().Truncate(time.Microsecond), id, unitID, userID)
	if err != nil {
		return false, fmt.Errorf("mark notification %d read: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

const notifyColumns = `id, channel, unit_id, target, event, subject, body, attempts, next_attempt_at, sent_at, failed_at, last_error, created_at`

func scanNotify(sc scanner) (*NotifyMessage, error) {
	var m NotifyMessage
	var sent, failed sql.NullTime
	if err := sc.Scan(&m.ID, &m.Channel, &m.UnitID, &m.Target, &m.Event, &m.Subject, &m.Body, &m.Attempts, &m.NextAttemptAt, &sent, &failed, &m.LastError, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.SentAt, m.FailedAt, m.NextAttemptAt, m.CreatedAt = dirTime(sent), dirTime(failed), m.NextAttemptAt.UTC(), m.CreatedAt.UTC()
	return &m, nil
}

// InsertNotifyMessage queues an e-mail or webhook call (in the transaction
// of the event it reports, so it is sent if and only if the event
// happened).
func (q DeliveryStore) InsertNotifyMessage(ctx context.Context, m *NotifyMessage) error {
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Microsecond)
	id, err := q.insertID(ctx, `INSERT INTO notify_outbox (channel, unit_id, target, event, subject, body, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Channel, m.UnitID, m.Target, m.Event, m.Subject, m.Body, m.CreatedAt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("queue %s notification: %w", m.Channel, err)
	}
	m.ID = id
	return nil
}

// NotifyMessage returns one queued message.
func (q DeliveryStore) NotifyMessage(ctx context.Context, id int64) (*NotifyMessage, error) {
	m, err := scanNotify(q.row(ctx, `SELECT `+notifyColumns+` FROM notify_outbox WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("notification message %d", id))
	}
	return m, nil
}

// NotifyMessageSent records a successful send.
func (q DeliveryStore) NotifyMessageSent(ctx context.Context, id int64, at time.Time) error {
	if _, err := q.exec(ctx, `UPDATE notify_outbox SET sent_at = ?, last_error = '' WHERE id = ?`, at.UTC().Truncate(time.Microsecond), id); err != nil {
		return fmt.Errorf("mark notification %d sent: %w", id, err)
	}
	return nil
}

// NotifyMessages lists queued messages, newest first (tests, operators).
func (q DeliveryStore) NotifyMessages(ctx context.Context, limit int) ([]*NotifyMessage, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	rows, err := q.query(ctx, `SELECT `+notifyColumns+` FROM notify_outbox ORDER BY id DESC LIMIT `+fmt.Sprint(limit))
	if err != nil {
		return nil, fmt.Errorf("query notification outbox: %w", err)
	}
	defer rows.Close()
	var out []*NotifyMessage
	for rows.Next() {
		m, err := scanNotify(rows)
		if err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
type Notification = model.Notification
type NotifyMessage = model.NotifyMessage
