package storage

import (
	"context"
	"fmt"
	"strings"
)

// SnapshotSQLite writes a consistent copy of an SQLite database to path
// (VACUUM INTO: a transactionally consistent, compacted copy, taken while
// the server keeps running).
func (s *Store) SnapshotSQLite(ctx context.Context, path string) error {
	if s.engine != SQLite {
		return fmt.Errorf("snapshot: the database is %s; back PostgreSQL up with pg_dump", s.engine)
	}
	if strings.ContainsRune(path, '\'') {
		return fmt.Errorf("snapshot: the path %q must not contain a quote", path)
	}
	if _, err := s.writer.ExecContext(ctx, "VACUUM INTO '"+path+"'"); err != nil {
		return fmt.Errorf("snapshot to %s: %w", path, err)
	}
	return nil
}
