package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

func runOrg(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stderr, "Usage: loa org import FILE.csv|FILE.json | loa org export [--format csv|json] [--out FILE]")
			return nil
		}
		return fmt.Errorf("%w: use: loa org import FILE or loa org export", errUsage)
	}
	if args[0] == "import" {
		return orgImport(ctx, env, args[1:])
	}
	return orgExport(ctx, env, args[1:])
}

func orgImport(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "org import", "org import [--format csv|json] FILE   (FILE - reads standard input)")
	var d dbFlags
	d.register(fs)
	format := fs.String("format", "", "csv or json (default: from the file extension)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one file to import", errUsage)
	}
	name := fs.Arg(0)
	f := *format
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	}
	var r io.Reader = env.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer file.Close()
		r = file
	}
	var recs []orgs.Record
	var err error
	switch f {
	case "csv":
		recs, err = orgs.ParseCSV(r)
	case "json":
		recs, err = orgs.ParseJSON(r)
	default:
		return fmt.Errorf("%w: cannot tell the format of %q: use --format csv or --format json", errUsage, name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	res, err := svc.orgs.Import(ctx, model.System("cli"), recs)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", name, err)
	}
	fmt.Fprintf(env.Stdout, "imported %s: %d created, %d updated, %d unchanged\n", name, res.Created, res.Updated, res.Unchanged)
	return nil
}

func orgExport(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "org export", "org export [--format csv|json] [--out FILE]")
	var d dbFlags
	d.register(fs)
	format := fs.String("format", "csv", "csv or json")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("%w: --format must be csv or json", errUsage)
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	recs, err := svc.orgs.Export(ctx)
	if err != nil {
		return err
	}
	w := env.Stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer file.Close()
		w = file
	}
	if *format == "json" {
		return orgs.WriteJSON(w, recs)
	}
	return orgs.WriteCSV(w, recs)
}
