package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
)

// MaxUnits bounds the units of one built report.
const MaxUnits = 30

// MaxDays bounds a custom period.
const MaxDays = 3660

// PeriodOf resolves a period: the last completed week, month, quarter or
// year, this month so far ("current"), or a custom one (from, to as
// YYYY-MM-DD).
func (s *Service) PeriodOf(name, from, to string) (stats.Period, error) {
	today := s.today()
	switch name {
	case "", Month:
		return LastCompleted(Month, today)
	case Week, Quarter, Year:
		return LastCompleted(name, today)
	case "current":
		return stats.Period{From: schedule.NewDate(today.Year, today.Month, 1), To: today}, nil
	case "custom":
		f, err := schedule.ParseDate(from)
		if err != nil {
			return stats.Period{}, model.Invalid("from", "%q is not a date: use YYYY-MM-DD", from)
		}
		t, err := schedule.ParseDate(to)
		if err != nil {
			return stats.Period{}, model.Invalid("to", "%q is not a date: use YYYY-MM-DD", to)
		}
		if t.Compare(f) < 0 {
			return stats.Period{}, model.Invalid("to", "the period ends (%s) before it starts (%s)", to, from)
		}
		if p := (stats.Period{From: f, To: t}); p.Days() <= MaxDays {
			return p, nil
		}
		return stats.Period{}, model.Invalid("from", "a period of at most %d days", MaxDays)
	}
	return stats.Period{}, model.Invalid("period", "%q: use week, month, quarter, year, current or custom", name)
}

// BuildInput chooses a built report: units, period, figure groups.
type BuildInput struct {
	UnitIDs []int64  `json:"unit_ids"`
	Period  string   `json:"period"`
	From    string   `json:"from,omitempty"`
	To      string   `json:"to,omitempty"`
	Groups  []string `json:"groups,omitempty"`
}

// Built is a built report: the table (one column per unit, then the
// total of the units that are not below another chosen unit when there
// are several) and the figures behind it.
type Built struct {
	Table   *Table     `json:"table"`
	Figures []*Figures `json:"figures"`
}

