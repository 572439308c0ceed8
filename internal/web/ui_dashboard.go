package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
)

// Dashboards computes the dashboards' figures (package stats).
type Dashboards interface {
	Overview(ctx context.Context, a model.Actor, unitID int64, p stats.Period) (*stats.Overview, error)
	PeriodOf(name, from, to string) (stats.Period, error)
	Commune(ctx context.Context, a model.Actor, unitID int64, day schedule.Date) (*stats.Commune, error)
	DirectiveEvidence(ctx context.Context, a model.Actor, issuerUnitID int64, directiveIDs, places []int64) (*stats.DirectiveEvidence, error)
}

// HasDashboard reports whether this server computes dashboards.
func (p *pageData) HasDashboard() bool { return p.s.deps.Stats != nil }

// dashboardPages serves the dashboards.
type dashboardPages struct{ *Server }

func (s *Server) dashboards() dashboardPages { return dashboardPages{s} }

func (s dashboardPages) register() {
	t, err := template.New("dashboard").Funcs(dashFuncs()).ParseFS(assets, "templates/layout.html", "templates/dashboard_style.html", "templates/dashboard.html")
	if err != nil {
		panic(fmt.Errorf("parse template dashboard: %w", err)) // embedded: a programming error
	}
	s.tmpl["dashboard"] = t
	s.registerDetails()
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /dashboard", false, pg(s.uiDashboard))
	s.handle("GET /dashboard.csv", false, pg(s.uiDashboardCSV))
	s.handle("GET /dashboard/commune", false, pg(s.uiCommune))
	s.handle("GET /dashboard/commune.csv", false, pg(s.uiCommuneCSV))
	s.handle("GET /api/v1/stats/commune", true, s.api(MaxJSONBody, s.apiCommune))
	s.handle("GET /dashboard/directives/{id}", false, pg(s.uiDirective))
	s.handle("GET /dashboard/directives/{id}/csv", false, pg(s.uiDirectiveCSV))
	s.handle("GET /api/v1/stats/directives/{id}", true, s.api(MaxJSONBody, s.apiDirective))
	s.handle("GET /api/v1/stats/overview", true, s.api(MaxJSONBody, s.apiOverview))
}

// StatsExportSchema names the format of the JSON export, for the upper
// level (central) information source system.
const StatsExportSchema = "loa.stats.overview/v1"

// statsExport is the JSON package of a unit's figures.
type statsExport struct {
	Schema string `json:"schema"`
	*stats.Overview
}

func (s dashboardPages) apiOverview(w http.ResponseWriter, r *http.Request, p *principal) {
	o, _, err := s.overview(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statsExport{Schema: StatsExportSchema, Overview: o})
}

type dashboardData struct {
	O      *stats.Overview
	Period string
	From   string
	To     string
	Query  string
	Charts []template.HTML
}

func (s dashboardPages) overview(r *http.Request, p *principal) (*stats.Overview, string, error) {
	q := r.URL.Query()
	unit := p.Actor.UnitID
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", model.Invalid("unit", "%q is not a unit number", v)
		}
		unit = id
	}
	name := q.Get("period")
	if name == "" {
		name = "month"
	}
	per, err := s.deps.Stats.PeriodOf(name, q.Get("from"), q.Get("to"))
	if err != nil {
		return nil, "", err
	}
	o, err := s.deps.Stats.Overview(r.Context(), p.Actor, unit, per)
	return o, name, err
}

