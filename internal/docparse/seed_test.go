package docparse

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// seedDir holds a copy of the seed letter and its expected parse from the
// project's shared samples; tests read nothing outside the module.
const seedDir = "testdata/seed"

// seedPaths names the seed letter and its expected JSON.
func seedPaths(t *testing.T) (txt, expected string) {
	t.Helper()
	txt = filepath.Join(seedDir, "cv-570-STTTT-TTBCBC-2021.txt")
	expected = filepath.Join(seedDir, "cv-570-STTTT-TTBCBC-2021.expected.json")
	return txt, expected
}

// TestSeedExact checks that the seed letter parses to its expected JSON:
// every field present in the expected JSON must be equal.
func TestSeedExact(t *testing.T) {
	txtPath, expPath := seedPaths(t)
	data, err := os.ReadFile(txtPath)
	if err != nil {
		t.Fatal(err)
	}
	expRaw, err := os.ReadFile(expPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(context.Background(), data, filepath.Base(txtPath))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	gotRaw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]any
	if err := json.Unmarshal(expRaw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(gotRaw, &got); err != nil {
		t.Fatal(err)
	}
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			t.Errorf("field %q missing from the parse", key)
			continue
		}
		if !subsetEqual(w, g) {
			wj, _ := json.MarshalIndent(w, "", "  ")
			gj, _ := json.MarshalIndent(g, "", "  ")
			t.Errorf("field %q:\nwant %s\ngot  %s", key, wj, gj)
		}
	}
}

// subsetEqual compares JSON values; objects in want may omit keys of got
// ("extra fields allowed"), lists must have the same length.
func subsetEqual(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !subsetEqual(wv, g[k]) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subsetEqual(w[i], g[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(want, got)
	}
}
