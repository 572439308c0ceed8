package deviceclient

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// Defaults of AgentConfig.
const (
	DefaultPollInterval      = 30 * time.Second
	DefaultHeartbeatInterval = 60 * time.Second
	DefaultUploadInterval    = 15 * time.Second
	DefaultLateStart         = 2 * time.Minute
	playedRetention          = 3 * 24 * time.Hour
)

// ErrRestart is returned by Run when the server asked the device to restart.
var ErrRestart = errors.New("restart requested by the server")

var (
	errPreempted = errors.New("interrupted by a more urgent item")
	errStopped   = errors.New("stopped by the operator")
)

// Identity is an enrolled device's identity, kept in the cache directory.
type Identity struct {
	Server     string    `json:"server"`
	DeviceID   int64     `json:"device_id"`
	Credential string    `json:"credential"`
	UnitCode   string    `json:"unit_code"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// AgentConfig configures an Agent. Server, Player and (unless Identity is
// given or the cache holds one) EnrolKey are required.
type AgentConfig struct {
	Server     string
	EnrolKey   string
	Name       string // the device name shown to operators (enrolment)
	Kind       string // protocol.KindLoudspeaker (default) or KindBoard
	HardwareID string
	Firmware   string
	// CacheDir keeps identity, schedule, media, played items and the play
	// queue; "" keeps everything in memory (simulated devices).
	CacheDir string
	// Identity, when set, is used instead of enrolling or the cache.
	Identity *Identity
	Player   Player
	Clock    Clock
	HTTP     *http.Client
	Log      *slog.Logger
	// Intervals (zero: defaults).
	PollInterval      time.Duration
	HeartbeatInterval time.Duration
	UploadInterval    time.Duration
	// LateStart: a scheduled item may start this late (device started or
	// a previous item ran over); later it is skipped. Emergencies play
	// whenever they are due and not expired.
	LateStart time.Duration
	// NoPush disables the push channel (devices that only poll).
	NoPush bool
	// SkipMedia does not download audio (simulated devices).
	SkipMedia bool
	// OnEvent is called for every push event with its arrival time.
	OnEvent func(ev protocol.Event, at time.Time)
}

// Stats counts what an agent did.
type Stats struct {
	Polls, NotModified, PollErrors          atomic.Int64
	Plays, Uploaded, Duplicates, Rejections atomic.Int64
	UploadErrors, PushEvents, PushConnects  atomic.Int64
	Downloads, DownloadErrors               atomic.Int64
	// Busy counts answers "busy, retry after …" (503, 429): the request
	// was sent again after the server's Retry-After, so a busy answer is
	// not an error unless the retries fail too (then PollErrors or
	// UploadErrors count it).
	Busy atomic.Int64
	// DropRetried counts schedule fetches asked again because the
	// connection was dropped before any answer (Dropped); not an error
	// unless the retries fail too (then PollErrors counts it).
	DropRetried atomic.Int64
	// FetchesDeferred counts hellos that told the device to fetch its
	// schedule later (the server admitting a cold start).
	FetchesDeferred atomic.Int64
	// FirstSchedule is how long after Run began the first schedule fetch
	// succeeded (ns; 0 until then): the cold start as the device saw it.
	FirstSchedule atomic.Int64
	LiveBytes     atomic.Int64 // bytes of live streams received

	// LastPollError is the text of the last failed poll (a string).
	LastPollError atomic.Value
}

// Agent is a device: it keeps its schedule and media cached, plays items
// on time through its Player, obeys pushed emergencies and commands, and
// reports what it played.
type Agent struct {
	cfg    AgentConfig
	clock  Clock
	log    *slog.Logger
	client *Client
	queue  *Queue
	id     Identity
	Stats  Stats

	mu    sync.Mutex
	sched *protocol.Schedule
	etag  string
	// The schedule's items without repeated ids, for the player to look
	// through without copying the day's schedule (setScheduleLocked):
	// the ordinary ones in order of start, the urgent ones apart, and
	// all their ids.
	schedItems  []protocol.Item
	schedUrgent []protocol.Item
	schedIDs    map[string]struct{}
	extra       map[string]*protocol.Item // pushed emergencies and live items
	played      map[string]time.Time      // item id → when it ended
	playing     *protocol.Item
	stopPlay    context.CancelCauseFunc
	volume      int
	startedAt   time.Time

	wake      chan struct{}
	pollNow   chan struct{}
	pollAt    chan time.Time // the server's hello names when to fetch
	uploadNow chan struct{}
	restart   chan struct{}
}

// NewAgent prepares an agent: it loads the cache (identity, schedule,
// played items, queued plays). It does not contact the server.
func NewAgent(cfg AgentConfig) (*Agent, error) {
	if cfg.Player == nil {
		return nil, errors.New("agent: a Player is required (NullPlayer plays nothing)")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = DefaultHTTPClient()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if cfg.UploadInterval <= 0 {
		cfg.UploadInterval = DefaultUploadInterval
	}
	if cfg.LateStart <= 0 {
		cfg.LateStart = DefaultLateStart
	}
	if cfg.Kind == "" {
		cfg.Kind = protocol.KindLoudspeaker
	}
	if _, err := normaliseServer(cfg.Server); err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, clock: cfg.Clock, log: cfg.Log, extra: map[string]*protocol.Item{}, played: map[string]time.Time{}, volume: 100,
		wake: make(chan struct{}, 1), pollNow: make(chan struct{}, 1), pollAt: make(chan time.Time, 1), uploadNow: make(chan struct{}, 1), restart: make(chan struct{}, 1)}
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(filepath.Join(cfg.CacheDir, "media"), 0o750); err != nil {
			return nil, fmt.Errorf("agent: cache directory: %w", err)
		}
	}
	q, err := OpenQueue(a.cachePath("plays.jsonl"))
	if err != nil {
		return nil, err
	}
	a.queue = q
	a.loadCache()
	return a, nil
}

func (a *Agent) cachePath(name string) string {
	if a.cfg.CacheDir == "" {
		return ""
	}
	return filepath.Join(a.cfg.CacheDir, name)
}

// loadCache restores the schedule and the played items; a damaged file is
// ignored (the schedule is fetched again).
func (a *Agent) loadCache() {
	var cached struct {
		ETag     string             `json:"etag"`
		Schedule *protocol.Schedule `json:"schedule"`
	}
	if readJSON(a.cachePath("schedule.json"), &cached) == nil && cached.Schedule != nil {
		a.setScheduleLocked(cached.Schedule, cached.ETag)
	}
	var played map[string]time.Time
	if readJSON(a.cachePath("played.json"), &played) == nil && played != nil {
		a.played = played
	}
	var extra map[string]*protocol.Item
	if readJSON(a.cachePath("pushed.json"), &extra) == nil && extra != nil {
		maps.DeleteFunc(extra, func(_ string, it *protocol.Item) bool { return it == nil })
		a.extra = extra
	}
}

func readJSON(path string, v any) error {
	if path == "" {
		return os.ErrNotExist
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// writeJSON writes a cache file atomically.
func writeJSON(path string, v any, perm os.FileMode) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, perm); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Identity returns the device's identity (after Run enrolled it).
func (a *Agent) Identity() Identity {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.id
}

// Client returns the protocol client (after the agent is enrolled).
func (a *Agent) Client() *Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.client
}

// Queue returns the play-log queue.
func (a *Agent) Queue() *Queue { return a.queue }

// Schedule returns the schedule the agent holds and its ETag.
func (a *Agent) Schedule() (*protocol.Schedule, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sched, a.etag
}

// Playing returns the item being played, if any.
func (a *Agent) Playing() *protocol.Item {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.playing == nil {
		return nil
	}
	it := *a.playing
	return &it
}

// Enrol makes sure the agent has an identity: the configured one, the one
// in the cache, or a new one from enrolment.
func (a *Agent) Enrol(ctx context.Context) error {
	id := a.cfg.Identity
	if id == nil {
		var cached Identity
		if readJSON(a.cachePath("identity.json"), &cached) == nil && cached.Credential != "" {
			id = &cached
		}
	}
	if id == nil {
		if a.cfg.EnrolKey == "" {
			return errors.New("this device is not enrolled yet: give the unit's enrolment key (--enrol loa_e_…)")
		}
		name := a.cfg.Name
		if name == "" {
			name, _ = os.Hostname()
		}
		resp, err := Enrol(ctx, a.cfg.Server, a.cfg.HTTP, protocol.EnrolRequest{Key: a.cfg.EnrolKey, Name: name, Kind: a.cfg.Kind,
			HardwareID: a.cfg.HardwareID, Firmware: a.cfg.Firmware})
		if err != nil {
			return err
		}
		id = &Identity{Server: a.cfg.Server, DeviceID: resp.DeviceID, Credential: resp.Credential, UnitCode: resp.UnitCode, EnrolledAt: a.clock.Now()}
		if err := writeJSON(a.cachePath("identity.json"), id, 0o600); err != nil {
			return fmt.Errorf("save identity: %w", err)
		}
		a.log.Info("enrolled", "device", id.DeviceID, "unit", id.UnitCode)
	}
	c, err := NewClient(a.cfg.Server, a.cfg.HTTP, id.DeviceID, id.Credential)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.id, a.client = *id, c
	a.mu.Unlock()
	return nil
}

// Run enrols if needed and runs the device until ctx ends (nil), the
// server asks for a restart (ErrRestart) or the credential is refused.
// It plays from the cache even while the server is unreachable.
func (a *Agent) Run(ctx context.Context) error {
	if a.Client() == nil {
		if err := a.Enrol(ctx); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a.mu.Lock()
	a.startedAt = a.clock.Now()
	a.mu.Unlock()
	var wg sync.WaitGroup
	fatal := make(chan error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); a.playerLoop(ctx) }()
	go func() { defer wg.Done(); a.maintenanceLoop(ctx, fatal) }()
	if !a.cfg.NoPush {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var opened atomic.Bool
			err := a.client.ListenLoop(ctx, func() {
				opened.Store(true)
				a.Stats.PushConnects.Add(1)
				// Fetch after the hello's delay; if no hello comes,
				// after helloWait.
				a.setPollAt(a.clock.Now().Add(helloWait))
			}, a.onEvent, func(err error) {
				a.log.Debug("push channel", "err", err)
				if !opened.Load() && !a.hasSchedule() {
					// The push channel could not be opened: fetch without
					// it (after the server's Retry-After if it was busy).
					wait := time.Duration(0)
					if after, busy := Busy(err, defaultBusyWait); busy {
						wait = busyJitter(after)
					}
					a.setPollAt(a.clock.Now().Add(wait))
				}
			})
			if err != nil {
				fatal <- fmt.Errorf("push channel: %w", err)
			}
		}()
	}
	if a.cfg.NoPush {
		// With push, the first fetch waits for the hello (maintenanceLoop).
		signal(a.pollNow)
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-fatal:
		if IsUnauthorized(err) {
			err = fmt.Errorf("%w; the credential was refused: delete %s and enrol again", err, a.cachePath("identity.json"))
		}
	case <-a.restart:
		err = ErrRestart
	}
	cancel(err)
	wg.Wait()
	// Send what can be sent before stopping.
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if ferr := a.upload(fctx); ferr != nil {
		a.log.Debug("final play upload", "err", ferr, "queued", a.queue.Len())
	}
	return err
}

// helloWait is how long a device with a push channel waits for the
// server's hello before its first fetch (or the fetch after a reconnect):
// the hello says when to fetch (protocol.Event.FetchAfterMS).
const helloWait = 10 * time.Second

// pushOpenWait is how long a starting device waits for its push channel
// to open before it fetches its schedule without it (a failed attempt
// fetches at once). In a cold start thousands of devices connect at once
// and the server takes their connections as it can (the others wait in
// its listen queue and their connection retries, several seconds): a
// device that fetched on its own after helloWait went around the
// server's admission of first fetches, and thousands of them together
// were answered "busy" (docs/benchmarks.md, round 9).
const pushOpenWait = 60 * time.Second

// hasSchedule reports whether a schedule was fetched (or read from the
// cache).
func (a *Agent) hasSchedule() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sched != nil
}

// setPollAt asks the maintenance loop to fetch the schedule at t (the
// latest request wins).
func (a *Agent) setPollAt(t time.Time) {
	for {
		select {
		case a.pollAt <- t:
			return
		default:
		}
		select {
		case <-a.pollAt:
		default:
		}
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// maintenanceLoop polls the schedule, sends heartbeats and uploads plays.
func (a *Agent) maintenanceLoop(ctx context.Context, fatal chan<- error) {
	now := a.clock.Now()
	nextPoll, nextHB, nextUp := now, now, now.Add(a.cfg.UploadInterval)
	if !a.cfg.NoPush {
		// The push channel's hello says when to fetch (a server admitting
		// a cold start spreads the first fetches); without one, fetch
		// after helloWait from its opening, or after pushOpenWait if it
		// does not open (at once if it fails).
		nextPoll = now.Add(jitterUp(pushOpenWait))
	}
	upBackoff := a.cfg.UploadInterval
	for ctx.Err() == nil {
		now = a.clock.Now()
		wait := min(nextPoll.Sub(now), nextHB.Sub(now), nextUp.Sub(now))
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(wait):
		case <-a.pollNow:
			nextPoll = a.clock.Now()
		case t := <-a.pollAt:
			nextPoll = t
		case <-a.uploadNow:
			nextUp = a.clock.Now()
		}
		now = a.clock.Now()
		if !now.Before(nextPoll) {
			if err := a.Poll(ctx); err != nil && IsUnauthorized(err) {
				fatal <- err
				return
			}
			nextPoll = now.Add(jitterUp(a.cfg.PollInterval))
		}
		if !now.Before(nextHB) {
			nextHB = now.Add(jitterUp(a.cfg.HeartbeatInterval))
			if wait, busy := Busy(a.heartbeat(ctx), defaultBusyWait); busy {
				nextHB = now.Add(busyJitter(wait))
			}
		}
		if !now.Before(nextUp) {
			err := a.upload(ctx)
			if wait, busy := Busy(err, defaultBusyWait); busy {
				// Not a failure: the plays stay queued and go after the
				// server's Retry-After.
				nextUp = now.Add(busyJitter(wait))
			} else if err != nil {
				upBackoff = min(upBackoff*2, 10*time.Minute)
				nextUp = now.Add(jitterUp(upBackoff))
			} else {
				upBackoff = a.cfg.UploadInterval
				nextUp = now.Add(a.cfg.UploadInterval)
			}
		}
	}
}

// Retrying busy answers (Busy).
const (
	// maxBusyWait is how long one poll keeps coming back after busy
	// answers (each time after the server's Retry-After) before it counts
	// as failed. A server that tells thousands of devices to come back
	// later during a cold start serves them all within it.
	maxBusyWait = 10 * time.Minute
	// defaultBusyWait is the wait after a busy answer without Retry-After.
	defaultBusyWait = 2 * time.Second
)

// Retrying a fetch whose connection was dropped before any answer
// (Dropped): in a cold start the server's listen queue overflows, a
// handshake or a request is lost and retried by TCP, and a connection the
// server takes late may be closed before the request reached it. The
// device asks again after 1, 2 and 4 s (each up to 50 % later) before the
// poll counts as failed, instead of waiting for its next poll.
const (
	maxDropRetries = 3
	dropRetryWait  = time.Second
)

// busyJitter spreads retries after a Retry-After over 100-150% of it, so
// that devices refused together do not come back together.
func busyJitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 + 0.5*rand.Float64()))
}

// sleep waits d on the agent's clock; false when ctx ended first.
func (a *Agent) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-a.clock.After(d):
		return true
	}
}

// jitterUp spreads periodic work over 90-110% of its interval.
func jitterUp(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// Poll fetches the schedule (If-None-Match) and, when it changed, stores
// it, downloads its media and wakes the player.
func (a *Agent) Poll(ctx context.Context) error {
	a.mu.Lock()
	etag := a.etag
	a.mu.Unlock()
	a.Stats.Polls.Add(1)
	var s *protocol.Schedule
	var newETag string
	var nm bool
	var err error
	began := a.clock.Now()
	drops := 0
	for {
		s, newETag, nm, err = a.client.FetchSchedule(ctx, etag)
		if drops < maxDropRetries && Dropped(err) && ctx.Err() == nil {
			drops++
			a.Stats.DropRetried.Add(1)
			if !a.sleep(ctx, busyJitter(dropRetryWait<<(drops-1))) {
				break
			}
			continue
		}
		wait, busy := Busy(err, defaultBusyWait)
		if !busy || a.clock.Now().Sub(began)+wait > maxBusyWait {
			break
		}
		a.Stats.Busy.Add(1)
		if !a.sleep(ctx, busyJitter(wait)) {
			break
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			// The agent is stopping: an interrupted poll is no failure.
			a.Stats.Polls.Add(-1)
			return err
		}
		a.Stats.PollErrors.Add(1)
		a.Stats.LastPollError.Store(err.Error())
		a.log.Debug("schedule fetch failed; playing from the cache", "err", err)
		return err
	}
	if a.Stats.FirstSchedule.Load() == 0 {
		a.mu.Lock()
		since := a.clock.Now().Sub(a.startedAt)
		a.mu.Unlock()
		a.Stats.FirstSchedule.CompareAndSwap(0, max(int64(since), 1))
	}
	if nm {
		a.Stats.NotModified.Add(1)
		return nil
	}
	a.mu.Lock()
	a.setScheduleLocked(s, newETag)
	a.mu.Unlock()
	if err := writeJSON(a.cachePath("schedule.json"), map[string]any{"etag": newETag, "schedule": s}, 0o640); err != nil {
		a.log.Warn("cache schedule", "err", err)
	}
	a.log.Info("schedule updated", "items", len(s.Items), "etag", newETag)
	a.prefetch(ctx, s.Items)
	signal(a.wake)
	return nil
}

// prefetch downloads the audio of items that are still to come.
func (a *Agent) prefetch(ctx context.Context, items []protocol.Item) {
	if a.cfg.SkipMedia || a.cfg.CacheDir == "" {
		return
	}
	now := a.clock.Now()
	done := map[string]bool{}
	for _, it := range items {
		if it.Stream || done[it.Media.SHA256] || it.End.Before(now) {
			continue
		}
		done[it.Media.SHA256] = true
		if _, err := a.client.Download(ctx, it.Media, a.mediaDir()); err != nil {
			a.Stats.DownloadErrors.Add(1)
			a.log.Warn("download audio", "item", it.ID, "err", err)
			continue
		}
		a.Stats.Downloads.Add(1)
	}
}

func (a *Agent) mediaDir() string { return filepath.Join(a.cfg.CacheDir, "media") }

func (a *Agent) heartbeat(ctx context.Context) error {
	a.mu.Lock()
	hb := protocol.Heartbeat{Status: "ok", Volume: a.volume, Firmware: a.cfg.Firmware, QueuedPlays: a.queue.Len(),
		UptimeS: int64(a.clock.Now().Sub(a.startedAt) / time.Second)}
	if a.playing != nil {
		hb.PlayingItem = a.playing.ID
	}
	a.mu.Unlock()
	resp, err := a.client.Heartbeat(ctx, hb)
	if err != nil {
		if _, busy := Busy(err, 0); busy {
			a.Stats.Busy.Add(1)
		}
		a.log.Debug("heartbeat failed", "err", err)
		return err
	}
	for _, c := range resp.Commands {
		a.command(c)
	}
	return nil
}

// upload sends queued plays.
func (a *Agent) upload(ctx context.Context) error {
	if a.queue.Len() == 0 {
		return nil
	}
	res, err := a.queue.Flush(ctx, a.client, DefaultBatch)
	a.Stats.Uploaded.Add(int64(res.Accepted))
	a.Stats.Duplicates.Add(int64(res.Duplicates))
	a.Stats.Rejections.Add(int64(len(res.Rejected)))
	for _, r := range res.Rejected {
		a.log.Warn("play report refused by the server and dropped", "event", r.EventID, "reason", r.Reason)
	}
	if _, busy := Busy(err, 0); busy {
		a.Stats.Busy.Add(1)
		a.log.Debug("server busy; plays kept for later", "err", err, "queued", a.queue.Len())
	} else if err != nil && ctx.Err() != nil {
		// The agent is stopping (or the final upload ran out of its
		// time): not a failed upload, the plays stay queued on disk and
		// go at the next start (QueuedPlays counts them).
		a.log.Debug("play upload stopped; kept for later", "err", err, "queued", a.queue.Len())
	} else if err != nil {
		a.Stats.UploadErrors.Add(1)
		a.log.Debug("play upload failed; kept for later", "err", err, "queued", a.queue.Len())
	}
	return err
}

// QueuedPlays is the number of plays recorded and not yet confirmed by
// the server (kept on disk until they are).
func (a *Agent) QueuedPlays() int { return a.queue.Len() }

// Flush uploads queued plays now.
func (a *Agent) Flush(ctx context.Context) error { return a.upload(ctx) }

// onEvent handles a push event.
func (a *Agent) onEvent(ev protocol.Event) {
	a.Stats.PushEvents.Add(1)
	if a.cfg.OnEvent != nil {
		a.cfg.OnEvent(ev, time.Now())
	}
	switch ev.Type {
	case protocol.EventHello:
		if ev.FetchAfterMS > 0 {
			a.Stats.FetchesDeferred.Add(1)
			a.setPollAt(a.clock.Now().Add(time.Duration(min(ev.FetchAfterMS, protocol.MaxFetchAfterMS)) * time.Millisecond))
			return
		}
		a.setPollAt(a.clock.Now())
	case protocol.EventEmergency, protocol.EventLive:
		if len(ev.Items) == 0 {
			return
		}
		if !a.cfg.SkipMedia && a.cfg.CacheDir != "" && !ev.Items[0].Stream {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			if _, err := a.client.Download(ctx, ev.Items[0].Media, a.mediaDir()); err != nil {
				a.log.Warn("download emergency audio", "err", err)
			}
			cancel()
		}
		path := a.cachePath("pushed.json")
		a.mu.Lock()
		for i := range ev.Items {
			a.extra[ev.Items[i].ID] = &ev.Items[i]
		}
		a.pruneExtraLocked()
		var extra map[string]*protocol.Item
		if path != "" {
			extra = maps.Clone(a.extra)
		}
		a.mu.Unlock()
		// The player first, then the disk and the log.
		signal(a.wake)
		if path != "" {
			if err := writeJSON(path, extra, 0o640); err != nil {
				a.log.Warn("cache pushed items", "err", err)
			}
		}
		if a.log.Enabled(context.Background(), slog.LevelInfo) {
			a.log.Info("emergency received", "order", ev.OrderID, "items", len(ev.Items))
		}
	case protocol.EventSchedule:
		// Replaces a later fetch time a hello gave.
		a.setPollAt(a.clock.Now())
	case protocol.EventCommand:
		if ev.Command != nil {
			a.command(*ev.Command)
		}
	}
}

// pruneExtraLocked drops expired pushed items.
func (a *Agent) pruneExtraLocked() {
	now := a.clock.Now()
	for id, it := range a.extra {
		if it.Expires != nil && now.After(*it.Expires) {
			delete(a.extra, id)
		}
	}
}

// command obeys a remote command.
func (a *Agent) command(c protocol.Command) {
	a.log.Info("command", "kind", c.Kind, "id", c.ID)
	switch c.Kind {
	case protocol.CommandVolume:
		a.mu.Lock()
		a.volume = c.Volume
		a.mu.Unlock()
		if vs, ok := a.cfg.Player.(VolumeSetter); ok {
			if err := vs.SetVolume(c.Volume); err != nil {
				a.log.Warn("set volume", "err", err)
			}
		}
	case protocol.CommandStop:
		a.mu.Lock()
		stop := a.stopPlay
		a.mu.Unlock()
		if stop != nil {
			stop(errStopped)
		}
	case protocol.CommandRestart:
		signal(a.restart)
	}
}

// urgent: emergency and live items play whenever due until they expire.
func urgent(it *protocol.Item) bool {
	return it.Level == "emergency" || it.Level == "live"
}

// setScheduleLocked installs a fetched (or cached) schedule.
func (a *Agent) setScheduleLocked(s *protocol.Schedule, etag string) {
	a.sched, a.etag = s, etag
	a.schedItems, a.schedUrgent, a.schedIDs = nil, nil, make(map[string]struct{}, len(s.Items))
	for _, it := range s.Items {
		if _, dup := a.schedIDs[it.ID]; dup {
			continue
		}
		a.schedIDs[it.ID] = struct{}{}
		if urgent(&it) {
			a.schedUrgent = append(a.schedUrgent, it)
		} else {
			a.schedItems = append(a.schedItems, it)
		}
	}
	slices.SortStableFunc(a.schedItems, func(x, y protocol.Item) int { return x.Start.Compare(y.Start) })
}

// The player looks for the next item on every push, every schedule and
// every end of a play, and a device pushed an emergency during a day of
// many items must not spend its time going through the day: urgent items
// (few) and pushed ones are all looked at, ordinary ones from the
// earliest that could still be due (LateStart ago) to the first that
// starts later.

// eachUrgentLocked calls fn for the urgent items of the schedule and the
// pushed items not in it, not played yet, until fn returns false.
func (a *Agent) eachUrgentLocked(fn func(it *protocol.Item) bool) bool {
	for i := range a.schedUrgent {
		it := &a.schedUrgent[i]
		if a.played[it.ID].IsZero() && !fn(it) {
			return false
		}
	}
	for id, it := range a.extra {
		if _, ok := a.schedIDs[id]; ok || !a.played[id].IsZero() {
			continue
		}
		if !fn(it) {
			return false
		}
	}
	return true
}

// ordinaryFromLocked returns the index of the first ordinary item of the
// schedule that could still be due at now.
func (a *Agent) ordinaryFromLocked(now time.Time) int {
	from := now.Add(-a.cfg.LateStart)
	i, _ := slices.BinarySearchFunc(a.schedItems, from, func(it protocol.Item, t time.Time) int { return it.Start.Compare(t) })
	return i
}

// due reports whether an item should be playing at now.
func (a *Agent) due(it *protocol.Item, now time.Time) bool {
	if it.Start.After(now) {
		return false
	}
	if urgent(it) {
		return it.Expires == nil || now.Before(*it.Expires)
	}
	return now.Sub(it.Start) <= a.cfg.LateStart
}

// better orders due items: higher level, then earlier start, then id.
func better(x, y *protocol.Item) int {
	if c := cmp.Compare(protocol.LevelRank(y.Level), protocol.LevelRank(x.Level)); c != 0 {
		return c
	}
	if c := x.Start.Compare(y.Start); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

// pick returns the item to play now, or the instant something becomes
// due (zero when nothing is planned).
func (a *Agent) pick(now time.Time) (*protocol.Item, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var best *protocol.Item
	var next time.Time
	consider := func(it *protocol.Item) {
		if a.due(it, now) {
			if best == nil || better(it, best) < 0 {
				cp := *it
				best = &cp
			}
			return
		}
		if it.Start.After(now) && (next.IsZero() || it.Start.Before(next)) {
			next = it.Start
		}
	}
	a.eachUrgentLocked(func(it *protocol.Item) bool { consider(it); return true })
	for i := a.ordinaryFromLocked(now); i < len(a.schedItems); i++ {
		it := &a.schedItems[i]
		if !a.played[it.ID].IsZero() {
			continue
		}
		consider(it)
		if it.Start.After(now) {
			break // the later ones start later still
		}
	}
	return best, next
}

// preemptor returns a due item that must cut cur, and the next instant
// one could become due.
func (a *Agent) preemptor(cur *protocol.Item, now time.Time) (*protocol.Item, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var next time.Time
	var found *protocol.Item
	rank := protocol.LevelRank(cur.Level)
	// consider returns false once it found an item that cuts cur.
	consider := func(it *protocol.Item) bool {
		if it.ID == cur.ID || !it.Interrupts || protocol.LevelRank(it.Level) <= rank {
			return true
		}
		if a.due(it, now) {
			cp := *it
			found = &cp
			return false
		}
		if it.Start.After(now) && (next.IsZero() || it.Start.Before(next)) {
			next = it.Start
		}
		return true
	}
	if !a.eachUrgentLocked(consider) {
		return found, time.Time{}
	}
	for i := a.ordinaryFromLocked(now); i < len(a.schedItems); i++ {
		it := &a.schedItems[i]
		if !it.Interrupts || protocol.LevelRank(it.Level) <= rank || !a.played[it.ID].IsZero() {
			continue
		}
		if !consider(it) {
			return found, time.Time{}
		}
		if it.Start.After(now) && !next.IsZero() && !it.Start.Before(next) {
			break // the later ones start later still
		}
	}
	return nil, next
}

// playerLoop plays due items one after another.
func (a *Agent) playerLoop(ctx context.Context) {
	r := a.startPlayRunner()
	defer r.stop()
	for ctx.Err() == nil {
		now := a.clock.Now()
		it, next := a.pick(now)
		if it != nil {
			a.play(ctx, r, *it)
			continue
		}
		wait := 5 * time.Minute
		if !next.IsZero() && next.Sub(now) < wait {
			wait = next.Sub(now)
		}
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
		case <-a.clock.After(wait):
		}
	}
}

// playRunner hands the agent's plays to the Player on one goroutine that
// lives as long as the player loop, which meanwhile watches for a more
// urgent item. A device keeps that goroutine and its stack for all its
// plays instead of starting one per play (when an emergency reaches the
// thousands of devices one simulator process stands for, their thousands
// of new goroutine stacks were as many fresh pages of memory at once:
// docs/benchmarks.md, round 10).
type playRunner struct {
	jobs chan playJob
	done chan error // one result per job
}

type playJob struct {
	ctx  context.Context
	path string
	it   *protocol.Item
}

// startPlayRunner starts the goroutine; stop ends it.
func (a *Agent) startPlayRunner() *playRunner {
	r := &playRunner{jobs: make(chan playJob), done: make(chan error, 1)}
	go func() {
		for j := range r.jobs {
			if j.it.Stream {
				r.done <- a.playLive(j.ctx, *j.it)
				continue
			}
			r.done <- a.cfg.Player.Play(j.ctx, j.path, *j.it)
		}
	}()
	return r
}

func (r *playRunner) stop() { close(r.jobs) }

// play plays one item through r, cutting it when a more urgent
// interrupting item becomes due, and records the play.
func (a *Agent) play(ctx context.Context, r *playRunner, it protocol.Item) {
	path := ""
	var playErr error
	if !a.cfg.SkipMedia && a.cfg.CacheDir != "" && !it.Stream {
		p, err := a.client.Download(ctx, it.Media, a.mediaDir())
		if err != nil {
			playErr = fmt.Errorf("audio not available: %w", err)
		}
		path = p
	}
	pctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	a.mu.Lock()
	a.playing, a.stopPlay = &it, stop
	a.mu.Unlock()
	started := a.clock.Now()
	// The log's arguments are built only when it is written: a play
	// begins on thousands of simulated devices at once.
	logInfo := a.log.Enabled(ctx, slog.LevelInfo)
	if logInfo {
		a.log.Info("playing", "item", it.ID, "title", it.Title, "level", it.Level)
	}
	if vs, ok := a.cfg.Player.(VolumeSetter); ok && playErr == nil {
		vol := a.playVolume(it, started)
		if err := vs.SetVolume(vol); err != nil {
			a.log.Warn("set volume", "err", err)
		}
		if logInfo {
			a.log.Info("volume", "item", it.ID, "percent", vol)
		}
	}
	if playErr == nil {
		r.jobs <- playJob{ctx: pctx, path: path, it: &it}
	wait:
		for {
			var timer <-chan time.Time
			p, next := a.preemptor(&it, a.clock.Now())
			if p != nil {
				stop(errPreempted)
			} else if !next.IsZero() {
				timer = a.clock.After(next.Sub(a.clock.Now()))
			}
			select {
			case playErr = <-r.done:
				break wait
			case <-a.wake:
			case <-timer:
			}
		}
	}
	ended := a.clock.Now()
	status := protocol.PlayCompleted
	errText := ""
	switch {
	case playErr == nil:
	case context.Cause(pctx) == errPreempted || context.Cause(pctx) == errStopped || ctx.Err() != nil:
		status = protocol.PlayInterrupted
		errText = context.Cause(pctx).Error()
	default:
		status = protocol.PlayFailed
		errText = playErr.Error()
	}
	a.mu.Lock()
	a.playing, a.stopPlay = nil, nil
	a.played[it.ID] = ended
	for id, t := range a.played {
		if ended.Sub(t) > playedRetention {
			delete(a.played, id)
		}
	}
	played := make(map[string]time.Time, len(a.played))
	for k, v := range a.played {
		played[k] = v
	}
	a.mu.Unlock()
	if err := writeJSON(a.cachePath("played.json"), played, 0o640); err != nil {
		a.log.Warn("cache played items", "err", err)
	}
	ev := protocol.PlayEvent{EventID: uuid.NewString(), ItemID: it.ID, Status: status, StartedAt: started.UTC(), EndedAt: ended.UTC(), Error: clipText(errText, 900)}
	if err := a.queue.Add(ev); err != nil {
		a.log.Error("record play", "err", err)
	}
	a.Stats.Plays.Add(1)
	if logInfo {
		a.log.Info("played", "item", it.ID, "status", status)
	}
	if a.queue.Len() >= DefaultBatch {
		signal(a.uploadNow)
	}
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
