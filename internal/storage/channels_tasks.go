package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// InsertTask stores a task unless the same (order, directive, item, kind,
// unit) exists, and reports whether it was created; t.ID is the id of the
// new or existing task.
func (q ChannelStore) InsertTask(ctx context.Context, t *ChannelTask) (bool, error) {
	t.CreatedAt = now()
	t.Status = TaskOpen
	res, err := q.exec(ctx, `INSERT INTO channel_tasks (issuer_unit_id, unit_id, order_id, directive_id, item_no, kind, title, instructions, due_date, due_at,
		status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (order_id, directive_id, item_no, kind, unit_id) DO NOTHING`,
		t.IssuerUnitID, t.UnitID, t.OrderID, t.DirectiveID, t.ItemNo, t.Kind, t.Title, t.Instructions, t.DueDate, chUTC(t.DueAt), t.Status, t.CreatedBy, t.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("insert task %s for unit %d: %w", t.Kind, t.UnitID, err)
	}
	n, _ := res.RowsAffected()
	err = q.row(ctx, `SELECT id FROM channel_tasks WHERE order_id = ? AND directive_id = ? AND item_no = ? AND kind = ? AND unit_id = ?`,
		t.OrderID, t.DirectiveID, t.ItemNo, t.Kind, t.UnitID).Scan(&t.ID)
	if err != nil {
		return false, fmt.Errorf("look up task %s for unit %d: %w", t.Kind, t.UnitID, err)
	}
	return n > 0, nil
}

const taskColumns = `t.id, t.issuer_unit_id, t.unit_id, t.order_id, t.directive_id, t.item_no, t.kind, t.title, t.instructions, t.due_date, t.due_at,
	t.status, t.reason, t.note, t.closed_by, t.closed_at, t.created_by, t.created_at, u.name, u.path, iu.path`

const taskFrom = ` FROM channel_tasks t JOIN units u ON u.id = t.unit_id JOIN units iu ON iu.id = t.issuer_unit_id`

func scanTask(sc scanner) (*ChannelTask, error) {
	var t ChannelTask
	var closed sql.NullTime
	if err := sc.Scan(&t.ID, &t.IssuerUnitID, &t.UnitID, &t.OrderID, &t.DirectiveID, &t.ItemNo, &t.Kind, &t.Title, &t.Instructions, &t.DueDate, &t.DueAt,
		&t.Status, &t.Reason, &t.Note, &t.ClosedBy, &closed, &t.CreatedBy, &t.CreatedAt, &t.UnitName, &t.UnitPath, &t.IssuerPath); err != nil {
		return nil, err
	}
	t.ClosedAt = bcTimePtr(closed)
	t.DueAt = t.DueAt.UTC()
	return &t, nil
}

// Task returns a task with its evidence.
func (q ChannelStore) Task(ctx context.Context, id int64) (*ChannelTask, error) {
	t, err := scanTask(q.row(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("task %d", id))
	}
	if t.Evidence, err = q.TaskEvidenceOf(ctx, id); err != nil {
		return nil, err
	}
	return t, nil
}

