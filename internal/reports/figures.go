// Package reports makes the periodic reports of a unit to its superior
// (weekly, monthly, quarterly, yearly: a Báo cáo draft in the official
// layout with an XLSX annex, which then goes through the normal approve →
// issue → send flow), the ad-hoc report builder (table, PDF, XLSX, CSV)
// and the JSON package of the same figures for the upper-level
// information source system.
//
// Every figure is counted once, at the unit that owns the row (the
// register's unit, the recipient of a directive, the unit owning the
// device or the order, the unit whose page received the feedback), and a
// unit's figure is the sum over its subtree. Plays, minutes, devices and
// the directives issued come from the dashboards' own computation
// (stats.Overview over the rollups), and so do coverage and device uptime
// (stats.Overview, stats.Service.Uptime), the feedback figures from
// feedback.FiguresOf: one source of truth.
package reports

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"golang.org/x/sync/errgroup"
)

// Documents are the lines of the unit's registers in the period.
type Documents struct {
	Received int64 `json:"received"` // incoming register (văn bản đến)
	Issued   int64 `json:"issued"`   // outgoing register (văn bản đi)
}

// Directives are the directives issued under the unit (as the dashboard
// counts them) and those the units received and reported done in the
// period, on time or late.
type Directives struct {
	Issued            int64 `json:"issued"`
	Recipients        int64 `json:"recipients"`
	Reported          int64 `json:"reported"`
	ReportedLate      int64 `json:"reported_late"`
	ImplementedOnTime int64 `json:"implemented_on_time"`
	ImplementedLate   int64 `json:"implemented_late"`
}

// Count is a count under a key with its Vietnamese label.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int64  `json:"n"`
}

// Channel is what one channel broadcast: the loudspeakers (plays
// measured by the devices, minutes aired) or another channel (broadcasts
// reported done on channel tasks; no minutes).
type Channel struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	Broadcasts int64    `json:"broadcasts"`
	Minutes    *float64 `json:"minutes,omitempty"`
}

// Coverage is the dashboards' coverage (stats.Figures): of the (bulletin,
// targeted loudspeaker cluster) pairs with slots due by the end of the
// period, those where the cluster played the bulletin at least as many
// times as scheduled.
type Coverage struct {
	Targets int64   `json:"targets"`
	Covered int64   `json:"covered"`
	Percent float64 `json:"percent"`
}

// Devices are the active devices and those online, and their uptime:
// the seconds in contact of the seconds they were expected online, as the
// dashboards count them (stats.Overview, stats.Service.Uptime).
type Devices struct {
	Devices   int64   `json:"devices"`
	Online    int64   `json:"online"`
	ContactS  int64   `json:"contact_seconds"`
	ExpectedS int64   `json:"expected_seconds"`
	Uptime    float64 `json:"uptime_percent"`
}

// Feedback are the citizens' feedback figures (feedback.FiguresOf).
type Feedback struct {
	Received      int64 `json:"received"`
	Handled       int64 `json:"handled"`
	Open          int64 `json:"open"`
	MedianSeconds int64 `json:"median_handling_seconds"`
}

// Figures are the figures of one unit (itself and below) for a period.
type Figures struct {
	UnitID     int64         `json:"unit_id"`
	UnitCode   string        `json:"unit_code"`
	UnitName   string        `json:"unit_name"`
	UnitKind   string        `json:"unit_kind"`
	Period     stats.Period  `json:"period"`
	Documents  Documents     `json:"documents"`
	Directives Directives    `json:"directives"`
	Bulletins  []Count       `json:"bulletins_by_level"`    // by the level (kind) of the unit that made them
	Priority   []Count       `json:"bulletins_by_priority"` // by broadcast level: emergency, priority, normal
	Channels   []Channel     `json:"broadcasts_by_channel"`
	Coverage   Coverage      `json:"coverage"`
	Devices    Devices       `json:"devices"`
	Feedback   Feedback      `json:"feedback"`
	Computed   time.Time     `json:"computed_at"`
	units      []*model.Unit // the subtree, for the caller's breakdowns
}

// Overviewer is the dashboards' computation (stats.Service).
type Overviewer interface {
	Overview(ctx context.Context, a model.Actor, unitID int64, p stats.Period) (*stats.Overview, error)
	Uptime(ctx context.Context, unit *model.Unit, p stats.Period) (stats.UptimeFigures, error)
}

