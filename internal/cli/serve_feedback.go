package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/capalert"
	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/netguard"
)

// capFlags configure CAP alerts for serve.
type capFlags struct {
	sender, pollURL, pollUnit string
	pollEvery                 time.Duration
}

// check refuses flags that do not fit together, before anything starts.
func (cf capFlags) check() error {
	if (cf.pollURL == "") != (cf.pollUnit == "") {
		return fmt.Errorf("%w: --cap-poll-url and --cap-poll-unit go together", errUsage)
	}
	if cf.pollURL != "" {
		u, err := url.Parse(cf.pollURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: --cap-poll-url %q: give an http(s) URL", errUsage, cf.pollURL)
		}
	}
	if cf.sender == "" || strings.ContainsAny(cf.sender, " ,<&") {
		return fmt.Errorf("%w: --cap-sender %q: no spaces, commas, < or &", errUsage, cf.sender)
	}
	return nil
}

// startFeedbackAndCAP builds the citizens' feedback and CAP services,
// starts the feedback escalation worker and the optional CAP feed poller
// on ctx; wg ends with them.
func startFeedbackAndCAP(ctx context.Context, svc *services, bc *broadcast.Service, cf capFlags, guard *netguard.Guard, log *slog.Logger, wg *sync.WaitGroup) (*feedback.Service, *capalert.Service, error) {
	api := broadcast.NewAPI(bc)
	fb, err := feedback.New(feedback.Config{Store: svc.store, Policy: svc.policy, Bulletins: api, Clock: svc.clock, Log: log})
	if err != nil {
		return nil, nil, err
	}
	ca, err := capalert.New(capalert.Config{Store: svc.store, Blobs: svc.blobs, Policy: svc.policy, Broadcast: api, Clock: svc.clock, Log: log,
		Sender: cf.sender, HTTP: guard.Client(30 * time.Second)})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --cap-sender: %v", errUsage, err)
	}
	if err := cf.check(); err != nil {
		return nil, nil, err
	}
	esc := jobs.New(svc.store, fb.EscalationQueue(), jobs.Options{Poll: time.Minute, Now: svc.clock.Now, Log: log})
	esc.Start(ctx)
	wg.Go(esc.Wait)
	if cf.pollURL != "" {
		every := cf.pollEvery
		if every < 30*time.Second {
			every = 30 * time.Second
		}
		wg.Go(func() { ca.PollLoop(ctx, cf.pollUnit, cf.pollURL, every) })
	}
	return fb, ca, nil
}
