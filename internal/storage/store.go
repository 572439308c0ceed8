// Package storage persists Loa's aggregates in SQLite (embedded, pure Go) or
// PostgreSQL. One file per aggregate; every query is written once with `?`
// placeholders and rebound for PostgreSQL. Writes go through Store.Tx, so
// each write path is one transaction.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/loa-project/loa/internal/model"
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
	gate   *writeGate    // SQLite: the order of the transactions waiting for the writer
	pool   *pgxpool.Pool // PostgreSQL: the connections behind writer and reader
	Q                    // reads outside a transaction use the read pool
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
	// The writer keeps statement journals in memory (temp_store): an
	// INSERT … ON CONFLICT of many rows inside a transaction otherwise
	// writes a statement journal file, which was more than half of the
	// write system calls of play-log ingestion; and a larger page cache
	// (32 MB) keeps the indexes of busy tables from spilling mid-transaction.
	// The WAL is checkpointed every 8,000 pages (32 MB; SQLite's default is
	// 1,000): index pages that every commit changes (play logs, schedule
	// items) are copied into the database once per checkpoint, so fewer
	// checkpoints write less (PlayLogIngest: 18,500 → 22,100 events per
	// CPU second, docs/benchmarks.md).
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=temp_store(2)&_pragma=cache_size(-32000)&_pragma=wal_autocheckpoint(8000)")
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
	// Readers map the database file (1 GiB of it) instead of a read
	// system call per page, and keep 16 MB of pages each: a search reads
	// thousands of index and row pages (BenchmarkSearch at 360,500
	// documents spent 42 % of its CPU time in pread).
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=mmap_size(1073741824)&_pragma=cache_size(-16000)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open read pool %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{engine: SQLite, writer: w, reader: r, gate: &writeGate{}}
	s.Q = Q{db: r, engine: SQLite, cache: newStmtCache(r)}
	return s, nil
}

// PostgreSQL pool defaults; the URL may set pool_max_conns and
// pool_acquire_timeout (a Go duration, e.g. 2s).
const (
	DefaultPGMaxConns       = 20
	DefaultPGAcquireTimeout = 2 * time.Second
)

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	dsn, acquire, err := cutAcquireTimeout(dsn)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: database URL %s: %w", redact(dsn), err)
	}
	if u, perr := url.Parse(dsn); perr != nil || u.Query().Get("pool_max_conns") == "" {
		cfg.MaxConns = DefaultPGMaxConns
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(pctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", redact(dsn), err)
	}
	// The pool is bounded: a request that finds every connection in use
	// queues for one (never dials more), for at most the acquire timeout,
	// then fails with model.ErrOverloaded, which the web layer answers
	// with 503 and Retry-After. database/sql keeps no connections of its
	// own (the pgx pool does), so its queue is the pool's.
	db := sql.OpenDB(&acquireConnector{Connector: stdlib.GetPoolConnector(pool), max: cfg.MaxConns, timeout: acquire})
	db.SetMaxIdleConns(0)
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w (is the server running and the URL right?)", redact(dsn), err)
	}
	s := &Store{engine: Postgres, writer: db, reader: db, pool: pool}
	s.Q = Q{db: db, engine: Postgres}
	return s, nil
}

// cutAcquireTimeout removes Loa's pool_acquire_timeout parameter from a
// PostgreSQL URL (pgx would send it to the server) and returns its value.
func cutAcquireTimeout(dsn string) (string, time.Duration, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, DefaultPGAcquireTimeout, nil // pgx reports the URL error
	}
	q := u.Query()
	v := q.Get("pool_acquire_timeout")
	if v == "" {
		return dsn, DefaultPGAcquireTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return "", 0, fmt.Errorf("postgres: pool_acquire_timeout=%q: give a positive duration such as 2s or 500ms", v)
	}
	q.Del("pool_acquire_timeout")
	u.RawQuery = q.Encode()
	return u.String(), d, nil
}

// acquireConnector bounds the wait for a pool connection.
type acquireConnector struct {
	driver.Connector
	max     int32
	timeout time.Duration
}

func (c *acquireConnector) Connect(ctx context.Context) (driver.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	conn, err := c.Connector.Connect(actx)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("database: all %d connections stayed busy for %s: %w", c.max, c.timeout, model.ErrOverloaded)
	}
	return conn, err
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
	if s.pool != nil {
		s.pool.Close()
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

// Tx runs fn in one write transaction, committed when fn returns nil and
// rolled back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	return s.tx(ctx, false, fn)
}

// TxUrgent is Tx for a transaction that must not wait behind ordinary
// ones (an emergency): on SQLite it gets the single writer before every
// transaction waiting for it that is not urgent itself.
func (s *Store) TxUrgent(ctx context.Context, fn func(*Tx) error) error {
	return s.tx(ctx, true, fn)
}

func (s *Store) tx(ctx context.Context, urgent bool, fn func(*Tx) error) error {
	if s.gate != nil {
		if err := s.gate.acquire(ctx, urgent); err != nil {
			return fmt.Errorf("wait for the database writer: %w", err)
		}
		defer s.gate.release()
	}
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

// txRetries is how many times TxRetry runs a transaction that keeps
// losing races.
const txRetries = 4

// TxRetry is Tx for transactions that may lose a race with another
// replica or writer (a PostgreSQL deadlock or serialization failure, or
// SQLite busy): the database rolled the whole transaction back, so it is
// run again, up to txRetries times with a short random backoff. fn may be
// run more than once: it must have no effect outside the transaction
// other than setting results it overwrites on each run.
func (s *Store) TxRetry(ctx context.Context, fn func(*Tx) error) error {
	return s.txRetry(ctx, false, fn)
}

// TxRetryUrgent is TxRetry for an urgent transaction (TxUrgent).
func (s *Store) TxRetryUrgent(ctx context.Context, fn func(*Tx) error) error {
	return s.txRetry(ctx, true, fn)
}

func (s *Store) txRetry(ctx context.Context, urgent bool, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tx(ctx, urgent, fn)
		if err == nil || attempt == txRetries || !IsSerializationFailure(err) {
			return err
		}
		wait := time.Duration(attempt)*10*time.Millisecond + time.Duration(rand.Int64N(int64(20*time.Millisecond)))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
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
