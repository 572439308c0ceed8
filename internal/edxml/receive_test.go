package edxml

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readReal(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "real", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasWarning(r *Received, sub string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// TestReceiveRealCorpus: every real package of testdata/real (see SOURCES)
// is read as the reference SDK reads it — document packages with their
// fields and files (zip attachments unpacked, nested packages opened),
// status packages as statuses of the document they name — and the one
// malformed package is refused with the reason.
func TestReceiveRealCorpus(t *testing.T) {
	docs := map[string]struct {
		code, from, subject string
		business            BusinessDocType
		files               []string
		warning             string
	}{
		"truclienthong-edoc_new.edxml": {"74fass22/VPCP-TTĐT", "000.00.00.A80", "", BusinessNew, []string{"GUIDE_INSTALL OPENVPN.SIGNED.PDF"},
			`starts with OrganId "000.00.00.G22" but the agency is "000.00.00.A80"`},
		"truclienthong-edoc_update.edxml":      {"7816/VPCP-TTĐT", "000.00.00.G22", "V/v kết nối, liên thông phần mềm quản lý văn bản", BusinessUpdate, []string{"GUIDE_INSTALL OPENVPN.SIGNED.PDF"}, ""},
		"truclienthong-edoc_replacement.edxml": {"7816/VPCP-TTĐT", "000.00.00.G22", "V/v kết nối, liên thông phần mềm quản lý văn bản", BusinessReplace, []string{"GUIDE_INSTALL OPENVPN.SIGNED.PDF"}, ""},
		"truclienthong-edoc_revocation.edxml": {"7816/VPCP-TTĐT", "000.00.00.G22", "V/v kết nối, liên thông phần mềm quản lý văn bản", BusinessRecall, []string{"GUIDE_INSTALL OPENVPN.SIGNED.PDF"},
			`starts with OrganId "000.00.04.G14" but the agency is "000.00.00.H14"`},
		"truclienthong-dc0bdef0-c7a3-4aaf-b717-777303442973.edxml": {"7816/VPCP-TTĐT", "000.00.00.G22", "V/v kết nối, liên thông phần mềm quản lý văn bản", BusinessNew,
			[]string{"7a71a0ee-2f35-400d-aca9-811d478eb158.edxml"}, "cannot be read"},
	}
	statuses := map[string]StatusCode{
		"truclienthong-status.edxml": StatusArrived, "truclienthong-status_inbox_01.edxml": StatusArrived,
		"truclienthong-status_rejection_02.edxml": StatusRefused, "truclienthong-status_acceptance_03.edxml": StatusAccepted,
		"truclienthong-status_assignment_04.edxml": StatusAssigned, "truclienthong-status_processing_05.edxml": StatusProcessing,
		"truclienthong-status_finish_06.edxml": StatusDone, "truclienthong-status_cancellation_13.edxml": StatusRecallRequested,
		"truclienthong-status_change-acceptance_15.edxml": StatusRecallAccepted, "truclienthong-status_change-rejection_16.edxml": StatusRecallRefused,
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "real", "*.edxml"))
	if len(files) != len(docs)+len(statuses)+1 {
		t.Fatalf("%d packages in testdata/real, expected %d", len(files), len(docs)+len(statuses)+1)
	}
	for _, f := range files {
		name := filepath.Base(f)
		raw := readReal(t, name)
		r, err := Receive(bytes.NewReader(raw), Limits{})
		if name == "truclienthong-edoc.edxml" {
			if err == nil || !strings.Contains(err.Error(), "malformed XML") || !strings.Contains(err.Error(), "line 74") {
				t.Errorf("%s: %v, want malformed XML at line 74", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(r.Raw, raw) {
			t.Errorf("%s: the package is not kept exactly as received", name)
		}
		if want, ok := statuses[name]; ok {
			s := r.Status
			if s == nil || s.Code != want || s.ResponseFor.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" || (s.From.ID != "000.00.00.H41") != (want == StatusRecallRequested) || s.Timestamp.IsZero() || s.Description == "" {
				t.Errorf("%s: status %+v", name, s)
			}
			continue
		}
		want, ok := docs[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		m := r.Message
		if m == nil {
			t.Errorf("%s: not read as a document", name)
			continue
		}
		if m.Code() != want.code || m.From.ID != want.from || (want.subject != "" && m.Subject != want.subject) || m.Business == nil || m.Business.DocType != want.business {
			t.Errorf("%s: code %q from %q subject %q business %+v", name, m.Code(), m.From.ID, m.Subject, m.Business)
		}
		var got []string
		for _, f := range r.Files {
			got = append(got, f.Name)
			if len(f.Data) == 0 {
				t.Errorf("%s: file %s is empty", name, f.Name)
			}
		}
		if strings.Join(got, "|") != strings.Join(want.files, "|") {
			t.Errorf("%s: files %v, want %v", name, got, want.files)
		}
		if want.warning != "" && !hasWarning(r, want.warning) {
			t.Errorf("%s: warnings %v lack %q", name, r.Warnings, want.warning)
		}
		if strings.HasSuffix(want.files[0], ".PDF") && !bytes.HasPrefix(r.Files[0].Data, []byte("%PDF")) {
			t.Errorf("%s: the unpacked PDF does not start with %%PDF", name)
		}
	}
	// Business targets: the update names the document it changes, the
	// replacement the documents it replaces.
	r, _ := Receive(bytes.NewReader(readReal(t, "truclienthong-edoc_update.edxml")), Limits{})
	if r.Message.Business.DocumentID != "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT" {
		t.Errorf("update target %q", r.Message.Business.DocumentID)
	}
	r, _ = Receive(bytes.NewReader(readReal(t, "truclienthong-edoc_replacement.edxml")), Limits{})
	if len(r.Message.Business.Replaces) != 2 || r.Message.Business.Replaces[0] != "000.00.00.G22,2014/01/30,7806/VPCP-TTĐT" {
		t.Errorf("replaced %v", r.Message.Business.Replaces)
	}
}

// deviate rewrites the seed package with what real senders do.
func deviate(t *testing.T, edit func(string) string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cv-570-STTTT-TTBCBC-2021.edxml"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(edit(string(b)))
}

// TestReceiveDeviationsAreWarnings: a UUID DocumentId, a DocumentId of
// another agency, an empty ResponseFor, a trace hop with only a
// timestamp, a missing OrganName and dd/MM/yyyy dates are read, each with
// a warning; text before the root and undecodable attachments are refused
// with the reason.
func TestReceiveDeviationsAreWarnings(t *testing.T) {
	seed := deviate(t, func(s string) string { return s })
	if _, err := Receive(bytes.NewReader(seed), Limits{}); err != nil {
		t.Fatal(err)
	}
	dev := deviate(t, func(s string) string {
		s = strings.Replace(s, "<edXML:DocumentId>000.15.33.H33,2021/06/04,570/STTTT-TTBCBC</edXML:DocumentId>", "<edXML:DocumentId>9fbfbad2-f1f8-4256-a2eb-50fb1061cddb</edXML:DocumentId>", 1)
		s = strings.Replace(s, "<edXML:PromulgationDate>2021/06/04</edXML:PromulgationDate>", "<edXML:PromulgationDate>04/06/2021</edXML:PromulgationDate>", 1)
		s = strings.Replace(s, "<edXML:SteeringType>", "<edXML:ResponseFor></edXML:ResponseFor><edXML:SteeringType>", 1)
		s = strings.Replace(s, "<edXML:TraceHeaderList>", "<edXML:TraceHeaderList><edXML:TraceHeader><edXML:Timestamp>2021/06/04 08:00:00</edXML:Timestamp></edXML:TraceHeader>", 1)
		i := strings.Index(s, "<edXML:OrganName>")
		j := strings.Index(s[i:], "</edXML:OrganName>") + i + len("</edXML:OrganName>")
		return s[:i] + s[j:]
	})
	r, err := Receive(bytes.NewReader(dev), Limits{})
	if err != nil {
		t.Fatalf("deviating package refused: %v", err)
	}
	m := r.Message
	if m.PromulgationDate != Date(2021, 6, 4) || m.DocumentID != "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb" || len(m.ResponseFor) != 2 || m.From.Name != "" {
		t.Fatalf("read %+v", m)
	}
	for _, w := range []string{"PromulgationDate: \"04/06/2021\" is not a date in the form YYYY/MM/DD", "DocumentId: \"9fbfbad2", "ResponseFor: empty", "TraceHeader[1]/OrganId: missing", "From/OrganName: missing"} {
		if !hasWarning(r, w) {
			t.Errorf("no warning %q in %v", w, r.Warnings)
		}
	}
	// Refused: text before the root, undecodable attachment, not edXML.
	if _, err := Receive(bytes.NewReader(append([]byte("Kính gửi: văn thư\n"), seed...)), Limits{}); err == nil || !strings.Contains(err.Error(), "text before the root element") {
		t.Errorf("text before the root: %v", err)
	}
	bad := deviate(t, func(s string) string {
		i := strings.Index(s, "<ContentTransferEncoded>") + len("<ContentTransferEncoded>")
		return s[:i] + "@@@not base64@@@" + s[i:]
	})
	if _, err := Receive(bytes.NewReader(bad), Limits{}); err == nil || !strings.Contains(err.Error(), "not valid base64") {
		t.Errorf("undecodable attachment: %v", err)
	}
	if _, err := Receive(strings.NewReader(`<?xml version="1.0"?><html><body>x</body></html>`), Limits{}); err == nil || !strings.Contains(err.Error(), "not an edXML package") {
		t.Errorf("not edXML: %v", err)
	}
	if _, err := Receive(strings.NewReader(`<edXML xmlns="`+Namespace+`"><a></b></edXML>`), Limits{}); err == nil || !strings.Contains(err.Error(), "malformed XML") {
		t.Errorf("malformed: %v", err)
	}
}

// TestReceiveZipIsSafe: a zip attachment is unpacked with base names only
// (no path escapes), and files over the limit are left out with a warning.
func TestReceiveZipIsSafe(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"../../etc/passwd": "x", "/abs/quyet-dinh.pdf": "%PDF-1.4 y", "ok.txt": "nội dung", "big.bin": strings.Repeat("z", 5000)} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(body))
	}
	zw.Close()
	files, warns := unpack(Attachment{ContentID: "1", Name: "hs.zip", ContentType: "application/zip", Data: buf.Bytes()}, Limits{MaxAttachmentBytes: 1000}.withDefaults(), 0)
	names := map[string]bool{}
	for _, f := range files {
		names[f.Name] = true
		if strings.Contains(f.Name, "/") || strings.Contains(f.Name, "..") {
			t.Errorf("unsafe name %q", f.Name)
		}
	}
	if !names["passwd"] || !names["quyet-dinh.pdf"] || !names["ok.txt"] || names["big.bin"] || len(warns) != 1 {
		t.Fatalf("files %v warnings %v", names, warns)
	}
}
