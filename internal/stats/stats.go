// Package stats computes the figures of the dashboards and reports from
// the rollups (play_rollups, kept as play events arrive) and a few grouped
// queries: every figure is counted once, at the unit that owns the device
// or issued the directive, and summed up the tree.
package stats

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"golang.org/x/sync/errgroup"
)

// FeedbackCounter gives the citizen feedback received and answered under
// a unit in a period; the feedback service plugs in here. Without one the
// figures are omitted.
type FeedbackCounter interface {
	FeedbackCounts(ctx context.Context, underPath string, from, to schedule.Date) (received, answered int64, err error)
}

// Config configures the service.
type Config struct {
	Clock clock.Clock
	Loc   *time.Location
	// OnlineWindow: a device seen within it counts online (broadcast's
	// DefaultOnlineWindow when 0).
	OnlineWindow time.Duration
	Feedback     FeedbackCounter
}

// Service computes dashboard figures.
type Service struct {
	store  *storage.Store
	policy authz.Policy
	cfg    Config
}

// New returns the service.
func New(st *storage.Store, policy authz.Policy, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if cfg.OnlineWindow <= 0 {
		cfg.OnlineWindow = 90 * time.Second
	}
	return &Service{store: st, policy: policy, cfg: cfg}
}

// Period is a range of calendar days, both included.
type Period struct {
	From schedule.Date `json:"from"`
	To   schedule.Date `json:"to"`
}

// Days is the number of days of the period.
func (p Period) Days() int {
	n := 1
	for d := p.From; d.Compare(p.To) < 0 && n < 4000; d = d.AddDays(1) {
		n++
	}
	return n
}

// MaxPeriodDays bounds a period.
const MaxPeriodDays = 3660

// PeriodOf resolves a named period (today, week, month, quarter, year)
// ending today, or a custom one (from, to as YYYY-MM-DD).
func (s *Service) PeriodOf(name, from, to string) (Period, error) {
	today := schedule.DateOf(s.cfg.Clock.Now().In(s.cfg.Loc))
	switch name {
	case "", "today":
		return Period{today, today}, nil
	case "week":
		return Period{today.AddDays(-6), today}, nil
	case "month":
		return Period{today.AddDays(-29), today}, nil
	case "quarter":
		return Period{today.AddDays(-89), today}, nil
	case "year":
		return Period{today.AddDays(-364), today}, nil
	case "custom":
		f, err := schedule.ParseDate(from)
		if err != nil {
			return Period{}, model.Invalid("from", "%q is not a date: use YYYY-MM-DD", from)
		}
		t, err := schedule.ParseDate(to)
		if err != nil {
			return Period{}, model.Invalid("to", "%q is not a date: use YYYY-MM-DD", to)
		}
		if t.Compare(f) < 0 {
			return Period{}, model.Invalid("to", "the period ends (%s) before it starts (%s)", to, from)
		}
		p := Period{f, t}
		if p.Days() > MaxPeriodDays {
			return Period{}, model.Invalid("from", "at most %d days", MaxPeriodDays)
		}
		return p, nil
	}
	return Period{}, model.Invalid("period", "%q: use today, week, month, quarter, year or custom", name)
}

// Figures are one unit's figures for a period (itself and below).
type Figures struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Kind     string `json:"kind"`
	// HasChildren: the row can be drilled into.
	HasChildren bool `json:"has_children"`
	// Directives issued in the period, their main recipients and how many
	// of them reported.
	Directives int64   `json:"directives"`
	Recipients int64   `json:"recipients"`
	Reported   int64   `json:"reported"`
	LateReport int64   `json:"late_reports"`
	Completion float64 `json:"completion"` // percent of Recipients reported
	// Plays (one per device and scheduled occurrence) and minutes aired,
	// counted at the unit owning the device.
	Plays   int64   `json:"plays"`
	Minutes float64 `json:"minutes"`
	Devices int64   `json:"devices"`
	Online  int64   `json:"online"`
	// Coverage: of the (content item, targeted loudspeaker cluster) pairs
	// with slots due by the end of the period, those where the cluster
	// played the item at least as many times as scheduled (Covered).
	Targeted int64   `json:"targeted"`
	Covered  int64   `json:"covered"`
	Coverage float64 `json:"coverage"` // percent of Targeted covered
	// Feedback figures when a feedback source is plugged in.
	FeedbackReceived *int64 `json:"feedback_received,omitempty"`
	FeedbackAnswered *int64 `json:"feedback_answered,omitempty"`
}

func (f *Figures) add(o Figures) {
	f.Directives += o.Directives
	f.Recipients += o.Recipients
	f.Reported += o.Reported
	f.LateReport += o.LateReport
	f.Plays += o.Plays
	f.Minutes += o.Minutes
	f.Devices += o.Devices
	f.Online += o.Online
	f.Targeted += o.Targeted
	f.Covered += o.Covered
}

func (f *Figures) finish() {
	if f.Recipients > 0 {
		f.Completion = float64(int64(1000*float64(f.Reported)/float64(f.Recipients)+0.5)) / 10
	}
	f.Minutes = float64(int64(f.Minutes*10+0.5)) / 10
	f.Coverage = pct(f.Covered, f.Targeted)
}

// Overview is a unit's dashboard: its totals and one row per unit
// directly below it (drill down by opening a row).
type Overview struct {
	Unit    *model.Unit   `json:"unit"`
	Parents []*model.Unit `json:"parents"` // from the top to the unit's parent, for the breadcrumb
	Period  Period        `json:"period"`
	Total   Figures       `json:"total"`
	Own     *Figures      `json:"own,omitempty"` // the unit's own devices and directives, when it has any
	Rows    []Figures     `json:"rows"`
	// Items: coverage per content item (broadcast order) targeting
	// devices under the unit, the most targeted first.
	Items       []ItemFigures `json:"items"`
	GeneratedAt time.Time     `json:"generated_at"`
}