func (s dashboardPages) uiDashboard(w http.ResponseWriter, r *http.Request, p *principal) {
	o, name, err := s.overview(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dash.title", "dashboard")
	pd.Title = pd.T("dash.title") + " · " + o.Unit.Name
	d := dashboardData{O: o, Period: name, From: o.Period.From.String(), To: o.Period.To.String(), Query: r.URL.RawQuery}
	labels := make([]string, len(o.Rows))
	plays, minutes, completion, online := make([]float64, len(o.Rows)), make([]float64, len(o.Rows)), make([]float64, len(o.Rows)), make([]float64, len(o.Rows))
	coverage := make([]float64, len(o.Rows))
	for i, f := range o.Rows {
		labels[i] = f.UnitName
		plays[i], minutes[i], completion[i], coverage[i] = float64(f.Plays), f.Minutes, f.Completion, f.Coverage
		if f.Devices > 0 {
			online[i] = 100 * float64(f.Online) / float64(f.Devices)
		}
	}
	d.Charts = []template.HTML{
		barChart("chart-coverage", pd.T("dash.chart_coverage"), labels, coverage, vnPct),
		barChart("chart-plays", pd.T("dash.chart_plays"), labels, plays, func(v float64) string { return vnInt(int64(v)) }),
		barChart("chart-minutes", pd.T("dash.chart_minutes"), labels, minutes, vnNum),
		barChart("chart-completion", pd.T("dash.chart_completion"), labels, completion, vnPct),
		barChart("chart-online", pd.T("dash.chart_online"), labels, online, vnPct),
	}
	pd.Data = d
	s.render(w, r, "dashboard", pd, http.StatusOK)
}

// dashFuncs are the dashboards' template functions.
func dashFuncs() template.FuncMap {
	return template.FuncMap{"vnint": vnIntAny, "vnpct": vnPct, "vnnum": vnNum, "dashq": dashQuery,
		"dashperiods": func() []string { return []string{"today", "week", "month", "quarter", "year", "custom"} },
		"hours":       func(sec int64) string { return vnNum(float64(sec) / 3600) }}
}

// dashboardHeader are the CSV columns.
var dashboardHeader = []string{"Đơn vị", "Văn bản chỉ đạo đã ban hành", "Đơn vị nhận (Kính gửi)", "Đã báo cáo", "Báo cáo trễ hạn", "Tỷ lệ hoàn thành (%)",
	"Lượt phát", "Số phút phát", "Cụm loa", "Cụm loa trực tuyến",
	"Cặp (bản tin, cụm loa) phải phát", "Cặp đã phát đủ", "Độ phủ (%)"}

func (s dashboardPages) uiDashboardCSV(w http.ResponseWriter, r *http.Request, p *principal) {
	o, _, err := s.overview(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if r.URL.Query().Get("table") == "items" {
		rows := [][]string{itemsHeader}
		for _, it := range o.Items {
			rows = append(rows, evidenceRow(it))
		}
		s.writeCSV(w, fmt.Sprintf("do-phu-%d-%s-%s.csv", o.Unit.ID, o.Period.From, o.Period.To), rows)
		return
	}
	row := func(f stats.Figures) []string {
		return []string{f.UnitName, fmt.Sprint(f.Directives), fmt.Sprint(f.Recipients), fmt.Sprint(f.Reported), fmt.Sprint(f.LateReport),
			csvNum(f.Completion), fmt.Sprint(f.Plays), csvNum(f.Minutes), fmt.Sprint(f.Devices), fmt.Sprint(f.Online),
			fmt.Sprint(f.Targeted), fmt.Sprint(f.Covered), csvNum(f.Coverage)}
	}
	rows := [][]string{dashboardHeader}
	if o.Own != nil {
		own := *o.Own
		own.UnitName += " (trực thuộc trực tiếp)"
		rows = append(rows, row(own))
	}
	for _, f := range o.Rows {
		rows = append(rows, row(f))
	}
	total := o.Total
	total.UnitName = "Tổng cộng " + o.Unit.Name
	rows = append(rows, row(total))
	s.writeCSV(w, fmt.Sprintf("tong-quan-%d-%s-%s.csv", o.Unit.ID, o.Period.From, o.Period.To), rows)
}

// writeCSV sends rows as a CSV download (UTF-8 with a byte order mark,
// which spreadsheet programs need to read Vietnamese).
func (s dashboardPages) writeCSV(w http.ResponseWriter, name string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	_, _ = w.Write([]byte("\ufeff"))
	if err := csvsafe.NewWriter(w).WriteAll(rows); err != nil {
		s.deps.Log.Warn("write dashboard CSV", "file", name, "err", err)
	}
}

// csvNum writes a number with one decimal and a decimal comma.
func csvNum(f float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(f, 'f', 1, 64), ".", ",")
}

// vnInt writes an integer the Vietnamese way: 1.234.567.
// vnIntAny is vnInt for templates, which hand it int or int64 figures.
func vnIntAny(n any) (string, error) {
	switch v := n.(type) {
	case int:
		return vnInt(int64(v)), nil
	case int64:
		return vnInt(v), nil
	case int32:
		return vnInt(int64(v)), nil
	default:
		return "", fmt.Errorf("vnint: %T is not an integer", n)
	}
}

func vnInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// vnNum writes a number with one decimal the Vietnamese way: 1.234,5.
func vnNum(f float64) string {
	r := math.Round(f*10) / 10
	whole := int64(r)
	frac := int64(math.Round(math.Abs(r-float64(whole)) * 10))
	if frac == 0 {
		return vnInt(whole)
	}
	return fmt.Sprintf("%s,%d", vnInt(whole), frac)
}

// vnPct writes a percentage the Vietnamese way: 33,3 %.
func vnPct(f float64) string { return vnNum(f) + " %" }

// barChart draws a horizontal bar chart as inline SVG: readable without
// JavaScript, printable, with the value written on every bar.
func barChart(id, title string, labels []string, values []float64, format func(float64) string) template.HTML {
	const rowH, top, labelW, barW, width = 26, 34, 220, 300, 620
	max := 0.0
	for _, v := range values {
		max = math.Max(max, v)
	}
	h := top + rowH*len(values) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`,
		id, width, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="20" font-size="15" font-weight="bold" fill="#1b2a41">%s</text>`, template.HTMLEscapeString(title))
	for i, v := range values {
		y := top + i*rowH
		w := 0.0
		if max > 0 {
			w = barW * v / max
		}
		label := labels[i]
		if r := []rune(label); len(r) > 30 {
			label = string(r[:29]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" text-anchor="end" fill="#333">%s</text>`, labelW-6, y+15, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#2f6fb2" rx="2"/>`, labelW, y+3, w, rowH-8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="13" fill="#111">%s</text>`, float64(labelW)+w+6, y+15, template.HTMLEscapeString(format(v)))
	}
	if len(values) == 0 {
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="#666">—</text>`, top+14)
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String()) // every text above is escaped
}

// dashQuery keeps the period while drilling into a unit.
func dashQuery(unit int64, period, from, to string) string {
	v := url.Values{"unit": {strconv.FormatInt(unit, 10)}, "period": {period}}
	if period == "custom" {
		v.Set("from", from)
		v.Set("to", to)
	}
	return v.Encode()
}
