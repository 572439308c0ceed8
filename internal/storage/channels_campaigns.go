package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

func chUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func chClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// InsertCampaign stores a campaign and fills c.ID and c.CreatedAt.
func (q ChannelStore) InsertCampaign(ctx context.Context, c *Campaign) error {
	c.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO channel_campaigns (unit_id, channel, body, parts, order_id, directive_id, status, recipients, excluded, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.UnitID, c.Channel, c.Body, c.Parts, c.OrderID, c.DirectiveID, c.Status, c.Recipients, c.Excluded, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert campaign: %w", err)
	}
	c.ID = id
	return nil
}

// InsertOutMessages queues messages (500 rows per statement).
func (q ChannelStore) InsertOutMessages(ctx context.Context, msgs []*OutMessage) error {
	const cols = 10
	t := now()
	for len(msgs) > 0 {
		n := min(len(msgs), 500)
		chunk := msgs[:n]
		msgs = msgs[n:]
		var b strings.Builder
		b.WriteString(`INSERT INTO channel_messages (campaign_id, channel, phone, part, parts, body, client_ref, status, next_at, updated_at) VALUES `)
		args := make([]any, 0, n*cols)
		for i, m := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, m.CampaignID, m.Channel, m.Phone, m.Part, m.Parts, m.Body, m.ClientRef, MsgQueued, chUTC(m.NextAt), t)
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("queue %d messages: %w", n, err)
		}
	}
	return nil
}

const campaignColumns = `id, unit_id, channel, body, parts, order_id, directive_id, status, recipients, excluded, created_by, created_at, finished_at`

func scanCampaign(sc scanner) (*Campaign, error) {
	var c Campaign
	var fin sql.NullTime
	if err := sc.Scan(&c.ID, &c.UnitID, &c.Channel, &c.Body, &c.Parts, &c.OrderID, &c.DirectiveID, &c.Status, &c.Recipients, &c.Excluded,
		&c.CreatedBy, &c.CreatedAt, &fin); err != nil {
		return nil, err
	}
	c.FinishedAt = bcTimePtr(fin)
	return &c, nil
}

// Campaign returns a campaign.
func (q ChannelStore) Campaign(ctx context.Context, id int64) (*Campaign, error) {
	c, err := scanCampaign(q.row(ctx, `SELECT `+campaignColumns+` FROM channel_campaigns WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("campaign %d", id))
	}
	return c, nil
}

// Campaigns lists campaigns, newest first.
func (q ChannelStore) Campaigns(ctx context.Context, f CampaignFilter) ([]*Campaign, error) {
	query := `SELECT ` + campaignColumns + ` FROM channel_campaigns WHERE 1=1`
	var args []any
	for _, c := range []struct {
		col string
		v   int64
	}{{"unit_id", f.UnitID}, {"order_id", f.OrderID}, {"directive_id", f.DirectiveID}} {
		if c.v != 0 {
			query += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := q.query(ctx, query+fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query campaigns: %w", err)
	}
	defer rows.Close()
	var out []*Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("scan campaign: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CampaignCounts counts a campaign's messages by status.
func (q ChannelStore) CampaignCounts(ctx context.Context, id int64) (map[string]int, error) {
	rows, err := q.query(ctx, `SELECT status, count(*) FROM channel_messages WHERE campaign_id = ? GROUP BY status`, id)
	if err != nil {
		return nil, fmt.Errorf("count messages of campaign %d: %w", id, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("scan message count: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

const outMessageColumns = `m.id, m.campaign_id, m.channel, m.phone, m.part, m.parts, m.body, m.client_ref, m.status, m.attempts, m.next_at,
	m.provider_id, m.last_error, m.sent_at, m.receipt_at, m.updated_at`

func scanOutMessage(sc scanner, extra ...any) (*OutMessage, error) {
	var m OutMessage
	var sent, receipt sql.NullTime
	dest := []any{&m.ID, &m.CampaignID, &m.Channel, &m.Phone, &m.Part, &m.Parts, &m.Body, &m.ClientRef, &m.Status, &m.Attempts, &m.NextAt,
		&m.ProviderID, &m.LastError, &sent, &receipt, &m.UpdatedAt}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	m.SentAt, m.ReceiptAt = bcTimePtr(sent), bcTimePtr(receipt)
	return &m, nil
}

func (q ChannelStore) scanOutMessages(ctx context.Context, query string, args ...any) ([]*OutMessage, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query messages: %w", err)
	}
	defer rows.Close()
	var out []*OutMessage
	for rows.Next() {
		m, err := scanOutMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CampaignMessages lists a campaign's messages with id > afterID.
func (q ChannelStore) CampaignMessages(ctx context.Context, campaignID, afterID int64, limit int) ([]*OutMessage, error) {
	if limit <= 0 || limit > 10000 {
		limit = 500
	}
	return q.scanOutMessages(ctx, fmt.Sprintf(`SELECT `+outMessageColumns+` FROM channel_messages m WHERE m.campaign_id = ? AND m.id > ? ORDER BY m.id LIMIT %d`, limit),
		campaignID, afterID)
}

// OutMessage returns one message.
func (q ChannelStore) OutMessage(ctx context.Context, id int64) (*OutMessage, error) {
	m, err := scanOutMessage(q.row(ctx, `SELECT `+outMessageColumns+` FROM channel_messages m WHERE m.id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("message %d", id))
	}
	return m, nil
}

