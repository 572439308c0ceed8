package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
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