// Build computes the figures of the chosen units for the period.
func (s *Service) Build(ctx context.Context, a model.Actor, in BuildInput) (*Built, error) {
	if len(in.UnitIDs) == 0 {
		return nil, model.Invalid("unit_ids", "choose at least one unit")
	}
	if len(in.UnitIDs) > MaxUnits {
		return nil, model.Invalid("unit_ids", "at most %d units in one report", MaxUnits)
	}
	for i, g := range in.Groups {
		if !slices.Contains(Groups, g) {
			return nil, model.Invalid(fmt.Sprintf("groups[%d]", i), "%q is not a figure group: use %s", g, strings.Join(Groups, ", "))
		}
	}
	p, err := s.PeriodOf(in.Period, in.From, in.To)
	if err != nil {
		return nil, err
	}
	var units []*model.Unit
	for i, id := range in.UnitIDs {
		if slices.ContainsFunc(units, func(u *model.Unit) bool { return u.ID == id }) {
			continue
		}
		u, err := s.store.Orgs().Unit(ctx, id)
		if err != nil {
			return nil, model.Invalid(fmt.Sprintf("unit_ids[%d]", i), "unit %d does not exist", id)
		}
		if err := s.mayRead(a, u); err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	out := &Built{}
	for _, u := range units {
		f, err := s.Compute(ctx, u, p)
		if err != nil {
			return nil, err
		}
		out.Figures = append(out.Figures, f)
	}
	cols := out.Figures
	if len(units) > 1 {
		cols = append(slices.Clip(cols), s.total(units, out.Figures, p))
	}
	title := "Báo cáo số liệu thông tin cơ sở"
	if len(units) == 1 {
		title += " của " + units[0].Name
	}
	out.Table = NewTable(title, p, cols, in.Groups)
	return out, nil
}

// total adds the figures of the units that are not below another chosen
// unit (each row counted once); percentages are recomputed from the sums.
func (s *Service) total(units []*model.Unit, figs []*Figures, p stats.Period) *Figures {
	tops := subtreeOf(units)
	t := &Figures{UnitName: "Tổng cộng", Period: p, Computed: s.now()}
	var medians []int64
	for i, u := range units {
		if !slices.Contains(tops, u) {
			continue
		}
		f := figs[i]
		t.Documents.Received += f.Documents.Received
		t.Documents.Issued += f.Documents.Issued
		d := &t.Directives
		d.Issued += f.Directives.Issued
		d.Recipients += f.Directives.Recipients
		d.Reported += f.Directives.Reported
		d.ReportedLate += f.Directives.ReportedLate
		d.ImplementedOnTime += f.Directives.ImplementedOnTime
		d.ImplementedLate += f.Directives.ImplementedLate
		t.Bulletins = addCounts(t.Bulletins, f.Bulletins)
		t.Priority = addCounts(t.Priority, f.Priority)
		for _, ch := range f.Channels {
			j := slices.IndexFunc(t.Channels, func(c Channel) bool { return c.Key == ch.Key })
			if j < 0 {
				c := ch
				if ch.Minutes != nil {
					m := *ch.Minutes
					c.Minutes = &m
				}
				t.Channels = append(t.Channels, c)
				continue
			}
			t.Channels[j].Broadcasts += ch.Broadcasts
			if ch.Minutes != nil && t.Channels[j].Minutes != nil {
				*t.Channels[j].Minutes += *ch.Minutes
			}
		}
		t.Coverage.Targets += f.Coverage.Targets
		t.Coverage.Covered += f.Coverage.Covered
		t.Devices.Devices += f.Devices.Devices
		t.Devices.Online += f.Devices.Online
		t.Devices.ContactS += f.Devices.ContactS
		t.Devices.ExpectedS += f.Devices.ExpectedS
		t.Feedback.Received += f.Feedback.Received
		t.Feedback.Handled += f.Feedback.Handled
		t.Feedback.Open += f.Feedback.Open
		if f.Feedback.Handled > 0 {
			medians = append(medians, f.Feedback.MedianSeconds)
		}
	}
	t.Coverage.Percent = percent(t.Coverage.Covered, t.Coverage.Targets)
	t.Devices.Uptime = percent(t.Devices.ContactS, t.Devices.ExpectedS)
	// The median of several subtrees is not their sum: without the raw
	// handling times the total shows the median of one subtree only.
	if len(medians) == 1 {
		t.Feedback.MedianSeconds = medians[0]
	}
	return t
}

func addCounts(to, from []Count) []Count {
	for _, c := range from {
		j := slices.IndexFunc(to, func(x Count) bool { return x.Key == c.Key })
		if j < 0 {
			to = append(to, c)
			continue
		}
		to[j].N += c.N
	}
	return to
}

// PackageSchema names the version of the JSON package; a change that
// removes or renames a field gets a new version (docs/reports-package.md).
const PackageSchema = "loa.reports.package/v1"

// Package is the JSON package of a unit's figures for the upper-level
// (central) information source system.
type Package struct {
	Schema      string       `json:"schema"`
	GeneratedAt time.Time    `json:"generated_at"`
	Source      PackageUnit  `json:"source"`
	Period      stats.Period `json:"period"`
	Total       *Figures     `json:"total"`
	Units       []*Figures   `json:"units"`
}

// PackageUnit names the unit that sends the package.
type PackageUnit struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Package computes the JSON package of a unit: its total (its subtree)
// and one entry per unit directly below it (each its own subtree), so the
// entries add up to the total minus the unit's own rows.
func (s *Service) Package(ctx context.Context, a model.Actor, unitID int64, p stats.Period) (*Package, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(a, u); err != nil {
		return nil, err
	}
	total, err := s.Compute(ctx, u, p)
	if err != nil {
		return nil, err
	}
	out := &Package{Schema: PackageSchema, GeneratedAt: s.now(), Source: PackageUnit{u.ID, u.Code, u.Name, u.Kind}, Period: p, Total: total, Units: []*Figures{}}
	for _, c := range total.units {
		if c.ParentID == nil || *c.ParentID != u.ID {
			continue
		}
		f, err := s.Compute(ctx, c, p)
		if err != nil {
			return nil, err
		}
		out.Units = append(out.Units, f)
	}
	return out, nil
}
