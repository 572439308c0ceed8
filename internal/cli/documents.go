package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/intake"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/render"
)

// readInput reads a file, or standard input for "-", within the document
// size limit.
func readInput(env Env, name string) ([]byte, error) {
	var r io.Reader = env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, docparse.MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > docparse.MaxInputSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, docparse.MaxInputSize>>20)
	}
	return data, nil
}

func runParse(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "parse", "parse [--format json|text] FILE... (- reads standard input)")
	format := fs.String("format", "json", "output format: json or text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("%w: --format must be json or text", errUsage)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one file (.txt, .docx, .pdf) or - for standard input", errUsage)
	}
	var results []docmodel.Fields
	var failed []string
	for _, name := range fs.Args() {
		data, err := readInput(env, name)
		if err == nil {
			var f docmodel.Fields
			if f, err = docparse.ParseFile(ctx, data, name); err == nil {
				results = append(results, f)
				continue
			}
		}
		failed = append(failed, fmt.Sprintf("%s: %v", name, err))
	}
	if *format == "text" {
		for i, f := range results {
			if i > 0 {
				fmt.Fprintln(env.Stdout, "---")
			}
			writeFieldsText(env.Stdout, f)
		}
	} else {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		var v any = results
		if fs.NArg() == 1 && len(results) == 1 {
			v = results[0]
		}
		if len(results) > 0 {
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("write JSON: %w", err)
			}
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\n"))
	}
	return nil
}

func writeFieldsText(w io.Writer, f docmodel.Fields) {
	line := func(k string, v *string) {
		if v != nil {
			fmt.Fprintf(w, "%-18s %s\n", k+":", *v)
		}
	}
	line("parent_issuer", f.ParentIssuer)
	line("issuer", f.Issuer)
	line("doc_type", f.DocType)
	line("number", f.Number)
	line("notation", f.Notation)
	line("place", f.Place)
	line("date", f.Date)
	line("subject", f.Subject)
	line("urgency", f.Urgency)
	line("confidentiality", f.Confidentiality)
	for _, r := range f.Recipients {
		fmt.Fprintf(w, "%-18s %s\n", "recipient:", r)
	}
	for _, r := range f.References {
		fmt.Fprintf(w, "%-18s %s\n", "reference:", r.Text)
	}
	for _, it := range f.Items {
		fmt.Fprintf(w, "%-18s %s. %s\n", "item:", it.Label, it.Text)
	}
	line("signing_authority", f.SigningAuthority)
	line("signer_title", f.SignerTitle)
	line("signer_name", f.SignerName)
	for _, d := range f.Distribution {
		p := ""
		if d.Purpose != nil {
			p = " (" + *d.Purpose + ")"
		}
		fmt.Fprintf(w, "%-18s %s%s\n", "distribution:", d.Name, p)
	}
	if len(f.Archive) > 0 {
		fmt.Fprintf(w, "%-18s %s\n", "archive:", strings.Join(f.Archive, ", "))
	}
	for _, x := range f.Warnings {
		fmt.Fprintf(w, "%-18s %s\n", "warning:", x)
	}
}

