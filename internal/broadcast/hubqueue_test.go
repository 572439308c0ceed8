package broadcast_test

import (
	"testing"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// TestHubPending: Pending counts the frames handed to connections and
// not yet delivered by their writers (an emergency's plays wait for 0);
// a connection closed with frames it did not take discards them, and a
// device's newer connection replaces the older one.
func TestHubPending(t *testing.T) {
	h := broadcast.NewHub()
	a, b := h.Subscribe(1), h.Subscribe(2)
	defer a.Close()
	if n, err := h.Send([]int64{1, 2, 3}, protocol.Event{Type: protocol.EventEmergency, OrderID: 7}); err != nil || n != 2 {
		t.Fatalf("sent to %d connections (%v), want 2", n, err)
	}
	if p := h.Pending(); p != 2 {
		t.Fatalf("pending %d after the send, want 2", p)
	}
	<-a.C
	if p := h.Pending(); p != 2 {
		t.Fatalf("pending %d once taken but not written, want 2", p)
	}
	a.Delivered()
	if p := h.Pending(); p != 1 {
		t.Fatalf("pending %d after one writer delivered, want 1", p)
	}
	b.Close()
	if p := h.Pending(); p != 0 {
		t.Fatalf("pending %d after the other connection closed, want 0", p)
	}
	if conns, _, _ := h.Stats(); conns != 1 {
		t.Fatalf("%d connections, want 1", conns)
	}
	// A newer connection of device 1 replaces the older one, whose
	// untaken frame is discarded.
	if n, _ := h.Send([]int64{1}, protocol.Event{Type: protocol.EventSchedule}); n != 1 {
		t.Fatal("not sent")
	}
	a2 := h.Subscribe(1)
	defer a2.Close()
	if _, ok := <-a.C; ok {
		t.Fatal("the replaced connection still got a frame")
	}
	if p := h.Pending(); p != 0 {
		t.Fatalf("pending %d after the replaced connection discarded its frame, want 0", p)
	}
	if conns, _, _ := h.Stats(); conns != 1 || !h.Connected(1) {
		t.Fatalf("%d connections, want the newer one only", conns)
	}
	if n, _ := h.Send([]int64{1}, protocol.Event{Type: protocol.EventSchedule}); n != 1 {
		t.Fatal("the newer connection did not get the frame")
	}
	<-a2.C
	a2.Delivered()
	if p := h.Pending(); p != 0 {
		t.Fatalf("pending %d, want 0", p)
	}
}