// MessagesByProviderID finds the messages a provider knows by its id.
func (q ChannelStore) MessagesByProviderID(ctx context.Context, channel, providerID string) ([]*OutMessage, error) {
	return q.scanOutMessages(ctx, `SELECT `+outMessageColumns+` FROM channel_messages m WHERE m.channel = ? AND m.provider_id = ? ORDER BY m.id`, channel, providerID)
}

// MessageToSend returns a message claimed from MessageQueue with its
// campaign's status.
func (q ChannelStore) MessageToSend(ctx context.Context, id int64) (*OutMessage, error) {
	var cs string
	m, err := scanOutMessage(q.row(ctx, `SELECT `+outMessageColumns+`, c.status FROM channel_messages m JOIN channel_campaigns c ON c.id = m.campaign_id
		WHERE m.id = ?`, id), &cs)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("message %d", id))
	}
	m.CampaignStatus = cs
	return m, nil
}

// OpenAttempts returns a message's attempts that have no outcome.
func (q ChannelStore) OpenAttempts(ctx context.Context, messageID int64) ([]*Attempt, error) {
	return q.attempts(ctx, ` AND outcome = ''`, messageID)
}

// Attempts returns every attempt of a message.
func (q ChannelStore) Attempts(ctx context.Context, messageID int64) ([]*Attempt, error) {
	return q.attempts(ctx, ``, messageID)
}

