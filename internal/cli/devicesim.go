package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/storage"
)

// simDevice is one simulated device.
type simDevice struct {
	agent   *deviceclient.Agent
	offline atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// simTransport fails requests while its device is offline, and times
// schedule polls.
type simTransport struct {
	base  http.RoundTripper
	dev   *simDevice
	polls *simPolls
}

func (t *simTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.dev.offline.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("simulated outage")}
	}
	if t.polls == nil || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/schedule") {
		return t.base.RoundTrip(r)
	}
	began := time.Now()
	resp, err := t.base.RoundTrip(r)
	select {
	case <-t.polls.ended: // cut by the end of the run: not counted
	default: // timeouts count
		t.polls.add(began, time.Since(began))
	}
	return resp, err
}

// simPolls collects the latencies of schedule polls (until the answer's
// headers, failed polls included), apart for the cold start and for the
// steady state: polls begun in [steadyFrom, steadyUntil).
type simPolls struct {
	ended                   <-chan struct{} // closed at the end of the run
	steadyFrom, steadyUntil atomic.Int64    // unix nanos; 0: not yet known / no end
	cold, steady            simLatency
}

func (p *simPolls) add(began time.Time, d time.Duration) {
	from, until := p.steadyFrom.Load(), p.steadyUntil.Load()
	if from != 0 && began.UnixNano() >= from && (until == 0 || began.UnixNano() < until) {
		p.steady.add(d)
		return
	}
	if from == 0 || began.UnixNano() < from {
		p.cold.add(d)
	}
}

// simLatency collects push latencies.
type simLatency struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *simLatency) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *simLatency) quantiles() (n int, p50, p99, max time.Duration) {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	if len(d) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(d)
	q := func(f float64) time.Duration { return d[min(len(d)-1, int(f*float64(len(d))))] }
	return len(d), q(0.50), q(0.99), d[len(d)-1]
}

// parseSourceAddrs reads --source-addr: IP addresses, comma-separated.
func parseSourceAddrs(list string) ([]net.IP, error) {
	var out []net.IP
	for _, p := range splitList(list) {
		ip := net.ParseIP(p)
		if ip == nil {
			return nil, fmt.Errorf("%w: --source-addr %q is not an IP address (use e.g. 127.0.0.2,127.0.0.3)", errUsage, p)
		}
		out = append(out, ip)
	}
	return out, nil
}

// simTransports returns one transport per source address (one with the
// system's choice when there is none), each dialling from its address.
func simTransports(sources []net.IP, devices int) []*http.Transport {
	mk := func(local net.Addr) *http.Transport {
		t := deviceclient.NewTransport()
		t.MaxIdleConns = devices * 2
		t.MaxIdleConnsPerHost = devices * 2
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, LocalAddr: local}
		t.DialContext = d.DialContext
		return t
	}
	if len(sources) == 0 {
		return []*http.Transport{mk(nil)}
	}
	out := make([]*http.Transport, len(sources))
	for i, ip := range sources {
		out[i] = mk(&net.TCPAddr{IP: ip})
	}
	return out
}

