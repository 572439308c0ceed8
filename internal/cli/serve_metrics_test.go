package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var debugURLRe = regexp.MustCompile(`url=(http://\S+)/debug/pprof/`)

// TestServeMetricsToken runs `loa serve` with LOA_METRICS_TOKEN: /metrics
// on the main listener needs the token, the debug listener serves it
// without.
func TestServeMetricsToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	env := Env{Stdout: out, Stderr: errOut, Getenv: func(k string) string {
		if k == "LOA_METRICS_TOKEN" {
			return "env-metrics-token"
		}
		return ""
	}}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, env, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--debug-addr", "127.0.0.1:0", "--log-level", "info"})
	}()
	var url, debugURL string
	deadline := time.Now().Add(2 * time.Minute)
	for url == "" || debugURL == "" {
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s\n%s", err, out.String(), errOut.String())
		case <-time.After(100 * time.Millisecond):
		}
		if m := runningRe.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		if m := debugURLRe.FindStringSubmatch(errOut.String()); m != nil {
			debugURL = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("not started after 2 minutes:\n%s\n%s", out.String(), errOut.String())
		}
	}
	get := func(u, auth string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(url+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", code)
	}
	if code, _ := get(url+"/metrics", "Bearer wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d, want 401", code)
	}
	if code, body := get(url+"/metrics", "Bearer env-metrics-token"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics with the token: %d", code)
	}
	if code, body := get(debugURL+"/metrics", ""); code != http.StatusOK || !strings.Contains(body, "loa_db_open_connections") {
		t.Errorf("debug listener /metrics: %d", code)
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
