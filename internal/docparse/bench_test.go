package docparse

import (
	"context"
	"strings"
	"testing"
)

// textCorpus returns the decoded text of the plain-text corpus documents.
func textCorpus(b *testing.B) (texts []string, raw [][]byte, names []string) {
	b.Helper()
	for name, data := range corpusRaw(b) {
		if !strings.HasSuffix(name, ".txt") {
			continue
		}
		text, _, err := decodeText(data)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		texts = append(texts, text)
		raw = append(raw, data)
		names = append(names, name)
	}
	return texts, raw, names
}

// BenchmarkParseText parses the text corpus; the target is at least 2,000
// documents per second per core.
func BenchmarkParseText(b *testing.B) {
	texts, _, _ := textCorpus(b)
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkParseFileText adds encoding detection (ParseFile on the raw
// bytes of the text corpus, including TCVN3, VNI and UTF-16 files).
func BenchmarkParseFileText(b *testing.B) {
	_, raw, names := textCorpus(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(raw)
		if _, err := ParseFile(ctx, raw[k], names[k]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
