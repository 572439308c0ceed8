package edxml

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestStatusRoundTrip(t *testing.T) {
	s := seedStatus()
	var buf bytes.Buffer
	if err := EncodeStatus(&buf, s); err != nil {
		t.Fatalf("EncodeStatus: %v", err)
	}
	checkGolden(t, goldenStatus, buf.Bytes())
	got, err := DecodeStatus(bytes.NewReader(buf.Bytes()), Limits{})
	if err != nil {
		t.Fatalf("DecodeStatus: %v", err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("status differs after the round trip\n got: %+v\nwant: %+v", got, s)
	}
}

func TestStatusCodes(t *testing.T) {
	for _, c := range []StatusCode{StatusArrived, StatusRefused, StatusAccepted, StatusAssigned, StatusProcessing,
		StatusDone, StatusRecallRequested, StatusRecallAccepted, StatusRecallRefused} {
		if !c.Valid() || strings.Contains(c.String(), "unknown") {
			t.Errorf("%s not valid", c)
		}
		s := seedStatus()
		s.Code = c
		var buf bytes.Buffer
		if err := EncodeStatus(&buf, s); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, err := DecodeStatus(&buf, Limits{})
		if err != nil || got.Code != c {
			t.Errorf("%s: decoded %v, %v", c, got, err)
		}
	}
	for _, c := range []StatusCode{"", "00", "1", "07", "14", "17"} {
		if c.Valid() {
			t.Errorf("%q valid", c)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	golden, err := os.ReadFile(goldenStatus)
	if err != nil {
		t.Fatal(err)
	}
	g := string(golden)
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(g, old) {
			t.Fatalf("golden status lacks %q", old)
		}
		return strings.Replace(g, old, new, 1)
	}
	cases := map[string]struct {
		input string
		path  string
	}{
		"bad code":          {replace("<edXML:StatusCode>03<", "<edXML:StatusCode>07<"), "/StatusCode"},
		"bad timestamp":     {replace("<edXML:Timestamp>2021/06/04 16:40:12</edXML:Timestamp>\n        <edXML:StaffInfo>", "<edXML:Timestamp>04/06/2021</edXML:Timestamp>\n        <edXML:StaffInfo>"), "MessageHeader/Timestamp"},
		"no response for":   {strings.NewReplacer("<edXML:ResponseFor>", "<edXML:X>", "</edXML:ResponseFor>", "</edXML:X>").Replace(g), "/ResponseFor"},
		"no from":           {strings.NewReplacer("<edXML:From>", "<edXML:X>", "</edXML:From>", "</edXML:X>").Replace(g), "/From"},
		"bad response date": {replace("<edXML:PromulgationDate>2021/06/04<", "<edXML:PromulgationDate>2021-06-04<"), "ResponseFor/PromulgationDate"},
	}
	for name, c := range cases {
		_, err := DecodeStatus(strings.NewReader(c.input), Limits{})
		var ve *ValidationError
		if !errors.As(err, &ve) || !ve.Has(c.path) {
			t.Errorf("%s: DecodeStatus = %v, want a problem at %s", name, err, c.path)
		}
	}
	if _, err := DecodeStatus(strings.NewReader(replace("?>\n", "?>\n<!DOCTYPE x>\n")), Limits{}); !errors.Is(err, ErrDoctype) {
		t.Errorf("DOCTYPE: %v", err)
	}
	if _, err := DecodeStatus(strings.NewReader(g), Limits{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size limit: %v", err)
	}
	if err := EncodeStatus(&bytes.Buffer{}, &Status{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("EncodeStatus(empty) = %v", err)
	}
}
