package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// ExchangeStore holds the edXML exchange records and document files.
type ExchangeStore struct{ Q }

// Exchange returns the exchange queries.
func (q Q) Exchange() ExchangeStore { return ExchangeStore{q} }

// InsertDocumentFile adds a file to a document at the next position.
func (q ExchangeStore) InsertDocumentFile(ctx context.Context, f *model.DocumentFile) error {
	if err := q.row(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM document_files WHERE document_id = ?`, f.DocumentID).Scan(&f.Position); err != nil {
		return fmt.Errorf("number file of document %d: %w", f.DocumentID, err)
	}
	f.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO document_files (document_id, position, name, content_type, sha256, size, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		f.DocumentID, f.Position, f.Name, f.ContentType, f.SHA256, f.Size, f.Source, f.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert file %s of document %d: %w", f.Name, f.DocumentID, err)
	}
	f.ID = id
	return nil
}

// DocumentFiles lists a document's files in order.
func (q ExchangeStore) DocumentFiles(ctx context.Context, documentID int64) ([]model.DocumentFile, error) {
	rows, err := q.query(ctx, `SELECT id, document_id, position, name, content_type, sha256, size, source, created_at FROM document_files WHERE document_id = ? ORDER BY position`, documentID)
	if err != nil {
		return nil, fmt.Errorf("list files of document %d: %w", documentID, err)
	}
	defer rows.Close()
	var out []model.DocumentFile
	for rows.Next() {
		var f model.DocumentFile
		if err := rows.Scan(&f.ID, &f.DocumentID, &f.Position, &f.Name, &f.ContentType, &f.SHA256, &f.Size, &f.Source, &f.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan document file: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// InsertPackage records a received or sent edXML package.
func (q ExchangeStore) InsertPackage(ctx context.Context, p *model.ExchangePackage) error {
	p.CreatedAt = now()
	if p.At.IsZero() {
		p.At = p.CreatedAt
	}
	id, err := q.insertID(ctx, `INSERT INTO edxml_packages (unit_id, document_id, direction, kind, edxml_document_id, business_type, status_code, organ_id, organ_name, description, warnings, package_sha, at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.UnitID, p.DocumentID, p.Direction, p.Kind, p.EdXMLDocumentID, p.BusinessType, p.StatusCode,
		p.OrganID, p.OrganName, p.Description, p.Warnings, p.PackageSHA, p.At.UTC(), p.CreatedAt)
	if err != nil {
		return fmt.Errorf("record edXML package: %w", err)
	}
	p.ID = id
	return nil
}

const packageColumns = `id, unit_id, document_id, direction, kind, edxml_document_id, business_type, status_code, organ_id, organ_name, description, warnings, package_sha, at, created_at`

func scanPackages(rows *sql.Rows) ([]model.ExchangePackage, error) {
	defer rows.Close()
	var out []model.ExchangePackage
	for rows.Next() {
		var p model.ExchangePackage
		var doc sql.NullInt64
		if err := rows.Scan(&p.ID, &p.UnitID, &doc, &p.Direction, &p.Kind, &p.EdXMLDocumentID, &p.BusinessType, &p.StatusCode, &p.OrganID, &p.OrganName,
			&p.Description, &p.Warnings, &p.PackageSHA, &p.At, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan edXML package: %w", err)
		}
		if doc.Valid {
			p.DocumentID = &doc.Int64
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Packages lists the packages of a document, oldest first.
func (q ExchangeStore) Packages(ctx context.Context, documentID int64) ([]model.ExchangePackage, error) {
	rows, err := q.query(ctx, `SELECT `+packageColumns+` FROM edxml_packages WHERE document_id = ? ORDER BY id`, documentID)
	if err != nil {
		return nil, fmt.Errorf("list edXML packages of document %d: %w", documentID, err)
	}
	return scanPackages(rows)
}

// DocumentByEdXMLID finds the unit's document a DocumentId names (through
// the document packages received or sent for it); 0 when none.
func (q ExchangeStore) DocumentByEdXMLID(ctx context.Context, unitID int64, edxmlID string) (int64, error) {
	if edxmlID == "" {
		return 0, nil
	}
	var id sql.NullInt64
	err := q.row(ctx, `SELECT MIN(document_id) FROM edxml_packages WHERE unit_id = ? AND edxml_document_id = ? AND kind = 'document' AND document_id IS NOT NULL`, unitID, edxmlID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("look up DocumentId %q: %w", edxmlID, err)
	}
	return id.Int64, nil
}

// PackageSeen reports whether the unit already holds this exact package.
func (q ExchangeStore) PackageSeen(ctx context.Context, unitID int64, sha string) (*model.ExchangePackage, error) {
	rows, err := q.query(ctx, `SELECT `+packageColumns+` FROM edxml_packages WHERE unit_id = ? AND package_sha = ? AND direction = 'in' ORDER BY id LIMIT 1`, unitID, sha)
	if err != nil {
		return nil, fmt.Errorf("look up package: %w", err)
	}
	ps, err := scanPackages(rows)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return &ps[0], nil
}

// SetRevoked marks a document revoked by its sender.
func (q ExchangeStore) SetRevoked(ctx context.Context, documentID int64, at time.Time) error {
	if _, err := q.exec(ctx, `UPDATE documents SET revoked_at = ?, updated_at = ? WHERE id = ?`, at.UTC(), now(), documentID); err != nil {
		return fmt.Errorf("revoke document %d: %w", documentID, err)
	}
	return nil
}

// Revoked returns when a document was revoked (nil: not revoked).
func (q ExchangeStore) Revoked(ctx context.Context, documentID int64) (*time.Time, error) {
	var at sql.NullTime
	if err := q.row(ctx, `SELECT revoked_at FROM documents WHERE id = ?`, documentID).Scan(&at); err != nil {
		return nil, notFound(err, fmt.Sprintf("document %d", documentID))
	}
	if at.Valid {
		return &at.Time, nil
	}
	return nil, nil
}
