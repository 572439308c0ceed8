package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--config FILE] [--addr 127.0.0.1:8080] [--data DIR] [--db URL] [--demo]")
	resolve := configFlags(fs, env)
	var scenario demoFlag
	fs.Var(&scenario, "demo", "load the demo dataset on first start and write DATA/demo.json: --demo (Kiên Giang 2021) or --demo an-giang-2026 (the same tree after the 2025 reform)")
	var watch watchFlags
	watch.register(fs, "watch")
	var mailbox mailboxFlags
	mailbox.register(fs)
	var cf capFlags
	fs.StringVar(&cf.sender, "cap-sender", "loa", "CAP sender of the emergency alerts Loa publishes at /cap/alerts.atom, e.g. loa@kiengiang.gov.vn")
	fs.StringVar(&cf.pollURL, "cap-poll-url", "", "CAP feed (Atom or one alert) to poll; its alerts become draft emergency orders of --cap-poll-unit (empty: no polling)")
	fs.StringVar(&cf.pollUnit, "cap-poll-unit", "", "code of the unit that receives the polled CAP alerts")
	fs.DurationVar(&cf.pollEvery, "cap-poll-every", 2*time.Minute, "how often to poll --cap-poll-url (at least 30s)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := scenario.takeArg(fs); err != nil {
		return err
	}
	withDemo := &scenario.set
	cfg, err := resolve()
	if err != nil {
		return err
	}
	d := dbFlags{data: cfg.DataDir, db: cfg.Database}
	addr, publicURL, secure, debugAddr, metricsToken := &cfg.Listen, &cfg.PublicURL, &cfg.SecureCookies, &cfg.DebugAddr, &cfg.MetricsToken
	proxies, err := parseTrustedProxies(strings.Join(cfg.TrustedProxies, ","))
	if err != nil {
		return err
	}
	log, err := newLogger(env, cfg.Log.Format, cfg.Log.Level)
	if err != nil {
		return err
	}
	allow, err := netguard.ParseAllowList(strings.Join(cfg.WebhookAllow, ","))
	if err != nil {
		return fmt.Errorf("%w: --webhook-allow: %v", errUsage, err)
	}
	if err := cf.check(); err != nil {
		return err
	}
	var certs *certReloader
	if cfg.TLS.Cert != "" {
		if certs, err = newCertReloader(cfg.TLS.Cert, cfg.TLS.Key); err != nil {
			return err
		}
	}
	// The TTS engine is configured like the other options; openBroadcast
	// reads it from the environment it is given.
	env = withEnv(env, map[string]string{"LOA_TTS_URL": cfg.TTS.URL, "LOA_TTS_TOKEN": cfg.TTS.Token})
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if certs != nil {
		certs.watchHUP(ctx, log)
	}
	if *debugAddr != "" {
		if err := checkDebugAddr(*debugAddr); err != nil {
			return err
		}
	}

	svc, err := d.open(ctx, env, log)
	if err != nil {
		return err
	}
	defer svc.store.Close()

	tcp, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another program using it? choose another with --addr)", *addr, err)
	}
	// At most as many connections as the process can hold files
	// (connlimit.go): the rest wait to be accepted instead of failing.
	conns := limitConnections(tcp, 0)
	var ln net.Listener = conns
	url := *publicURL
	if url == "" {
		scheme := "http://"
		if certs != nil {
			scheme = "https://"
		}
		url = scheme + ln.Addr().String()
	}

	bc, err := openBroadcast(ctx, env, svc, d.data, d.url(env), log)
	if err != nil {
		ln.Close()
		return err
	}
	defer bc.Close()
	// Directives need the public URL for links in notifications.
	svc.directives = directives.New(svc.store, svc.blobs, svc.registry, svc.policy, directives.Options{Log: log, Clock: svc.clock, Location: i18n.Zone(), BaseURL: url, WebhookAllow: allow,
		SMTP: directives.SMTPConfig{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From, Username: cfg.SMTP.User, Password: cfg.SMTP.Password}})
	chCtx, stopChannels := context.WithCancel(ctx)
	ch, hooks, err := openChannels(chCtx, svc, cfg.SMS.Config, log)
	if err != nil {
		stopChannels()
		ln.Close()
		return err
	}
	svc.directives.Start(chCtx)
	// Urgent broadcast items of received directives go on the devices
	// without waiting for an operator.
	sched := &bridge.Bridge{Directives: directives.NewAPI(svc.directives), Broadcast: broadcast.NewAPI(bc), Blobs: svc.blobs, Units: svc.store.Orgs(), Policy: svc.policy, Now: svc.clock.Now,
		Location: i18n.Zone(), Store: svc.store, Log: log}
	var autoDone sync.WaitGroup
	autoDone.Go(func() { sched.Run(chCtx) })
	defer ch.Wait()             // runs last: the workers have been told to stop
	defer svc.directives.Wait() // likewise
	defer autoDone.Wait()       // likewise
	fb, ca, err := startFeedbackAndCAP(chCtx, svc, bc, cf, netguard.New(allow), log, &autoDone)
	if err != nil {
		stopChannels()
		ln.Close()
		return err
	}
	defer stopChannels() // runs first: stops channel, directive and scheduling workers
	dash := stats.New(svc.store, svc.policy, stats.Config{Clock: svc.clock, Loc: i18n.Zone(), OnlineWindow: broadcast.DefaultOnlineWindow})
	reps, err := reports.New(svc.store, reports.Config{Clock: svc.clock, Loc: i18n.Zone(), Log: log, Policy: svc.policy, Blobs: svc.blobs,
		Stats: dash, Drafts: svc.directives.Drafts()})
	if err != nil {
		ln.Close()
		return err
	}
	reps.Start(chCtx) // periodic reports: stops with the other workers
	srv, err := web.New(web.Deps{Accounts: svc.accounts, Orgs: svc.orgs, Documents: svc.documents, Registry: svc.registry, Broadcast: broadcast.NewAPI(bc),
		Channels: channels.NewAPI(ch), Hooks: hooks, Directives: directives.NewAPI(svc.directives),
		Scheduler: sched, Feedback: fb, CAP: ca,
		Stats: dash, Reports: reps,
		Health: svc.store, Policy: svc.policy, Log: log, Version: buildInfo().Version, Commit: buildInfo().Commit, SecureCookies: *secure, TrustedProxies: proxies, Collectors: append(web.DBCollectors(svc.store), queueMetrics(svc.store), dash.FleetCollector()),
		PublicURL: *publicURL, MetricsToken: *metricsToken,
		Archive: archive.New(svc.store, svc.blobs, svc.policy, i18n.Zone())})
	if err != nil {
		ln.Close()
		return err
	}
	warnNoPublicURL(log, *publicURL, *withDemo)
	if *debugAddr != "" {
		if err := startDebug(ctx, *debugAddr, srv.MetricsHandler(), log); err != nil {
			ln.Close()
			return err
		}
	}
	if *withDemo {
		creds, err := (&demo.Loader{Store: svc.store, Orgs: svc.orgs, Accounts: svc.accounts, Broadcast: broadcast.NewAPI(bc), Directives: svc.directives, Log: log, Clock: svc.clock, Scenario: scenario.name}).Ensure(ctx, d.data, url)
		if err != nil {
			ln.Close()
			return err
		}
		fmt.Fprintf(env.Stdout, "Loa demo is running at %s\n", url)
		fmt.Fprintf(env.Stdout, "Sign in as %s / %s (administrator); all demo users share this password.\n", creds.Users[0].Username, creds.Users[0].Password)
		fmt.Fprintf(env.Stdout, "Demo users, API token and device enrolment key: %s/demo.json\n", d.data)
	} else {
		fmt.Fprintf(env.Stdout, "Loa is running at %s\n", url)
	}

	hs := &http.Server{Handler: closeUnderPressure(conns, srv), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Shutdown does not wait for push connections (they never go idle):
	// closing the subscriptions ends them, and the devices reconnect to
	// another replica or to this one when it is back.
	hs.RegisterOnShutdown(bc.Hub().CloseAll)
	go purgeLoop(ctx, svc.store, svc.clock, log)
	if err := startWatch(ctx, watch, svc, log); err != nil {
		return err
	}
	if err := startMailbox(ctx, env, mailbox, svc, log); err != nil {
		return err
	}
	errc := make(chan error, 2)
	if certs != nil {
		hs.TLSConfig = certs.tlsConfig()
		if cfg.TLS.RedirectAddr != "" {
			rs, err := startRedirect(cfg.TLS.RedirectAddr, *publicURL, listenPort(ln), log, errc)
			if err != nil {
				ln.Close()
				return err
			}
			defer rs.Close()
		}
	}
	go func() {
		if certs != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return fmt.Errorf("graceful shutdown: %w", err)
		}
	}
	return nil
}

