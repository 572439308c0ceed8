package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// The two migration trees (migrations/sqlite and migrations/postgres) are
// kept by hand. TestSchemaParity migrates a fresh database on each engine
// and compares what the catalogs say: the tables, each table's columns
// (type family and nullability), primary keys and indexes.

// typeFamily maps a declared (SQLite) or catalog (PostgreSQL) column type
// to the family both engines must agree on.
var typeFamily = map[string]string{
	// SQLite declared types (upper-cased).
	"INTEGER":   "int",
	"INT":       "int",
	"BIGINT":    "int",
	"TEXT":      "text",
	"VARCHAR":   "text",
	"TIMESTAMP": "time",
	"DATETIME":  "time",
	"BOOLEAN":   "bool",
	"REAL":      "float",
	"DOUBLE":    "float",
	"BLOB":      "bytes",
	// PostgreSQL information_schema.columns.data_type.
	"integer":                     "int",
	"bigint":                      "int",
	"smallint":                    "int",
	"text":                        "text",
	"character varying":           "text",
	"timestamp with time zone":    "time",
	"timestamp without time zone": "time",
	"boolean":                     "bool",
	"real":                        "float",
	"double precision":            "float",
	"bytea":                       "bytes",
	"tsvector":                    "tsvector",
}

// parityExceptions are the known differences, each with its reason. A key
// is what diffSchemas reports for the difference.
var parityExceptions = map[string]string{
	"document_search.tsv: postgres only":                        "PostgreSQL's text search vector of the folded columns; SQLite indexes them in the FTS5 table document_fts (skipped by readSQLite)",
	"document_search: index document_search_tsv: postgres only": "the GIN index over that vector; SQLite's FTS5 table is its own index",
}

type column struct {
	family  string
	notNull bool
}

type index struct {
	unique, partial bool
	columns         string // comma-separated key columns, "(expr)" for an expression
}

type table struct {
	columns    map[string]column
	primaryKey string // comma-separated
	indexes    map[string]index
}

type schema map[string]*table

func TestSchemaParity(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), storage.Postgres) {
		t.Skip("schema parity needs both engines")
	}
	ctx := context.Background()
	migrated := func(t *testing.T, e storage.Engine) *sql.DB {
		_, dsn := storetest.Open(t, e)
		return rawDB(t, e, dsn)
	}
	t.Run("trees agree", func(t *testing.T) {
		lite, pg := readSchema(ctx, t, storage.SQLite, migrated(t, storage.SQLite)), readSchema(ctx, t, storage.Postgres, migrated(t, storage.Postgres))
		for e, sc := range map[storage.Engine]schema{storage.SQLite: lite, storage.Postgres: pg} {
			cols, idx := 0, 0
			for _, tb := range sc {
				cols += len(tb.columns)
				idx += len(tb.indexes)
			}
			t.Logf("%s: %d tables, %d columns, %d indexes", e, len(sc), cols, idx)
			if len(sc) < 10 || idx < 10 {
				t.Fatalf("%s: the catalogs were not read (%d tables, %d indexes)", e, len(sc), idx)
			}
		}
		used := map[string]bool{}
		for _, d := range diffSchemas(lite, pg) {
			if reason, ok := parityExceptions[d]; ok {
				used[d] = true
				t.Logf("allowed: %s (%s)", d, reason)
				continue
			}
			t.Errorf("schema differs: %s", d)
		}
		for d := range parityExceptions {
			if !used[d] {
				t.Errorf("exception %q no longer occurs: remove it", d)
			}
		}
	})
	t.Run("column added to one tree only", func(t *testing.T) {
		liteDB := migrated(t, storage.SQLite)
		if _, err := liteDB.ExecContext(ctx, `ALTER TABLE units ADD COLUMN parity_probe TEXT`); err != nil {
			t.Fatal(err)
		}
		diffs := diffSchemas(readSchema(ctx, t, storage.SQLite, liteDB), readSchema(ctx, t, storage.Postgres, migrated(t, storage.Postgres)))
		if !slices.Contains(diffs, "units.parity_probe: sqlite only") {
			t.Errorf("a column only in the SQLite tree went unnoticed: %q", diffs)
		}
	})
	t.Run("index added to one tree only", func(t *testing.T) {
		pgDB := migrated(t, storage.Postgres)
		if _, err := pgDB.ExecContext(ctx, `CREATE INDEX parity_probe_idx ON units (name)`); err != nil {
			t.Fatal(err)
		}
		diffs := diffSchemas(readSchema(ctx, t, storage.SQLite, migrated(t, storage.SQLite)), readSchema(ctx, t, storage.Postgres, pgDB))
		if !slices.Contains(diffs, "units: index parity_probe_idx: postgres only") {
			t.Errorf("an index only in the PostgreSQL tree went unnoticed: %q", diffs)
		}
	})
}

