package edxml

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkDecode10MiB decodes a package with a 10 MiB audio attachment.
func BenchmarkDecode10MiB(b *testing.B) {
	m := seedMessage(b)
	m.Attachments = []Attachment{{ContentID: "big", ContentType: "audio/mpeg", Name: "big.mp3", Data: bytes.Repeat(mp3Blob(), 10<<20/1500+1)}}
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(buf.Bytes()), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode10MiB encodes the same package.
func BenchmarkEncode10MiB(b *testing.B) {
	m := seedMessage(b)
	m.Attachments = []Attachment{{ContentID: "big", ContentType: "audio/mpeg", Name: "big.mp3", Data: bytes.Repeat(mp3Blob(), 10<<20/1500+1)}}
	b.SetBytes(int64(len(m.Attachments[0].Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
}
