package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/intake"
	"github.com/loa-project/loa/internal/model"
)

// watchFlags configure a watched folder (loa watch, loa serve --watch).
type watchFlags struct {
	dir, unit string
	interval  time.Duration
}

func (w *watchFlags) register(fs *flag.FlagSet, prefix string) {
	if prefix != "" {
		fs.StringVar(&w.dir, prefix, "", "folder whose dropped files are imported as incoming documents (moved to done/ or failed/ with a reason); needs --"+prefix+"-unit")
		fs.StringVar(&w.unit, prefix+"-unit", "", "code of the unit that receives the files of --"+prefix)
	} else {
		fs.StringVar(&w.unit, "unit", "", "code of the unit that receives the files (see loa org export)")
	}
	fs.DurationVar(&w.interval, "watch-interval", 2*time.Second, "how often the watched folder is scanned")
}

// pipeline builds the intake pipeline of the configured unit.
func (w *watchFlags) pipeline(ctx context.Context, svc *services, who string) (*intake.Pipeline, error) {
	u, err := svc.store.Orgs().UnitByCode(ctx, w.unit)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, fmt.Errorf("%w: unit %q does not exist (see loa org export)", errUsage, w.unit)
		}
		return nil, err
	}
	return &intake.Pipeline{Docs: svc.documents, Registry: svc.registry, Unit: u.ID, Actor: model.System(who), Note: who}, nil
}

// startWatch runs the watched folder of loa serve in the background.
func startWatch(ctx context.Context, w watchFlags, svc *services, log *slog.Logger) error {
	if w.dir == "" {
		return nil
	}
	if w.unit == "" {
		return fmt.Errorf("%w: --watch needs --watch-unit CODE", errUsage)
	}
	p, err := w.pipeline(ctx, svc, "watch:"+w.dir)
	if err != nil {
		return err
	}
	wt := &intake.Watcher{Dir: w.dir, Pipeline: p, Interval: w.interval, Log: log}
	go func() {
		if err := wt.Run(ctx); err != nil {
			log.Error("watched folder stopped", "dir", w.dir, "err", err)
		}
	}()
	log.Info("watching folder", "dir", w.dir, "unit", w.unit)
	return nil
}

func runWatch(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "watch", "watch --unit CODE DIR")
	var d dbFlags
	d.register(fs)
	var w watchFlags
	w.register(fs, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if w.unit == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: give --unit and one folder", errUsage)
	}
	w.dir = fs.Arg(0)
	log, err := newLogger(env, "text", "info")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	svc, err := d.open(ctx, env, log)
	if err != nil {
		return err
	}
	defer svc.store.Close()
	p, err := w.pipeline(ctx, svc, "watch:"+w.dir)
	if err != nil {
		return err
	}
	log.Info("watching folder", "dir", w.dir, "unit", w.unit)
	return (&intake.Watcher{Dir: w.dir, Pipeline: p, Interval: w.interval, Log: log}).Run(ctx)
}

// mailboxFlags configure the IMAP intake of loa serve.
type mailboxFlags struct {
	addr, user, folder, unit string
	plain                    bool
	interval                 time.Duration
}

func (m *mailboxFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.addr, "mailbox", "", "IMAP server host:port whose e-mail attachments are imported as incoming documents (password in env LOA_MAILBOX_PASSWORD); needs --mailbox-user and --mailbox-unit")
	fs.StringVar(&m.user, "mailbox-user", "", "user name on the IMAP server")
	fs.StringVar(&m.folder, "mailbox-folder", "INBOX", "IMAP folder to read")
	fs.StringVar(&m.unit, "mailbox-unit", "", "code of the unit that receives the documents of --mailbox")
	fs.BoolVar(&m.plain, "mailbox-plain", false, "connect without TLS (only for a server on this machine)")
	fs.DurationVar(&m.interval, "mailbox-interval", time.Minute, "how often the mailbox is read")
}

// startMailbox runs the mailbox intake of loa serve in the background.
func startMailbox(ctx context.Context, env Env, m mailboxFlags, svc *services, log *slog.Logger) error {
	if m.addr == "" {
		return nil
	}
	if m.user == "" || m.unit == "" {
		return fmt.Errorf("%w: --mailbox needs --mailbox-user and --mailbox-unit", errUsage)
	}
	host, _, err := net.SplitHostPort(m.addr)
	if err != nil {
		return fmt.Errorf("%w: --mailbox %q: give host:port (993 for IMAPS)", errUsage, m.addr)
	}
	w := watchFlags{unit: m.unit}
	p, err := w.pipeline(ctx, svc, "mailbox:"+m.user+"@"+m.addr)
	if err != nil {
		return err
	}
	mb := &intake.Mailbox{Addr: m.addr, User: m.user, Password: env.Getenv("LOA_MAILBOX_PASSWORD"), Folder: m.folder, Pipeline: p,
		Envelope: svc.documents, Interval: m.interval, Log: log}
	if !m.plain {
		mb.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	go func() {
		if err := mb.Run(ctx); err != nil {
			log.Error("mailbox stopped", "addr", m.addr, "err", err)
		}
	}()
	log.Info("reading mailbox", "addr", m.addr, "user", m.user, "folder", m.folder, "unit", m.unit)
	return nil
}
