package reports

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Groups are the figure groups a report can show, in report order.
var Groups = []string{"documents", "directives", "bulletins", "broadcasts", "coverage", "devices", "feedback"}

// Line is one figure of a unit as a row of a table: the same lines make
// the letter's annex, the builder's table, its PDF, XLSX and CSV.
type Line struct {
	Group string  `json:"group"`
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Unit  string  `json:"unit"` // unit of measure, Vietnamese (văn bản, lượt, phút, %, giờ …)
	Value float64 `json:"value"`
}

// Text is the value in Vietnamese notation: 1.234 · 33,3 %.
func (l Line) Text() string {
	switch l.Unit {
	case "%":
		return Decimal(l.Value) + " %"
	case "phút", "giờ":
		return Decimal(l.Value)
	}
	return Int(int64(math.Round(l.Value)))
}

// Lines lists the figures of the chosen groups (all when none is
// chosen).
func (f *Figures) Lines(groups []string) []Line {
	want := func(g string) bool { return len(groups) == 0 || slices.Contains(groups, g) }
	var out []Line
	add := func(g, key, label, unit string, v float64) {
		if want(g) {
			out = append(out, Line{Group: g, Key: key, Label: label, Unit: unit, Value: v})
		}
	}
	add("documents", "documents.received", "Văn bản đến (sổ văn bản đến)", "văn bản", float64(f.Documents.Received))
	add("documents", "documents.issued", "Văn bản đi (sổ văn bản đi)", "văn bản", float64(f.Documents.Issued))
	d := f.Directives
	add("directives", "directives.issued", "Văn bản chỉ đạo đã ban hành", "văn bản", float64(d.Issued))
	add("directives", "directives.recipients", "Lượt đơn vị nhận thực hiện", "đơn vị", float64(d.Recipients))
	add("directives", "directives.reported", "Lượt đơn vị đã báo cáo kết quả", "đơn vị", float64(d.Reported))
	add("directives", "directives.implemented_on_time", "Văn bản chỉ đạo nhận được đã thực hiện đúng hạn", "văn bản", float64(d.ImplementedOnTime))
	add("directives", "directives.implemented_late", "Văn bản chỉ đạo nhận được đã thực hiện trễ hạn", "văn bản", float64(d.ImplementedLate))
	for _, c := range f.Bulletins {
		add("bulletins", "bulletins.level."+c.Key, "Bản tin do cấp "+lowerFirst(c.Label)+" sản xuất", "bản tin", float64(c.N))
	}
	for _, c := range f.Priority {
		add("bulletins", "bulletins.priority."+c.Key, "Bản tin mức "+lowerFirst(c.Label), "bản tin", float64(c.N))
	}
	for _, c := range f.Channels {
		add("broadcasts", "broadcasts."+c.Key, "Lượt phát: "+c.Label, "lượt", float64(c.Broadcasts))
		if c.Minutes != nil {
			add("broadcasts", "minutes."+c.Key, "Thời lượng phát: "+c.Label, "phút", *c.Minutes)
		}
	}
	add("coverage", "coverage.targets", "Lượt cụm loa được giao phát bản tin", "lượt", float64(f.Coverage.Targets))
	add("coverage", "coverage.covered", "Lượt cụm loa đã phát đủ số lần", "lượt", float64(f.Coverage.Covered))
	add("coverage", "coverage.percent", "Độ phủ", "%", f.Coverage.Percent)
	add("devices", "devices.devices", "Thiết bị đang hoạt động", "thiết bị", float64(f.Devices.Devices))
	add("devices", "devices.online", "Thiết bị trực tuyến khi lập báo cáo", "thiết bị", float64(f.Devices.Online))
	add("devices", "devices.expected_hours", "Thời gian thiết bị cần trực tuyến", "giờ", math.Round(float64(f.Devices.ExpectedS)/360)/10)
	add("devices", "devices.contact_hours", "Thời gian thiết bị trực tuyến", "giờ", math.Round(float64(f.Devices.ContactS)/360)/10)
	add("devices", "devices.uptime", "Tỷ lệ thời gian thiết bị trực tuyến", "%", f.Devices.Uptime)
	add("feedback", "feedback.received", "Phản ánh, kiến nghị đã tiếp nhận", "phản ánh", float64(f.Feedback.Received))
	add("feedback", "feedback.handled", "Phản ánh, kiến nghị đã trả lời", "phản ánh", float64(f.Feedback.Handled))
	add("feedback", "feedback.open", "Phản ánh, kiến nghị chưa xử lý cuối kỳ", "phản ánh", float64(f.Feedback.Open))
	add("feedback", "feedback.median_hours", "Thời gian xử lý trung vị", "giờ", math.Round(float64(f.Feedback.MedianSeconds)/360)/10)
	return out
}

// Int writes an integer the Vietnamese way, dots between thousands:
// 12.345.
func Int(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var parts []string
	for len(digits) > 3 {
		parts = append([]string{digits[len(digits)-3:]}, parts...)
		digits = digits[:len(digits)-3]
	}
	parts = append([]string{digits}, parts...)
	return sign + strings.Join(parts, ".")
}

// Decimal writes a number with one decimal the Vietnamese way (comma),
// without a trailing ",0": 33,3 · 1.234,5 · 12.
func Decimal(v float64) string {
	tenths := int64(math.Round(v * 10))
	whole, frac := tenths/10, tenths%10
	if frac < 0 {
		frac = -frac
	}
	s := Int(whole)
	if whole == 0 && tenths < 0 {
		s = "-0"
	}
	if frac == 0 {
		return s
	}
	return s + "," + strconv.FormatInt(frac, 10)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}
