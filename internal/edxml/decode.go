package edxml

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Limits bound what Decode accepts. Zero fields take the defaults.
type Limits struct {
	MaxBytes           int64 // whole input; default 100 MiB
	MaxAttachmentBytes int64 // decoded size of one attachment; default 50 MiB
	MaxAttachments     int   // default 200
}

// Default limits.
const (
	DefaultMaxBytes           = 100 << 20
	DefaultMaxAttachmentBytes = 50 << 20
	DefaultMaxAttachments     = 200
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultMaxAttachments
	}
	return l
}

// Decode reads one edXML document package, checks it (structure, dates,
// numbers, base64, manifest against attachments, then Validate) and returns
// the message. Problems in the package come back as a *ValidationError
// (errors.Is(err, ErrInvalid)); oversize input as ErrTooLarge; a DOCTYPE as
// ErrDoctype.
func Decode(r io.Reader, limits Limits) (*Message, error) {
	limits = limits.withDefaults()
	var doc wireDoc
	if err := decodeXML(r, limits.MaxBytes, &doc); err != nil {
		return nil, fmt.Errorf("edxml: decode: %w", err)
	}
	var ps problems
	checkRoot(&ps, doc.XMLName)
	m := &Message{}
	if doc.Envelope == nil || doc.Envelope.Header == nil || doc.Envelope.Header.MessageHeader == nil {
		ps.add(pathHeader, "missing: the package has no edXMLEnvelope/edXMLHeader/MessageHeader")
		return nil, ps.err()
	}
	hdr := doc.Envelope.Header
	m.fromWireHeader(&ps, hdr.MessageHeader)
	m.Trace, m.Business = traceFromWire(&ps, hdr.Trace)
	m.Signed = hdr.Signature != nil
	if err := m.attachmentsFromWire(&ps, doc.Envelope.Body, doc.Encoded, limits); err != nil {
		return nil, fmt.Errorf("edxml: decode: %w", err)
	}
	if len(ps) > 0 {
		return nil, ps.err() // a *ValidationError, self-describing
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func checkRoot(ps *problems, name xml.Name) {
	if name.Space != Namespace || name.Local != "edXML" {
		ps.add(name.Local, "the root element must be <edXML xmlns=%q>, got <%s> in namespace %q", Namespace, name.Local, name.Space)
	}
}

// decodeXML decodes one XML document into v, refusing markup declarations
// and reading at most maxBytes.
func decodeXML(r io.Reader, maxBytes int64, v any) error {
	lr := &limitReader{r: r, left: maxBytes}
	raw := xml.NewDecoder(lr)
	raw.Strict = true
	dec := xml.NewTokenDecoder(&declGuard{d: raw})
	if err := dec.Decode(v); err != nil {
		switch {
		case errors.Is(err, ErrTooLarge):
			return fmt.Errorf("%w (%d bytes); raise Limits.MaxBytes if this package is legitimate", ErrTooLarge, maxBytes)
		case errors.Is(err, ErrDoctype):
			return err
		case errors.Is(err, io.EOF):
			return fmt.Errorf("no XML element found: the input is empty or not XML")
		}
		return fmt.Errorf("malformed XML: %w", err)
	}
	return nil
}

// limitReader fails with ErrTooLarge once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}

// declGuard passes tokens through and refuses directives (<!DOCTYPE ...>,
// <!ENTITY ...>): edXML needs none, and refusing them rules out entity
// tricks. encoding/xml never expands external entities; this also keeps
// internal DTD subsets out.
type declGuard struct {
	d *xml.Decoder
}

func (g *declGuard) Token() (xml.Token, error) {
	t, err := g.d.Token()
	if _, ok := t.(xml.Directive); ok {
		return nil, ErrDoctype
	}
	return t, err
}

func organFromWire(w *wireOrgan) Organ {
	if w == nil {
		return Organ{}
	}
	return Organ{
		ID:        strings.TrimSpace(w.OrganID),
		InCharge:  strings.TrimSpace(w.OrganizationInCharge),
		Name:      strings.TrimSpace(w.OrganName),
		Address:   strings.TrimSpace(w.OrganAdd),
		Email:     strings.TrimSpace(w.Email),
		Telephone: strings.TrimSpace(w.Telephone),
		Fax:       strings.TrimSpace(w.Fax),
		Website:   strings.TrimSpace(w.Website),
	}
}

func (m *Message) fromWireHeader(ps *problems, h *wireMessageHeader) {
	p := pathHeader
	if h.From == nil {
		ps.add(p+"/From", "missing: the sending agency is required")
	}
	m.From = organFromWire(h.From)
	for _, to := range h.To {
		m.To = append(m.To, organFromWire(&to))
	}
	if h.Code != nil {
		m.CodeNumber = strings.TrimSpace(h.Code.CodeNumber)
		m.CodeNotation = strings.TrimSpace(h.Code.CodeNotation)
	}
	if pi := h.PromulgationInfo; pi != nil {
		m.Place = strings.TrimSpace(pi.Place)
		m.PromulgationDate = dateField(ps, p+"/PromulgationInfo/PromulgationDate", pi.PromulgationDate)
	}
	if dt := h.DocumentType; dt != nil {
		m.DocType = DocType{
			Type:       intField(ps, p+"/DocumentType/Type", dt.Type),
			TypeDetail: intField(ps, p+"/DocumentType/TypeDetail", dt.TypeDetail),
			TypeName:   strings.TrimSpace(dt.TypeName),
		}
	}
	m.Subject = strings.TrimSpace(h.Subject)
	m.Content = h.Content
	if s := h.SignerInfo; s != nil {
		m.Signer = Signer{
			Competence: strings.TrimSpace(s.Competence),
			Position:   strings.TrimSpace(s.Position),
			FullName:   strings.TrimSpace(s.FullName),
		}
	}
	m.DueDate = dateField(ps, p+"/DueDate", h.DueDate)
	if h.ToPlaces != nil {
		for _, pl := range h.ToPlaces.Place {
			if pl = strings.TrimSpace(pl); pl != "" {
				m.ToPlaces = append(m.ToPlaces, pl)
			}
		}
	}
	if o := h.OtherInfo; o != nil {
		m.Other = OtherInfo{
			Priority:             Priority(intField(ps, p+"/OtherInfo/Priority", o.Priority)),
			SphereOfPromulgation: strings.TrimSpace(o.SphereOfPromulgation),
			TyperNotation:        strings.TrimSpace(o.TyperNotation),
			PromulgationAmount:   intField(ps, p+"/OtherInfo/PromulgationAmount", o.PromulgationAmount),
			PageAmount:           intField(ps, p+"/OtherInfo/PageAmount", o.PageAmount),
			Direction:            boolField(ps, p+"/OtherInfo/Direction", o.Direction),
		}
		if o.Appendixes != nil {
			for _, a := range o.Appendixes.Appendix {
				if a = strings.TrimSpace(a); a != "" {
					m.Other.Appendixes = append(m.Other.Appendixes, a)
				}
			}
		}
	}
	for i, rf := range h.ResponseFor {
		m.ResponseFor = append(m.ResponseFor, responseForFromWire(ps, fmt.Sprintf("%s/ResponseFor[%d]", p, i+1), &rf))
	}
	m.SteeringType = SteeringType(intField(ps, p+"/SteeringType", h.SteeringType))
	m.DocumentID = strings.TrimSpace(h.DocumentID)
}

func responseForFromWire(ps *problems, path string, w *wireResponseFor) ResponseFor {
	return ResponseFor{
		OrganID:          strings.TrimSpace(w.OrganID),
		Code:             strings.TrimSpace(w.Code),
		PromulgationDate: dateField(ps, path+"/PromulgationDate", w.PromulgationDate),
		DocumentID:       strings.TrimSpace(w.DocumentID),
	}
}

func traceFromWire(ps *problems, tl *wireTraceList) ([]TraceHeader, *Business) {
	if tl == nil {
		return nil, nil
	}
	var trace []TraceHeader
	for i, t := range tl.TraceHeader {
		p := fmt.Sprintf("%s/TraceHeader[%d]/Timestamp", pathTrace, i+1)
		th := TraceHeader{OrganID: strings.TrimSpace(t.OrganID)}
		if s := strings.TrimSpace(t.Timestamp); s != "" {
			ts, err := parseTimestamp(s)
			if err != nil {
				if alt, aerr := time.ParseInLocation("02/01/2006 15:04:05", s, vnZone); aerr == nil {
					ps.lenient(p, "%q is not written YYYY/MM/DD hh:mm:ss; read as %s", s, formatTimestamp(alt))
					ts, err = alt, nil
				}
			}
			if err != nil {
				ps.add(p, "%v", err)
			}
			th.Timestamp = ts
		}
		trace = append(trace, th)
	}
	var b *Business
	if wb := tl.Business; wb != nil {
		p := pathTrace + "/Bussiness"
		b = &Business{
			DocType:    BusinessDocType(intField(ps, p+"/BussinessDocType", wb.DocType)),
			Reason:     strings.TrimSpace(wb.Reason),
			Paper:      boolField(ps, p+"/Paper", wb.Paper),
			DocumentID: strings.TrimSpace(wb.DocumentID),
		}
		if wb.Replacements != nil {
			for _, r := range wb.Replacements.Info {
				if id := strings.TrimSpace(r.DocumentID); id != "" {
					b.Replaces = append(b.Replaces, id)
				}
			}
		}
		for _, s := range wb.Staff {
			b.Staff = append(b.Staff, StaffInfo{
				Department: strings.TrimSpace(s.Department),
				Staff:      strings.TrimSpace(s.Staff),
				Mobile:     strings.TrimSpace(s.Mobile),
				Email:      strings.TrimSpace(s.Email),
			})
		}
	}
	return trace, b
}

// bareCID strips an optional "cid:" prefix (any case) and angle brackets.
func bareCID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "cid:") {
		s = s[4:]
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
}

// attachmentsFromWire pairs manifest references with encoded attachments.
// Size violations return ErrTooLarge; other problems go to ps.
func (m *Message) attachmentsFromWire(ps *problems, body *wireBody, encoded []wireEncoded, limits Limits) error {
	var refs []wireReference
	if body != nil && body.Manifest != nil {
		refs = body.Manifest.Reference
	}
	var atts []wireAttachment
	for _, e := range encoded {
		atts = append(atts, e.Attachment...)
	}
	if len(refs) > limits.MaxAttachments || len(atts) > limits.MaxAttachments {
		return fmt.Errorf("%w: %d attachments, more than the limit of %d", ErrTooLarge, max(len(refs), len(atts)), limits.MaxAttachments)
	}
	byCID := make(map[string]int, len(atts))
	for i, a := range atts {
		cid := bareCID(a.ContentID)
		p := fmt.Sprintf("%s/Attachment[%d]/ContentId", pathEncoded, i+1)
		if cid == "" {
			ps.add(p, "missing: attachment %q has no content id, so it cannot be matched to the manifest", strings.TrimSpace(a.AttachmentName))
			continue
		}
		if j, dup := byCID[cid]; dup {
			ps.add(p, "%q is also used by attachment %d; content ids must be unique", cid, j+1)
			continue
		}
		byCID[cid] = i
	}
	used := make(map[int]bool, len(atts))
	for i, ref := range refs {
		p := fmt.Sprintf("%s/Reference[%d]", pathManifest, i+1)
		cid := bareCID(ref.ContentID)
		if cid == "" {
			cid = bareCID(ref.Href)
		}
		if cid == "" {
			ps.add(p+"/ContentId", "missing: the manifest entry %q has no content id", strings.TrimSpace(ref.AttachmentName))
			continue
		}
		j, ok := byCID[cid]
		if !ok {
			ps.add(p, "attachment cid:%s (%q) is referenced in the manifest but missing from AttachmentEncoded", cid, strings.TrimSpace(ref.AttachmentName))
			continue
		}
		if used[j] {
			ps.add(p+"/ContentId", "cid:%s is listed twice in the manifest", cid)
			continue
		}
		used[j] = true
		a := atts[j]
		att := Attachment{
			ContentID:   cid,
			ContentType: firstNonEmpty(ref.ContentType, a.ContentType),
			Name:        firstNonEmpty(ref.AttachmentName, a.AttachmentName),
			Description: firstNonEmpty(ref.Description, a.Description),
		}
		data, err := decodeBase64(fmt.Sprintf("%s/Attachment[%d]/ContentTransferEncoded", pathEncoded, j+1), att, a.Encoded, limits.MaxAttachmentBytes)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			ps.add(fmt.Sprintf("%s/Attachment[%d]/ContentTransferEncoded", pathEncoded, j+1), "%v", err)
			continue
		}
		att.Data = data
		m.Attachments = append(m.Attachments, att)
	}
	// Attachments the manifest does not list are kept (some senders omit
	// them from the manifest); their own elements describe them.
	for i, a := range atts {
		cid := bareCID(a.ContentID)
		if j, ok := byCID[cid]; !ok || j != i || used[i] {
			continue
		}
		att := Attachment{
			ContentID:   cid,
			ContentType: strings.TrimSpace(a.ContentType),
			Name:        strings.TrimSpace(a.AttachmentName),
			Description: strings.TrimSpace(a.Description),
		}
		path := fmt.Sprintf("%s/Attachment[%d]/ContentTransferEncoded", pathEncoded, i+1)
		data, err := decodeBase64(path, att, a.Encoded, limits.MaxAttachmentBytes)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			ps.add(path, "%v", err)
			continue
		}
		att.Data = data
		m.Attachments = append(m.Attachments, att)
	}
	return nil
}

