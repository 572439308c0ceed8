// Package cap reads, writes and validates OASIS Common Alerting Protocol 1.2
// messages (CAP-v1.2, namespace urn:oasis:names:tc:emergency:cap:1.2).
//
// Loa uses CAP for emergency bulletins that must pre-empt the commune radio
// schedule: NewEmergency builds one in Vietnamese with the audio file as a
// resource. Decode accepts alerts from other systems, with a size limit and
// without DTDs; Validate enforces the required elements, the enumerations
// and the value formats of the specification.
package cap

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Namespace is the XML namespace of CAP 1.2.
const Namespace = "urn:oasis:names:tc:emergency:cap:1.2"

// Alert is the CAP <alert> element.
type Alert struct {
	XMLName     xml.Name `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier  string   `xml:"identifier"`
	Sender      string   `xml:"sender"`
	Sent        Time     `xml:"sent"`
	Status      Status   `xml:"status"`
	MsgType     MsgType  `xml:"msgType"`
	Source      string   `xml:"source,omitempty"`
	Scope       Scope    `xml:"scope"`
	Restriction string   `xml:"restriction,omitempty"`
	Addresses   string   `xml:"addresses,omitempty"` // space-separated; quote addresses containing spaces
	Code        []string `xml:"code"`
	Note        string   `xml:"note,omitempty"`
	References  string   `xml:"references,omitempty"` // space-separated "sender,identifier,sent" triples
	Incidents   string   `xml:"incidents,omitempty"`
	Info        []Info   `xml:"info"`
}

// Info is the CAP <info> element; an alert has one per language.
type Info struct {
	Language     string         `xml:"language,omitempty"` // RFC 3066; CAP's default is en-US
	Category     []Category     `xml:"category"`
	Event        string         `xml:"event"`
	ResponseType []ResponseType `xml:"responseType"`
	Urgency      Urgency        `xml:"urgency"`
	Severity     Severity       `xml:"severity"`
	Certainty    Certainty      `xml:"certainty"`
	Audience     string         `xml:"audience,omitempty"`
	EventCode    []NamedValue   `xml:"eventCode"`
	Effective    Time           `xml:"effective"` // zero: omitted
	Onset        Time           `xml:"onset"`     // zero: omitted
	Expires      Time           `xml:"expires"`   // zero: omitted
	SenderName   string         `xml:"senderName,omitempty"`
	Headline     string         `xml:"headline,omitempty"`
	Description  string         `xml:"description,omitempty"`
	Instruction  string         `xml:"instruction,omitempty"`
	Web          string         `xml:"web,omitempty"`
	Contact      string         `xml:"contact,omitempty"`
	Parameter    []NamedValue   `xml:"parameter"`
	Resource     []Resource     `xml:"resource"`
	Area         []Area         `xml:"area"`
}

// NamedValue is an eventCode, parameter or geocode.
type NamedValue struct {
	ValueName string `xml:"valueName"`
	Value     string `xml:"value"`
}

// Resource is the CAP <resource> element. Digest is the SHA-1 of the file,
// written as 40 hexadecimal digits (see Digest).
type Resource struct {
	ResourceDesc string `xml:"resourceDesc"`
	MimeType     string `xml:"mimeType"`
	Size         int64  `xml:"size,omitempty"` // bytes; 0: not stated
	URI          string `xml:"uri,omitempty"`
	DerefURI     string `xml:"derefUri,omitempty"` // base64 content
	Digest       string `xml:"digest,omitempty"`
}

// Area is the CAP <area> element. Polygon entries are "lat,lon lat,lon ..."
// (WGS 84, closed, at least 4 pairs); Circle entries are "lat,lon radius"
// with the radius in kilometres. Altitude and Ceiling are in feet above
// mean sea level.
type Area struct {
	AreaDesc string       `xml:"areaDesc"`
	Polygon  []string     `xml:"polygon"`
	Circle   []string     `xml:"circle"`
	Geocode  []NamedValue `xml:"geocode"`
	Altitude *float64     `xml:"altitude,omitempty"`
	Ceiling  *float64     `xml:"ceiling,omitempty"`
}

// Status is alert/status.
type Status string

// Status values.
const (
	StatusActual   Status = "Actual"
	StatusExercise Status = "Exercise"
	StatusSystem   Status = "System"
	StatusTest     Status = "Test"
	StatusDraft    Status = "Draft"
)

// MsgType is alert/msgType.
type MsgType string

// MsgType values.
const (
	MsgAlert  MsgType = "Alert"
	MsgUpdate MsgType = "Update"
	MsgCancel MsgType = "Cancel"
	MsgAck    MsgType = "Ack"
	MsgError  MsgType = "Error"
)

// Scope is alert/scope.
type Scope string

// Scope values.
const (
	ScopePublic     Scope = "Public"
	ScopeRestricted Scope = "Restricted"
	ScopePrivate    Scope = "Private"
)

// Category is info/category.
type Category string

// Category values.
const (
	CategoryGeo       Category = "Geo"
	CategoryMet       Category = "Met"
	CategorySafety    Category = "Safety"
	CategorySecurity  Category = "Security"
	CategoryRescue    Category = "Rescue"
	CategoryFire      Category = "Fire"
	CategoryHealth    Category = "Health"
	CategoryEnv       Category = "Env"
	CategoryTransport Category = "Transport"
	CategoryInfra     Category = "Infra"
	CategoryCBRNE     Category = "CBRNE"
	CategoryOther     Category = "Other"
)

// ResponseType is info/responseType.
type ResponseType string

// ResponseType values.
const (
	ResponseShelter  ResponseType = "Shelter"
	ResponseEvacuate ResponseType = "Evacuate"
	ResponsePrepare  ResponseType = "Prepare"
	ResponseExecute  ResponseType = "Execute"
	ResponseAvoid    ResponseType = "Avoid"
	ResponseMonitor  ResponseType = "Monitor"
	ResponseAssess   ResponseType = "Assess"
	ResponseAllClear ResponseType = "AllClear"
	ResponseNone     ResponseType = "None"
)

// Urgency is info/urgency.
type Urgency string

// Urgency values.
const (
	UrgencyImmediate Urgency = "Immediate"
	UrgencyExpected  Urgency = "Expected"
	UrgencyFuture    Urgency = "Future"
	UrgencyPast      Urgency = "Past"
	UrgencyUnknown   Urgency = "Unknown"
)

// Severity is info/severity.
type Severity string

// Severity values.
const (
	SeverityExtreme  Severity = "Extreme"
	SeveritySevere   Severity = "Severe"
	SeverityModerate Severity = "Moderate"
	SeverityMinor    Severity = "Minor"
	SeverityUnknown  Severity = "Unknown"
)

// Certainty is info/certainty.
type Certainty string

// Certainty values.
const (
	CertaintyObserved Certainty = "Observed"
	CertaintyLikely   Certainty = "Likely"
	CertaintyPossible Certainty = "Possible"
	CertaintyUnlikely Certainty = "Unlikely"
	CertaintyUnknown  Certainty = "Unknown"
)

// Allowed values of each enumeration, in the order of the specification.
var (
	statusValues       = []string{"Actual", "Exercise", "System", "Test", "Draft"}
	msgTypeValues      = []string{"Alert", "Update", "Cancel", "Ack", "Error"}
	scopeValues        = []string{"Public", "Restricted", "Private"}
	categoryValues     = []string{"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}
	responseTypeValues = []string{"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"}
	urgencyValues      = []string{"Immediate", "Expected", "Future", "Past", "Unknown"}
	severityValues     = []string{"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
	certaintyValues    = []string{"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
)

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// Valid reports whether the value is one the specification allows
// (case-sensitive).
func (s Status) Valid() bool { return oneOf(string(s), statusValues) }

// Valid reports whether the value is allowed.
func (m MsgType) Valid() bool { return oneOf(string(m), msgTypeValues) }

// Valid reports whether the value is allowed.
func (s Scope) Valid() bool { return oneOf(string(s), scopeValues) }

// Valid reports whether the value is allowed.
func (c Category) Valid() bool { return oneOf(string(c), categoryValues) }

// Valid reports whether the value is allowed.
func (r ResponseType) Valid() bool { return oneOf(string(r), responseTypeValues) }

// Valid reports whether the value is allowed.
func (u Urgency) Valid() bool { return oneOf(string(u), urgencyValues) }

// Valid reports whether the value is allowed.
func (s Severity) Valid() bool { return oneOf(string(s), severityValues) }

// Valid reports whether the value is allowed.
func (c Certainty) Valid() bool { return oneOf(string(c), certaintyValues) }

// timeLayout is CAP's dateTime without the zone, which is written by hand
// because CAP forbids "Z" and writes UTC as "-00:00".
const timeLayout = "2006-01-02T15:04:05"

// Time is a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm). The zero Time is
// omitted when encoding optional elements.
type Time struct {
	time.Time
}

// At wraps t.
func At(t time.Time) Time { return Time{t} }

// FormatTime writes t as CAP requires: seconds precision (fractions are
// dropped), numeric offset, "-00:00" for UTC. A time whose zone offset is
// not a whole number of minutes (historic local mean time) is written in UTC.
func FormatTime(t time.Time) string {
	_, off := t.Zone()
	if off%60 != 0 {
		t, off = t.UTC(), 0
	}
	sign := byte('+')
	if off <= 0 {
		sign = '-'
		off = -off
	}
	off /= 60
	return fmt.Sprintf("%s%c%02d:%02d", t.Format(timeLayout), sign, off/60, off%60)
}

// ParseTime parses a CAP dateTime strictly: exactly YYYY-MM-DDThh:mm:ss
// followed by +hh:mm or -hh:mm; no "Z", no fractional seconds, no missing
// offset. "-00:00" and "+00:00" mean UTC.
func ParseTime(s string) (time.Time, error) {
	const n = len(timeLayout) + len("+00:00")
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm, e.g. 2021-06-04T16:05:00+07:00): %s", s, why)
	}
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return bad(`"Z" is not allowed; write UTC as -00:00`)
	}
	if len(s) != n {
		return bad("wrong length; seconds are required, fractions and missing offsets are not allowed")
	}
	zone := s[len(timeLayout):]
	if (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !digits(zone[1:3]) || !digits(zone[4:6]) {
		return bad("the offset must be +hh:mm or -hh:mm")
	}
	hh := int(zone[1]-'0')*10 + int(zone[2]-'0')
	mm := int(zone[4]-'0')*10 + int(zone[5]-'0')
	if hh > 14 || mm > 59 || (hh == 14 && mm > 0) {
		return bad("the offset is out of range")
	}
	if s[10] != 'T' {
		return bad(`the date and time must be separated by "T"`)
	}
	off := (hh*60 + mm) * 60
	if zone[0] == '-' {
		off = -off
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone(zone, off)
	}
	t, err := time.ParseInLocation(timeLayout, s[:len(timeLayout)], loc)
	if err != nil {
		return bad("invalid date or time")
	}
	return t, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the time as CAP does, or "" for the zero time.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t.Time)
}

// MarshalXML writes the element, or nothing for the zero time.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if t.IsZero() {
		return nil
	}
	return e.EncodeElement(FormatTime(t.Time), start)
}

// UnmarshalXML parses the element strictly (surrounding whitespace is
// collapsed, as for xs:dateTime).
func (t *Time) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return fmt.Errorf("<%s>: %w", start.Name.Local, err)
	}
	v, err := ParseTime(strings.TrimSpace(s))
	if err != nil {
		return &timeError{element: start.Name.Local, err: err}
	}
	t.Time = v
	return nil
}

// timeError reports a bad dateTime with the element it was found in.
type timeError struct {
	element string
	err     error
}

func (e *timeError) Error() string { return "<" + e.element + ">: " + e.err.Error() }
func (e *timeError) Unwrap() error { return e.err }

// numberError reports a number element that does not parse.
type numberError struct {
	element, value string
}

func (e *numberError) Error() string {
	return fmt.Sprintf("<%s>: %q is not a number", e.element, e.value)
}

// UnmarshalXML decodes a resource, reporting a bad <size> by name.
func (r *Resource) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Resource // without methods, so no recursion
	var w struct {
		plain
		Size string `xml:"size"`
	}
	if err := d.DecodeElement(&w, &start); err != nil {
		return err
	}
	*r = Resource(w.plain)
	if s := strings.TrimSpace(w.Size); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return &numberError{element: "size", value: w.Size}
		}
		r.Size = n
	}
	return nil
}

// UnmarshalXML decodes an area, reporting a bad <altitude> or <ceiling> by
// name.
func (a *Area) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain Area // without methods, so no recursion
	var w struct {
		plain
		Altitude *string `xml:"altitude"`
		Ceiling  *string `xml:"ceiling"`
	}
	if err := d.DecodeElement(&w, &start); err != nil {
		return err
	}
	*a = Area(w.plain)
	for _, f := range []struct {
		name string
		s    *string
		dst  **float64
	}{{"altitude", w.Altitude, &a.Altitude}, {"ceiling", w.Ceiling, &a.Ceiling}} {
		if f.s == nil {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(*f.s), 64)
		if err != nil {
			return &numberError{element: f.name, value: *f.s}
		}
		*f.dst = &v
	}
	return nil
}
