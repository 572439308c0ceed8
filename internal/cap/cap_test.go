package cap

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

var examples = []string{"testdata/hsas.xml", "testdata/thunderstorm.xml", "testdata/earthquake.xml", "testdata/amber.xml"}

func readExample(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(t testing.TB, a *Alert) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, a); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// TestExamples decodes the OASIS-style examples, checks key values and that
// encode → decode → encode is stable.
func TestExamples(t *testing.T) {
	for _, path := range examples {
		t.Run(path, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(readExample(t, path)), 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			out1 := encode(t, a)
			b, err := Decode(bytes.NewReader(out1), 0)
			if err != nil {
				t.Fatalf("Decode(encoded): %v\n%s", err, out1)
			}
			out2 := encode(t, b)
			if !bytes.Equal(out1, out2) {
				t.Errorf("encode is not stable:\n%s\n---\n%s", out1, out2)
			}
			if !b.Sent.Equal(a.Sent.Time) || b.Identifier != a.Identifier || len(b.Info) != len(a.Info) {
				t.Errorf("round trip changed the alert: %+v vs %+v", b, a)
			}
		})
	}

	a, err := Decode(bytes.NewReader(readExample(t, "testdata/thunderstorm.xml")), 0)
	if err != nil {
		t.Fatal(err)
	}
	in := a.Info[0]
	if in.Category[0] != CategoryMet || in.ResponseType[0] != ResponseShelter || in.Certainty != CertaintyObserved {
		t.Errorf("info = %+v", in)
	}
	if want := time.Date(2003, 6, 17, 23, 0, 0, 0, time.UTC); !in.Expires.Equal(want) {
		t.Errorf("expires = %v, want %v", in.Expires, want)
	}
	pts, err := ParsePolygon(in.Area[0].Polygon[0])
	if err != nil || len(pts) != 5 || pts[1] != (Point{38.34, -119.95}) {
		t.Errorf("polygon = %v, %v", pts, err)
	}
	if len(in.Area[0].Geocode) != 3 || in.Area[0].Geocode[2].Value != "006003" {
		t.Errorf("geocodes = %+v", in.Area[0].Geocode)
	}
	out := string(encode(t, a))
	for _, want := range []string{`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">`, "<sent>2003-06-17T14:57:00-07:00</sent>", "<expires>2003-06-17T16:00:00-07:00</expires>"} {
		if !strings.Contains(out, want) {
			t.Errorf("encoded alert lacks %s", want)
		}
	}
	for _, absent := range []string{"<effective>", "<onset>", "<altitude>", "<size>"} {
		if strings.Contains(out, absent) {
			t.Errorf("encoded alert has the empty optional element %s", absent)
		}
	}

	eq, err := Decode(bytes.NewReader(readExample(t, "testdata/earthquake.xml")), 0)
	if err != nil {
		t.Fatal(err)
	}
	c, r, err := ParseCircle(eq.Info[0].Area[0].Circle[0])
	if err != nil || c != (Point{32.9525, -115.5527}) || r != 0 {
		t.Errorf("circle = %v %v %v", c, r, err)
	}
}

