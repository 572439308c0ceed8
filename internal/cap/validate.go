package cap

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("cap: invalid alert")

// Problem is one violation of the specification, located by element path
// (e.g. "alert/info[1]/area[1]/polygon[1]").
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// ValidationError lists every problem found in an alert.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("cap: invalid alert: ")
	} else {
		fmt.Fprintf(&b, "cap: invalid alert (%d problems): ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
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

type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// language is a loose RFC 3066 tag: 1–8 letters, then -subtags of 1–8
// letters or digits.
var language = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// Validate checks the alert against CAP 1.2: required elements,
// enumeration values (case-sensitive), identifier/sender characters,
// restriction/addresses for Restricted/Private scope, references for
// Update/Cancel/Ack/Error, the polygon/circle/references formats, resource
// digests (40 hex digits of SHA-1) and base64 derefUri. It returns a
// *ValidationError listing every problem, or nil.
func (a *Alert) Validate() error {
	var ps problems
	const p = "alert"
	checkIDChars(&ps, p+"/identifier", a.Identifier)
	checkIDChars(&ps, p+"/sender", a.Sender)
	checkTime(&ps, p+"/sent", a.Sent, true)
	checkEnum(&ps, p+"/status", string(a.Status), statusValues)
	checkEnum(&ps, p+"/msgType", string(a.MsgType), msgTypeValues)
	checkEnum(&ps, p+"/scope", string(a.Scope), scopeValues)
	switch a.Scope {
	case ScopeRestricted:
		if strings.TrimSpace(a.Restriction) == "" {
			ps.add(p+"/restriction", "required when scope is Restricted: say who may see the alert")
		}
	case ScopePrivate:
		if strings.TrimSpace(a.Addresses) == "" {
			ps.add(p+"/addresses", "required when scope is Private: list the intended recipients")
		}
	}
	for i, c := range a.Code {
		if strings.TrimSpace(c) == "" {
			ps.add(fmt.Sprintf("%s/code[%d]", p, i+1), "empty")
		}
	}
	switch a.MsgType {
	case MsgUpdate, MsgCancel, MsgAck, MsgError:
		if strings.TrimSpace(a.References) == "" {
			ps.add(p+"/references", "required for msgType %s: name the earlier message(s) as sender,identifier,sent", a.MsgType)
		}
	}
	if a.References != "" {
		checkReferences(&ps, p+"/references", a.References)
	}
	for i := range a.Info {
		checkInfo(&ps, fmt.Sprintf("%s/info[%d]", p, i+1), &a.Info[i])
	}
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

func checkIDChars(ps *problems, path, s string) {
	if s == "" {
		ps.add(path, "required")
		return
	}
	if i := strings.IndexAny(s, " \t\r\n,<&"); i >= 0 {
		ps.add(path, "%q must not contain spaces, commas or the restricted characters < and & (found %q)", s, s[i])
	}
}

func checkEnum(ps *problems, path, v string, allowed []string) {
	if v == "" {
		ps.add(path, "required; one of %s", strings.Join(allowed, ", "))
		return
	}
	if !oneOf(v, allowed) {
		ps.add(path, "%q is not allowed; use one of %s (case matters)", v, strings.Join(allowed, ", "))
	}
}

func checkTime(ps *problems, path string, t Time, required bool) {
	if t.IsZero() {
		if required {
			ps.add(path, "required")
		}
		return
	}
	if y := t.Year(); y < 1 || y > 9999 {
		ps.add(path, "year %d cannot be written as YYYY", y)
	}
}

func checkReferences(ps *problems, path, refs string) {
	for i, ref := range strings.Fields(refs) {
		parts := strings.Split(ref, ",")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
			ps.add(path, "entry %d %q is not sender,identifier,sent", i+1, ref)
			continue
		}
		if _, err := ParseTime(parts[2]); err != nil {
			ps.add(path, "entry %d: %v", i+1, err)
		}
	}
}

func checkInfo(ps *problems, p string, in *Info) {
	if in.Language != "" && !language.MatchString(in.Language) {
		ps.add(p+"/language", "%q is not an RFC 3066 language tag (e.g. vi-VN)", in.Language)
	}
	if len(in.Category) == 0 {
		ps.add(p+"/category", "required: at least one of %s", strings.Join(categoryValues, ", "))
	}
	for i, c := range in.Category {
		checkEnum(ps, fmt.Sprintf("%s/category[%d]", p, i+1), string(c), categoryValues)
	}
	if strings.TrimSpace(in.Event) == "" {
		ps.add(p+"/event", "required: name the type of event")
	}
	for i, r := range in.ResponseType {
		checkEnum(ps, fmt.Sprintf("%s/responseType[%d]", p, i+1), string(r), responseTypeValues)
	}
	checkEnum(ps, p+"/urgency", string(in.Urgency), urgencyValues)
	checkEnum(ps, p+"/severity", string(in.Severity), severityValues)
	checkEnum(ps, p+"/certainty", string(in.Certainty), certaintyValues)
	checkNamed(ps, p+"/eventCode", in.EventCode)
	checkNamed(ps, p+"/parameter", in.Parameter)
	checkTime(ps, p+"/effective", in.Effective, false)
	checkTime(ps, p+"/onset", in.Onset, false)
	checkTime(ps, p+"/expires", in.Expires, false)
	for i := range in.Resource {
		checkResource(ps, fmt.Sprintf("%s/resource[%d]", p, i+1), &in.Resource[i])
	}
	for i := range in.Area {
		checkArea(ps, fmt.Sprintf("%s/area[%d]", p, i+1), &in.Area[i])
	}
}

func checkNamed(ps *problems, path string, vs []NamedValue) {
	for i, v := range vs {
		if strings.TrimSpace(v.ValueName) == "" {
			ps.add(fmt.Sprintf("%s[%d]/valueName", path, i+1), "required")
		}
	}
}

func checkResource(ps *problems, p string, r *Resource) {
	if strings.TrimSpace(r.ResourceDesc) == "" {
		ps.add(p+"/resourceDesc", "required: describe the resource (e.g. audio bulletin)")
	}
	if strings.TrimSpace(r.MimeType) == "" {
		ps.add(p+"/mimeType", "required (e.g. audio/mpeg)")
	} else if !strings.Contains(r.MimeType, "/") {
		ps.add(p+"/mimeType", "%q is not a MIME type/subtype", r.MimeType)
	}
	if r.Size < 0 {
		ps.add(p+"/size", "must not be negative")
	}
	if r.Digest != "" {
		if b, err := hex.DecodeString(r.Digest); err != nil || len(b) != 20 {
			ps.add(p+"/digest", "%q is not a SHA-1 digest (40 hexadecimal digits)", r.Digest)
		}
	}
	if r.DerefURI != "" {
		clean := strings.Join(strings.Fields(r.DerefURI), "")
		if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
			ps.add(p+"/derefUri", "not valid base64: %v", err)
		}
	}
}

func checkArea(ps *problems, p string, a *Area) {
	if strings.TrimSpace(a.AreaDesc) == "" {
		ps.add(p+"/areaDesc", "required: describe the affected area")
	}
	for i, poly := range a.Polygon {
		if err := checkPolygon(poly); err != nil {
			ps.add(fmt.Sprintf("%s/polygon[%d]", p, i+1), "%v", err)
		}
	}
	for i, c := range a.Circle {
		if err := checkCircle(c); err != nil {
			ps.add(fmt.Sprintf("%s/circle[%d]", p, i+1), "%v", err)
		}
	}
	checkNamed(ps, p+"/geocode", a.Geocode)
	if a.Ceiling != nil && a.Altitude == nil {
		ps.add(p+"/ceiling", "only allowed together with altitude")
	}
	if a.Ceiling != nil && a.Altitude != nil && *a.Ceiling < *a.Altitude {
		ps.add(p+"/ceiling", "%v is below the altitude %v", *a.Ceiling, *a.Altitude)
	}
	for _, v := range []struct {
		name string
		v    *float64
	}{{"altitude", a.Altitude}, {"ceiling", a.Ceiling}} {
		if v.v != nil && (math.IsNaN(*v.v) || math.IsInf(*v.v, 0)) {
			ps.add(p+"/"+v.name, "must be a finite number")
		}
	}
}

// Point is a WGS 84 coordinate pair.
type Point struct {
	Lat, Lon float64
}

// parsePoint parses "lat,lon".
func parsePoint(s string) (Point, error) {
	la, lo, ok := strings.Cut(s, ",")
	if !ok {
		return Point{}, fmt.Errorf("%q is not a lat,lon pair", s)
	}
	lat, err1 := strconv.ParseFloat(la, 64)
	lon, err2 := strconv.ParseFloat(lo, 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) {
		return Point{}, fmt.Errorf("%q is not a lat,lon pair of decimal degrees", s)
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return Point{}, fmt.Errorf("%q is outside -90..90 latitude / -180..180 longitude", s)
	}
	return Point{lat, lon}, nil
}

// ParsePolygon parses and checks a CAP polygon: whitespace-separated
// lat,lon pairs, at least four, the first equal to the last.
func ParsePolygon(s string) ([]Point, error) {
	fields := strings.Fields(s)
	if len(fields) < 4 {
		return nil, fmt.Errorf("a polygon needs at least 4 lat,lon pairs (the first repeated as the last), got %d", len(fields))
	}
	pts := make([]Point, 0, len(fields))
	for _, f := range fields {
		pt, err := parsePoint(f)
		if err != nil {
			return nil, err
		}
		pts = append(pts, pt)
	}
	if pts[0] != pts[len(pts)-1] {
		return nil, fmt.Errorf("the polygon is not closed: the first pair %s differs from the last %s", fields[0], fields[len(fields)-1])
	}
	return pts, nil
}

func checkPolygon(s string) error {
	_, err := ParsePolygon(s)
	return err
}

// ParseCircle parses a CAP circle "lat,lon radius" (radius in km, ≥ 0).
func ParseCircle(s string) (center Point, radiusKm float64, err error) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return Point{}, 0, fmt.Errorf("%q is not \"lat,lon radius\"", s)
	}
	center, err = parsePoint(fields[0])
	if err != nil {
		return Point{}, 0, err
	}
	radiusKm, err = strconv.ParseFloat(fields[1], 64)
	if err != nil || radiusKm < 0 || math.IsNaN(radiusKm) || math.IsInf(radiusKm, 0) {
		return Point{}, 0, fmt.Errorf("radius %q is not a non-negative number of kilometres", fields[1])
	}
	return center, radiusKm, nil
}

func checkCircle(s string) error {
	_, _, err := ParseCircle(s)
	return err
}
