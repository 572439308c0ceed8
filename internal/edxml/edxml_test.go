package edxml

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

func encode(t testing.TB, m *Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

func TestSeedRoundTrip(t *testing.T) {
	m := seedMessage(t)
	out := encode(t, m)
	checkGolden(t, goldenDoc, out)

	got, err := Decode(bytes.NewReader(out), Limits{})
	if err != nil {
		t.Fatalf("Decode(encoded seed): %v", err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("decoded message differs from the encoded one\n got: %+v\nwant: %+v", got, m)
	}
	if !reflect.DeepEqual(got.Fields(), m.Fields()) {
		t.Errorf("fields differ after the round trip\n got: %+v\nwant: %+v", got.Fields(), m.Fields())
	}
	if !bytes.Equal(got.Attachments[0].Data, mp3Blob()) {
		t.Error("binary attachment changed in the round trip")
	}
}

func TestSeedFieldsMapping(t *testing.T) {
	seed := seedFields(t)
	m := seedMessage(t)
	if m.DocType != (DocType{Type: 18, TypeDetail: 0, TypeName: "Công văn"}) {
		t.Errorf("DocType = %+v", m.DocType)
	}
	if m.DocumentID != "000.15.33.H33,2021/06/04,570/STTTT-TTBCBC" {
		t.Errorf("DocumentID = %q", m.DocumentID)
	}
	if m.Other.Priority != PriorityNormal {
		t.Errorf("Priority = %v, want normal (seed has no urgency)", m.Other.Priority)
	}
	if !strings.HasPrefix(m.Content, "1. Tuyên truyền trách nhiệm") || !strings.Contains(m.Content, "\n3. Tiếp tục thông tin") {
		t.Errorf("Content should list the numbered items, got %q", m.Content)
	}
	wantRF := []ResponseFor{
		{OrganID: "000.00.21.G12", Code: "355/TTCS-TTTH", PromulgationDate: Date(2021, time.June, 3), DocumentID: "000.00.21.G12,2021/06/03,355/TTCS-TTTH"},
		{Code: "576/STTTT-TTBCBC", PromulgationDate: Date(2021, time.June, 4)},
	}
	if !reflect.DeepEqual(m.ResponseFor, wantRF) {
		t.Errorf("ResponseFor = %+v\nwant %+v", m.ResponseFor, wantRF)
	}

	out := encode(t, m)
	dec, err := Decode(bytes.NewReader(out), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := dec.Fields()
	for name, pair := range map[string][2]*string{
		"parent_issuer": {f.ParentIssuer, seed.ParentIssuer},
		"issuer":        {f.Issuer, seed.Issuer},
		"doc_type":      {f.DocType, seed.DocType},
		"number":        {f.Number, seed.Number},
		"notation":      {f.Notation, seed.Notation},
		"place":         {f.Place, seed.Place},
		"date":          {f.Date, seed.Date},
		"subject":       {f.Subject, seed.Subject},
		"urgency":       {f.Urgency, seed.Urgency},
		"signer_name":   {f.SignerName, seed.SignerName},
		"signer_title":  {f.SignerTitle, seed.SignerTitle},
	} {
		if docmodel.Val(pair[0]) != docmodel.Val(pair[1]) || (pair[0] == nil) != (pair[1] == nil) {
			t.Errorf("%s = %v, want %v", name, docmodel.Val(pair[0]), docmodel.Val(pair[1]))
		}
	}
	if !reflect.DeepEqual(f.Recipients, seed.Recipients) {
		t.Errorf("recipients = %q, want %q", f.Recipients, seed.Recipients)
	}
	if len(f.References) != len(seed.References) {
		t.Fatalf("references = %d, want %d", len(f.References), len(seed.References))
	}
	for i, r := range f.References {
		s := seed.References[i]
		if docmodel.Val(r.Number) != docmodel.Val(s.Number) || docmodel.Val(r.Notation) != docmodel.Val(s.Notation) || docmodel.Val(r.Date) != docmodel.Val(s.Date) {
			t.Errorf("reference %d = %s/%s %s, want %s/%s %s", i, docmodel.Val(r.Number), docmodel.Val(r.Notation), docmodel.Val(r.Date),
				docmodel.Val(s.Number), docmodel.Val(s.Notation), docmodel.Val(s.Date))
		}
	}
}

func TestUrgencyRoundTrip(t *testing.T) {
	for mark, want := range map[string]Priority{
		"KHẨN": PriorityUrgent, "Thượng khẩn": PriorityVeryUrgent, "HỎA TỐC": PriorityFlash,
		"HOẢ TỐC": PriorityFlash, "HỎA TỐC HẸN GIỜ": PriorityFlashTimed,
	} {
		f := seedFields(t)
		f.Urgency = docmodel.Str(mark)
		m, err := FromFields(f, seedFrom, seedTo, nil)
		if err != nil {
			t.Fatalf("%s: %v", mark, err)
		}
		if m.Other.Priority != want {
			t.Errorf("%s: priority %v, want %v", mark, m.Other.Priority, want)
		}
		dec, err := Decode(bytes.NewReader(encode(t, m)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got := docmodel.Val(dec.Fields().Urgency); got != urgencyMarks[want] {
			t.Errorf("%s: urgency back = %q, want %q", mark, got, urgencyMarks[want])
		}
	}
}

func TestFromFieldsRefuses(t *testing.T) {
	cases := map[string]func(*docmodel.Fields){
		"confidential": func(f *docmodel.Fields) { f.Confidentiality = docmodel.Str("MẬT") },
		"urgency":      func(f *docmodel.Fields) { f.Urgency = docmodel.Str("RẤT GẤP") },
		"date":         func(f *docmodel.Fields) { f.Date = docmodel.Str("04/06/2021") },
		"ref date":     func(f *docmodel.Fields) { f.References[0].Date = docmodel.Str("2021/06/03") },
	}
	for name, mutate := range cases {
		f := seedFields(t)
		mutate(&f)
		if _, err := FromFields(f, seedFrom, seedTo, nil); err == nil {
			t.Errorf("%s: FromFields accepted it", name)
		}
	}
}

func TestValidateRequired(t *testing.T) {
	err := (&Message{}).Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Validate(empty) = %v, want *ValidationError", err)
	}
	for _, p := range []string{"/From", "/To", "/Code/CodeNumber", "/Code/CodeNotation", "/PromulgationInfo/Place",
		"/PromulgationInfo/PromulgationDate", "/DocumentType/TypeName", "/Subject", "/SignerInfo/FullName", "/DocumentId"} {
		if !ve.Has(p) {
			t.Errorf("no problem reported for %s in %v", p, err)
		}
	}

	m := seedMessage(t)
	m.Other.Priority = 5
	m.SteeringType = 4
	m.Attachments[1].ContentID = m.Attachments[0].ContentID
	m.Attachments[0].Name = ""
	m.From.ID = "000 15"
	err = m.Validate()
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v", err)
	}
	for _, p := range []string{"/OtherInfo/Priority", "/SteeringType", "Reference[2]/ContentId", "Reference[1]/AttachmentName", "/From/OrganId", "/DocumentId"} {
		if !ve.Has(p) {
			t.Errorf("no problem reported for %s in %v", p, err)
		}
	}
	if err := Encode(&bytes.Buffer{}, m); !errors.Is(err, ErrInvalid) {
		t.Errorf("Encode of an invalid message = %v, want ErrInvalid", err)
	}
}

// TestDecodeErrors mutates the golden package into each class of bad input.
func TestDecodeErrors(t *testing.T) {
	golden, err := os.ReadFile(goldenDoc)
	if err != nil {
		t.Fatal(err)
	}
	g := string(golden)
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(g, old) {
			t.Fatalf("golden file lacks %q", old)
		}
		return strings.Replace(g, old, new, 1)
	}
	cut := func(start, end string) string {
		t.Helper()
		i := strings.Index(g, start)
		j := strings.Index(g[i+1:], end)
		if i < 0 || j < 0 {
			t.Fatalf("golden file lacks %q … %q", start, end)
		}
		return g[:i] + g[i+1+j+len(end):]
	}
	firstB64 := strings.Index(g, "<ContentTransferEncoded>") + len("<ContentTransferEncoded>")

	type check func(error) string
	is := func(target error) check {
		return func(err error) string {
			if !errors.Is(err, target) {
				return "want " + target.Error()
			}
			return ""
		}
	}
	problem := func(path, text string) check {
		return func(err error) string {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return "want *ValidationError"
			}
			for _, p := range ve.Problems {
				if strings.HasSuffix(p.Path, path) && strings.Contains(p.Message, text) {
					return ""
				}
			}
			return "want a problem at " + path + " mentioning " + text
		}
	}
	malformed := func(text string) check {
		return func(err error) string {
			if errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), text) {
				return "want a malformed-XML error mentioning " + text
			}
			return ""
		}
	}

	cases := []struct {
		name   string
		input  string
		limits Limits
		check  check
	}{
		{"doctype", replace("?>\n", "?>\n<!DOCTYPE edXML [<!ENTITY big \"aaaa\">]>\n"), Limits{}, is(ErrDoctype)},
		{"entity reference", replace("<edXML:Subject>", "<edXML:Subject>&big;"), Limits{}, malformed("entity")},
		{"input too large", g, Limits{MaxBytes: 2000}, is(ErrTooLarge)},
		{"attachment too large", g, Limits{MaxAttachmentBytes: 1000}, is(ErrTooLarge)},
		{"too many attachments", g, Limits{MaxAttachments: 1}, is(ErrTooLarge)},
		{"not xml", "hello, this is not XML", Limits{}, malformed("no XML element")},
		{"empty", "", Limits{}, malformed("no XML element")},
		{"truncated", g[:len(g)/2], Limits{}, malformed("malformed XML")},
		{"non-UTF-8 declaration", replace(`encoding="UTF-8"`, `encoding="ISO-8859-1"`), Limits{}, malformed("ISO-8859-1")},
		{"wrong namespace", replace(`<edXML xmlns="`+Namespace+`">`, `<edXML xmlns="urn:example:other">`), Limits{}, problem("edXML", "root element")},
		{"wrong root", "<?xml version=\"1.0\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>", Limits{}, problem("alert", "root element")},
		{"no header", "<edXML xmlns=\"" + Namespace + "\"></edXML>", Limits{}, problem("MessageHeader", "missing")},
		{"missing From", cut("<edXML:From>", "</edXML:From>"), Limits{}, problem("MessageHeader/From", "missing")},
		{"missing To", strings.NewReplacer("<edXML:To>", "<edXML:X>", "</edXML:To>", "</edXML:X>").Replace(g), Limits{}, problem("MessageHeader/To", "at least one")},
		{"bad date", replace("<edXML:PromulgationDate>2021/06/04</edXML:PromulgationDate>", "<edXML:PromulgationDate>2021-06-04</edXML:PromulgationDate>"), Limits{}, problem("PromulgationInfo/PromulgationDate", `"2021-06-04" is not a date in the form YYYY/MM/DD`)},
		{"bad due date", replace("<edXML:DueDate>2021/06/11", "<edXML:DueDate>2021/6/11"), Limits{}, problem("MessageHeader/DueDate", "YYYY/MM/DD")},
		{"bad priority", replace("<edXML:Priority>0<", "<edXML:Priority>9<"), Limits{}, problem("OtherInfo/Priority", "9 is not a priority")},
		{"priority not a number", replace("<edXML:Priority>0<", "<edXML:Priority>khẩn<"), Limits{}, problem("OtherInfo/Priority", "not a whole number")},
		{"bad steering type", replace("<edXML:SteeringType>1<", "<edXML:SteeringType>7<"), Limits{}, problem("SteeringType", "7 is not a steering type")},
		{"bad direction", replace("<edXML:Direction>false<", "<edXML:Direction>maybe<"), Limits{}, problem("OtherInfo/Direction", "not a boolean")},
		{"bad timestamp", replace("<edXML:Timestamp>2021/06/04 16:05:00<", "<edXML:Timestamp>2021-06-04T16:05:00<"), Limits{}, problem("TraceHeader[1]/Timestamp", "YYYY/MM/DD hh:mm:ss")},
		{"bad DocumentId", replace("<edXML:DocumentId>000.15.33.H33,", "<edXML:DocumentId>000.99.99.H99,"), Limits{}, problem("MessageHeader/DocumentId", "but the agency is")},
		{"bad base64", g[:firstB64] + "!!" + g[firstB64+2:], Limits{}, problem("Attachment[1]/ContentTransferEncoded", `("5K-vac-xin.mp3") is not valid base64`)},
		{"attachment missing", cut("<Attachment>", "</Attachment>"), Limits{}, problem("edXMLManifest/Reference[1]", "referenced in the manifest but missing from AttachmentEncoded")},
		{"duplicate content id", replace("<ContentId>576-tai-lieu</ContentId>", "<ContentId>576-audio-5k-vacxin</ContentId>"), Limits{}, problem("Attachment[2]/ContentId", "must be unique")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(c.input), c.limits)
			if err == nil {
				t.Fatal("Decode accepted the input")
			}
			if msg := c.check(err); msg != "" {
				t.Errorf("%s; got: %v", msg, err)
			}
		})
	}
}

