package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A DOCX source is UTF-8 text in sections: @header-left / @header-right
// (the two cells of the header table), @title (centred bold paragraphs),
// @body (justified paragraphs, one per line), @closing-left /
// @closing-right (the "Nơi nhận" and signature cells). Sections may repeat.
type docxSection struct {
	kind  string
	lines []string
}

func parseDocxSource(src string) []docxSection {
	var secs []docxSection
	for _, ln := range strings.Split(src, "\n") {
		if strings.HasPrefix(ln, "@") {
			secs = append(secs, docxSection{kind: strings.TrimSpace(ln[1:])})
			continue
		}
		if len(secs) == 0 {
			continue
		}
		secs[len(secs)-1].lines = append(secs[len(secs)-1].lines, ln)
	}
	for i := range secs {
		for len(secs[i].lines) > 0 && secs[i].lines[len(secs[i].lines)-1] == "" {
			secs[i].lines = secs[i].lines[:len(secs[i].lines)-1]
		}
	}
	return secs
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// para renders one paragraph.
func para(text, align string, size int, bold, italic bool, firstLine int) string {
	var ppr strings.Builder
	ppr.WriteString(`<w:pPr><w:spacing w:before="0" w:after="60"/>`)
	if firstLine > 0 {
		fmt.Fprintf(&ppr, `<w:ind w:firstLine="%d"/>`, firstLine)
	}
	fmt.Fprintf(&ppr, `<w:jc w:val="%s"/></w:pPr>`, align)
	rpr := fmt.Sprintf(`<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>%s%s<w:sz w:val="%d"/></w:rPr>`,
		map[bool]string{true: "<w:b/>"}[bold], map[bool]string{true: "<w:i/>"}[italic], size*2)
	if text == "" {
		return "<w:p>" + ppr.String() + "</w:p>"
	}
	return fmt.Sprintf(`<w:p>%s<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r></w:p>`, ppr.String(), rpr, esc(text))
}

// twoCellTable renders a borderless two-column table.
func twoCellTable(left, right []string, leftW, rightW int, leftPara, rightPara func(string) string) string {
	cell := func(lines []string, w int, render func(string) string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, w)
		if len(lines) == 0 {
			b.WriteString("<w:p/>")
		}
		for _, l := range lines {
			b.WriteString(render(l))
		}
		b.WriteString("</w:tc>")
		return b.String()
	}
	return `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>` +
		`<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>` +
		`<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders></w:tblPr>` +
		fmt.Sprintf(`<w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>`, leftW, rightW) +
		"<w:tr>" + cell(left, leftW, leftPara) + cell(right, rightW, rightPara) + "</w:tr></w:tbl>"
}

func headerLeftPara(l string) string {
	if strings.HasPrefix(l, "V/v") {
		return para(l, "center", 12, false, false, 0)
	}
	return para(l, "center", 13, !strings.HasPrefix(l, "Số") && !strings.HasPrefix(l, "UBND"), false, 0)
}

func headerRightPara(l string) string {
	if strings.Contains(l, "ngày") {
		return para(l, "center", 14, false, true, 0)
	}
	return para(l, "center", 13, true, false, 0)
}

func closingLeftPara(l string) string {
	if strings.HasPrefix(l, "Nơi nhận") {
		return para(l, "left", 12, true, true, 0)
	}
	return para(l, "left", 11, false, false, 0)
}

func closingRightPara(l string) string { return para(l, "center", 14, true, false, 0) }

// documentXML renders word/document.xml for a source.
func documentXML(src string) string {
	var body strings.Builder
	secs := parseDocxSource(src)
	for i := 0; i < len(secs); i++ {
		s := secs[i]
		switch s.kind {
		case "header-left", "closing-left":
			var right []string
			if i+1 < len(secs) && strings.HasSuffix(secs[i+1].kind, "-right") {
				right = secs[i+1].lines
				i++
			}
			if s.kind == "header-left" {
				body.WriteString(twoCellTable(s.lines, right, 3700, 5700, headerLeftPara, headerRightPara))
			} else {
				body.WriteString(para("", "left", 13, false, false, 0))
				body.WriteString(twoCellTable(s.lines, right, 4700, 4700, closingLeftPara, closingRightPara))
			}
		case "title":
			body.WriteString(para("", "center", 14, false, false, 0))
			for _, l := range s.lines {
				body.WriteString(para(l, "center", 14, true, false, 0))
			}
		case "body":
			for _, l := range s.lines {
				if l == "" {
					continue
				}
				if strings.HasPrefix(l, "Kính gửi") {
					body.WriteString(para(l, "center", 14, false, false, 0))
					continue
				}
				body.WriteString(para(l, "both", 14, false, false, 567))
			}
		}
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		body.String() +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>` +
		`</w:body></w:document>`
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`</Types>`

const relsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`</Relationships>`

// writeDOCX writes a minimal DOCX package. Entry times are fixed so that
// regenerating gives identical bytes.
func writeDOCX(path, src string) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range []struct{ name, data string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", relsXML},
		{"word/document.xml", documentXML(src)},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return fmt.Errorf("zip %s: %w", e.name, err)
		}
		if _, err := w.Write([]byte(e.data)); err != nil {
			return fmt.Errorf("zip %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// convertToPDF converts a DOCX or TXT file with LibreOffice into the
// corpus under the name dst.
func convertToPDF(src, dst string) error {
	tmp, err := os.MkdirTemp("", "loa-gen-pdf-*")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"--headless", "-env:UserInstallation=file://" + filepath.Join(tmp, "profile")}
	if strings.HasSuffix(src, ".txt") {
		args = append(args, "--infilter=Text (encoded):UTF8,LF,Liberation Serif,vi")
	}
	args = append(args, "--convert-to", "pdf", "--outdir", tmp, src)
	cmd := exec.CommandContext(ctx, "soffice", args...)
	cmd.Env = append(os.Environ(), "HOME="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("soffice (install libreoffice and fonts-liberation2): %w: %s", err, out)
	}
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)) + ".pdf"
	data, err := os.ReadFile(filepath.Join(tmp, base))
	if err != nil {
		return fmt.Errorf("read converted PDF: %w", err)
	}
	return os.WriteFile(filepath.Join(corpusDir, dst), data, 0o644)
}
