package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestErrorClassification provokes real constraint violations on each
// engine and classifies them by driver code.
func TestErrorClassification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		exec := func(query string) error {
			return s.Tx(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecRaw(ctx, query)
				return err
			})
		}
		for _, q := range []string{
			`CREATE TABLE sqlerr_parent (id INTEGER PRIMARY KEY, label TEXT NOT NULL DEFAULT 'x')`,
			`CREATE TABLE sqlerr_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES sqlerr_parent (id), name TEXT UNIQUE)`,
			`INSERT INTO sqlerr_parent (id) VALUES (1)`,
			`INSERT INTO sqlerr_child (id, parent_id, name) VALUES (1, 1, 'a')`,
		} {
			if err := exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		type want struct{ unique, fk, serial bool }
		for _, tc := range []struct {
			name, query string
			want        want
		}{
			{"unique column", `INSERT INTO sqlerr_child (id, parent_id, name) VALUES (2, 1, 'a')`, want{unique: true}},
			{"primary key", `INSERT INTO sqlerr_child (id, parent_id, name) VALUES (1, 1, 'b')`, want{unique: true}},
			{"foreign key", `INSERT INTO sqlerr_child (id, parent_id, name) VALUES (3, 99, 'c')`, want{fk: true}},
			{"not null is none of them", `INSERT INTO sqlerr_parent (id, label) VALUES (5, NULL)`, want{}},
			{"syntax is none of them", `INSERT INTO sqlerr_nosuchtable VALUES (1)`, want{}},
		} {
			err := exec(tc.query)
			if err == nil {
				t.Errorf("%s: no error", tc.name)
				continue
			}
			err = fmt.Errorf("wrapped: %w", err)
			got := want{storage.IsUniqueViolation(err), storage.IsForeignKeyViolation(err), storage.IsSerializationFailure(err)}
			if got != tc.want {
				t.Errorf("%s: got %+v, want %+v (%v)", tc.name, got, tc.want, err)
			}
		}
	})
}

// TestSerializationCodes: retryable transaction failures are recognised
// by code (provoking them needs concurrent transactions).
func TestSerializationCodes(t *testing.T) {
	for code, want := range map[string]bool{"40001": true, "40P01": true, "23505": false, "42P01": false} {
		err := fmt.Errorf("commit: %w", &pgconn.PgError{Code: code})
		if got := storage.IsSerializationFailure(err); got != want {
			t.Errorf("SQLSTATE %s: IsSerializationFailure = %v", code, got)
		}
	}
	if storage.IsSerializationFailure(errors.New("could not serialize access")) || storage.IsUniqueViolation(errors.New("UNIQUE constraint failed")) {
		t.Error("an error without a driver code was classified by its text")
	}
	if storage.IsUniqueViolation(nil) || storage.IsForeignKeyViolation(nil) || storage.IsSerializationFailure(nil) {
		t.Error("nil classified")
	}
}
