package archive_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/storage"
)

// rewrite copies a backup archive, changing one entry's content.
func rewrite(t *testing.T, src, dst string, change func(name string, data []byte) []byte) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	gz, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	gw := gzip.NewWriter(out)
	tw := tar.NewWriter(gw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		data = change(h.Name, data)
		if data == nil {
			continue
		}
		h.Size = int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(data)
	}
	tw.Close()
	gw.Close()
}

// TestRestoreVerifiesTheManifest: a backup whose stored file was altered,
// or that lost its manifest, is refused and leaves the target empty.
func TestRestoreVerifiesTheManifest(t *testing.T) {
	ctx := context.Background()
	env := newEnv(t, storage.SQLite)
	if err := env.addLetter(ctx, 1, letter(t, 1)); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.tar.gz")
	if _, err := archive.Backup(ctx, archive.BackupOptions{Store: env.st, DSN: env.dsn, DataDir: env.data, Out: good}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.tar.gz")
	rewrite(t, good, bad, func(name string, data []byte) []byte {
		if strings.HasPrefix(name, "blobs/") {
			data[0] ^= 1
		}
		return data
	})
	dst := filepath.Join(t.TempDir(), "r")
	if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: bad, DataDir: dst}); err == nil || !strings.Contains(err.Error(), "does not match its manifest") {
		t.Fatalf("altered file: %v", err)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Fatalf("a refused restore left %d entries in %s", len(entries), dst)
	}
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	rewrite(t, good, cut, func(name string, data []byte) []byte {
		if name == archive.ManifestName {
			return nil
		}
		return data
	})
	if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: cut, DataDir: dst}); err == nil || !strings.Contains(err.Error(), "MANIFEST.sha256") {
		t.Fatalf("no manifest: %v", err)
	}
	if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: good, DataDir: dst, DSN: "postgres://x@127.0.0.1:1/none"}); err == nil || !strings.Contains(err.Error(), "SQLite") {
		t.Fatalf("SQLite backup into PostgreSQL: %v", err)
	}
	if _, err := archive.Restore(ctx, archive.RestoreOptions{Archive: good, DataDir: dst}); err != nil {
		t.Fatalf("good archive: %v", err)
	}
}
