package directives

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/csvsafe"
	"github.com/loa-project/loa/internal/model"
)

// Row is one recipient of a directive in the tracking matrix.
type Row struct {
	*DeliveryView
	// Done: reported or closed, or forwarded and every main recipient of
	// the forwarding directive (recursively) done.
	Done bool `json:"done"`
	// Cascade summarises the recipient's own implementing directive.
	Cascade *Progress `json:"cascade,omitempty"`
}

// Progress counts a directive's main recipients.
type Progress struct {
	DirectiveID int64          `json:"directive_id"`
	Code        string         `json:"code"`
	Status      string         `json:"status"` // of the directive (a forward may still be a draft)
	Total       int            `json:"total"`  // main recipients
	Done        int            `json:"done"`
	Declined    int            `json:"declined"`
	Late        int            `json:"late"`
	Overdue     int            `json:"overdue"`
	Percent     float64        `json:"percent"`
	ByStatus    map[string]int `json:"by_status"`
}

// Tracking is the issuer's matrix: recipients × state.
type Tracking struct {
	Directive *View    `json:"directive"`
	Progress  Progress `json:"progress"`
	Rows      []*Row   `json:"rows"`
}

// TrackingFilter narrows the rows shown.
type TrackingFilter struct {
	Status  string // one state
	Purpose string
	Query   string // part of the recipient's name (case-insensitive)
	Late    bool
	Overdue bool
}

// tracker computes progress recursively, memoising per directive.
type tracker struct {
	s     *Service
	ctx   context.Context
	a     model.Actor
	look  *lookup
	memo  map[int64]*Progress
	depth int
}

