package deviceclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

func mediaServer(t *testing.T, content []byte, ranges *[]string) (*Client, protocol.Media) {
	t.Helper()
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != fmt.Sprintf("/api/v1/device/7/media/%s", sha) || r.Header.Get("Authorization") != "Bearer loa_d_x" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		mu.Lock()
		*ranges = append(*ranges, r.Header.Get("Range"))
		mu.Unlock()
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, srv.Client(), 7, "loa_d_x")
	if err != nil {
		t.Fatal(err)
	}
	return c, protocol.Media{SHA256: sha, Size: int64(len(content))}
}

func TestDownloadResumesAndChecks(t *testing.T) {
	content := bytes.Repeat([]byte("loa-audio-"), 10000)
	var ranges []string
	c, m := mediaServer(t, content, &ranges)
	dir := t.TempDir()
	// A download cut in the middle left a partial file.
	if err := os.WriteFile(MediaPath(dir, m.SHA256)+".part", content[:40000], 0o640); err != nil {
		t.Fatal(err)
	}
	path, err := c.Download(context.Background(), m, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
		t.Fatal("resumed file differs from the original")
	}
	if len(ranges) != 1 || ranges[0] != "bytes=40000-" {
		t.Fatalf("requests with ranges %q, want one resuming at 40000", ranges)
	}
	// Cached: no request.
	if _, err := c.Download(context.Background(), m, dir); err != nil || len(ranges) != 1 {
		t.Fatalf("second download: %v, %d requests", err, len(ranges))
	}
	// A damaged partial file fails the check and is deleted.
	dir2 := t.TempDir()
	bad := append([]byte(strings.Repeat("X", 100)), content[100:50000]...)
	os.WriteFile(MediaPath(dir2, m.SHA256)+".part", bad, 0o640)
	if _, err := c.Download(context.Background(), m, dir2); !errors.Is(err, ErrChecksum) {
		t.Fatalf("damaged partial download: %v, want ErrChecksum", err)
	}
	if _, err := os.Stat(MediaPath(dir2, m.SHA256) + ".part"); !os.IsNotExist(err) {
		t.Fatal("damaged partial file kept")
	}
	if _, err := c.Download(context.Background(), m, dir2); err != nil {
		t.Fatalf("download after a damaged one: %v", err)
	}
	if _, err := c.Download(context.Background(), protocol.Media{SHA256: "../../etc/passwd"}, dir2); err == nil {
		t.Fatal("a bad hash was accepted as a file name")
	}
}

func TestQueuePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plays.jsonl")
	q, err := OpenQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := q.Add(protocol.PlayEvent{EventID: fmt.Sprintf("e%d", i), ItemID: "o1-1", Status: "completed"}); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	// A write cut by a power failure leaves a damaged last line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o640)
	f.WriteString(`{"event_id":"e3","item`)
	f.Close()
	q, err = OpenQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	if q.Len() != 3 {
		t.Fatalf("reopened queue holds %d events, want 3", q.Len())
	}
	if err := q.Remove(map[string]bool{"e0": true, "e2": true}); err != nil {
		t.Fatal(err)
	}
	q.Add(protocol.PlayEvent{EventID: "e4", ItemID: "o1-2", Status: "completed"})
	q.Close()
	q, _ = OpenQueue(path)
	defer q.Close()
	got := q.Peek(10)
	if len(got) != 2 || got[0].EventID != "e1" || got[1].EventID != "e4" {
		t.Fatalf("queue after remove and reopen: %+v", got)
	}
}

func TestReadSSE(t *testing.T) {
	in := ": ping\n\nid: 1\nevent: emergency\ndata: {\"a\":\ndata: 1}\n\nevent: x\n\n"
	var got []string
	err := readSSE(strings.NewReader(in), func() {}, func(typ string, data []byte) { got = append(got, typ+"|"+string(data)) })
	if err == nil || len(got) != 1 || got[0] != "emergency|{\"a\":\n1}" {
		t.Fatalf("got %q (%v)", got, err)
	}
}

// TestReadSSELongLines: lines longer than the read buffer are put
// together, CRLF endings are accepted, each event's data is its own
// (the buffer reused for the next one does not change what was
// dispatched) and an event over the limit ends the stream with an error.
func TestReadSSELongLines(t *testing.T) {
	long := strings.Repeat("x", 3*sseBufferSize+17)
	in := "event: schedule\r\ndata: " + long + "\r\n\r\nevent: emergency\ndata: short\n\n: ping\n\n"
	var got []string
	err := readSSE(strings.NewReader(in), func() {}, func(typ string, data []byte) { got = append(got, typ+"|"+string(data)) })
	if !errors.Is(err, io.EOF) || len(got) != 2 || got[0] != "schedule|"+long || got[1] != "emergency|short" {
		t.Fatalf("got %d events (%v); first %d bytes", len(got), err, len(got[0]))
	}
	huge := "data: " + strings.Repeat("y", maxSSEEvent+1) + "\n\n"
	got = nil
	err = readSSE(strings.NewReader(huge), func() {}, func(typ string, data []byte) { got = append(got, typ) })
	if !errors.Is(err, errSSETooLarge) || len(got) != 0 {
		t.Fatalf("an event over %d bytes: %v, %d dispatched", maxSSEEvent, err, len(got))
	}
	lines := strings.Repeat("data: "+strings.Repeat("z", 1<<20)+"\n", 5) + "\n"
	err = readSSE(strings.NewReader(lines), func() {}, func(typ string, data []byte) { got = append(got, typ) })
	if !errors.Is(err, errSSETooLarge) || len(got) != 0 {
		t.Fatalf("data lines adding up to over %d bytes: %v, %d dispatched", maxSSEEvent, err, len(got))
	}
}

func TestManualClock(t *testing.T) {
	c := NewManualClock(time.Unix(0, 0))
	a, b := c.After(time.Minute), c.After(time.Hour)
	c.Advance(2 * time.Minute)
	select {
	case <-a:
	default:
		t.Fatal("1-minute wait did not fire after 2 minutes")
	}
	select {
	case <-b:
		t.Fatal("1-hour wait fired after 2 minutes")
	default:
	}
	if c.Waiters() != 1 {
		t.Fatalf("%d waiters", c.Waiters())
	}
}
