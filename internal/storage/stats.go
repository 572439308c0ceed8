package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// DirectiveTotals counts, per issuing unit under a path, the directives
// issued between from and to (YYYY-MM-DD, inclusive) and their main
// recipients: all, and those that reported (reported or closed).
func (q DirectiveStore) DirectiveTotals(ctx context.Context, underPath, from, to string) ([]model.UnitDirectiveTotal, error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, COUNT(DISTINCT d.id),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' AND l.status IN ('reported', 'closed') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.purpose = 'main' AND l.late THEN 1 ELSE 0 END), 0)
		FROM directives d JOIN units u ON u.id = d.unit_id LEFT JOIN deliveries l ON l.directive_id = d.id
		WHERE d.status = 'issued' AND u.path LIKE ? AND d.issued_date >= ? AND d.issued_date <= ?
		GROUP BY d.unit_id`, underPath+"%", from, to)
	if err != nil {
		return nil, fmt.Errorf("count directives under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.UnitDirectiveTotal
	for rows.Next() {
		var t model.UnitDirectiveTotal
		if err := rows.Scan(&t.UnitID, &t.Issued, &t.Recipients, &t.Reported, &t.Late); err != nil {
			return nil, fmt.Errorf("scan directive totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeviceCounts counts the active devices per owning unit under a path,
// and those seen since onlineSince.
func (q DeviceStore) DeviceCounts(ctx context.Context, underPath string, onlineSince time.Time) ([]model.UnitDeviceCount, error) {
	rows, err := q.query(ctx, `SELECT d.unit_id, COUNT(*), COALESCE(SUM(CASE WHEN d.last_seen_at >= ? THEN 1 ELSE 0 END), 0)
		FROM devices d JOIN units u ON u.id = d.unit_id WHERE u.path LIKE ? AND d.revoked_at IS NULL GROUP BY d.unit_id`,
		onlineSince.UTC(), underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("count devices under %s: %w", underPath, err)
	}
	defer rows.Close()
	var out []model.UnitDeviceCount
	for rows.Next() {
		var c model.UnitDeviceCount
		if err := rows.Scan(&c.UnitID, &c.Devices, &c.Online); err != nil {
			return nil, fmt.Errorf("scan device counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
