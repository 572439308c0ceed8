package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// InsertSession stores a web session under the hash of its secret.
func (q AccountStore) InsertSession(ctx context.Context, idHash string, s model.Session, client string) error {
	_, err := q.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, client) VALUES (?, ?, ?, ?, ?, ?)`,
		idHash, s.UserID, s.CSRF, now(), s.ExpiresAt.UTC(), client)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// Session returns a live session by the hash of its secret.
func (q AccountStore) Session(ctx context.Context, idHash string) (*model.Session, error) {
	var s model.Session
	err := q.row(ctx, `SELECT user_id, csrf, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?`, idHash, now()).
		Scan(&s.UserID, &s.CSRF, &s.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return &s, nil
}

// DeleteSession ends a session.
func (q AccountStore) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := q.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (password change, deactivation).
func (q AccountStore) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// DeleteOtherSessions ends every session of a user but the one whose
// secret hashes to keepHash (the caller's own, after a password change).
func (q AccountStore) DeleteOtherSessions(ctx context.Context, userID int64, keepHash string) error {
	if _, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, keepHash); err != nil {
		return fmt.Errorf("delete other sessions of user %d: %w", userID, err)
	}
	return nil
}

// PurgeExpired removes expired sessions, old login attempts and sign-in
// throttle counters without failures since attemptsBefore that no longer
// delay anyone.
func (q AccountStore) PurgeExpired(ctx context.Context, attemptsBefore time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now()); err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM login_attempts WHERE at < ?`, attemptsBefore.UTC()); err != nil {
		return fmt.Errorf("purge login attempts: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM enrolment_attempts WHERE at < ?`, attemptsBefore.UTC()); err != nil {
		return fmt.Errorf("purge enrolment attempts: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM login_throttle WHERE last_failure_at < ? AND blocked_until <= ?`, attemptsBefore.UTC(), now()); err != nil {
		return fmt.Errorf("purge sign-in throttle counters: %w", err)
	}
	return nil
}
