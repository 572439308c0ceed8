package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestConnLimiterQueues: beyond its limit the listener leaves connections
// waiting (not refused) and accepts the next one as soon as one closes.
func TestConnLimiterQueues(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConnections(tcp, 2)
	defer l.Close()
	// limitConnections keeps at least 64; this test wants 2.
	l.slots, l.max = make(chan struct{}, 2), 2
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	var clients []net.Conn
	for range 3 {
		c, err := net.DialTimeout("tcp", tcp.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatalf("dial: %v (a connection beyond the limit must wait, not be refused)", err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	var held []net.Conn
	for range 2 {
		select {
		case c := <-accepted:
			held = append(held, c)
		case <-time.After(2 * time.Second):
			t.Fatal("the first two connections were not accepted")
		}
	}
	if open, limit := l.Open(); open != 2 || limit != 2 || !l.Pressed() {
		t.Fatalf("open %d of %d, pressed %v; want 2 of 2, pressed", open, limit, l.Pressed())
	}
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted beyond the limit of 2")
	case <-time.After(200 * time.Millisecond):
	}
	held[0].Close()
	held[0].Close() // closing twice frees one slot only
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("the waiting connection was not accepted after one closed")
	}
	held[1].Close()
	if open, _ := l.Open(); open != 0 {
		t.Fatalf("%d connections counted open after all closed", open)
	}
	// Close ends an Accept waiting for a slot.
	l.Close()
	select {
	case _, ok := <-accepted:
		if ok {
			t.Fatal("accepted after Close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept did not return after Close")
	}
	_ = clients
}

// TestCloseUnderPressure: answers close their connection only while the
// limiter is above its pressure mark.
func TestCloseUnderPressure(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitConnections(tcp, 10)
	defer l.Close()
	h := closeUnderPressure(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("Connection") != "" {
		t.Fatal("Connection: close without pressure")
	}
	l.open.Store(int64(l.max))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("Connection") != "close" {
		t.Fatal("no Connection: close under pressure")
	}
}
