// Package archive keeps Loa's records safe over time: backups with a
// checksum manifest and a verified restore into an empty data directory
// or database, an integrity check of the stored files and registers
// (fsck), and retention rules, legal holds and approved disposal.
package archive

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/storage"
)

// Names inside a backup archive.
const (
	ManifestName = "MANIFEST.sha256" // sha256sum format: "HEX  PATH" per file
	SQLiteName   = "loa.db"
	PgDumpName   = "loa.pgdump"
	blobsPrefix  = "blobs/"
)

// blobName matches the path of a stored blob: blobs/ab/cdef… (sha256).
var blobName = regexp.MustCompile(`^blobs/[0-9a-f]{2}/[0-9a-f]{62}$`)

// BackupOptions says what to back up and where.
type BackupOptions struct {
	Store   *storage.Store
	DSN     string // the database URL (pg_dump reads PostgreSQL from it)
	DataDir string // holds blobs/
	Out     string // archive to write (.tar.gz)
	Log     io.Writer
}

// BackupResult summarises a written backup.
type BackupResult struct {
	Database string // SQLiteName or PgDumpName
	Files    int    // stored files (blobs)
	Bytes    int64  // uncompressed bytes archived
}

// Backup writes one .tar.gz with a consistent database snapshot, every
// stored file and a manifest of SHA-256 checksums of all of them.
//
// The database is snapshotted first (SQLite VACUUM INTO, or pg_dump, which
// reads one transaction snapshot), and the blob store is copied after: a
// blob is always written before the transaction that references it
// commits and is never rewritten, so every file the snapshot references
// is in the archive. Files stored after the snapshot are archived too and
// are merely unreferenced in the restored copy (fsck lists them).
func Backup(ctx context.Context, o BackupOptions) (*BackupResult, error) {
	if o.Out == "" {
		return nil, errors.New("backup: name the archive to write")
	}
	tmp, err := os.MkdirTemp("", "loa-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	res := &BackupResult{}
	var dbFile string
	if o.Store.Engine() == storage.SQLite {
		dbFile, res.Database = filepath.Join(tmp, SQLiteName), SQLiteName
		if err := o.Store.SnapshotSQLite(ctx, dbFile); err != nil {
			return nil, err
		}
	} else {
		dbFile, res.Database = filepath.Join(tmp, PgDumpName), PgDumpName
		if err := pgTool(ctx, "pg_dump", o.DSN, o.Log, "--format=custom", "--no-owner", "--file="+dbFile); err != nil {
			return nil, err
		}
	}

	f, err := os.OpenFile(o.Out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: create %s: %w (choose a new file name)", o.Out, err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	var manifest []string
	add := func(path, name string) error {
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		st, err := src.Stat()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), src)
		if err != nil {
			return fmt.Errorf("archive %s: %w", name, err)
		}
		if n != st.Size() {
			return fmt.Errorf("archive %s: the file changed size while it was read", name)
		}
		res.Bytes += n
		manifest = append(manifest, hex.EncodeToString(h.Sum(nil))+"  "+name)
		return nil
	}
	err = add(dbFile, res.Database)
	blobs := filepath.Join(o.DataDir, "blobs")
	if err == nil {
		err = filepath.WalkDir(blobs, func(p string, e iofs.DirEntry, werr error) error {
			if werr != nil {
				if errors.Is(werr, iofs.ErrNotExist) {
					return nil
				}
				return werr
			}
			if e.IsDir() {
				if e.Name() == "tmp" && filepath.Dir(p) == blobs {
					return iofs.SkipDir // files being written
				}
				return ctx.Err()
			}
			rel, _ := filepath.Rel(blobs, p)
			name := blobsPrefix + filepath.ToSlash(rel)
			if !blobName.MatchString(name) {
				return nil
			}
			res.Files++
			return add(p, name)
		})
	}
	if err == nil {
		sort.Strings(manifest[1:])
		body := []byte(strings.Join(manifest, "\n") + "\n")
		err = tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(body)), ModTime: time.Now(), Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		if err == nil {
			_, err = tw.Write(body)
		}
	}
	for _, c := range []io.Closer{tw, gz} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(o.Out)
		return nil, fmt.Errorf("backup: write %s: %w", o.Out, err)
	}
	return res, nil
}

