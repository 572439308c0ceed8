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

// ReportStore holds the queries of the periodic reports (package
// reports): per-unit settings, the record of each report made, and the
// figures that the dashboards' rollups do not already give. Every count is
// made at the unit that owns the row (the register's unit, the recipient,
// the unit owning the device or the order), so a caller sums the rows of
// a subtree without counting anything twice.
type ReportStore struct{ Q }

// Reports returns the report queries on q's pool or transaction.
func (q Q) Reports() ReportStore { return ReportStore{q} }

// UnitKeyCount is a count (and for broadcasts a duration) of one unit
// under a key (a register series, a level, a channel kind, a state).
type UnitKeyCount struct {
	UnitID  int64
	Key     string
	N       int64
	Seconds int64
}

func (q ReportStore) keyCounts(ctx context.Context, what, query string, args ...any) ([]UnitKeyCount, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", what, err)
	}
	defer rows.Close()
	var out []UnitKeyCount
	for rows.Next() {
		var c UnitKeyCount
		if err := rows.Scan(&c.UnitID, &c.Key, &c.N); err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RegisterCounts counts, per unit under a path, the lines of its incoming
// (documents received) and outgoing (documents issued) registers dated
// from..to (YYYY-MM-DD, inclusive). Key is the series.
func (q ReportStore) RegisterCounts(ctx context.Context, underPath, from, to string) ([]UnitKeyCount, error) {
	return q.keyCounts(ctx, "register lines", `SELECT e.unit_id, e.series, COUNT(*) FROM register_entries e JOIN units u ON u.id = e.unit_id
		WHERE u.path LIKE ? AND e.entry_date >= ? AND e.entry_date <= ? AND e.series IN ('incoming', 'outgoing')
		GROUP BY e.unit_id, e.series`, underPath+"%", from, to)
}

// ImplementedCounts counts, per recipient unit under a path, the
// directives it received as main recipient and reported done (reported or
// closed) in [from, to): Key "on_time" or "late".
func (q ReportStore) ImplementedCounts(ctx context.Context, underPath string, from, to time.Time) ([]UnitKeyCount, error) {
	return q.keyCounts(ctx, "implemented directives", `SELECT l.recipient_unit_id, CASE WHEN l.late THEN 'late' ELSE 'on_time' END, COUNT(*)
		FROM deliveries l JOIN units u ON u.id = l.recipient_unit_id
		WHERE u.path LIKE ? AND l.purpose = 'main' AND l.status IN ('reported', 'closed') AND l.reported_at >= ? AND l.reported_at < ?
		GROUP BY l.recipient_unit_id, CASE WHEN l.late THEN 'late' ELSE 'on_time' END`, underPath+"%", fbTS(from), fbTS(to))
}

// OrderCounts counts, per unit under a path, the broadcast orders
// (bulletins) it made in [from, to), cancelled ones excluded. Key is the
// order's level (emergency, priority, normal).
func (q ReportStore) OrderCounts(ctx context.Context, underPath string, from, to time.Time) ([]UnitKeyCount, error) {
	return q.keyCounts(ctx, "bulletins", `SELECT o.unit_id, o.level, COUNT(*) FROM broadcast_orders o JOIN units u ON u.id = o.unit_id
		WHERE u.path LIKE ? AND COALESCE(o.made_at, o.created_at) >= ? AND COALESCE(o.made_at, o.created_at) < ? AND o.cancelled_at IS NULL
		GROUP BY o.unit_id, o.level`, underPath+"%", fbTS(from), fbTS(to))
}

// ChannelTaskCounts counts, per responsible unit under a path, the
// broadcasts on the other channels (radio, television, press, web,
// social networks: channel tasks) closed as done or late in [from, to).
// Key is the task's kind (its channel).
func (q ReportStore) ChannelTaskCounts(ctx context.Context, underPath string, from, to time.Time) ([]UnitKeyCount, error) {
	return q.keyCounts(ctx, "channel tasks", `SELECT t.unit_id, t.kind, COUNT(*) FROM channel_tasks t JOIN units u ON u.id = t.unit_id
		WHERE u.path LIKE ? AND t.status IN ('done', 'late') AND t.closed_at >= ? AND t.closed_at < ?
		GROUP BY t.unit_id, t.kind`, underPath+"%", fbTS(from), fbTS(to))
}

// ReportSetting is which periods a unit reports to its superior.
type ReportSetting = model.ReportSetting

// ReportSetting reads a unit's setting; a unit without one reports no
// period.
func (q ReportStore) ReportSetting(ctx context.Context, unitID int64) (*ReportSetting, error) {
	s := &ReportSetting{UnitID: unitID, Periods: []string{}}
	var periods string
	var drafter sql.NullInt64
	err := q.row(ctx, `SELECT periods, drafter_user_id, updated_by, updated_at FROM report_settings WHERE unit_id = ?`, unitID).Scan(&periods, &drafter, &s.UpdatedBy, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read report setting of unit %d: %w", unitID, err)
	}
	s.Periods, s.DrafterUserID = splitPeriods(periods), drafter.Int64
	return s, nil
}

func splitPeriods(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// PutReportSetting stores a unit's setting.
func (q ReportStore) PutReportSetting(ctx context.Context, s *ReportSetting) error {
	var drafter any
	if s.DrafterUserID != 0 {
		drafter = s.DrafterUserID
	}
	_, err := q.exec(ctx, `INSERT INTO report_settings (unit_id, periods, drafter_user_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (unit_id) DO UPDATE SET periods = excluded.periods, drafter_user_id = excluded.drafter_user_id,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		s.UnitID, strings.Join(s.Periods, ","), drafter, s.UpdatedBy, fbTS(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store report setting of unit %d: %w", s.UnitID, err)
	}
	return nil
}

// ReportSettings lists the units that report at least one period.
func (q ReportStore) ReportSettings(ctx context.Context) ([]*ReportSetting, error) {
	rows, err := q.query(ctx, `SELECT unit_id, periods, drafter_user_id, updated_by, updated_at FROM report_settings WHERE periods <> '' ORDER BY unit_id`)
	if err != nil {
		return nil, fmt.Errorf("list report settings: %w", err)
	}
	defer rows.Close()
	var out []*ReportSetting
	for rows.Next() {
		s := &ReportSetting{}
		var periods string
		var drafter sql.NullInt64
		if err := rows.Scan(&s.UnitID, &periods, &drafter, &s.UpdatedBy, &s.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan report setting: %w", err)
		}
		s.Periods, s.DrafterUserID = splitPeriods(periods), drafter.Int64
		out = append(out, s)
	}
	return out, rows.Err()
}

// PeriodicReport records the report made for a unit and period.
type PeriodicReport = model.PeriodicReport

// InsertPeriodicReport records a report; a second report of the same
// unit, kind and period is a conflict (model.ErrConflict).
func (q ReportStore) InsertPeriodicReport(ctx context.Context, r *PeriodicReport) error {
	err := q.row(ctx, `INSERT INTO periodic_reports (unit_id, period, period_from, period_to, directive_id, annex_sha, figures, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.UnitID, r.Period, r.From, r.To, r.DirectiveID, r.AnnexSHA, r.Figures, fbTS(r.CreatedAt)).Scan(&r.ID)
	if IsUniqueViolation(err) {
		return fmt.Errorf("the %s report of unit %d from %s exists: %w", r.Period, r.UnitID, r.From, model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("record %s report of unit %d: %w", r.Period, r.UnitID, err)
	}
	return nil
}

// HasPeriodicReport reports whether the report of a unit, kind and period
// was made.
func (q ReportStore) HasPeriodicReport(ctx context.Context, unitID int64, period, from string) (bool, error) {
	var n int
	if err := q.row(ctx, `SELECT COUNT(*) FROM periodic_reports WHERE unit_id = ? AND period = ? AND period_from = ?`, unitID, period, from).Scan(&n); err != nil {
		return false, fmt.Errorf("look for the %s report of unit %d: %w", period, unitID, err)
	}
	return n > 0, nil
}

// PeriodicReports lists the reports made by a unit, newest first.
func (q ReportStore) PeriodicReports(ctx context.Context, unitID int64, limit int) ([]*PeriodicReport, error) {
	rows, err := q.query(ctx, `SELECT id, unit_id, period, period_from, period_to, directive_id, annex_sha, figures, created_at
		FROM periodic_reports WHERE unit_id = ? ORDER BY period_from DESC, id DESC LIMIT ?`, unitID, limit)
	if err != nil {
		return nil, fmt.Errorf("list reports of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []*PeriodicReport
	for rows.Next() {
		r := &PeriodicReport{}
		if err := rows.Scan(&r.ID, &r.UnitID, &r.Period, &r.From, &r.To, &r.DirectiveID, &r.AnnexSHA, &r.Figures, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan report: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
