package broadcast

import (
	"testing"
	"time"
)

// TestAdmissionCallsInTurn: queued devices are called at most maxInvited
// at a time, in the order they said hello; a served device's place goes
// to the next; a device that fetched on its own is not called; a call
// not answered within invitationTTL frees its place.
func TestAdmissionCallsInTurn(t *testing.T) {
	q := newAdmission()
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	for id := int64(1); id <= maxInvited; id++ {
		if d := q.enqueue(id, now); d != 0 {
			t.Fatalf("device %d of a quiet server told to wait %s, want 0 (fetch now)", id, d)
		}
	}
	for id := int64(maxInvited + 1); id <= maxInvited+10; id++ {
		if d := q.enqueue(id, now); d < admitFallbackBase {
			t.Fatalf("fallback delay %s for device %d, want at least %s", d, id, admitFallbackBase)
		}
	}
	if d := q.enqueue(maxInvited+1, now); d <= admitFallbackBase {
		t.Fatalf("fallback of a device queued behind others: %s", d)
	}
	if more := q.next(now); len(more) != 0 {
		t.Fatalf("called %v while %d devices are being served", more, maxInvited)
	}
	q.served(maxInvited + 1) // fetched on its own before its call
	q.served(3)
	if got := q.next(now); len(got) != 1 || got[0] != maxInvited+2 {
		t.Fatalf("after one fetch was served: called %v, want [%d]", got, maxInvited+2)
	}
	if got := q.next(now.Add(invitationTTL + time.Second)); len(got) != 8 {
		t.Fatalf("after the calls expired: called %v, want the last 8 devices", got)
	}
	if len(q.queue) != 0 || len(q.queued) != 0 {
		t.Fatalf("queue not drained: %v", q.queue)
	}
	if d := q.enqueue(500, now.Add(time.Hour)); d != 0 {
		t.Fatalf("a device after the cold start told to wait %s", d)
	}
}
