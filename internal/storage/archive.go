package storage

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
)

// ArchiveStore holds the queries of the archive: integrity checks,
// retention rules, legal holds and disposal.
type ArchiveStore struct{ Q }

// Archive returns the archive queries.
func (q Q) Archive() ArchiveStore { return ArchiveStore{q} }

// BlobRef is one record that needs a stored file.
type BlobRef struct {
	SHA256 string
	Where  string // e.g. "document 12 original", "directive 3 PDF"
}

var shaToken = regexp.MustCompile(`[0-9a-f]{64}`)

// BlobRefs calls fn for every reference to a stored file: originals of
// documents and their files, broadcast audio, issued PDFs, attachments of
// directives (in their content and every saved version), item audio, task
// evidence and the recorded blob metadata.
func (q ArchiveStore) BlobRefs(ctx context.Context, fn func(BlobRef)) error {
	direct := []struct{ query, label string }{
		{`SELECT id, original_sha FROM documents WHERE original_sha IS NOT NULL AND original_sha <> ''`, "document %d original"},
		{`SELECT document_id, sha256 FROM document_files`, "document %d file"},
		{`SELECT id, sha256 FROM media`, "media %d audio"},
		{`SELECT id, original_sha256 FROM media WHERE original_sha256 <> ''`, "media %d original"},
		{`SELECT id, pdf_sha FROM directives WHERE pdf_sha <> ''`, "directive %d PDF"},
		{`SELECT id, sha256 FROM channel_task_evidence WHERE sha256 <> ''`, "task evidence %d"},
		{`SELECT 0, sha256 FROM blobs`, "blob record %d"},
	}
	for _, d := range direct {
		rows, err := q.query(ctx, d.query)
		if err != nil {
			return fmt.Errorf("fsck: list file references (%s): %w", d.label, err)
		}
		for rows.Next() {
			var id int64
			var sha string
			if err := rows.Scan(&id, &sha); err != nil {
				rows.Close()
				return fmt.Errorf("fsck: scan file reference: %w", err)
			}
			w := fmt.Sprintf(d.label, id)
			if id == 0 {
				w = "blob record"
			}
			fn(BlobRef{SHA256: sha, Where: w})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("fsck: list file references: %w", err)
		}
	}
	// JSON columns naming files by hash.
	embedded := []struct{ query, label string }{
		{`SELECT id, content FROM directives`, "directive %d attachment"},
		{`SELECT directive_id, content FROM directive_versions`, "directive %d version attachment"},
		{`SELECT directive_id, audio FROM directive_items WHERE audio <> '[]'`, "directive %d item audio"},
	}
	for _, d := range embedded {
		rows, err := q.query(ctx, d.query)
		if err != nil {
			return fmt.Errorf("fsck: list file references (%s): %w", d.label, err)
		}
		for rows.Next() {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return fmt.Errorf("fsck: scan file reference: %w", err)
			}
			for _, sha := range shaToken.FindAllString(text, -1) {
				fn(BlobRef{SHA256: sha, Where: fmt.Sprintf(d.label, id)})
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("fsck: list file references: %w", err)
		}
	}
	return nil
}

// RegisterNumbering is the numbers used in one register series of a year.
type RegisterNumbering struct {
	UnitID  int64
	Year    int
	Series  string
	Numbers []int // in order, duplicates kept
	Counter int   // last number given out (0 when no counter row)
}

// RegisterNumberings lists every register series with its numbers.
func (q ArchiveStore) RegisterNumberings(ctx context.Context) ([]RegisterNumbering, error) {
	rows, err := q.query(ctx, `SELECT e.unit_id, e.year, e.series, e.number, COALESCE(c.last, 0)
		FROM register_entries e LEFT JOIN register_counters c ON c.unit_id = e.unit_id AND c.year = e.year AND c.series = e.series
		ORDER BY e.unit_id, e.year, e.series, e.number`)
	if err != nil {
		return nil, fmt.Errorf("fsck: list register numbers: %w", err)
	}
	defer rows.Close()
	var out []RegisterNumbering
	for rows.Next() {
		var unit int64
		var year, n, last int
		var series string
		if err := rows.Scan(&unit, &year, &series, &n, &last); err != nil {
			return nil, fmt.Errorf("fsck: scan register number: %w", err)
		}
		if k := len(out); k == 0 || out[k-1].UnitID != unit || out[k-1].Year != year || out[k-1].Series != series {
			out = append(out, RegisterNumbering{UnitID: unit, Year: year, Series: series, Counter: last})
		}
		out[len(out)-1].Numbers = append(out[len(out)-1].Numbers, n)
	}
	return out, rows.Err()
}

// IssuedDocument is an issued directive and the PDF it must have.
type IssuedDocument struct {
	DirectiveID int64
	Code        string
	PDFSHA      string
}

// IssuedDocuments lists every issued directive with its PDF hash.
func (q ArchiveStore) IssuedDocuments(ctx context.Context) ([]IssuedDocument, error) {
	rows, err := q.query(ctx, `SELECT id, code, pdf_sha FROM directives WHERE status = 'issued' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("fsck: list issued documents: %w", err)
	}
	defer rows.Close()
	var out []IssuedDocument
	for rows.Next() {
		var d IssuedDocument
		var code sql.NullString
		if err := rows.Scan(&d.DirectiveID, &code, &d.PDFSHA); err != nil {
			return nil, fmt.Errorf("fsck: scan issued document: %w", err)
		}
		d.Code = code.String
		out = append(out, d)
	}
	return out, rows.Err()
}