// RestoreOptions says which archive to restore and where to.
type RestoreOptions struct {
	Archive string
	DataDir string // must be missing or empty
	// DSN is the database to restore into: "" or sqlite:PATH for an
	// SQLite backup (default DATA/loa.db), a postgres:// URL of an empty
	// database for a PostgreSQL backup.
	DSN string
	Log io.Writer
}

// RestoreResult summarises a restore.
type RestoreResult struct {
	Database string
	Files    int
}

// maxArchiveEntry bounds one file of an archive (the database dump or a
// stored file); larger entries are refused as a damaged archive.
const maxArchiveEntry = 64 << 30

// Restore unpacks a backup into an empty data directory (and, for a
// PostgreSQL backup, an empty database), verifying every file against the
// manifest first: nothing is put in place unless the whole archive checks
// out.
func Restore(ctx context.Context, o RestoreOptions) (*RestoreResult, error) {
	if err := requireEmptyDir(o.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("restore: create %s: %w", o.DataDir, err)
	}
	staging := filepath.Join(o.DataDir, ".restoring")
	ok := false
	defer func() {
		os.RemoveAll(staging)
		if !ok {
			// Leave the directory as empty as it was found.
			entries, _ := os.ReadDir(o.DataDir)
			for _, e := range entries {
				os.RemoveAll(filepath.Join(o.DataDir, e.Name()))
			}
		}
	}()
	sums, manifest, err := extract(ctx, o.Archive, staging)
	if err != nil {
		return nil, err
	}
	if err := verifyManifest(sums, manifest); err != nil {
		return nil, fmt.Errorf("restore: %s does not match its manifest: %w", o.Archive, err)
	}
	res := &RestoreResult{}
	for name := range sums {
		if strings.HasPrefix(name, blobsPrefix) {
			res.Files++
		}
	}
	switch {
	case sums[SQLiteName] != "":
		res.Database = SQLiteName
		target := filepath.Join(o.DataDir, SQLiteName)
		if strings.HasPrefix(o.DSN, "sqlite:") {
			target = strings.TrimPrefix(o.DSN, "sqlite:")
		} else if o.DSN != "" {
			return nil, fmt.Errorf("restore: %s holds an SQLite database; restore it with --db sqlite:PATH or no --db", o.Archive)
		}
		if _, err := os.Stat(target); err == nil {
			return nil, fmt.Errorf("restore: %s already exists; restore only into an empty place", target)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		if err := moveFile(filepath.Join(staging, SQLiteName), target); err != nil {
			return nil, err
		}
	case sums[PgDumpName] != "":
		res.Database = PgDumpName
		if !strings.HasPrefix(o.DSN, "postgres://") && !strings.HasPrefix(o.DSN, "postgresql://") {
			return nil, fmt.Errorf("restore: %s holds a PostgreSQL dump; name an empty database with --db postgres://…", o.Archive)
		}
		if err := requireEmptyDatabase(ctx, o.DSN); err != nil {
			return nil, err
		}
		if err := pgTool(ctx, "pg_restore", o.DSN, o.Log, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
			filepath.Join(staging, PgDumpName)); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("restore: %s holds no database (%s or %s): not a Loa backup", o.Archive, SQLiteName, PgDumpName)
	}
	if err := moveDir(filepath.Join(staging, "blobs"), filepath.Join(o.DataDir, "blobs")); err != nil {
		return nil, err
	}
	ok = true
	return res, nil
}

// requireEmptyDir accepts a missing or empty directory.
func requireEmptyDir(dir string) error {
	if dir == "" {
		return errors.New("restore: name the data directory to restore into (--data)")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: read %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("restore: %s is not empty (%d entries): restore only into a new, empty data directory, never over live data", dir, len(entries))
	}
	return nil
}

// requireEmptyDatabase refuses a PostgreSQL database holding any table.
func requireEmptyDatabase(ctx context.Context, dsn string) error {
	st, err := storage.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer st.Close()
	var n int
	if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n); err != nil {
		return fmt.Errorf("restore: inspect the target database: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("restore: the target database already has %d tables: create a new, empty database (createdb) and restore into it", n)
	}
	return nil
}

// extract unpacks the archive into dir, hashing every file; it returns the
// checksums and the manifest's content.
func extract(ctx context.Context, archive, dir string) (map[string]string, []byte, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, nil, fmt.Errorf("restore: open %s: %w", archive, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, nil, fmt.Errorf("restore: %s is not a gzip archive: %w", archive, err)
	}
	tr := tar.NewReader(gz)
	sums := map[string]string{}
	var manifest []byte
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("restore: %s is damaged: %w", archive, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		name := hdr.Name
		if hdr.Typeflag != tar.TypeReg || !(name == ManifestName || name == SQLiteName || name == PgDumpName || blobName.MatchString(name)) {
			return nil, nil, fmt.Errorf("restore: unexpected entry %q in %s: not a Loa backup", name, archive)
		}
		if _, dup := sums[name]; dup {
			return nil, nil, fmt.Errorf("restore: %s holds %q twice", archive, name)
		}
		if hdr.Size > maxArchiveEntry {
			return nil, nil, fmt.Errorf("restore: entry %q is %d bytes, more than the limit", name, hdr.Size)
		}
		if name == ManifestName {
			if manifest, err = io.ReadAll(io.LimitReader(tr, 1<<30)); err != nil {
				return nil, nil, fmt.Errorf("restore: read the manifest: %w", err)
			}
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		h := sha256.New()
		_, err = io.Copy(io.MultiWriter(out, h), tr)
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, fmt.Errorf("restore: unpack %s: %w", name, err)
		}
		sums[name] = hex.EncodeToString(h.Sum(nil))
	}
	if manifest == nil {
		return nil, nil, fmt.Errorf("restore: %s has no %s: not a complete Loa backup (was it cut short?)", archive, ManifestName)
	}
	return sums, manifest, nil
}

// verifyManifest checks that the manifest lists exactly the unpacked
// files with their checksums, and that every blob is named by its hash.
func verifyManifest(sums map[string]string, manifest []byte) error {
	listed := map[string]string{}
	for i, line := range strings.Split(strings.TrimRight(string(manifest), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			return fmt.Errorf("manifest line %d is malformed: %q", i+1, line)
		}
		listed[name] = sum
	}
	var problems []string
	for name, sum := range listed {
		got, ok := sums[name]
		switch {
		case !ok:
			problems = append(problems, name+": missing from the archive")
		case got != sum:
			problems = append(problems, fmt.Sprintf("%s: checksum %s, manifest says %s", name, got, sum))
		case strings.HasPrefix(name, blobsPrefix) && strings.ReplaceAll(strings.TrimPrefix(name, blobsPrefix), "/", "") != got:
			problems = append(problems, name+": content does not match its name")
		}
	}
	for name := range sums {
		if _, ok := listed[name]; !ok {
			problems = append(problems, name+": not in the manifest")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("… and %d more", len(problems)-20))
		}
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func moveFile(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("restore: move %s to %s: %w", from, to, err)
	}
	return nil
}

func moveDir(from, to string) error {
	if _, err := os.Stat(from); errors.Is(err, iofs.ErrNotExist) {
		return os.MkdirAll(to, 0o750)
	}
	return moveFile(from, to)
}

// pgTool runs pg_dump or pg_restore on a database URL; the password goes
// through the environment, not the command line (visible in ps).
func pgTool(ctx context.Context, tool, dsn string, log io.Writer, args ...string) error {
	path, err := exec.LookPath(tool)
	if err != nil {
		for _, dir := range []string{"/usr/lib/postgresql/15/bin", "/usr/local/bin"} {
			if p := filepath.Join(dir, tool); fileExists(p) {
				path, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%s not found: install Debian's postgresql-client", tool)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("%s: database URL: %w", tool, err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	if tool == "pg_restore" {
		args = append([]string{"--dbname=" + u.String()}, args...)
	} else {
		args = append(args, u.String())
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if log != nil {
		cmd.Stdout = log
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return fmt.Errorf("%s: %w: %s", tool, err, msg)
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
