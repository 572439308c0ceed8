package docparse

import (
	"context"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
)

// maxParseText bounds the text Parse looks at; longer texts are cut (with
// a warning) so that one call stays cheap.
const maxParseText = 4 << 20

// Parse extracts the fields of an administrative document from its text.
// It never fails and never panics: what it cannot find stays null or an
// empty list, with an explanation in Warnings. The result is Normalize()d.
func Parse(text string) (f docmodel.Fields) {
	defer func() {
		if r := recover(); r != nil {
			f = docmodel.Fields{Warnings: []string{fmt.Sprintf("internal parser error: %v", r)}}
		}
		f.Normalize()
	}()
	var warnings []string
	if len(text) > maxParseText {
		text = text[:maxParseText]
		warnings = append(warnings, fmt.Sprintf("text longer than %d MiB; only the beginning was parsed", maxParseText>>20))
	}
	if n := strings.Count(text, `\n`); n >= 2 && n > strings.Count(text, "\n") {
		text = literalBreaks.Replace(text)
		warnings = append(warnings, warnLiteralBreaks)
	}
	lines, normalised := prepareLines(text)
	if normalised {
		warnings = append(warnings, warnNFD)
	}
	f = parseLines(lines)
	f.Warnings = append(warnings, f.Warnings...)
	return f
}

// literalBreaks restores line breaks a web copy kept as the two-character
// escapes "\r\n" and "\n".
var literalBreaks = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "\n", `\t`, "\t")

const warnLiteralBreaks = `line breaks written as the text "\n" were restored`

// parseLines runs the zone parsers over the prepared lines.
func parseLines(lines []docLine) docmodel.Fields {
	var f docmodel.Fields
	h := parseHeader(lines)
	fillHeader(&f, h)

	bodyStart := h.end
	if f.Number == nil && f.Notation == nil {
		// A web re-post without its header: the portal's title line
		// above the text is the only identification.
		if next := fillFromTitleLine(&f, lines, 0); next > 0 && !h.kinhGui {
			bodyStart = max(bodyStart, next)
			for bodyStart < len(lines) && lines[bodyStart].text == "" {
				bodyStart++
			}
			if bodyStart < len(lines) && kinhGuiRe.MatchString(lines[bodyStart].text) {
				h.kinhGui, h.end = true, bodyStart
			}
		}
	}
	if h.kinhGui && bodyStart < len(lines) {
		bodyStart = max(bodyStart, h.end)
		f.Recipients, bodyStart = parseRecipients(lines, bodyStart)
	}
	if f.DocType == nil && (h.kinhGui || h.subjectByPrefix) {
		f.DocType = docmodel.Str("Công văn")
	}
	if f.DocType == nil {
		f.Warnings = append(f.Warnings, warnNoType)
	}

	closingStart := findClosingStart(lines, bodyStart)
	paras := buildParagraphs(lines, bodyStart, closingStart)
	if len(paras) > 0 {
		f.Body = docmodel.Str(strings.Join(paras, "\n"))
	}
	f.Items = extractItems(paras)
	refTexts := paras
	if f.Subject != nil {
		refTexts = append([]string{*f.Subject}, paras...)
	}
	f.References = extractReferences(refTexts, docmodel.Val(f.Number), docmodel.Val(f.Notation))
	f.AttachmentsMentioned = extractAttachments(paras)

	c := parseClosing(lines, closingStart)
	authority, title := c.signature()
	f.SigningAuthority = docmodel.Str(authority)
	f.SignerTitle = docmodel.Str(title)
	f.SignerName = docmodel.Str(c.name)
	f.Distribution = c.dist
	f.Archive = c.archive
	if c.name == "" {
		f.Warnings = append(f.Warnings, warnNoSigner)
	}
	return f
}

// fillHeader copies the header findings into the fields.
func fillHeader(f *docmodel.Fields, h header) {
	parent, issuer, w := issuers(h.agencyLines)
	f.ParentIssuer, f.Issuer = docmodel.Str(parent), docmodel.Str(issuer)
	if w != "" {
		f.Warnings = append(f.Warnings, w)
	}
	switch {
	case !h.numberFound:
		f.Warnings = append(f.Warnings, warnNoNumber)
	case h.number == "":
		f.Notation = docmodel.Str(h.notation)
		f.Warnings = append(f.Warnings, warnNoNumberValue)
	default:
		f.Number, f.Notation = docmodel.Str(h.number), docmodel.Str(h.notation)
	}
	switch {
	case !h.dateFound:
		f.Warnings = append(f.Warnings, warnNoDate)
	case h.date == "":
		f.Place = docmodel.Str(h.place)
		f.Warnings = append(f.Warnings, formatDateWarning(h.dateRaw))
	default:
		f.Place, f.Date = docmodel.Str(h.place), docmodel.Str(h.date)
	}
	f.DocType = docmodel.Str(h.docType)
	if subject := strings.Join(h.subjectLines, " "); subject != "" {
		f.Subject = docmodel.Str(capitalizeFirst(collapseSpaces(subject)))
	} else {
		f.Warnings = append(f.Warnings, warnNoSubject)
	}
	f.Urgency = docmodel.Str(h.urgency)
	f.Confidentiality = docmodel.Str(h.secrecy)
}

// ParseFile extracts the text of a document (see ExtractDetailed) and
// parses it (see ParseExtraction). Extraction warnings come first in
// Fields.Warnings.
func ParseFile(ctx context.Context, data []byte, filename string) (docmodel.Fields, error) {
	x, err := ExtractDetailed(ctx, data, filename)
	if err != nil {
		return docmodel.Fields{}, fmt.Errorf("parse document: %w", err)
	}
	return ParseExtraction(x), nil
}

// ParseExtraction parses extracted text. For a scan read by OCR it also
// records the confidence of each field and warns about the fields a
// clerk should check against the scan.
func ParseExtraction(x Extraction) docmodel.Fields {
	f := Parse(x.Text)
	f.Warnings = append(append([]string(nil), x.Warnings...), f.Warnings...)
	if x.OCR != nil {
		scoreOCR(&f, x.OCR)
	}
	f.Normalize()
	return f
}
