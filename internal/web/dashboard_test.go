package web

import (
	"strings"
	"testing"
)

// TestVietnameseNumbersAndChart: numbers and percentages in Vietnamese
// format, and a chart whose labels are escaped and whose values are
// written on the bars.
func TestVietnameseNumbersAndChart(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 12: "12", 1234: "1.234", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := vnInt(in); got != want {
			t.Errorf("vnInt(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{33.333: "33,3 %", 100: "100 %", 0.05: "0,1 %", 12345.6: "12.345,6 %"} {
		if got := vnPct(in); got != want {
			t.Errorf("vnPct(%v) = %q, want %q", in, got, want)
		}
	}
	svg := string(barChart("c", "Lượt phát", []string{"Xã <A>", "Phường B"}, []float64{10, 5}, func(v float64) string { return vnInt(int64(v)) }))
	for _, want := range []string{`<svg`, "Xã &lt;A&gt;", ">10<", ">5<", `width="300.0"`, `width="150.0"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<A>") {
		t.Error("a label is not escaped")
	}
}

// TestPairChart: two bars per row, the legend, values in Vietnamese
// format, labels escaped, the longer bar full width.
func TestPairChart(t *testing.T) {
	svg := string(pairChart("p", "Theo lịch và đã phát", []string{"07/12", "Xã <B>"}, []float64{1200, 40}, []float64{1100, 0},
		"Lượt theo lịch", "Lượt đã phát", func(v float64) string { return vnInt(int64(v)) }))
	for _, want := range []string{`<svg`, `id="p"`, "Lượt theo lịch", "Lượt đã phát", ">1.200<", ">1.100<", ">40<", ">0<", "Xã &lt;B&gt;", `width="300.0"`, `width="275.0"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<B>") {
		t.Error("a label is not escaped")
	}
}
