package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Received is a package as another system sent it: a document package
// (Message) or a status package (Status), the bytes exactly as received,
// and the deviations from QCVN 102 a clerk should know about. Receive
// accepts what the reference exchange SDK reads and turns deviations into
// Warnings instead of refusing the package.
type Received struct {
	Raw      []byte
	Message  *Message // a document package; nil for a status package
	Status   *Status  // a status package; nil for a document package
	Warnings []string
	// Files are the attachments as files of the document: every attachment,
	// with application/zip attachments unpacked (and packages found inside
	// them opened) as the reference SDK does.
	Files []File
}

// File is one file of a received document.
type File struct {
	Name        string
	ContentType string
	Data        []byte
	// Source says where it came from: "attachment", or "zip:NAME" for a
	// file unpacked from the zip attachment NAME.
	Source string
}

// Zip limits: a zip attachment is unpacked only within these bounds.
const (
	maxZipEntries = 200
	maxZipDepth   = 2
)

// Receive reads a package leniently. It refuses only what cannot be read:
// input over the limits, malformed XML, text before the root element, a
// root that is not <edXML>, a package without a MessageHeader, and
// attachments that are not valid base64 — each with the reason.
func Receive(r io.Reader, limits Limits) (*Received, error) {
	limits = limits.withDefaults()
	raw, err := io.ReadAll(&limitReader{r: r, left: limits.MaxBytes})
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("edxml: %w (%d bytes)", ErrTooLarge, limits.MaxBytes)
		}
		return nil, fmt.Errorf("edxml: read: %w", err)
	}
	return receive(raw, limits, 0)
}

func receive(raw []byte, limits Limits, depth int) (*Received, error) {
	if err := checkPrologue(raw); err != nil {
		return nil, err
	}
	rec := &Received{Raw: raw}
	// A status package is recognised by its StatusCode element.
	var sdoc wireStatusDoc
	if err := decodeXML(bytes.NewReader(raw), limits.MaxBytes, &sdoc); err != nil {
		return nil, fmt.Errorf("edxml: %w", err)
	}
	if sdoc.XMLName.Local != "edXML" || sdoc.XMLName.Space != Namespace {
		return nil, fmt.Errorf("edxml: the root element must be <edXML xmlns=%q>, got <%s> in namespace %q: not an edXML package", Namespace, sdoc.XMLName.Local, sdoc.XMLName.Space)
	}
	if sdoc.Envelope == nil || sdoc.Envelope.Header == nil || sdoc.Envelope.Header.MessageHeader == nil {
		return nil, fmt.Errorf("edxml: the package has no edXMLEnvelope/edXMLHeader/MessageHeader: nothing to import")
	}
	if strings.TrimSpace(sdoc.Envelope.Header.MessageHeader.StatusCode) != "" {
		rec.Status, rec.Warnings = receiveStatus(&sdoc)
		return rec, nil
	}
	var doc wireDoc
	if err := decodeXML(bytes.NewReader(raw), limits.MaxBytes, &doc); err != nil {
		return nil, fmt.Errorf("edxml: %w", err)
	}
	var ps problems
	m := &Message{}
	hdr := doc.Envelope.Header
	m.fromWireHeader(&ps, hdr.MessageHeader)
	m.Trace, m.Business = traceFromWire(&ps, hdr.Trace)
	m.Signed = hdr.Signature != nil
	if err := m.attachmentsFromWire(&ps, doc.Envelope.Body, doc.Encoded, limits); err != nil {
		return nil, fmt.Errorf("edxml: %w", err)
	}
	var fatal []string
	for _, p := range ps {
		if strings.HasSuffix(p.Path, "ContentTransferEncoded") {
			fatal = append(fatal, p.String())
			continue
		}
		rec.Warnings = append(rec.Warnings, p.String())
	}
	if len(fatal) > 0 {
		return nil, fmt.Errorf("edxml: an attachment cannot be decoded: %s", strings.Join(fatal, "; "))
	}
	// Empty placeholder ResponseFor elements name nothing: drop them.
	var rfs []ResponseFor
	for _, rf := range m.ResponseFor {
		if rf.Code == "" && rf.DocumentID == "" && rf.OrganID == "" {
			rec.Warnings = append(rec.Warnings, pathHeader+"/ResponseFor: empty, ignored")
			continue
		}
		rfs = append(rfs, rf)
	}
	m.ResponseFor = rfs
	if err := m.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				rec.Warnings = append(rec.Warnings, p.String())
			}
		}
	}
	rec.Message = m
	for _, a := range m.Attachments {
		files, warns := unpack(a, limits, depth)
		rec.Files = append(rec.Files, files...)
		rec.Warnings = append(rec.Warnings, warns...)
	}
	return rec, nil
}

// checkPrologue refuses text before the root element (a BOM, the XML
// declaration, comments and white space are fine).
func checkPrologue(raw []byte) error {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	d.Strict = true
	for {
		t, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("edxml: no XML element found: the input is empty or not XML")
			}
			return fmt.Errorf("edxml: malformed XML: %w", err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			return nil
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" {
				if len(s) > 40 {
					s = s[:40] + "…"
				}
				return fmt.Errorf("edxml: text before the root element (%q): the file must start with <?xml …?> or <edXML>", s)
			}
		case xml.Directive:
			return ErrDoctype
		}
	}
}

