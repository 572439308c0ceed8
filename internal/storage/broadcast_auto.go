package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// BroadcastSettingsOf reads a unit's settings (the defaults when it saved
// none).
func (q BroadcastStore) BroadcastSettingsOf(ctx context.Context, unitID int64) (BroadcastSettings, error) {
	s := BroadcastSettings{UnitID: unitID, AutoPriority: true}
	var at time.Time
	err := q.row(ctx, `SELECT auto_priority, updated_by, updated_at FROM broadcast_settings WHERE unit_id = ?`, unitID).Scan(&s.AutoPriority, &s.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read broadcast settings of unit %d: %w", unitID, err)
	}
	at = at.UTC()
	s.UpdatedAt = &at
	return s, nil
}

// SaveBroadcastSettings stores a unit's settings.
func (q BroadcastStore) SaveBroadcastSettings(ctx context.Context, s BroadcastSettings, by string, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO broadcast_settings (unit_id, auto_priority, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (unit_id) DO UPDATE SET auto_priority = excluded.auto_priority, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		s.UnitID, s.AutoPriority, by, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save broadcast settings of unit %d: %w", s.UnitID, err)
	}
	return nil
}

const autoColumns = `j.id, j.delivery_id, j.unit_id, j.directive_id, d.code, j.attempts, j.next_attempt_at, j.done_at, j.failed_at, j.result, j.last_error, j.created_at`
const autoFrom = ` FROM broadcast_autoschedule j JOIN directives d ON d.id = j.directive_id`

func scanAutoJob(sc scanner) (*AutoScheduleJob, error) {
	var j AutoScheduleJob
	var done, failed sql.NullTime
	if err := sc.Scan(&j.ID, &j.DeliveryID, &j.UnitID, &j.DirectiveID, &j.Code, &j.Attempts, &j.NextAttemptAt, &done, &failed, &j.Result, &j.LastError, &j.CreatedAt); err != nil {
		return nil, err
	}
	j.DoneAt, j.FailedAt, j.NextAttemptAt, j.CreatedAt = dirTime(done), dirTime(failed), j.NextAttemptAt.UTC(), j.CreatedAt.UTC()
	return &j, nil
}

// DirectiveHasUrgentItems reports whether a directive has broadcast items
// at the priority or emergency level.
func (q BroadcastStore) DirectiveHasUrgentItems(ctx context.Context, directiveID int64) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM directive_items WHERE directive_id = ? AND broadcast AND level IN ('priority', 'emergency')`, directiveID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count urgent broadcast items of directive %d: %w", directiveID, err)
	}
	return n > 0, nil
}

// EnqueueAutoSchedule queues a delivery for automatic scheduling (once:
// queueing it again does nothing).
func (q BroadcastStore) EnqueueAutoSchedule(ctx context.Context, deliveryID, unitID, directiveID int64, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	_, err := q.exec(ctx, `INSERT INTO broadcast_autoschedule (delivery_id, unit_id, directive_id, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (delivery_id) DO NOTHING`, deliveryID, unitID, directiveID, at, at)
	if err != nil {
		return fmt.Errorf("queue delivery %d for automatic scheduling: %w", deliveryID, err)
	}
	return nil
}

// AutoScheduleDone records what a job did.
func (q BroadcastStore) AutoScheduleDone(ctx context.Context, id int64, result string, at time.Time) error {
	if _, err := q.exec(ctx, `UPDATE broadcast_autoschedule SET done_at = ?, result = ?, last_error = '' WHERE id = ?`,
		at.UTC().Truncate(time.Microsecond), result, id); err != nil {
		return fmt.Errorf("mark automatic scheduling job %d done: %w", id, err)
	}
	return nil
}

// AutoScheduleJob returns a job by id.
func (q BroadcastStore) AutoScheduleJob(ctx context.Context, id int64) (*AutoScheduleJob, error) {
	j, err := scanAutoJob(q.row(ctx, `SELECT `+autoColumns+autoFrom+` WHERE j.id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("automatic scheduling job %d", id))
	}
	return j, nil
}

// AutoScheduleJobs lists the jobs of deliveries to the given units, newest
// first.
func (q BroadcastStore) AutoScheduleJobs(ctx context.Context, unitIDs []int64, limit int) ([]*AutoScheduleJob, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	args := make([]any, len(unitIDs))
	marks := ""
	for i, id := range unitIDs {
		args[i] = id
		if i > 0 {
			marks += ", "
		}
		marks += "?"
	}
	rows, err := q.query(ctx, `SELECT `+autoColumns+autoFrom+` WHERE j.unit_id IN (`+marks+`) ORDER BY j.id DESC LIMIT `+fmt.Sprint(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query automatic scheduling jobs: %w", err)
	}
	defer rows.Close()
	var out []*AutoScheduleJob
	for rows.Next() {
		j, err := scanAutoJob(rows)
		if err != nil {
			return nil, fmt.Errorf("scan automatic scheduling job: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// DeviceOwners returns, among the unit and its children, those that own
// devices (not revoked) directly: where a delivery to the unit is played.
func (q BroadcastStore) DeviceOwners(ctx context.Context, unitID int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT DISTINCT u.id FROM units u JOIN devices d ON d.unit_id = u.id
		WHERE (u.id = ? OR u.parent_id = ?) AND d.revoked_at IS NULL ORDER BY u.id`, unitID, unitID)
	if err != nil {
		return nil, fmt.Errorf("query device owners under unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan device owner: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
type BroadcastSettings = model.BroadcastSettings
type AutoScheduleJob = model.AutoScheduleJob
