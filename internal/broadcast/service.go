// Package broadcast runs Loa's grassroots broadcast: the devices of commune
// radio (loudspeaker clusters, bulletin boards) and their enrolment and
// credentials, each unit's media library (uploads and Vietnamese
// text-to-speech through package media), broadcast orders at the three
// levels of Circular 39/2020 (normal, priority, emergency) plus live and
// filler, the per-device schedules built by package schedule and served
// with ETags, the push channel that delivers emergencies within seconds
// (across replicas through a Notifier), heartbeats and monitoring, play
// evidence (idempotent by event id) and public per-unit feeds.
//
// Building a schedule and playing it are separate: devices cache their
// schedule and media and play without the server (see package
// deviceclient); the server only needs to be reachable to change the
// schedule, push emergencies and collect evidence.
package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Defaults of Config.
const (
	DefaultHorizonDays   = 2
	DefaultMaxUpload     = 200 << 20
	DefaultOnlineWindow  = 90 * time.Second
	DefaultFlushInterval = 2 * time.Second
	DefaultEmergencyTTL  = 6 * time.Hour
	// DefaultEnrolFailures failed enrolment attempts per client address
	// within DefaultEnrolWindow: enough for a technician's typing
	// mistakes, too few to probe for keys.
	DefaultEnrolFailures = 20
	DefaultEnrolWindow   = 10 * time.Minute
	// DefaultKeyLifetime is the validity of an enrolment key created
	// without an expiry; MaxKeyLifetime bounds a chosen one.
	DefaultKeyLifetime = 7 * 24 * time.Hour
	MaxKeyLifetime     = 366 * 24 * time.Hour
	// MaxKeyDevices bounds the maximum number of devices of one key.
	MaxKeyDevices = 100000
)

// Config configures the service. Store, Blobs and Policy are required.
type Config struct {
	Store  *storage.Store
	Blobs  blob.Store
	Policy authz.Policy
	Log    *slog.Logger
	// Media validates and converts audio; nil refuses uploads and TTS with
	// a message naming the missing Debian package.
	Media *media.Processor
	// TTS synthesises text bulletins (wrap it in tts.Cached); nil refuses
	// text bulletins.
	TTS tts.Engine
	// Notifier carries events between replicas; nil means in-process only
	// (a single server).
	Notifier Notifier
	// Clock tells the time schedules, device liveness and order expiry
	// are reckoned from (tests simulate time with it); nil means the
	// system clock.
	Clock clock.Clock
	// Location interprets slots and days; nil means Asia/Ho_Chi_Minh.
	Location *time.Location
	// HorizonDays is how many days (today included) a schedule covers.
	HorizonDays int
	// MaxUpload bounds an uploaded audio file.
	MaxUpload int64
	// OnlineWindow: a device seen within it is online.
	OnlineWindow time.Duration
	// FlushInterval is how often "last seen" updates are written.
	FlushInterval time.Duration
	// EnrolFailures is how many failed enrolment attempts (wrong, expired
	// or used-up key, bad request) one client address may make within
	// EnrolWindow; its further attempts are refused with
	// model.ErrThrottled until older failures leave the window. Attempts
	// are recorded in the database, so replicas share the count.
	// Successful enrolments are not counted: a key's expiry and maximum
	// number of devices bound them (and a simulator enrolling thousands of
	// devices from one address keeps working).
	EnrolFailures int
	EnrolWindow   time.Duration
}

