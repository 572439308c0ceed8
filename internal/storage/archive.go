package storage

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/loa-project/loa/internal/model"
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
// evidence and disposal lists. The blobs table (metadata of every file
// put) is not a reference: a file only it names is unused.
func (q ArchiveStore) BlobRefs(ctx context.Context, fn func(BlobRef)) error {
	direct := []struct{ query, label string }{
		{`SELECT id, original_sha FROM documents WHERE original_sha IS NOT NULL AND original_sha <> ''`, "document %d original"},
		{`SELECT document_id, sha256 FROM document_files`, "document %d file"},
		{`SELECT id, sha256 FROM media`, "media %d audio"},
		{`SELECT id, original_sha256 FROM media WHERE original_sha256 <> ''`, "media %d original"},
		{`SELECT id, pdf_sha FROM directives WHERE pdf_sha <> ''`, "directive %d PDF"},
		{`SELECT id, sha256 FROM channel_task_evidence WHERE sha256 <> ''`, "task evidence %d"},
		{`SELECT id, list_sha FROM disposal_lists`, "disposal list %d"},
		{`SELECT COALESCE(document_id, 0), package_sha FROM edxml_packages`, "edXML package of document %d"},
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
			fn(BlobRef{SHA256: sha, Where: fmt.Sprintf(d.label, id)})
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

// RetentionRules lists the retention rules by document type.
func (q ArchiveStore) RetentionRules(ctx context.Context) ([]model.RetentionRule, error) {
	rows, err := q.query(ctx, `SELECT doc_type, years, basis, updated_at FROM retention_rules ORDER BY doc_type`)
	if err != nil {
		return nil, fmt.Errorf("list retention rules: %w", err)
	}
	defer rows.Close()
	var out []model.RetentionRule
	for rows.Next() {
		var r model.RetentionRule
		if err := rows.Scan(&r.DocType, &r.Years, &r.Basis, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan retention rule: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveRetentionRule creates or changes the rule of a document type.
func (q ArchiveStore) SaveRetentionRule(ctx context.Context, r model.RetentionRule, by *int64) error {
	_, err := q.exec(ctx, `INSERT INTO retention_rules (doc_type, years, basis, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (doc_type) DO UPDATE SET years = excluded.years, basis = excluded.basis, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		r.DocType, r.Years, r.Basis, by, now())
	if err != nil {
		return fmt.Errorf("save retention rule %q: %w", r.DocType, err)
	}
	return nil
}

// DeleteRetentionRule removes the rule of a document type.
func (q ArchiveStore) DeleteRetentionRule(ctx context.Context, docType string) error {
	res, err := q.exec(ctx, `DELETE FROM retention_rules WHERE doc_type = ?`, docType)
	if err != nil {
		return fmt.Errorf("delete retention rule %q: %w", docType, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("retention rule %q: %w", docType, errNotFound)
	}
	return nil
}

// DueDocuments lists a unit's documents whose retention period ended
// before asOfYear began (kept years after the year of the document), not
// disposed of, not under an active legal hold and not on an open
// disposal list; permanent types (0 years) and types without a rule are
// never due.
func (q ArchiveStore) DueDocuments(ctx context.Context, unitID int64, asOfYear int, limit int) ([]model.DueDocument, error) {
	rows, err := q.query(ctx, `SELECT d.id, d.unit_id, d.number, d.notation, d.doc_type, d.doc_date, d.subject, d.year, r.years
		FROM documents d JOIN retention_rules r ON r.doc_type = d.doc_type
		WHERE d.unit_id = ? AND r.years > 0 AND d.year IS NOT NULL AND d.year + r.years < ? AND d.disposed_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.document_id = d.id AND h.released_at IS NULL)
		  AND NOT EXISTS (SELECT 1 FROM disposal_items i JOIN disposal_lists l ON l.id = i.list_id
		                  WHERE i.document_id = d.id AND l.status IN ('proposed', 'approved'))
		ORDER BY d.year, d.id LIMIT ?`, unitID, asOfYear, limit)
	if err != nil {
		return nil, fmt.Errorf("list documents due for disposal: %w", err)
	}
	defer rows.Close()
	var out []model.DueDocument
	for rows.Next() {
		var d model.DueDocument
		var number, notation string
		if err := rows.Scan(&d.DocumentID, &d.UnitID, &number, &notation, &d.DocType, &d.DocDate, &d.Subject, &d.Year, &d.Years); err != nil {
			return nil, fmt.Errorf("scan due document: %w", err)
		}
		d.Code = code(number, notation)
		d.DueOn = fmt.Sprintf("%04d-01-01", d.Year+d.Years+1)
		out = append(out, d)
	}
	return out, rows.Err()
}

func code(number, notation string) string {
	switch {
	case number != "" && notation != "":
		return number + "/" + notation
	case number != "":
		return number
	}
	return notation
}

// InsertLegalHold places a hold on a document.
func (q ArchiveStore) InsertLegalHold(ctx context.Context, h *model.LegalHold) error {
	h.PlacedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO legal_holds (document_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?)`,
		h.DocumentID, h.Reason, h.PlacedBy, h.PlacedAt)
	if err != nil {
		return fmt.Errorf("place legal hold on document %d: %w", h.DocumentID, err)
	}
	h.ID = id
	return nil
}

// ReleaseLegalHold ends an active hold.
func (q ArchiveStore) ReleaseLegalHold(ctx context.Context, id int64, by *int64, note string) error {
	res, err := q.exec(ctx, `UPDATE legal_holds SET released_by = ?, released_at = ?, release_note = ? WHERE id = ? AND released_at IS NULL`, by, now(), note, id)
	if err != nil {
		return fmt.Errorf("release legal hold %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("active legal hold %d: %w", id, errNotFound)
	}
	return nil
}

const holdColumns = `h.id, h.document_id, d.number, d.notation, d.subject, h.reason, h.placed_by, h.placed_at, h.released_at, h.release_note`

func scanHolds(rows *sql.Rows) ([]model.LegalHold, error) {
	defer rows.Close()
	var out []model.LegalHold
	for rows.Next() {
		var h model.LegalHold
		var number, notation string
		var by sql.NullInt64
		var rel sql.NullTime
		if err := rows.Scan(&h.ID, &h.DocumentID, &number, &notation, &h.Subject, &h.Reason, &by, &h.PlacedAt, &rel, &h.ReleaseNote); err != nil {
			return nil, fmt.Errorf("scan legal hold: %w", err)
		}
		h.Code = code(number, notation)
		if by.Valid {
			h.PlacedBy = &by.Int64
		}
		if rel.Valid {
			h.ReleasedAt = &rel.Time
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// LegalHold returns one hold.
func (q ArchiveStore) LegalHold(ctx context.Context, id int64) (*model.LegalHold, error) {
	rows, err := q.query(ctx, `SELECT `+holdColumns+` FROM legal_holds h JOIN documents d ON d.id = h.document_id WHERE h.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read legal hold %d: %w", id, err)
	}
	hs, err := scanHolds(rows)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("legal hold %d: %w", id, errNotFound)
	}
	return &hs[0], nil
}

// LegalHolds lists the active holds on a unit's documents.
func (q ArchiveStore) LegalHolds(ctx context.Context, unitID int64) ([]model.LegalHold, error) {
	rows, err := q.query(ctx, `SELECT `+holdColumns+` FROM legal_holds h JOIN documents d ON d.id = h.document_id
		WHERE d.unit_id = ? AND h.released_at IS NULL ORDER BY h.id DESC`, unitID)
	if err != nil {
		return nil, fmt.Errorf("list legal holds: %w", err)
	}
	return scanHolds(rows)
}

// HeldDocuments returns which of the documents are under an active hold.
func (q ArchiveStore) HeldDocuments(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, id := range ids {
		var n int
		if err := q.row(ctx, `SELECT count(*) FROM legal_holds WHERE document_id = ? AND released_at IS NULL`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("check legal holds of document %d: %w", id, err)
		}
		if n > 0 {
			out[id] = true
		}
	}
	return out, nil
}

// InsertDisposalList records a proposed disposal list with its items.
func (q ArchiveStore) InsertDisposalList(ctx context.Context, l *model.DisposalList) error {
	l.CreatedAt, l.Status = now(), model.DisposalProposed
	id, err := q.insertID(ctx, `INSERT INTO disposal_lists (unit_id, title, status, list_sha, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		l.UnitID, l.Title, l.Status, l.ListSHA, l.CreatedBy, l.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert disposal list: %w", err)
	}
	l.ID = id
	for _, it := range l.Items {
		if _, err := q.exec(ctx, `INSERT INTO disposal_items (list_id, document_id, code, doc_type, doc_date, subject, years, original_sha) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, it.DocumentID, it.Code, it.DocType, it.DocDate, it.Subject, it.Years, it.OriginalSHA); err != nil {
			return fmt.Errorf("insert disposal item %d: %w", it.DocumentID, err)
		}
	}
	return nil
}

const disposalColumns = `id, unit_id, title, status, list_sha, created_by, created_at, decided_by, decided_at, decision_note, executed_by, executed_at`

func scanDisposal(sc scanner) (*model.DisposalList, error) {
	var l model.DisposalList
	var cb, db, eb sql.NullInt64
	var da, ea sql.NullTime
	if err := sc.Scan(&l.ID, &l.UnitID, &l.Title, &l.Status, &l.ListSHA, &cb, &l.CreatedAt, &db, &da, &l.DecisionNote, &eb, &ea); err != nil {
		return nil, err
	}
	ptr := func(v sql.NullInt64) *int64 {
		if v.Valid {
			return &v.Int64
		}
		return nil
	}
	tptr := func(v sql.NullTime) *time.Time {
		if v.Valid {
			return &v.Time
		}
		return nil
	}
	l.CreatedBy, l.DecidedBy, l.ExecutedBy, l.DecidedAt, l.ExecutedAt = ptr(cb), ptr(db), ptr(eb), tptr(da), tptr(ea)
	return &l, nil
}

// DisposalList returns a list with its items.
func (q ArchiveStore) DisposalList(ctx context.Context, id int64) (*model.DisposalList, error) {
	l, err := scanDisposal(q.row(ctx, `SELECT `+disposalColumns+` FROM disposal_lists WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("disposal list %d", id))
	}
	rows, err := q.query(ctx, `SELECT document_id, code, doc_type, doc_date, subject, years, original_sha FROM disposal_items WHERE list_id = ? ORDER BY document_id`, id)
	if err != nil {
		return nil, fmt.Errorf("list disposal items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it model.DisposalItem
		if err := rows.Scan(&it.DocumentID, &it.Code, &it.DocType, &it.DocDate, &it.Subject, &it.Years, &it.OriginalSHA); err != nil {
			return nil, fmt.Errorf("scan disposal item: %w", err)
		}
		l.Items = append(l.Items, it)
	}
	return l, rows.Err()
}

// DisposalLists lists a unit's disposal lists, newest first (no items).
func (q ArchiveStore) DisposalLists(ctx context.Context, unitID int64) ([]model.DisposalList, error) {
	rows, err := q.query(ctx, `SELECT `+disposalColumns+` FROM disposal_lists WHERE unit_id = ? ORDER BY id DESC LIMIT 200`, unitID)
	if err != nil {
		return nil, fmt.Errorf("list disposal lists: %w", err)
	}
	defer rows.Close()
	var out []model.DisposalList
	for rows.Next() {
		l, err := scanDisposal(rows)
		if err != nil {
			return nil, fmt.Errorf("scan disposal list: %w", err)
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}

// DecideDisposal approves or rejects a proposed list.
func (q ArchiveStore) DecideDisposal(ctx context.Context, id int64, status string, by *int64, note string) error {
	res, err := q.exec(ctx, `UPDATE disposal_lists SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ? AND status = 'proposed'`,
		status, by, now(), note, id)
	if err != nil {
		return fmt.Errorf("decide disposal list %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("disposal list %d is no longer awaiting a decision: %w", id, model.ErrConflict)
	}
	return nil
}

// ExecuteDisposal marks an approved list executed and disposes of its
// documents: their text and files are released (the original and
// attached files become unreferenced, for fsck --remove-orphans), their
// identifying fields and the list stay as the record of the act.
func (q ArchiveStore) ExecuteDisposal(ctx context.Context, id int64, by *int64) error {
	t := now()
	res, err := q.exec(ctx, `UPDATE disposal_lists SET status = 'executed', executed_by = ?, executed_at = ? WHERE id = ? AND status = 'approved'`, by, t, id)
	if err != nil {
		return fmt.Errorf("execute disposal list %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("disposal list %d is not approved (or already executed): %w", id, model.ErrConflict)
	}
	for _, table := range []string{"document_files", "edxml_packages"} {
		if _, err := q.exec(ctx, `DELETE FROM `+table+` WHERE document_id IN (SELECT document_id FROM disposal_items WHERE list_id = ?)`, id); err != nil {
			return fmt.Errorf("release files of disposal list %d: %w", id, err)
		}
	}
	if _, err := q.exec(ctx, `UPDATE documents SET disposed_at = ?, disposal_list_id = ?, body_text = '', search_text = '', original_sha = NULL, updated_at = ?
		WHERE id IN (SELECT document_id FROM disposal_items WHERE list_id = ?) AND disposed_at IS NULL`, t, id, t, id); err != nil {
		return fmt.Errorf("dispose of the documents of list %d: %w", id, err)
	}
	return nil
}

// DocumentDisposed reports when a document was disposed of (nil: kept).
func (q ArchiveStore) DocumentDisposed(ctx context.Context, id int64) (*time.Time, error) {
	var at sql.NullTime
	if err := q.row(ctx, `SELECT disposed_at FROM documents WHERE id = ?`, id).Scan(&at); err != nil {
		return nil, notFound(err, fmt.Sprintf("document %d", id))
	}
	if at.Valid {
		return &at.Time, nil
	}
	return nil, nil
}
