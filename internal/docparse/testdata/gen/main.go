// Command gen regenerates the binary and re-encoded fixtures of the
// docparse corpus from the UTF-8 sources in testdata/gen/src:
//
//	go run ./internal/docparse/testdata/gen            # encodings and DOCX
//	go run ./internal/docparse/testdata/gen -pdf       # also PDFs (needs libreoffice, fonts-liberation2)
//	go run ./internal/docparse/testdata/gen -dump F    # print the parse of file F as JSON
//
// The outputs are committed; tests never run this program.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/loa-project/loa/internal/docparse"
)

const (
	srcDir    = "internal/docparse/testdata/gen/src"
	corpusDir = "internal/docparse/testdata/corpus"
)

func main() {
	withPDF := flag.Bool("pdf", false, "also convert DOCX and TXT sources to PDF with LibreOffice")
	dump := flag.String("dump", "", "parse this file and print the fields as JSON")
	withBody := flag.Bool("body", false, "with -dump: include the body")
	flag.Parse()
	if *dump != "" {
		if err := dumpFile(*dump, *withBody); err != nil {
			slog.Error("dump", "err", err)
			os.Exit(1)
		}
		return
	}
	if err := generate(*withPDF); err != nil {
		slog.Error("generate", "err", err)
		os.Exit(1)
	}
}

func dumpFile(path string, withBody bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	f, err := docparse.ParseFile(context.Background(), data, path)
	if err != nil {
		return err
	}
	if !withBody {
		f.Body = nil
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	fmt.Println(string(out))
	return nil
}

// encoders turn a UTF-8 source into the bytes of a corpus file, chosen by
// the encoding tag in the source name.
var encoders = map[string]func(string) ([]byte, error){
	"tcvn3":   encodeTCVN3,
	"vni":     encodeVNI,
	"nfd":     encodeNFD,
	"utf16le": func(s string) ([]byte, error) { return encodeUTF16(s, false), nil },
	"utf16be": func(s string) ([]byte, error) { return encodeUTF16(s, true), nil },
	"bomcrlf": encodeBOMCRLF,
}

func generate(withPDF bool) error {
	entries, err := os.ReadDir(srcDir)
	if err != nil {
		return fmt.Errorf("read sources (run from the module root): %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		data, err := os.ReadFile(filepath.Join(srcDir, name))
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		switch {
		case strings.HasSuffix(name, ".docx.txt"):
			out := filepath.Join(corpusDir, strings.TrimSuffix(name, ".txt"))
			if err := writeDOCX(out, string(data)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			slog.Info("wrote", "file", out)
		case strings.Contains(name, "-pdf-txt-"):
			if withPDF {
				if err := convertToPDF(filepath.Join(srcDir, name), strings.TrimSuffix(name, ".txt")+".pdf"); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
		default:
			if err := encodeSource(name, string(data)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if withPDF {
		for src, dst := range map[string]string{
			"39-docx-cv-1207-SVHTTDL-AnGiang.docx": "43-pdf-docx-cv-1207-SVHTTDL-AnGiang.pdf",
			"41-docx-kh-58-STTTT-NinhBinh.docx":    "44-pdf-docx-kh-58-STTTT-NinhBinh.pdf",
		} {
			if err := convertToPDF(filepath.Join(corpusDir, src), dst); err != nil {
				return fmt.Errorf("%s: %w", src, err)
			}
		}
	}
	return nil
}

// encodeSource writes a re-encoded corpus file for a source whose name
// carries an encoding tag ("31-tcvn3-…").
func encodeSource(name, text string) error {
	parts := strings.SplitN(name, "-", 3)
	if len(parts) < 3 {
		return fmt.Errorf("source name has no encoding tag")
	}
	enc, ok := encoders[parts[1]]
	if !ok {
		return fmt.Errorf("unknown encoding tag %q", parts[1])
	}
	out, err := enc(text)
	if err != nil {
		return err
	}
	path := filepath.Join(corpusDir, name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	slog.Info("wrote", "file", path, "encoding", parts[1])
	return nil
}