// rawDB opens the database behind a store URL directly, for the catalogs.
func rawDB(t *testing.T, e storage.Engine, dsn string) *sql.DB {
	t.Helper()
	driver, src := "pgx", dsn
	if e == storage.SQLite {
		driver, src = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryStrings runs a query returning one text column per row.
func queryStrings(ctx context.Context, t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func family(t *testing.T, tbl, col, typ string) string {
	t.Helper()
	f, ok := typeFamily[typ]
	if !ok {
		f, ok = typeFamily[strings.ToUpper(typ)]
	}
	if !ok {
		t.Errorf("%s.%s: type %q has no family in typeFamily: add it", tbl, col, typ)
		return "?" + typ
	}
	return f
}

func readSchema(ctx context.Context, t *testing.T, e storage.Engine, db *sql.DB) schema {
	t.Helper()
	if e == storage.SQLite {
		return readSQLite(ctx, t, db)
	}
	return readPostgres(ctx, t, db)
}

func readSQLite(ctx context.Context, t *testing.T, db *sql.DB) schema {
	t.Helper()
	s := schema{}
	// FTS5 tables (and their shadow tables) are SQLite's full-text index,
	// which PostgreSQL keeps as a tsvector column and a GIN index
	// (parityExceptions): they are not compared.
	virtual := queryStrings(ctx, t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`)
	isFTS := func(name string) bool {
		for _, v := range virtual {
			if name == v || strings.HasPrefix(name, v+"_") {
				return true
			}
		}
		return false
	}
	for _, name := range queryStrings(ctx, t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version'`) {
		if isFTS(name) {
			continue
		}
		tb := &table{columns: map[string]column{}, indexes: map[string]index{}}
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		pk := map[int]string{}
		for rows.Next() {
			var col, typ string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&col, &typ, &notNull, &pkPos); err != nil {
				t.Fatal(err)
			}
			if pkPos > 0 {
				pk[pkPos] = col
				notNull = true // PostgreSQL primary keys are NOT NULL; SQLite's rowid alias is too
			}
			tb.columns[col] = column{family: family(t, name, col, typ), notNull: notNull}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		var pkCols []string
		for i := 1; i <= len(pk); i++ {
			pkCols = append(pkCols, pk[i])
		}
		tb.primaryKey = strings.Join(pkCols, ",")

		type entry struct {
			name, origin    string
			unique, partial bool
		}
		var list []entry
		rows, err = db.QueryContext(ctx, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x entry
			if err := rows.Scan(&x.name, &x.unique, &x.origin, &x.partial); err != nil {
				t.Fatal(err)
			}
			list = append(list, x)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.origin == "pk" {
				continue // compared as primaryKey
			}
			cols := strings.Join(queryStrings(ctx, t, db, `SELECT COALESCE(name, '(expr)') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, x.name), ",")
			key := x.name
			if x.origin == "u" { // an inline UNIQUE constraint: named by SQLite
				key = "UNIQUE(" + cols + ")"
			}
			tb.indexes[key] = index{unique: x.unique, partial: x.partial, columns: cols}
		}
		s[name] = tb
	}
	return s
}

func readPostgres(ctx context.Context, t *testing.T, db *sql.DB) schema {
	t.Helper()
	s := schema{}
	for _, name := range queryStrings(ctx, t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`) {
		tb := &table{columns: map[string]column{}, indexes: map[string]index{}}
		rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var col, typ string
			var notNull bool
			if err := rows.Scan(&col, &typ, &notNull); err != nil {
				t.Fatal(err)
			}
			tb.columns[col] = column{family: family(t, name, col, typ), notNull: notNull}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		rows, err = db.QueryContext(ctx, `SELECT i.relname, x.indisunique, x.indisprimary, COALESCE(c.contype::text, ''), x.indpred IS NOT NULL,
				array_to_string(ARRAY(SELECT COALESCE(a.attname::text, '(expr)')
					FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
					LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
					ORDER BY k.ord), ',')
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class r ON r.oid = x.indrelid
			LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
			WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var iname, contype, cols string
			var unique, primary, partial bool
			if err := rows.Scan(&iname, &unique, &primary, &contype, &partial, &cols); err != nil {
				t.Fatal(err)
			}
			switch {
			case primary:
				tb.primaryKey = cols
			case contype == "u": // an inline UNIQUE constraint: named by PostgreSQL
				tb.indexes["UNIQUE("+cols+")"] = index{unique: unique, partial: partial, columns: cols}
			default:
				tb.indexes[iname] = index{unique: unique, partial: partial, columns: cols}
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		s[name] = tb
	}
	return s
}

// diffSchemas lists the differences between the SQLite and the PostgreSQL
// schema, sorted, one line each.
func diffSchemas(lite, pg schema) []string {
	var out []string
	for _, name := range unionKeys(lite, pg) {
		a, b := lite[name], pg[name]
		switch {
		case b == nil:
			out = append(out, "table "+name+": sqlite only")
			continue
		case a == nil:
			out = append(out, "table "+name+": postgres only")
			continue
		}
		for _, col := range unionKeys(a.columns, b.columns) {
			ca, okA := a.columns[col]
			cb, okB := b.columns[col]
			switch {
			case !okB:
				out = append(out, name+"."+col+": sqlite only")
			case !okA:
				out = append(out, name+"."+col+": postgres only")
			default:
				if ca.family != cb.family {
					out = append(out, fmt.Sprintf("%s.%s: type %s on sqlite, %s on postgres", name, col, ca.family, cb.family))
				}
				if ca.notNull != cb.notNull {
					out = append(out, fmt.Sprintf("%s.%s: not null %v on sqlite, %v on postgres", name, col, ca.notNull, cb.notNull))
				}
			}
		}
		if a.primaryKey != b.primaryKey {
			out = append(out, fmt.Sprintf("%s: primary key (%s) on sqlite, (%s) on postgres", name, a.primaryKey, b.primaryKey))
		}
		for _, ix := range unionKeys(a.indexes, b.indexes) {
			ia, okA := a.indexes[ix]
			ib, okB := b.indexes[ix]
			switch {
			case !okB:
				out = append(out, fmt.Sprintf("%s: index %s: sqlite only", name, ix))
			case !okA:
				out = append(out, fmt.Sprintf("%s: index %s: postgres only", name, ix))
			case ia != ib:
				out = append(out, fmt.Sprintf("%s: index %s: %+v on sqlite, %+v on postgres", name, ix, ia, ib))
			}
		}
	}
	sort.Strings(out)
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
