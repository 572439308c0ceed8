package web

import (
	"regexp"

	"github.com/loa-project/loa/internal/i18n"
)

// Stored document warnings (docmodel.Fields.Warnings) are stable English
// strings written by internal/docparse, internal/edxml and
// internal/documents: tests, the API and stored documents rely on them.
// A page in Vietnamese shows them translated through the rules below; an
// English page and any warning no rule knows show the stored text.

// warnArg says how a captured part of a warning is shown.
type warnArg int

const (
	argAsIs    warnArg = iota // kept as written (ids, names, numbers, quoted values)
	argWarning                // itself a stored warning: translated by warningRules
	argProblem                // an edXML problem message: translated by problemRules
	argField                  // a docparse field name (OCR confidence)
	argAction                 // a documents receive action (update, replace, revoke)
)

// warnRule maps warnings matching re to the catalog key; each captured
// group becomes an argument of the key's text.
type warnRule struct {
	re   *regexp.Regexp
	key  string
	args []warnArg
}

func fixedRule(text, key string) warnRule {
	return warnRule{re: regexp.MustCompile(`^` + regexp.QuoteMeta(text) + `$`), key: key}
}

func patRule(pattern, key string, args ...warnArg) warnRule {
	return warnRule{re: regexp.MustCompile(`^` + pattern + `$`), key: key, args: args}
}

// warningRules match whole stored warnings, first match wins.
var warningRules = []warnRule{
	fixedRule(`number and notation not found (no "Số:" line)`, "warn.no_number"),
	fixedRule(`the "Số:" line has a notation but no number`, "warn.no_number_value"),
	fixedRule("place and date line not found in the header", "warn.no_date"),
	fixedRule("issuing body not found in the header", "warn.no_issuer"),
	fixedRule("document type not recognised", "warn.no_type"),
	fixedRule("subject (trích yếu) not found", "warn.no_subject"),
	fixedRule("signer name not found", "warn.no_signer"),
	fixedRule("the letter's header is missing; type, number, date and subject were read from its title line", "warn.title_line"),
	fixedRule(`line breaks written as the text "\n" were restored`, "warn.literal_breaks"),
	patRule(`date not parsed: (".*") is not a valid date`, "warn.date_invalid", argAsIs),
	patRule(`text longer than (\d+) MiB; only the beginning was parsed`, "warn.too_long", argAsIs),
	fixedRule("converted from TCVN3 (ABC) to Unicode", "warn.from_tcvn3"),
	fixedRule("converted from VNI to Unicode", "warn.from_vni"),
	fixedRule("text is not UTF-8 nor TCVN3/VNI Vietnamese; decoded as Windows-1252", "warn.from_1252"),
	fixedRule("converted from UTF-16LE to UTF-8", "warn.from_utf16le"),
	fixedRule("converted from UTF-16BE to UTF-8", "warn.from_utf16be"),
	fixedRule("normalised decomposed Unicode (NFD) to NFC", "warn.nfd"),
	patRule(`repaired text that was TCVN3/VNI decoded as Windows-1252 \((TCVN3 \(ABC\)|VNI) to Unicode\)`, "warn.mojibake", argAsIs),
	fixedRule("PDF is encrypted with an owner password only; text extracted", "warn.pdf_owner"),
	patRule(`OCR: only the first (\d+) of (\d+) scanned pages were read; check the rest against the scan`, "warn.ocr_pages", argAsIs, argAsIs),
	patRule(`OCR: the scan reads poorly \(mean confidence (\d+) %\); check every field against the scan or rescan at 300 dpi`, "warn.ocr_poor", argAsIs),
	patRule(`OCR: ([a-z_]+) read with low confidence \((\d+) %\); check it against the scan`, "warn.ocr_low", argField, argAsIs),
	patRule(`received as edXML from (.*)`, "warn.received_edxml", argAsIs),
	patRule(`edXML ([a-z]+) of a document this unit does not hold \((.*)\): stored as a new document`, "warn.edxml_unheld", argAction, argAsIs),
	patRule(`edXML: (.+)`, "warn.edxml", argWarning),
	// What internal/edxml puts in Received.Warnings (under "edXML: ").
	patRule(`attachment (".*") is marked application/zip but is not a zip archive \((.*)\); kept as it is`, "warn.zip_not_zip", argAsIs, argAsIs),
	patRule(`attachment (".*") holds (\d+) files, more than (\d+); kept packed`, "warn.zip_too_many", argAsIs, argAsIs, argAsIs),
	patRule(`(.+) in (".*") is larger than the limit; not unpacked`, "warn.zip_too_large", argAsIs, argAsIs),
	patRule(`(.+) in (".*") cannot be opened: (.*)`, "warn.zip_open", argAsIs, argAsIs, argAsIs),
	patRule(`(.+) in (".*") cannot be read within the size limit`, "warn.zip_read", argAsIs, argAsIs),
	patRule(`the package (.+) inside (".*") cannot be read \((.*)\); kept as a file`, "warn.zip_inner", argAsIs, argAsIs, argAsIs),
	// edxml.Problem.String(): an element path, then the message.
	patRule(`([A-Za-z][A-Za-z0-9_/\[\]]*): (.+)`, "warn.edxml_problem", argAsIs, argProblem),
	// A warning of an edXML package inside a zip attachment: "name: warning".
	patRule(`(.+?): (.+)`, "warn.in_file", argAsIs, argWarning),
}