func decodeBase64(path string, att Attachment, s string, maxBytes int64) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if n := int64(base64.StdEncoding.DecodedLen(len(clean))); n > maxBytes+2 {
		return nil, fmt.Errorf("%w: %s: attachment %q decodes to about %d bytes, more than the limit of %d", ErrTooLarge, path, att.Name, n, maxBytes)
	}
	data, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("attachment cid:%s (%q) is not valid base64 (bad data at byte %d of the encoded text)", att.ContentID, att.Name, int64(ce))
		}
		return nil, fmt.Errorf("attachment cid:%s (%q) is not valid base64: %w", att.ContentID, att.Name, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: %s: attachment %q is %d bytes, more than the limit of %d", ErrTooLarge, path, att.Name, len(data), maxBytes)
	}
	return data, nil
}

func firstNonEmpty(a, b string) string {
	if a = strings.TrimSpace(a); a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

func dateField(ps *problems, path, s string) (t0 time.Time) {
	s = strings.TrimSpace(s)
	if s == "" {
		return t0
	}
	t, strict, err := parseDateLenient(s)
	if err != nil {
		ps.add(path, "%v", err)
		return t0
	}
	if !strict {
		ps.lenient(path, "%q is not a date in the form YYYY/MM/DD (e.g. 2021/06/04); read as %s", s, formatDate(t))
	}
	return t
}

func intField(ps *problems, path, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		ps.add(path, "%q is not a whole number", s)
		return 0
	}
	return n
}

func boolField(ps *problems, path, s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	ps.add(path, "%q is not a boolean; use true/false or 1/0", s)
	return false
}
