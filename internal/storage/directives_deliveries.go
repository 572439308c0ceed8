package storage

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const deliveryColumns = `id, directive_id, recipient_unit_id, sender_unit_id, purpose, status, code, doc_type, subject, doc_date, deadline_at,
	attempts, available_at, last_error, document_id, register_entry_id, delivered_at, read_at, read_by, acknowledged_at, acknowledged_by,
	assigned_at, assigned_by, assignee_user_id, assignee_unit_id, assign_note, forwarded_at, forwarded_by, forward_directive_id,
	reported_at, reported_by, report, closed_at, closed_by, declined_at, declined_by, decline_reason, late, reminders, last_reminded_at,
	escalated_at, created_at, updated_at`

// dirQualified prefixes each column of a list with a table alias.
func dirQualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func scanDelivery(sc scanner) (*Delivery, error) {
	var d Delivery
	var deadline, delivered, read, ack, assigned, forwarded, reported, closed, declined, reminded, escalated sql.NullTime
	var doc, entry, readBy, ackBy, assignedBy, assUser, assUnit, fwdBy, fwdDir, repBy, closedBy, declBy sql.NullInt64
	if err := sc.Scan(&d.ID, &d.DirectiveID, &d.RecipientUnitID, &d.SenderUnitID, &d.Purpose, &d.Status, &d.Code, &d.DocType, &d.Subject, &d.DocDate, &deadline,
		&d.Attempts, &d.AvailableAt, &d.LastError, &doc, &entry, &delivered, &read, &readBy, &ack, &ackBy,
		&assigned, &assignedBy, &assUser, &assUnit, &d.AssignNote, &forwarded, &fwdBy, &fwdDir,
		&reported, &repBy, &d.Report, &closed, &closedBy, &declined, &declBy, &d.DeclineReason, &d.Late, &d.Reminders, &reminded,
		&escalated, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.DeadlineAt, d.DeliveredAt, d.ReadAt, d.AcknowledgedAt, d.AssignedAt = dirTime(deadline), dirTime(delivered), dirTime(read), dirTime(ack), dirTime(assigned)
	d.ForwardedAt, d.ReportedAt, d.ClosedAt, d.DeclinedAt = dirTime(forwarded), dirTime(reported), dirTime(closed), dirTime(declined)
	d.LastRemindedAt, d.EscalatedAt = dirTime(reminded), dirTime(escalated)
	d.DocumentID, d.RegisterEntryID, d.ReadBy, d.AcknowledgedBy, d.AssignedBy = dirInt(doc), dirInt(entry), dirInt(readBy), dirInt(ackBy), dirInt(assignedBy)
	d.AssigneeUserID, d.AssigneeUnitID, d.ForwardedBy, d.ForwardDirectiveID = dirInt(assUser), dirInt(assUnit), dirInt(fwdBy), dirInt(fwdDir)
	d.ReportedBy, d.ClosedBy, d.DeclinedBy = dirInt(repBy), dirInt(closedBy), dirInt(declBy)
	d.AvailableAt, d.CreatedAt, d.UpdatedAt = d.AvailableAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

func (q DeliveryStore) scanDeliveries(ctx context.Context, query string, args ...any) ([]*Delivery, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deliveryBatch is the number of rows per multi-row INSERT (12 parameters
// each; well below both engines' parameter limits).
const deliveryBatch = 400

// InsertDeliveries writes the pending deliveries (the outbox rows) of a
// directive being issued, in batches. A unit may appear once.
func (q DeliveryStore) InsertDeliveries(ctx context.Context, h DeliveryHeader, rows []NewDelivery, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	deadline := dirNullTime(h.DeadlineAt)
	for start := 0; start < len(rows); start += deliveryBatch {
		end := min(start+deliveryBatch, len(rows))
		var b strings.Builder
		b.WriteString(`INSERT INTO deliveries (directive_id, recipient_unit_id, sender_unit_id, purpose, status, code, doc_type, subject, doc_date, deadline_at,
			available_at, created_at, updated_at) VALUES `)
		args := make([]any, 0, (end-start)*12)
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`(?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`)
			args = append(args, h.DirectiveID, r.RecipientUnitID, h.SenderUnitID, r.Purpose, h.Code, h.DocType, h.Subject, h.DocDate, deadline, at, at, at)
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			if IsUniqueViolation(err) {
				return fmt.Errorf("a recipient unit appears twice in directive %d: %w", h.DirectiveID, model.ErrConflict)
			}
			return fmt.Errorf("insert deliveries %d-%d of directive %d: %w", start, end, h.DirectiveID, err)
		}
	}
	return nil
}

// MarkDeliveryDelivered completes a pending delivery: its inbox document
// and incoming-register line exist. ErrConflict when it is not pending.
func (q DeliveryStore) MarkDeliveryDelivered(ctx context.Context, id, documentID, entryID int64, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `UPDATE deliveries SET status = 'delivered', document_id = ?, register_entry_id = ?, delivered_at = ?,
		last_error = '', updated_at = ? WHERE id = ? AND status = 'pending'`, documentID, entryID, at, at, id)
	if err != nil {
		return fmt.Errorf("mark delivery %d delivered: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delivery %d is no longer pending: %w", id, model.ErrConflict)
	}
	return nil
}

// Delivery returns one delivery.
func (q DeliveryStore) Delivery(ctx context.Context, id int64) (*Delivery, error) {
	d, err := scanDelivery(q.row(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("delivery %d", id))
	}
	return d, nil
}

// LockDelivery reads a delivery inside a write transaction, locking its
// row on PostgreSQL.
func (q DeliveryStore) LockDelivery(ctx context.Context, id int64) (*Delivery, error) {
	query := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE id = ?`
	if q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	d, err := scanDelivery(q.row(ctx, query, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("delivery %d", id))
	}
	return d, nil
}

// ChangeDelivery moves a delivery to c.Status when it is in one of the
// from states, recording who and when (earlier steps that were skipped,
// such as reading before acknowledging, are filled in with the same time).
// ErrConflict when the delivery is in another state.
func (q DeliveryStore) ChangeDelivery(ctx context.Context, id int64, from []string, c DeliveryChange) error {
	at := c.At.UTC().Truncate(time.Microsecond)
	read := `read_at = COALESCE(read_at, ?), read_by = COALESCE(read_by, ?)`
	// A confirmation (the first acknowledgement) after the deadline is late.
	ack := `late = late OR (acknowledged_at IS NULL AND ?), acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?)`
	var set string
	var args []any
	switch c.Status {
	case "read":
		set, args = read, []any{at, c.By}
	case "acknowledged":
		set, args = read+`, `+ack, []any{at, c.By, c.Late, at, c.By}
	case "assigned":
		set = read + `, ` + ack + `, assigned_at = ?, assigned_by = ?, assignee_user_id = ?, assignee_unit_id = ?, assign_note = ?`
		args = []any{at, c.By, c.Late, at, c.By, at, c.By, c.AssigneeUserID, c.AssigneeUnitID, c.AssignNote}
	case "forwarded":
		set = read + `, ` + ack + `, forwarded_at = ?, forwarded_by = ?, forward_directive_id = ?`
		args = []any{at, c.By, c.Late, at, c.By, at, c.By, c.ForwardDirectiveID}
	case "reported":
		// A report after the deadline is late too.
		set = read + `, reported_at = ?, reported_by = ?, report = ?, late = late OR ?`
		args = []any{at, c.By, at, c.By, c.Report, c.Late}
	case "closed":
		set, args = `closed_at = ?, closed_by = ?`, []any{at, c.By}
	case "declined":
		set = read + `, declined_at = ?, declined_by = ?, decline_reason = ?`
		args = []any{at, c.By, at, c.By, c.DeclineReason}
	default:
		return fmt.Errorf("change delivery %d: unknown status %q", id, c.Status)
	}
	args = append([]any{c.Status}, args...)
	args = append(args, at, id)
	for _, f := range from {
		args = append(args, f)
	}
	res, err := q.exec(ctx, `UPDATE deliveries SET status = ?, `+set+`, updated_at = ? WHERE id = ? AND status IN (`+dirPlaceholders(len(from))+`)`, args...)
	if err != nil {
		return fmt.Errorf("change delivery %d to %s: %w", id, c.Status, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delivery %d changed meanwhile: %w", id, model.ErrConflict)
	}
	return nil
}

// Inbox lists a unit's received deliveries, newest first.
func (q DeliveryStore) Inbox(ctx context.Context, f InboxFilter) ([]*Delivery, error) {
	where := []string{`d.status NOT IN ('pending', 'failed')`}
	var args []any
	if f.UnitID != 0 {
		where = append(where, `d.recipient_unit_id = ?`)
		args = append(args, f.UnitID)
	} else {
		where = append(where, `(d.assignee_user_id = ? OR d.assignee_unit_id = ?)`)
		args = append(args, f.AssigneeUserID, f.AssigneeUnitID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, `d.status IN (`+dirPlaceholders(len(f.Statuses))+`)`)
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.Purpose != "" {
		where = append(where, `d.purpose = ?`)
		args = append(args, f.Purpose)
	}
	if !f.Overdue.IsZero() {
		where = append(where, `d.deadline_at < ? AND d.status NOT IN ('reported', 'closed', 'declined')`)
		args = append(args, f.Overdue.UTC().Truncate(time.Microsecond))
	}
	if f.Late {
		where = append(where, `d.late`)
	}
	if f.BeforeID > 0 {
		where = append(where, `d.id < ?`)
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	// Search words are letters and digits only (see package directives):
	// they are written into the SQL as literals, so that PostgreSQL plans
	// every search for its own words rather than reusing a generic plan.
	var words []string
	for _, w := range f.Words {
		if dirWordRe.MatchString(w) && len(words) < 8 {
			words = append(words, w)
		}
	}
	// The rarest word decides the plan: few matching directives are
	// joined from the word index; a common word filters the unit's inbox
	// read newest first (which stops after a page).
	from := `deliveries d`
	if len(words) > 0 {
		rarest, fewest := -1, 0
		for i, w := range words {
			var n int
			if err := q.row(ctx, `SELECT count(*) FROM (SELECT 1 FROM directive_words WHERE `+dirWordRange("directive_words", w)+` ORDER BY word, directive_id LIMIT 5001) x`).Scan(&n); err != nil {
				return nil, fmt.Errorf("count search word %q: %w", w, err)
			}
			if n == 0 {
				return nil, nil
			}
			if rarest < 0 || n < fewest {
				rarest, fewest = i, n
			}
		}
		for i, w := range words {
			if i == rarest && fewest <= 5000 {
				continue
			}
			where = append(where, `EXISTS (SELECT 1 FROM directive_words x WHERE x.directive_id = d.directive_id AND `+dirWordRange("x", w)+`)`)
		}
		if fewest <= 5000 {
			// CROSS JOIN keeps SQLite's join order (words first); PostgreSQL plans it as any join.
			from = `directive_words w CROSS JOIN deliveries d`
			where = append([]string{dirWordRange("w", words[rarest]) + ` AND d.directive_id = w.directive_id`}, where...)
		}
	}
	return q.scanDeliveries(ctx, `SELECT `+dirQualified("d", deliveryColumns)+` FROM `+from+` WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY d.id DESC LIMIT %d`, f.Limit), args...)
}

// dirWordRe is what a search word may hold.
var dirWordRe = regexp.MustCompile(`^[\p{L}\p{N}]{1,40}$`)

// dirWordRange is the SQL condition "word starts with w" as an index range
// with literals (w is letters and digits only, checked by dirWordRe).
func dirWordRange(alias, w string) string {
	return fmt.Sprintf(`%s.word >= '%s' AND %s.word < '%s'`, alias, w, alias, strings.ReplaceAll(dirPrefixEnd(w), "'", "''"))
}

// dirPrefixEnd is the smallest string above every string starting with
// prefix (bytewise), for prefix range scans.
func dirPrefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return prefix + "\xff"
}

// InsertDirectiveWords indexes the search words of an issued directive.
func (q DeliveryStore) InsertDirectiveWords(ctx context.Context, directiveID int64, words []string) error {
	if len(words) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO directive_words (word, directive_id) VALUES `)
	args := make([]any, 0, 2*len(words))
	for i, w := range words {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
		args = append(args, w, directiveID)
	}
	if _, err := q.exec(ctx, b.String()+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("index words of directive %d: %w", directiveID, err)
	}
	return nil
}

