package storage

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Error classification by the drivers' error codes, never by message
// text: PostgreSQL SQLSTATEs from pgx's *pgconn.PgError, SQLite (extended)
// result codes from modernc's *sqlite.Error.

// PostgreSQL SQLSTATE codes (Appendix A of the PostgreSQL manual).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy                  = 5    // SQLITE_BUSY (primary code)
	sqliteLocked                = 6    // SQLITE_LOCKED (primary code)
	sqliteConstraintForeignKey  = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteConstraintPrimaryKey  = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique      = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryResultCodeMask = 0xff // an extended code's primary code is its low byte
)

// codes returns err's PostgreSQL SQLSTATE or SQLite result code, the one
// the error carries.
func codes(err error) (pg string, lite int) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, 0
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return "", se.Code()
	}
	return "", 0
}

// IsUniqueViolation reports whether err is a unique or primary key
// constraint failure.
func IsUniqueViolation(err error) bool {
	pg, lite := codes(err)
	return pg == pgUniqueViolation || lite == sqliteConstraintUnique || lite == sqliteConstraintPrimaryKey
}

// IsForeignKeyViolation reports whether err is a foreign key constraint
// failure.
func IsForeignKeyViolation(err error) bool {
	pg, lite := codes(err)
	return pg == pgForeignKeyViolation || lite == sqliteConstraintForeignKey
}

// IsSerializationFailure reports whether err is a transaction that lost a
// race and may be retried: a PostgreSQL serialization failure or
// deadlock, or SQLite busy/locked.
func IsSerializationFailure(err error) bool {
	pg, lite := codes(err)
	switch {
	case pg == pgSerializationFailure, pg == pgDeadlockDetected:
		return true
	case lite != 0:
		p := lite & sqlitePrimaryResultCodeMask
		return p == sqliteBusy || p == sqliteLocked
	}
	return false
}
