// Package storage persists Loa's aggregates in SQLite (embedded, pure Go) or
// PostgreSQL. One file per aggregate; every query is written once with `?`
// placeholders and rebound for PostgreSQL. Writes go through Store.Tx, so
// each write path is one transaction.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // SQLite driver "sqlite", pure Go
)

//go:embed migrations
var migrationsFS embed.FS

// Engine names a database engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is the database. For SQLite it holds one writer connection (SQLite
// allows one writer at a time; a single connection with BEGIN IMMEDIATE
// avoids busy errors) and a read pool; for PostgreSQL both are one pool.
type Store struct {
	engine Engine
	writer *sql.DB
	reader *sql.DB
	Q      // reads outside a transaction use the read pool
}

// Open connects to the database named by dsn: "sqlite:PATH" or a
// "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	default:
		return nil, fmt.Errorf("database URL %q: use sqlite:PATH (e.g. sqlite:./loa-data/loa.db) or postgres://user:pass@host:5432/db", redact(dsn))
	}
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path; use sqlite:PATH")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
		}
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open read pool %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{engine: SQLite, writer: w, reader: r}
	s.Q = Q{db: r, engine: SQLite, cache: newStmtCache(r)}
	return s, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", redact(dsn), err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w (is the server running and the URL right?)", redact(dsn), err)
	}
	s := &Store{engine: Postgres, writer: db, reader: db}
	s.Q = Q{db: db, engine: Postgres}
	return s, nil
}

// redact hides the password of a URL for messages and logs.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Close closes all connections.
func (s *Store) Close() error {
	if s.cache != nil {
		s.cache.close()
	}
	err := s.writer.Close()
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	return err
}

// Ping checks that the database answers (health checks).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("database ping: %w", err)
	}
	return nil
}

// Stats returns connection pool statistics of the writer and reader pools.
func (s *Store) Stats() (writer, reader sql.DBStats) {
	return s.writer.Stats(), s.reader.Stats()
}

// Migrate applies every pending migration. Safe to run from several
// replicas at once on PostgreSQL (advisory lock).
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	sub, err := fs.Sub(migrationsFS, "migrations/"+string(s.engine))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	// Out-of-order: a migration merged later with a lower number than one
	// already applied is still applied (parallel branches of work).
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true)}
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.writer, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrations: apply: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "duration", r.Duration)
		}
	}
	// Documents stored before the search index existed are indexed now
	// (folding is done in Go, so a SQL migration cannot do it).
	if _, err := s.IndexMissingDocuments(ctx, log); err != nil {
		return fmt.Errorf("migrations: search index: %w", err)
	}
	return nil
}

// Tx runs fn in one write transaction, committed when fn returns nil and
// rolled back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &Tx{Q: Q{db: tx, engine: s.engine}}
	if s.engine == SQLite {
		t.stmts = &txStmts{tx: tx, m: map[string]*sql.Stmt{}}
	}
	if err := fn(t); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is a write transaction. All query methods of Q are available.
type Tx struct {
	Q
}

// dbtx is what both *sql.DB and *sql.Tx offer.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries against a pool or a transaction. Queries are written with
// `?` placeholders; for PostgreSQL they are rebound to $1, $2, ….
type Q struct {
	db     dbtx
	engine Engine
	cache  *stmtCache // SQLite read pool: its prepared statements
	stmts  *txStmts   // SQLite write transaction: its prepared statements
}

// prepared returns the prepared statement of query, or nil to run it as
// it is (stmts.go).
func (q Q) prepared(ctx context.Context, query string) *sql.Stmt {
	switch {
	case q.stmts != nil:
		return q.stmts.get(ctx, query)
	case q.cache != nil:
		return q.cache.get(ctx, query)
	}
	return nil
}

func (q Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.db.ExecContext(ctx, q.rebind(query), args...)
}

func (q Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db.QueryContext(ctx, q.rebind(query), args...)
}

func (q Q) row(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db.QueryRowContext(ctx, q.rebind(query), args...)
}

// insertID runs an INSERT … RETURNING id and returns the id.
func (q Q) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	if err := q.row(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// rebind turns `?` placeholders into `$n` for PostgreSQL, leaving quoted
// strings and identifiers alone.
func (q Q) rebind(query string) string {
	if q.engine != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// now is the storage's clock: UTC, truncated to microseconds so that both
// engines store and return the same value.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// notFound maps sql.ErrNoRows to a wrapped model.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, errNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ExecRaw runs a statement as written (tests and maintenance only).
func (q Q) ExecRaw(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.exec(ctx, query, args...)
}

// QueryRowRaw runs a query as written and returns its row (tests and
// maintenance only).
func (q Q) QueryRowRaw(ctx context.Context, query string, args ...any) *sql.Row {
	return q.row(ctx, query, args...)
}
