package directives

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/render"
	"github.com/loa-project/loa/internal/storage"
)

// Summary is the execution report of an issued directive.
type Summary struct {
	Directive *View    `json:"directive"`
	Progress  Progress `json:"progress"`
	// Delivered, Acknowledged count main recipients that got that far.
	Delivered    int `json:"delivered"`
	Acknowledged int `json:"acknowledged"`
	Forwarded    int `json:"forwarded"`
	// Below counts the main recipients of the forwarding directives,
	// recursively (e.g. communes), and how many of them are done.
	Below     int `json:"below"`
	BelowDone int `json:"below_done"`
	// Figures sums the figures of the reports in the cascade, each counted
	// once: a unit's report covers the units below it, so a figure of a
	// unit whose ancestor in the cascade reported the same figure is not
	// added again (a commune and its radio station, a district and its
	// communes).
	Figures map[string]float64 `json:"figures"`
	// Plays are the loudspeaker plays measured from the devices (one per
	// device and scheduled occurrence) of this directive and the
	// directives below it, counted once at the unit owning the device.
	Plays int           `json:"plays"`
	Lines []SummaryLine `json:"lines"`
	At    time.Time     `json:"at"`
}

// SummaryLine is one main recipient's result.
type SummaryLine struct {
	Unit       string             `json:"unit"`
	Status     string             `json:"status"`
	Done       bool               `json:"done"`
	Late       bool               `json:"late"`
	ReportedAt *time.Time         `json:"reported_at"`
	Report     string             `json:"report"`
	Figures    map[string]float64 `json:"figures,omitempty"`
	Cascade    *Progress          `json:"cascade,omitempty"`
}

// Summary computes the execution report of an issued directive.
func (s Tracker) Summary(ctx context.Context, a model.Actor, id int64) (*Summary, error) {
	tr, err := s.Track(ctx, a, id, TrackingFilter{})
	if err != nil {
		return nil, err
	}
	tree, err := s.Tree(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &Summary{Directive: tr.Directive, Progress: tr.Progress, Figures: map[string]float64{}, At: s.now()}
	for _, r := range tr.Rows {
		if r.Purpose != RoleMain {
			continue
		}
		if r.DeliveredAt != nil {
			out.Delivered++
		}
		if r.AcknowledgedAt != nil || r.Done {
			out.Acknowledged++
		}
		if r.ForwardedAt != nil {
			out.Forwarded++
		}
		line := SummaryLine{Unit: r.RecipientName, Status: r.Status, Done: r.Done, Late: r.Late, ReportedAt: r.ReportedAt, Cascade: r.Cascade}
		if r.Report != nil {
			line.Report, line.Figures = r.Report.Text, r.Report.Figures
		}
		out.Lines = append(out.Lines, line)
	}
	out.Plays = tree.Plays
	type reported struct {
		path string
		v    float64
	}
	figures := map[string][]reported{}
	var walk func(b *Branch, depth int)
	walk = func(b *Branch, depth int) {
		for _, n := range b.Nodes {
			for k, v := range n.Figures {
				figures[k] = append(figures[k], reported{n.path, v})
			}
			if depth > 0 && n.Purpose == RoleMain {
				out.Below++
				if n.Done {
					out.BelowDone++
				}
			}
			if n.Forward != nil {
				walk(n.Forward, depth+1)
			}
		}
	}
	walk(tree, 0)
	for k, list := range figures {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].path) < len(list[j].path) })
		var tops []string
	next:
		for _, r := range list {
			for _, p := range tops {
				if r.path != "" && strings.HasPrefix(r.path, p) {
					continue next
				}
			}
			if r.path != "" {
				tops = append(tops, r.path)
			}
			out.Figures[k] += r.v
		}
	}
	return out, nil
}