func validAlert(t testing.TB) *Alert {
	t.Helper()
	a, err := Decode(bytes.NewReader(readExample(t, "testdata/thunderstorm.xml")), 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestValidateErrors breaks a valid alert in every way the specification
// forbids and expects a problem at the right element.
func TestValidateErrors(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *Alert)
		path   string
		text   string
	}{
		{"no identifier", func(a *Alert) { a.Identifier = "" }, "alert/identifier", "required"},
		{"identifier space", func(a *Alert) { a.Identifier = "KSTO 1055" }, "alert/identifier", "must not contain"},
		{"identifier comma", func(a *Alert) { a.Identifier = "KSTO,1055" }, "alert/identifier", "commas"},
		{"identifier <", func(a *Alert) { a.Identifier = "KSTO<1055" }, "alert/identifier", "restricted"},
		{"identifier &", func(a *Alert) { a.Identifier = "KSTO&1055" }, "alert/identifier", "restricted"},
		{"sender space", func(a *Alert) { a.Sender = "KSTO @NWS" }, "alert/sender", "must not contain"},
		{"no sent", func(a *Alert) { a.Sent = Time{} }, "alert/sent", "required"},
		{"status missing", func(a *Alert) { a.Status = "" }, "alert/status", "required"},
		{"status lower case", func(a *Alert) { a.Status = "actual" }, "alert/status", `"actual" is not allowed`},
		{"status unknown", func(a *Alert) { a.Status = "Real" }, "alert/status", "Actual, Exercise, System, Test, Draft"},
		{"msgType", func(a *Alert) { a.MsgType = "Warning" }, "alert/msgType", "Alert, Update, Cancel, Ack, Error"},
		{"scope", func(a *Alert) { a.Scope = "Everyone" }, "alert/scope", "Public, Restricted, Private"},
		{"restricted without restriction", func(a *Alert) { a.Scope = ScopeRestricted }, "alert/restriction", "Restricted"},
		{"private without addresses", func(a *Alert) { a.Scope = ScopePrivate }, "alert/addresses", "Private"},
		{"update without references", func(a *Alert) { a.MsgType = MsgUpdate }, "alert/references", "required for msgType Update"},
		{"cancel without references", func(a *Alert) { a.MsgType = MsgCancel }, "alert/references", "Cancel"},
		{"bad references", func(a *Alert) { a.MsgType, a.References = MsgCancel, "KSTO@NWS.NOAA.GOV,KSTO1055887203" }, "alert/references", "sender,identifier,sent"},
		{"references bad time", func(a *Alert) { a.References = "a,b,2003-06-17T14:57:00Z" }, "alert/references", `"Z" is not allowed`},
		{"empty code", func(a *Alert) { a.Code = []string{""} }, "alert/code[1]", "empty"},
		{"no category", func(a *Alert) { a.Info[0].Category = nil }, "info[1]/category", "at least one"},
		{"bad category", func(a *Alert) { a.Info[0].Category = []Category{"Weather"} }, "info[1]/category[1]", "Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other"},
		{"no event", func(a *Alert) { a.Info[0].Event = " " }, "info[1]/event", "required"},
		{"bad responseType", func(a *Alert) { a.Info[0].ResponseType = []ResponseType{"Run"} }, "info[1]/responseType[1]", "Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, Assess, AllClear, None"},
		{"no urgency", func(a *Alert) { a.Info[0].Urgency = "" }, "info[1]/urgency", "required"},
		{"bad urgency", func(a *Alert) { a.Info[0].Urgency = "Now" }, "info[1]/urgency", "Immediate, Expected, Future, Past, Unknown"},
		{"bad severity", func(a *Alert) { a.Info[0].Severity = "High" }, "info[1]/severity", "Extreme, Severe, Moderate, Minor, Unknown"},
		{"bad certainty", func(a *Alert) { a.Info[0].Certainty = "Sure" }, "info[1]/certainty", "Observed, Likely, Possible, Unlikely, Unknown"},
		{"bad language", func(a *Alert) { a.Info[0].Language = "vi_VN" }, "info[1]/language", "RFC 3066"},
		{"eventCode without name", func(a *Alert) { a.Info[0].EventCode[0].ValueName = "" }, "info[1]/eventCode[1]/valueName", "required"},
		{"resource without desc", func(a *Alert) { a.Info[0].Resource = []Resource{{MimeType: "audio/mpeg"}} }, "resource[1]/resourceDesc", "required"},
		{"resource without mime", func(a *Alert) { a.Info[0].Resource = []Resource{{ResourceDesc: "audio"}} }, "resource[1]/mimeType", "required"},
		{"bad digest", func(a *Alert) {
			a.Info[0].Resource = []Resource{{ResourceDesc: "audio", MimeType: "audio/mpeg", Digest: "abc"}}
		}, "resource[1]/digest", "40 hexadecimal"},
		{"bad derefUri", func(a *Alert) {
			a.Info[0].Resource = []Resource{{ResourceDesc: "audio", MimeType: "audio/mpeg", DerefURI: "not base64!"}}
		}, "resource[1]/derefUri", "base64"},
		{"no areaDesc", func(a *Alert) { a.Info[0].Area[0].AreaDesc = "" }, "area[1]/areaDesc", "required"},
		{"polygon too short", func(a *Alert) { a.Info[0].Area[0].Polygon = []string{"38.47,-120.14 38.34,-119.95 38.47,-120.14"} }, "area[1]/polygon[1]", "at least 4"},
		{"polygon open", func(a *Alert) {
			a.Info[0].Area[0].Polygon = []string{"38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89"}
		}, "area[1]/polygon[1]", "not closed"},
		{"polygon bad pair", func(a *Alert) {
			a.Info[0].Area[0].Polygon = []string{"38.47;-120.14 38.34,-119.95 38.52,-119.74 38.47;-120.14"}
		}, "area[1]/polygon[1]", "lat,lon"},
		{"polygon out of range", func(a *Alert) {
			a.Info[0].Area[0].Polygon = []string{"98.47,-120.14 38.34,-119.95 38.52,-119.74 98.47,-120.14"}
		}, "area[1]/polygon[1]", "outside"},
		{"circle without radius", func(a *Alert) { a.Info[0].Area[0].Circle = []string{"32.9525,-115.5527"} }, "area[1]/circle[1]", "lat,lon radius"},
		{"circle negative radius", func(a *Alert) { a.Info[0].Area[0].Circle = []string{"32.9525,-115.5527 -1"} }, "area[1]/circle[1]", "non-negative"},
		{"circle bad center", func(a *Alert) { a.Info[0].Area[0].Circle = []string{"north,west 10"} }, "area[1]/circle[1]", "decimal degrees"},
		{"ceiling without altitude", func(a *Alert) { c := 100.0; a.Info[0].Area[0].Ceiling = &c }, "area[1]/ceiling", "altitude"},
		{"ceiling below altitude", func(a *Alert) {
			alt, c := 100.0, 50.0
			a.Info[0].Area[0].Altitude, a.Info[0].Area[0].Ceiling = &alt, &c
		}, "area[1]/ceiling", "below"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := validAlert(t)
			c.mutate(a)
			err := a.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want *ValidationError", err)
			}
			found := false
			for _, p := range ve.Problems {
				if strings.HasSuffix(p.Path, c.path) && strings.Contains(p.Message, c.text) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s mentioning %q in: %v", c.path, c.text, err)
			}
			if err := Encode(&bytes.Buffer{}, a); !errors.Is(err, ErrInvalid) {
				t.Errorf("Encode of an invalid alert = %v", err)
			}
		})
	}

	ok := validAlert(t)
	ok.Scope, ok.Restriction = ScopeRestricted, "emergency managers only"
	ok.MsgType, ok.References = MsgCancel, "KSTO@NWS.NOAA.GOV,KSTO1055887202,2003-06-17T14:50:00-07:00"
	if err := ok.Validate(); err != nil {
		t.Errorf("restricted cancel with references: %v", err)
	}
	ok.Scope, ok.Addresses = ScopePrivate, "ops@example.vn \"duty officer\""
	if err := ok.Validate(); err != nil {
		t.Errorf("private with addresses: %v", err)
	}
}

