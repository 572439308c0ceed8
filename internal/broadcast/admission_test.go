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
	for id := int64(1); id <= maxInvited+10; id++ {
		if d := q.enqueue(id); d < admitFallbackBase {
			t.Fatalf("fallback delay %s for device %d, want at least %s", d, id, admitFallbackBase)
		}
	}
	if d := q.enqueue(1); d <= admitFallbackBase {
		t.Fatalf("fallback of a device queued behind %d others: %s", maxInvited+10, d)
	}
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	first := q.next(now)
	if len(first) != maxInvited || first[0] != 1 || first[maxInvited-1] != maxInvited {
		t.Fatalf("first calls: %d devices (%v…); want devices 1-%d", len(first), first[:min(3, len(first))], maxInvited)
	}
	if more := q.next(now); len(more) != 0 {
		t.Fatalf("called %v while %d calls are unanswered", more, maxInvited)
	}
	q.served(maxInvited + 1) // fetched on its own before its call
	q.served(3)
	if got := q.next(now); len(got) != 1 || got[0] != maxInvited+2 {
		t.Fatalf("after one call was served: called %v, want [%d]", got, maxInvited+2)
	}
	if got := q.next(now.Add(invitationTTL + time.Second)); len(got) != 8 {
		t.Fatalf("after the calls expired: called %v, want the last 8 devices", got)
	}
	if len(q.queue) != 0 || len(q.queued) != 0 {
		t.Fatalf("queue not drained: %v", q.queue)
	}
}
