package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/loa-project/loa/internal/model"
)

// AppendAudit adds one entry to the append-only audit log. unitPath scopes
// who may read it (admins of that subtree).
func (q AuditStore) AppendAudit(ctx context.Context, a model.Actor, action, objectType, objectID, detail string) error {
	var uid, unit any
	if a.UserID != 0 {
		uid = a.UserID
	}
	if a.UnitID != 0 {
		unit = a.UnitID
	}
	_, err := q.exec(ctx, `INSERT INTO audit_log (at, user_id, username, unit_id, unit_path, action, object_type, object_id, detail, client_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, now(), uid, a.Username, unit, a.UnitPath, action, objectType, objectID, detail, a.ClientAddr)
	if err != nil {
		return fmt.Errorf("append audit entry %s %s/%s: %w", action, objectType, objectID, err)
	}
	return nil
}

// Audit lists audit entries, newest first.
func (q AuditStore) AuditEntries(ctx context.Context, f AuditFilter) ([]model.AuditEntry, error) {
	query := `SELECT id, at, user_id, username, unit_id, action, object_type, object_id, detail, client_addr FROM audit_log WHERE 1=1`
	var args []any
	if f.UnderPath != "" {
		query += ` AND unit_path LIKE ?`
		args = append(args, f.UnderPath+"%")
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Username != "" {
		query += ` AND username = ?`
		args = append(args, f.Username)
	}
	if f.Since != nil {
		query += ` AND at >= ?`
		args = append(args, f.Since.UTC())
	}
	if f.Until != nil {
		query += ` AND at < ?`
		args = append(args, f.Until.UTC())
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 100
	}
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, f.Limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	defer rows.Close()
	var out []model.AuditEntry
	for rows.Next() {
		var e model.AuditEntry
		var uid, unit sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &uid, &e.Username, &unit, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.ClientAddr); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		if uid.Valid {
			e.UserID = &uid.Int64
		}
		if unit.Valid {
			e.UnitID = &unit.Int64
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
type AuditFilter = model.AuditFilter