// variantPackage follows other public samples: default namespace without
// prefixes, "cid:" in the attachment's ContentId, base64 with line breaks,
// a Signature, attributes on TraceHeaderList, SteeringType 0.
const variantPackage = `<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXMLEnvelope>
  <edXMLHeader>
   <MessageHeader>
    <From><OrganId>000.00.00.G22</OrganId><OrganizationInCharge>Văn phòng Chính phủ</OrganizationInCharge><OrganName>Văn phòng Chính phủ</OrganName></From>
    <To><OrganId>000.00.00.H41</OrganId><OrganName>UBND Tỉnh Nghệ An</OrganName></To>
    <To><OrganId>000.00.00.H14</OrganId><OrganName>UBND Tỉnh Cao Bằng</OrganName></To>
    <DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>
    <Code><CodeNumber>7816</CodeNumber><CodeNotation>VPCP-TTĐT</CodeNotation></Code>
    <PromulgationInfo><Place>Hà Nội</Place><PromulgationDate>2015/09/30</PromulgationDate></PromulgationInfo>
    <DocumentType><Type>1</Type><TypeName>Công văn</TypeName></DocumentType>
    <Subject>V/v kết nối, liên thông phần mềm quản lý văn bản</Subject>
    <SignerInfo><Competence>TL. BỘ TRƯỞNG</Competence><Position>Cục trưởng</Position><FullName>Nguyễn Văn B</FullName></SignerInfo>
    <ToPlaces><Place>Các bộ, cơ quan ngang bộ</Place><Place>UBND các tỉnh, TP</Place></ToPlaces>
    <OtherInfo><Priority>2</Priority><PromulgationAmount>2</PromulgationAmount><PageAmount>22</PageAmount><Appendixes><Appendix>Phụ lục I</Appendix><Appendix/></Appendixes></OtherInfo>
    <SteeringType>0</SteeringType>
   </MessageHeader>
   <TraceHeaderList id="a1b2" version="1.0" mustUnderstand="1">
    <TraceHeader><OrganId>000.00.00.G22</OrganId><Timestamp>2015/09/30</Timestamp></TraceHeader>
    <Bussiness><BussinessDocType>0</BussinessDocType><Paper>0</Paper></Bussiness>
   </TraceHeaderList>
   <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><Reference URI=""/></SignedInfo><SignatureValue>AAAA</SignatureValue></Signature>
   <DigitalSignature/>
  </edXMLHeader>
  <edXMLBody>
   <edXMLManifest version="1.0">
    <Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:209" xlink:type="simple">
     <Description>Công văn</Description><AttachmentName>cv.txt</AttachmentName><ContentType>text/plain</ContentType>
    </Reference>
   </edXMLManifest>
  </edXMLBody>
 </edXMLEnvelope>
 <AttachmentEncoded>
  <Attachment>
   <ContentId>cid:209</ContentId>
   <ContentTransferEncoded>
     Q8O0bmcg
     dsSDbg==
   </ContentTransferEncoded>
  </Attachment>
  <Attachment><ContentType>application/pdf</ContentType><ContentId>extra</ContentId><AttachmentName>phu-luc.pdf</AttachmentName><ContentTransferEncoded>JVBERi0=</ContentTransferEncoded></Attachment>
 </AttachmentEncoded>
</edXML>
`

