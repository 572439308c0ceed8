package storage

import (
	"context"
	"fmt"
)

// RecordBlob notes a stored blob's metadata (idempotent).
func (q DocumentStore) RecordBlob(ctx context.Context, sha string, size int64, contentType string) error {
	_, err := q.exec(ctx, `INSERT INTO blobs (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		sha, size, contentType, now())
	if err != nil {
		return fmt.Errorf("record blob %s: %w", sha, err)
	}
	return nil
}

// BlobExists reports whether a blob's metadata is recorded.
func (q DocumentStore) BlobExists(ctx context.Context, sha string) (bool, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM blobs WHERE sha256 = ?`, sha).Scan(&n); err != nil {
		return false, fmt.Errorf("look up blob %s: %w", sha, err)
	}
	return n > 0, nil
}
