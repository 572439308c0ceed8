package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/archive"
)

// runBackup archives the database and the stored files into one .tar.gz
// with a manifest of SHA-256 checksums: an SQLite snapshot (VACUUM INTO,
// safe while the server runs) or a pg_dump of PostgreSQL, plus the blob
// store. `loa restore` puts it back into an empty data directory.
func runBackup(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "backup", "backup [--data DIR] [--db URL] --out FILE.tar.gz")
	var d dbFlags
	d.register(fs)
	out := fs.String("out", "", "archive to write (default loa-backup-YYYYMMDD-HHMMSS.tar.gz)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		*out = "loa-backup-" + time.Now().Format("20060102-150405") + ".tar.gz"
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	res, err := archive.Backup(ctx, archive.BackupOptions{Store: svc.store, DSN: d.url(env), DataDir: d.data, Out: *out, Log: env.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s (%s and %d stored files, checksums in %s)\n", *out, res.Database, res.Files, archive.ManifestName)
	return nil
}

// runRestore restores a backup into an empty data directory (and an empty
// PostgreSQL database), verifying the manifest before anything is put in
// place.
func runRestore(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "restore", "restore --data EMPTY_DIR [--db sqlite:PATH | --db postgres://…/EMPTY_DB] BACKUP.tar.gz")
	data := fs.String("data", "", "empty (or new) data directory to restore into")
	db := fs.String("db", "", "database to restore into: sqlite:PATH (default DATA/loa.db) or the URL of an empty PostgreSQL database (required for a PostgreSQL backup)")
	fs.StringVar(db, "database", "", "same as --db")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *data == "" {
		return fmt.Errorf("%w: name one backup archive and --data EMPTY_DIR", errUsage)
	}
	res, err := archive.Restore(ctx, archive.RestoreOptions{Archive: fs.Arg(0), DataDir: *data, DSN: *db, Log: env.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s and %d stored files into %s; every file matched the manifest\n", res.Database, res.Files, *data)
	return nil
}

// runFsck checks stored files, registers and issued PDFs; it exits
// non-zero when it finds a problem.
func runFsck(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "fsck", "fsck [--data DIR] [--db URL] [--remove-orphans] [--json]")
	var d dbFlags
	d.register(fs)
	remove := fs.Bool("remove-orphans", false, "delete stored files that no record refers to (older than --grace)")
	grace := fs.Duration("grace", time.Hour, "with --remove-orphans, keep unreferenced files newer than this (they may belong to an import in progress)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	rep, err := archive.Fsck(ctx, svc.store, d.data, archive.FsckOptions{RemoveOrphans: *remove, OrphanGrace: *grace})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "%-9s %s\n", p.Kind, p.Detail)
		}
		fmt.Fprintf(env.Stdout, "checked %d stored files, %d references, %d register series, %d issued documents: %d problems",
			rep.Blobs, rep.References, rep.Registers, rep.Issued, len(rep.Problems))
		if rep.OrphansRemoved > 0 {
			fmt.Fprintf(env.Stdout, " (%d orphans removed)", rep.OrphansRemoved)
		}
		fmt.Fprintln(env.Stdout)
	}
	if rep.Failed() {
		return errors.New("problems found (see above)")
	}
	return nil
}
