// Package channels runs the grassroots channels of Decree 49/2024/NĐ-CP
// that are not devices:
//
//   - SMS and OTT messaging through a provider's gateway (Gateway; an HTTP
//     implementation is configured without code changes): campaigns of
//     one text to phone numbers or to a unit's subscriber lists (with
//     consent and opt-out), sent through a transactional outbox by a
//     worker with retries and backoff, exactly once per recipient across
//     crashes when the provider deduplicates by client reference, and
//     followed by delivery receipts and inbound opt-out keywords through
//     signed webhooks;
//   - press, radio/TV, propagandists, printed material and bulletin boards
//     as tasks per content item, channel kind and responsible unit,
//     confirmed by hand with evidence (a link, a photo, a PDF) and counted
//     in a report per order or directive.
//
// Access goes through the broadcast.read and broadcast.write policy
// actions, checked against the unit the data belongs to; every change an
// actor makes is written to the audit log in the same transaction.
package channels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Blobs stores evidence files; internal/blob.Store satisfies it.
type Blobs interface {
	// Put stores r, refusing more than maxBytes with blob.ErrTooLarge.
	Put(ctx context.Context, r io.Reader, maxBytes int64) (blob.Info, error)
	// Open reads a stored file back.
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error)
}

// Defaults of Config.
const (
	DefaultChannel          = "sms"
	DefaultMaxChars         = 160
	DefaultMaxParts         = 1
	DefaultMaxRecipients    = 100000
	DefaultMaxAttempts      = 8
	DefaultRetryBase        = 30 * time.Second
	DefaultRetryMax         = time.Hour
	DefaultSendLease        = 5 * time.Minute
	DefaultPollInterval     = 2 * time.Second
	DefaultMaxEvidenceBytes = 10 << 20
)

// DefaultOptOutKeywords and DefaultOptInKeywords are matched against
// inbound messages folded to upper case without diacritics.
var (
	DefaultOptOutKeywords = []string{"TU CHOI", "TUCHOI", "STOP", "HUY"}
	DefaultOptInKeywords  = []string{"DONG Y", "DONGY", "START"}
)

// Config configures the service. Store and Policy are required; Blobs is
// required to confirm tasks with files; Gateway is required to create
// campaigns.
type Config struct {
	Store  *storage.Store
	Policy authz.Policy
	Blobs  Blobs
	Log    *slog.Logger
	// Gateway sends the messages of this channel (nil: campaigns are
	// refused with a message saying no gateway is configured).
	Gateway Gateway
	// Channel names the messaging channel this service sends ("sms",
	// "zalo" …); one Service per channel, each with its gateway.
	Channel string
	// CallbackURL is the public URL of the receipt endpoint, passed to the
	// gateway as {{callback}}.
	CallbackURL string
	// MaxChars is the most characters (Unicode code points) of one
	// message; MaxParts is how many messages a longer text is split into
	// (1: longer texts are refused).
	MaxChars int
	MaxParts int
	// MaxRecipients bounds one campaign.
	MaxRecipients int
	// MaxAttempts bounds the sends of one message; RetryBase doubles per
	// attempt up to RetryMax.
	MaxAttempts int
	RetryBase   time.Duration
	RetryMax    time.Duration
	// SendLease is how long a message stays claimed by a worker; a
	// message still in flight after it is considered in doubt (the worker
	// died). It must exceed the gateway's timeout.
	SendLease time.Duration
	// Workers is the number of concurrent senders (default 1 on SQLite,
	// 4 on PostgreSQL); PollInterval is how often they look for due work.
	Workers      int
	PollInterval time.Duration
	// OptOutKeywords / OptInKeywords: inbound texts (folded: upper case,
	// no diacritics) that start with one of them opt the sender out / in.
	OptOutKeywords []string
	OptInKeywords  []string
	// MaxEvidenceBytes bounds one evidence file.
	MaxEvidenceBytes int64
	// Clock tells the time due dates, sends and opt-outs are reckoned
	// from (default the system clock; tests simulate time); Location the
	// time zone of due dates (default Asia/Ho_Chi_Minh).
	Clock    clock.Clock
	Location *time.Location
}

