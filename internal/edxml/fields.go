package edxml

import (
	"fmt"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

// Option adjusts FromFields.
type Option func(*fieldOptions)

type fieldOptions struct {
	organID  func(docmodel.Reference) string
	steering SteeringType
	dueDate  time.Time
	business *Business
}

// WithOrganIDResolver supplies the OrganId of a cited document's issuer so
// that references become complete ResponseFor entries (with DocumentId).
// The function returns "" when it does not know the issuer.
func WithOrganIDResolver(f func(docmodel.Reference) string) Option {
	return func(o *fieldOptions) { o.organID = f }
}

// WithSteeringType sets SteeringType (default SteeringNotDirective).
func WithSteeringType(s SteeringType) Option {
	return func(o *fieldOptions) { o.steering = s }
}

// WithDueDate sets DueDate (the deadline for handling).
func WithDueDate(t time.Time) Option {
	return func(o *fieldOptions) { o.dueDate = t }
}

// WithBusiness sets TraceHeaderList/Bussiness (default: none).
func WithBusiness(b Business) Option {
	return func(o *fieldOptions) { o.business = &b }
}

// urgencies maps the urgency marks of Decree 30 to priorities. Keys are
// folded with foldName; both tone placements of "hỏa" are accepted.
var urgencies = map[string]Priority{
	"khẩn":            PriorityUrgent,
	"thượng khẩn":     PriorityVeryUrgent,
	"hỏa tốc":         PriorityFlash,
	"hoả tốc":         PriorityFlash,
	"hỏa tốc hẹn giờ": PriorityFlashTimed,
	"hoả tốc hẹn giờ": PriorityFlashTimed,
}

// urgencyMarks is the reverse mapping, in the capitals of Decree 30.
var urgencyMarks = map[Priority]string{
	PriorityUrgent:     "KHẨN",
	PriorityVeryUrgent: "THƯỢNG KHẨN",
	PriorityFlash:      "HỎA TỐC",
	PriorityFlashTimed: "HỎA TỐC HẸN GIỜ",
}

// FromFields builds a message from parsed or drafted document fields.
//
// Mapping: Issuer/ParentIssuer fill From.Name/From.InCharge when from leaves
// them empty; DocType → DocumentType (codes from LookupDocType); Number,
// Notation → Code; Place, Date → PromulgationInfo; Urgency → Priority;
// Recipients → ToPlaces; Body (or, without a body, the numbered items) →
// Content; signing authority, title, name → SignerInfo Competence, Position,
// FullName; AttachmentsMentioned → Appendixes; references with number,
// notation and date → ResponseFor. DocumentId is built from From.ID, the
// date and the code.
//
// It fails when a value cannot be represented: an unknown urgency mark, a
// date not in YYYY-MM-DD form, or a confidentiality mark (classified
// documents must not travel over edXML). Items, distribution, archive and
// the issuer/type of references have no place in edXML and are dropped.
// The result is not validated; Encode does that.
func FromFields(f docmodel.Fields, from Organ, to []Organ, atts []Attachment, opts ...Option) (*Message, error) {
	o := fieldOptions{steering: SteeringNotDirective}
	for _, opt := range opts {
		opt(&o)
	}
	if c := docmodel.Val(f.Confidentiality); c != "" {
		return nil, fmt.Errorf("edxml: document marked %q: classified documents must not be sent as edXML; send it through the channel for classified documents", c)
	}
	if from.Name == "" {
		from.Name = docmodel.Val(f.Issuer)
	}
	if from.InCharge == "" {
		from.InCharge = docmodel.Val(f.ParentIssuer)
	}
	m := &Message{
		From:         from,
		To:           append([]Organ(nil), to...),
		CodeNumber:   docmodel.Val(f.Number),
		CodeNotation: docmodel.Val(f.Notation),
		Place:        docmodel.Val(f.Place),
		Subject:      docmodel.Val(f.Subject),
		Content:      docmodel.Val(f.Body),
		Signer: Signer{
			Competence: docmodel.Val(f.SigningAuthority),
			Position:   docmodel.Val(f.SignerTitle),
			FullName:   docmodel.Val(f.SignerName),
		},
		DueDate:      o.dueDate,
		ToPlaces:     append([]string(nil), f.Recipients...),
		SteeringType: o.steering,
		Business:     o.business,
		Attachments:  append([]Attachment(nil), atts...),
	}
	if m.Content == "" && len(f.Items) > 0 {
		lines := make([]string, 0, len(f.Items))
		for _, it := range f.Items {
			lines = append(lines, it.Label+". "+it.Text)
		}
		m.Content = strings.Join(lines, "\n")
	}
	if name := docmodel.Val(f.DocType); name != "" {
		m.DocType.TypeName = name
		if d, ok := LookupDocType(name); ok {
			m.DocType = DocType{Type: d.Type, TypeDetail: d.TypeDetail, TypeName: d.Name}
		}
	}
	if d := docmodel.Val(f.Date); d != "" {
		t, err := parseISODate(d)
		if err != nil {
			return nil, fmt.Errorf("edxml: fields date: %w", err)
		}
		m.PromulgationDate = t
	}
	if u := docmodel.Val(f.Urgency); u != "" {
		p, ok := urgencies[foldName(u)]
		if !ok {
			return nil, fmt.Errorf("edxml: urgency %q is not one of KHẨN, THƯỢNG KHẨN, HỎA TỐC, HỎA TỐC HẸN GIỜ", u)
		}
		m.Other.Priority = p
	}
	m.Other.Appendixes = append([]string(nil), f.AttachmentsMentioned...)
	for i, ref := range f.References {
		rf, ok, err := referenceToResponseFor(ref, o.organID)
		if err != nil {
			return nil, fmt.Errorf("edxml: reference %d: %w", i+1, err)
		}
		if ok {
			m.ResponseFor = append(m.ResponseFor, rf)
		}
	}
	if m.From.ID != "" && !m.PromulgationDate.IsZero() && m.Code() != "" {
		m.DocumentID = MakeDocumentID(m.From.ID, m.PromulgationDate, m.Code())
	}
	return m, nil
}

func referenceToResponseFor(ref docmodel.Reference, resolve func(docmodel.Reference) string) (ResponseFor, bool, error) {
	number, notation, date := docmodel.Val(ref.Number), docmodel.Val(ref.Notation), docmodel.Val(ref.Date)
	if number == "" || notation == "" || date == "" {
		return ResponseFor{}, false, nil
	}
	t, err := parseISODate(date)
	if err != nil {
		return ResponseFor{}, false, err
	}
	rf := ResponseFor{Code: joinCode(number, notation), PromulgationDate: t}
	if resolve != nil {
		rf.OrganID = resolve(ref)
	}
	if rf.OrganID != "" {
		rf.DocumentID = MakeDocumentID(rf.OrganID, t, rf.Code)
	}
	return rf, true, nil
}

// Fields converts the message back to document fields (see FromFields for
// the mapping). Content becomes Body; items are not re-parsed.
func (m *Message) Fields() docmodel.Fields {
	f := docmodel.Fields{
		ParentIssuer:         docmodel.Str(m.From.InCharge),
		Issuer:               docmodel.Str(m.From.Name),
		Number:               docmodel.Str(m.CodeNumber),
		Notation:             docmodel.Str(m.CodeNotation),
		Place:                docmodel.Str(m.Place),
		Subject:              docmodel.Str(m.Subject),
		Recipients:           append([]string(nil), m.ToPlaces...),
		Body:                 docmodel.Str(m.Content),
		SigningAuthority:     docmodel.Str(m.Signer.Competence),
		SignerTitle:          docmodel.Str(m.Signer.Position),
		SignerName:           docmodel.Str(m.Signer.FullName),
		AttachmentsMentioned: append([]string(nil), m.Other.Appendixes...),
	}
	switch {
	case m.DocType.TypeName != "":
		f.DocType = docmodel.Str(m.DocType.TypeName)
	default:
		if d, ok := DocTypeByCode(m.DocType.Type); ok {
			f.DocType = docmodel.Str(d.Name)
		}
	}
	if !m.PromulgationDate.IsZero() {
		f.Date = docmodel.Str(m.PromulgationDate.In(vnZone).Format(time.DateOnly))
	}
	if mark, ok := urgencyMarks[m.Other.Priority]; ok {
		f.Urgency = docmodel.Str(mark)
	}
	for _, rf := range m.ResponseFor {
		ref := docmodel.Reference{Text: rf.Code}
		number, notation, found := strings.Cut(rf.Code, "/")
		if found {
			ref.Number, ref.Notation = docmodel.Str(number), docmodel.Str(notation)
		} else {
			ref.Notation = docmodel.Str(rf.Code)
		}
		if !rf.PromulgationDate.IsZero() {
			ref.Date = docmodel.Str(rf.PromulgationDate.In(vnZone).Format(time.DateOnly))
		}
		f.References = append(f.References, ref)
	}
	f.Normalize()
	return f
}

// parseISODate parses a docmodel date (YYYY-MM-DD) as a day in Vietnam.
func parseISODate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, vnZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not of the form YYYY-MM-DD", s)
	}
	return t, nil
}
