package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// LexiconOf lists a unit's pronunciation dictionary, by term.
func (q SpeechStore) LexiconOf(ctx context.Context, unitID int64) ([]model.LexiconEntry, error) {
	rows, err := q.query(ctx, `SELECT id, unit_id, term, say, note, updated_by, updated_at FROM speech_lexicon WHERE unit_id = ? ORDER BY term, id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("list the pronunciation dictionary of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []model.LexiconEntry
	for rows.Next() {
		var e model.LexiconEntry
		if err := rows.Scan(&e.ID, &e.UnitID, &e.Term, &e.Say, &e.Note, &e.UpdatedBy, &e.UpdatedAt); err != nil {
			return nil, fmt.Errorf("read the pronunciation dictionary of unit %d: %w", unitID, err)
		}
		e.UpdatedAt = e.UpdatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// LexiconEntry returns one entry of a unit's dictionary.
func (q SpeechStore) LexiconEntry(ctx context.Context, id int64) (model.LexiconEntry, error) {
	var e model.LexiconEntry
	err := q.row(ctx, `SELECT id, unit_id, term, say, note, updated_by, updated_at FROM speech_lexicon WHERE id = ?`, id).
		Scan(&e.ID, &e.UnitID, &e.Term, &e.Say, &e.Note, &e.UpdatedBy, &e.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("pronunciation rule %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("read pronunciation rule %d: %w", id, err)
	}
	e.UpdatedAt = e.UpdatedAt.UTC()
	return e, nil
}

// SaveLexiconEntry adds a rule to a unit's dictionary or, when the unit
// has one for the term already, changes its reading; it fills e.ID.
func (q SpeechStore) SaveLexiconEntry(ctx context.Context, e *model.LexiconEntry) error {
	e.UpdatedAt = e.UpdatedAt.UTC().Truncate(time.Microsecond)
	err := q.row(ctx, `INSERT INTO speech_lexicon (unit_id, term, say, note, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_id, term) DO UPDATE SET say = excluded.say, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at
		RETURNING id`, e.UnitID, e.Term, e.Say, e.Note, e.UpdatedBy, e.UpdatedAt).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("save pronunciation rule %q of unit %d: %w", e.Term, e.UnitID, err)
	}
	return nil
}

// DeleteLexiconEntry removes a rule.
func (q SpeechStore) DeleteLexiconEntry(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM speech_lexicon WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete pronunciation rule %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("pronunciation rule %d: %w", id, model.ErrNotFound)
	}
	return nil
}

// SpeechProfilesOf lists a unit's speech profiles (voice "" first).
func (q SpeechStore) SpeechProfilesOf(ctx context.Context, unitID int64) ([]model.SpeechProfile, error) {
	rows, err := q.query(ctx, `SELECT unit_id, voice, words_per_minute, pitch, sentence_pause_ms, paragraph_pause_ms, updated_by, updated_at
		FROM speech_profiles WHERE unit_id = ? ORDER BY voice`, unitID)
	if err != nil {
		return nil, fmt.Errorf("list speech profiles of unit %d: %w", unitID, err)
	}
	defer rows.Close()
	var out []model.SpeechProfile
	for rows.Next() {
		var p model.SpeechProfile
		var at time.Time
		if err := rows.Scan(&p.UnitID, &p.Voice, &p.WordsPerMinute, &p.Pitch, &p.SentencePauseMS, &p.ParagraphPauseMS, &p.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("read speech profiles of unit %d: %w", unitID, err)
		}
		at = at.UTC()
		p.UpdatedAt = &at
		out = append(out, p)
	}
	return out, rows.Err()
}

// SaveSpeechProfile stores a unit's profile for a voice ("" for all).
func (q SpeechStore) SaveSpeechProfile(ctx context.Context, p model.SpeechProfile, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO speech_profiles (unit_id, voice, words_per_minute, pitch, sentence_pause_ms, paragraph_pause_ms, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (unit_id, voice) DO UPDATE SET words_per_minute = excluded.words_per_minute, pitch = excluded.pitch,
		sentence_pause_ms = excluded.sentence_pause_ms, paragraph_pause_ms = excluded.paragraph_pause_ms,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		p.UnitID, p.Voice, p.WordsPerMinute, p.Pitch, p.SentencePauseMS, p.ParagraphPauseMS, p.UpdatedBy, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save speech profile %q of unit %d: %w", p.Voice, p.UnitID, err)
	}
	return nil
}

// DeleteSpeechProfile removes a unit's profile for a voice; it reports
// whether there was one.
func (q SpeechStore) DeleteSpeechProfile(ctx context.Context, unitID int64, voice string) (bool, error) {
	res, err := q.exec(ctx, `DELETE FROM speech_profiles WHERE unit_id = ? AND voice = ?`, unitID, voice)
	if err != nil {
		return false, fmt.Errorf("delete speech profile %q of unit %d: %w", voice, unitID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
