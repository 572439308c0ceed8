// Package storetest opens fresh, migrated stores for tests on every engine
// the environment offers: always SQLite, and PostgreSQL when
// LOA_TEST_POSTGRES names a server (scripts/test.sh starts one). In CI
// (CI=true) a missing PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/storage"
)

// EnvPostgres names the PostgreSQL server used by tests.
const EnvPostgres = "LOA_TEST_POSTGRES"

// Engines lists the engines to test on.
func Engines(t testing.TB) []storage.Engine {
	t.Helper()
	if os.Getenv(EnvPostgres) != "" {
		return []storage.Engine{storage.SQLite, storage.Postgres}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: the PostgreSQL suite must run in CI (run the tests through scripts/test.sh)", EnvPostgres)
	}
	t.Logf("%s not set: PostgreSQL suite not run (run `make test`, which starts PostgreSQL, or install Debian's postgresql)", EnvPostgres)
	return []storage.Engine{storage.SQLite}
}

// Each runs fn once per engine as a subtest with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			s, _ := Open(t, e)
			fn(t, s)
		})
	}
}

// DSN creates a fresh empty database for the engine and returns its URL;
// it is dropped when the test ends.
func DSN(t testing.TB, e storage.Engine) string {
	t.Helper()
	if e == storage.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "loa.db")
	}
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		t.Fatalf("%s is not set", EnvPostgres)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "loa_t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open %s: %v", admin, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a fresh migrated store on the engine, closed at cleanup,
// and its URL (for tests that start servers or reopen it).
func Open(t testing.TB, e storage.Engine) (*storage.Store, string) {
	t.Helper()
	dsn := DSN(t, e)
	ctx := context.Background()
	s, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s store: %v", e, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate %s store: %v", e, err)
	}
	return s, dsn
}

// Unique returns a short random string for test data.
func Unique() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