var priorityLabels = map[string]string{"emergency": "Khẩn cấp", "priority": "Ưu tiên", "normal": "Thường"}

var channelLabels = map[string]string{
	"loudspeaker":    "Hệ thống loa truyền thanh cơ sở",
	"press":          "Báo chí",
	"radio_tv":       "Phát thanh, truyền hình",
	"propagandist":   "Tuyên truyền viên",
	"printed":        "Bản tin, tờ rơi, tài liệu in",
	"bulletin_board": "Bảng tin công cộng",
}

// bounds turns a period of local days into [from, to) instants.
func bounds(p stats.Period, loc *time.Location) (time.Time, time.Time) {
	return p.From.In(loc), p.To.AddDays(1).In(loc)
}

// Compute computes a unit's figures for a period without access checks
// (the caller checked them, or it is the scheduler).
func (s *Service) Compute(ctx context.Context, unit *model.Unit, p stats.Period) (*Figures, error) {
	units, err := s.store.Orgs().Subtree(ctx, unit.Path)
	if err != nil {
		return nil, fmt.Errorf("units under %s: %w", unit.Name, err)
	}
	f := &Figures{UnitID: unit.ID, UnitCode: unit.Code, UnitName: unit.Name, UnitKind: unit.Kind, Period: p, Computed: s.now(), units: units,
		Bulletins: []Count{}, Priority: []Count{}, Channels: []Channel{}}
	// Device uptime reads other rows than the overview: at a province both
	// take a few hundred milliseconds, so they run side by side (a return
	// on error below cancels the uptime's queries).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var up stats.UptimeFigures
	uptime, uctx := errgroup.WithContext(ctx)
	uptime.Go(func() error {
		var err error
		if up, err = s.cfg.Stats.Uptime(uctx, unit, p); err != nil {
			return fmt.Errorf("device uptime of %s: %w", unit.Name, err)
		}
		return nil
	})
	ov, err := s.cfg.Stats.Overview(ctx, model.System("reports"), unit.ID, p)
	if err != nil {
		return nil, fmt.Errorf("dashboard figures of %s: %w", unit.Name, err)
	}
	t := ov.Total
	f.Directives = Directives{Issued: t.Directives, Recipients: t.Recipients, Reported: t.Reported, ReportedLate: t.LateReport}
	minutes := t.Minutes
	f.Channels = append(f.Channels, Channel{Key: "loudspeaker", Label: channelLabels["loudspeaker"], Broadcasts: t.Plays, Minutes: &minutes})
	f.Devices.Devices, f.Devices.Online = t.Devices, t.Online

	from, to := bounds(p, s.cfg.Loc)
	q := s.store.Reports()
	regs, err := q.RegisterCounts(ctx, unit.Path, p.From.String(), p.To.String())
	if err != nil {
		return nil, err
	}
	for _, c := range regs {
		if c.Key == model.SeriesIncoming {
			f.Documents.Received += c.N
		} else {
			f.Documents.Issued += c.N
		}
	}
	impl, err := q.ImplementedCounts(ctx, unit.Path, from, to)
	if err != nil {
		return nil, err
	}
	for _, c := range impl {
		if c.Key == "late" {
			f.Directives.ImplementedLate += c.N
		} else {
			f.Directives.ImplementedOnTime += c.N
		}
	}
	if err := s.bulletins(ctx, f, from, to); err != nil {
		return nil, err
	}
	tasks, err := q.ChannelTaskCounts(ctx, unit.Path, from, to)
	if err != nil {
		return nil, err
	}
	byKind := map[string]int64{}
	for _, c := range tasks {
		byKind[c.Key] += c.N
	}
	for _, k := range []string{"radio_tv", "press", "propagandist", "printed", "bulletin_board"} {
		f.Channels = append(f.Channels, Channel{Key: k, Label: channelLabels[k], Broadcasts: byKind[k]})
	}
	f.Coverage = Coverage{Targets: t.Targeted, Covered: t.Covered, Percent: t.Coverage}
	if err := uptime.Wait(); err != nil {
		return nil, err
	}
	f.Devices.ContactS, f.Devices.ExpectedS, f.Devices.Uptime = up.ContactS, up.ExpectedS, up.Uptime
	fb, err := feedback.FiguresOf(ctx, s.store, unit, from, to)
	if err != nil {
		return nil, fmt.Errorf("feedback figures of %s: %w", unit.Name, err)
	}
	f.Feedback = Feedback{Received: int64(fb.Received), Handled: int64(fb.Handled), Open: int64(fb.Open), MedianSeconds: int64(fb.MedianHandle / time.Second)}
	return f, nil
}

