package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/media"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	runningRe   = regexp.MustCompile(`running at (http://\S+)`)
	autoQueueRe = regexp.MustCompile(`loa_queue_items\{queue="broadcast_autoschedule",state="(done|pending|failed)"\} (\d+)`)
)

// TestServeDemo runs `loa serve --demo` as a user does: it prints the URL,
// answers /healthz, its automatic scheduling worker works off the demo
// story's deliveries (the queue drains, shown in /metrics), and it stops
// cleanly when told to.
func TestServeDemo(t *testing.T) {
	for _, tool := range [][2]string{{"ffmpeg", "ffmpeg"}, {"espeak-ng", "espeak-ng"}} {
		if _, err := media.LookTool("", tool[0], tool[1]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal(err)
			}
			t.Skipf("skipping: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedBuffer{}
	env := Env{Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, env, []string{"--demo", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--log-level", "error"})
	}()
	var url string
	deadline := time.Now().Add(3 * time.Minute)
	for url == "" {
		select {
		case err := <-done:
			t.Fatalf("serve ended before printing its URL: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if m := runningRe.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL after 3 minutes:\n%s", out.String())
		}
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	var counts map[string]int
	for i := 0; ; i++ {
		_, body := get("/metrics")
		counts = map[string]int{}
		for _, m := range autoQueueRe.FindAllStringSubmatch(body, -1) {
			counts[m[1]], _ = strconv.Atoi(m[2])
		}
		if counts["done"] > 0 && counts["pending"] == 0 {
			if !strings.Contains(body, `loa_queue_oldest_due_seconds{queue="deliveries"}`) {
				t.Error("/metrics lacks the age of the oldest due delivery")
			}
			break
		}
		if i == 300 {
			t.Fatalf("automatic scheduling queue not worked off after 30 s: %v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if counts["failed"] != 0 {
		t.Errorf("automatic scheduling jobs failed: %v", counts)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
	}
}
