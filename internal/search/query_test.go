package search

import (
	"regexp"
	"strings"
	"testing"
)

func TestParseFoldsAndMakesPhrases(t *testing.T) {
	q := Parse(`Phòng, chống "dịch Covid-19" 570/STTTT-TTBCBC đồng*`)
	want := [][]string{{"phong"}, {"chong"}, {"dich", "covid", "19"}, {"570", "stttt", "ttbcbc"}, {"dong"}}
	if len(q.Terms) != len(want) {
		t.Fatalf("terms %+v", q.Terms)
	}
	for i, w := range want {
		if strings.Join(q.Terms[i].Tokens, " ") != strings.Join(w, " ") {
			t.Errorf("term %d = %v, want %v", i, q.Terms[i].Tokens, w)
		}
	}
	if !q.Terms[4].Prefix || q.Terms[0].Prefix {
		t.Errorf("prefix flags wrong: %+v", q.Terms)
	}
	if got := strings.Join(q.Exact, ","); got != "phòng,chống,dịch,đồng" {
		t.Errorf("exact = %q", got)
	}
	if got := q.FTS5(); got != `"phong" AND "chong" AND "dich covid 19" AND "570 stttt ttbcbc" AND "dong"*` {
		t.Errorf("FTS5 = %s", got)
	}
	if got := q.TSQuery(); got != `'phong' & 'chong' & ('dich' <-> 'covid' <-> '19') & ('570' <-> 'stttt' <-> 'ttbcbc') & 'dong':*` {
		t.Errorf("TSQuery = %s", got)
	}
}

func TestParseCodes(t *testing.T) {
	for _, c := range []struct{ in, number, notation string }{
		{"570/STTTT-TTBCBC", "570", "STTTT-TTBCBC"},
		{"570/STTTT", "570", "STTTT"},
		{"570", "570", ""},
		{"STTTT", "", "STTTT"},
		{"phong chong", "", ""},
		{"Covid", "", ""},
	} {
		q := Parse(c.in)
		if q.Number != c.number || q.Notation != c.notation {
			t.Errorf("%q: number %q notation %q, want %q %q", c.in, q.Number, q.Notation, c.number, c.notation)
		}
	}
}

// Whatever is typed, the engines only ever see quoted tokens of letters
// and digits.
func TestParseHostileInput(t *testing.T) {
	safeFTS := regexp.MustCompile(`^("[\p{L}\p{N} ]+"\*?( AND "[\p{L}\p{N} ]+"\*?)*)?$`)
	safeTS := regexp.MustCompile(`^[\p{L}\p{N}' <>&():*-]*$`)
	inputs := []string{
		`"*()`, `NEAR`, `NEAR(a b)`, `AND OR NOT`, `"unbalanced quote`, `a" b "c`, `***`, `()`, `'; DROP TABLE documents; --`,
		`col:value`, `^start`, `a - b`, `{code}: x`, `a:* & !b | c <-> d`, "\x00\xff\xfe", strings.Repeat("ậ", 30000),
		strings.Repeat("word ", 10000), strings.Repeat(`"`, 101),
	}
	for _, in := range inputs {
		q := Parse(in)
		if f := q.FTS5(); !safeFTS.MatchString(f) {
			t.Errorf("%.40q: unsafe FTS5 %q", in, f)
		}
		if s := q.TSQuery(); !safeTS.MatchString(s) {
			t.Errorf("%.40q: unsafe tsquery %q", in, s)
		}
		if len(q.Terms) > MaxTerms {
			t.Errorf("%.40q: %d terms", in, len(q.Terms))
		}
		for _, tm := range q.Terms {
			for _, k := range tm.Tokens {
				if len(k) > MaxTokenBytes || k == "" {
					t.Errorf("%.40q: token %q", in, k)
				}
			}
		}
	}
	if q := Parse(strings.Repeat("word ", 10000)); !q.Truncated {
		t.Error("a 50,000-character query is not reported as truncated")
	}
	if q := Parse(`AND OR NOT`); q.FTS5() != `"and" AND "or" AND "not"` {
		t.Errorf("operators are not words: %s", q.FTS5())
	}
	if q := Parse(`"*()`); !q.Empty() {
		t.Errorf(`"*() should have no words: %+v`, q)
	}
}

func TestHighlightMarksOriginalText(t *testing.T) {
	q := Parse("phong chong covid dong thap")
	text := "V/v tăng cường công tác phòng, chống dịch Covid-19 trên địa bàn tỉnh Đồng Tháp."
	frags := Highlight(text, q, 0)
	var marked []string
	var all strings.Builder
	for _, f := range frags {
		all.WriteString(f.Text)
		if f.Mark {
			marked = append(marked, f.Text)
		}
	}
	if got := strings.Join(marked, "|"); got != "phòng|chống|Covid|Đồng|Tháp" {
		t.Errorf("marked %q", got)
	}
	if all.String() != text {
		t.Errorf("text changed: %q", all.String())
	}
	long := strings.Repeat("Lorem ipsum dolor sit amet. ", 100) + "Công văn về phòng chống dịch." + strings.Repeat(" Kết thúc văn bản.", 100)
	sn := Highlight(long, Parse("phong chong"), 120)
	var b strings.Builder
	for _, f := range sn {
		b.WriteString(f.Text)
	}
	if s := b.String(); !strings.Contains(s, "phòng chống") || len(s) > 200 || !strings.HasPrefix(s, "… ") {
		t.Errorf("snippet %q", s)
	}
	if Highlight("nothing here", q, 100) != nil {
		t.Error("a snippet without match")
	}
}

func TestIndexText(t *testing.T) {
	if got := IndexText("Số: 570/STTTT-TTBCBC — Đồng Tháp, ngày 3/6/2021", 0); got != "so 570 stttt ttbcbc dong thap ngay 3 6 2021" {
		t.Errorf("IndexText = %q", got)
	}
	if got := IndexText("một hai ba bốn", 8); got != "mot hai" {
		t.Errorf("cut = %q", got)
	}
}
