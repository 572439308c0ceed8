package storage

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements for SQLite. The pure-Go SQLite parses every
// statement it is given, and for the short queries of the device protocol
// (authenticate a device, read its orders) parsing costs about as much as
// running them; so the read pool keeps each query prepared, and a write
// transaction prepares each query once however many rows it writes.
// PostgreSQL needs none of this: pgx caches statements per connection.

// maxCachedStmts bounds the statements kept: queries built with a
// variable number of placeholders would otherwise grow the cache; past
// the bound, queries run unprepared as before.
const maxCachedStmts = 512

// stmtCache keeps the prepared statements of a pool (database/sql
// prepares each on a connection the first time it runs there).
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// get returns the prepared statement of query, or nil when it cannot be
// prepared (the caller then runs it unprepared and reports the error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, full := c.m[query], len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if st != nil || full {
		return st
	}
	// Prepared outside the lock: preparing needs a connection, which
	// another caller of get may hold.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[query]; prev != nil {
		st.Close()
		return prev
	}
	if len(c.m) >= maxCachedStmts {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// close closes the statements (before the pool closes).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// txStmts are the statements prepared in one write transaction; they
// close with it.
type txStmts struct {
	tx *sql.Tx
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (t *txStmts) get(ctx context.Context, query string) *sql.Stmt {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.m[query]; st != nil {
		return st
	}
	if len(t.m) >= maxCachedStmts {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	t.m[query] = st
	return st
}