func runImport(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "import", "import --unit CODE [--direction incoming|outgoing|reference] [--keep-duplicates] FILE|DIR...")
	var d dbFlags
	d.register(fs)
	unit := fs.String("unit", "", "code of the unit that holds the documents (see loa org export)")
	direction := fs.String("direction", model.Incoming, "incoming, outgoing or reference")
	keepDups := fs.Bool("keep-duplicates", false, "store a file that is the same letter (issuer, number, notation, date) as a stored document as another copy of it instead of skipping it")
	register := fs.Bool("register", false, "enter each new incoming document in the unit's incoming register")
	stateFile := fs.String("state", "", "file recording the files done, to resume an interrupted import (default DATA/import-state/UNIT-HASH.jsonl for these arguments)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *unit == "" || fs.NArg() == 0 {
		return fmt.Errorf("%w: give --unit and at least one file or directory", errUsage)
	}
	var files []string
	for _, arg := range fs.Args() {
		st, err := os.Stat(arg)
		if err != nil {
			return fmt.Errorf("%s: %w", arg, err)
		}
		if !st.IsDir() {
			files = append(files, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, e iofs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".txt", ".docx", ".pdf", ".xml", ".edxml":
				if !e.IsDir() {
					files = append(files, p)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("walk %s: %w", arg, err)
		}
	}
	sort.Strings(files)
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	u, err := svc.store.Orgs().UnitByCode(ctx, *unit)
	if err != nil {
		return fmt.Errorf("--unit %q: %w", *unit, err)
	}
	state := *stateFile
	if state == "" {
		// One state file per unit, options and list of arguments: the
		// same command run again resumes; another one starts afresh.
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%v\x00%v", *unit, *direction, *keepDups, *register)
		for _, a := range fs.Args() {
			abs, _ := filepath.Abs(a)
			fmt.Fprintf(h, "\x00%s", abs)
		}
		dir := filepath.Join(d.data, "import-state")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
		state = filepath.Join(dir, fmt.Sprintf("%s-%x.jsonl", *unit, h.Sum(nil)[:6]))
	}
	p := &intake.Pipeline{Docs: svc.documents, Unit: u.ID, Actor: model.System("import"), Direction: *direction, KeepDuplicate: *keepDups, Note: "loa import"}
	if *register {
		p.Registry = svc.registry
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	bulk := &intake.Bulk{Pipeline: p, State: state, Progress: env.Stderr}
	sum, err := bulk.Run(ctx, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d documents into %s (%d already stored, %d skipped-duplicate, %d kept as copies) in %s\n",
		sum.Imported, u.Name, sum.Already, len(sum.SameLetter), sum.Copies, sum.Elapsed.Round(time.Millisecond))
	if sum.Resumed > 0 {
		fmt.Fprintf(env.Stdout, "%d files were done by an earlier run (state %s)\n", sum.Resumed, state)
	}
	for _, o := range sum.SameLetter {
		fmt.Fprintf(env.Stdout, "skipped-duplicate %s: same document as %s (id %d)\n", o.Name, o.Code, o.DocumentID)
	}
	if len(sum.SameLetter) > 0 {
		fmt.Fprintln(env.Stdout, "(use --keep-duplicates to store them as other copies of the stored documents)")
	}
	if sum.Interrupted {
		return fmt.Errorf("interrupted after %d of %d files: run the same command again to go on (state %s)",
			sum.Imported+sum.Already+sum.Copies+len(sum.SameLetter)+len(sum.Failed), sum.Files, state)
	}
	if len(sum.Failed) > 0 {
		var lines []string
		for i, o := range sum.Failed {
			if i == 200 {
				lines = append(lines, fmt.Sprintf("… and %d more (all in %s)", len(sum.Failed)-200, state))
				break
			}
			lines = append(lines, fmt.Sprintf("%s: %s", o.Name, o.Reason))
		}
		return fmt.Errorf("%d files not imported:\n%s", len(sum.Failed), strings.Join(lines, "\n"))
	}
	return nil
}

func runRender(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "render", "render [--format pdf|html|txt] [--out FILE] [--draft] (FILE | --id DOCUMENT_ID)")
	var d dbFlags
	d.register(fs)
	format := fs.String("format", "pdf", "pdf, html or txt")
	out := fs.String("out", "", "output file (default: standard output)")
	id := fs.Int64("id", 0, "render a stored document instead of a file")
	draft := fs.Bool("draft", false, "mark the rendering as a draft (DỰ THẢO)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f docmodel.Fields
	switch {
	case *id != 0:
		svc, err := d.open(ctx, env, quietLogger(env))
		if err != nil {
			return err
		}
		defer svc.store.Close()
		doc, err := svc.store.Documents().Document(ctx, *id)
		if err != nil {
			return err
		}
		f = doc.Fields
	case fs.NArg() == 1:
		data, err := readInput(env, fs.Arg(0))
		if err != nil {
			return err
		}
		if f, err = docparse.ParseFile(ctx, data, fs.Arg(0)); err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
	default:
		return fmt.Errorf("%w: name one document file, or --id of a stored document", errUsage)
	}
	var buf bytes.Buffer
	var err error
	opt := render.Options{Title: docmodel.Val(f.Subject), Draft: *draft, StandalonePage: true}
	switch *format {
	case "pdf":
		err = render.PDF(&buf, f, opt)
	case "html":
		err = render.HTML(&buf, f, opt)
	case "txt":
		err = render.Text(&buf, f)
	default:
		return fmt.Errorf("%w: --format must be pdf, html or txt", errUsage)
	}
	if err != nil {
		return err
	}
	return writeOut(env, *out, buf.Bytes())
}

func writeOut(env Env, path string, b []byte) error {
	if path == "" {
		_, err := env.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func runExport(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "export", "export --format edxml [--out FILE] DOCUMENT_ID")
	var d dbFlags
	d.register(fs)
	format := fs.String("format", "edxml", "export format: edxml")
	out := fs.String("out", "", "output file (default: standard output)")
	to := fs.String("to", "", "comma-separated codes of the receiving units (default: the document's recipients)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "edxml" {
		return fmt.Errorf("%w: only --format edxml is supported", errUsage)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one document id", errUsage)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a document id", errUsage, fs.Arg(0))
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	var toIDs []int64
	for _, code := range splitList(*to) {
		u, err := svc.store.Orgs().UnitByCode(ctx, code)
		if err != nil {
			return fmt.Errorf("--to %q: %w", code, err)
		}
		toIDs = append(toIDs, u.ID)
	}
	var buf bytes.Buffer
	if err := svc.documents.ExportEdXML(ctx, model.System("export"), id, toIDs, &buf); err != nil {
		return err
	}
	return writeOut(env, *out, buf.Bytes())
}
