package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// openEvents opens a device's push channel and returns the response.
func openEvents(t *testing.T, d *device, credential string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, d.e.srv.URL+fmt.Sprintf(protocol.PathEvents, d.id), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+credential)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// nextEvent reads one server-sent event (skipping keep-alive comments)
// and returns its lines.
func nextEvent(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the push channel: %v (so far %q)", err, lines)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && len(lines) > 0:
			return lines
		case line == "", strings.HasPrefix(line, ":"):
		default:
			lines = append(lines, line)
		}
	}
}

// waitConnections waits (at most 5 s) until the hub holds n connections.
func waitConnections(t *testing.T, e *bcEnv, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _, _ := e.svc.Hub().Stats()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("push connections held: %d, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDeviceEventsStream: the push channel, which the server serves off
// net/http's connection handling on HTTP/1.1, answers as an event stream,
// delivers events in order, lets go of the subscription when the device
// hangs up, ends when the hub closes it (shutdown), and refuses a wrong
// credential without subscribing.
func TestDeviceEventsStream(t *testing.T) {
	// The push channel does not depend on the engine.
	st, _ := storetest.Open(t, storage.SQLite)
	e := newBroadcastEnv(t, st)
	d := e.enrol("dtt-vinh-thanh-van", "Cụm loa chợ")

	resp := openEvents(t, d, d.credential)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("push channel: %d %v", resp.StatusCode, resp.Header)
	}
	r := bufio.NewReader(resp.Body)
	if got := nextEvent(t, r); len(got) != 3 || got[0] != "id: 1" || got[1] != "event: hello" || !strings.HasPrefix(got[2], `data: {"type":"hello"`) {
		t.Fatalf("first event: %q", got)
	}
	waitConnections(t, e, 1)
	for i := range 3 {
		n, err := e.svc.Hub().Send([]int64{d.id}, protocol.Event{Type: protocol.EventCommand, IssuedAt: time.Now().UTC()})
		if err != nil || n != 1 {
			t.Fatalf("send %d: reached %d, %v", i, n, err)
		}
		got := nextEvent(t, r)
		if len(got) != 3 || got[0] != fmt.Sprintf("id: %d", i+2) || got[1] != "event: command" {
			t.Fatalf("event %d: %q", i, got)
		}
	}

	// The device hangs up: its subscription goes.
	resp.Body.Close()
	waitConnections(t, e, 0)
	if n, _ := e.svc.Hub().Send([]int64{d.id}, protocol.Event{Type: protocol.EventCommand}); n != 0 {
		t.Fatalf("event reached %d connections after the device hung up", n)
	}

	// Shutdown closes the hub's subscriptions: the stream ends.
	resp = openEvents(t, d, d.credential)
	r = bufio.NewReader(resp.Body)
	nextEvent(t, r)
	waitConnections(t, e, 1)
	e.svc.Hub().CloseAll()
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(r); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stream after the hub closed: %v, want a clean end", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream still open 5 s after the hub closed its subscriptions")
	}
	waitConnections(t, e, 0)

	// Another device's credential: refused, nothing subscribed.
	other := e.enrol("dtt-vinh-thanh-van", "Cụm loa trường")
	resp = openEvents(t, d, other.credential)
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("push channel with another device's credential: %d", resp.StatusCode)
	}
	waitConnections(t, e, 0)
}

// TestDeviceEventsOneConnection: a device holds one push connection; a
// second one of the same device closes the first (its stream ends) and
// gets the events from then on, while another device's connection stays.
func TestDeviceEventsOneConnection(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newBroadcastEnv(t, st)
	d := e.enrol("dtt-vinh-thanh-van", "Cụm loa chợ")
	other := e.enrol("dtt-vinh-thanh-van", "Cụm loa trường")

	first := bufio.NewReader(openEvents(t, d, d.credential).Body)
	nextEvent(t, first)
	otherStream := bufio.NewReader(openEvents(t, other, other.credential).Body)
	nextEvent(t, otherStream)
	waitConnections(t, e, 2)

	second := bufio.NewReader(openEvents(t, d, d.credential).Body)
	nextEvent(t, second)
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(first); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("first stream after the second connection: %v, want a clean end", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first push connection is still open 5 s after the device opened a second one")
	}
	waitConnections(t, e, 2)
	n, err := e.svc.Hub().Send([]int64{d.id, other.id}, protocol.Event{Type: protocol.EventCommand, IssuedAt: time.Now().UTC()})
	if err != nil || n != 2 {
		t.Fatalf("event reached %d connections (%v), want 2: the device's newest and the other device's", n, err)
	}
	if got := nextEvent(t, second); got[1] != "event: command" {
		t.Fatalf("second connection got %q", got)
	}
	if got := nextEvent(t, otherStream); got[1] != "event: command" {
		t.Fatalf("other device got %q", got)
	}
}
