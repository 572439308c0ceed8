package channels_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

var crashPhones = []string{"0912345678", "0987654321", "0353334444", "0707123456"}

// crashAfter makes the fake provider "kill" the sender after it recorded
// the n-th accepted message: it cancels the sender's context before
// answering, so the sender never learns the provider id and writes
// nothing more.
func crashAfter(e *env, n int, cancel context.CancelFunc) {
	var once sync.Once
	var seen atomic.Int32
	e.gw.set(func(g *fakeGateway) {
		g.afterRecord = func(fakeRequest) {
			if seen.Add(1) == int32(n) {
				once.Do(func() {
					cancel()
					time.Sleep(50 * time.Millisecond) // the sender sees the cancellation before any answer
				})
			}
		}
	})
}

// runUntilCrash starts a sender and lets it crash on the second message.
func runUntilCrash(t *testing.T, e *env, adjust func(*channels.Config, *channels.HTTPGatewayConfig)) (*channels.CampaignView, *model.OutMessage) {
	t.Helper()
	svc := e.start(adjust)
	c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: crashPhones})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	crashAfter(e, 2, cancel)
	if _, err := svc.ProcessDue(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the sender did not stop at the crash: %v", err)
	}
	e.gw.set(func(g *fakeGateway) { g.afterRecord = nil })
	msgs, err := e.store.Channels().CampaignMessages(e.ctx, c.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	// After the crash: one sent, one in flight with an attempt that has
	// no outcome, the others queued; the provider holds two messages.
	var inFlight *model.OutMessage
	states := []string{}
	for _, m := range msgs {
		states = append(states, m.Status)
		if m.Status == model.MsgSending {
			inFlight = m
		}
	}
	if got := strings.Join(states, ","); got != "sent,sending,queued,queued" {
		t.Fatalf("states after the crash: %s", got)
	}
	open, err := e.store.Channels().OpenAttempts(e.ctx, inFlight.ID)
	if err != nil || len(open) != 1 || open[0].ClientRef != inFlight.ClientRef {
		t.Fatalf("open attempts of the message in flight: %+v, %v", open, err)
	}
	if _, n := e.gw.total(); n != 2 {
		t.Fatalf("provider holds %d messages, want 2", n)
	}
	return c, inFlight
}

// restart builds a new service on the same database (a restarted
// process) and sends what is due; then, after the in-flight lease, the
// message in doubt.
func restart(t *testing.T, e *env, c *channels.CampaignView, adjust func(*channels.Config, *channels.HTTPGatewayConfig)) *channels.Service {
	t.Helper()
	svc := e.start(adjust)
	if n, err := svc.ProcessDue(e.ctx); err != nil || n != 2 {
		t.Fatalf("after restart: %d handled, %v; want the 2 queued ones", n, err)
	}
	if v, _ := svc.CampaignOps().Campaign(e.ctx, e.admin, c.ID); v.Status != model.CampaignSending || v.Counts[model.MsgSending] != 1 {
		t.Fatalf("the message in flight was touched before its lease ended: %v", v.Counts)
	}
	e.clock.Advance(2*time.Minute + time.Second)
	if n, err := svc.ProcessDue(e.ctx); err != nil || n != 1 {
		t.Fatalf("after the lease: %d handled, %v", n, err)
	}
	return svc
}

func TestCrashBetweenAcceptAndRecord(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c, inFlight := runUntilCrash(t, e, nil)
		svc := restart(t, e, c, nil)

		// Each recipient got exactly one message; the one in doubt was sent
		// again under the same client reference and the provider's
		// "duplicate" answer gave back its id.
		per := e.gw.perPhone()
		for _, p := range crashPhones {
			if per[p] != 1 {
				t.Errorf("%s received %d messages at the gateway", p, per[p])
			}
		}
		if _, n := e.gw.total(); n != len(crashPhones) {
			t.Fatalf("provider holds %d messages", n)
		}
		m, err := e.store.Channels().OutMessage(e.ctx, inFlight.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != model.MsgSent || m.ProviderID != "pv-2" {
			t.Fatalf("message in doubt: %s %q, want sent as pv-2", m.Status, m.ProviderID)
		}
		atts, _ := e.store.Channels().Attempts(e.ctx, m.ID)
		if len(atts) != 2 || atts[0].Outcome != model.AttemptInDoubt || atts[1].Outcome != model.AttemptDuplicate || atts[1].ClientRef != atts[0].ClientRef {
			t.Fatalf("attempts %+v %+v", atts[0], atts[len(atts)-1])
		}
		if v, _ := svc.CampaignOps().Campaign(e.ctx, e.admin, c.ID); v.Status != model.CampaignDone || v.Counts[model.MsgSent] != len(crashPhones) {
			t.Fatalf("campaign %s %v", v.Status, v.Counts)
		}
	})
}

func TestCrashWithoutProviderDeduplication(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		noDedupe := func(_ *channels.Config, g *channels.HTTPGatewayConfig) { g.Deduplicates, g.DuplicateStatus = false, 0 }
		e.gw.set(func(g *fakeGateway) { g.noDedupe = true })
		c, inFlight := runUntilCrash(t, e, noDedupe)
		svc := restart(t, e, c, noDedupe)

		// The provider would have accepted a second copy: the message in
		// doubt is not sent again but marked unknown.
		for p, n := range e.gw.perPhone() {
			if n != 1 {
				t.Errorf("%s received %d messages", p, n)
			}
		}
		m, _ := e.store.Channels().OutMessage(e.ctx, inFlight.ID)
		if m.Status != model.MsgUnknown || !strings.Contains(m.LastError, "second copy") {
			t.Fatalf("message in doubt: %s (%s)", m.Status, m.LastError)
		}
		if v, _ := svc.CampaignOps().Campaign(e.ctx, e.admin, c.ID); v.Status != model.CampaignDone || v.Counts[model.MsgUnknown] != 1 {
			t.Fatalf("campaign %s %v", v.Status, v.Counts)
		}
	})
}
