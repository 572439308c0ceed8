package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func TestDBBlobsStreamDeduplicateAndSeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		b := storage.NewDBBlobs(st, 1000, nil) // small chunks: the file spans several
		content := bytes.Repeat([]byte("Thông báo khẩn: bão số 2. "), 200)
		a, err := b.Put(ctx, bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if a.Existed || a.Size != int64(len(content)) || !blob.ValidSHA256(a.SHA256) {
			t.Fatalf("first put: %+v", a)
		}
		again, err := b.Put(ctx, bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Existed || again.SHA256 != a.SHA256 {
			t.Fatalf("second put not deduplicated: %+v", again)
		}
		var chunks int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&chunks); err != nil {
			t.Fatal(err)
		}
		if want := (len(content) + 999) / 1000; chunks != want {
			t.Fatalf("%d chunks stored, want %d (no temporary chunks left)", chunks, want)
		}
		f, size, err := b.Open(ctx, a.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || size != int64(len(content)) || !bytes.Equal(got, content) {
			t.Fatalf("read back %d bytes (size %d, err %v), want %d", len(got), size, err, len(content))
		}
		// HTTP ranges across a chunk boundary, as a device resumes a download.
		f, _, err = b.Open(ctx, a.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/a.mp3", nil)
		req.Header.Set("Range", "bytes=990-2010")
		http.ServeContent(rec, req, "a.mp3", time.Time{}, f)
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), content[990:2011]) {
			t.Fatalf("range: %d, %d bytes", rec.Code, rec.Body.Len())
		}
	})
}

func TestDBBlobsRefusesTooLargeAndUnknown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		b := storage.NewDBBlobs(st, 64, nil)
		if _, err := b.Put(ctx, strings.NewReader(strings.Repeat("x", 1000)), 999); !errors.Is(err, blob.ErrTooLarge) {
			t.Fatalf("too large: %v", err)
		}
		var chunks int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&chunks); err != nil {
			t.Fatal(err)
		}
		if chunks != 0 {
			t.Fatalf("a refused file left %d chunks behind", chunks)
		}
		if _, _, err := b.Open(ctx, strings.Repeat("ab", 32)); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("unknown blob: %v", err)
		}
		if _, _, err := b.Open(ctx, "../../etc/passwd"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("bad name: %v", err)
		}
		// An empty file is a file.
		e, err := b.Put(ctx, strings.NewReader(""), 10)
		if err != nil {
			t.Fatal(err)
		}
		f, size, err := b.Open(ctx, e.SHA256)
		if err != nil || size != 0 {
			t.Fatalf("empty: %d, %v", size, err)
		}
		if n, _ := io.Copy(io.Discard, f); n != 0 {
			t.Fatalf("empty file read %d bytes", n)
		}
	})
}

// TestDBBlobsFallBackToLocalFiles: files a server kept in its data
// directory before it stored them in the database stay readable.
func TestDBBlobsFallBackToLocalFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		fs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		old, err := fs.Put(ctx, strings.NewReader("bản gốc cũ"), 100)
		if err != nil {
			t.Fatal(err)
		}
		b := storage.NewDBBlobs(st, 0, fs)
		f, _, err := b.Open(ctx, old.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, _ := io.ReadAll(f); string(got) != "bản gốc cũ" {
			t.Fatalf("fallback read %q", got)
		}
	})
}

func TestDBBlobsConcurrentPutsOfOneFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		b := storage.NewDBBlobs(st, 100, nil)
		content := strings.Repeat("loa phường 5 ", 100)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		existed := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				i, err := b.Put(ctx, strings.NewReader(content), 1<<20)
				errs <- err
				existed <- i.Existed
			}()
		}
		wg.Wait()
		close(errs)
		close(existed)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		fresh := 0
		for e := range existed {
			if !e {
				fresh++
			}
		}
		var chunks int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&chunks); err != nil {
			t.Fatal(err)
		}
		if fresh != 1 || chunks != (len(content)+99)/100 {
			t.Fatalf("%d puts stored the file, %d chunks", fresh, chunks)
		}
	})
}
