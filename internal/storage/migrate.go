package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// ErrSchemaTooNew means the database was migrated by a newer Loa: this
// binary does not know some of its applied migrations and must not run on
// it.
var ErrSchemaTooNew = errors.New("database schema is newer than this Loa")

// Migration is one schema migration known to this binary.
type Migration struct {
	Version int64
	File    string
}

// migrationProgressEvery is how often a running migration reports that it
// is still running.
const migrationProgressEvery = 10 * time.Second

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrationsFS, "migrations/"+string(s.engine))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	// Out-of-order: a migration merged later with a lower number than one
	// already applied is still applied (parallel branches of work).
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true)}
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.writer, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// appliedVersions reads the versions recorded as applied (none when the
// database was never migrated), without creating anything.
func (s *Store) appliedVersions(ctx context.Context) ([]int64, error) {
	var exists bool
	q := `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if s.engine == Postgres {
		q = `SELECT to_regclass('goose_db_version') IS NOT NULL`
	}
	if err := s.writer.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := s.writer.QueryContext(ctx, `SELECT version_id, is_applied FROM goose_db_version ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	defer rows.Close()
	state := map[int64]bool{}
	for rows.Next() {
		var v int64
		var applied bool
		if err := rows.Scan(&v, &applied); err != nil {
			return nil, fmt.Errorf("migrations: read applied versions: %w", err)
		}
		state[v] = applied
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	var out []int64
	for v, ok := range state {
		if ok && v > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out, nil
}

// MigrationPlan is what Migrate would do: the known migrations not yet
// applied, and applied ones this binary does not know (a newer release
// migrated the database).
type MigrationPlan struct {
	Pending []Migration
	Unknown []int64
}

// PlanMigrations compares the database with the migrations this binary
// knows, changing nothing (loa migrate --dry-run).
func (s *Store) PlanMigrations(ctx context.Context) (MigrationPlan, error) {
	var plan MigrationPlan
	p, err := s.provider()
	if err != nil {
		return plan, err
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return plan, err
	}
	known := map[int64]bool{}
	for _, src := range p.ListSources() {
		known[src.Version] = true
		if !slices.Contains(applied, src.Version) {
			plan.Pending = append(plan.Pending, Migration{Version: src.Version, File: filepath.Base(src.Path)})
		}
	}
	for _, v := range applied {
		if !known[v] {
			plan.Unknown = append(plan.Unknown, v)
		}
	}
	return plan, nil
}

// CheckSchema refuses a database migrated by a newer Loa.
func (s *Store) CheckSchema(ctx context.Context) error {
	plan, err := s.PlanMigrations(ctx)
	if err != nil {
		return err
	}
	return plan.tooNew()
}

func (p MigrationPlan) tooNew() error {
	if len(p.Unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%w: it has migration(s) %v applied, which this Loa does not know — a newer Loa release upgraded it. "+
		"Install that release (or a newer one) again, or restore the backup made before the upgrade; this Loa will not touch the database", ErrSchemaTooNew, p.Unknown)
}

// Migrate applies every pending migration, one at a time, logging each
// one before and after it runs and, while a long one runs, every few
// seconds. It refuses a database migrated by a newer Loa
// (ErrSchemaTooNew). Safe to run from several replicas at once on
// PostgreSQL (advisory lock).
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := s.migrateSchema(ctx, log); err != nil {
		return err
	}
	// Documents stored before the search index existed are indexed now
	// (folding is done in Go, so a SQL migration cannot do it).
	if _, err := s.IndexMissingDocuments(ctx, log); err != nil {
		return fmt.Errorf("migrations: search index: %w", err)
	}
	if _, err := s.RefreshSearchStats(ctx, log); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// migrateSchema applies the pending schema migrations.
func (s *Store) migrateSchema(ctx context.Context, log *slog.Logger) error {
	plan, err := s.PlanMigrations(ctx)
	if err != nil {
		return err
	}
	if err := plan.tooNew(); err != nil {
		return err
	}
	if len(plan.Pending) == 0 {
		return nil
	}
	p, err := s.provider()
	if err != nil {
		return err
	}
	for i, m := range plan.Pending {
		log.Info("applying migration", "step", fmt.Sprintf("%d/%d", i+1, len(plan.Pending)), "version", m.Version, "file", m.File)
		done := make(chan struct{})
		start := time.Now()
		go func() {
			t := time.NewTicker(migrationProgressEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					log.Info("migration still running", "version", m.Version, "file", m.File, "elapsed", time.Since(start).Round(time.Second))
				}
			}
		}()
		r, err := p.ApplyVersion(ctx, m.Version, true)
		close(done)
		switch {
		case errors.Is(err, goose.ErrAlreadyApplied):
			// Another replica applied it meanwhile.
			continue
		case err != nil:
			return fmt.Errorf("migrations: apply %s: %w", m.File, err)
		}
		log.Info("migration applied", "version", r.Source.Version, "file", m.File, "duration", r.Duration)
	}
	return nil
}

// CountActiveDevices counts the enrolled devices not revoked (each holds
// a push connection; loa doctor compares them with the open-file limit).
func (s *Store) CountActiveDevices(ctx context.Context) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE revoked_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count devices: %w", err)
	}
	return n, nil
}
