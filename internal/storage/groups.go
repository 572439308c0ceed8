package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/loa-project/loa/internal/model"
)

// InsertGroup stores a recipient group with its explicit members.
func (q OrgStore) InsertGroup(ctx context.Context, g *model.Group) error {
	var rule any
	if g.Rule != nil {
		b, err := json.Marshal(g.Rule)
		if err != nil {
			return fmt.Errorf("encode rule of group %q: %w", g.Name, err)
		}
		rule = string(b)
	}
	g.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO recipient_groups (owner_unit_id, name, description, rule, created_at) VALUES (?, ?, ?, ?, ?)`,
		g.OwnerUnitID, g.Name, g.Description, rule, g.CreatedAt)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("a group named %q already exists in this unit: %w", g.Name, model.ErrConflict)
		}
		return fmt.Errorf("insert group %q: %w", g.Name, err)
	}
	g.ID = id
	for _, m := range g.Members {
		if _, err := q.exec(ctx, `INSERT INTO recipient_group_members (group_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, m); err != nil {
			return fmt.Errorf("add unit %d to group %q: %w", m, g.Name, err)
		}
	}
	return nil
}

// Groups lists the groups owned by a unit (all groups when ownerUnitID is 0).
func (q OrgStore) Groups(ctx context.Context, ownerUnitID int64) ([]*model.Group, error) {
	query := `SELECT id, owner_unit_id, name, description, rule, created_at FROM recipient_groups`
	var args []any
	if ownerUnitID != 0 {
		query += ` WHERE owner_unit_id = ?`
		args = append(args, ownerUnitID)
	}
	rows, err := q.query(ctx, query+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	var out []*model.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	for _, g := range out {
		if g.Members, err = q.groupMembers(ctx, g.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Group returns one group with its explicit members.
func (q OrgStore) Group(ctx context.Context, id int64) (*model.Group, error) {
	g, err := scanGroup(q.row(ctx, `SELECT id, owner_unit_id, name, description, rule, created_at FROM recipient_groups WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("group %d", id))
	}
	if g.Members, err = q.groupMembers(ctx, id); err != nil {
		return nil, err
	}
	return g, nil
}

func scanGroup(sc scanner) (*model.Group, error) {
	var g model.Group
	var rule sql.NullString
	if err := sc.Scan(&g.ID, &g.OwnerUnitID, &g.Name, &g.Description, &rule, &g.CreatedAt); err != nil {
		return nil, err
	}
	if rule.Valid && rule.String != "" {
		g.Rule = &model.GroupRule{}
		if err := json.Unmarshal([]byte(rule.String), g.Rule); err != nil {
			return nil, fmt.Errorf("decode rule of group %d: %w", g.ID, err)
		}
	}
	return &g, nil
}

func (q OrgStore) groupMembers(ctx context.Context, id int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT unit_id FROM recipient_group_members WHERE group_id = ? ORDER BY unit_id`, id)
	if err != nil {
		return nil, fmt.Errorf("query members of group %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DeleteGroup removes a group.
func (q OrgStore) DeleteGroup(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM recipient_groups WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete group %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("group %d: %w", id, model.ErrNotFound)
	}
	return nil
}