func receiveStatus(doc *wireStatusDoc) (*Status, []string) {
	var ps problems
	h := doc.Envelope.Header.MessageHeader
	s := &Status{
		From:        organFromWire(h.From),
		Code:        StatusCode(strings.TrimSpace(h.StatusCode)),
		Description: strings.TrimSpace(h.Description),
		Signed:      doc.Envelope.Header.Signature != nil,
	}
	if h.ResponseFor != nil {
		s.ResponseFor = responseForFromWire(&ps, pathStatus+"/ResponseFor", h.ResponseFor)
	}
	if ts := strings.TrimSpace(h.Timestamp); ts != "" {
		t, err := parseTimestamp(ts)
		if err != nil {
			if alt, aerr := time.ParseInLocation("02/01/2006 15:04:05", ts, vnZone); aerr == nil {
				ps.lenient(pathStatus+"/Timestamp", "%q is not written YYYY/MM/DD hh:mm:ss; read as %s", ts, formatTimestamp(alt))
				t, err = alt, nil
			}
		}
		if err != nil {
			ps.add(pathStatus+"/Timestamp", "%v", err)
		}
		s.Timestamp = t
	}
	if si := h.StaffInfo; si != nil {
		s.Staff = StaffInfo{Department: strings.TrimSpace(si.Department), Staff: strings.TrimSpace(si.Staff),
			Mobile: strings.TrimSpace(si.Mobile), Email: strings.TrimSpace(si.Email)}
	}
	s.Trace, _ = traceFromWire(&ps, doc.Envelope.Header.Trace)
	var warns []string
	for _, p := range ps {
		warns = append(warns, p.String())
	}
	if err := s.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				warns = append(warns, p.String())
			}
		}
	}
	return s, warns
}

// unpack turns an attachment into files: itself, or for a zip the files
// inside it (a package inside is opened and its attachments taken), within
// the size limits and with safe names.
func unpack(a Attachment, limits Limits, depth int) ([]File, []string) {
	self := File{Name: safeName(a.Name, a.ContentID), ContentType: a.ContentType, Data: a.Data, Source: "attachment"}
	if !isZip(a) || depth >= maxZipDepth {
		return []File{self}, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Data), int64(len(a.Data)))
	if err != nil {
		return []File{self}, []string{fmt.Sprintf("attachment %q is marked application/zip but is not a zip archive (%v); kept as it is", a.Name, err)}
	}
	if len(zr.File) > maxZipEntries {
		return []File{self}, []string{fmt.Sprintf("attachment %q holds %d files, more than %d; kept packed", a.Name, len(zr.File), maxZipEntries)}
	}
	var out []File
	var warns []string
	var total int64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := safeName(f.Name, "")
		if f.UncompressedSize64 > uint64(limits.MaxAttachmentBytes) || total+int64(f.UncompressedSize64) > limits.MaxAttachmentBytes*2 {
			warns = append(warns, fmt.Sprintf("%s in %q is larger than the limit; not unpacked", name, a.Name))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s in %q cannot be opened: %v", name, a.Name, err))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, limits.MaxAttachmentBytes+1))
		rc.Close()
		if err != nil || int64(len(data)) > limits.MaxAttachmentBytes {
			warns = append(warns, fmt.Sprintf("%s in %q cannot be read within the size limit", name, a.Name))
			continue
		}
		total += int64(len(data))
		if strings.EqualFold(path.Ext(name), ".edxml") {
			inner, err := receive(data, limits, depth+1)
			if err == nil && inner.Message != nil {
				for _, f := range inner.Files {
					f.Source = "zip:" + a.Name
					out = append(out, f)
				}
				for _, w := range inner.Warnings {
					warns = append(warns, name+": "+w)
				}
				continue
			}
			if err != nil {
				warns = append(warns, fmt.Sprintf("the package %s inside %q cannot be read (%v); kept as a file", name, a.Name, err))
			}
		}
		out = append(out, File{Name: name, ContentType: contentTypeOf(name), Data: data, Source: "zip:" + a.Name})
	}
	if len(out) == 0 {
		return []File{self}, warns
	}
	return out, warns
}

func isZip(a Attachment) bool {
	ct := strings.ToLower(strings.TrimSpace(a.ContentType))
	return ct == "application/zip" || ct == "application/x-zip-compressed" || bytes.HasPrefix(a.Data, []byte("PK\x03\x04")) && strings.EqualFold(path.Ext(a.Name), ".zip")
}

// safeName keeps the base name of a path inside a zip or package (no
// directories, no "..": zip-slip safe), valid UTF-8, at most 200 bytes.
func safeName(name, fallback string) string {
	name = strings.ReplaceAll(strings.TrimSpace(name), "\\", "/")
	name = path.Base(name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" || name == ".." {
		name = "attachment"
		if fallback != "" {
			name += "-" + fallback
		}
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

func contentTypeOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".doc":
		return "application/msword"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".xml", ".edxml":
		return "application/xml"
	case ".zip":
		return "application/zip"
	}
	return "application/octet-stream"
}
