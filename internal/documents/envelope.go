package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// AttachEnvelope keeps the envelope a stored document arrived in (the
// e-mail whose attachment it is) in the blob store and records it with the
// document; the same envelope again changes nothing.
func (s *Service) AttachEnvelope(ctx context.Context, a model.Actor, documentID int64, e model.Envelope, data []byte) error {
	d, err := s.store.Documents().Document(ctx, documentID)
	if err != nil {
		return err
	}
	if _, err := s.unitFor(ctx, a, d.UnitID, authz.DocWrite); err != nil {
		return err
	}
	if len(data) > MaxUpload*2 {
		return fmt.Errorf("envelope of document %d is larger than %d MiB: %w", documentID, MaxUpload>>19, ErrTooLarge)
	}
	sum := sha256.Sum256(data)
	e.DocumentID, e.SHA256, e.Size = documentID, hex.EncodeToString(sum[:]), int64(len(data))
	if _, err := s.blobs.Put(ctx, bytes.NewReader(data), MaxUpload*2); err != nil {
		return fmt.Errorf("store envelope of document %d: %w", documentID, err)
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, e.SHA256, e.Size, "message/rfc822"); err != nil {
			return err
		}
		if err := tx.Documents().AddEnvelope(ctx, &e); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.envelope", "document", fmt.Sprint(documentID), fmt.Sprintf("%s %s", e.Name, e.Source))
	})
}

// Envelopes lists the envelopes of a document the actor may read.
func (s *Service) Envelopes(ctx context.Context, a model.Actor, documentID int64) ([]model.Envelope, error) {
	if _, err := s.Get(ctx, a, documentID); err != nil {
		return nil, err
	}
	return s.store.Documents().Envelopes(ctx, documentID)
}
