package edxml

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// StatusCode is the processing state a status package reports.
type StatusCode string

// Status codes of QCVN 102.
const (
	StatusArrived         StatusCode = "01" // đã đến
	StatusRefused         StatusCode = "02" // từ chối tiếp nhận
	StatusAccepted        StatusCode = "03" // đã tiếp nhận (vào sổ)
	StatusAssigned        StatusCode = "04" // đã phân công
	StatusProcessing      StatusCode = "05" // đang xử lý
	StatusDone            StatusCode = "06" // hoàn thành
	StatusRecallRequested StatusCode = "13" // bên gửi đề nghị lấy lại / thu hồi
	StatusRecallAccepted  StatusCode = "15" // đồng ý thu hồi / cập nhật
	StatusRecallRefused   StatusCode = "16" // từ chối thu hồi / cập nhật
)

var statusNames = map[StatusCode]string{
	StatusArrived:         "đã đến",
	StatusRefused:         "từ chối tiếp nhận",
	StatusAccepted:        "đã tiếp nhận",
	StatusAssigned:        "đã phân công",
	StatusProcessing:      "đang xử lý",
	StatusDone:            "hoàn thành",
	StatusRecallRequested: "đề nghị lấy lại",
	StatusRecallAccepted:  "đồng ý thu hồi/cập nhật",
	StatusRecallRefused:   "từ chối thu hồi/cập nhật",
}

// Valid reports whether c is one of the codes of QCVN 102.
func (c StatusCode) Valid() bool { _, ok := statusNames[c]; return ok }

// String returns the code with its Vietnamese meaning, e.g. "03 (đã tiếp nhận)".
func (c StatusCode) String() string {
	if n, ok := statusNames[c]; ok {
		return string(c) + " (" + n + ")"
	}
	return string(c) + " (unknown)"
}

// Status is a status package: the receiver (From) tells the sender how the
// document identified by ResponseFor is being handled.
type Status struct {
	ResponseFor ResponseFor // the document the status is about
	From        Organ       // the agency reporting
	Code        StatusCode
	Description string
	Timestamp   time.Time
	Staff       StaffInfo
	Trace       []TraceHeader
	Signed      bool // input carried a Signature element (not verified)
}

const pathStatus = "edXMLEnvelope/edXMLHeader/MessageHeader"

// Validate checks the required elements of a status package.
func (s *Status) Validate() error {
	var ps problems
	rf := s.ResponseFor
	if rf.OrganID == "" {
		ps.add(pathStatus+"/ResponseFor/OrganId", "missing: the OrganId of the agency that sent the document is required")
	} else {
		checkOrganID(&ps, pathStatus+"/ResponseFor/OrganId", rf.OrganID)
	}
	if rf.Code == "" && rf.DocumentID == "" {
		ps.add(pathStatus+"/ResponseFor", "needs Code (Số/Ký hiệu) or DocumentId to identify the document")
	}
	if rf.DocumentID != "" {
		checkDocumentID(&ps, pathStatus+"/ResponseFor/DocumentId", rf.DocumentID, rf.OrganID)
	}
	checkOrgan(&ps, pathStatus+"/From", s.From, false)
	if !s.Code.Valid() {
		ps.add(pathStatus+"/StatusCode", "%q is not a status code; use 01, 02, 03, 04, 05, 06, 13, 15 or 16", string(s.Code))
	}
	if s.Timestamp.IsZero() {
		ps.add(pathStatus+"/Timestamp", "missing: the time of the status is required")
	}
	for i, t := range s.Trace {
		p := fmt.Sprintf("%s/TraceHeader[%d]", pathTrace, i+1)
		if t.OrganID == "" {
			ps.add(p+"/OrganId", "missing")
		}
		if t.Timestamp.IsZero() {
			ps.add(p+"/Timestamp", "missing")
		}
	}
	return ps.err()
}

// EncodeStatus validates s and writes it as an edXML status package.
func EncodeStatus(w io.Writer, s *Status) error {
	if s == nil {
		return fmt.Errorf("edxml: encode status: nil status")
	}
	if err := s.Validate(); err != nil && !onlyLenient(err) {
		return fmt.Errorf("edxml: encode status: %w", err)
	}
	rf := responseForToWire(s.ResponseFor)
	env := &wireStatusEnvelope{Header: &wireStatusHeader{
		MessageHeader: &wireStatusMessage{
			ResponseFor: &rf,
			From:        organToWire(s.From),
			StatusCode:  string(s.Code),
			Description: s.Description,
			Timestamp:   formatTimestamp(s.Timestamp),
		},
		Trace: traceToWire(s.Trace, nil),
	}}
	if s.Staff != (StaffInfo{}) {
		si := wireStaffInfo(s.Staff)
		env.Header.MessageHeader.StaffInfo = &si
	}
	bw := bufio.NewWriter(w)
	if err := writeEnvelope(bw, env); err != nil {
		return fmt.Errorf("edxml: encode status: %w", err)
	}
	if _, err := bw.WriteString("</edXML>\n"); err != nil {
		return fmt.Errorf("edxml: encode status: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("edxml: encode status: write: %w", err)
	}
	return nil
}

// DecodeStatus reads one status package. Errors are as for Decode.
// Status packages carry no attachments, so only limits.MaxBytes applies.
func DecodeStatus(r io.Reader, limits Limits) (*Status, error) {
	limits = limits.withDefaults()
	var doc wireStatusDoc
	if err := decodeXML(r, limits.MaxBytes, &doc); err != nil {
		return nil, fmt.Errorf("edxml: decode status: %w", err)
	}
	var ps problems
	checkRoot(&ps, doc.XMLName)
	if doc.Envelope == nil || doc.Envelope.Header == nil || doc.Envelope.Header.MessageHeader == nil {
		ps.add(pathStatus, "missing: the package has no edXMLEnvelope/edXMLHeader/MessageHeader")
		return nil, ps.err()
	}
	h := doc.Envelope.Header.MessageHeader
	s := &Status{
		From:        organFromWire(h.From),
		Code:        StatusCode(strings.TrimSpace(h.StatusCode)),
		Description: strings.TrimSpace(h.Description),
		Signed:      doc.Envelope.Header.Signature != nil,
	}
	if h.ResponseFor == nil {
		ps.add(pathStatus+"/ResponseFor", "missing: the status must say which document it is about")
	} else {
		s.ResponseFor = responseForFromWire(&ps, pathStatus+"/ResponseFor", h.ResponseFor)
	}
	if h.From == nil {
		ps.add(pathStatus+"/From", "missing: the reporting agency is required")
	}
	if ts := strings.TrimSpace(h.Timestamp); ts != "" {
		t, err := parseTimestamp(ts)
		if err != nil {
			ps.add(pathStatus+"/Timestamp", "%v", err)
		}
		s.Timestamp = t
	}
	if si := h.StaffInfo; si != nil {
		s.Staff = StaffInfo{
			Department: strings.TrimSpace(si.Department),
			Staff:      strings.TrimSpace(si.Staff),
			Mobile:     strings.TrimSpace(si.Mobile),
			Email:      strings.TrimSpace(si.Email),
		}
	}
	s.Trace, _ = traceFromWire(&ps, doc.Envelope.Header.Trace)
	if len(ps) > 0 {
		return nil, ps.err() // a *ValidationError, self-describing
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