// problemRules match the message of an edxml.Problem.
var problemRules = []warnRule{
	fixedRule("empty, ignored", "warn.edxml.ignored"),
	fixedRule("missing", "warn.edxml.missing"),
	fixedRule("must not be negative", "warn.edxml.negative"),
	patRule(`(".*") starts with OrganId (".*") but the agency is (".*")`, "warn.edxml.organ_mismatch", argAsIs, argAsIs, argAsIs),
	patRule(`(".*") is not of the form "OrganId,YYYY/MM/DD,Số/Ký hiệu" \(a hub or gateway id\)`, "warn.edxml.docid_form", argAsIs),
	patRule(`(".*"): the date part (".*") is not YYYY/MM/DD`, "warn.edxml.docid_date", argAsIs, argAsIs),
	patRule(`(".*") is not written YYYY/MM/DD hh:mm:ss; read as (.*)`, "warn.edxml.timestamp", argAsIs, argAsIs),
	patRule(`(".*") is not a date in the form YYYY/MM/DD \(e\.g\. 2021/06/04\); read as (.*)`, "warn.edxml.date", argAsIs, argAsIs),
	patRule(`(".*") is not a whole number`, "warn.edxml.not_int", argAsIs),
	patRule(`(".*") is not a boolean; use true/false or 1/0`, "warn.edxml.not_bool", argAsIs),
	patRule(`(".*") is longer than (\d+) characters`, "warn.edxml.too_long", argAsIs, argAsIs),
	patRule(`(".*") must not contain spaces or commas`, "warn.edxml.spaces", argAsIs),
	patRule(`(-?\d+) is not a priority; use 0 \(thường\), 1 \(khẩn\), 2 \(thượng khẩn\), 3 \(hỏa tốc\) or 4 \(hỏa tốc hẹn giờ\)`, "warn.edxml.priority", argAsIs),
	patRule(`(-?\d+) is not a steering type; use 1 \(not a directive\), 2 \(directive\) or 3 \(report on a directive\)`, "warn.edxml.steering", argAsIs),
	patRule(`(-?\d+) is not a business type; use 0 \(new\), 1 \(recall\), 2 \(update\) or 3 \(replace\)`, "warn.edxml.business", argAsIs),
	fixedRule("Type and TypeDetail must not be negative", "warn.edxml.type_negative"),
	patRule(`(".*") is also used by attachment (\d+); content ids must be unique`, "warn.edxml.cid_dup", argAsIs, argAsIs),
	patRule(`(".*"): give the bare id; the "cid:" prefix is added when encoding`, "warn.edxml.cid_prefix", argAsIs),
	patRule(`(".*") must not contain spaces or the characters < > " &`, "warn.edxml.cid_chars", argAsIs),
	patRule(`attachment cid:(.*) \((".*")\) is referenced in the manifest but missing from AttachmentEncoded`, "warn.edxml.cid_absent", argAsIs, argAsIs),
	patRule(`cid:(.*) is listed twice in the manifest`, "warn.edxml.cid_twice", argAsIs),
	patRule(`missing: attachment (".*") has no content id, so it cannot be matched to the manifest`, "warn.edxml.no_cid", argAsIs),
	patRule(`missing: the manifest entry (".*") has no content id`, "warn.edxml.no_cid_manifest", argAsIs),
	fixedRule("needs Code (Số/Ký hiệu) or DocumentId to identify the document answered", "warn.edxml.identify"),
	fixedRule("missing: at least one receiving agency is required", "warn.edxml.m.to"),
	fixedRule("missing: the document number (số) is required", "warn.edxml.m.number"),
	fixedRule("missing: the notation (ký hiệu, e.g. STTTT-TTBCBC) is required", "warn.edxml.m.notation"),
	fixedRule("missing: the place of issue is required", "warn.edxml.m.place"),
	fixedRule("missing: the date of issue is required", "warn.edxml.m.date"),
	fixedRule("missing: the document type name (e.g. Công văn) is required", "warn.edxml.m.type"),
	fixedRule("missing: the subject (trích yếu) is required", "warn.edxml.m.subject"),
	fixedRule("missing: the signer's full name is required", "warn.edxml.m.signer"),
	fixedRule("missing: the sending agency is required", "warn.edxml.m.sender"),
	fixedRule("missing: the agency's OrganId is required", "warn.edxml.m.organ"),
	fixedRule("missing: the agency's electronic identifier (e.g. 000.00.00.H41) is required", "warn.edxml.m.organ_id"),
	fixedRule("missing: the agency's name is required", "warn.edxml.m.organ_name"),
	fixedRule(`missing: expected "OrganId,YYYY/MM/DD,Số/Ký hiệu"; build it with MakeDocumentID`, "warn.edxml.m.docid"),
	fixedRule("missing: every attachment needs a content id", "warn.edxml.m.cid"),
	fixedRule("missing: the file name is required", "warn.edxml.m.file_name"),
	fixedRule("missing: the MIME type is required (application/octet-stream if unknown)", "warn.edxml.m.mime"),
}

