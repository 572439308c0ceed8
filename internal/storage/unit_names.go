package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// FormerName is a name a unit had until valid_to (exclusive).
type FormerName struct {
	UnitID    int64
	Name      string
	ShortName string
	ValidFrom string // YYYY-MM-DD or "" (since the unit existed)
	ValidTo   string // YYYY-MM-DD
	Basis     string // the act that changed it
}

// AddFormerName records a name a unit had.
func (q OrgStore) AddFormerName(ctx context.Context, n FormerName) error {
	if _, err := q.insertID(ctx, `INSERT INTO unit_names (unit_id, name, short_name, valid_from, valid_to, basis) VALUES (?, ?, ?, ?, ?, ?)`,
		n.UnitID, n.Name, n.ShortName, n.ValidFrom, n.ValidTo, n.Basis); err != nil {
		return fmt.Errorf("record former name of unit %d: %w", n.UnitID, err)
	}
	return nil
}

// FormerNames lists a unit's former names, oldest first.
func (q OrgStore) FormerNames(ctx context.Context, unitID int64) ([]FormerName, error) {
	rows, err := q.query(ctx, `SELECT unit_id, name, short_name, valid_from, valid_to, basis FROM unit_names WHERE unit_id = ? ORDER BY valid_to, id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("former names of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []FormerName
	for rows.Next() {
		var n FormerName
		if err := rows.Scan(&n.UnitID, &n.Name, &n.ShortName, &n.ValidFrom, &n.ValidTo, &n.Basis); err != nil {
			return nil, fmt.Errorf("former names of unit %d: %w", unitID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// FormerNameAt returns the former name a unit had on day (YYYY-MM-DD),
// or ok=false when it already had its current name then.
func (q OrgStore) FormerNameAt(ctx context.Context, unitID int64, day string) (FormerName, bool, error) {
	n := FormerName{UnitID: unitID}
	err := q.row(ctx, `SELECT name, short_name, valid_from, valid_to, basis FROM unit_names
		WHERE unit_id = ? AND valid_to > ? AND (valid_from = '' OR valid_from <= ?) ORDER BY valid_to, id LIMIT 1`, unitID, day, day).
		Scan(&n.Name, &n.ShortName, &n.ValidFrom, &n.ValidTo, &n.Basis)
	if errors.Is(err, sql.ErrNoRows) {
		return n, false, nil
	}
	if err != nil {
		return n, false, fmt.Errorf("name of unit %d on %s: %w", unitID, day, err)
	}
	return n, true, nil
}