// runDeviceSim is `loa device-sim`: many simulated devices using the
// agent's code without audio, with flaky connectivity, for tests and
// benchmarks.
func runDeviceSim(ctx context.Context, env Env, args []string) error {
	// Reports come from several goroutines (the ticker, the emergency
	// sender, the devices): one lock serialises the writes.
	var outMu sync.Mutex
	env.Stdout = &lockedWriter{mu: &outMu, w: env.Stdout}
	env.Stderr = &lockedWriter{mu: &outMu, w: env.Stderr}
	fs := newFlags(env, "device-sim", "device-sim --server URL --devices N [--duration D] [--offline-rate R] [--key KEY | --demo-json FILE]")
	server := fs.String("server", "", "URL of the Loa server")
	n := fs.Int("devices", 10, "number of simulated devices")
	duration := fs.Duration("duration", time.Minute, "how long to run after the enrolment")
	offlineRate := fs.Float64("offline-rate", 0, "share of the time each device is offline, 0-0.9 (outages last 30 s on average)")
	key := fs.String("key", "", "enrolment key (loa_e_…); default: the one in --demo-json")
	demoJSON := fs.String("demo-json", "./loa-data/demo.json", "demo.json written by `loa serve --demo` (key and admin token)")
	poll := fs.Duration("poll", 30*time.Second, "schedule poll interval of each device")
	report := fs.Duration("report", 5*time.Second, "interval of the live summary")
	enrolConc := fs.Int("enrol-concurrency", 16, "parallel enrolments at start")
	emergencyAfter := fs.Duration("emergency-after", 0, "issue an emergency this long after the enrolment (needs --token and --media-id)")
	token := fs.String("token", "", "API token of an operator for --emergency-after (default: the admin token of --demo-json)")
	mediaID := fs.Int64("media-id", 0, "media item of the emergency")
	unitID := fs.Int64("unit-id", 0, "unit issuing the emergency, whose subtree is targeted (default: the enrolment unit)")
	sourceAddrs := fs.String("source-addr", "", "local IP addresses to connect from, comma-separated (e.g. 127.0.0.2,127.0.0.3): devices are spread over them, so that one address's ephemeral ports do not run out")
	startSpread := fs.Duration("start-spread", 0, "spread the devices' first connections at random over this long (a cold start of many devices); 0 starts 500 every 50 ms")
	steadyAfter := fs.Duration("steady-after", -1, "schedule polls begun this long after the enrolment count as the steady state in the poll latencies reported, the earlier ones as the cold start (default: --start-spread plus two --poll intervals)")
	clickFile := fs.String("click-file", "", "with --emergency-after: write the instant of the emergency request there before sending it; without: measure the emergency latency from the instant written there by the simulator that issues it (not from the order's creation on the server)")
	debugAddr := fs.String("debug-addr", "", "serve the simulator's Go runtime profiles (pprof) on this loopback address, e.g. 127.0.0.1:6061 (empty: off)")
	steadyUntil := fs.Duration("steady-until", 0, "end of the steady state, after the enrolment (default: --emergency-after if set, else the end of the run)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return fmt.Errorf("%w: --server is required", errUsage)
	}
	if *n < 1 || *n > 100000 {
		return fmt.Errorf("%w: --devices %d: simulate 1-100000 devices", errUsage, *n)
	}
	if *offlineRate < 0 || *offlineRate > 0.9 {
		return fmt.Errorf("%w: --offline-rate %.2f: use 0-0.9", errUsage, *offlineRate)
	}
	if *poll < time.Second {
		return fmt.Errorf("%w: --poll %s: at least 1s", errUsage, *poll)
	}
	if *startSpread < 0 || *startSpread > time.Hour {
		return fmt.Errorf("%w: --start-spread %s: use 0 to 1h", errUsage, *startSpread)
	}
	sources, err := parseSourceAddrs(*sourceAddrs)
	if err != nil {
		return err
	}
	var demo struct {
		AdminToken    string `json:"admin_token"`
		EnrolmentKey  string `json:"enrolment_key"`
		EnrolmentUnit string `json:"enrolment_unit"`
	}
	if *key == "" || (*emergencyAfter > 0 && *token == "") {
		b, err := readFileLimited(*demoJSON, 1<<20)
		if err != nil {
			return fmt.Errorf("no --key given and %s cannot be read (%v): pass --key loa_e_… or --demo-json", *demoJSON, err)
		}
		if err := json.Unmarshal(b, &demo); err != nil {
			return fmt.Errorf("%s: %w", *demoJSON, err)
		}
		if *key == "" {
			*key = demo.EnrolmentKey
		}
		if *token == "" {
			*token = demo.AdminToken
		}
	}
	if *emergencyAfter > 0 && *mediaID == 0 {
		return fmt.Errorf("%w: --emergency-after needs --media-id (a media item of the library)", errUsage)
	}
	if *steadyAfter < 0 {
		*steadyAfter = *startSpread + 2**poll
	}
	if *steadyUntil == 0 && *emergencyAfter > 0 {
		*steadyUntil = *emergencyAfter
	}
	log := quietLogger(env)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *debugAddr != "" {
		if err := startDebug(ctx, *debugAddr, http.NotFoundHandler(), log); err != nil {
			return err
		}
	}
	// The enrolment has its own bound (a device retries busy answers for
	// up to 10 minutes); --duration counts from its end.
	runCtx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()
	ctx = runCtx
	pollLat := &simPolls{ended: runCtx.Done()}

	// The simulated devices share one connection pool per source address,
	// with a device's idle timeout: a poll may reuse a connection another
	// device used.
	transports := simTransports(sources, *n)

	var click atomic.Int64 // unix nanos of the emergency request
	var emergencyOrder atomic.Int64
	lat := &simLatency{}
	devices := make([]*simDevice, *n)
	start := time.Now()
	fmt.Fprintf(env.Stdout, "enrolling %d devices at %s …\n", *n, *server)
	var enrolErr atomic.Value
	var enrolBusy atomic.Int64
	sem := make(chan struct{}, max(1, *enrolConc))
	var wg sync.WaitGroup
	for i := range devices {
		d := &simDevice{done: make(chan struct{})}
		devices[i] = d
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			hc := &http.Client{Transport: &simTransport{base: transports[i%len(transports)], dev: d, polls: pollLat}}
			req := protocol.EnrolRequest{Key: *key, Name: fmt.Sprintf("sim-%05d", i+1), HardwareID: fmt.Sprintf("sim-%d", i+1)}
			resp, err := deviceclient.Enrol(ctx, *server, hc, req)
			// A busy server (503 + Retry-After) is asked again after the
			// wait it named, for up to 10 minutes.
			for began := time.Now(); err != nil && time.Since(began) < 10*time.Minute; {
				wait, busy := deviceclient.Busy(err, 2*time.Second)
				if !busy {
					break
				}
				enrolBusy.Add(1)
				select {
				case <-ctx.Done():
				case <-time.After(wait + time.Duration(rand.Int64N(int64(wait)/2+1))):
				}
				if ctx.Err() != nil {
					break
				}
				resp, err = deviceclient.Enrol(ctx, *server, hc, req)
			}
			if err != nil {
				enrolErr.Store(err)
				return
			}
			a, err := deviceclient.NewAgent(deviceclient.AgentConfig{Server: *server, Identity: &deviceclient.Identity{Server: *server, DeviceID: resp.DeviceID,
				Credential: resp.Credential, UnitCode: resp.UnitCode}, Player: deviceclient.NullPlayer{}, HTTP: hc, Log: log, PollInterval: *poll,
				SkipMedia: true, OnEvent: func(ev protocol.Event, at time.Time) {
					if ev.Type != protocol.EventEmergency || ev.OrderID == 0 {
						return
					}
					c := click.Load()
					if c == 0 && *clickFile != "" {
						// Issued by another simulator: its request's instant.
						if c = readClick(*clickFile); c != 0 {
							click.CompareAndSwap(0, c)
						}
					}
					if c != 0 {
						if o := emergencyOrder.Load(); o == 0 || o == ev.OrderID {
							lat.add(at.Sub(time.Unix(0, c)))
						}
					} else {
						lat.add(at.Sub(ev.IssuedAt))
					}
				}})
			if err != nil {
				enrolErr.Store(err)
				return
			}
			d.agent = a
		}()
	}
	wg.Wait()
	if v := enrolErr.Load(); v != nil {
		return fmt.Errorf("enrol simulated devices: %w", v.(error))
	}
	fmt.Fprintf(env.Stdout, "enrolled %d devices in %s (busy answers retried: %d)\n", *n, time.Since(start).Round(time.Millisecond), enrolBusy.Load())
	runStart := time.Now()
	stopTimer := time.AfterFunc(*duration, cancelAll)
	defer stopTimer.Stop()
	pollLat.steadyFrom.Store(runStart.Add(*steadyAfter).UnixNano())
	if *steadyUntil > 0 {
		pollLat.steadyUntil.Store(runStart.Add(*steadyUntil).UnixNano())
	}

	startDevice := func(d *simDevice) {
		dctx, cancel := context.WithCancel(ctx)
		d.cancel, d.done = cancel, make(chan struct{})
		go func() {
			defer close(d.done)
			if err := d.agent.Run(dctx); err != nil && ctx.Err() == nil {
				fmt.Fprintf(env.Stderr, "device %d: %v\n", d.agent.Identity().DeviceID, err)
			}
		}()
	}
	if *startSpread > 0 {
		// A cold start: each device comes up at a random instant of the
		// spread, as a fleet does after a power cut or a server restart.
		for _, d := range devices {
			at := time.Duration(rand.Int64N(int64(*startSpread)))
			time.AfterFunc(at, func() {
				if ctx.Err() == nil {
					startDevice(d)
				}
			})
		}
	} else {
		for i, d := range devices {
			startDevice(d)
			if i%500 == 499 {
				time.Sleep(50 * time.Millisecond) // spread the first polls
			}
		}
	}

	// Flaky connectivity: outages of 30 s on average, covering offlineRate
	// of the time.
	if *offlineRate > 0 {
		goOff := *offlineRate / (1 - *offlineRate) / 30
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				for _, d := range devices {
					switch {
					case !d.offline.Load() && rand.Float64() < goOff:
						d.offline.Store(true)
						d.cancel()
					case d.offline.Load() && rand.Float64() < 1.0/30:
						<-d.done
						d.offline.Store(false)
						startDevice(d)
					}
				}
			}
		}()
	}

	if *emergencyAfter > 0 {
		go func() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(*emergencyAfter):
			}
			target := *unitID
			if target == 0 && len(devices) > 0 {
				target = unitOfDevices(ctx, *server, *token, devices[0].agent.Identity().DeviceID)
			}
			body, _ := json.Marshal(map[string]any{"unit_id": target, "title": "Thông báo khẩn (mô phỏng)", "media_id": *mediaID,
				"targets": []map[string]any{{"kind": "subtree", "id": target}}, "expires_in_minutes": 30})
			click.Store(time.Now().UnixNano())
			if *clickFile != "" {
				if err := writeClick(*clickFile, click.Load()); err != nil {
					fmt.Fprintf(env.Stderr, "emergency: %v\n", err)
				}
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, *server+"/api/v1/broadcast/emergency", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+*token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Fprintf(env.Stderr, "emergency: %v\n", err)
				return
			}
			defer resp.Body.Close()
			var res struct {
				Order struct {
					ID int64 `json:"id"`
				} `json:"order"`
				Devices int `json:"devices"`
			}
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &res) != nil {
				fmt.Fprintf(env.Stderr, "emergency refused: %d %s\n", resp.StatusCode, b)
				return
			}
			emergencyOrder.Store(res.Order.ID)
			fmt.Fprintf(env.Stdout, "emergency %d issued to %d devices (answer after %s)\n", res.Order.ID, res.Devices, time.Since(time.Unix(0, click.Load())).Round(time.Millisecond))
		}()
	}

	summary := func(final bool) {
		var polls, nm, perr, plays, up, dup, rej, uperr, push, conn, busy, drop, queued int64
		off := 0
		for _, d := range devices {
			s := &d.agent.Stats
			polls += s.Polls.Load()
			nm += s.NotModified.Load()
			perr += s.PollErrors.Load()
			plays += s.Plays.Load()
			up += s.Uploaded.Load()
			dup += s.Duplicates.Load()
			rej += s.Rejections.Load()
			uperr += s.UploadErrors.Load()
			push += s.PushEvents.Load()
			conn += s.PushConnects.Load()
			busy += s.Busy.Load()
			drop += s.DropRetried.Load()
			queued += int64(d.agent.QueuedPlays())
			if d.offline.Load() {
				off++
			}
		}
		first := &simLatency{}
		for _, d := range devices {
			if v := d.agent.Stats.FirstSchedule.Load(); v > 0 {
				first.d = append(first.d, time.Duration(v))
			}
		}
		fn, f50, f99, fmx := first.quantiles()
		ln, p50, p99, mx := lat.quantiles()
		label := fmt.Sprintf("[%s]", time.Since(start).Round(time.Second))
		if final {
			label = "final:"
		}
		var line strings.Builder
		fmt.Fprintf(&line, "%s devices=%d offline=%d polls=%d 304=%d poll_errors=%d push_connects=%d push_events=%d plays=%d reported=%d duplicates=%d rejected=%d upload_errors=%d unsent=%d busy_retried=%d",
			label, len(devices), off, polls, nm, perr, conn, push, plays, up, dup, rej, uperr, queued, busy)
		if fn > 0 {
			fmt.Fprintf(&line, " first_schedule=%d p50=%s p99=%s max=%s", fn, f50.Round(time.Millisecond), f99.Round(time.Millisecond), fmx.Round(time.Millisecond))
		}
		if ln > 0 {
			from := "order_created" // the order's creation on the server
			if click.Load() != 0 {
				from = "request" // the operator's request
			}
			fmt.Fprintf(&line, " emergency_received=%d latency_p50=%s p99=%s max=%s latency_from=%s", ln, p50.Round(time.Millisecond), p99.Round(time.Millisecond), mx.Round(time.Millisecond), from)
		}
		for _, w := range []struct {
			name string
			l    *simLatency
		}{{"poll_latency_cold", &pollLat.cold}, {"poll_latency_steady", &pollLat.steady}} {
			if n, p50, p99, mx := w.l.quantiles(); n > 0 {
				fmt.Fprintf(&line, " %s=%d p50=%s p99=%s max=%s", w.name, n, p50.Round(time.Millisecond), p99.Round(time.Millisecond), mx.Round(time.Millisecond))
			}
		}
		fmt.Fprintf(&line, " dropped_retried=%d", drop)
		line.WriteByte('\n')
		if final && perr > 0 {
			// What failed, most frequent first (at most 3 kinds).
			kinds := map[string]int{}
			for _, d := range devices {
				if e, ok := d.agent.Stats.LastPollError.Load().(string); ok {
					kinds[simErrorKind(e)]++
				}
			}
			for _, k := range topKinds(kinds, 3) {
				fmt.Fprintf(&line, "poll error (last of %d devices): %s\n", kinds[k], k)
			}
		}
		io.WriteString(env.Stdout, line.String()) // one write: lines never interleave
	}
	t := time.NewTicker(*report)
	defer t.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-t.C:
			summary(false)
		}
	}
	for _, d := range devices {
		if d.cancel != nil {
			d.cancel()
		}
	}
	for _, d := range devices {
		<-d.done
	}
	summary(true)
	return nil
}

