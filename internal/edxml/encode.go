package edxml

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Encode validates m and writes it as an edXML package. Attachment data is
// streamed as base64 without line breaks (some receivers' decoders reject
// line separators).
func Encode(w io.Writer, m *Message) error {
	if m == nil {
		return fmt.Errorf("edxml: encode: nil message")
	}
	if err := m.Validate(); err != nil && !onlyLenient(err) {
		return fmt.Errorf("edxml: encode: %w", err)
	}
	bw := bufio.NewWriter(w)
	if err := writeEnvelope(bw, m.toWire()); err != nil {
		return fmt.Errorf("edxml: encode: %w", err)
	}
	if err := writeAttachments(bw, m.Attachments); err != nil {
		return fmt.Errorf("edxml: encode attachments: %w", err)
	}
	if _, err := bw.WriteString("</edXML>\n"); err != nil {
		return fmt.Errorf("edxml: encode: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("edxml: encode: write: %w", err)
	}
	return nil
}

// writeEnvelope writes the XML declaration, the root start tag and the
// envelope with the "edXML:" prefix the public samples use.
func writeEnvelope(w *bufio.Writer, env any) error {
	b, err := xml.MarshalIndent(env, "  ", "  ")
	if err != nil {
		return fmt.Errorf("marshal envelope: %w", err)
	}
	if _, err := w.WriteString(xmlHeader + `<edXML xmlns="` + Namespace + `">` + "\n"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if _, err := w.Write(prefixTags(b)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := w.WriteByte('\n'); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// prefixTags rewrites the output of xml.Marshal so that every element is
// written as "edXML:Name" and declares the prefix on the outermost element.
// It relies on encoding/xml escaping every '<' in text and attribute values,
// so each '<' in b starts a tag.
func prefixTags(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4+64)
	first := true
	for i := 0; i < len(b); i++ {
		c := b[i]
		out = append(out, c)
		if c != '<' || i+1 >= len(b) {
			continue
		}
		if b[i+1] == '/' {
			out = append(out, '/')
			i++
		}
		out = append(out, "edXML:"...)
		if first {
			first = false
			end := bytes.IndexAny(b[i+1:], " >")
			if end < 0 {
				continue
			}
			out = append(out, b[i+1:i+1+end]...)
			out = append(out, ` xmlns:edXML="`+Namespace+`"`...)
			i += end
		}
	}
	return out
}

func writeAttachments(w *bufio.Writer, atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	if _, err := w.WriteString("  <AttachmentEncoded>\n"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	for _, a := range atts {
		if _, err := w.WriteString("    <Attachment>\n"); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		leaves := [...][2]string{
			{"ContentType", a.ContentType},
			{"ContentId", a.ContentID},
			{"Description", a.Description},
			{"AttachmentName", a.Name},
		}
		for _, l := range leaves {
			if l[1] == "" {
				continue
			}
			if err := writeLeaf(w, "      ", l[0], l[1]); err != nil {
				return fmt.Errorf("attachment %q: %w", a.Name, err)
			}
		}
		if _, err := w.WriteString("      <ContentTransferEncoded>"); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		enc := base64.NewEncoder(base64.StdEncoding, w)
		if _, err := enc.Write(a.Data); err != nil {
			return fmt.Errorf("attachment %q: base64: %w", a.Name, err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("attachment %q: base64: %w", a.Name, err)
		}
		if _, err := w.WriteString("</ContentTransferEncoded>\n    </Attachment>\n"); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if _, err := w.WriteString("  </AttachmentEncoded>\n"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func writeLeaf(w *bufio.Writer, indent, name, text string) error {
	if _, err := w.WriteString(indent + "<" + name + ">"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := xml.EscapeText(w, []byte(text)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := w.WriteString("</" + name + ">\n"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (m *Message) toWire() *wireEnvelope {
	h := &wireMessageHeader{
		From:             organToWire(m.From),
		Code:             &wireCode{CodeNumber: m.CodeNumber, CodeNotation: m.CodeNotation},
		PromulgationInfo: &wirePromulgation{Place: m.Place, PromulgationDate: formatDate(m.PromulgationDate)},
		DocumentType: &wireDocType{
			Type:       strconv.Itoa(m.DocType.Type),
			TypeDetail: strconv.Itoa(m.DocType.TypeDetail),
			TypeName:   m.DocType.TypeName,
		},
		Subject:      m.Subject,
		Content:      m.Content,
		SignerInfo:   &wireSigner{Competence: m.Signer.Competence, Position: m.Signer.Position, FullName: m.Signer.FullName},
		SteeringType: strconv.Itoa(int(m.SteeringType)),
		DocumentID:   m.DocumentID,
	}
	for _, to := range m.To {
		h.To = append(h.To, *organToWire(to))
	}
	if !m.DueDate.IsZero() {
		h.DueDate = formatDate(m.DueDate)
	}
	if len(m.ToPlaces) > 0 {
		h.ToPlaces = &wireToPlaces{Place: m.ToPlaces}
	}
	o := m.Other
	wo := &wireOtherInfo{
		Priority:             strconv.Itoa(int(o.Priority)),
		SphereOfPromulgation: o.SphereOfPromulgation,
		TyperNotation:        o.TyperNotation,
		Direction:            strconv.FormatBool(o.Direction),
	}
	if o.PromulgationAmount > 0 {
		wo.PromulgationAmount = strconv.Itoa(o.PromulgationAmount)
	}
	if o.PageAmount > 0 {
		wo.PageAmount = strconv.Itoa(o.PageAmount)
	}
	if len(o.Appendixes) > 0 {
		wo.Appendixes = &wireAppendixes{Appendix: o.Appendixes}
	}
	h.OtherInfo = wo
	for _, rf := range m.ResponseFor {
		h.ResponseFor = append(h.ResponseFor, responseForToWire(rf))
	}
	env := &wireEnvelope{
		Header: &wireHeader{MessageHeader: h, Trace: traceToWire(m.Trace, m.Business)},
		Body:   &wireBody{Manifest: &wireManifest{Version: "1.0"}},
	}
	for _, a := range m.Attachments {
		env.Body.Manifest.Reference = append(env.Body.Manifest.Reference, wireReference{
			Href:           "cid:" + a.ContentID,
			ContentID:      "cid:" + a.ContentID,
			ContentType:    a.ContentType,
			Description:    a.Description,
			AttachmentName: a.Name,
		})
	}
	return env
}

func organToWire(o Organ) *wireOrgan {
	return &wireOrgan{
		OrganID:              o.ID,
		OrganizationInCharge: o.InCharge,
		OrganName:            o.Name,
		OrganAdd:             o.Address,
		Email:                o.Email,
		Telephone:            o.Telephone,
		Fax:                  o.Fax,
		Website:              o.Website,
	}
}

func responseForToWire(rf ResponseFor) wireResponseFor {
	w := wireResponseFor{OrganID: rf.OrganID, Code: rf.Code, DocumentID: rf.DocumentID}
	if !rf.PromulgationDate.IsZero() {
		w.PromulgationDate = formatDate(rf.PromulgationDate)
	}
	return w
}

func traceToWire(trace []TraceHeader, b *Business) *wireTraceList {
	if len(trace) == 0 && b == nil {
		return nil
	}
	tl := &wireTraceList{}
	for _, t := range trace {
		tl.TraceHeader = append(tl.TraceHeader, wireTraceHeader{OrganID: t.OrganID, Timestamp: formatTimestamp(t.Timestamp)})
	}
	if b != nil {
		wb := &wireBusiness{DocumentID: b.DocumentID, DocType: strconv.Itoa(int(b.DocType)), Reason: b.Reason, Paper: "0"}
		if b.Paper {
			wb.Paper = "1"
		}
		for _, s := range b.Staff {
			wb.Staff = append(wb.Staff, wireStaffInfo(s))
		}
		tl.Business = wb
	}
	return tl
}
