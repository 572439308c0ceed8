// Package csvsafe writes CSV files that spreadsheet programs open without
// running formulas: a cell that begins with =, +, -, @, a tab or a
// carriage return (after any leading single quotes) gets a single quote
// in front, as OWASP recommends, so that Excel and LibreOffice show it as
// text. Every CSV export of Loa goes through Writer.
//
// The escaping is reversible: Unescape gives back the original value of a
// cell Escape produced, so files Loa exports can be imported again.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// risky reports whether a spreadsheet could read a cell starting with c
// as a formula (or as DDE, or strip a leading control character).
func risky(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// needsQuote: the first character after any leading quotes is risky.
// Values that already begin with quotes are included so that Escape stays
// reversible ('=x exports as ”=x).
func needsQuote(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i < len(s) && risky(s[i])
}

// Escape neutralises one cell value.
func Escape(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Unescape reverses Escape: it removes the quote Escape added and leaves
// every other value alone.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}

// Writer is an encoding/csv Writer that escapes every cell.
type Writer struct {
	*csv.Writer
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{Writer: csv.NewWriter(w)}
}

// Write writes one escaped record.
func (w *Writer) Write(record []string) error {
	out := make([]string, len(record))
	for i, c := range record {
		out[i] = Escape(c)
	}
	return w.Writer.Write(out)
}

// WriteAll writes escaped records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