// simErrorKind strips the device-specific parts (ids, paths) of an error
// text so that errors of many devices group together.
func simErrorKind(e string) string {
	var b strings.Builder
	digits := false
	for _, r := range e {
		if r >= '0' && r <= '9' {
			if !digits {
				b.WriteByte('N')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return b.String()
}

// topKinds returns up to n keys of counts, the largest first.
func topKinds(counts map[string]int, n int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}

// unitOfDevices asks the server which unit a device belongs to.
func unitOfDevices(ctx context.Context, server, token string, deviceID int64) int64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/broadcast/devices/%d", server, deviceID), nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var d struct {
		UnitID int64 `json:"unit_id"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d)
	return d.UnitID
}

func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// openBroadcast builds the broadcast service for `loa serve`: media
// processing with Debian's ffmpeg, Vietnamese speech with espeak-ng (or
// the HTTP speech service named by LOA_TTS_URL, with LOA_TTS_TOKEN), the
// blob store of svc, and on PostgreSQL a LISTEN/NOTIFY notifier so that
// replicas deliver each other's emergencies. A missing tool disables only
// what needs it (with a warning). Close the service on shutdown.
func openBroadcast(ctx context.Context, env Env, svc *services, dataDir, dsn string, log *slog.Logger) (*broadcast.Service, error) {
	cfg := broadcast.Config{Store: svc.store, Blobs: svc.blobs, Policy: svc.policy, Log: log, Clock: svc.clock}
	if err := os.MkdirAll(filepath.Join(dataDir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	proc, err := media.New(media.Config{TempDir: filepath.Join(dataDir, "tmp"), Logger: log})
	switch {
	case err == nil:
		cfg.Media = proc
	case errors.Is(err, media.ErrToolMissing):
		log.Warn("audio uploads and text bulletins are disabled", "err", err)
	default:
		return nil, err
	}
	var engine tts.Engine
	var engineID string
	if u := env.Getenv("LOA_TTS_URL"); u != "" {
		h, err := tts.NewHTTP(tts.HTTPConfig{URL: u, Token: env.Getenv("LOA_TTS_TOKEN")})
		if err != nil {
			return nil, fmt.Errorf("LOA_TTS_URL: %w", err)
		}
		engine, engineID = h, h.ID()
	} else if esp, err := tts.NewEspeak(tts.EspeakConfig{}); err == nil {
		engine, engineID = esp, esp.ID()
	} else {
		log.Warn("text bulletins are disabled", "err", err)
	}
	if engine != nil {
		cached, err := tts.NewCached(engine, engineID, filepath.Join(dataDir, "tts-cache"), log)
		if err != nil {
			return nil, err
		}
		cfg.TTS = cached
	}
	if svc.store.Engine() == storage.Postgres {
		n, err := broadcast.NewPGNotifier(ctx, dsn, "", log)
		if err != nil {
			return nil, err
		}
		cfg.Notifier = n
	}
	return broadcast.New(cfg)
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// writeClick records the instant of an emergency request (Unix
// nanoseconds) in path for the other simulators of a run (--click-file);
// written aside and renamed, so that a reader never sees half of it.
func writeClick(path string, at int64) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(at, 10)), 0o644); err != nil {
		return fmt.Errorf("click file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("click file: %w", err)
	}
	return nil
}

// readClick returns the instant written by writeClick, or 0 if there is
// none (yet).
func readClick(path string) int64 {
	b, err := readFileLimited(path, 64)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