// Service is the broadcast service. It is safe for concurrent use.
type Service struct {
	cfg    Config
	store  *storage.Store
	blobs  blob.Store
	policy authz.Policy
	log    *slog.Logger
	loc    *time.Location
	clk    clock.Clock
	hub    *Hub
	notify Notifier
	polls  *pollCache    // devices' credentials and schedule headers (pollcache.go)
	pushed *pushedOrders // emergencies this replica pushed as it issued them (push.go)
	live   *liveRelay    // live broadcasts relayed by this replica (live.go)

	seenMu sync.Mutex
	seen   map[int64]model.DeviceSeen // contacts not yet written to the database
	// recent keeps the contacts of the last flushes for a while: a reader
	// that read a device row before a flush committed still finds the
	// contact in memory after the flush took it out of seen.
	recent map[int64]recentSeen

	saves  chan scheduleSave // to the schedule writer (group commit)
	plays  chan playSave     // to the play-log writer (group commit)
	builds chan struct{}     // slots of concurrent schedule rebuilds
	admit  *admission        // devices waiting to be called to fetch (admission.go)
	// urgent counts emergency and live transactions under way: the
	// schedule writer does not start a batch while one waits for SQLite's
	// single writer (schedwriter.go).
	urgent atomic.Int64
	// buildQueue measures the rebuilds and the fetches waiting for a slot.
	buildQueue buildQueue
	stopped    chan struct{} // closed when background work stops

	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed sync.Once
}

// New builds the service and starts its background work (event delivery
// from the notifier, batched "last seen" writes). Call Close to stop it.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Blobs == nil || cfg.Policy == nil {
		return nil, errors.New("broadcast: Store, Blobs and Policy are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			loc = time.FixedZone("ICT", 7*3600)
		}
		cfg.Location = loc
	}
	if cfg.HorizonDays <= 0 {
		cfg.HorizonDays = DefaultHorizonDays
	}
	if cfg.HorizonDays > 14 {
		return nil, fmt.Errorf("broadcast: HorizonDays %d: at most 14 days", cfg.HorizonDays)
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.OnlineWindow <= 0 {
		cfg.OnlineWindow = DefaultOnlineWindow
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.EnrolFailures <= 0 {
		cfg.EnrolFailures = DefaultEnrolFailures
	}
	if cfg.EnrolWindow <= 0 {
		cfg.EnrolWindow = DefaultEnrolWindow
	}
	if cfg.Notifier == nil {
		cfg.Notifier = NewLocalNotifier()
	}
	s := &Service{cfg: cfg, store: cfg.Store, blobs: cfg.Blobs, policy: cfg.Policy, log: cfg.Log, loc: cfg.Location, clk: cfg.Clock,
		hub: NewHub(), notify: cfg.Notifier, polls: newPollCache(), pushed: &pushedOrders{}, seen: map[int64]model.DeviceSeen{}, recent: map[int64]recentSeen{},
		saves: make(chan scheduleSave, maxScheduleBatch), plays: make(chan playSave, 256), builds: make(chan struct{}, maxConcurrentBuilds), admit: newAdmission(), stopped: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	s.live = newLiveRelay(ctx)
	s.stop = func() {
		cancel()
		select {
		case <-s.stopped:
		default:
			close(s.stopped)
		}
	}
	events, err := s.notify.Subscribe(ctx)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("broadcast: subscribe to notifier: %w", err)
	}
	writers := 1
	if s.store.Engine() == storage.Postgres {
		writers = pgPlayWriters
	}
	s.wg.Add(5 + writers)
	for range writers {
		go func() { defer s.wg.Done(); s.playWriter(ctx) }()
	}
	go func() { defer s.wg.Done(); s.Fleet().deliverLoop(ctx, events) }()
	go func() { defer s.wg.Done(); s.flushLoop(ctx) }()
	go func() { defer s.wg.Done(); s.Scheduler().scheduleWriter(ctx) }()
	go func() { defer s.wg.Done(); s.Fleet().admitLoop(ctx) }()
	go func() { defer s.wg.Done(); s.OrderBook().pendingPlaysLoop(ctx) }()
	return s, nil
}

// Close stops background work, writes pending "last seen" updates and
// closes the push connections.
func (s *Service) Close() error {
	var err error
	s.closed.Do(func() {
		s.stop()
		s.wg.Wait()
		s.live.wait()
		s.hub.CloseAll()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = errors.Join(s.flushSeen(ctx), s.notify.Close())
	})
	return err
}

// Hub returns the push hub (for metrics and tests).
func (s *Service) Hub() *Hub { return s.hub }

// Location is the time zone of slots and days.
func (s *Service) Location() *time.Location { return s.loc }

// clock returns the current instant, truncated to microseconds like the store.
func (s *Service) clock() time.Time { return s.clk.Now().UTC().Truncate(time.Microsecond) }

// can checks an action on the data of a unit.
func (s *Service) can(a model.Actor, action authz.Action, unit *model.Unit) error {
	if !s.policy.Can(a, action, unit.Path) {
		return i18n.Localise(fmt.Errorf("%s on unit %q: %w", action, unit.Name, model.ErrForbidden), "bcx.forbidden."+string(action), unit.Name)
	}
	return nil
}

// unitFor loads a unit and checks an action on it.
func (s *Service) unitFor(ctx context.Context, a model.Actor, action authz.Action, unitID int64) (*model.Unit, error) {
	if unitID <= 0 {
		return nil, invalid("unit_id", "bcx.unit_missing", "give the id of the unit (a commune radio station or an agency)")
	}
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, invalid("unit_id", "bcx.unit_unknown", "unit %d does not exist", unitID)
		}
		return nil, err
	}
	return u, s.can(a, action, u)
}

