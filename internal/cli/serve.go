package cli

import (
	"context"
	"errors"
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

	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--addr 127.0.0.1:8080] [--data DIR] [--db URL] [--demo]")
	var d dbFlags
	d.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	withDemo := fs.Bool("demo", false, "load the demo dataset on first start and write DATA/demo.json")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	secure := fs.Bool("secure-cookies", false, "always mark cookies Secure (set when users reach Loa over HTTPS)")
	publicURL := fs.String("public-url", "", "URL users reach Loa at (default http://ADDR)")
	smtpAddr := fs.String("smtp-addr", "", "SMTP server for e-mail notifications, host:port (empty: no e-mail)")
	smtpFrom := fs.String("smtp-from", "loa@localhost", "sender address of notification e-mails")
	smtpUser := fs.String("smtp-user", "", "SMTP user name (password in env LOA_SMTP_PASSWORD)")
	smsPath := fs.String("sms-config", "", "JSON file configuring the SMS/OTT gateway and its receipt callbacks (see docs/channels.md)")
	webhookAllow := fs.String("webhook-allow", env.Getenv("LOA_WEBHOOK_ALLOW"), "comma-separated CIDR ranges that directive webhooks may call although they are loopback, private or link-local, e.g. 10.1.0.0/16 (env LOA_WEBHOOK_ALLOW; default: none)")
	debugAddr := fs.String("debug-addr", "", "serve Go runtime profiles (pprof) and /metrics on this loopback address, e.g. 127.0.0.1:6060 (empty: off)")
	metricsToken := fs.String("metrics-token", "", "bearer token that /metrics on --addr requires (env LOA_METRICS_TOKEN; empty: /metrics answers loopback clients only)")
	trusted := fs.String("trusted-proxies", env.Getenv("LOA_TRUSTED_PROXIES"), "reverse proxies whose X-Forwarded-For gives the client address, as CIDR,... or addresses (env LOA_TRUSTED_PROXIES; empty: the header is ignored)")
	var cf capFlags
	fs.StringVar(&cf.sender, "cap-sender", "loa", "CAP sender of the emergency alerts Loa publishes at /cap/alerts.atom, e.g. loa@kiengiang.gov.vn")
	fs.StringVar(&cf.pollURL, "cap-poll-url", "", "CAP feed (Atom or one alert) to poll; its alerts become draft emergency orders of --cap-poll-unit (empty: no polling)")
	fs.StringVar(&cf.pollUnit, "cap-poll-unit", "", "code of the unit that receives the polled CAP alerts")
	fs.DurationVar(&cf.pollEvery, "cap-poll-every", 2*time.Minute, "how often to poll --cap-poll-url (at least 30s)")
	if err := parse(fs, args); err != nil {
		return err
	}
	proxies, err := parseTrustedProxies(*trusted)
	if err != nil {
		return err
	}
	log, err := newLogger(env, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	allow, err := netguard.ParseAllowList(*webhookAllow)
	if err != nil {
		return fmt.Errorf("%w: --webhook-allow: %v", errUsage, err)
	}
	if err := cf.check(); err != nil {
		return err
	}
	if *metricsToken == "" {
		*metricsToken = env.Getenv("LOA_METRICS_TOKEN")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
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

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another program using it? choose another with --addr)", *addr, err)
	}
	url := *publicURL
	if url == "" {
		url = "http://" + ln.Addr().String()
	}

	bc, err := openBroadcast(ctx, env, svc, d.data, d.url(env), log)
	if err != nil {
		ln.Close()
		return err
	}
	defer bc.Close()
	// Directives need the public URL for links in notifications.
	svc.directives = directives.New(svc.store, svc.blobs, svc.registry, svc.policy, directives.Options{Log: log, Clock: svc.clock, Location: i18n.Zone(), BaseURL: url, WebhookAllow: allow,
		SMTP: directives.SMTPConfig{Addr: *smtpAddr, From: *smtpFrom, Username: *smtpUser, Password: env.Getenv("LOA_SMTP_PASSWORD")}})
	chCtx, stopChannels := context.WithCancel(ctx)
	ch, hooks, err := openChannels(chCtx, svc, *smsPath, log)
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
	srv, err := web.New(web.Deps{Accounts: svc.accounts, Orgs: svc.orgs, Documents: svc.documents, Registry: svc.registry, Broadcast: broadcast.NewAPI(bc),
		Channels: channels.NewAPI(ch), Hooks: hooks, Directives: directives.NewAPI(svc.directives),
		Scheduler: sched, Feedback: fb, CAP: ca,
		Health: svc.store, Policy: svc.policy, Log: log, Version: Version, SecureCookies: *secure, TrustedProxies: proxies, Collectors: append(web.DBCollectors(svc.store), queueMetrics(svc.store)),
		PublicURL: *publicURL, MetricsToken: *metricsToken})
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
		creds, err := (&demo.Loader{Store: svc.store, Orgs: svc.orgs, Accounts: svc.accounts, Broadcast: broadcast.NewAPI(bc), Directives: svc.directives, Log: log, Clock: svc.clock}).Ensure(ctx, d.data, url)
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

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Shutdown does not wait for push connections (they never go idle):
	// closing the subscriptions ends them, and the devices reconnect to
	// another replica or to this one when it is back.
	hs.RegisterOnShutdown(bc.Hub().CloseAll)
	go purgeLoop(ctx, svc.store, svc.clock, log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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
