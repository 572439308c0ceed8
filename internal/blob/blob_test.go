package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutDeduplicatesAndOpens(t *testing.T) {
	s, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := s.Put(ctx, strings.NewReader("công văn 570"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if a.Existed || a.Size != int64(len("công văn 570")) || len(a.SHA256) != 64 {
		t.Fatalf("first put: %+v", a)
	}
	b, err := s.Put(ctx, strings.NewReader("công văn 570"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Existed || b.SHA256 != a.SHA256 {
		t.Fatalf("second put not deduplicated: %+v", b)
	}
	f, size, err := s.Open(ctx, a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if string(got) != "công văn 570" || size != a.Size {
		t.Fatalf("read back %q (%d)", got, size)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %d", len(tmp))
	}
}

func TestPutRefusesOversize(t *testing.T) {
	s, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Put(context.Background(), bytes.NewReader(make([]byte, 1025)), 1024)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if e.Name() != "tmp" {
			t.Fatalf("oversize put left %s", e.Name())
		}
	}
}

func TestOpenRejectsBadNames(t *testing.T) {
	s, _ := NewFS(t.TempDir())
	for _, name := range []string{"../../etc/passwd", "", strings.Repeat("g", 64), strings.Repeat("a", 64)} {
		if _, _, err := s.Open(context.Background(), name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", name, err)
		}
	}
}
