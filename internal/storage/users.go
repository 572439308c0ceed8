package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const userColumns = `id, username, full_name, email, title, unit_id, active, lang, created_at, last_login_at`

func scanUser(sc scanner) (*model.User, error) {
	var u model.User
	var last sql.NullTime
	if err := sc.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.Title, &u.UnitID, &u.Active, &u.Lang, &u.CreatedAt, &last); err != nil {
		return nil, err
	}
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	return &u, nil
}

func (q AccountStore) withRoles(ctx context.Context, u *model.User) (*model.User, error) {
	rows, err := q.query(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("query roles of user %q: %w", u.Username, err)
	}
	defer rows.Close()
	u.Roles = nil
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("scan role: %w", err)
		}
		u.Roles = append(u.Roles, model.Role(r))
	}
	return u, rows.Err()
}

// User returns a user by id, with roles.
func (q AccountStore) User(ctx context.Context, id int64) (*model.User, error) {
	u, err := scanUser(q.row(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return q.withRoles(ctx, u)
}

// UserByUsername returns a user and the password hash.
func (q AccountStore) UserByUsername(ctx context.Context, username string) (*model.User, string, error) {
	var hash string
	row := q.row(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username)
	var u model.User
	var last sql.NullTime
	if err := row.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.Title, &u.UnitID, &u.Active, &u.Lang, &u.CreatedAt, &last, &hash); err != nil {
		return nil, "", notFound(err, fmt.Sprintf("user %q", username))
	}
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	r, err := q.withRoles(ctx, &u)
	return r, hash, err
}

// Users lists users whose unit lies under the given path ("" for all).
func (q AccountStore) Users(ctx context.Context, underPath string) ([]*model.User, error) {
	rows, err := q.query(ctx, `SELECT u.id, u.username, u.full_name, u.email, u.title, u.unit_id, u.active, u.lang, u.created_at, u.last_login_at
		FROM users u JOIN units n ON n.id = u.unit_id WHERE n.path LIKE ? ORDER BY n.path, u.username`, underPath+"%")
	if err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	var out []*model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	for _, u := range out {
		if _, err := q.withRoles(ctx, u); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertUser stores a new user with roles and password hash.
func (q AccountStore) InsertUser(ctx context.Context, u *model.User, passwordHash string) error {
	u.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO users (username, full_name, email, title, unit_id, password_hash, active, lang, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.Username, u.FullName, u.Email, u.Title, u.UnitID, passwordHash, u.Active, u.Lang, u.CreatedAt)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("username %q is taken: %w", u.Username, model.ErrConflict)
		}
		return fmt.Errorf("insert user %q: %w", u.Username, err)
	}
	u.ID = id
	return q.setRoles(ctx, u)
}

func (q AccountStore) setRoles(ctx context.Context, u *model.User) error {
	if _, err := q.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, u.ID); err != nil {
		return fmt.Errorf("reset roles of %q: %w", u.Username, err)
	}
	for _, r := range u.Roles {
		if _, err := q.exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, string(r)); err != nil {
			return fmt.Errorf("add role %s to %q: %w", r, u.Username, err)
		}
	}
	return nil
}

// UpdateUser saves profile, unit, roles and active flag.
func (q AccountStore) UpdateUser(ctx context.Context, u *model.User) error {
	res, err := q.exec(ctx, `UPDATE users SET full_name = ?, email = ?, title = ?, unit_id = ?, active = ?, lang = ? WHERE id = ?`,
		u.FullName, u.Email, u.Title, u.UnitID, u.Active, u.Lang, u.ID)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Username, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", u.ID, model.ErrNotFound)
	}
	return q.setRoles(ctx, u)
}

// SetPassword replaces a user's password hash.
func (q AccountStore) SetPassword(ctx context.Context, userID int64, hash string) error {
	res, err := q.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", userID, model.ErrNotFound)
	}
	return nil
}

// TouchLogin records a successful login time.
func (q AccountStore) TouchLogin(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, now(), userID)
	if err != nil {
		return fmt.Errorf("record login of user %d: %w", userID, err)
	}
	return nil
}

// AddLoginAttempt records a login attempt for throttling.
func (q AccountStore) AddLoginAttempt(ctx context.Context, username, client string, success bool) error {
	_, err := q.exec(ctx, `INSERT INTO login_attempts (username, client, at, success) VALUES (?, ?, ?, ?)`, username, client, now(), success)
	if err != nil {
		return fmt.Errorf("record login attempt: %w", err)
	}
	return nil
}

// RecentFailures counts failed logins since a time for a username and for a
// client address.
func (q AccountStore) RecentFailures(ctx context.Context, username, client string, since time.Time) (byUser, byClient int, err error) {
	if err := q.row(ctx, `SELECT count(*) FROM login_attempts WHERE username = ? AND at > ? AND NOT success`, username, since.UTC()).Scan(&byUser); err != nil {
		return 0, 0, fmt.Errorf("count login failures: %w", err)
	}
	if err := q.row(ctx, `SELECT count(*) FROM login_attempts WHERE client = ? AND at > ? AND NOT success`, client, since.UTC()).Scan(&byClient); err != nil {
		return 0, 0, fmt.Errorf("count login failures: %w", err)
	}
	return byUser, byClient, nil
}

// ClearFailures forgets failed attempts of a username after a success.
func (q AccountStore) ClearFailures(ctx context.Context, username string) error {
	_, err := q.exec(ctx, `DELETE FROM login_attempts WHERE username = ? AND NOT success`, username)
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