// Service runs campaigns, receipts, subscriber lists and manual tasks.
// It is safe for concurrent use.
type Service struct {
	cfg    Config
	store  *storage.Store
	policy authz.Policy
	log    *slog.Logger
	loc    *time.Location

	sender *jobs.Runner // the send workers over the channel's messages
}

var channelRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// New checks the configuration and builds the service. Call Start to run
// the send workers.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Policy == nil {
		return nil, errors.New("channels: Store and Policy are required")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, store: cfg.Store, policy: cfg.Policy, log: cfg.Log, loc: cfg.Location}
	s.sender = jobs.New(cfg.Store, s.sendQueue(), jobs.Options{Workers: cfg.Workers, Poll: cfg.PollInterval, Now: s.now,
		Log: cfg.Log.With("channel", cfg.Channel)})
	return s, nil
}

func (c *Config) defaults() error {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	c.Clock = clock.Or(c.Clock)
	if c.Location == nil {
		c.Location = i18n.Zone()
	}
	if c.Channel == "" {
		c.Channel = DefaultChannel
	}
	if !channelRe.MatchString(c.Channel) {
		return fmt.Errorf("channels: channel name %q: use 1-32 lower-case letters, digits, '-' or '_' (e.g. sms, zalo)", c.Channel)
	}
	setInt(&c.MaxChars, DefaultMaxChars)
	setInt(&c.MaxParts, DefaultMaxParts)
	setInt(&c.MaxRecipients, DefaultMaxRecipients)
	setInt(&c.MaxAttempts, DefaultMaxAttempts)
	setDur(&c.RetryBase, DefaultRetryBase)
	setDur(&c.RetryMax, DefaultRetryMax)
	setDur(&c.SendLease, DefaultSendLease)
	setDur(&c.PollInterval, DefaultPollInterval)
	if c.MaxEvidenceBytes <= 0 {
		c.MaxEvidenceBytes = DefaultMaxEvidenceBytes
	}
	if c.Workers <= 0 {
		c.Workers = 1
		if c.Store.Engine() == storage.Postgres {
			c.Workers = 4
		}
	}
	if c.OptOutKeywords == nil {
		c.OptOutKeywords = DefaultOptOutKeywords
	}
	if c.OptInKeywords == nil {
		c.OptInKeywords = DefaultOptInKeywords
	}
	return c.check()
}

func (c *Config) check() error {
	switch {
	case c.MaxChars < 20 || c.MaxChars > 5000:
		return fmt.Errorf("channels: MaxChars %d: use 20-5000 characters per message (160 for plain SMS, 70 for SMS with Vietnamese diacritics)", c.MaxChars)
	case c.MaxParts > 20:
		return fmt.Errorf("channels: MaxParts %d: split a text into at most 20 messages", c.MaxParts)
	case c.MaxAttempts > 100:
		return fmt.Errorf("channels: MaxAttempts %d: at most 100", c.MaxAttempts)
	case c.RetryMax < c.RetryBase:
		return fmt.Errorf("channels: RetryMax %s is below RetryBase %s", c.RetryMax, c.RetryBase)
	case c.Workers > 64:
		return fmt.Errorf("channels: Workers %d: at most 64", c.Workers)
	}
	return nil
}

func setInt(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

func setDur(v *time.Duration, d time.Duration) {
	if *v <= 0 {
		*v = d
	}
}

// Channel is the name of the messaging channel the service sends.
func (s *Service) Channel() string { return s.cfg.Channel }

// now is the service's clock in UTC at the storage's precision.
func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

// can checks an action on the data of a unit.
func (s *Service) can(a model.Actor, action authz.Action, unit *model.Unit) error {
	if !s.policy.Can(a, action, unit.Path) {
		return fmt.Errorf("%s on unit %q: %w", action, unit.Name, model.ErrForbidden)
	}
	return nil
}

// unitFor loads a unit (field names the input it came from) and checks an
// action on it.
func (s *Service) unitFor(ctx context.Context, a model.Actor, action authz.Action, unitID int64, field string) (*model.Unit, error) {
	if unitID <= 0 {
		return nil, model.Invalid(field, "give the id of a unit")
	}
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid(field, "unit %d does not exist", unitID)
		}
		return nil, err
	}
	return u, s.can(a, action, u)
}
