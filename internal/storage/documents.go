package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/textfold"
)

const documentColumns = `id, unit_id, direction, fields, body_text, original_sha, original_name, original_type, original_size, version, created_by, created_at, updated_at, copy_of`

func scanDocument(sc scanner) (*model.Document, error) {
	var d model.Document
	var fields string
	var sha sql.NullString
	var name, ctype string
	var size int64
	var by, copyOf sql.NullInt64
	if err := sc.Scan(&d.ID, &d.UnitID, &d.Direction, &fields, &d.BodyText, &sha, &name, &ctype, &size, &d.Version, &by, &d.CreatedAt, &d.UpdatedAt, &copyOf); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return nil, fmt.Errorf("decode fields of document %d: %w", d.ID, err)
	}
	d.Fields.Normalize()
	if sha.Valid {
		d.Original = &model.Original{SHA256: sha.String, Name: name, ContentType: ctype, Size: size}
	}
	if by.Valid {
		d.CreatedBy = &by.Int64
	}
	if copyOf.Valid {
		d.CopyOf = &copyOf.Int64
	}
	return &d, nil
}

// yearOf takes the year of a YYYY-MM-DD date, or nil.
func yearOf(date string) *int {
	if len(date) < 4 {
		return nil
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil {
		return nil
	}
	return &y
}

// denormalized are the searchable columns derived from the fields.
func denormalized(f docmodel.Fields) []any {
	return []any{docmodel.Val(f.DocType), docmodel.Val(f.Number), docmodel.Val(f.Notation), docmodel.Val(f.Date),
		yearOf(docmodel.Val(f.Date)), docmodel.Val(f.Issuer), docmodel.Val(f.Subject)}
}

// searchText is the folded text that word searches match: code, type,
// issuer, subject, recipients and the full text of the document.
func searchText(f docmodel.Fields, body string) string {
	parts := []string{docmodel.Val(f.Number) + "/" + docmodel.Val(f.Notation), docmodel.Val(f.DocType), docmodel.Val(f.ParentIssuer),
		docmodel.Val(f.Issuer), docmodel.Val(f.Subject), docmodel.Val(f.SignerName), strings.Join(f.Recipients, " "), body}
	return textfold.Fold(strings.Join(parts, "\n"))
}

// InsertDocument stores a document (version 1) and its first version row.
func (q DocumentStore) InsertDocument(ctx context.Context, d *model.Document) error {
	b, err := json.Marshal(d.Fields)
	if err != nil {
		return fmt.Errorf("encode document fields: %w", err)
	}
	t := now()
	var sha, name, ctype any
	var size int64
	name, ctype = "", ""
	if d.Original != nil {
		sha, name, ctype, size = d.Original.SHA256, d.Original.Name, d.Original.ContentType, d.Original.Size
	}
	args := []any{d.UnitID, d.Direction}
	args = append(args, denormalized(d.Fields)...)
	args = append(args, string(b), d.BodyText, searchText(d.Fields, d.BodyText), sha, name, ctype, size, d.CreatedBy, t, t, d.CopyOf)
	id, err := q.insertID(ctx, `INSERT INTO documents (unit_id, direction, doc_type, number, notation, doc_date, year, issuer, subject,
		fields, body_text, search_text, original_sha, original_name, original_type, original_size, version, created_by, created_at, updated_at, copy_of)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`, args...)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("this file is already stored for the unit: %w", model.ErrConflict)
		}
		return fmt.Errorf("insert document: %w", err)
	}
	d.ID, d.Version, d.CreatedAt, d.UpdatedAt = id, 1, t, t
	if _, err := q.exec(ctx, `INSERT INTO document_versions (document_id, version, fields, edited_by, edited_at, note) VALUES (?, 1, ?, ?, ?, ?)`,
		id, string(b), d.CreatedBy, t, "nhập từ tệp"); err != nil {
		return fmt.Errorf("insert first version of document %d: %w", id, err)
	}
	return q.indexDocument(ctx, id, d.Fields, d.BodyText)
}

