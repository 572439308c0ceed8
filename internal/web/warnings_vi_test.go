package web

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/i18n"
)

// englishWordRe finds words of the stored English warnings that must not
// survive a Vietnamese translation.
var englishWordRe = regexp.MustCompile(`\b(the|not|is|was|were|found|missing|required|read|check|with|and|of|from|kept|empty|ignored|received|converted|repaired|must|needs|stored|attachment|only)\b`)

// warningSamples are the warnings the parser and the edXML importer
// store, written from their format strings in internal/docparse,
// internal/edxml and internal/documents (unexported there, so copied).
// english marks samples whose dynamic part is itself English (a Go error).
func warningSamples() []struct {
	w       string
	english bool
} {
	type s = struct {
		w       string
		english bool
	}
	out := []s{
		{w: `number and notation not found (no "Số:" line)`},
		{w: `the "Số:" line has a notation but no number`},
		{w: "place and date line not found in the header"},
		{w: "issuing body not found in the header"},
		{w: "document type not recognised"},
		{w: "subject (trích yếu) not found"},
		{w: "signer name not found"},
		{w: "the letter's header is missing; type, number, date and subject were read from its title line"},
		{w: `line breaks written as the text "\n" were restored`},
		{w: fmt.Sprintf("date not parsed: %q is not a valid date", "ngày 31 tháng 02 năm 2024")},
		{w: fmt.Sprintf("text longer than %d MiB; only the beginning was parsed", 4)},
		{w: "converted from TCVN3 (ABC) to Unicode"},
		{w: "converted from VNI to Unicode"},
		{w: "text is not UTF-8 nor TCVN3/VNI Vietnamese; decoded as Windows-1252"},
		{w: "converted from UTF-16LE to UTF-8"},
		{w: "converted from UTF-16BE to UTF-8"},
		{w: "normalised decomposed Unicode (NFD) to NFC"},
		{w: "repaired text that was TCVN3/VNI decoded as Windows-1252" + " (" + strings.TrimPrefix("converted from TCVN3 (ABC) to Unicode", "converted from ") + ")"},
		{w: "repaired text that was TCVN3/VNI decoded as Windows-1252" + " (" + strings.TrimPrefix("converted from VNI to Unicode", "converted from ") + ")"},
		{w: "PDF is encrypted with an owner password only; text extracted"},
		{w: fmt.Sprintf("OCR: only the first %d of %d scanned pages were read; check the rest against the scan", docparse.MaxOCRPages, docparse.MaxOCRPages+3)},
		{w: fmt.Sprintf("OCR: the scan reads poorly (mean confidence %.0f %%); check every field against the scan or rescan at 300 dpi", 41.6)},
		{w: fmt.Sprintf("received as edXML from %s", "UBND xã Vĩnh Thạnh Vân")},
		{w: fmt.Sprintf("edXML %s of a document this unit does not hold (%s): stored as a new document", "update", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")},
		{w: fmt.Sprintf("edXML %s of a document this unit does not hold (%s): stored as a new document", "replace", "7816/VPCP-TTĐT, 000.00.00.G22")},
	}
	for _, name := range []string{"number", "notation", "date", "issuer", "subject", "doc_type", "place",
		"parent_issuer", "signing_authority", "signer_title", "signer_name", "recipients"} {
		out = append(out, s{w: fmt.Sprintf("OCR: %s read with low confidence (%d %%); check it against the scan", name, 52)})
	}
	// Warnings of internal/edxml, stored under "edXML: ".
	const hdr = "edXMLEnvelope/edXMLHeader/MessageHeader"
	zipErr := errors.New("zip: not a valid zip file")
	edx := []s{
		{w: hdr + "/ResponseFor: empty, ignored"},
		{w: fmt.Sprintf("attachment %q is marked application/zip but is not a zip archive (%v); kept as it is", "hoso.zip", zipErr), english: true},
		{w: fmt.Sprintf("attachment %q holds %d files, more than %d; kept packed", "hoso.zip", 600, 500)},
		{w: fmt.Sprintf("%s in %q is larger than the limit; not unpacked", "bando.tif", "hoso.zip")},
		{w: fmt.Sprintf("%s in %q cannot be opened: %v", "bando.tif", "hoso.zip", zipErr), english: true},
		{w: fmt.Sprintf("%s in %q cannot be read within the size limit", "bando.tif", "hoso.zip")},
		{w: fmt.Sprintf("the package %s inside %q cannot be read (%v); kept as a file", "con.edxml", "hoso.zip", zipErr), english: true},
		{w: "con.edxml: " + hdr + "/ResponseFor: empty, ignored"},
	}
	problem := func(path, format string, args ...any) s {
		return s{w: edxml.Problem{Path: path, Message: fmt.Sprintf(format, args...)}.String()}
	}
	id := "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
	edx = append(edx,
		problem(hdr+"/DocumentId", "%q starts with OrganId %q but the agency is %q", id, "000.00.00.G22", "000.00.00.A80"),
		problem(hdr+"/DocumentId", "%q is not of the form \"OrganId,YYYY/MM/DD,Số/Ký hiệu\" (a hub or gateway id)", "HUB-42"),
		problem(hdr+"/DocumentId", "%q: the date part %q is not YYYY/MM/DD", id, "30/09/2015"),
		problem(hdr+"/From/Timestamp", "%q is not written YYYY/MM/DD hh:mm:ss; read as %s", "30/09/2015 10:00", "2015/09/30 10:00:00"),
		problem(hdr+"/PromulgationInfo/PromulgationDate", "%q is not a date in the form YYYY/MM/DD (e.g. 2021/06/04); read as %s", "30/09/2015", "2015/09/30"),
		problem(hdr+"/OtherInfo/PageAmount", "%q is not a whole number", "hai"),
		problem(hdr+"/OtherInfo/Direction", "%q is not a boolean; use true/false or 1/0", "có"),
		problem(hdr+"/From/OrganId", "%q is longer than %d characters", strings.Repeat("9", 40), 35),
		problem(hdr+"/From/OrganId", "%q must not contain spaces or commas", "000 00"),
		problem(hdr+"/OtherInfo/Priority", "%d is not a priority; use 0 (thường), 1 (khẩn), 2 (thượng khẩn), 3 (hỏa tốc) or 4 (hỏa tốc hẹn giờ)", 7),
		problem(hdr+"/SteeringType", "%d is not a steering type; use 1 (not a directive), 2 (directive) or 3 (report on a directive)", 9),
		problem("edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType", "%d is not a business type; use 0 (new), 1 (recall), 2 (update) or 3 (replace)", 5),
		problem(hdr+"/DocumentType", "Type and TypeDetail must not be negative"),
		problem(hdr+"/OtherInfo/PromulgationAmount", "must not be negative"),
		problem(hdr+"/From/OrganId", "missing"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[2]/ContentId", "%q is also used by attachment %d; content ids must be unique", "att1", 1),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentId", "%q: give the bare id; the \"cid:\" prefix is added when encoding", "cid:att1"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentId", "%q must not contain spaces or the characters < > \" &", "a b"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]", "attachment cid:%s (%q) is referenced in the manifest but missing from AttachmentEncoded", "att1", "cv.pdf"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[2]/ContentId", "cid:%s is listed twice in the manifest", "att1"),
		problem("AttachmentEncoded/Attachment[1]", "missing: attachment %q has no content id, so it cannot be matched to the manifest", "cv.pdf"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentId", "missing: the manifest entry %q has no content id", "cv.pdf"),
		problem(hdr+"/ResponseFor[1]", "needs Code (Số/Ký hiệu) or DocumentId to identify the document answered"),
		problem(hdr+"/From", "missing: the agency's OrganId is required"),
		problem(hdr+"/ResponseFor[1]/From", "missing: the sending agency is required"),
		problem(hdr+"/To[1]/OrganId", "missing: the agency's electronic identifier (e.g. 000.00.00.H41) is required"),
		problem(hdr+"/To[1]/OrganName", "missing: the agency's name is required"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentId", "missing: every attachment needs a content id"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/AttachmentName", "missing: the file name is required"),
		problem("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentType", "missing: the MIME type is required (application/octet-stream if unknown)"),
	)
	// The problems edxml's own validation reports for an empty message.
	var ve *edxml.ValidationError
	if err := (&edxml.Message{}).Validate(); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			edx = append(edx, s{w: p.String()})
		}
	}
	for _, e := range edx {
		out = append(out, s{w: "edXML: " + e.w, english: e.english})
	}
	// Warnings the real parser produces.
	for _, text := range []string{"", "Xin chào", norm.NFD.String(`ỦY BAN NHÂN DÂN\nXÃ VĨNH THẠNH VÂN\nSố: /UBND\nV/v thông báo`)} {
		for _, w := range docparse.Parse(text).Warnings {
			out = append(out, s{w: w})
		}
	}
	return out
}