func TestParseTime(t *testing.T) {
	good := map[string]time.Time{
		"2003-06-17T14:57:00-07:00": time.Date(2003, 6, 17, 21, 57, 0, 0, time.UTC),
		"2021-06-04T16:05:00+07:00": time.Date(2021, 6, 4, 9, 5, 0, 0, time.UTC),
		"2021-06-04T09:05:00-00:00": time.Date(2021, 6, 4, 9, 5, 0, 0, time.UTC),
		"2021-06-04T09:05:00+00:00": time.Date(2021, 6, 4, 9, 5, 0, 0, time.UTC),
		"2021-06-04T14:35:00+05:30": time.Date(2021, 6, 4, 9, 5, 0, 0, time.UTC),
		"2024-02-29T23:59:59+14:00": time.Date(2024, 2, 29, 9, 59, 59, 0, time.UTC),
	}
	for s, want := range good {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
		if back := FormatTime(got); back != s && !(strings.HasSuffix(s, "+00:00") && back == strings.TrimSuffix(s, "+00:00")+"-00:00") {
			t.Errorf("FormatTime(ParseTime(%q)) = %q", s, back)
		}
	}
	bad := []string{
		"2021-06-04T09:05:00Z",
		"2021-06-04T09:05:00",
		"2021-06-04T09:05:00.5+07:00",
		"2021-06-04T09:05+07:00",
		"2021-06-04 09:05:00+07:00",
		"2021-06-04T09:05:00+0700",
		"2021-06-04T09:05:00 07:00",
		"2021-06-04",
		"2021-13-04T09:05:00+07:00",
		"2023-02-29T09:05:00+07:00",
		"2021-06-04T24:05:00+07:00",
		"2021-06-04T09:05:00+15:00",
		"2021-06-04T09:05:00+07:60",
		"21-06-04T09:05:00+07:00:0",
		"",
	}
	for _, s := range bad {
		if got, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", s, got)
		}
	}

	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2021, 6, 4, 9, 5, 0, 0, time.UTC), "2021-06-04T09:05:00-00:00"},
		{time.Date(2021, 6, 4, 16, 5, 0, 999, time.FixedZone("ICT", 7*3600)), "2021-06-04T16:05:00+07:00"},
		{time.Date(2021, 6, 4, 5, 35, 0, 0, time.FixedZone("", -(3*3600+30*60))), "2021-06-04T05:35:00-03:30"},
		{time.Date(1900, 1, 1, 7, 6, 40, 0, time.FixedZone("LMT", 7*3600+6*60+40)), "1900-01-01T00:00:00-00:00"},
	} {
		if got := FormatTime(c.t); got != c.want {
			t.Errorf("FormatTime(%v) = %q, want %q", c.t, got, c.want)
		}
	}

	// A bad dateTime in a document names its element.
	in := strings.Replace(string(readExample(t, "testdata/thunderstorm.xml")), "2003-06-17T16:00:00-07:00", "2003-06-17T23:00:00Z", 1)
	_, err := Decode(strings.NewReader(in), 0)
	if err == nil || !strings.Contains(err.Error(), "<expires>") || !strings.Contains(err.Error(), `"Z" is not allowed`) {
		t.Errorf("Decode with Z time = %v", err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	g := string(readExample(t, "testdata/hsas.xml"))
	cases := []struct {
		name  string
		input string
		max   int64
		check func(error) bool
	}{
		{"doctype", strings.Replace(g, "?>\n", "?>\n<!DOCTYPE alert [<!ENTITY x \"y\">]>\n", 1), 0, func(err error) bool { return errors.Is(err, ErrDoctype) }},
		{"too large", g, 500, func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"cap 1.1", strings.Replace(g, "cap:1.2", "cap:1.1", 1), 0, func(err error) bool { return strings.Contains(err.Error(), "CAP 1.2") }},
		{"no namespace", strings.Replace(g, ` xmlns="urn:oasis:names:tc:emergency:cap:1.2"`, "", 1), 0, func(err error) bool { return strings.Contains(err.Error(), "CAP 1.2") }},
		{"entity", strings.Replace(g, "<event>", "<event>&x;", 1), 0, func(err error) bool { return strings.Contains(err.Error(), "entity") }},
		{"truncated", g[:len(g)/2], 0, func(err error) bool { return strings.Contains(err.Error(), "well-formed") }},
		{"empty", "", 0, func(err error) bool { return strings.Contains(err.Error(), "no XML element") }},
		{"invalid content", strings.Replace(g, "<status>Actual</status>", "<status>Live</status>", 1), 0, func(err error) bool {
			var ve *ValidationError
			return errors.As(err, &ve) && ve.Has("alert/status")
		}},
		{"bad size", strings.Replace(g, "<mimeType>image/gif</mimeType>", "<mimeType>image/gif</mimeType><size>big</size>", 1), 0, func(err error) bool { return strings.Contains(err.Error(), `<size>: "big" is not a number`) }},
		{"bad altitude", strings.Replace(g, "<areaDesc>", "<altitude>high</altitude><areaDesc>", 1), 0, func(err error) bool { return strings.Contains(err.Error(), `<altitude>: "high"`) }},
	}
	for _, c := range cases {
		_, err := Decode(strings.NewReader(c.input), c.max)
		if err == nil || !c.check(err) {
			t.Errorf("%s: Decode = %v", c.name, err)
		}
	}
}

func TestNewEmergency(t *testing.T) {
	audio := []byte("ID3\x03\x00 bản tin khẩn cấp")
	sent := time.Date(2025, 9, 27, 14, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	a := NewEmergency("loa-2025-09-27-0001", "dai-truyen-thanh@xa-vinh-thanh.gov.vn", sent,
		"Bão số 10", "Khẩn cấp: bão số 10 đổ bộ", "Bão số 10 sẽ đổ bộ trong 6 giờ tới. Người dân không ra khơi.",
		"Xã Vĩnh Thạnh, tỉnh An Giang", "https://loa.example.vn/media/bao-so-10.MP3?v=2", int64(len(audio)), strings.ToUpper(Digest(audio)))
	if err := a.Validate(); err != nil {
		t.Fatalf("NewEmergency is not valid: %v", err)
	}
	out := encode(t, a)
	for _, want := range []string{
		"<language>vi-VN</language>",
		"<urgency>Immediate</urgency>",
		"<sent>2025-09-27T14:30:00+07:00</sent>",
		"<mimeType>audio/mpeg</mimeType>",
		"<digest>" + Digest(audio) + "</digest>",
		"<areaDesc>Xã Vĩnh Thạnh, tỉnh An Giang</areaDesc>",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("encoded emergency lacks %s:\n%s", want, out)
		}
	}
	back, err := Decode(bytes.NewReader(out), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := back.Info[0].Resource[0]
	if r.Size != int64(len(audio)) || r.Digest != Digest(audio) || r.URI != "https://loa.example.vn/media/bao-so-10.MP3?v=2" {
		t.Errorf("resource = %+v", r)
	}
	if Digest([]byte("abc")) != "a9993e364706816aba3e25717850c26c9cd0d89d" {
		t.Error("Digest is not SHA-1 hex")
	}

	noAudio := NewEmergency("id-2", "sender", sent, "Cháy rừng", "Cháy rừng", "…", "Xã A", "", 0, "")
	if err := noAudio.Validate(); err != nil || len(noAudio.Info[0].Resource) != 0 {
		t.Errorf("without audio: %v, %+v", err, noAudio.Info[0].Resource)
	}
	if bad := NewEmergency("id with space", "sender", sent, "", "", "", "", "x.wav", 1, "zz"); bad.Validate() == nil {
		t.Error("NewEmergency with bad arguments validated")
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range examples {
		f.Add(readExample(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Encode(&buf, a); err != nil {
			t.Fatalf("Encode of a decoded alert: %v", err)
		}
		b, err := Decode(bytes.NewReader(buf.Bytes()), 0)
		if err != nil {
			t.Fatalf("Decode of re-encoded alert: %v\n%s", err, buf.Bytes())
		}
		var buf2 bytes.Buffer
		if err := Encode(&buf2, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatalf("encoding is not stable:\n%s\n---\n%s", buf.Bytes(), buf2.Bytes())
		}
	})
}
