package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
)

// registerDetails parses the per-commune and per-directive dashboards.
func (s dashboardPages) registerDetails() {
	for _, name := range []string{"dashboard_commune", "dashboard_directive"} {
		fm := dashFuncs()
		fm["dbranch"] = func(p *pageData, b *directives.Branch) branchData { return branchData{P: p, B: b} }
		fm["evt"] = func(p *pageData, rows []stats.ItemFigures, table string, id int64, total stats.ItemFigures) evTable {
			return evTable{P: p, Rows: rows, Table: table, ID: id, Total: total}
		}
		fm["i64"] = func(n int) int64 { return int64(n) }
		t, err := template.New(name).Funcs(fm).ParseFS(assets, "templates/layout.html", "templates/dashboard_style.html", "templates/"+name+".html")
		if err != nil {
			panic(fmt.Errorf("parse template %s: %w", name, err)) // embedded: a programming error
		}
		s.tmpl[name] = t
	}
}

// evTable is an evidence table of the per-directive dashboard.
type evTable struct {
	P     *pageData
	Rows  []stats.ItemFigures
	Table string
	ID    int64
	Total stats.ItemFigures
}

// itemsHeader are the CSV columns of content items (or places).
var itemsHeader = []string{"Bản tin / Đơn vị", "Cụm loa", "Lượt phải phát", "Lượt đến hạn", "Lượt đã phát", "Phát trễ", "Lượt bỏ sót",
	"Cặp (bản tin, cụm loa) phải phát", "Cặp đã phát đủ", "Độ phủ (%)"}

func evidenceRow(f stats.ItemFigures) []string {
	return []string{f.Name, fmt.Sprint(f.Devices), fmt.Sprint(f.Planned), fmt.Sprint(f.Due), fmt.Sprint(f.Played), fmt.Sprint(f.Late),
		fmt.Sprint(f.Missed), fmt.Sprint(f.Targeted), fmt.Sprint(f.Covered), csvNum(f.Coverage)}
}

// communeData is the per-commune dashboard page.
type communeData struct {
	C      *stats.Commune
	Day    string
	Prev   string
	Next   string
	Charts []template.HTML
}

func (s dashboardPages) commune(r *http.Request, p *principal) (*stats.Commune, error) {
	q := r.URL.Query()
	unit := p.Actor.UnitID
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, model.Invalid("unit", "%q is not a unit number", v)
		}
		unit = id
	}
	var day schedule.Date
	if v := q.Get("day"); v != "" {
		d, err := schedule.ParseDate(v)
		if err != nil {
			return nil, model.Invalid("day", "%q is not a date: use YYYY-MM-DD", v)
		}
		day = d
	}
	return s.deps.Stats.Commune(r.Context(), p.Actor, unit, day)
}