// TestWarningsTranslated: every warning the parser and the edXML importer
// can store reads in Vietnamese on a Vietnamese page and unchanged on an
// English one, and every rule is exercised.
func TestWarningsTranslated(t *testing.T) {
	msgs := i18n.Messages()
	used := map[string]bool{}
	for _, r := range append(append([]warnRule(nil), warningRules...), problemRules...) {
		if _, ok := msgs[r.key]; !ok {
			t.Errorf("rule %s: key %s is not in the catalog", r.re, r.key)
		}
	}
	samples := warningSamples()
	if len(samples) < 80 {
		t.Fatalf("only %d samples", len(samples))
	}
	for _, smp := range samples {
		vi := translateWarning(msgs, i18n.VI, smp.w)
		if vi == smp.w {
			t.Errorf("no Vietnamese for %q", smp.w)
			continue
		}
		if strings.Contains(vi, "%!") {
			t.Errorf("%q: bad arguments in %q", smp.w, vi)
		}
		if m := englishWordRe.FindString(vi); m != "" && !smp.english {
			t.Errorf("%q reads %q, which keeps the English %q", smp.w, vi, m)
		}
		if en := translateWarning(msgs, i18n.EN, smp.w); en != smp.w {
			t.Errorf("English page shows %q for %q", en, smp.w)
		}
		for _, rules := range [][]warnRule{warningRules, problemRules} {
			for _, r := range rules {
				// Inner rules match a part of the stored warning.
				inner := regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(r.re.String(), "^"), "$"))
				if inner.MatchString(smp.w) {
					used[r.key] = true
				}
			}
		}
	}
	for _, rules := range [][]warnRule{warningRules, problemRules} {
		for _, r := range rules {
			if !used[r.key] {
				t.Errorf("rule %s (%s) has no sample", r.re, r.key)
			}
		}
	}
	// An unknown warning stays as stored.
	if got := translateWarning(msgs, i18n.VI, "something new happened"); got != "something new happened" {
		t.Errorf("unknown warning became %q", got)
	}
	// Nesting is bounded.
	deep := strings.Repeat("edXML: ", maxWarningDepth+3) + "signer name not found"
	if got := translateWarning(msgs, i18n.VI, deep); got != deep {
		t.Errorf("deeply nested warning became %q", got)
	}
}