// DeliveryByDocument returns the delivery whose inbox document this is.
func (q DeliveryStore) DeliveryByDocument(ctx context.Context, documentID int64) (*Delivery, error) {
	d, err := scanDelivery(q.row(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE document_id = ?`, documentID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("delivery of document %d", documentID))
	}
	return d, nil
}

// DirectiveDeliveries lists the deliveries of a directive in the order
// they were created.
func (q DeliveryStore) DirectiveDeliveries(ctx context.Context, directiveID int64) ([]*Delivery, error) {
	return q.scanDeliveries(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE directive_id = ? ORDER BY id`, directiveID)
}

// DeliveryOf returns a unit's delivery of a directive.
func (q DeliveryStore) DeliveryOf(ctx context.Context, directiveID, unitID int64) (*Delivery, error) {
	d, err := scanDelivery(q.row(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE directive_id = ? AND recipient_unit_id = ?`, directiveID, unitID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("delivery of directive %d to unit %d", directiveID, unitID))
	}
	return d, nil
}

// CountPendingDeliveries counts the outbox rows not yet delivered.
func (q DeliveryStore) CountPendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM deliveries WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", err)
	}
	return n, nil
}

// UnacknowledgedDeliveries lists main deliveries delivered at or before
// the instant and still not acknowledged (candidates for reminders and
// escalation), oldest first.
func (q DeliveryStore) UnacknowledgedDeliveries(ctx context.Context, deliveredBefore time.Time, limit int) ([]*Delivery, error) {
	if limit <= 0 {
		limit = 1000
	}
	// Leave out deliveries with nothing more to send by the issuer's
	// settings (defaults as DefaultDirectiveSettings).
	return q.scanDeliveries(ctx, `SELECT `+dirQualified("d", deliveryColumns)+` FROM deliveries d LEFT JOIN directive_settings s ON s.unit_id = d.sender_unit_id
		WHERE d.status IN ('delivered', 'read') AND d.purpose = 'main' AND d.delivered_at <= ?
		AND ((d.escalated_at IS NULL AND COALESCE(s.escalate_after_min, 4320) > 0)
		  OR (COALESCE(s.remind_after_min, 1440) > 0 AND d.reminders < COALESCE(s.max_reminders, 3)))
		ORDER BY d.delivered_at, d.id LIMIT `+fmt.Sprint(limit), deliveredBefore.UTC().Truncate(time.Microsecond))
}

// RecordReminder counts a reminder sent for an unacknowledged delivery;
// false when it was acknowledged meanwhile.
func (q DeliveryStore) RecordReminder(ctx context.Context, id int64, at time.Time) (bool, error) {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `UPDATE deliveries SET reminders = reminders + 1, last_reminded_at = ?, updated_at = ? WHERE id = ? AND status IN ('delivered', 'read')`, at, at, id)
	if err != nil {
		return false, fmt.Errorf("record reminder of delivery %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecordEscalation marks an unacknowledged delivery escalated to the
// recipient's superior; false when it already was (or was acknowledged).
func (q DeliveryStore) RecordEscalation(ctx context.Context, id int64, at time.Time) (bool, error) {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `UPDATE deliveries SET escalated_at = ?, updated_at = ? WHERE id = ? AND escalated_at IS NULL AND status IN ('delivered', 'read')`, at, at, id)
	if err != nil {
		return false, fmt.Errorf("record escalation of delivery %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Types and constants of this aggregate live in internal/model.
type Delivery = model.Delivery
type NewDelivery = model.NewDelivery
type DeliveryHeader = model.DeliveryHeader
type DeliveryChange = model.DeliveryChange
type InboxFilter = model.InboxFilter

// OpenDeliveriesOf lists a unit's received deliveries that still await
// its report (delivered, read, acknowledged, assigned or forwarded).
func (q DeliveryStore) OpenDeliveriesOf(ctx context.Context, unitID int64) ([]*Delivery, error) {
	return q.scanDeliveries(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE recipient_unit_id = ?
		AND status IN ('delivered', 'read', 'acknowledged', 'assigned', 'forwarded') ORDER BY id`, unitID)
}

// InsertDeliveryReminder records a reminder sent by hand from the tracking
// matrix and counts it on the delivery.
func (q DeliveryStore) InsertDeliveryReminder(ctx context.Context, r *model.DeliveryReminder) error {
	at := r.SentAt.UTC().Truncate(time.Microsecond)
	id, err := q.insertID(ctx, `INSERT INTO delivery_reminders (delivery_id, kind, message, channels, sent_by, sent_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.DeliveryID, r.Kind, r.Message, r.Channels, r.SentBy, at)
	if err != nil {
		return fmt.Errorf("record reminder of delivery %d: %w", r.DeliveryID, err)
	}
	r.ID = id
	if _, err := q.exec(ctx, `UPDATE deliveries SET reminders = reminders + 1, last_reminded_at = ?, updated_at = ? WHERE id = ?`, at, at, r.DeliveryID); err != nil {
		return fmt.Errorf("count reminder of delivery %d: %w", r.DeliveryID, err)
	}
	return nil
}

// DeliveryReminders lists the reminders sent by hand for a directive's
// deliveries, newest first.
func (q DeliveryStore) DeliveryReminders(ctx context.Context, directiveID int64) ([]model.DeliveryReminder, error) {
	rows, err := q.query(ctx, `SELECT r.id, r.delivery_id, r.kind, r.message, r.channels, r.sent_by, r.sent_at FROM delivery_reminders r
		JOIN deliveries d ON d.id = r.delivery_id WHERE d.directive_id = ? ORDER BY r.sent_at DESC, r.id DESC LIMIT 1000`, directiveID)
	if err != nil {
		return nil, fmt.Errorf("list reminders of directive %d: %w", directiveID, err)
	}
	defer rows.Close()
	var out []model.DeliveryReminder
	for rows.Next() {
		var r model.DeliveryReminder
		var by sql.NullInt64
		if err := rows.Scan(&r.ID, &r.DeliveryID, &r.Kind, &r.Message, &r.Channels, &by, &r.SentAt); err != nil {
			return nil, fmt.Errorf("scan reminder: %w", err)
		}
		r.SentBy = dirInt(by)
		out = append(out, r)
	}
	return out, rows.Err()
}
