// Package cli implements the `loa` command line: one binary with
// subcommands. Each subcommand parses its own flags (with --help), opens
// what it needs, and returns an error that says what is wrong and how to
// fix it; Main turns errors into a non-zero exit status.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
)

// Env is the process environment a command runs in (injected for tests).
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the Loa server", runServe},
		{"migrate", "apply database migrations", runMigrate},
		{"user", "manage users: add, list, passwd", runUser},
		{"token", "create API tokens", runToken},
		{"org", "import and export the organisation tree (CSV, JSON)", runOrg},
		{"parse", "parse official documents (.txt, .docx, .pdf) into JSON fields", runParse},
		{"import", "import document files or edXML messages into a unit", runImport},
		{"watch", "import the files dropped into a folder as incoming documents of a unit", runWatch},
		{"render", "render a document in the official layout (PDF, HTML, text)", runRender},
		{"export", "export a stored document as an edXML message", runExport},
		{"agent", "run a broadcast device (loudspeaker cluster or bulletin board)", runAgent},
		{"device-sim", "simulate many broadcast devices against a server", runDeviceSim},
		{"backup", "archive the database and stored files into one .tar.gz", runBackup},
		{"restore", "restore a backup into an empty data directory and database", runRestore},
		{"fsck", "check stored files, register numbering and issued PDFs", runFsck},
		{"config", "check a configuration file and print the effective configuration", runConfig},
		{"doctor", "check the machine, configuration and database; explain what is missing", runDoctor},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks an error caused by wrong arguments (exit status 2).
var errUsage = errors.New("usage")

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, env Env, args []string) int {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintf(env.Stderr, "loa %s: %v\n", c.name, err)
				return 2
			default:
				fmt.Fprintf(env.Stderr, "loa %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(env.Stderr, "loa: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Loa — information source system for grassroots public communication.")
	fmt.Fprintln(w, "\nUsage: loa COMMAND [flags]   (loa COMMAND --help for the flags of a command)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// newFlags makes a flag set that prints usage to env.Stderr and returns
// errors instead of exiting.
func newFlags(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("loa "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: loa %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, mapping errors to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v (see --help)", errUsage, err)
	}
	return nil
}

// dbFlags are the storage flags shared by commands.
type dbFlags struct {
	data      string
	db        string
	blobStore string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", "./loa-data", "directory for the SQLite database and stored files")
	fs.StringVar(&d.db, "db", "", "database URL: sqlite:PATH or postgres://… (default sqlite:DATA/loa.db; env LOA_DB)")
	fs.StringVar(&d.blobStore, "blob-store", "auto", "where uploaded files live: auto (the database on PostgreSQL, so that every replica reaches them; DATA/blobs on SQLite), database, or local (DATA/blobs)")
}

func (d *dbFlags) url(env Env) string {
	if d.db != "" {
		return d.db
	}
	if v := env.Getenv("LOA_DB"); v != "" {
		return v
	}
	return "sqlite:" + filepath.Join(d.data, "loa.db")
}

// services are the domain services a command works with.
type services struct {
	store      *storage.Store
	blobs      blob.Store
	orgs       *orgs.Service
	accounts   *accounts.Service
	documents  *documents.Service
	registry   *registry.Service
	directives *directives.Service // built by serve, which knows the public URL and SMTP
	policy     authz.Policy
	clock      clock.Clock // the time every service reckons with
}

// open connects to the database, migrates it and builds the services.
func (d *dbFlags) open(ctx context.Context, env Env, log *slog.Logger) (*services, error) {
	if err := os.MkdirAll(d.data, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %s: %w (choose another with --data)", d.data, err)
	}
	st, err := storage.Open(ctx, d.url(env))
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, log); err != nil {
		st.Close()
		return nil, err
	}
	blobs, err := d.blobs(st)
	if err != nil {
		st.Close()
		return nil, err
	}
	policy := authz.Default()
	reg := registry.New(st, policy, i18n.Zone())
	docs := documents.New(st, blobs, policy, log)
	reg.SetStatusSender(docs)
	return &services{store: st, blobs: blobs, orgs: orgs.New(st, policy), accounts: accounts.New(st, policy, log),
		documents: docs, registry: reg, policy: policy, clock: clock.Real{}}, nil
}

// blobs opens the store of uploaded files chosen by --blob-store. The
// database store reads files it does not hold from DATA/blobs, where a
// server kept them before.
func (d *dbFlags) blobs(st *storage.Store) (blob.Store, error) {
	local, err := blob.NewFS(filepath.Join(d.data, "blobs"))
	if err != nil {
		return nil, err
	}
	switch d.blobStore {
	case "", "auto":
		if st.Engine() == storage.Postgres {
			return storage.NewDBBlobs(st, 0, local), nil
		}
		return local, nil
	case "database":
		return storage.NewDBBlobs(st, 0, local), nil
	case "local":
		return local, nil
	}
	return nil, fmt.Errorf("%w: --blob-store %q: use auto, database or local", errUsage, d.blobStore)
}

func quietLogger(env Env) *slog.Logger {
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runVersion(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	b := buildInfo()
	dirty := ""
	if b.Dirty {
		dirty = " (modified)"
	}
	fmt.Fprintf(env.Stdout, "loa %s commit %s%s %s\n", b.Version, b.Commit, dirty, b.Go)
	return nil
}

func runMigrate(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--config FILE] [--data DIR] [--db URL] [--dry-run]")
	resolve := configFlags(fs, env)
	dry := fs.Bool("dry-run", false, "list the migrations that would run and change nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	d := dbFlags{data: cfg.DataDir, db: cfg.Database}
	if *dry {
		st, err := storage.Open(ctx, d.url(env))
		if err != nil {
			return err
		}
		defer st.Close()
		plan, err := st.PlanMigrations(ctx)
		if err != nil {
			return err
		}
		if err := st.CheckSchema(ctx); err != nil {
			return err
		}
		if len(plan.Pending) == 0 {
			fmt.Fprintln(env.Stdout, "database is up to date; nothing would run")
			return nil
		}
		fmt.Fprintf(env.Stdout, "%d migration(s) would run:\n", len(plan.Pending))
		for _, m := range plan.Pending {
			fmt.Fprintf(env.Stdout, "  %05d  %s\n", m.Version, m.File)
		}
		return nil
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	svc, err := d.open(ctx, env, log)
	if err != nil {
		return err
	}
	defer svc.store.Close()
	fmt.Fprintln(env.Stdout, "database is up to date")
	return nil
}