func TestDecodeVariant(t *testing.T) {
	m, err := Decode(strings.NewReader(variantPackage), Limits{})
	if err != nil {
		t.Fatalf("Decode(variant): %v", err)
	}
	if !m.Signed {
		t.Error("Signed = false, want true (a Signature element is present)")
	}
	if m.From.ID != "000.00.00.G22" || len(m.To) != 2 || m.To[1].Name != "UBND Tỉnh Cao Bằng" {
		t.Errorf("From/To = %+v / %+v", m.From, m.To)
	}
	if m.Other.Priority != PriorityVeryUrgent || m.Other.PageAmount != 22 || !reflect.DeepEqual(m.Other.Appendixes, []string{"Phụ lục I"}) {
		t.Errorf("OtherInfo = %+v", m.Other)
	}
	if m.SteeringType != SteeringUnspecified || m.Business == nil || m.Business.DocType != BusinessNew {
		t.Errorf("SteeringType = %v, Business = %+v", m.SteeringType, m.Business)
	}
	if len(m.Trace) != 1 || !m.Trace[0].Timestamp.Equal(Date(2015, time.September, 30)) {
		t.Errorf("Trace = %+v", m.Trace)
	}
	want := []Attachment{
		{ContentID: "209", ContentType: "text/plain", Name: "cv.txt", Description: "Công văn", Data: []byte("Công văn")},
		{ContentID: "extra", ContentType: "application/pdf", Name: "phu-luc.pdf", Data: []byte("%PDF-")},
	}
	if !reflect.DeepEqual(m.Attachments, want) {
		t.Errorf("Attachments = %+v\nwant %+v", m.Attachments, want)
	}
	f := m.Fields()
	if docmodel.Val(f.Urgency) != "THƯỢNG KHẨN" || docmodel.Val(f.DocType) != "Công văn" || docmodel.Val(f.Date) != "2015-09-30" {
		t.Errorf("Fields = urgency %q, type %q, date %q", docmodel.Val(f.Urgency), docmodel.Val(f.DocType), docmodel.Val(f.Date))
	}
	// Re-encoding writes the standard form, which decodes to the same message
	// (less the signature, which is never written).
	again, err := Decode(bytes.NewReader(encode(t, m)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	m.Signed = false
	if !reflect.DeepEqual(again, m) {
		t.Errorf("re-encoded variant differs\n got: %+v\nwant: %+v", again, m)
	}
}

func TestEncodeShape(t *testing.T) {
	out := string(encode(t, seedMessage(t)))
	for _, want := range []string{
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"" + Namespace + "\">\n",
		"<edXML:edXMLEnvelope xmlns:edXML=\"" + Namespace + "\">",
		"<edXML:ContentId>cid:576-audio-5k-vacxin</edXML:ContentId>",
		"<ContentId>576-audio-5k-vacxin</ContentId>",
		"<edXML:TypeName>Công văn</edXML:TypeName>",
		"<edXML:Description>Tài liệu tuyên truyền &lt;Quỹ vắc xin&gt; &amp; phòng, chống Covid-19</edXML:Description>",
		"\n</edXML>\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestDocTypeTable(t *testing.T) {
	d, ok := LookupDocType("CÔNG  VĂN")
	if !ok || d.Type != 18 || d.Name != "Công văn" {
		t.Errorf("LookupDocType(CÔNG VĂN) = %+v, %v", d, ok)
	}
	// NFD input (decomposed accents from old tools).
	if d, ok := LookupDocType("Quye\u0302\u0301t đi\u0323nh"); !ok || d.Abbrev != "QĐ" {
		t.Errorf("LookupDocType(NFD Quyết định) = %+v, %v", d, ok)
	}
	if d, ok := LookupDocType("giấy uỷ quyền"); !ok || d.Abbrev != "GUQ" {
		t.Errorf("alias lookup = %+v, %v", d, ok)
	}
	if _, ok := LookupDocType("Thư tình"); ok {
		t.Error("unknown type found")
	}
	names, codes := map[string]bool{}, map[int]bool{}
	for _, d := range DocTypes() {
		if names[foldName(d.Name)] || codes[d.Type] {
			t.Errorf("duplicate entry %+v", d)
		}
		names[foldName(d.Name)], codes[d.Type] = true, true
		if back, ok := DocTypeByCode(d.Type); !ok || back.Name != d.Name {
			t.Errorf("DocTypeByCode(%d) = %+v", d.Type, back)
		}
	}
	for _, n := range []string{"Công văn", "Quyết định", "Chỉ thị", "Thông báo", "Kế hoạch", "Báo cáo", "Tờ trình", "Giấy mời", "Hướng dẫn", "Công điện", "Nghị quyết", "Nghị định", "Thông tư"} {
		if _, ok := LookupDocType(n); !ok {
			t.Errorf("%s missing from the table", n)
		}
	}
}
