package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const directiveColumns = `id, unit_id, drafting_unit_id, created_by, status, step, version, content, doc_type, subject, implements_document_id,
	parent_delivery_id, correction_of, correction_kind, document_id, register_entry_id, pdf_sha, code, issued_date, issued_at, issued_by,
	fields, deadline_at, created_at, updated_at`

func dirTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func dirInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func dirNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

func dirPlaceholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func scanDirective(sc scanner) (*Directive, error) {
	var d Directive
	var by, impl, parent, corr, doc, entry, issuedBy sql.NullInt64
	var issuedAt, deadline sql.NullTime
	if err := sc.Scan(&d.ID, &d.UnitID, &d.DraftingUnitID, &by, &d.Status, &d.Step, &d.Version, &d.Content, &d.DocType, &d.Subject, &impl,
		&parent, &corr, &d.CorrectionKind, &doc, &entry, &d.PDFSHA, &d.Code, &d.IssuedDate, &issuedAt, &issuedBy,
		&d.Fields, &deadline, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.CreatedBy, d.ImplementsDocumentID, d.ParentDeliveryID, d.CorrectionOf = dirInt(by), dirInt(impl), dirInt(parent), dirInt(corr)
	d.DocumentID, d.RegisterEntryID, d.IssuedBy = dirInt(doc), dirInt(entry), dirInt(issuedBy)
	d.IssuedAt, d.DeadlineAt = dirTime(issuedAt), dirTime(deadline)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

// InsertDirective stores a new draft (version 1) and its first version row.
func (q DirectiveStore) InsertDirective(ctx context.Context, d *Directive, at time.Time, note string) error {
	at = at.UTC().Truncate(time.Microsecond)
	d.Version, d.CreatedAt, d.UpdatedAt = 1, at, at
	id, err := q.insertID(ctx, `INSERT INTO directives (unit_id, drafting_unit_id, created_by, status, step, version, content, doc_type, subject,
		implements_document_id, parent_delivery_id, correction_of, correction_kind, deadline_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.UnitID, d.DraftingUnitID, d.CreatedBy, d.Status, d.Content, d.DocType, d.Subject,
		d.ImplementsDocumentID, d.ParentDeliveryID, d.CorrectionOf, d.CorrectionKind, dirNullTime(d.DeadlineAt), at, at)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("this delivery has already been forwarded (it has its implementing draft): %w", model.ErrConflict)
		}
		return fmt.Errorf("insert directive: %w", err)
	}
	d.ID = id
	if _, err := q.exec(ctx, `INSERT INTO directive_versions (directive_id, version, content, saved_by, saved_at, note, autosave) VALUES (?, 1, ?, ?, ?, ?, FALSE)`,
		id, d.Content, d.CreatedBy, at, note); err != nil {
		return fmt.Errorf("insert first version of directive %d: %w", id, err)
	}
	return nil
}

// Directive returns one directive.
func (q DirectiveStore) Directive(ctx context.Context, id int64) (*Directive, error) {
	d, err := scanDirective(q.row(ctx, `SELECT `+directiveColumns+` FROM directives WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("directive %d", id))
	}
	return d, nil
}

// LockDirective reads a directive inside a write transaction and locks its
// row until commit (PostgreSQL; SQLite transactions already hold the
// database's single write lock).
func (q DirectiveStore) LockDirective(ctx context.Context, id int64) (*Directive, error) {
	query := `SELECT ` + directiveColumns + ` FROM directives WHERE id = ?`
	if q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	d, err := scanDirective(q.row(ctx, query, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("directive %d", id))
	}
	return d, nil
}

// DirectiveByParentDelivery returns the draft that implements a delivery.
func (q DirectiveStore) DirectiveByParentDelivery(ctx context.Context, deliveryID int64) (*Directive, error) {
	d, err := scanDirective(q.row(ctx, `SELECT `+directiveColumns+` FROM directives WHERE parent_delivery_id = ?`, deliveryID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("directive implementing delivery %d", deliveryID))
	}
	return d, nil
}

// SaveDirectiveContent stores edited draft content as the next version.
// It fails with ErrConflict when the draft is no longer at baseVersion or
// no longer editable (status other than draft). An autosave replaces the
// previous version row when that row was an autosave by the same user, so
// the history keeps explicit saves and the latest autosave.
func (q DirectiveStore) SaveDirectiveContent(ctx context.Context, id int64, baseVersion int, content, docType, subject string, deadline *time.Time,
	by *int64, at time.Time, note string, autosave bool) (int, error) {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `UPDATE directives SET content = ?, doc_type = ?, subject = ?, deadline_at = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ? AND status = 'draft'`, content, docType, subject, dirNullTime(deadline), at, id, baseVersion)
	if err != nil {
		return 0, fmt.Errorf("save directive %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("draft %d is no longer at version %d or is no longer editable; reload it: %w", id, baseVersion, model.ErrConflict)
	}
	v := baseVersion + 1
	if autosave {
		res, err := q.exec(ctx, `UPDATE directive_versions SET version = ?, content = ?, saved_at = ?, note = ?
			WHERE directive_id = ? AND version = ? AND autosave AND saved_by = ?`, v, content, at, note, id, baseVersion, by)
		if err != nil {
			return 0, fmt.Errorf("autosave directive %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return v, nil
		}
	}
	if _, err := q.exec(ctx, `INSERT INTO directive_versions (directive_id, version, content, saved_by, saved_at, note, autosave) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, v, content, by, at, note, autosave); err != nil {
		return 0, fmt.Errorf("insert version %d of directive %d: %w", v, id, err)
	}
	return v, nil
}

// SetDirectiveStatus moves a directive from one workflow status to another
// and sets its approval step; ErrConflict when it is not at from.
func (q DirectiveStore) SetDirectiveStatus(ctx context.Context, id int64, from, to string, step int, at time.Time) error {
	res, err := q.exec(ctx, `UPDATE directives SET status = ?, step = ?, updated_at = ? WHERE id = ? AND status = ?`,
		to, step, at.UTC().Truncate(time.Microsecond), id, from)
	if err != nil {
		return fmt.Errorf("set status of directive %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("directive %d is no longer %s: %w", id, from, model.ErrConflict)
	}
	return nil
}

// MarkDirectiveIssued records the number, document and PDF of an approved
// directive; ErrConflict when it is not approved (e.g. issued already).
func (q DirectiveStore) MarkDirectiveIssued(ctx context.Context, id int64, in IssuedDirective, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	res, err := q.exec(ctx, `UPDATE directives SET status = 'issued', document_id = ?, register_entry_id = ?, pdf_sha = ?, code = ?, issued_date = ?,
		issued_at = ?, issued_by = ?, fields = ?, content = ?, updated_at = ? WHERE id = ? AND status = 'approved'`,
		in.DocumentID, in.RegisterEntryID, in.PDFSHA, in.Code, in.Date, at, in.By, in.Fields, in.Content, at, id)
	if err != nil {
		return fmt.Errorf("mark directive %d issued: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("directive %d is not approved (or was issued meanwhile): %w", id, model.ErrConflict)
	}
	return nil
}

// LinkRegisterEntry points a register line at the document it numbered.
func (q DirectiveStore) LinkRegisterEntry(ctx context.Context, entryID, documentID int64) error {
	if _, err := q.exec(ctx, `UPDATE register_entries SET document_id = ? WHERE id = ?`, documentID, entryID); err != nil {
		return fmt.Errorf("link register entry %d to document %d: %w", entryID, documentID, err)
	}
	return nil
}

// Directives lists directives, newest first.
func (q DirectiveStore) ListDirectives(ctx context.Context, f DirectiveFilter) ([]*Directive, error) {
	var where []string
	var args []any
	if len(f.UnitIDs) > 0 {
		where = append(where, `unit_id IN (`+dirPlaceholders(len(f.UnitIDs))+`)`)
		for _, id := range f.UnitIDs {
			args = append(args, id)
		}
	}
	if len(f.Statuses) > 0 {
		where = append(where, `status IN (`+dirPlaceholders(len(f.Statuses))+`)`)
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.CreatedBy != 0 {
		where = append(where, `created_by = ?`)
		args = append(args, f.CreatedBy)
	}
	if f.BeforeID > 0 {
		where = append(where, `id < ?`)
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	query := `SELECT ` + directiveColumns + ` FROM directives`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, f.Limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query directives: %w", err)
	}
	defer rows.Close()
	var out []*Directive
	for rows.Next() {
		d, err := scanDirective(rows)
		if err != nil {
			return nil, fmt.Errorf("scan directive: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DirectiveCorrections lists the issued directives that replace or
// correct one.
func (q DirectiveStore) DirectiveCorrections(ctx context.Context, id int64) ([]*Directive, error) {
	rows, err := q.query(ctx, `SELECT `+directiveColumns+` FROM directives WHERE correction_of = ? AND status = 'issued' ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("query corrections of directive %d: %w", id, err)
	}
	defer rows.Close()
	var out []*Directive
	for rows.Next() {
		d, err := scanDirective(rows)
		if err != nil {
			return nil, fmt.Errorf("scan directive: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DirectiveParticipants returns the users who took part in a directive's
// workflow (commented, approved, returned …).
func (q DirectiveStore) DirectiveParticipants(ctx context.Context, id int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT DISTINCT user_id FROM directive_comments WHERE directive_id = ? AND user_id IS NOT NULL`, id)
	if err != nil {
		return nil, fmt.Errorf("query participants of directive %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("scan participant: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DirectiveVersions lists the versions of a draft (without content),
// oldest first.
func (q DirectiveStore) DirectiveVersions(ctx context.Context, id int64) ([]DirectiveVersion, error) {
	rows, err := q.query(ctx, `SELECT version, saved_by, saved_at, note, autosave FROM directive_versions WHERE directive_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("query versions of directive %d: %w", id, err)
	}
	defer rows.Close()
	var out []DirectiveVersion
	for rows.Next() {
		var v DirectiveVersion
		var by sql.NullInt64
		if err := rows.Scan(&v.Version, &by, &v.SavedAt, &v.Note, &v.Autosave); err != nil {
			return nil, fmt.Errorf("scan directive version: %w", err)
		}
		v.SavedBy, v.SavedAt = dirInt(by), v.SavedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// DirectiveVersionContent returns one version with its content.
func (q DirectiveStore) DirectiveVersionContent(ctx context.Context, id int64, version int) (*DirectiveVersion, error) {
	var v DirectiveVersion
	var by sql.NullInt64
	err := q.row(ctx, `SELECT version, saved_by, saved_at, note, autosave, content FROM directive_versions WHERE directive_id = ? AND version = ?`, id, version).
		Scan(&v.Version, &by, &v.SavedAt, &v.Note, &v.Autosave, &v.Content)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("version %d of directive %d", version, id))
	}
	v.SavedBy, v.SavedAt = dirInt(by), v.SavedAt.UTC()
	return &v, nil
}

// InsertDirectiveComment appends a comment or workflow event.
func (q DirectiveStore) InsertDirectiveComment(ctx context.Context, c *DirectiveComment) error {
	c.At = c.At.UTC().Truncate(time.Microsecond)
	id, err := q.insertID(ctx, `INSERT INTO directive_comments (directive_id, user_id, author, kind, step, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.DirectiveID, c.UserID, c.Author, c.Kind, c.Step, c.Text, c.At)
	if err != nil {
		return fmt.Errorf("insert comment on directive %d: %w", c.DirectiveID, err)
	}
	c.ID = id
	return nil
}

// DirectiveComments lists a directive's comments and events, oldest first.
func (q DirectiveStore) DirectiveComments(ctx context.Context, id int64) ([]DirectiveComment, error) {
	rows, err := q.query(ctx, `SELECT id, directive_id, user_id, author, kind, step, text, at FROM directive_comments WHERE directive_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("query comments of directive %d: %w", id, err)
	}
	defer rows.Close()
	var out []DirectiveComment
	for rows.Next() {
		var c DirectiveComment
		var by sql.NullInt64
		if err := rows.Scan(&c.ID, &c.DirectiveID, &by, &c.Author, &c.Kind, &c.Step, &c.Text, &c.At); err != nil {
			return nil, fmt.Errorf("scan comment: %w", err)
		}
		c.UserID, c.At = dirInt(by), c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertDirectiveItems stores the items of a directive being issued.
func (q DirectiveStore) InsertDirectiveItems(ctx context.Context, items []DirectiveItem) error {
	for _, it := range items {
		if _, err := q.exec(ctx, `INSERT INTO directive_items (directive_id, position, label, text, broadcast, broadcast_text, audio, level, start_date, end_date, times_per_day, slots)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.DirectiveID, it.Position, it.Label, it.Text, it.Broadcast, it.BroadcastText, it.Audio, it.Level,
			it.StartDate, it.EndDate, it.TimesPerDay, it.Slots); err != nil {
			return fmt.Errorf("insert item %d of directive %d: %w", it.Position, it.DirectiveID, err)
		}
	}
	return nil
}

// DirectiveBroadcastItems lists the broadcast items of the directives
// delivered to a unit (not declined), oldest delivery first.
func (q DirectiveStore) DirectiveBroadcastItems(ctx context.Context, unitID int64) ([]DirectiveBroadcastItem, error) {
	list, err := q.broadcastItems(ctx, `d.recipient_unit_id = ?`, unitID)
	if err != nil {
		return nil, fmt.Errorf("query broadcast items of unit %d: %w", unitID, err)
	}
	return list, nil
}

// DeliveryBroadcastItems lists the broadcast items of one delivery (none
// when it is pending, declined or failed).
func (q DirectiveStore) DeliveryBroadcastItems(ctx context.Context, deliveryID int64) ([]DirectiveBroadcastItem, error) {
	list, err := q.broadcastItems(ctx, `d.id = ?`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("query broadcast items of delivery %d: %w", deliveryID, err)
	}
	return list, nil
}

// broadcastItems lists the broadcast items of the deliveries matching
// where (one condition on d, the deliveries, with one argument).
func (q DirectiveStore) broadcastItems(ctx context.Context, where string, arg any) ([]DirectiveBroadcastItem, error) {
	rows, err := q.query(ctx, `SELECT i.directive_id, i.position, i.label, i.text, i.broadcast, i.broadcast_text, i.audio, i.level, i.start_date, i.end_date,
		i.times_per_day, i.slots, d.id, d.status, d.sender_unit_id, d.code, d.subject, d.doc_date, d.deadline_at
		FROM deliveries d JOIN directive_items i ON i.directive_id = d.directive_id
		WHERE `+where+` AND d.status NOT IN ('pending', 'declined', 'failed') AND i.broadcast
		ORDER BY d.id, i.position`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DirectiveBroadcastItem
	for rows.Next() {
		var b DirectiveBroadcastItem
		var deadline sql.NullTime
		if err := rows.Scan(&b.DirectiveID, &b.Position, &b.Label, &b.Text, &b.Broadcast, &b.BroadcastText, &b.Audio, &b.Level, &b.StartDate, &b.EndDate,
			&b.TimesPerDay, &b.Slots, &b.DeliveryID, &b.DeliveryStatus, &b.SenderUnitID, &b.Code, &b.Subject, &b.IssuedDate, &deadline); err != nil {
			return nil, fmt.Errorf("scan broadcast item: %w", err)
		}
		b.DeadlineAt = dirTime(deadline)
		out = append(out, b)
	}
	return out, rows.Err()
}

// DefaultDirectiveSettings are the settings of a unit that saved none.
func DefaultDirectiveSettings(unitID int64) DirectiveSettings {
	return DirectiveSettings{UnitID: unitID, ApprovalSteps: "[]", RemindAfterMin: 1440, RemindEveryMin: 1440, MaxReminders: 3,
		EscalateAfterMin: 4320, EmailNotifications: true}
}

// DirectiveSettingsOf returns a unit's settings, or the defaults.
func (q DirectiveStore) DirectiveSettingsOf(ctx context.Context, unitID int64) (DirectiveSettings, error) {
	s := DirectiveSettings{UnitID: unitID, Stored: true}
	err := q.row(ctx, `SELECT approval_steps, auto_issue, remind_after_min, remind_every_min, max_reminders, escalate_after_min, email_notifications,
		webhook_url, webhook_secret, updated_at FROM directive_settings WHERE unit_id = ?`, unitID).
		Scan(&s.ApprovalSteps, &s.AutoIssue, &s.RemindAfterMin, &s.RemindEveryMin, &s.MaxReminders, &s.EscalateAfterMin, &s.EmailNotifications,
			&s.WebhookURL, &s.WebhookSecret, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultDirectiveSettings(unitID), nil
	}
	if err != nil {
		return s, fmt.Errorf("read directive settings of unit %d: %w", unitID, err)
	}
	return s, nil
}

// SaveDirectiveSettings stores a unit's settings.
func (q DirectiveStore) SaveDirectiveSettings(ctx context.Context, s DirectiveSettings, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO directive_settings (unit_id, approval_steps, auto_issue, remind_after_min, remind_every_min, max_reminders,
		escalate_after_min, email_notifications, webhook_url, webhook_secret, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_id) DO UPDATE SET approval_steps = excluded.approval_steps, auto_issue = excluded.auto_issue,
		remind_after_min = excluded.remind_after_min, remind_every_min = excluded.remind_every_min, max_reminders = excluded.max_reminders,
		escalate_after_min = excluded.escalate_after_min, email_notifications = excluded.email_notifications, webhook_url = excluded.webhook_url,
		webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at`,
		s.UnitID, s.ApprovalSteps, s.AutoIssue, s.RemindAfterMin, s.RemindEveryMin, s.MaxReminders, s.EscalateAfterMin, s.EmailNotifications,
		s.WebhookURL, s.WebhookSecret, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save directive settings of unit %d: %w", s.UnitID, err)
	}
	return nil
}

// DirectiveBlobSize returns the recorded size of a blob.
func (q DirectiveStore) DirectiveBlobSize(ctx context.Context, sha string) (int64, error) {
	var n int64
	if err := q.row(ctx, `SELECT size FROM blobs WHERE sha256 = ?`, sha).Scan(&n); err != nil {
		return 0, notFound(err, fmt.Sprintf("blob %s", sha))
	}
	return n, nil
}

// Types and constants of this aggregate live in internal/model.
type Directive = model.Directive
type IssuedDirective = model.IssuedDirective
type DirectiveFilter = model.DirectiveFilter
type DirectiveVersion = model.DirectiveVersion
type DirectiveComment = model.DirectiveComment
type DirectiveItem = model.DirectiveItem
type DirectiveBroadcastItem = model.DirectiveBroadcastItem
type DirectiveSettings = model.DirectiveSettings