// summaryContent lays out the summary as a report (Báo cáo) of the
// issuing unit, addressed to whoever sent what the directive implements
// (else the unit's superior), with a b/c copy to the superior.
func (s Tracker) summaryContent(ctx context.Context, q storage.Q, sum *Summary) (Content, []Recipient, error) {
	v := sum.Directive
	agency, err := q.Orgs().Unit(ctx, v.UnitID)
	if err != nil {
		return Content{}, nil, err
	}
	cite := fmt.Sprintf("%s số %s ngày %s", v.Content.DocType, v.Code, shortDate(v.IssuedDate))
	c := Content{DocType: "Báo cáo", Subject: "Kết quả thực hiện " + cite}
	c.References = []docmodel.Reference{{DocType: docmodel.Str(v.Content.DocType), Number: v.Fields.Number, Notation: v.Fields.Notation,
		Date: v.Fields.Date, Issuer: docmodel.Str(agency.Name), Text: cite}}
	intro := ""
	if len(v.Content.References) > 0 && v.Content.References[0].Text != "" {
		intro = "Thực hiện " + v.Content.References[0].Text + ", "
		c.References = append(c.References, v.Content.References[0])
	}
	intro += fmt.Sprintf("%s đã ban hành %s về việc %s gửi %d cơ quan, đơn vị. Kết quả thực hiện như sau:",
		agency.Name, cite, lowerFirst(strings.TrimRight(v.Subject, ".")), sum.Progress.Total)
	c.Intro = strings.ToUpper(intro[:1]) + intro[1:]
	p := sum.Progress
	c.Items = []Item{
		{Label: "1", Text: fmt.Sprintf("Tiếp nhận: %d/%d đơn vị đã nhận văn bản, %d đơn vị đã xác nhận.", sum.Delivered, p.Total, sum.Acknowledged)},
		{Label: "2", Text: fmt.Sprintf("Kết quả: %d/%d đơn vị đã hoàn thành (%.1f%%); %d đơn vị báo cáo trễ hạn; %d đơn vị từ chối; %d đơn vị quá hạn chưa báo cáo.",
			p.Done, p.Total, p.Percent, p.Late, p.Declined, p.Overdue)},
	}
	if sum.Forwarded > 0 {
		c.Items = append(c.Items, Item{Label: "3", Text: fmt.Sprintf("Triển khai xuống cấp dưới: %d đơn vị đã ban hành văn bản chỉ đạo tới %d đơn vị cấp dưới; %d/%d đơn vị cấp dưới đã hoàn thành.",
			sum.Forwarded, sum.Below, sum.BelowDone, sum.Below)})
	}
	if sum.Plays > 0 {
		c.Items = append(c.Items, Item{Label: fmt.Sprint(len(c.Items) + 1), Text: fmt.Sprintf("Phát thanh trên hệ thống truyền thanh cơ sở (số liệu thiết bị, mỗi lượt tính một lần tại đơn vị quản lý cụm loa): %d lượt phát.", sum.Plays)})
	}
	if len(sum.Figures) > 0 {
		keys := make([]string, 0, len(sum.Figures))
		for k := range sum.Figures {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %g", k, sum.Figures[k])
		}
		c.Items = append(c.Items, Item{Label: fmt.Sprint(len(c.Items) + 1), Text: "Số liệu tổng hợp từ báo cáo của các đơn vị: " + strings.Join(parts, "; ") + "."})
	}
	var lines []string
	for _, l := range sum.Lines {
		state := stateNames[l.Status]
		if l.Done {
			state = "hoàn thành"
		}
		if l.Late {
			state += " (trễ hạn)"
		}
		lines = append(lines, fmt.Sprintf("- %s: %s.", l.Unit, state))
	}
	c.Items = append(c.Items, Item{Label: fmt.Sprint(len(c.Items) + 1), Text: "Kết quả của từng đơn vị:\n" + strings.Join(lines, "\n")})
	c.Closing = agency.Name + " báo cáo để biết, chỉ đạo./."
	var rec []Recipient
	if v.ParentDeliveryID != nil {
		if pd, err := q.Deliveries().Delivery(ctx, *v.ParentDeliveryID); err == nil {
			rec = append(rec, Recipient{UnitID: pd.SenderUnitID, Role: RoleMain})
		}
	}
	if agency.ParentID != nil {
		role := RoleReport
		if len(rec) == 0 {
			role = RoleMain
		}
		if len(rec) == 0 || rec[0].UnitID != *agency.ParentID {
			rec = append(rec, Recipient{UnitID: *agency.ParentID, Role: role})
		}
	}
	c.Recipients = rec
	c.Normalize()
	return c, rec, nil
}

// SummaryDocument renders the summary report in the official layout
// (html, pdf or text) without storing anything.
func (s Tracker) SummaryDocument(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error) {
	sum, err := s.Summary(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	c, _, err := s.summaryContent(ctx, s.store.Q, sum)
	if err != nil {
		return nil, "", err
	}
	if err := c.validate(); err != nil {
		return nil, "", err
	}
	d := &model.Directive{ID: 0, UnitID: sum.Directive.UnitID, DraftingUnitID: sum.Directive.DraftingUnitID, DocType: c.DocType}
	f, err := s.Drafts().buildFields(ctx, s.store.Q, d, c, "", s.Workflow().previewNotation(ctx, d), s.today())
	if err != nil {
		return nil, "", err
	}
	opt := render.Options{Draft: true, CreationDate: s.now()}
	var buf bytes.Buffer
	switch format {
	case "", "pdf":
		err, format = render.PDF(&buf, f, opt), "application/pdf"
	case "html":
		err, format = render.HTML(&buf, f, opt), "text/html; charset=utf-8"
	case "text":
		err, format = render.Text(&buf, f), "text/plain; charset=utf-8"
	default:
		return nil, "", model.Invalid("format", "%q: use pdf, html or text", format)
	}
	if err != nil {
		return nil, "", fmt.Errorf("render summary of directive %d: %w", id, err)
	}
	return buf.Bytes(), format, nil
}

// CreateSummaryDraft starts a report (Báo cáo) draft with the summary,
// addressed up; it then goes through approval and issuing like any
// directive.
func (s Tracker) CreateSummaryDraft(ctx context.Context, a model.Actor, id int64) (*View, error) {
	sum, err := s.Summary(ctx, a, id)
	if err != nil {
		return nil, err
	}
	c, _, err := s.summaryContent(ctx, s.store.Q, sum)
	if err != nil {
		return nil, err
	}
	var d *model.Directive
	docID := sum.Directive.DocumentID
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = s.Drafts().createTx(ctx, tx, a, sum.Directive.UnitID, c, func(nd *model.Directive) {
			nd.ImplementsDocumentID = docID
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Drafts().view(ctx, a, d)
}
