package edxml

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxAttachmentBytes: 64 << 10, MaxAttachments: 16}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// is valid, re-encodes, and decodes again to the same message.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{goldenDoc, goldenStatus} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(variantPackage))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Decode accepted an invalid message: %v", err)
		}
		var buf bytes.Buffer
		if err := Encode(&buf, m); err != nil {
			t.Fatalf("Encode of a decoded message: %v", err)
		}
		again, err := Decode(&buf, Limits{})
		if err != nil {
			t.Fatalf("Decode of re-encoded message: %v\n%s", err, buf.Bytes())
		}
		m.Signed = false
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("re-encoded message differs\n got: %+v\nwant: %+v", again, m)
		}
	})
}

// FuzzDecodeStatus is FuzzDecode for status packages.
func FuzzDecodeStatus(f *testing.F) {
	for _, p := range []string{goldenStatus, goldenDoc} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeStatus(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := EncodeStatus(&buf, s); err != nil {
			t.Fatalf("EncodeStatus of a decoded status: %v", err)
		}
		again, err := DecodeStatus(&buf, Limits{})
		if err != nil {
			t.Fatalf("DecodeStatus of re-encoded status: %v", err)
		}
		s.Signed = false
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoded status differs\n got: %+v\nwant: %+v", again, s)
		}
	})
}