// bulletins counts the orders made in the period by the level (kind) of
// the unit that made them and by broadcast level.
func (s *Service) bulletins(ctx context.Context, f *Figures, from, to time.Time) error {
	orders, err := s.store.Reports().OrderCounts(ctx, f.units[0].Path, from, to)
	if err != nil {
		return err
	}
	kinds, err := s.store.Orgs().UnitKinds(ctx)
	if err != nil {
		return fmt.Errorf("unit kinds: %w", err)
	}
	kindOf := map[int64]string{}
	for _, u := range f.units {
		kindOf[u.ID] = u.Kind
	}
	byKind, byLevel := map[string]int64{}, map[string]int64{}
	for _, c := range orders {
		byKind[kindOf[c.UnitID]] += c.N
		byLevel[c.Key] += c.N
	}
	sort.SliceStable(kinds, func(i, j int) bool { return kinds[i].Level < kinds[j].Level })
	present := map[string]bool{}
	for _, u := range f.units {
		present[u.Kind] = true
	}
	for _, k := range kinds {
		if present[k.Code] {
			f.Bulletins = append(f.Bulletins, Count{Key: k.Code, Label: k.NameVI, N: byKind[k.Code]})
		}
	}
	for _, l := range []string{"emergency", "priority", "normal"} {
		f.Priority = append(f.Priority, Count{Key: l, Label: priorityLabels[l], N: byLevel[l]})
	}
	return nil
}

func percent(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(int64(1000*float64(n)/float64(of)+0.5)) / 10
}

// subtreeOf keeps the units that are not below another unit of the list:
// the units whose figures a total may add without counting a row twice.
func subtreeOf(units []*model.Unit) []*model.Unit {
	var out []*model.Unit
	for _, u := range units {
		if !slices.ContainsFunc(units, func(o *model.Unit) bool {
			return o.ID != u.ID && len(o.Path) < len(u.Path) && u.Path[:len(o.Path)] == o.Path
		}) {
			out = append(out, u)
		}
	}
	return out
}

// Period kinds of periodic reports.
const (
	Week    = "week"
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
)

// Kinds are the period kinds, shortest first.
var Kinds = []string{Week, Month, Quarter, Year}

// LastCompleted is the latest period of a kind that ended before today:
// the ISO week (Monday to Sunday), the calendar month, quarter or year.
func LastCompleted(kind string, today schedule.Date) (stats.Period, error) {
	switch kind {
	case Week:
		wd := int(today.Weekday()+6) % 7 // Monday 0
		monday := today.AddDays(-wd)
		return stats.Period{From: monday.AddDays(-7), To: monday.AddDays(-1)}, nil
	case Month:
		first := schedule.NewDate(today.Year, today.Month, 1)
		last := first.AddDays(-1)
		return stats.Period{From: schedule.NewDate(last.Year, last.Month, 1), To: last}, nil
	case Quarter:
		qm := time.Month((int(today.Month)-1)/3*3 + 1)
		first := schedule.NewDate(today.Year, qm, 1)
		last := first.AddDays(-1)
		lq := time.Month((int(last.Month)-1)/3*3 + 1)
		return stats.Period{From: schedule.NewDate(last.Year, lq, 1), To: last}, nil
	case Year:
		return stats.Period{From: schedule.NewDate(today.Year-1, 1, 1), To: schedule.NewDate(today.Year-1, 12, 31)}, nil
	}
	return stats.Period{}, model.Invalid("period", "%q: use week, month, quarter or year", kind)
}

// periodName names a period in Vietnamese: "tháng 11 năm 2026".
func periodName(kind string, p stats.Period) string {
	switch kind {
	case Week:
		return fmt.Sprintf("tuần từ ngày %s đến ngày %s", viDate(p.From), viDate(p.To))
	case Month:
		return fmt.Sprintf("tháng %d năm %d", int(p.From.Month), p.From.Year)
	case Quarter:
		return fmt.Sprintf("quý %s năm %d", []string{"I", "II", "III", "IV"}[(int(p.From.Month)-1)/3], p.From.Year)
	case Year:
		return fmt.Sprintf("năm %d", p.From.Year)
	}
	return fmt.Sprintf("từ ngày %s đến ngày %s", viDate(p.From), viDate(p.To))
}

func viDate(d schedule.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}