func (t *tracker) rows(d *model.Directive) ([]*Row, *Progress, error) {
	list, err := t.s.store.Deliveries().DirectiveDeliveries(t.ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	p := &Progress{DirectiveID: d.ID, Code: d.Code, Status: d.Status, ByStatus: map[string]int{}}
	rows := make([]*Row, 0, len(list))
	for _, del := range list {
		v, err := t.s.Deliveries().deliveryView(t.ctx, t.look, t.a, del)
		if err != nil {
			return nil, nil, err
		}
		r := &Row{DeliveryView: v}
		// The progress below a recipient that forwarded stays in view after
		// the recipient reported (or the issuer closed its delivery).
		if del.ForwardDirectiveID != nil {
			cp, err := t.progress(*del.ForwardDirectiveID)
			if err != nil {
				return nil, nil, err
			}
			r.Cascade = cp
		}
		switch del.Status {
		case Reported, Closed:
			r.Done = true
		case Forwarded:
			if cp := r.Cascade; cp != nil {
				r.Done = cp.Status == StatusIssued && cp.Total > 0 && cp.Done == cp.Total
			}
		}
		rows = append(rows, r)
		p.ByStatus[del.Status]++
		if del.Purpose != RoleMain {
			continue
		}
		p.Total++
		if r.Done {
			p.Done++
		}
		if del.Status == Declined {
			p.Declined++
		}
		if del.Late {
			p.Late++
		}
		if v.Overdue && !r.Done {
			p.Overdue++
		}
	}
	if p.Total > 0 {
		p.Percent = float64(int(1000*float64(p.Done)/float64(p.Total)+0.5)) / 10
	}
	return rows, p, nil
}

func (t *tracker) progress(id int64) (*Progress, error) {
	if p, ok := t.memo[id]; ok {
		return p, nil
	}
	if t.depth > 10 {
		return &Progress{DirectiveID: id}, nil
	}
	d, err := t.s.store.Directives().Directive(t.ctx, id)
	if err != nil {
		return nil, err
	}
	t.depth++
	_, p, err := t.rows(d)
	t.depth--
	if err != nil {
		return nil, err
	}
	t.memo[id] = p
	return p, nil
}

// Track returns the tracking matrix of an issued directive.
func (s Tracker) Track(ctx context.Context, a model.Actor, id int64, f TrackingFilter) (*Tracking, error) {
	d, err := s.Deliveries().mayTrack(ctx, s.store.Q, a, id, false)
	if err != nil {
		return nil, err
	}
	if d.Status != StatusIssued {
		return nil, fmt.Errorf("directive %d is not issued yet; there is nothing to track: %w", id, model.ErrConflict)
	}
	if f.Status != "" && !slices.Contains(append([]string{Pending, Failed}, inboxStates...), f.Status) {
		return nil, model.Invalid("status", "%q is not a delivery state", f.Status)
	}
	t := &tracker{s: s.Service, ctx: ctx, a: a, look: newLookup(s.store.Q), memo: map[int64]*Progress{}}
	rows, p, err := t.rows(d)
	if err != nil {
		return nil, err
	}
	v, err := s.Drafts().view(ctx, a, d)
	if err != nil {
		return nil, err
	}
	out := &Tracking{Directive: v, Progress: *p, Rows: make([]*Row, 0, len(rows))}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	for _, r := range rows {
		if f.Status != "" && r.Status != f.Status || f.Purpose != "" && r.Purpose != f.Purpose || f.Late && !r.Late ||
			f.Overdue && !(r.Overdue && !r.Done) || q != "" && !strings.Contains(strings.ToLower(r.RecipientName), q) {
			continue
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

// Node is one recipient in the cascade tree: who forwarded to whom.
type Node struct {
	DeliveryID int64              `json:"delivery_id"`
	UnitID     int64              `json:"unit_id"`
	UnitName   string             `json:"unit_name"`
	Purpose    string             `json:"purpose"`
	Status     string             `json:"status"`
	Done       bool               `json:"done"`
	Late       bool               `json:"late"`
	Overdue    bool               `json:"overdue"`
	Figures    map[string]float64 `json:"figures,omitempty"`
	// Plays counts the completed loudspeaker plays (one per device and
	// scheduled occurrence) on devices owned by the recipient or units
	// below it, of orders made from this directive or from the directives
	// the recipient's own implementing letter produced below it (evidence).
	// Each play is counted once, at the unit owning the device: a commune's
	// figure includes its radio station's, never adds it twice.
	Plays int `json:"plays"`
	// OwnPlays are the plays of devices the recipient itself owns.
	OwnPlays int     `json:"own_plays"`
	Forward  *Branch `json:"forward,omitempty"`
	path     string
}

// Branch is a directive in the cascade with its recipients.
type Branch struct {
	DirectiveID int64    `json:"directive_id"`
	Code        string   `json:"code"`
	Subject     string   `json:"subject"`
	Status      string   `json:"status"`
	UnitName    string   `json:"unit_name"`
	Progress    Progress `json:"progress"`
	// Plays counts, once each, the plays of this directive and the
	// directives below it in the cascade on devices under its recipients.
	Plays int     `json:"plays"`
	Nodes []*Node `json:"nodes"`
	// cascade holds this directive and every directive below it.
	cascade []int64
}

// Tree returns the cascade of an issued directive: its recipients, and
// under each one that forwarded it, the recipients of its own directive,
// down to the communes.
func (s Tracker) Tree(ctx context.Context, a model.Actor, id int64) (*Branch, error) {
	d, err := s.Deliveries().mayTrack(ctx, s.store.Q, a, id, false)
	if err != nil {
		return nil, err
	}
	t := &tracker{s: s.Service, ctx: ctx, a: model.System("directives tree"), look: newLookup(s.store.Q), memo: map[int64]*Progress{}}
	return t.branch(d, 0)
}

func (t *tracker) branch(d *model.Directive, depth int) (*Branch, error) {
	rows, p, err := t.rows(d)
	if err != nil {
		return nil, err
	}
	b := &Branch{DirectiveID: d.ID, Code: d.Code, Subject: d.Subject, Status: d.Status, Progress: *p, Nodes: make([]*Node, 0, len(rows))}
	if u, err := t.s.store.Orgs().Unit(t.ctx, d.UnitID); err == nil {
		b.UnitName = u.Name
	}
	b.cascade = []int64{d.ID}
	for _, r := range rows {
		n := &Node{DeliveryID: r.ID, UnitID: r.RecipientUnitID, UnitName: r.RecipientName, Purpose: r.Purpose, Status: r.Status, Done: r.Done,
			Late: r.Late, Overdue: r.Overdue && !r.Done}
		if r.Report != nil {
			n.Figures = r.Report.Figures
		}
		if r.ForwardDirectiveID != nil && depth < 8 {
			child, err := t.s.store.Directives().Directive(t.ctx, *r.ForwardDirectiveID)
			if err != nil {
				return nil, err
			}
			if n.Forward, err = t.branch(child, depth+1); err != nil {
				return nil, err
			}
			b.cascade = append(b.cascade, n.Forward.cascade...)
		}
		if u, err := t.s.store.Orgs().Unit(t.ctx, r.RecipientUnitID); err == nil {
			n.path = u.Path
			set := []int64{d.ID}
			if n.Forward != nil {
				set = append(set, n.Forward.cascade...)
			}
			if n.Plays, err = t.s.store.Broadcast().CascadePlays(t.ctx, set, u.Path); err != nil {
				return nil, err
			}
			if n.OwnPlays, err = t.s.store.Broadcast().CascadeUnitPlays(t.ctx, set, u.ID); err != nil {
				return nil, err
			}
		}
		b.Nodes = append(b.Nodes, n)
	}
	// The branch's plays: under each recipient, once, however the
	// recipients nest (a commune and its radio station both receive).
	var tops []string
	paths := make([]string, 0, len(b.Nodes))
	for _, n := range b.Nodes {
		if n.path != "" {
			paths = append(paths, n.path)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if len(tops) > 0 && strings.HasPrefix(p, tops[len(tops)-1]) {
			continue
		}
		tops = append(tops, p)
	}
	for _, p := range tops {
		n, err := t.s.store.Broadcast().CascadePlays(t.ctx, b.cascade, p)
		if err != nil {
			return nil, err
		}
		b.Plays += n
	}
	return b, nil
}

var purposeNames = map[string]string{RoleMain: "Kính gửi", RoleReport: "Báo cáo (b/c)", RoleCopy: "Để biết"}

func fmtTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

func yesNo(b bool) string {
	if b {
		return "x"
	}
	return ""
}

// exportHeader are the columns of the CSV and XLSX exports.
var exportHeader = []string{"Đơn vị nhận", "Hình thức", "Trạng thái", "Đã nhận", "Đã xem", "Đã xác nhận", "Đã phân công",
	"Đã triển khai", "Đã báo cáo", "Kết thúc", "Từ chối", "Lý do từ chối", "Hạn báo cáo", "Trễ hạn", "Quá hạn", "Hoàn thành", "Tiến độ cấp dưới", "Báo cáo"}

func (s Tracker) exportRows(tr *Tracking) [][]string {
	out := make([][]string, 0, len(tr.Rows))
	for _, r := range tr.Rows {
		cascade := ""
		if r.Cascade != nil {
			cascade = fmt.Sprintf("%s %d/%d (%.1f%%)", r.Cascade.Code, r.Cascade.Done, r.Cascade.Total, r.Cascade.Percent)
		}
		report := ""
		if r.Report != nil {
			report = r.Report.Text
			keys := make([]string, 0, len(r.Report.Figures))
			for k := range r.Report.Figures {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				report += fmt.Sprintf("; %s: %g", k, r.Report.Figures[k])
			}
		}
		state := stateNames[r.Status]
		if state == "" {
			state = r.Status
		}
		out = append(out, []string{r.RecipientName, purposeNames[r.Purpose], state, fmtTime(r.DeliveredAt, s.loc), fmtTime(r.ReadAt, s.loc),
			fmtTime(r.AcknowledgedAt, s.loc), fmtTime(r.AssignedAt, s.loc), fmtTime(r.ForwardedAt, s.loc), fmtTime(r.ReportedAt, s.loc),
			fmtTime(r.ClosedAt, s.loc), fmtTime(r.DeclinedAt, s.loc), r.DeclineReason, fmtTime(r.DeadlineAt, s.loc), yesNo(r.Late),
			yesNo(r.Overdue && !r.Done), yesNo(r.Done), cascade, report})
	}
	return out
}

// ExportTracking writes the tracking matrix as CSV or XLSX.
func (s Tracker) ExportTracking(ctx context.Context, a model.Actor, id int64, f TrackingFilter, format string, w io.Writer) error {
	tr, err := s.Track(ctx, a, id, f)
	if err != nil {
		return err
	}
	rows := s.exportRows(tr)
	switch format {
	case "csv":
		// A byte order mark lets spreadsheet programs read the UTF-8.
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csvsafe.NewWriter(w)
		if err := cw.Write(exportHeader); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
		return nil
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		sheet := "Theo dõi"
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		title := fmt.Sprintf("Theo dõi thực hiện văn bản %s: %s — hoàn thành %d/%d (%.1f%%)", tr.Directive.Code, tr.Directive.Subject,
			tr.Progress.Done, tr.Progress.Total, tr.Progress.Percent)
		if err := x.SetCellValue(sheet, "A1", title); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		red, err := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F8D7DA"}}})
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		header := make([]any, len(exportHeader))
		for i, h := range exportHeader {
			header[i] = h
		}
		if err := x.SetSheetRow(sheet, "A3", &header); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		last, _ := excelize.ColumnNumberToName(len(exportHeader))
		if err := x.SetCellStyle(sheet, "A3", last+"3", bold); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		for i, r := range rows {
			cells := make([]any, len(r))
			for j, c := range r {
				cells[j] = c
			}
			cell := fmt.Sprintf("A%d", i+4)
			if err := x.SetSheetRow(sheet, cell, &cells); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
			if tr.Rows[i].Late || (tr.Rows[i].Overdue && !tr.Rows[i].Done) {
				if err := x.SetCellStyle(sheet, cell, fmt.Sprintf("%s%d", last, i+4), red); err != nil {
					return fmt.Errorf("xlsx: %w", err)
				}
			}
		}
		if err := x.SetColWidth(sheet, "A", "A", 45); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := x.SetColWidth(sheet, "B", last, 17); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := x.Write(w); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
		return nil
	}
	return model.Invalid("format", "%q: use csv or xlsx", format)
}

// BroadcastItem is a broadcast content item of a directive delivered to a
// unit: what the broadcast service turns into broadcast orders.
type BroadcastItem struct {
	DirectiveID    int64         `json:"directive_id"`
	DeliveryID     int64         `json:"delivery_id"`
	DeliveryStatus string        `json:"delivery_status"`
	SenderUnitID   int64         `json:"sender_unit_id"`
	Code           string        `json:"code"`
	Subject        string        `json:"subject"`
	IssuedDate     string        `json:"issued_date"`
	DeadlineAt     *time.Time    `json:"deadline_at"`
	Position       int           `json:"position"` // 1-based item number
	Label          string        `json:"label"`
	ItemText       string        `json:"item_text"`
	Broadcast      BroadcastSpec `json:"broadcast"`
}

// Ref is a stable reference to the item ("directive:12:item:3"), for
// broadcast orders' source_ref.
func (b BroadcastItem) Ref() string {
	return model.DirectiveItemRef(b.DirectiveID, b.Position)
}

// BroadcastItems lists the broadcast content items of the directives
// delivered to a unit (not declined), oldest first. It is called by the
// broadcast service, which checks its own permissions.
func (s Tracker) BroadcastItems(ctx context.Context, unitID int64) ([]BroadcastItem, error) {
	list, err := s.store.Directives().DirectiveBroadcastItems(ctx, unitID)
	if err != nil {
		return nil, err
	}
	return broadcastItems(list)
}

// DeliveryBroadcastItems lists the broadcast content items of one
// delivery (none unless it was delivered and not declined).
func (s Tracker) DeliveryBroadcastItems(ctx context.Context, deliveryID int64) ([]BroadcastItem, error) {
	list, err := s.store.Directives().DeliveryBroadcastItems(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	return broadcastItems(list)
}

func broadcastItems(list []model.DirectiveBroadcastItem) ([]BroadcastItem, error) {
	out := make([]BroadcastItem, 0, len(list))
	for _, it := range list {
		b := BroadcastItem{DirectiveID: it.DirectiveID, DeliveryID: it.DeliveryID, DeliveryStatus: it.DeliveryStatus, SenderUnitID: it.SenderUnitID,
			Code: it.Code, Subject: it.Subject, IssuedDate: it.IssuedDate, DeadlineAt: it.DeadlineAt, Position: it.Position, Label: it.Label, ItemText: it.Text}
		b.Broadcast = BroadcastSpec{Text: it.BroadcastText, StartDate: it.StartDate, EndDate: it.EndDate, TimesPerDay: it.TimesPerDay}
		if err := b.Broadcast.Level.UnmarshalText([]byte(it.Level)); err != nil {
			return nil, fmt.Errorf("item %d of directive %d: %w", it.Position, it.DirectiveID, err)
		}
		if err := jsonUnmarshal(it.Audio, &b.Broadcast.Audio); err != nil {
			return nil, fmt.Errorf("audio of item %d of directive %d: %w", it.Position, it.DirectiveID, err)
		}
		if err := jsonUnmarshal(it.Slots, &b.Broadcast.Slots); err != nil {
			return nil, fmt.Errorf("slots of item %d of directive %d: %w", it.Position, it.DirectiveID, err)
		}
		out = append(out, b)
	}
	return out, nil
}