// flushLoop writes "last seen" updates in batches.
func (s *Service) flushLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.flushSeen(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("record devices as seen", "err", err)
			}
		}
	}
}

// markSeen notes that a device was seen (and what its heartbeat said).
func (s *Service) markSeen(v model.DeviceSeen) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	if cur, ok := s.seen[v.DeviceID]; ok && cur.Heartbeat && !v.Heartbeat {
		cur.SeenAt = v.SeenAt
		s.seen[v.DeviceID] = cur
		return
	}
	s.seen[v.DeviceID] = v
}

// FlushSeen writes pending "last seen" updates now (tests, shutdown).
func (s *Service) FlushSeen(ctx context.Context) error { return s.flushSeen(ctx) }

func (s *Service) flushSeen(ctx context.Context) error {
	s.seenMu.Lock()
	flushedAt := time.Now()
	for id, r := range s.recent {
		if flushedAt.Sub(r.flushedAt) > recentSeenKeep {
			delete(s.recent, id)
		}
	}
	if len(s.seen) == 0 {
		s.seenMu.Unlock()
		return nil
	}
	batch := make([]model.DeviceSeen, 0, len(s.seen))
	for _, v := range s.seen {
		batch = append(batch, v)
		s.recent[v.DeviceID] = recentSeen{at: v.SeenAt, flushedAt: flushedAt}
	}
	s.seen = map[int64]model.DeviceSeen{}
	s.seenMu.Unlock()
	// In id order, the order in which every transaction locks devices.
	slices.SortFunc(batch, func(a, b model.DeviceSeen) int { return cmp.Compare(a.DeviceID, b.DeviceID) })
	for len(batch) > 0 {
		n := min(len(batch), 2000)
		chunk := batch[:n]
		batch = batch[n:]
		if err := s.store.TxRetry(ctx, func(tx *storage.Tx) error { return tx.Devices().TouchDevices(ctx, chunk) }); err != nil {
			// Keep what was not written for the next flush.
			s.seenMu.Lock()
			for _, v := range append(chunk, batch...) {
				if _, newer := s.seen[v.DeviceID]; !newer {
					s.seen[v.DeviceID] = v
				}
			}
			s.seenMu.Unlock()
			return err
		}
	}
	return nil
}

// recentSeenKeep is how long a flushed contact stays in memory.
const recentSeenKeep = time.Minute

// recentSeen is a contact written to the database by a recent flush.
type recentSeen struct {
	at, flushedAt time.Time
}

// memSeen is the latest contact of a device held in memory (pending or
// recently flushed); the caller holds seenMu.
func (s *Service) memSeen(id int64) (time.Time, bool) {
	var last time.Time
	ok := false
	if v, found := s.seen[id]; found {
		last, ok = v.SeenAt, true
	}
	if r, found := s.recent[id]; found && (!ok || r.at.After(last)) {
		last, ok = r.at, true
	}
	return last, ok
}
