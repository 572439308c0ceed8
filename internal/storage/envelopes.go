package storage

import (
	"context"
	"fmt"

	"github.com/loa-project/loa/internal/model"
)

// AddEnvelope records the envelope file a document arrived in; recording
// the same file for the same document again changes nothing.
func (q DocumentStore) AddEnvelope(ctx context.Context, e *model.Envelope) error {
	e.CreatedAt = now()
	if _, err := q.exec(ctx, `INSERT INTO document_envelopes (document_id, sha256, name, size, source, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id, sha256) DO NOTHING`, e.DocumentID, e.SHA256, e.Name, e.Size, e.Source, e.MessageID, e.CreatedAt); err != nil {
		return fmt.Errorf("record envelope of document %d: %w", e.DocumentID, err)
	}
	return nil
}

// Envelopes lists the envelopes a document arrived in, oldest first.
func (q DocumentStore) Envelopes(ctx context.Context, documentID int64) ([]model.Envelope, error) {
	rows, err := q.query(ctx, `SELECT document_id, sha256, name, size, source, message_id, created_at FROM document_envelopes WHERE document_id = ? ORDER BY id`, documentID)
	if err != nil {
		return nil, fmt.Errorf("query envelopes of document %d: %w", documentID, err)
	}
	defer rows.Close()
	var out []model.Envelope
	for rows.Next() {
		var e model.Envelope
		if err := rows.Scan(&e.DocumentID, &e.SHA256, &e.Name, &e.Size, &e.Source, &e.MessageID, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan envelope: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
