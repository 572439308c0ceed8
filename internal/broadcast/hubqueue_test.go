package broadcast_test

import (
	"testing"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// TestHubQueued: Queued counts the events handed to connections and not
// yet taken by their writers (an emergency's plays wait for 0).
func TestHubQueued(t *testing.T) {
	h := broadcast.NewHub()
	a, b := h.Subscribe(1), h.Subscribe(2)
	defer a.Close()
	defer b.Close()
	if n, err := h.Send([]int64{1, 2}, protocol.Event{Type: protocol.EventEmergency, OrderID: 7}); err != nil || n != 2 {
		t.Fatalf("sent to %d connections (%v), want 2", n, err)
	}
	if q := h.Queued(); q != 2 {
		t.Fatalf("queued %d after the send, want 2", q)
	}
	<-a.C
	if q := h.Queued(); q != 1 {
		t.Fatalf("queued %d after one writer took it, want 1", q)
	}
	<-b.C
	if q := h.Queued(); q != 0 {
		t.Fatalf("queued %d after both took it, want 0", q)
	}
}
