package cli

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/storage"
)

// runBackup archives the database and the stored files into one .tar.gz:
// an SQLite snapshot (VACUUM INTO, safe while the server runs) or a
// pg_dump of PostgreSQL, plus the blob store. Restore: stop Loa, extract
// the archive into the data directory (and pg_restore the dump).
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
	tmp, err := os.MkdirTemp("", "loa-backup-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	var dbFile, dbName string
	if svc.store.Engine() == storage.SQLite {
		dbFile, dbName = filepath.Join(tmp, "loa.db"), "loa.db"
		if err := svc.store.SnapshotSQLite(ctx, dbFile); err != nil {
			return err
		}
	} else {
		dump, err := exec.LookPath("pg_dump")
		if err != nil {
			return errors.New("pg_dump not found: install Debian's postgresql-client to back up PostgreSQL")
		}
		dbFile, dbName = filepath.Join(tmp, "loa.pgdump"), "loa.pgdump"
		cmd := exec.CommandContext(ctx, dump, "--format=custom", "--file="+dbFile, d.url(env))
		cmd.Stderr = env.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("pg_dump: %w", err)
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	files := 0
	add := func(path, name string) error {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(st, "")
		if err != nil {
			return err
		}
		hdr.Name = name
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		files++
		return err
	}
	err = add(dbFile, dbName)
	blobs := filepath.Join(d.data, "blobs")
	if err == nil {
		err = filepath.WalkDir(blobs, func(p string, e iofs.DirEntry, werr error) error {
			if werr != nil {
				if errors.Is(werr, iofs.ErrNotExist) {
					return nil
				}
				return werr
			}
			rel, _ := filepath.Rel(blobs, p)
			if e.IsDir() || strings.HasPrefix(rel, "tmp") {
				return nil
			}
			return add(p, filepath.ToSlash(filepath.Join("blobs", rel)))
		})
	}
	for _, c := range []io.Closer{tw, gz, f} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stdout, "backup written to %s (%s and %d stored files)\n", *out, dbName, files-1)
	return nil
}
