package edxml

import "encoding/xml"

// Wire types mirror the XML. Child element names carry no namespace so that
// decoding accepts both the prefixed ("edXML:From") and the default-namespace
// spelling; the root's namespace is checked explicitly. Every leaf is a
// string so that conversion errors can name the element.

type wireDoc struct {
	XMLName  xml.Name      // any root; checkRoot reports a wrong one
	Envelope *wireEnvelope `xml:"edXMLEnvelope"`
	Encoded  []wireEncoded `xml:"AttachmentEncoded"`
}

type wireEnvelope struct {
	XMLName xml.Name    `xml:"edXMLEnvelope"`
	Header  *wireHeader `xml:"edXMLHeader"`
	Body    *wireBody   `xml:"edXMLBody"`
}

type wireHeader struct {
	MessageHeader *wireMessageHeader `xml:"MessageHeader"`
	Trace         *wireTraceList     `xml:"TraceHeaderList"`
	Signature     *wireOpaque        `xml:"Signature"`
}

// wireOpaque swallows an element without interpreting it.
type wireOpaque struct {
	Inner []byte `xml:",innerxml"`
}

type wireMessageHeader struct {
	From             *wireOrgan        `xml:"From"`
	To               []wireOrgan       `xml:"To"`
	Code             *wireCode         `xml:"Code"`
	PromulgationInfo *wirePromulgation `xml:"PromulgationInfo"`
	DocumentType     *wireDocType      `xml:"DocumentType"`
	Subject          string            `xml:"Subject,omitempty"`
	Content          string            `xml:"Content,omitempty"`
	SignerInfo       *wireSigner       `xml:"SignerInfo"`
	DueDate          string            `xml:"DueDate,omitempty"`
	ToPlaces         *wireToPlaces     `xml:"ToPlaces"`
	OtherInfo        *wireOtherInfo    `xml:"OtherInfo"`
	ResponseFor      []wireResponseFor `xml:"ResponseFor"`
	SteeringType     string            `xml:"SteeringType,omitempty"`
	DocumentID       string            `xml:"DocumentId,omitempty"`
}

type wireOrgan struct {
	OrganID              string `xml:"OrganId,omitempty"`
	OrganizationInCharge string `xml:"OrganizationInCharge,omitempty"`
	OrganName            string `xml:"OrganName,omitempty"`
	OrganAdd             string `xml:"OrganAdd,omitempty"`
	Email                string `xml:"Email,omitempty"`
	Telephone            string `xml:"Telephone,omitempty"`
	Fax                  string `xml:"Fax,omitempty"`
	Website              string `xml:"Website,omitempty"`
}

type wireCode struct {
	CodeNumber   string `xml:"CodeNumber"`
	CodeNotation string `xml:"CodeNotation"`
}

type wirePromulgation struct {
	Place            string `xml:"Place"`
	PromulgationDate string `xml:"PromulgationDate"`
}

type wireDocType struct {
	Type       string `xml:"Type"`
	TypeDetail string `xml:"TypeDetail"`
	TypeName   string `xml:"TypeName"`
}

type wireSigner struct {
	Competence string `xml:"Competence,omitempty"`
	Position   string `xml:"Position,omitempty"`
	FullName   string `xml:"FullName"`
}

type wireToPlaces struct {
	Place []string `xml:"Place"`
}

type wireOtherInfo struct {
	Priority             string          `xml:"Priority"`
	SphereOfPromulgation string          `xml:"SphereOfPromulgation,omitempty"`
	TyperNotation        string          `xml:"TyperNotation,omitempty"`
	PromulgationAmount   string          `xml:"PromulgationAmount,omitempty"`
	PageAmount           string          `xml:"PageAmount,omitempty"`
	Direction            string          `xml:"Direction,omitempty"`
	Appendixes           *wireAppendixes `xml:"Appendixes"`
}

type wireAppendixes struct {
	Appendix []string `xml:"Appendix"`
}

type wireResponseFor struct {
	OrganID          string `xml:"OrganId,omitempty"`
	Code             string `xml:"Code,omitempty"`
	PromulgationDate string `xml:"PromulgationDate,omitempty"`
	DocumentID       string `xml:"DocumentId,omitempty"`
}

type wireTraceList struct {
	TraceHeader []wireTraceHeader `xml:"TraceHeader"`
	Business    *wireBusiness     `xml:"Bussiness"`
}

type wireTraceHeader struct {
	OrganID   string `xml:"OrganId"`
	Timestamp string `xml:"Timestamp"`
}

type wireBusiness struct {
	DocumentID   string               `xml:"DocumentId,omitempty"`
	DocType      string               `xml:"BussinessDocType"`
	Replacements *wireReplacementList `xml:"ReplacementInfoList"`
	Reason       string               `xml:"BussinessDocReason,omitempty"`
	Staff        []wireStaffInfo      `xml:"StaffInfo"`
	Paper        string               `xml:"Paper,omitempty"`
}

// wireReplacementList names the documents a replacement package replaces.
type wireReplacementList struct {
	Info []struct {
		DocumentID string `xml:"DocumentId"`
	} `xml:"ReplacementInfo"`
}

type wireStaffInfo struct {
	Department string `xml:"Department,omitempty"`
	Staff      string `xml:"Staff,omitempty"`
	Mobile     string `xml:"Mobile,omitempty"`
	Email      string `xml:"Email,omitempty"`
}

type wireBody struct {
	Manifest *wireManifest `xml:"edXMLManifest"`
}

type wireManifest struct {
	Version   string          `xml:"version,attr,omitempty"`
	Reference []wireReference `xml:"Reference"`
}

type wireReference struct {
	Href           string `xml:"http://www.w3.org/1999/xlink href,attr,omitempty"`
	ContentID      string `xml:"ContentId,omitempty"`
	ContentType    string `xml:"ContentType,omitempty"`
	Description    string `xml:"Description,omitempty"`
	AttachmentName string `xml:"AttachmentName,omitempty"`
}

type wireEncoded struct {
	Attachment []wireAttachment `xml:"Attachment"`
}

type wireAttachment struct {
	ContentType    string `xml:"ContentType"`
	ContentID      string `xml:"ContentId"`
	Description    string `xml:"Description"`
	AttachmentName string `xml:"AttachmentName"`
	Encoded        string `xml:"ContentTransferEncoded"`
}

// Status package.

type wireStatusDoc struct {
	XMLName  xml.Name            // any root; checkRoot reports a wrong one
	Envelope *wireStatusEnvelope `xml:"edXMLEnvelope"`
}

type wireStatusEnvelope struct {
	XMLName xml.Name          `xml:"edXMLEnvelope"`
	Header  *wireStatusHeader `xml:"edXMLHeader"`
}

type wireStatusHeader struct {
	MessageHeader *wireStatusMessage `xml:"MessageHeader"`
	Trace         *wireTraceList     `xml:"TraceHeaderList"`
	Signature     *wireOpaque        `xml:"Signature"`
}

type wireStatusMessage struct {
	ResponseFor *wireResponseFor `xml:"ResponseFor"`
	From        *wireOrgan       `xml:"From"`
	StatusCode  string           `xml:"StatusCode"`
	Description string           `xml:"Description,omitempty"`
	Timestamp   string           `xml:"Timestamp"`
	StaffInfo   *wireStaffInfo   `xml:"StaffInfo"`
}