func (q ChannelStore) attempts(ctx context.Context, cond string, messageID int64) ([]*Attempt, error) {
	rows, err := q.query(ctx, `SELECT id, message_id, n, client_ref, started_at, finished_at, outcome, provider_id, error
		FROM channel_attempts WHERE message_id = ?`+cond+` ORDER BY n`, messageID)
	if err != nil {
		return nil, fmt.Errorf("query attempts of message %d: %w", messageID, err)
	}
	defer rows.Close()
	var out []*Attempt
	for rows.Next() {
		var a Attempt
		var fin sql.NullTime
		if err := rows.Scan(&a.ID, &a.MessageID, &a.N, &a.ClientRef, &a.StartedAt, &fin, &a.Outcome, &a.ProviderID, &a.Error); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.FinishedAt = bcTimePtr(fin)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// StartAttempt records attempt n of a claimed message before the
// provider is called and marks the message in flight (the claim counted
// the attempt and leased the message); it returns the attempt.
func (q ChannelStore) StartAttempt(ctx context.Context, m *OutMessage, n int, at time.Time) (*Attempt, error) {
	a := &Attempt{MessageID: m.ID, N: n, ClientRef: m.ClientRef, StartedAt: chUTC(at)}
	id, err := q.insertID(ctx, `INSERT INTO channel_attempts (message_id, n, client_ref, started_at) VALUES (?, ?, ?, ?)`, a.MessageID, a.N, a.ClientRef, a.StartedAt)
	if err != nil {
		return nil, fmt.Errorf("record attempt %d of message %d: %w", a.N, m.ID, err)
	}
	a.ID = id
	_, err = q.exec(ctx, `UPDATE channel_messages SET status = 'sending', updated_at = ? WHERE id = ?`, a.StartedAt, m.ID)
	if err != nil {
		return nil, fmt.Errorf("mark message %d in flight: %w", m.ID, err)
	}
	return a, nil
}

// CloseAttempt records an attempt's outcome.
func (q ChannelStore) CloseAttempt(ctx context.Context, attemptID int64, outcome, providerID, msg string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE channel_attempts SET outcome = ?, provider_id = ?, error = ?, finished_at = ? WHERE id = ?`,
		outcome, chClip(providerID, 200), chClip(msg, 2000), chUTC(at), attemptID)
	if err != nil {
		return fmt.Errorf("record outcome of attempt %d: %w", attemptID, err)
	}
	return nil
}

// MarkMessageSent records the provider's acceptance.
func (q ChannelStore) MarkMessageSent(ctx context.Context, id int64, providerID string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE channel_messages SET status = 'sent', provider_id = ?, sent_at = ?, last_error = '', updated_at = ? WHERE id = ?`,
		chClip(providerID, 200), chUTC(at), chUTC(at), id)
	if err != nil {
		return fmt.Errorf("mark message %d sent: %w", id, err)
	}
	return nil
}

// EndMessage gives a pending message a final status (unknown,
// cancelled, skipped, failed) with the reason and the attempts it made.
func (q ChannelStore) EndMessage(ctx context.Context, id int64, attempts int, status, msg string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE channel_messages SET status = ?, attempts = ?, last_error = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'sending')`,
		status, attempts, chClip(msg, 2000), chUTC(at), id)
	if err != nil {
		return fmt.Errorf("mark message %d %s: %w", id, status, err)
	}
	return nil
}

// SetReceipt applies a delivery receipt to a sent message and reports
// whether it changed it (a message already delivered, failed or expired
// keeps its first receipt).
func (q ChannelStore) SetReceipt(ctx context.Context, id int64, status string, receiptAt, at time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE channel_messages SET status = ?, receipt_at = ?, updated_at = ? WHERE id = ? AND status = 'sent'`,
		status, chUTC(receiptAt), chUTC(at), id)
	if err != nil {
		return false, fmt.Errorf("record receipt of message %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// FinishCampaignIfDone marks a sending campaign done when none of its
// messages is pending, and reports whether it did.
func (q ChannelStore) FinishCampaignIfDone(ctx context.Context, id int64, at time.Time) (bool, error) {
	if q.engine == Postgres {
		// Two workers ending the campaign's last two messages at once would
		// each see the other's message still in flight (read committed)
		// and neither would finish the campaign: the campaign row's lock
		// orders them, and the second's next statement sees the first's
		// commit. SQLite's single writer orders them already.
		if _, err := q.exec(ctx, `SELECT id FROM channel_campaigns WHERE id = ? FOR UPDATE`, id); err != nil {
			return false, fmt.Errorf("lock campaign %d: %w", id, err)
		}
	}
	res, err := q.exec(ctx, `UPDATE channel_campaigns SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'
		AND NOT EXISTS (SELECT 1 FROM channel_messages WHERE campaign_id = ? AND status IN ('queued', 'sending'))`, chUTC(at), id, id)
	if err != nil {
		return false, fmt.Errorf("finish campaign %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// CancelCampaign stops a sending campaign: its queued messages are
// cancelled (those in flight finish). It returns how many were cancelled.
func (q ChannelStore) CancelCampaign(ctx context.Context, id int64, at time.Time) (int64, error) {
	res, err := q.exec(ctx, `UPDATE channel_campaigns SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'sending'`, chUTC(at), id)
	if err != nil {
		return 0, fmt.Errorf("cancel campaign %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("campaign %d is not sending (finished or cancelled): %w", id, model.ErrConflict)
	}
	res, err = q.exec(ctx, `UPDATE channel_messages SET status = 'cancelled', updated_at = ? WHERE campaign_id = ? AND status = 'queued'`, chUTC(at), id)
	if err != nil {
		return 0, fmt.Errorf("cancel messages of campaign %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Types and constants of this aggregate live in internal/model.
const CampaignSending = model.CampaignSending
const CampaignDone = model.CampaignDone
const CampaignCancelled = model.CampaignCancelled
const MsgQueued = model.MsgQueued
const MsgSending = model.MsgSending
const MsgSent = model.MsgSent
const MsgDelivered = model.MsgDelivered
const MsgFailed = model.MsgFailed
const MsgExpired = model.MsgExpired
const MsgUnknown = model.MsgUnknown
const MsgCancelled = model.MsgCancelled
const MsgSkipped = model.MsgSkipped
const AttemptAccepted = model.AttemptAccepted
const AttemptDuplicate = model.AttemptDuplicate
const AttemptRetry = model.AttemptRetry
const AttemptFailed = model.AttemptFailed
const AttemptInDoubt = model.AttemptInDoubt

type Campaign = model.Campaign
type OutMessage = model.OutMessage
type Attempt = model.Attempt
type CampaignFilter = model.CampaignFilter