// UpdateDocumentFields saves corrected fields as the next version; it fails
// with ErrConflict when the document moved past baseVersion meanwhile.
func (q DocumentStore) UpdateDocumentFields(ctx context.Context, id int64, baseVersion int, f docmodel.Fields, body string, by *int64, note string) (int, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return 0, fmt.Errorf("encode document fields: %w", err)
	}
	t := now()
	args := denormalized(f)
	args = append(args, string(b), searchText(f, body), t, id, baseVersion)
	res, err := q.exec(ctx, `UPDATE documents SET doc_type = ?, number = ?, notation = ?, doc_date = ?, year = ?, issuer = ?, subject = ?,
		fields = ?, search_text = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, args...)
	if err != nil {
		return 0, fmt.Errorf("update document %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("document %d was changed by someone else (not at version %d any more); reload and try again: %w", id, baseVersion, model.ErrConflict)
	}
	v := baseVersion + 1
	if _, err := q.exec(ctx, `INSERT INTO document_versions (document_id, version, fields, edited_by, edited_at, note) VALUES (?, ?, ?, ?, ?, ?)`,
		id, v, string(b), by, t, note); err != nil {
		return 0, fmt.Errorf("insert version %d of document %d: %w", v, id, err)
	}
	if err := q.indexDocument(ctx, id, f, body); err != nil {
		return 0, err
	}
	return v, nil
}

// Document returns one document.
func (q DocumentStore) Document(ctx context.Context, id int64) (*model.Document, error) {
	d, err := scanDocument(q.row(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("document %d", id))
	}
	return d, nil
}

// DocumentByOriginal finds a unit's document imported from the same file.
func (q DocumentStore) DocumentByOriginal(ctx context.Context, unitID int64, sha string) (*model.Document, error) {
	d, err := scanDocument(q.row(ctx, `SELECT `+documentColumns+` FROM documents WHERE unit_id = ? AND original_sha = ?`, unitID, sha))
	if err != nil {
		return nil, notFound(err, "document with this original")
	}
	return d, nil
}

// DocumentsByIdent lists a unit's documents (originals, not kept copies)
// with this issue date and number, oldest first: the candidates for the
// same letter, whose issuer and notation the caller compares normalised.
func (q DocumentStore) DocumentsByIdent(ctx context.Context, unitID int64, date, number string) ([]*model.Document, error) {
	rows, err := q.query(ctx, `SELECT `+documentColumns+` FROM documents WHERE unit_id = ? AND doc_date = ? AND number = ? AND copy_of IS NULL ORDER BY id`,
		unitID, date, number)
	if err != nil {
		return nil, fmt.Errorf("query documents %s of %s: %w", number, date, err)
	}
	defer rows.Close()
	var out []*model.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DocumentIssued reports whether a document was issued by its unit: it is
// numbered in an outgoing register or is the issued text of a directive.
func (q DocumentStore) DocumentIssued(ctx context.Context, id int64) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT (SELECT COUNT(*) FROM register_entries WHERE document_id = ? AND series = 'outgoing')
		+ (SELECT COUNT(*) FROM directives WHERE document_id = ?)`, id, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is document %d issued: %w", id, err)
	}
	return n > 0, nil
}