func (s dashboardPages) apiCommune(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := s.commune(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s dashboardPages) uiCommune(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := s.commune(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dash.commune_title", "dashboard")
	pd.Title = pd.T("dash.commune_title") + " · " + c.Unit.Name
	d := communeData{C: c, Day: c.Day.String(), Prev: c.Day.AddDays(-1).String(), Next: c.Day.AddDays(1).String()}
	days := make([]string, len(c.Week))
	sched, played, silent := make([]float64, len(c.Week)), make([]float64, len(c.Week)), make([]float64, len(c.Week))
	for i, w := range c.Week {
		days[i] = fmt.Sprintf("%02d/%02d", w.Day.Day, int(w.Day.Month))
		sched[i], played[i], silent[i] = float64(w.Scheduled), float64(w.Played), float64(w.Silent)
	}
	names := make([]string, len(c.Devices))
	uptime := make([]float64, len(c.Devices))
	for i, dv := range c.Devices {
		names[i] = dv.Name + " · " + dv.UnitName
		uptime[i] = dv.Uptime
	}
	count := func(v float64) string { return vnInt(int64(v)) }
	d.Charts = []template.HTML{
		pairChart("chart-week", pd.T("dash.chart_week"), days, sched, played, pd.T("dash.scheduled"), pd.T("dash.played"), count),
		barChart("chart-silent", pd.T("dash.chart_silent"), days, silent, count),
		barChart("chart-uptime", pd.T("dash.chart_uptime"), names, uptime, vnPct),
	}
	pd.Data = d
	s.render(w, r, "dashboard_commune", pd, http.StatusOK)
}

func (s dashboardPages) uiCommuneCSV(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := s.commune(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	var rows [][]string
	day := func(f stats.DayFigures) []string {
		return []string{fmt.Sprint(f.Scheduled), fmt.Sprint(f.Due), fmt.Sprint(f.Played), fmt.Sprint(f.Late), fmt.Sprint(f.Silent),
			csvNum(float64(f.ContactS) / 3600), csvNum(float64(f.ExpectedS) / 3600), csvNum(f.Uptime)}
	}
	dayCols := []string{"Lượt theo lịch", "Lượt đến hạn", "Lượt đã phát", "Phát trễ", "Lượt im lặng (không phát)", "Giờ kết nối", "Giờ phải trực tuyến", "Thời gian hoạt động (%)"}
	switch table := r.URL.Query().Get("table"); table {
	case "", "week":
		rows = append(rows, append([]string{"Ngày"}, dayCols...))
		for _, w := range c.Week {
			rows = append(rows, append([]string{w.Day.String()}, day(w)...))
		}
		rows = append(rows, append([]string{"Tổng cộng 7 ngày"}, day(c.Total)...))
	case "devices":
		rows = append(rows, append([]string{"Cụm loa", "Đơn vị", "Trực tuyến", "Bản tin phải phát", "Bản tin đã phát đủ"}, dayCols...))
		for _, dv := range c.Devices {
			on := "không"
			if dv.Online {
				on = "có"
			}
			rows = append(rows, append([]string{dv.Name, dv.UnitName, on, fmt.Sprint(dv.Targeted), fmt.Sprint(dv.Covered)}, day(dv.DayFigures)...))
		}
	case "items":
		rows = append(rows, itemsHeader)
		for _, it := range c.Items {
			rows = append(rows, evidenceRow(it))
		}
	default:
		s.renderError(w, r, p, model.Invalid("table", "%q: use week, devices or items", table))
		return
	}
	s.writeCSV(w, fmt.Sprintf("xa-%d-%s.csv", c.Unit.ID, c.Day), rows)
}

// directiveDash is the per-directive dashboard page.
type directiveDash struct {
	T        *directives.Tracking
	Tree     *directives.Branch
	E        *stats.DirectiveEvidence
	States   []string
	Counts   map[string]int
	Charts   []template.HTML
	Recorded bool
}

// cascadeOf returns the directives of a cascade (the branch's and every
// forwarded one below) and its places: the recipients that did not
// forward it further (the communes, usually).
func cascadeOf(b *directives.Branch, ids, places []int64) ([]int64, []int64) {
	ids = append(ids, b.DirectiveID)
	for _, n := range b.Nodes {
		if n.Forward != nil {
			ids, places = cascadeOf(n.Forward, ids, places)
			continue
		}
		places = append(places, n.UnitID)
	}
	return ids, places
}

func (s dashboardPages) directive(r *http.Request, p *principal) (*directiveDash, error) {
	if s.deps.Directives == nil {
		return nil, fmt.Errorf("directives: %w", model.ErrNotFound)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	t, err := s.deps.Directives.Track(r.Context(), p.Actor, id, directives.TrackingFilter{})
	if err != nil {
		return nil, err
	}
	tree, err := s.deps.Directives.Tree(r.Context(), p.Actor, id)
	if err != nil {
		return nil, err
	}
	ids, places := cascadeOf(tree, nil, nil)
	e, err := s.deps.Stats.DirectiveEvidence(r.Context(), p.Actor, t.Directive.UnitID, ids, places)
	if err != nil {
		return nil, err
	}
	d := &directiveDash{T: t, Tree: tree, E: e, Counts: map[string]int{},
		States: []string{"pending", "delivered", "read", "acknowledged", "assigned", "forwarded", "reported", "closed", "declined", "failed"}}
	for _, row := range t.Rows {
		d.Counts[row.Status]++
	}
	return d, nil
}

// directiveEvidenceJSON is the per-directive dashboard as JSON.
type directiveEvidenceJSON struct {
	DirectiveID int64                    `json:"directive_id"`
	Progress    directives.Progress      `json:"progress"`
	States      map[string]int           `json:"states"`
	Evidence    *stats.DirectiveEvidence `json:"evidence"`
}

func (s dashboardPages) apiDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	d, err := s.directive(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, directiveEvidenceJSON{DirectiveID: d.T.Directive.ID, Progress: d.T.Progress, States: d.Counts, Evidence: d.E})
}

func (s dashboardPages) uiDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	d, err := s.directive(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dash.directive_title", "directives")
	pd.Title = pd.T("dash.directive_title") + " · " + d.T.Directive.Code
	var labels []string
	var counts []float64
	for _, st := range d.States {
		if n := d.Counts[st]; n > 0 {
			labels = append(labels, pd.StateName(st))
			counts = append(counts, float64(n))
		}
	}
	count := func(v float64) string { return vnInt(int64(v)) }
	pl, due, played := make([]string, len(d.E.Places)), make([]float64, len(d.E.Places)), make([]float64, len(d.E.Places))
	for i, f := range d.E.Places {
		pl[i], due[i], played[i] = f.Name, float64(f.Due), float64(f.Played)
	}
	it, idue, iplayed := make([]string, len(d.E.Items)), make([]float64, len(d.E.Items)), make([]float64, len(d.E.Items))
	for i, f := range d.E.Items {
		it[i], idue[i], iplayed[i] = f.Name, float64(f.Due), float64(f.Played)
	}
	d.Charts = []template.HTML{
		barChart("chart-states", pd.T("dash.chart_states"), labels, counts, count),
		pairChart("chart-items", pd.T("dash.chart_items"), it, idue, iplayed, pd.T("dash.due"), pd.T("dash.played"), count),
		pairChart("chart-places", pd.T("dash.chart_places"), pl, due, played, pd.T("dash.due"), pd.T("dash.played"), count),
	}
	pd.Data = d
	s.render(w, r, "dashboard_directive", pd, http.StatusOK)
}

func (s dashboardPages) uiDirectiveCSV(w http.ResponseWriter, r *http.Request, p *principal) {
	d, err := s.directive(r, p)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dash.directive_title", "directives")
	var rows [][]string
	switch table := r.URL.Query().Get("table"); table {
	case "", "matrix":
		head := []string{"Đơn vị nhận", "Hình thức"}
		for _, st := range d.States {
			head = append(head, pd.StateName(st))
		}
		rows = append(rows, append(head, "Báo cáo trễ hạn", "Quá hạn chưa báo cáo"))
		for _, row := range d.T.Rows {
			line := []string{row.RecipientName, pd.T("dir.role." + row.Purpose)}
			for _, st := range d.States {
				line = append(line, map[bool]string{true: "x", false: ""}[row.Status == st])
			}
			line = append(line, map[bool]string{true: "x", false: ""}[row.Late], map[bool]string{true: "x", false: ""}[row.Overdue && !row.Done])
			rows = append(rows, line)
		}
	case "items", "places":
		rows = append(rows, itemsHeader)
		list := d.E.Items
		if table == "places" {
			list = d.E.Places
		}
		for _, f := range list {
			rows = append(rows, evidenceRow(f))
		}
		total := d.E.Total
		total.Name = "Tổng cộng"
		rows = append(rows, evidenceRow(total))
	default:
		s.renderError(w, r, p, model.Invalid("table", "%q: use matrix, items or places", table))
		return
	}
	s.writeCSV(w, fmt.Sprintf("chi-dao-%d-%s.csv", d.T.Directive.ID, r.URL.Query().Get("table")), rows)
}

// pairChart draws two bars per row (e.g. scheduled and played) as inline
// SVG, with a legend and the values written on the bars.
func pairChart(id, title string, labels []string, a, b []float64, aName, bName string, format func(float64) string) template.HTML {
	const rowH, top, labelW, barW, width = 40, 56, 220, 300, 620
	mx := 0.0
	for i := range a {
		mx = math.Max(mx, math.Max(a[i], b[i]))
	}
	h := top + rowH*len(a) + 10
	var sb strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&sb, `<figure class="chart" id="%s"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, id, width, h, esc(title))
	fmt.Fprintf(&sb, `<text x="0" y="20" font-size="15" font-weight="bold" fill="#1b2a41">%s</text>`, esc(title))
	fmt.Fprintf(&sb, `<rect x="0" y="32" width="14" height="12" fill="#b8c4d6"/><text x="20" y="43" font-size="13" fill="#333">%s</text>`, esc(aName))
	fmt.Fprintf(&sb, `<rect x="200" y="32" width="14" height="12" fill="#2f6fb2"/><text x="220" y="43" font-size="13" fill="#333">%s</text>`, esc(bName))
	for i := range a {
		y := top + i*rowH
		label := labels[i]
		if r := []rune(label); len(r) > 30 {
			label = string(r[:29]) + "…"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" text-anchor="end" fill="#333">%s</text>`, labelW-6, y+22, esc(label))
		for k, v := range []float64{a[i], b[i]} {
			w := 0.0
			if mx > 0 {
				w = barW * v / mx
			}
			fill := []string{"#b8c4d6", "#2f6fb2"}[k]
			by := y + 3 + k*17
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="15" fill="%s" rx="2"/>`, labelW, by, w, fill)
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" font-size="12" fill="#111">%s</text>`, float64(labelW)+w+6, by+12, esc(format(v)))
		}
	}
	if len(a) == 0 {
		fmt.Fprintf(&sb, `<text x="0" y="%d" font-size="12" fill="#666">—</text>`, top+14)
	}
	sb.WriteString(`</svg></figure>`)
	return template.HTML(sb.String()) // every text above is escaped
}
