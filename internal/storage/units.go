package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

const unitColumns = `id, code, parent_id, path, depth, name, short_name, kind, abbreviation, agency_id, active_from, dissolved_on, merged_into, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanUnit(sc scanner) (*model.Unit, error) {
	var u model.Unit
	var parent, merged sql.NullInt64
	if err := sc.Scan(&u.ID, &u.Code, &parent, &u.Path, &u.Depth, &u.Name, &u.ShortName, &u.Kind,
		&u.Abbreviation, &u.AgencyID, &u.ActiveFrom, &u.DissolvedOn, &merged, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	if parent.Valid {
		u.ParentID = &parent.Int64
	}
	if merged.Valid {
		u.MergedInto = &merged.Int64
	}
	return &u, nil
}

func (q OrgStore) scanUnits(ctx context.Context, query string, args ...any) ([]*model.Unit, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query units: %w", err)
	}
	defer rows.Close()
	var out []*model.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("scan unit: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Unit returns one unit by id.
func (q OrgStore) Unit(ctx context.Context, id int64) (*model.Unit, error) {
	u, err := scanUnit(q.row(ctx, `SELECT `+unitColumns+` FROM units WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("unit %d", id))
	}
	return u, nil
}

// UnitByCode returns one unit by its external code.
func (q OrgStore) UnitByCode(ctx context.Context, code string) (*model.Unit, error) {
	u, err := scanUnit(q.row(ctx, `SELECT `+unitColumns+` FROM units WHERE code = ?`, code))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("unit with code %q", code))
	}
	return u, nil
}

// Units returns every unit ordered by path (a depth-first walk).
func (q OrgStore) Units(ctx context.Context) ([]*model.Unit, error) {
	return q.scanUnits(ctx, `SELECT `+unitColumns+` FROM units ORDER BY depth, name`)
}

// Subtree returns a unit and everything below it.
func (q OrgStore) Subtree(ctx context.Context, path string) ([]*model.Unit, error) {
	return q.scanUnits(ctx, `SELECT `+unitColumns+` FROM units WHERE path LIKE ? ORDER BY depth, name`, path+"%")
}

