package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// FeedbackStore holds the queries of citizens' feedback, its handling and
// the per-address submission counters of the public pages.
type FeedbackStore struct{ Q }

// Feedback returns the feedback queries on q's pool or transaction.
func (q Q) Feedback() FeedbackStore { return FeedbackStore{q} }

// FeedbackEscalationQueue is the escalation of feedback not answered by
// its due time: each open row is a job due at escalate_at; escalated_at
// ends it. Only rows still waiting for an answer are claimed.
var FeedbackEscalationQueue = JobTable{Name: "feedback_escalation", Table: "feedback", Due: "escalate_at", Attempts: "escalation_attempts",
	Error: "escalation_error", Updated: "updated_at", DoneAt: "escalated_at", FailedAt: "escalation_failed_at",
	States: []string{"pending", "done", "failed"}, Filter: "state IN ('new', 'assigned')"}

func fbTS(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

const feedbackColumns = `f.id, f.unit_id, u.name, f.kind, f.problem, f.order_id, COALESCE(o.title, ''), f.device_id, COALESCE(d.name, ''),
	f.body, f.sender_name, f.sender_phone, f.consent, f.client_addr, f.state, f.assigned_unit_id, COALESCE(au.name, ''), f.escalated_unit_id,
	f.due_at, f.escalated_at, f.answer, f.answer_public, f.answered_by, f.answered_at, f.closed_at, f.created_at, f.updated_at`

const feedbackFrom = ` FROM feedback f JOIN units u ON u.id = f.unit_id
	LEFT JOIN broadcast_orders o ON o.id = f.order_id
	LEFT JOIN devices d ON d.id = f.device_id
	LEFT JOIN units au ON au.id = f.assigned_unit_id`

func scanFeedback(sc scanner) (*model.Feedback, error) {
	var f model.Feedback
	if err := sc.Scan(&f.ID, &f.UnitID, &f.UnitName, &f.Kind, &f.Problem, &f.OrderID, &f.OrderTitle, &f.DeviceID, &f.DeviceName,
		&f.Body, &f.SenderName, &f.SenderPhone, &f.Consent, &f.ClientAddr, &f.State, &f.AssignedUnitID, &f.AssignedName, &f.EscalatedUnitID,
		&f.DueAt, &f.EscalatedAt, &f.Answer, &f.AnswerPublic, &f.AnsweredBy, &f.AnsweredAt, &f.ClosedAt, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, err
	}
	return &f, nil
}

// InsertFeedback stores a new feedback; escalateAt is when the escalation
// job becomes due (its due time).
func (q FeedbackStore) InsertFeedback(ctx context.Context, f *model.Feedback) error {
	id, err := q.insertID(ctx, `INSERT INTO feedback (unit_id, kind, problem, order_id, device_id, body, sender_name, sender_phone, consent, client_addr,
		state, assigned_unit_id, due_at, escalate_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.UnitID, f.Kind, f.Problem, f.OrderID, f.DeviceID, f.Body, f.SenderName, f.SenderPhone, f.Consent, f.ClientAddr,
		f.State, f.AssignedUnitID, fbTS(f.DueAt), fbTS(f.DueAt), fbTS(f.CreatedAt), fbTS(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert feedback for unit %d: %w", f.UnitID, err)
	}
	f.ID = id
	return nil
}

// FeedbackByID returns one feedback.
func (q FeedbackStore) FeedbackByID(ctx context.Context, id int64) (*model.Feedback, error) {
	f, err := scanFeedback(q.row(ctx, `SELECT `+feedbackColumns+feedbackFrom+` WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("feedback %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read feedback %d: %w", id, err)
	}
	return f, nil
}

// FeedbackUnder lists, newest first, the feedback whose page, assigned or
// escalated unit lies at or below path (a materialised unit path); state
// "" means any state.
func (q FeedbackStore) FeedbackUnder(ctx context.Context, path, state string, limit int) ([]*model.Feedback, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	query := `SELECT ` + feedbackColumns + feedbackFrom + `
		LEFT JOIN units eu ON eu.id = f.escalated_unit_id
		WHERE (u.path LIKE ? OR au.path LIKE ? OR eu.path LIKE ?)`
	like := path + "%"
	args := []any{like, like, like}
	if state != "" {
		query += ` AND f.state = ?`
		args = append(args, state)
	}
	query += ` ORDER BY f.id DESC LIMIT ?`
	return q.feedbackList(ctx, query, append(args, limit)...)
}

// PublicAnswers lists the answered feedback of a unit whose answers were
// published, newest answer first.
func (q FeedbackStore) PublicAnswers(ctx context.Context, unitID int64, limit int) ([]*model.Feedback, error) {
	return q.feedbackList(ctx, `SELECT `+feedbackColumns+feedbackFrom+`
		WHERE f.unit_id = ? AND f.answer_public AND f.state IN ('answered', 'closed') ORDER BY f.answered_at DESC, f.id DESC LIMIT ?`, unitID, limit)
}

func (q FeedbackStore) feedbackList(ctx context.Context, query string, args ...any) ([]*model.Feedback, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	defer rows.Close()
	var out []*model.Feedback
	for rows.Next() {
		f, err := scanFeedback(rows)
		if err != nil {
			return nil, fmt.Errorf("scan feedback: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// AssignFeedback assigns an open feedback to a unit with a new due time
// (the escalation job moves with it).
func (q FeedbackStore) AssignFeedback(ctx context.Context, id, unitID int64, due, at time.Time) error {
	return q.changeFeedback(ctx, id, `state = 'assigned', assigned_unit_id = ?, due_at = ?, escalate_at = ?, updated_at = ?`,
		`state IN ('new', 'assigned')`, unitID, fbTS(due), fbTS(due), fbTS(at))
}

// AnswerFeedback records the answer of an open or answered feedback.
func (q FeedbackStore) AnswerFeedback(ctx context.Context, id int64, answer string, public bool, by string, at time.Time) error {
	return q.changeFeedback(ctx, id, `state = 'answered', answer = ?, answer_public = ?, answered_by = ?, answered_at = COALESCE(answered_at, ?), updated_at = ?`,
		`state IN ('new', 'assigned', 'answered')`, answer, public, by, fbTS(at), fbTS(at))
}

// CloseFeedback closes a feedback.
func (q FeedbackStore) CloseFeedback(ctx context.Context, id int64, at time.Time) error {
	return q.changeFeedback(ctx, id, `state = 'closed', closed_at = ?, updated_at = ?`, `state <> 'closed'`, fbTS(at), fbTS(at))
}

// MarkFeedbackEscalated records that an overdue feedback went up to unitID.
func (q FeedbackStore) MarkFeedbackEscalated(ctx context.Context, id, unitID int64, at time.Time) error {
	return q.changeFeedback(ctx, id, `escalated_unit_id = ?, escalated_at = ?, updated_at = ?`, `escalated_at IS NULL`, unitID, fbTS(at), fbTS(at))
}

func (q FeedbackStore) changeFeedback(ctx context.Context, id int64, set, cond string, args ...any) error {
	res, err := q.exec(ctx, `UPDATE feedback SET `+set+` WHERE id = ? AND `+cond, append(args, id)...)
	if err != nil {
		return fmt.Errorf("update feedback %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("feedback %d is not in a state that allows this: %w", id, model.ErrConflict)
	}
	return nil
}

// HitRate counts one submission in bucket's window starting at window
// (the caller rounds the time down to its window) and returns the hits of
// that window, this one included. Replicas share the counter.
func (q FeedbackStore) HitRate(ctx context.Context, bucket string, window time.Time) (int, error) {
	w := fbTS(window)
	var hits int
	err := q.row(ctx, `INSERT INTO feedback_rate (bucket, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (bucket) DO UPDATE SET
			hits = CASE WHEN feedback_rate.window_start = excluded.window_start THEN feedback_rate.hits + 1 ELSE 1 END,
			window_start = excluded.window_start
		RETURNING hits`, bucket, w).Scan(&hits)
	if err != nil {
		return 0, fmt.Errorf("count submission of %s: %w", bucket, err)
	}
	return hits, nil
}

// PurgeRates forgets counters of windows that started before t.
func (q FeedbackStore) PurgeRates(ctx context.Context, before time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM feedback_rate WHERE window_start < ?`, fbTS(before)); err != nil {
		return fmt.Errorf("purge feedback rate counters: %w", err)
	}
	return nil
}

// FeedbackFigures counts the feedback received on the pages of the units
// at or below path over [from, to): received, answered (handled) in the
// period with the median time to answer, and open at to.
func (q FeedbackStore) FeedbackFigures(ctx context.Context, path string, from, to time.Time) (model.FeedbackFigures, error) {
	fig := model.FeedbackFigures{From: from, To: to}
	like := path + "%"
	err := q.row(ctx, `SELECT
			COALESCE(SUM(CASE WHEN f.created_at >= ? AND f.created_at < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN f.created_at < ? AND (f.answered_at IS NULL OR f.answered_at >= ?) AND (f.closed_at IS NULL OR f.closed_at >= ?) THEN 1 ELSE 0 END), 0)
		FROM feedback f JOIN units u ON u.id = f.unit_id WHERE u.path LIKE ?`,
		fbTS(from), fbTS(to), fbTS(to), fbTS(to), fbTS(to), like).Scan(&fig.Received, &fig.Open)
	if err != nil {
		return fig, fmt.Errorf("count feedback: %w", err)
	}
	rows, err := q.query(ctx, `SELECT f.created_at, f.answered_at FROM feedback f JOIN units u ON u.id = f.unit_id
		WHERE u.path LIKE ? AND f.answered_at >= ? AND f.answered_at < ?`, like, fbTS(from), fbTS(to))
	if err != nil {
		return fig, fmt.Errorf("read handling times: %w", err)
	}
	defer rows.Close()
	var ds []time.Duration
	for rows.Next() {
		var c, a time.Time
		if err := rows.Scan(&c, &a); err != nil {
			return fig, fmt.Errorf("scan handling time: %w", err)
		}
		ds = append(ds, a.Sub(c))
	}
	if err := rows.Err(); err != nil {
		return fig, err
	}
	fig.Handled = len(ds)
	if n := len(ds); n > 0 {
		slices.Sort(ds)
		if n%2 == 1 {
			fig.MedianHandle = ds[n/2]
		} else {
			fig.MedianHandle = (ds[n/2-1] + ds[n/2]) / 2
		}
	}
	fig.MedianSeconds = int64(fig.MedianHandle / time.Second)
	return fig, nil
}