// Overview computes the dashboard of a unit for a period.
func (s *Service) Overview(ctx context.Context, a model.Actor, unitID int64, p Period) (*Overview, error) {
	unit, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.BroadcastRead, unit.Path) && !s.policy.Can(a, authz.DirectiveRead, unit.Path) {
		return nil, fmt.Errorf("the dashboard of %q: %w", unit.Name, model.ErrForbidden)
	}
	units, err := s.store.Orgs().Subtree(ctx, unit.Path)
	if err != nil {
		return nil, err
	}
	from, to := p.From.String(), p.To.String()
	paths := make(map[int64]string, len(units))
	for _, u := range units {
		paths[u.ID] = u.Path
	}
	// Coverage reads the period's (order, device) play rows, the largest
	// read of a province's dashboard: it runs beside the other figures'
	// queries and is added to them at the end (a return on error below
	// cancels it).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type reach struct{ targeted, covered int64 }
	var (
		items   []ItemFigures
		reached = map[int64]*reach{}
	)
	cov, cctx := errgroup.WithContext(ctx)
	cov.Go(func() error {
		var err error
		items, err = s.coverage(cctx, unit.Path, paths, p, func(unitID int64, pr pair) {
			r := reached[unitID]
			if r == nil {
				r = &reach{}
				reached[unitID] = r
			}
			r.targeted++
			if pr.covered() {
				r.covered++
			}
		})
		return err
	})
	per := map[int64]*Figures{}
	get := func(id int64) *Figures {
		f := per[id]
		if f == nil {
			f = &Figures{UnitID: id}
			per[id] = f
		}
		return f
	}
	dirs, err := s.store.Directives().DirectiveTotals(ctx, unit.Path, from, to)
	if err != nil {
		return nil, err
	}
	for _, t := range dirs {
		f := get(t.UnitID)
		f.Directives, f.Recipients, f.Reported, f.LateReport = t.Issued, t.Recipients, t.Reported, t.Late
	}
	devs, err := s.store.Devices().DeviceCounts(ctx, unit.Path, s.cfg.Clock.Now().Add(-s.cfg.OnlineWindow))
	if err != nil {
		return nil, err
	}
	for _, c := range devs {
		f := get(c.UnitID)
		f.Devices, f.Online = c.Devices, c.Online
	}
	ov := &Overview{Unit: unit, Period: p, Rows: []Figures{}, GeneratedAt: s.cfg.Clock.Now()}
	ov.Total = Figures{UnitID: unit.ID, UnitName: unit.Name, Kind: unit.Kind}
	// Each unit's figures go to the child of the dashboard's unit on its
	// path (or to the unit itself).
	rows := map[int64]*Figures{}
	var order []int64
	byPath := map[string]int64{}
	for _, u := range units {
		if u.ParentID != nil && *u.ParentID == unit.ID {
			rows[u.ID] = &Figures{UnitID: u.ID, UnitName: u.Name, Kind: u.Kind}
			order = append(order, u.ID)
			byPath[u.Path] = u.ID
		}
	}
	// Plays and minutes: the unit's own and each row's whole subtree
	// (play_day_totals and play_below_days: a few rows per day).
	own, sub, err := s.store.Broadcast().SubtreePlayTotals(ctx, append([]int64{unit.ID}, order...), from, to)
	if err != nil {
		return nil, err
	}
	if t, ok := own[unit.ID]; ok {
		f := get(unit.ID)
		f.Plays, f.Minutes = t.Plays, float64(t.Seconds)/60
	}
	for _, id := range order {
		if t, ok := sub[id]; ok {
			rows[id].Plays, rows[id].Minutes = t.Plays, float64(t.Seconds)/60
			ov.Total.Plays += t.Plays
			ov.Total.Minutes += float64(t.Seconds) / 60
		}
	}
	for _, u := range units {
		if u.ID == unit.ID {
			continue
		}
		for path, id := range byPath {
			if u.Path != path && strings.HasPrefix(u.Path, path) {
				rows[id].HasChildren = true
			}
		}
	}
	if err := cov.Wait(); err != nil {
		return nil, err
	}
	for id, r := range reached {
		f := get(id)
		f.Targeted, f.Covered = r.targeted, r.covered
	}
	ov.Items = items
	for _, u := range units {
		f := per[u.ID]
		if f == nil {
			continue
		}
		ov.Total.add(*f)
		if u.ID == unit.ID {
			own := *f
			own.UnitName = unit.Name
			ov.Own = &own
			continue
		}
		for path, id := range byPath {
			if strings.HasPrefix(u.Path, path) {
				rows[id].add(*f)
				break
			}
		}
	}
	if fb := s.cfg.Feedback; fb != nil {
		r, an, err := fb.FeedbackCounts(ctx, unit.Path, p.From, p.To)
		if err != nil {
			return nil, fmt.Errorf("feedback figures: %w", err)
		}
		ov.Total.FeedbackReceived, ov.Total.FeedbackAnswered = &r, &an
	}
	ov.Total.finish()
	if ov.Own != nil {
		ov.Own.finish()
	}
	for _, id := range order {
		f := rows[id]
		f.finish()
		ov.Rows = append(ov.Rows, *f)
	}
	sort.SliceStable(ov.Rows, func(i, j int) bool { return ov.Rows[i].UnitName < ov.Rows[j].UnitName })
	ov.Parents = s.parents(ctx, a, unit)
	return ov, nil
}
