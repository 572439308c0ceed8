package docparse

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const docxMainPart = "word/document.xml"

// extractDOCX reads word/document.xml of a DOCX archive, guarding against
// zip bombs: the number of entries is bounded and the XML is read through
// an io.LimitReader whatever its header claims.
func extractDOCX(data []byte) (string, []string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, fmt.Errorf("%w: corrupt zip archive (%v); re-save the document as DOCX", ErrNotDocument, err)
	}
	if len(zr.File) > maxZipEntries {
		return "", nil, fmt.Errorf("%w: the zip archive has %d entries, the limit is %d", ErrTooLarge, len(zr.File), maxZipEntries)
	}
	var main *zip.File
	for _, f := range zr.File {
		if f.Name == docxMainPart {
			main = f
			break
		}
	}
	if main == nil {
		return "", nil, fmt.Errorf("%w: the file is %s, not a DOCX (no %s)", ErrNotDocument, describeZip(zr), docxMainPart)
	}
	raw, err := readZipEntry(main, maxDocumentXMLSize)
	if err != nil {
		return "", nil, err
	}
	text, err := docxXMLText(raw)
	if err != nil {
		return "", nil, err
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, fmt.Errorf("%w: the DOCX contains no text", ErrEmpty)
	}
	return decodeDocxText(text)
}

// decodeDocxText normalises DOCX text like any other text.
func decodeDocxText(text string) (string, []string, error) {
	out, warnings, err := decodeText([]byte(text))
	if err != nil {
		return "", nil, fmt.Errorf("DOCX text: %w", err)
	}
	return out, warnings, nil
}

// describeZip names the kind of a zip archive that is not a DOCX.
func describeZip(zr *zip.Reader) string {
	for _, f := range zr.File {
		switch {
		case f.Name == "mimetype":
			return "an OpenDocument file (ODT/ODS); save it as DOCX or PDF"
		case strings.HasPrefix(f.Name, "xl/"):
			return "an Excel workbook (XLSX)"
		case strings.HasPrefix(f.Name, "ppt/"):
			return "a PowerPoint presentation (PPTX)"
		}
	}
	return "a zip archive"
}

// readZipEntry reads at most limit bytes of an entry, failing with
// ErrTooLarge beyond that.
func readZipEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: cannot open %s in the archive: %v", ErrNotDocument, f.Name, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read %s in the archive: %v", ErrNotDocument, f.Name, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d MiB uncompressed", ErrTooLarge, f.Name, limit>>20)
	}
	return raw, nil
}

// docxCell collects the paragraphs of one table cell.
type docxCell struct{ paras []string }

// docxTable is the state of one (possibly nested) table.
type docxTable struct {
	row   []docxCell
	cell  *docxCell
	lines []string // rendered rows of a nested table
}

// docxWalker turns WordprocessingML into text.
type docxWalker struct {
	out      strings.Builder
	para     strings.Builder
	tables   []*docxTable
	inText   bool
	fallback int // depth inside mc:Fallback (duplicate content)
}

func docxXMLText(raw []byte) (string, error) {
	w := &docxWalker{}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: %s is not valid XML (%v); re-save the document as DOCX", ErrNotDocument, docxMainPart, err)
		}
		w.handle(tok)
	}
	return w.out.String(), nil
}

func (w *docxWalker) handle(tok xml.Token) {
	switch t := tok.(type) {
	case xml.StartElement:
		if t.Name.Local == "Fallback" {
			w.fallback++
		}
		if w.fallback > 0 {
			return
		}
		w.start(t.Name.Local)
	case xml.EndElement:
		if t.Name.Local == "Fallback" {
			w.fallback--
			return
		}
		if w.fallback > 0 {
			return
		}
		w.end(t.Name.Local)
	case xml.CharData:
		if w.inText && w.fallback == 0 {
			w.para.Write(t)
		}
	}
}

func (w *docxWalker) start(name string) {
	switch name {
	case "t":
		w.inText = true
	case "tab":
		w.para.WriteByte('\t')
	case "br", "cr":
		w.para.WriteByte('\n')
	case "noBreakHyphen":
		w.para.WriteByte('-')
	case "tbl":
		w.tables = append(w.tables, &docxTable{})
	case "tc":
		if tb := w.table(); tb != nil {
			tb.cell = &docxCell{}
		}
	}
}

func (w *docxWalker) end(name string) {
	switch name {
	case "t":
		w.inText = false
	case "p":
		w.endParagraph()
	case "tc":
		if tb := w.table(); tb != nil && tb.cell != nil {
			tb.row = append(tb.row, *tb.cell)
			tb.cell = nil
		}
	case "tr":
		if tb := w.table(); tb != nil {
			tb.lines = append(tb.lines, renderRow(tb.row)...)
			tb.row = nil
		}
	case "tbl":
		w.endTable()
	}
}

func (w *docxWalker) table() *docxTable {
	if len(w.tables) == 0 {
		return nil
	}
	return w.tables[len(w.tables)-1]
}

// endParagraph files the paragraph text in the current cell or output.
func (w *docxWalker) endParagraph() {
	text := w.para.String()
	w.para.Reset()
	w.addParagraph(text)
}

func (w *docxWalker) addParagraph(text string) {
	if tb := w.table(); tb != nil {
		if tb.cell == nil {
			tb.cell = &docxCell{}
		}
		tb.cell.paras = append(tb.cell.paras, strings.Split(text, "\n")...)
		return
	}
	w.out.WriteString(text)
	w.out.WriteByte('\n')
}

// endTable emits the rows of a finished table, into the enclosing cell for
// a nested table.
func (w *docxWalker) endTable() {
	tb := w.table()
	if tb == nil {
		return
	}
	w.tables = w.tables[:len(w.tables)-1]
	for _, ln := range tb.lines {
		w.addParagraph(ln)
	}
}

// renderRow puts the paragraphs of the cells side by side: line i holds
// the i-th paragraph of every cell, separated by " | ".
func renderRow(cells []docxCell) []string {
	height := 0
	for _, c := range cells {
		if n := len(trimTrailingEmpty(c.paras)); n > height {
			height = n
		}
	}
	lines := make([]string, 0, height)
	parts := make([]string, len(cells))
	for i := 0; i < height; i++ {
		for j, c := range cells {
			parts[j] = ""
			if i < len(c.paras) {
				parts[j] = strings.TrimSpace(c.paras[i])
			}
		}
		lines = append(lines, strings.TrimRight(strings.Join(parts, " | "), " |"))
	}
	return lines
}

func trimTrailingEmpty(p []string) []string {
	for len(p) > 0 && strings.TrimSpace(p[len(p)-1]) == "" {
		p = p[:len(p)-1]
	}
	return p
}