func newLogger(env Env, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q: use debug, info, warn or error", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(env.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(env.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: use text or json", errUsage, format)
}

// ScheduleItemRetention is how long materialised schedule items are kept
// for checking late play reports.
const ScheduleItemRetention = 60 * 24 * time.Hour

// purgeLoop hourly removes expired sessions, old sign-in attempts and
// schedule items past their retention.
func purgeLoop(ctx context.Context, st *storage.Store, clk clock.Clock, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			if err := tx.Accounts().PurgeExpired(ctx, clk.Now().Add(-24*time.Hour)); err != nil {
				return err
			}
			_, err := tx.Broadcast().PurgeScheduleItems(ctx, clk.Now().Add(-ScheduleItemRetention))
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.Warn("purge expired data", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// queueMetrics exports the sizes of the durable queues by state and the
// age of their oldest due item.
func queueMetrics(st *storage.Store) prometheus.Collector {
	counters, ages := map[string]web.QueueCounter{}, map[string]web.QueueAge{}
	// Metric name → storage queue name.
	for metric, queue := range map[string]string{"sms_messages": storage.MessageQueue.Name, "deliveries": storage.DeliveryQueue.Name,
		"notifications": storage.NotifyQueue.Name, "broadcast_autoschedule": storage.AutoScheduleQueue.Name} {
		counters[metric] = func(ctx context.Context) (map[string]int, error) { return st.QueueCounts(ctx, queue) }
		ages[metric] = func(ctx context.Context) (time.Duration, error) { return st.QueueOldestDue(ctx, queue, time.Now()) }
	}
	return web.QueueCollector(counters).WithAges(ages)
}

// parseTrustedProxies reads a comma-separated list of CIDRs; a bare
// address stands for itself alone.
func parseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%w: --trusted-proxies: %q is neither a CIDR (10.0.0.0/8) nor an address", errUsage, f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// demoFlag is --demo: a switch (the 2021 scenario) that may name a
// scenario, as --demo=an-giang-2026 or --demo an-giang-2026.
type demoFlag struct {
	set  bool
	name string
}

func (f *demoFlag) String() string { return f.name }

func (f *demoFlag) IsBoolFlag() bool { return true }

func (f *demoFlag) Set(v string) error {
	f.set = true
	switch v {
	case "true", "":
		f.name = demo.Scenario2021
	case "false":
		f.set, f.name = false, ""
	default:
		f.name = v
	}
	return f.check()
}

func (f *demoFlag) check() error {
	for _, s := range demo.Scenarios() {
		if f.name == s {
			return nil
		}
	}
	return fmt.Errorf("unknown demo scenario %q: use %s", f.name, strings.Join(demo.Scenarios(), " or "))
}

// takeArg accepts the scenario as the argument after --demo (flags may
// follow it); serve takes no other arguments.
func (f *demoFlag) takeArg(fs *flag.FlagSet) error {
	if fs.NArg() > 0 && f.set && f.name == demo.Scenario2021 {
		f.name = fs.Arg(0)
		if err := f.check(); err != nil {
			return fmt.Errorf("%w: --demo: %v", errUsage, err)
		}
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (see --help)", errUsage, fs.Arg(0))
	}
	return nil
}
