package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

const tokenColumns = `id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at`

func scanToken(sc scanner) (*model.Token, error) {
	var t model.Token
	var scopes string
	var exp, used, rev sql.NullTime
	if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &scopes, &t.CreatedAt, &exp, &used, &rev); err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	if exp.Valid {
		t.ExpiresAt = &exp.Time
	}
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	if rev.Valid {
		t.RevokedAt = &rev.Time
	}
	return &t, nil
}

// InsertToken stores an API token under the hash of its secret.
func (q AccountStore) InsertToken(ctx context.Context, t *model.Token, hash string) error {
	t.CreatedAt = now()
	var exp any
	if t.ExpiresAt != nil {
		exp = t.ExpiresAt.UTC()
	}
	id, err := q.insertID(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.UserID, t.Name, hash, t.Prefix, strings.Join(t.Scopes, " "), t.CreatedAt, exp)
	if err != nil {
		return fmt.Errorf("insert token %q: %w", t.Name, err)
	}
	t.ID = id
	return nil
}

// TokenByHash returns a usable (not revoked, not expired) token.
func (q AccountStore) TokenByHash(ctx context.Context, hash string) (*model.Token, error) {
	t, err := scanToken(q.row(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, hash, now()))
	if err != nil {
		return nil, notFound(err, "token")
	}
	return t, nil
}

// Token returns a token by id.
func (q AccountStore) Token(ctx context.Context, id int64) (*model.Token, error) {
	t, err := scanToken(q.row(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("token %d", id))
	}
	return t, nil
}

// Tokens lists a user's tokens, newest first.
func (q AccountStore) Tokens(ctx context.Context, userID int64) ([]*model.Token, error) {
	rows, err := q.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("query tokens: %w", err)
	}
	defer rows.Close()
	var out []*model.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("scan token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked.
func (q AccountStore) RevokeToken(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now(), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %d (or already revoked): %w", id, model.ErrNotFound)
	}
	return nil
}

// TouchToken records when a token was last used; it is cheap enough to
// skip when it was touched in the last minute.
func (q AccountStore) TouchToken(ctx context.Context, id int64) error {
	t := now()
	_, err := q.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, t, id, t.Add(-time.Minute))
	if err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// InsertEnrolmentKey stores a device enrolment key under its hash.
func (q DeviceStore) InsertEnrolmentKey(ctx context.Context, k *model.EnrolmentKey, hash string) error {
	k.CreatedAt = now()
	var exp any
	if k.ExpiresAt != nil {
		exp = k.ExpiresAt.UTC()
	}
	var maxDevices any
	if k.MaxDevices != nil {
		maxDevices = *k.MaxDevices
	}
	id, err := q.insertID(ctx, `INSERT INTO enrolment_keys (unit_id, label, key_hash, prefix, created_at, expires_at, max_devices) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.UnitID, k.Label, hash, k.Prefix, k.CreatedAt, exp, maxDevices)
	if err != nil {
		return fmt.Errorf("insert enrolment key: %w", err)
	}
	k.ID = id
	return nil
}

// RevokeUserTokens revokes every live token of a user and says how many.
func (q AccountStore) RevokeUserTokens(ctx context.Context, userID int64) (int64, error) {
	res, err := q.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now(), userID)
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	return n, nil
}
