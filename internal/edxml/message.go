package edxml

import (
	"fmt"
	"time"
)

// Namespace is the XML namespace of QCVN 102:2016 packages.
const Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

// xlinkNamespace is used for the href attribute of manifest references.
const xlinkNamespace = "http://www.w3.org/1999/xlink"

// Date and timestamp layouts of QCVN 102.
const (
	dateLayout      = "2006/01/02"
	timestampLayout = "2006/01/02 15:04:05"
)

// vnZone is Vietnam's civil time (UTC+7, no daylight saving). edXML dates
// carry no zone; they are read and written in this one.
var vnZone = time.FixedZone("ICT", 7*60*60)

// Date returns midnight of the given day in Vietnam time, the value Decode
// produces for an edXML date.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, vnZone)
}

// InVietnam returns t in Vietnam time, the zone Decode uses for timestamps.
func InVietnam(t time.Time) time.Time { return t.In(vnZone) }

// Organ is an agency (From, To, status sender). ID is the electronic
// identifier of Decision 20/2020/QĐ-TTg (e.g. "000.00.00.H41"), at most
// 35 characters, kept as an opaque string.
type Organ struct {
	ID        string // OrganId
	InCharge  string // OrganizationInCharge: the governing body
	Name      string // OrganName
	Address   string // OrganAdd
	Email     string
	Telephone string
	Fax       string
	Website   string
}

// DocType is the DocumentType element. See LookupDocType for the codes.
type DocType struct {
	Type       int
	TypeDetail int
	TypeName   string
}

// Signer is SignerInfo: Competence is the signing authority line
// ("KT. GIÁM ĐỐC"), Position the title ("PHÓ GIÁM ĐỐC"), FullName the name.
type Signer struct {
	Competence string
	Position   string
	FullName   string
}

// Priority is OtherInfo/Priority, the urgency mark.
type Priority int

// Priorities defined by QCVN 102.
const (
	PriorityNormal     Priority = 0 // thường
	PriorityUrgent     Priority = 1 // khẩn
	PriorityVeryUrgent Priority = 2 // thượng khẩn
	PriorityFlash      Priority = 3 // hỏa tốc
	PriorityFlashTimed Priority = 4 // hỏa tốc hẹn giờ
)

// String returns the Vietnamese name of the priority.
func (p Priority) String() string {
	switch p {
	case PriorityNormal:
		return "thường"
	case PriorityUrgent:
		return "khẩn"
	case PriorityVeryUrgent:
		return "thượng khẩn"
	case PriorityFlash:
		return "hỏa tốc"
	case PriorityFlashTimed:
		return "hỏa tốc hẹn giờ"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// SteeringType says whether the document is a directive.
type SteeringType int

// Steering types defined by QCVN 102. SteeringUnspecified (0) is not in the
// standard but appears in public samples; it is accepted and kept.
const (
	SteeringUnspecified      SteeringType = 0
	SteeringNotDirective     SteeringType = 1 // văn bản không phải chỉ đạo
	SteeringDirective        SteeringType = 2 // văn bản chỉ đạo
	SteeringReportOnDirected SteeringType = 3 // báo cáo thực hiện văn bản chỉ đạo
)

// OtherInfo is the OtherInfo element.
type OtherInfo struct {
	Priority             Priority
	SphereOfPromulgation string // phạm vi ban hành
	TyperNotation        string // ký hiệu người đánh máy
	PromulgationAmount   int    // số bản phát hành; 0 = not stated
	PageAmount           int    // số trang; 0 = not stated
	Direction            bool   // the Direction flag, carried as given
	Appendixes           []string
}

// ResponseFor identifies a document this one answers or implements.
// Code is "Số/Ký hiệu"; DocumentID is "OrganId,YYYY/MM/DD,Số/Ký hiệu".
type ResponseFor struct {
	OrganID          string
	Code             string
	PromulgationDate time.Time // zero when not stated
	DocumentID       string
}

// TraceHeader records one hop of the package.
type TraceHeader struct {
	OrganID   string
	Timestamp time.Time
}

// BusinessDocType is TraceHeaderList/Bussiness/BussinessDocType.
type BusinessDocType int

// Business document types of QCVN 102.
const (
	BusinessNew     BusinessDocType = 0 // văn bản mới
	BusinessRecall  BusinessDocType = 1 // thu hồi
	BusinessUpdate  BusinessDocType = 2 // cập nhật
	BusinessReplace BusinessDocType = 3 // thay thế
)

// StaffInfo names the clerk handling the package.
type StaffInfo struct {
	Department string
	Staff      string
	Mobile     string
	Email      string
}

// Business is TraceHeaderList/Bussiness (spelled with "ss" in the standard).
type Business struct {
	DocType BusinessDocType
	Reason  string
	Staff   []StaffInfo
	Paper   bool // a paper copy is also sent
	// DocumentID names the document an update changes (Bussiness/
	// DocumentId); Replaces the documents a replacement replaces
	// (ReplacementInfoList). Both as "OrganId,YYYY/MM/DD,Số/Ký hiệu".
	DocumentID string
	Replaces   []string
}

// Attachment is one attached file. ContentID is the bare identifier; the
// manifest writes it as "cid:"+ContentID.
type Attachment struct {
	ContentID   string
	ContentType string
	Name        string
	Description string
	Data        []byte
}

// Message is one edXML document package.
type Message struct {
	From             Organ
	To               []Organ
	CodeNumber       string // số
	CodeNotation     string // ký hiệu
	Place            string
	PromulgationDate time.Time
	DocType          DocType
	Subject          string
	Content          string
	Signer           Signer
	DueDate          time.Time // zero when absent
	ToPlaces         []string
	Other            OtherInfo
	ResponseFor      []ResponseFor
	SteeringType     SteeringType
	DocumentID       string // "OrganId,YYYY/MM/DD,Số/Ký hiệu"; see MakeDocumentID

	Trace    []TraceHeader
	Business *Business // nil when absent

	Attachments []Attachment

	// Signed reports that the input carried a Signature element. The
	// signature is NOT verified here and Encode never writes one.
	Signed bool
}

// Code returns "Số/Ký hiệu" (e.g. "570/STTTT-TTBCBC").
func (m *Message) Code() string { return joinCode(m.CodeNumber, m.CodeNotation) }

func joinCode(number, notation string) string {
	switch {
	case number == "":
		return notation
	case notation == "":
		return number
	}
	return number + "/" + notation
}

// MakeDocumentID builds the DocumentId "OrganId,YYYY/MM/DD,Số/Ký hiệu".
func MakeDocumentID(organID string, date time.Time, code string) string {
	return organID + "," + date.In(vnZone).Format(dateLayout) + "," + code
}