// UnitKinds lists the unit kinds.
func (q OrgStore) UnitKinds(ctx context.Context) ([]model.UnitKind, error) {
	rows, err := q.query(ctx, `SELECT code, name_vi, name_en, level FROM unit_kinds ORDER BY level, code`)
	if err != nil {
		return nil, fmt.Errorf("query unit kinds: %w", err)
	}
	defer rows.Close()
	var out []model.UnitKind
	for rows.Next() {
		var k model.UnitKind
		if err := rows.Scan(&k.Code, &k.NameVI, &k.NameEN, &k.Level); err != nil {
			return nil, fmt.Errorf("scan unit kind: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// UpsertUnitKind creates or updates a unit kind.
func (q OrgStore) UpsertUnitKind(ctx context.Context, k model.UnitKind) error {
	_, err := q.exec(ctx, `INSERT INTO unit_kinds (code, name_vi, name_en, level) VALUES (?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, level = excluded.level`,
		k.Code, k.NameVI, k.NameEN, k.Level)
	if err != nil {
		return fmt.Errorf("save unit kind %q: %w", k.Code, err)
	}
	return nil
}

// InsertUnit stores a new unit, computing its path and depth from its
// parent, and fills u.ID, u.Path, u.Depth and the timestamps.
func (q OrgStore) InsertUnit(ctx context.Context, u *model.Unit) error {
	parentPath, depth := "/", 0
	if u.ParentID != nil {
		p, err := q.Unit(ctx, *u.ParentID)
		if err != nil {
			return fmt.Errorf("parent of unit %q: %w", u.Code, err)
		}
		parentPath, depth = p.Path, p.Depth+1
	}
	t := now()
	id, err := q.insertID(ctx, `INSERT INTO units (code, parent_id, path, depth, name, short_name, kind, abbreviation, agency_id, active_from, dissolved_on, merged_into, created_at, updated_at)
		VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Code, u.ParentID, depth, u.Name, u.ShortName, u.Kind, u.Abbreviation, u.AgencyID, u.ActiveFrom, u.DissolvedOn, u.MergedInto, t, t)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("unit code %q is already used: %w", u.Code, model.ErrConflict)
		}
		return fmt.Errorf("insert unit %q: %w", u.Code, err)
	}
	path := parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := q.exec(ctx, `UPDATE units SET path = ? WHERE id = ?`, path, id); err != nil {
		return fmt.Errorf("set path of unit %q: %w", u.Code, err)
	}
	u.ID, u.Path, u.Depth, u.CreatedAt, u.UpdatedAt = id, path, depth, t, t
	return nil
}

// UpdateUnit saves the descriptive fields of a unit (not its place in the
// tree: see MoveUnit).
func (q OrgStore) UpdateUnit(ctx context.Context, u *model.Unit) error {
	u.UpdatedAt = now()
	res, err := q.exec(ctx, `UPDATE units SET code = ?, name = ?, short_name = ?, kind = ?, abbreviation = ?, agency_id = ?,
		active_from = ?, dissolved_on = ?, merged_into = ?, updated_at = ? WHERE id = ?`,
		u.Code, u.Name, u.ShortName, u.Kind, u.Abbreviation, u.AgencyID, u.ActiveFrom, u.DissolvedOn, u.MergedInto, u.UpdatedAt, u.ID)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("unit code %q is already used: %w", u.Code, model.ErrConflict)
		}
		return fmt.Errorf("update unit %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("unit %d: %w", u.ID, model.ErrNotFound)
	}
	return nil
}

// MoveUnit puts a unit under a new parent and rewrites the paths of its
// whole subtree and the search tags of their documents. The caller checks that the new parent is not inside it.
func (q OrgStore) MoveUnit(ctx context.Context, id int64, newParent *int64) error {
	u, err := q.Unit(ctx, id)
	if err != nil {
		return err
	}
	parentPath, depth := "/", 0
	if newParent != nil {
		p, err := q.Unit(ctx, *newParent)
		if err != nil {
			return fmt.Errorf("new parent: %w", err)
		}
		if strings.HasPrefix(p.Path, u.Path) {
			return model.Invalid("parent_id", "cannot move unit %q under itself or one of its own sub-units", u.Name)
		}
		parentPath, depth = p.Path, p.Depth+1
	}
	newPath := parentPath + strconv.FormatInt(id, 10) + "/"
	delta := depth - u.Depth
	if _, err := q.exec(ctx, `UPDATE units SET parent_id = ?, updated_at = ? WHERE id = ?`, newParent, now(), id); err != nil {
		return fmt.Errorf("move unit %d: %w", id, err)
	}
	// Rewrite the prefix of every path in the subtree.
	if _, err := q.exec(ctx, `UPDATE units SET path = CAST(? AS TEXT) || substr(path, ?), depth = depth + ? WHERE path LIKE ?`,
		newPath, len(u.Path)+1, delta, u.Path+"%"); err != nil {
		return fmt.Errorf("rewrite paths under unit %d: %w", id, err)
	}
	// The plays below a unit (dashboards) follow the subtree.
	if err := q.rebuildBelowDays(ctx, append(ancestorsOf(u.Path), ancestorsOf(newPath)...)); err != nil {
		return err
	}
	// The search index holds each document's unit ancestors as tags.
	return q.Documents().RetagUnitDocuments(ctx, newPath)
}

// AddUnitChange appends to a unit's history.
func (q OrgStore) AddUnitChange(ctx context.Context, c *model.UnitChange) error {
	c.At = now()
	id, err := q.insertID(ctx, `INSERT INTO unit_history (unit_id, at, actor_id, change, before, after) VALUES (?, ?, ?, ?, ?, ?)`,
		c.UnitID, c.At, c.ActorID, c.Change, c.Before, c.After)
	if err != nil {
		return fmt.Errorf("record change of unit %d: %w", c.UnitID, err)
	}
	c.ID = id
	return nil
}

// UnitHistory lists a unit's changes, oldest first.
func (q OrgStore) UnitHistory(ctx context.Context, unitID int64) ([]model.UnitChange, error) {
	rows, err := q.query(ctx, `SELECT id, unit_id, at, actor_id, change, before, after FROM unit_history WHERE unit_id = ? ORDER BY id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("query history of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []model.UnitChange
	for rows.Next() {
		var c model.UnitChange
		var actor sql.NullInt64
		if err := rows.Scan(&c.ID, &c.UnitID, &c.At, &actor, &c.Change, &c.Before, &c.After); err != nil {
			return nil, fmt.Errorf("scan unit change: %w", err)
		}
		if actor.Valid {
			c.ActorID = &actor.Int64
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountChildren returns how many units have this parent.
func (q OrgStore) CountChildren(ctx context.Context, id int64) (int, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM units WHERE parent_id = ?`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("count children of unit %d: %w", id, err)
	}
	return n, nil
}