// warningFieldKeys name the fields docparse scores by OCR confidence.
var warningFieldKeys = map[string]string{
	"number": "doc.number", "notation": "doc.notation", "date": "doc.date", "issuer": "doc.issuer",
	"subject": "doc.subject", "doc_type": "doc.type", "place": "doc.place", "parent_issuer": "doc.parent_issuer",
	"signing_authority": "doc.signing_authority", "signer_title": "doc.signer_title",
	"signer_name": "doc.signer_name", "recipients": "reg.recipients",
}

// maxWarningDepth bounds the nesting of warnings inside warnings
// ("edXML: file.edxml: path: message").
const maxWarningDepth = 4

// translateWarning shows a stored warning in lang: the stored text in
// English or when no rule knows it.
func translateWarning(msgs i18n.Catalog, lang, w string) string {
	if lang == i18n.EN {
		return w
	}
	if s, ok := applyWarningRules(msgs, lang, warningRules, w, 0); ok {
		return s
	}
	return w
}

// applyWarningRules translates s by the first rule of rules that matches
// it and whose captured parts all translate.
func applyWarningRules(msgs i18n.Catalog, lang string, rules []warnRule, s string, depth int) (string, bool) {
	if depth > maxWarningDepth {
		return "", false
	}
	for _, r := range rules {
		m := r.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args, ok := warningArgs(msgs, lang, r, m[1:], depth)
		if ok {
			return msgs.T(lang, r.key, args...), true
		}
	}
	return "", false
}

// warningArgs converts the captured parts of a match by the rule's kinds.
func warningArgs(msgs i18n.Catalog, lang string, r warnRule, groups []string, depth int) ([]any, bool) {
	args := make([]any, 0, len(groups))
	for i, g := range groups {
		kind := argAsIs
		if i < len(r.args) {
			kind = r.args[i]
		}
		switch kind {
		case argWarning, argProblem:
			rules := warningRules
			if kind == argProblem {
				rules = problemRules
			}
			t, ok := applyWarningRules(msgs, lang, rules, g, depth+1)
			if !ok {
				return nil, false
			}
			g = t
		case argField:
			key, ok := warningFieldKeys[g]
			if !ok {
				return nil, false
			}
			g = msgs.T(lang, key)
		case argAction:
			key := "warn.action." + g
			if _, ok := msgs[key]; !ok {
				return nil, false
			}
			g = msgs.T(lang, key)
		}
		args = append(args, g)
	}
	return args, true
}

// Warning shows a stored document warning in the page's language.
func (p *pageData) Warning(w string) string { return translateWarning(p.s.msgs, p.Lang, w) }
