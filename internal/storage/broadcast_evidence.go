package storage

import (
	"context"
	"fmt"
)

// DirectivePlays counts the completed plays (one per device and
// scheduled occurrence) of broadcast orders made from
// a directive's content items (source_ref "directive:ID:item:N") by units
// under a path: the broadcast evidence of a recipient of the directive.
func (q BroadcastStore) DirectivePlays(ctx context.Context, directiveID int64, underPath string) (int, error) {
	var n int
	err := q.row(ctx, `SELECT count(DISTINCT `+occurrenceKey("pl")+`) FROM play_logs pl
		JOIN broadcast_orders o ON o.id = pl.order_id
		JOIN units u ON u.id = o.unit_id
		WHERE o.source = 'directive' AND o.source_ref LIKE ? AND u.path LIKE ? AND pl.status = 'completed'`,
		fmt.Sprintf("directive:%d:item:%%", directiveID), underPath+"%").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count plays of directive %d: %w", directiveID, err)
	}
	return n, nil
}
