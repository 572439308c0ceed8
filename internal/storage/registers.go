package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/loa-project/loa/internal/model"
)

// NextNumber allocates the next number of a unit's register series for a
// year. Call it inside the transaction that records what the number is
// for: the counter row stays locked until commit, so concurrent
// allocations queue, and a rolled-back transaction gives its number back
// (no gaps, no duplicates).
func (q RegisterStore) NextNumber(ctx context.Context, unitID int64, year int, series string) (int, error) {
	var n int
	err := q.row(ctx, `INSERT INTO register_counters (unit_id, year, series, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (unit_id, year, series) DO UPDATE SET last = register_counters.last + 1
		RETURNING last`, unitID, year, series).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("allocate %s number %d for unit %d: %w", series, year, unitID, err)
	}
	return n, nil
}

// SetCounter sets the last used number of a series (opening a register
// part-way through a year, e.g. when moving to Loa in June).
func (q RegisterStore) SetCounter(ctx context.Context, unitID int64, year int, series string, last int) error {
	_, err := q.exec(ctx, `INSERT INTO register_counters (unit_id, year, series, last) VALUES (?, ?, ?, ?)
		ON CONFLICT (unit_id, year, series) DO UPDATE SET last = excluded.last`, unitID, year, series, last)
	if err != nil {
		return fmt.Errorf("set %s counter %d of unit %d: %w", series, year, unitID, err)
	}
	return nil
}

// Counter returns the last used number of a series (0 when none).
func (q RegisterStore) Counter(ctx context.Context, unitID int64, year int, series string) (int, error) {
	var n int
	err := q.row(ctx, `SELECT last FROM register_counters WHERE unit_id = ? AND year = ? AND series = ?`, unitID, year, series).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s counter: %w", series, err)
	}
	return n, nil
}

// InsertRegisterEntry records a register line.
func (q RegisterStore) InsertRegisterEntry(ctx context.Context, e *model.RegisterEntry) error {
	e.CreatedAt = now()
	id, err := q.insertID(ctx, `INSERT INTO register_entries (unit_id, year, series, number, document_id, entry_date, doc_type, code, doc_date, subject, party, handler, copies, notes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.UnitID, e.Year, e.Series, e.Number, e.DocumentID, e.EntryDate, e.DocType,
		e.Code, e.DocDate, e.Subject, e.Party, e.Handler, e.Copies, e.Notes, e.CreatedAt)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("number %d of the %s register %d is already used: %w", e.Number, e.Series, e.Year, model.ErrConflict)
		}
		return fmt.Errorf("insert register entry: %w", err)
	}
	e.ID = id
	return nil
}

// RegisterEntries lists a register, in number order.
func (q RegisterStore) RegisterEntries(ctx context.Context, unitID int64, year int, series string) ([]model.RegisterEntry, error) {
	return q.entries(ctx, `SELECT `+entryColumns+` FROM register_entries e WHERE e.unit_id = ? AND e.year = ? AND e.series = ? ORDER BY e.number`, unitID, year, series)
}

// IncomingLike lists the unit's incoming register lines (every year) that
// may be the same letter as a document: lines of that document, of a
// document stored from the same file (originalSHA), or of a letter of the
// same date (docDate; the caller compares issuer and number).
func (q RegisterStore) IncomingLike(ctx context.Context, unitID, documentID int64, originalSHA, docDate string) ([]model.RegisterEntry, error) {
	return q.entries(ctx, `SELECT `+entryColumns+` FROM register_entries e LEFT JOIN documents d ON d.id = e.document_id
		WHERE e.unit_id = ? AND e.series = 'incoming' AND (e.document_id = ? OR (? <> '' AND d.original_sha = ?) OR (? <> '' AND e.doc_date = ?))
		ORDER BY e.id LIMIT 200`, unitID, documentID, originalSHA, originalSHA, docDate, docDate)
}

const entryColumns = `e.id, e.unit_id, e.year, e.series, e.number, e.document_id, e.entry_date, e.doc_type, e.code, e.doc_date, e.subject, e.party,
	e.handler, e.copies, e.notes, e.created_at`

func (q RegisterStore) entries(ctx context.Context, query string, args ...any) ([]model.RegisterEntry, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query register: %w", err)
	}
	defer rows.Close()
	var out []model.RegisterEntry
	for rows.Next() {
		var e model.RegisterEntry
		var doc sql.NullInt64
		if err := rows.Scan(&e.ID, &e.UnitID, &e.Year, &e.Series, &e.Number, &doc, &e.EntryDate, &e.DocType, &e.Code, &e.DocDate,
			&e.Subject, &e.Party, &e.Handler, &e.Copies, &e.Notes, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan register entry: %w", err)
		}
		if doc.Valid {
			e.DocumentID = &doc.Int64
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RegisterSettings returns a unit's notation patterns ("" when unset).
func (q RegisterStore) RegisterSettings(ctx context.Context, unitID int64) (letter, other string, err error) {
	err = q.row(ctx, `SELECT letter_pattern, other_pattern FROM register_settings WHERE unit_id = ?`, unitID).Scan(&letter, &other)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read register settings of unit %d: %w", unitID, err)
	}
	return letter, other, nil
}

// SaveRegisterSettings stores a unit's notation patterns.
func (q RegisterStore) SaveRegisterSettings(ctx context.Context, unitID int64, letter, other string) error {
	_, err := q.exec(ctx, `INSERT INTO register_settings (unit_id, letter_pattern, other_pattern) VALUES (?, ?, ?)
		ON CONFLICT (unit_id) DO UPDATE SET letter_pattern = excluded.letter_pattern, other_pattern = excluded.other_pattern`, unitID, letter, other)
	if err != nil {
		return fmt.Errorf("save register settings of unit %d: %w", unitID, err)
	}
	return nil
}

// EntryOfDocument returns the unit's line for a document in a register
// series (its id, year and number), or ErrNotFound.
func (q RegisterStore) EntryOfDocument(ctx context.Context, unitID, documentID int64, series string) (*model.RegisterEntry, error) {
	e := model.RegisterEntry{UnitID: unitID, Series: series, DocumentID: &documentID}
	err := q.row(ctx, `SELECT id, year, number FROM register_entries WHERE unit_id = ? AND document_id = ? AND series = ? ORDER BY id LIMIT 1`,
		unitID, documentID, series).Scan(&e.ID, &e.Year, &e.Number)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("register line of document %d", documentID))
	}
	return &e, nil
}
