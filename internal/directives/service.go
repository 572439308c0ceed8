// Package directives runs the chain of the seed letter: a unit drafts an
// outgoing directive (from scratch or implementing an incoming document),
// it is approved in the unit's configured steps, issued with the next
// number of the outgoing register and a PDF in the official layout, and
// fanned out to every recipient unit through a transactional outbox. Each
// recipient's inbox then tracks the delivery through read, acknowledged,
// assigned, forwarded (its own implementing directive to lower units),
// reported and closed, or declined; reminders and escalation chase the
// silent ones; the issuer follows it all in a tracking matrix and a
// cascade tree, and generates a summary report to send up.
package directives

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
)

// SMTPConfig is the mail server notifications are sent through. An empty
// Addr disables e-mail.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // sender address
	Username string // optional; PLAIN authentication (needs TLS unless the server is local)
	Password string
}

// Options tune the service. The zero value works.
type Options struct {
	Log *slog.Logger
	// Clock tells the time deadlines, reminders, escalation and delivery
	// leases are reckoned from (default the system clock; tests and the
	// demo inject one).
	Clock clock.Clock
	// Location is the local time zone for dates and deadlines (default
	// Asia/Ho_Chi_Minh).
	Location *time.Location
	SMTP     SMTPConfig
	// WebhookAllow lists the address ranges webhooks may reach although
	// they are loopback, private, link-local, … (see package netguard);
	// loa serve --webhook-allow sets it. Every other such address is
	// refused when a webhook URL is saved and when it is dialled.
	WebhookAllow []netip.Prefix
	// BaseURL is where users reach Loa, for links in e-mails.
	BaseURL string
	// Workers is the number of concurrent delivery workers (default 4 on
	// PostgreSQL, 1 on SQLite where writes are serialised anyway).
	Workers int
	// PollInterval is how often the workers look for due work besides
	// being woken by issuing (default 1 s).
	PollInterval time.Duration
	// SchedulerInterval is how often reminders and escalations are
	// checked (default 1 min).
	SchedulerInterval time.Duration
}

// Service is the directives service.
type Service struct {
	store    *storage.Store
	blobs    blob.Store
	registry *registry.Service
	policy   authz.Policy
	log      *slog.Logger
	loc      *time.Location
	clock    clock.Clock
	smtp     SMTPConfig
	http     *http.Client
	guard    *netguard.Guard
	baseURL  string
	workers  int
	poll     time.Duration
	tick     time.Duration

	deliveries *jobs.Runner // the delivery fan-out (worker.go)
	notifier   *jobs.Runner // e-mails and webhooks (notify.go)
	lastDoc    docCache
	wg         sync.WaitGroup
	started    sync.Once
}

// New builds the service. Call Start to run the delivery workers and the
// reminder scheduler.
func New(store *storage.Store, blobs blob.Store, reg *registry.Service, policy authz.Policy, opt Options) *Service {
	s := &Service{store: store, blobs: blobs, registry: reg, policy: policy, log: opt.Log, loc: opt.Location, clock: clock.Or(opt.Clock),
		smtp: opt.SMTP, guard: netguard.New(opt.WebhookAllow), baseURL: strings.TrimRight(opt.BaseURL, "/"), workers: opt.Workers, poll: opt.PollInterval,
		tick: opt.SchedulerInterval}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.loc == nil {
		s.loc = i18n.Zone()
	}
	// Webhooks go to URLs unit administrators choose: every connection,
	// redirects included, is checked after DNS resolution.
	s.http = s.guard.Client(10 * time.Second)
	if s.workers <= 0 {
		s.workers = 1
		if store.Engine() == storage.Postgres {
			s.workers = 4
		}
	}
	if s.poll <= 0 {
		s.poll = time.Second
	}
	if s.tick <= 0 {
		s.tick = time.Minute
	}
	s.deliveries = jobs.New(store, jobs.Queue{Kind: "delivery", Table: storage.DeliveryQueue, Handler: s.deliver, InTx: true,
		MaxAttempts: maxDeliveryAttempts, Backoff: deliveryBackoff}, jobs.Options{Workers: s.workers, Poll: s.poll, Now: s.now, Log: s.log})
	s.notifier = jobs.New(store, jobs.Queue{Kind: "notification", Table: storage.NotifyQueue, Handler: s.Notifier().sendNotification, Lease: notifyLease,
		MaxAttempts: maxNotifyAttempts, Backoff: notifyBackoff}, jobs.Options{Poll: s.poll, Now: s.now, Log: s.log})
	return s
}

// WithClock is a service over the same storage, blobs, registry and
// policy that reads the time from now, with one delivery worker and none
// of the loops started (the demo replays its story at the story's dates).
func (s *Service) WithClock(now clock.Clock) *Service {
	c := New(s.store, s.blobs, s.registry, s.policy, Options{Log: s.log, Location: s.loc, Clock: now, Workers: 1})
	c.guard, c.http = s.guard, s.http
	return c
}

// Location is the local time zone of dates and deadlines.
func (s *Service) Location() *time.Location { return s.loc }

// now is the service's clock in UTC at the storage's precision.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the local day of now as YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.loc).Format("2006-01-02") }

func userPtr(a model.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

func (s *Service) audit(ctx context.Context, tx *storage.Tx, a model.Actor, action string, id int64, detail string) error {
	return tx.Audit().AppendAudit(ctx, a, action, "directive", fmt.Sprint(id), detail)
}

// unit loads a unit, mapping a missing one to a validation error on field.
func unitOr(ctx context.Context, q storage.Q, id int64, field string) (*model.Unit, error) {
	u, err := q.Orgs().Unit(ctx, id)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid(field, "unit %d does not exist", id)
		}
		return nil, err
	}
	return u, nil
}

// agencyOf is the issuing agency for a unit: the unit itself, or its
// parent when the unit is a department of an agency (kind dept_unit), as
// the Phòng TTBCBC drafts for the Sở.
func agencyOf(ctx context.Context, q storage.Q, u *model.Unit) (*model.Unit, error) {
	if u.Kind == "dept_unit" && u.ParentID != nil {
		return q.Orgs().Unit(ctx, *u.ParentID)
	}
	return u, nil
}

func decodeContent(d *model.Directive) (Content, error) {
	var c Content
	if err := json.Unmarshal([]byte(d.Content), &c); err != nil {
		return c, fmt.Errorf("decode content of directive %d: %w", d.ID, err)
	}
	c.Normalize()
	return c, nil
}

func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return string(b), nil
}

// deadlineAt is the end of the deadline day in the local zone.
func (s *Service) deadlineAt(day string) *time.Time {
	if day == "" {
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", day, s.loc)
	if err != nil {
		return nil
	}
	end := t.AddDate(0, 0, 1).UTC()
	return &end
}

// Start runs the delivery workers, the notification sender and the
// reminder scheduler until ctx ends; Wait waits for them to stop.
func (s *Service) Start(ctx context.Context) {
	s.started.Do(func() {
		s.deliveries.Start(ctx)
		s.notifier.Start(ctx)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.schedulerLoop(ctx)
		}()
	})
}

// Wait blocks until the goroutines started by Start have returned.
func (s *Service) Wait() {
	s.deliveries.Wait()
	s.notifier.Wait()
	s.wg.Wait()
}

// signal wakes the workers (issuing just committed new deliveries).
func (s *Service) signal() { s.deliveries.Wake() }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
