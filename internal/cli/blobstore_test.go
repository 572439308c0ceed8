package cli

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/storage"
)

func TestBlobStoreFlag(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := storage.Open(ctx, "sqlite:"+filepath.Join(dir, "loa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for flag, want := range map[string]string{"": "*blob.FS", "auto": "*blob.FS", "local": "*blob.FS", "database": "*storage.DBBlobs"} {
		b, err := (&dbFlags{data: dir, blobStore: flag}).blobs(st)
		if err != nil {
			t.Fatalf("--blob-store %q: %v", flag, err)
		}
		got := "*blob.FS"
		if _, ok := b.(*storage.DBBlobs); ok {
			got = "*storage.DBBlobs"
		} else if _, ok := b.(*blob.FS); !ok {
			got = "other"
		}
		if got != want {
			t.Errorf("--blob-store %q: %s, want %s", flag, got, want)
		}
	}
	if _, err := (&dbFlags{data: dir, blobStore: "s3"}).blobs(st); !errors.Is(err, errUsage) {
		t.Fatalf("--blob-store s3: %v, want a usage error", err)
	}
}
