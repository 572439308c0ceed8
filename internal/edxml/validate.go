package edxml

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors, matched with errors.Is. Decode wraps them with the
// "edxml: decode:" prefix and details.
var (
	// ErrTooLarge: the input or one attachment exceeds its Limits.
	ErrTooLarge = errors.New("input exceeds the size limit")
	// ErrDoctype: the input contains a DOCTYPE or other markup declaration.
	ErrDoctype = errors.New("DOCTYPE and other markup declarations are not allowed in edXML")
	// ErrInvalid: the package is well-formed XML but not a valid edXML
	// package; the error is a *ValidationError listing the problems.
	ErrInvalid = errors.New("edxml: invalid package")
)

// Problem is one thing wrong with a package, located by element path
// (e.g. "MessageHeader/PromulgationInfo/PromulgationDate").
type Problem struct {
	Path    string
	Message string
	// Lenient marks a deviation a lenient reader (Receive) accepts with a
	// warning, e.g. a date written dd/MM/yyyy; Decode still refuses it.
	Lenient bool
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// ValidationError lists every problem found in a package. It matches
// ErrInvalid with errors.Is.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("edxml: invalid package: ")
	} else {
		fmt.Fprintf(&b, "edxml: invalid package (%d problems): ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// onlyLenient reports whether every problem of err is a lenient one.
func onlyLenient(err error) bool {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, p := range ve.Problems {
		if !p.Lenient {
			return false
		}
	}
	return true
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Has reports whether some problem's path ends with suffix.
func (e *ValidationError) Has(suffix string) bool {
	for _, p := range e.Problems {
		if strings.HasSuffix(p.Path, suffix) {
			return true
		}
	}
	return false
}

// problems collects Problem values.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) lenient(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...), Lenient: true})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// Element paths used in messages.
const (
	pathHeader   = "edXMLEnvelope/edXMLHeader/MessageHeader"
	pathTrace    = "edXMLEnvelope/edXMLHeader/TraceHeaderList"
	pathManifest = "edXMLEnvelope/edXMLBody/edXMLManifest"
	pathEncoded  = "AttachmentEncoded"
)

const maxOrganIDLen = 35

// Validate checks the required elements and value ranges of QCVN 102 and
// returns a *ValidationError listing every problem, or nil.
func (m *Message) Validate() error {
	var ps problems
	checkOrgan(&ps, pathHeader+"/From", m.From, true)
	if len(m.To) == 0 {
		ps.add(pathHeader+"/To", "missing: at least one receiving agency is required")
	}
	for i, to := range m.To {
		checkOrgan(&ps, fmt.Sprintf("%s/To[%d]", pathHeader, i+1), to, false)
	}
	if strings.TrimSpace(m.CodeNumber) == "" {
		ps.add(pathHeader+"/Code/CodeNumber", "missing: the document number (số) is required")
	}
	if strings.TrimSpace(m.CodeNotation) == "" {
		ps.add(pathHeader+"/Code/CodeNotation", "missing: the notation (ký hiệu, e.g. STTTT-TTBCBC) is required")
	}
	if strings.TrimSpace(m.Place) == "" {
		ps.add(pathHeader+"/PromulgationInfo/Place", "missing: the place of issue is required")
	}
	if m.PromulgationDate.IsZero() {
		ps.add(pathHeader+"/PromulgationInfo/PromulgationDate", "missing: the date of issue is required")
	}
	if strings.TrimSpace(m.DocType.TypeName) == "" {
		ps.add(pathHeader+"/DocumentType/TypeName", "missing: the document type name (e.g. Công văn) is required")
	}
	if m.DocType.Type < 0 || m.DocType.TypeDetail < 0 {
		ps.add(pathHeader+"/DocumentType", "Type and TypeDetail must not be negative")
	}
	if strings.TrimSpace(m.Subject) == "" {
		ps.add(pathHeader+"/Subject", "missing: the subject (trích yếu) is required")
	}
	if strings.TrimSpace(m.Signer.FullName) == "" {
		ps.add(pathHeader+"/SignerInfo/FullName", "missing: the signer's full name is required")
	}
	if m.Other.Priority < PriorityNormal || m.Other.Priority > PriorityFlashTimed {
		ps.add(pathHeader+"/OtherInfo/Priority", "%d is not a priority; use 0 (thường), 1 (khẩn), 2 (thượng khẩn), 3 (hỏa tốc) or 4 (hỏa tốc hẹn giờ)", int(m.Other.Priority))
	}
	if m.Other.PromulgationAmount < 0 {
		ps.add(pathHeader+"/OtherInfo/PromulgationAmount", "must not be negative")
	}
	if m.Other.PageAmount < 0 {
		ps.add(pathHeader+"/OtherInfo/PageAmount", "must not be negative")
	}
	if m.SteeringType < SteeringUnspecified || m.SteeringType > SteeringReportOnDirected {
		ps.add(pathHeader+"/SteeringType", "%d is not a steering type; use 1 (not a directive), 2 (directive) or 3 (report on a directive)", int(m.SteeringType))
	}
	for i, rf := range m.ResponseFor {
		p := fmt.Sprintf("%s/ResponseFor[%d]", pathHeader, i+1)
		if strings.TrimSpace(rf.Code) == "" && strings.TrimSpace(rf.DocumentID) == "" {
			ps.add(p, "needs Code (Số/Ký hiệu) or DocumentId to identify the document answered")
		}
		if rf.DocumentID != "" {
			checkDocumentID(&ps, p+"/DocumentId", rf.DocumentID, rf.OrganID)
		}
	}
	if m.DocumentID == "" {
		ps.add(pathHeader+"/DocumentId", "missing: expected \"OrganId,YYYY/MM/DD,Số/Ký hiệu\"; build it with MakeDocumentID")
	} else {
		checkDocumentID(&ps, pathHeader+"/DocumentId", m.DocumentID, m.From.ID)
	}
	for i, t := range m.Trace {
		p := fmt.Sprintf("%s/TraceHeader[%d]", pathTrace, i+1)
		if t.OrganID == "" {
			ps.add(p+"/OrganId", "missing")
		}
		if t.Timestamp.IsZero() {
			ps.add(p+"/Timestamp", "missing")
		}
	}
	if b := m.Business; b != nil && (b.DocType < BusinessNew || b.DocType > BusinessReplace) {
		ps.add(pathTrace+"/Bussiness/BussinessDocType", "%d is not a business type; use 0 (new), 1 (recall), 2 (update) or 3 (replace)", int(b.DocType))
	}
	checkAttachments(&ps, m.Attachments)
	return ps.err()
}

func checkOrgan(ps *problems, path string, o Organ, needName bool) {
	switch {
	case o.ID == "" && o.Name == "":
		ps.add(path, "missing: the agency's OrganId is required")
		return
	case o.ID == "":
		ps.add(path+"/OrganId", "missing: the agency's electronic identifier (e.g. 000.00.00.H41) is required")
	default:
		checkOrganID(ps, path+"/OrganId", o.ID)
	}
	if needName && strings.TrimSpace(o.Name) == "" {
		ps.add(path+"/OrganName", "missing: the agency's name is required")
	}
}

func checkOrganID(ps *problems, path, id string) {
	if utf8.RuneCountInString(id) > maxOrganIDLen {
		ps.add(path, "%q is longer than %d characters", id, maxOrganIDLen)
	}
	if strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) >= 0 {
		ps.add(path, "%q must not contain spaces or commas", id)
	}
}

// checkDocumentID checks the "OrganId,YYYY/MM/DD,Số/Ký hiệu" form.
func checkDocumentID(ps *problems, path, id, organID string) {
	parts := strings.SplitN(id, ",", 3)
	// The exchange hub also issues UUIDs and gateway ids; a document
	// forwarded keeps the id it came with. Both are read with a warning.
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		ps.lenient(path, "%q is not of the form \"OrganId,YYYY/MM/DD,Số/Ký hiệu\" (a hub or gateway id)", id)
		return
	}
	if _, err := parseDate(parts[1]); err != nil {
		ps.lenient(path, "%q: the date part %q is not YYYY/MM/DD", id, parts[1])
	}
	if organID != "" && parts[0] != organID {
		// Kept when a document is forwarded: the reference implementation
		// accepts it.
		ps.lenient(path, "%q starts with OrganId %q but the agency is %q", id, parts[0], organID)
	}
}

func checkAttachments(ps *problems, atts []Attachment) {
	seen := make(map[string]int, len(atts))
	for i, a := range atts {
		p := fmt.Sprintf("%s/Reference[%d]", pathManifest, i+1)
		switch {
		case a.ContentID == "":
			ps.add(p+"/ContentId", "missing: every attachment needs a content id")
		case strings.HasPrefix(strings.ToLower(a.ContentID), "cid:"):
			ps.add(p+"/ContentId", "%q: give the bare id; the \"cid:\" prefix is added when encoding", a.ContentID)
		case strings.ContainsAny(a.ContentID, " \t\r\n<>\"&"):
			ps.add(p+"/ContentId", "%q must not contain spaces or the characters < > \" &", a.ContentID)
		}
		if j, dup := seen[a.ContentID]; dup && a.ContentID != "" {
			ps.add(p+"/ContentId", "%q is also used by attachment %d; content ids must be unique", a.ContentID, j+1)
		} else {
			seen[a.ContentID] = i
		}
		if strings.TrimSpace(a.Name) == "" {
			ps.add(p+"/AttachmentName", "missing: the file name is required")
		}
		if strings.TrimSpace(a.ContentType) == "" {
			ps.add(p+"/ContentType", "missing: the MIME type is required (application/octet-stream if unknown)")
		}
	}
}

// parseDate parses a strict YYYY/MM/DD date in Vietnam time.
func parseDate(s string) (time.Time, error) {
	if len(s) != len(dateLayout) {
		return time.Time{}, fmt.Errorf("%q is not a date in the form YYYY/MM/DD (e.g. 2021/06/04)", s)
	}
	t, err := time.ParseInLocation(dateLayout, s, vnZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date in the form YYYY/MM/DD (e.g. 2021/06/04)", s)
	}
	return t, nil
}

// otherDateLayouts are the date spellings some senders use instead of
// YYYY/MM/DD; a lenient reader accepts them with a warning.
var otherDateLayouts = []string{"02/01/2006", "2/1/2006", "2006-01-02", "02-01-2006"}

// parseDateLenient parses YYYY/MM/DD, or another common spelling (ok
// false then).
func parseDateLenient(s string) (t time.Time, strict bool, err error) {
	if t, err := parseDate(s); err == nil {
		return t, true, nil
	}
	for _, l := range otherDateLayouts {
		if t, err := time.ParseInLocation(l, s, vnZone); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date in the form YYYY/MM/DD (e.g. 2021/06/04)", s)
}

// parseTimestamp parses "YYYY/MM/DD hh:mm:ss" (or a bare date, which some
// senders write) in Vietnam time.
func parseTimestamp(s string) (time.Time, error) {
	if len(s) == len(timestampLayout) {
		if t, err := time.ParseInLocation(timestampLayout, s, vnZone); err == nil {
			return t, nil
		}
	}
	if t, err := parseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp in the form YYYY/MM/DD hh:mm:ss (e.g. 2021/06/04 08:30:00)", s)
}

func formatDate(t time.Time) string      { return t.In(vnZone).Format(dateLayout) }
func formatTimestamp(t time.Time) string { return t.In(vnZone).Format(timestampLayout) }
