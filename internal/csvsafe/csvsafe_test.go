package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"},
		{"''-x", "'''-x"},
		{"Sở Thông tin và Truyền thông", "Sở Thông tin và Truyền thông"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
		{"'", "'"},
		{"", ""},
		{"2021-06-03", "2021-06-03"},
	}
	for _, c := range cases {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := Unescape(Escape(c.in)); back != c.in {
			t.Errorf("Unescape(Escape(%q)) = %q", c.in, back)
		}
	}
	// Unescape leaves values Escape cannot produce alone.
	for _, s := range []string{"'quoted", "'", "plain", "''"} {
		if got := Unescape(s); got != s {
			t.Errorf("Unescape(%q) = %q", s, got)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Write([]string{"id", "=cmd|' /C calc'!A0"}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll([][]string{{"1", "@x"}, {"2", "ok"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"id", "'=cmd|' /C calc'!A0"}, {"1", "'@x"}, {"2", "ok"}}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d col %d: %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}
