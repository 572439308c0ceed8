//go:build ignore

// gen_docimage renders the seed letter (the expected parse of
// testdata/cv-570-STTTT-TTBCBC-2021 with the body paragraphs of the sample
// text) and writes page 1 at 80 dpi to docs/images/seed-570-page1.png.
//
// Run from internal/render:  go run gen_docimage.go
// Needs pdftoppm (Debian package poppler-utils).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/render"
)

const (
	seedJSON = "testdata/cv-570-STTTT-TTBCBC-2021.expected.json"
	seedText = "testdata/cv-570-STTTT-TTBCBC-2021.txt"
	outPNG   = "../../docs/images/seed-570-page1.png"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		slog.Error("generating the documentation image", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	raw, err := os.ReadFile(seedJSON)
	if err != nil {
		return err
	}
	var f docmodel.Fields
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("decoding %s: %w", seedJSON, err)
	}
	txt, err := os.ReadFile(seedText)
	if err != nil {
		return err
	}
	var paras []string
	last := f.Recipients[len(f.Recipients)-1]
	in := false
	for _, line := range strings.Split(string(txt), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "- ") && strings.Contains(line, last):
			in = true
		case strings.HasPrefix(line, "Nơi nhận"):
			in = false
		case in && line != "":
			paras = append(paras, line)
		}
	}
	f.Body = docmodel.Str(strings.Join(paras, "\n"))

	var pdf bytes.Buffer
	if err := render.PDF(&pdf, f, render.Options{}); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loa-docimage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in1 := filepath.Join(dir, "seed.pdf")
	if err := os.WriteFile(in1, pdf.Bytes(), 0o600); err != nil {
		return err
	}
	prefix := filepath.Join(dir, "page")
	cmd := exec.CommandContext(ctx, "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", in1, prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pdftoppm: %w: %s", err, out)
	}
	png, err := os.ReadFile(prefix + ".png")
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPNG, png, 0o644); err != nil {
		return err
	}
	slog.Info("wrote", "file", outPNG, "bytes", len(png))
	return nil
}
