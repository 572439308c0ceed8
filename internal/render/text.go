package render

import (
	"bufio"
	"fmt"
	"io"

	"github.com/loa-project/loa/internal/docmodel"
)

// Text writes f as plain text in the order of the sample letters (and of
// pdftotext output): issuing body, number, "V/v" subject, marks, national
// name and motto, place and date, type name and subject (other types),
// recipients, body, distribution list, signature block. Blank lines separate
// the parts, as in the seed letter, so that the parser reads it back to the
// same fields.
func Text(w io.Writer, f docmodel.Fields) error {
	d, err := prepare(f)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw}
	t.line(d.parentIssuer)
	t.line(d.issuer)
	t.blank()
	t.line(d.numberLine)
	if d.isLetter && d.subject != "" {
		t.line("V/v " + d.subject)
	}
	for _, m := range d.marks {
		t.line(m)
	}
	t.blank()
	t.line(nationalName)
	t.line(motto)
	t.blank()
	t.line(d.dateLine)
	t.blank()
	if !d.isLetter {
		t.line(d.typeName)
		t.line(d.subject)
		t.blank()
	}
	switch len(d.recipients) {
	case 0:
	case 1:
		t.line("Kính gửi: " + d.recipients[0])
		t.blank()
	default:
		t.line("Kính gửi:")
		t.blank()
		for i, r := range d.recipients {
			if i == len(d.recipients)-1 {
				t.line("- " + r + ".")
			} else {
				t.line("- " + r + ";")
			}
		}
		t.blank()
	}
	for _, p := range d.paragraphs {
		t.line(p)
		t.blank()
	}
	if len(d.distribution) > 0 {
		t.line("Nơi nhận:")
		t.blank()
		for _, l := range d.distribution {
			t.line(l)
		}
		t.blank()
	}
	t.line(d.authority)
	t.line(d.signerTitle)
	if d.signerName != "" {
		t.blank()
		t.blank()
		t.blank()
		t.line(d.signerName)
	}
	if t.err != nil {
		return fmt.Errorf("render: writing text: %w", t.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render: writing text: %w", err)
	}
	return nil
}

// textWriter writes lines, skipping empty values and collapsing runs of
// blank lines to one (except where blank explicitly repeats after text).
type textWriter struct {
	w       *bufio.Writer
	err     error
	started bool
	blanks  int // blank lines owed before the next text line
}

func (t *textWriter) line(s string) {
	if s == "" || t.err != nil {
		return
	}
	if t.started {
		for i := 0; i < t.blanks; i++ {
			_, t.err = t.w.WriteString("\n")
		}
	}
	t.blanks = 0
	t.started = true
	_, t.err = t.w.WriteString(s + "\n")
}

func (t *textWriter) blank() {
	if t.blanks < 3 {
		t.blanks++
	}
}