// Tasks lists tasks by due time (without evidence).
func (q ChannelStore) Tasks(ctx context.Context, f TaskFilter) ([]*ChannelTask, error) {
	query := `SELECT ` + taskColumns + taskFrom + ` WHERE 1=1`
	var args []any
	if f.UnderPath != "" {
		query += ` AND (u.path LIKE ? OR iu.path LIKE ?)`
		args = append(args, f.UnderPath+"%", f.UnderPath+"%")
	}
	for _, c := range []struct {
		col string
		v   int64
	}{{"t.unit_id", f.UnitID}, {"t.order_id", f.OrderID}, {"t.directive_id", f.DirectiveID}} {
		if c.v != 0 {
			query += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if f.Status != "" {
		query += ` AND t.status = ?`
		args = append(args, f.Status)
	}
	if f.Limit <= 0 || f.Limit > 20000 {
		f.Limit = 500
	}
	rows, err := q.query(ctx, query+fmt.Sprintf(` ORDER BY t.due_at, t.id LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query tasks: %w", err)
	}
	defer rows.Close()
	var out []*ChannelTask
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("scan task: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CloseTask moves an open task to done, late or declined. ErrConflict
// when it is no longer open.
func (q ChannelStore) CloseTask(ctx context.Context, id int64, status, reason, note, by string, at time.Time) error {
	res, err := q.exec(ctx, `UPDATE channel_tasks SET status = ?, reason = ?, note = ?, closed_by = ?, closed_at = ? WHERE id = ? AND status = 'open'`,
		status, reason, note, by, chUTC(at), id)
	if err != nil {
		return fmt.Errorf("close task %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("task %d is no longer open (already confirmed or declined): %w", id, model.ErrConflict)
	}
	return nil
}

// InsertTaskEvidence stores one piece of evidence and fills e.ID.
func (q ChannelStore) InsertTaskEvidence(ctx context.Context, e *TaskEvidence) error {
	e.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO channel_task_evidence (task_id, kind, url, sha256, size, mime, filename, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.TaskID, e.Kind, e.URL, e.SHA256, e.Size, e.MIME, e.Filename, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("store evidence of task %d: %w", e.TaskID, err)
	}
	e.ID = id
	return nil
}

const evidenceColumns = `id, task_id, kind, url, sha256, size, mime, filename, created_at`

func scanEvidence(sc scanner) (*TaskEvidence, error) {
	var e TaskEvidence
	if err := sc.Scan(&e.ID, &e.TaskID, &e.Kind, &e.URL, &e.SHA256, &e.Size, &e.MIME, &e.Filename, &e.CreatedAt); err != nil {
		return nil, err
	}
	return &e, nil
}

// TaskEvidenceOf lists a task's evidence.
func (q ChannelStore) TaskEvidenceOf(ctx context.Context, taskID int64) ([]*TaskEvidence, error) {
	rows, err := q.query(ctx, `SELECT `+evidenceColumns+` FROM channel_task_evidence WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("query evidence of task %d: %w", taskID, err)
	}
	defer rows.Close()
	out := []*TaskEvidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, fmt.Errorf("scan evidence: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// TaskEvidenceItem returns one piece of evidence.
func (q ChannelStore) TaskEvidenceItem(ctx context.Context, id int64) (*TaskEvidence, error) {
	e, err := scanEvidence(q.row(ctx, `SELECT `+evidenceColumns+` FROM channel_task_evidence WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("evidence %d", id))
	}
	return e, nil
}

// TaskCounts aggregates the tasks of an order or a directive (one of the
// ids non-zero) as of at.
func (q ChannelStore) TaskCounts(ctx context.Context, orderID, directiveID int64, at time.Time) ([]TaskCount, error) {
	rows, err := q.query(ctx, `SELECT t.unit_id, u.name, u.path, iu.path, t.kind, t.status,
		CASE WHEN t.status = 'open' AND t.due_at < ? THEN 1 ELSE 0 END AS overdue, count(*)`+taskFrom+`
		WHERE (? = 0 OR t.order_id = ?) AND (? = 0 OR t.directive_id = ?)
		GROUP BY t.unit_id, u.name, u.path, iu.path, t.kind, t.status, overdue ORDER BY u.path, t.kind`,
		chUTC(at), orderID, orderID, directiveID, directiveID)
	if err != nil {
		return nil, fmt.Errorf("count tasks: %w", err)
	}
	defer rows.Close()
	var out []TaskCount
	for rows.Next() {
		var c TaskCount
		var overdue int
		if err := rows.Scan(&c.UnitID, &c.UnitName, &c.UnitPath, &c.IssuerPath, &c.Kind, &c.Status, &overdue, &c.N); err != nil {
			return nil, fmt.Errorf("scan task count: %w", err)
		}
		c.Overdue = overdue == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
const TaskOpen = model.TaskOpen
const TaskDone = model.TaskDone
const TaskLate = model.TaskLate
const TaskDeclined = model.TaskDeclined

type ChannelTask = model.ChannelTask
type TaskEvidence = model.TaskEvidence
type TaskFilter = model.TaskFilter
type TaskCount = model.TaskCount