// DocumentVersions lists the versions of a document, oldest first.
func (q DocumentStore) DocumentVersions(ctx context.Context, id int64) ([]model.DocumentVersion, error) {
	rows, err := q.query(ctx, `SELECT version, fields, edited_by, edited_at, note FROM document_versions WHERE document_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("query versions of document %d: %w", id, err)
	}
	defer rows.Close()
	var out []model.DocumentVersion
	for rows.Next() {
		var v model.DocumentVersion
		var fields string
		var by sql.NullInt64
		if err := rows.Scan(&v.Version, &fields, &by, &v.EditedAt, &v.Note); err != nil {
			return nil, fmt.Errorf("scan version: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &v.Fields); err != nil {
			return nil, fmt.Errorf("decode version %d: %w", v.Version, err)
		}
		if by.Valid {
			v.EditedBy = &by.Int64
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Documents lists documents, newest first.
func (q DocumentStore) ListDocuments(ctx context.Context, f DocumentFilter) ([]*model.Document, error) {
	var where []string
	var args []any
	if f.UnitID != 0 {
		where = append(where, `d.unit_id = ?`)
		args = append(args, f.UnitID)
	}
	if f.UnderPath != "" {
		where = append(where, `n.path LIKE ?`)
		args = append(args, f.UnderPath+"%")
	}
	if f.Direction != "" {
		where = append(where, `d.direction = ?`)
		args = append(args, f.Direction)
	}
	if f.Number != "" {
		where = append(where, `d.number = ?`)
		args = append(args, f.Number)
	}
	switch {
	case f.Notation != "" && f.NotationPrefix:
		n := escapeLike(f.Notation)
		where = append(where, `(lower(d.notation) = lower(?) OR lower(d.notation) LIKE lower(?) OR lower(d.notation) LIKE lower(?))`)
		args = append(args, f.Notation, n+"-%", n+"/%")
	case f.Notation != "":
		where = append(where, `lower(d.notation) = lower(?)`)
		args = append(args, f.Notation)
	}
	if f.Year != 0 {
		where = append(where, `d.year = ?`)
		args = append(args, f.Year)
	}
	for i, w := range textfold.Words(f.Query) {
		if i == 10 {
			break
		}
		where = append(where, `d.search_text LIKE ?`)
		args = append(args, "%"+escapeLike(w)+"%")
	}
	if f.BeforeID > 0 {
		where = append(where, `d.id < ?`)
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	query := `SELECT d.id, d.unit_id, d.direction, d.fields, d.body_text, d.original_sha, d.original_name, d.original_type, d.original_size, d.version, d.created_by, d.created_at, d.updated_at, d.copy_of
		FROM documents d JOIN units n ON n.id = d.unit_id`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(` ORDER BY d.id DESC LIMIT %d`, f.Limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query documents: %w", err)
	}
	defer rows.Close()
	var out []*model.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// escapeLike makes LIKE wildcards in a search word literal.
func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// ReplaceRefs stores a document's references (replacing earlier ones) and
// resolves each to a stored document with the same number, notation and
// year, preferring one the same unit holds.
func (q DocumentStore) ReplaceRefs(ctx context.Context, d *model.Document) error {
	if _, err := q.exec(ctx, `DELETE FROM document_refs WHERE document_id = ?`, d.ID); err != nil {
		return fmt.Errorf("clear references of document %d: %w", d.ID, err)
	}
	for i, r := range d.Fields.References {
		year := yearOf(docmodel.Val(r.Date))
		resolved, err := q.resolveRef(ctx, d, docmodel.Val(r.Number), docmodel.Val(r.Notation), year)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO document_refs (document_id, position, doc_type, number, notation, year, issuer, text, resolved_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, i, docmodel.Val(r.DocType), docmodel.Val(r.Number), docmodel.Val(r.Notation), year,
			docmodel.Val(r.Issuer), r.Text, resolved); err != nil {
			return fmt.Errorf("store reference %d of document %d: %w", i, d.ID, err)
		}
	}
	return nil
}

func (q DocumentStore) resolveRef(ctx context.Context, d *model.Document, number, notation string, year *int) (*int64, error) {
	if number == "" || notation == "" {
		return nil, nil
	}
	query := `SELECT id FROM documents WHERE number = ? AND lower(notation) = lower(?) AND id <> ?`
	args := []any{number, notation, d.ID}
	if year != nil {
		query += ` AND year = ?`
		args = append(args, *year)
	}
	query += ` ORDER BY CASE WHEN unit_id = ? THEN 0 ELSE 1 END, id LIMIT 1`
	args = append(args, d.UnitID)
	var id int64
	err := q.row(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve reference %s/%s: %w", number, notation, err)
	}
	return &id, nil
}

// ResolvePending links references that were waiting for this document
// (same number, notation and year) to it.
func (q DocumentStore) ResolvePending(ctx context.Context, d *model.Document) error {
	number, notation := docmodel.Val(d.Fields.Number), docmodel.Val(d.Fields.Notation)
	if number == "" || notation == "" {
		return nil
	}
	year := yearOf(docmodel.Val(d.Fields.Date))
	query := `UPDATE document_refs SET resolved_id = ? WHERE resolved_id IS NULL AND number = ? AND lower(notation) = lower(?) AND document_id <> ?`
	args := []any{d.ID, number, notation, d.ID}
	if year != nil {
		query += ` AND (year IS NULL OR year = ?)`
		args = append(args, *year)
	}
	if _, err := q.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("resolve references to document %d: %w", d.ID, err)
	}
	return nil
}

// Refs lists a document's references in order.
func (q DocumentStore) Refs(ctx context.Context, id int64) ([]model.DocRef, error) {
	rows, err := q.query(ctx, `SELECT position, doc_type, number, notation, year, issuer, text, resolved_id FROM document_refs WHERE document_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("query references of document %d: %w", id, err)
	}
	defer rows.Close()
	var out []model.DocRef
	for rows.Next() {
		var r model.DocRef
		var year sql.NullInt64
		var res sql.NullInt64
		if err := rows.Scan(&r.Position, &r.DocType, &r.Number, &r.Notation, &year, &r.Issuer, &r.Text, &res); err != nil {
			return nil, fmt.Errorf("scan reference: %w", err)
		}
		if year.Valid {
			y := int(year.Int64)
			r.Year = &y
		}
		if res.Valid {
			r.ResolvedID = &res.Int64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CitedBy lists the stored documents whose references resolve to id.
func (q DocumentStore) CitedBy(ctx context.Context, id int64) ([]model.Citation, error) {
	rows, err := q.query(ctx, `SELECT DISTINCT d.id, d.number, d.notation, d.subject, d.doc_type, d.doc_date FROM document_refs r
		JOIN documents d ON d.id = r.document_id WHERE r.resolved_id = ? ORDER BY d.id`, id)
	if err != nil {
		return nil, fmt.Errorf("query documents citing %d: %w", id, err)
	}
	defer rows.Close()
	var out []model.Citation
	for rows.Next() {
		var c model.Citation
		var number, notation string
		if err := rows.Scan(&c.DocumentID, &number, &notation, &c.Subject, &c.DocType, &c.Date); err != nil {
			return nil, fmt.Errorf("scan citation: %w", err)
		}
		c.Code = strings.Trim(number+"/"+notation, "/")
		out = append(out, c)
	}
	return out, rows.Err()
}

// Types and constants of this aggregate live in internal/model.
type DocumentFilter = model.DocumentFilter
