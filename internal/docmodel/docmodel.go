// Package docmodel holds the fields of an administrative document as Loa
// understands them (Decree 30/2020/NĐ-CP anatomy). It is a leaf package:
// the parser produces these values, the renderer, edXML codec and document
// store consume them. It has no behaviour beyond small helpers.
package docmodel

// Fields is the parsed (or drafted) content of one official document.
// JSON names are relied on by outside checks of `loa parse`; a field the
// document does not show is null (pointer nil) or an empty list.
type Fields struct {
	ParentIssuer         *string        `json:"parent_issuer"`
	Issuer               *string        `json:"issuer"`
	DocType              *string        `json:"doc_type"`
	Number               *string        `json:"number"`
	Notation             *string        `json:"notation"`
	Place                *string        `json:"place"`
	Date                 *string        `json:"date"` // YYYY-MM-DD
	Subject              *string        `json:"subject"`
	Urgency              *string        `json:"urgency"`         // KHẨN, THƯỢNG KHẨN, HỎA TỐC
	Confidentiality      *string        `json:"confidentiality"` // MẬT, TỐI MẬT, TUYỆT MẬT
	Recipients           []string       `json:"recipients"`
	References           []Reference    `json:"references"`
	Items                []Item         `json:"items"`
	Body                 *string        `json:"body"`
	SigningAuthority     *string        `json:"signing_authority"` // e.g. "KT. GIÁM ĐỐC"
	SignerTitle          *string        `json:"signer_title"`      // e.g. "PHÓ GIÁM ĐỐC"
	SignerName           *string        `json:"signer_name"`
	Distribution         []Distribution `json:"distribution"`
	Archive              []string       `json:"archive"`
	AttachmentsMentioned []string       `json:"attachments_mentioned"`
	Warnings             []string       `json:"warnings"`
	// Confidence is, for a document read by OCR, the confidence (0–100)
	// of each field read from the scan, keyed by the field's JSON name;
	// fields under LowConfidence are for the clerk to confirm. A clerk's
	// correction of a field removes its entry. Nil for text documents.
	Confidence map[string]int `json:"confidence,omitempty"`
	// OCR describes the OCR reading of a scanned document; nil otherwise.
	OCR *OCRInfo `json:"ocr,omitempty"`
}

// LowConfidence is the OCR confidence under which a field is flagged.
const LowConfidence = 90

// OCRInfo records how a scanned document was read.
type OCRInfo struct {
	Engine         string `json:"engine"`
	Pages          int    `json:"pages"`
	MeanConfidence int    `json:"mean_confidence"`
	// DeskewDegrees lists the tilts of the pages that were straightened.
	DeskewDegrees []float64 `json:"deskew_degrees,omitempty"`
}

// LowConfidenceField reports whether the named field was read by OCR with
// a confidence under LowConfidence and not confirmed since.
func (f *Fields) LowConfidenceField(name string) bool {
	c, ok := f.Confidence[name]
	return ok && c < LowConfidence
}

// Confirm removes the OCR confidence of the named fields: a person has
// checked them.
func (f *Fields) Confirm(names ...string) {
	for _, n := range names {
		delete(f.Confidence, n)
	}
	if len(f.Confidence) == 0 {
		f.Confidence = nil
	}
}

// Reference is a document cited in the body.
type Reference struct {
	DocType  *string `json:"doc_type"`
	Number   *string `json:"number"`
	Notation *string `json:"notation"`
	Date     *string `json:"date"`
	Issuer   *string `json:"issuer"`
	Text     string  `json:"text"` // the citation as written
}

// Item is one numbered content item ("1.", "a)", "-").
type Item struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

// Distribution is one line of the "Nơi nhận" list.
type Distribution struct {
	Name    string  `json:"name"`
	Purpose *string `json:"purpose"` // "b/c", "đ/b", "t/h", ... or null
}

// Str returns a pointer to s, or nil when s is empty.
func Str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Val returns the string a pointer points to, or "" for nil.
func Val(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Normalize replaces nil slices with empty ones so that JSON shows [] rather
// than null for lists, as the `loa parse` contract requires.
func (f *Fields) Normalize() {
	if f.Recipients == nil {
		f.Recipients = []string{}
	}
	if f.References == nil {
		f.References = []Reference{}
	}
	if f.Items == nil {
		f.Items = []Item{}
	}
	if f.Distribution == nil {
		f.Distribution = []Distribution{}
	}
	if f.Archive == nil {
		f.Archive = []string{}
	}
	if f.AttachmentsMentioned == nil {
		f.AttachmentsMentioned = []string{}
	}
	if f.Warnings == nil {
		f.Warnings = []string{}
	}
}
