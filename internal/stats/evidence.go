package stats

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// ItemFigures is the broadcast evidence of one content item (a broadcast
// order) or of one place (a commune and the units below it).
type ItemFigures struct {
	ID    int64  `json:"id"` // the order's or the unit's
	Name  string `json:"name"`
	Level string `json:"level,omitempty"`
	// Devices: targeted loudspeaker clusters.
	Devices int64 `json:"devices"`
	// Planned: scheduled slots; Due: of them, those that should have
	// played by now; Played: completed plays reported; Late: of them,
	// started more than 5 minutes after their slot; Missed: due slots
	// without a play (counted per cluster and item).
	Planned int64 `json:"planned"`
	Due     int64 `json:"due"`
	Played  int64 `json:"played"`
	Late    int64 `json:"late"`
	Missed  int64 `json:"missed"`
	// Coverage: of the Targeted (item, cluster) pairs with a slot due,
	// Covered played the item at least as often as scheduled.
	Targeted int64   `json:"targeted"`
	Covered  int64   `json:"covered"`
	Coverage float64 `json:"coverage"`
	// PlayedShare: Played of Due, in percent.
	PlayedShare float64 `json:"played_share"`
}

func (f *ItemFigures) addPair(p pair) {
	f.Devices++
	f.Planned += p.planned
	f.Due += p.due
	f.Played += p.plays
	f.Late += p.late
	f.Missed += max(0, p.due-p.plays)
	if p.required > 0 {
		f.Targeted++
		if p.covered() {
			f.Covered++
		}
	}
}

func (f *ItemFigures) add(o ItemFigures) {
	f.Devices += o.Devices
	f.Planned += o.Planned
	f.Due += o.Due
	f.Played += o.Played
	f.Late += o.Late
	f.Missed += o.Missed
	f.Targeted += o.Targeted
	f.Covered += o.Covered
}

func (f *ItemFigures) finish() {
	f.Coverage = pct(f.Covered, f.Targeted)
	f.PlayedShare = pct(min(f.Played, f.Due), f.Due)
}

// MaxItems bounds the content items listed on a dashboard.
const MaxItems = 100

// coverage resolves the orders of the period on the devices under path,
// calls each for every (order, device) pair with a slot due (at the unit
// owning the device) and returns the figures per content item.
func (s *Service) coverage(ctx context.Context, path string, paths map[int64]string, p Period, each func(unitID int64, pr pair)) ([]ItemFigures, error) {
	orders, err := s.ordersFor(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	devices, err := s.store.Devices().DashDevices(ctx, path)
	if err != nil {
		return nil, err
	}
	prs, err := s.pairs(ctx, orders, devices, paths, p.From, p.To)
	if err != nil {
		return nil, err
	}
	return itemsOf(prs, func(pr pair) {
		if pr.required > 0 {
			each(pr.device.UnitID, pr)
		}
	}), nil
}

// itemsOf sums pairs per order, the most targeted first.
func itemsOf(prs []pair, each func(pair)) []ItemFigures {
	byOrder := map[int64]*ItemFigures{}
	for _, pr := range prs {
		if each != nil {
			each(pr)
		}
		f := byOrder[pr.order.ID]
		if f == nil {
			f = &ItemFigures{ID: pr.order.ID, Name: pr.order.Title, Level: pr.order.Level}
			byOrder[pr.order.ID] = f
		}
		f.addPair(pr)
	}
	out := make([]ItemFigures, 0, len(byOrder))
	for _, f := range byOrder {
		f.finish()
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Devices != out[j].Devices {
			return out[i].Devices > out[j].Devices
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > MaxItems {
		out = out[:MaxItems]
	}
	return out
}

// DirectiveEvidence is the broadcast evidence of a directive and the
// directives its recipients made from it below (the cascade): per content
// item and per place, over the orders' whole date ranges.
type DirectiveEvidence struct {
	Items  []ItemFigures `json:"items"`
	Places []ItemFigures `json:"places"`
	Total  ItemFigures   `json:"total"`
}

// MaxPlaces bounds the places of a directive's evidence.
const MaxPlaces = 5000

// DirectiveEvidence computes the evidence of the orders made from the
// directives (a directive and its cascade) on the devices under the
// places (the recipients of the cascade that did not forward it further,
// usually communes), per item and per place: each device counts once, at
// the deepest place above it. The actor must read the issuing unit's
// directives; the caller passes the places of a cascade the actor may
// track (directives.Tracker.Tree), as the cascade's play counts do.
func (s *Service) DirectiveEvidence(ctx context.Context, a model.Actor, issuerUnitID int64, directiveIDs, places []int64) (*DirectiveEvidence, error) {
	issuer, err := s.store.Orgs().Unit(ctx, issuerUnitID)
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.DirectiveRead, issuer.Path) && !s.policy.Can(a, authz.BroadcastRead, issuer.Path) {
		return nil, fmt.Errorf("the broadcast evidence of %q's directives: %w", issuer.Name, model.ErrForbidden)
	}
	if len(places) > MaxPlaces {
		places = places[:MaxPlaces]
	}
	out := &DirectiveEvidence{Items: []ItemFigures{}, Places: []ItemFigures{}, Total: ItemFigures{ID: issuer.ID, Name: issuer.Name}}
	orders, err := s.store.Broadcast().OrdersOfDirectives(ctx, directiveIDs, MaxDashOrders)
	if err != nil {
		return nil, err
	}
	units, err := s.store.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	type place struct {
		unit *model.Unit
		f    ItemFigures
	}
	var ps []*place
	byPath := map[string]*place{}
	common := ""
	for _, id := range places {
		u, ok := byID[id]
		if !ok || byPath[u.Path] != nil {
			continue
		}
		pl := &place{unit: u, f: ItemFigures{ID: u.ID, Name: u.Name}}
		ps = append(ps, pl)
		byPath[u.Path] = pl
		if len(ps) == 1 {
			common = u.Path
		}
		for !strings.HasPrefix(u.Path, common) {
			common = common[:strings.LastIndexByte(common[:len(common)-1], '/')+1]
		}
	}
	if len(orders) == 0 || len(ps) == 0 {
		for _, pl := range ps {
			out.Places = append(out.Places, pl.f)
		}
		return out, nil
	}
	first, last := orders[0].StartDate, orders[0].EndDate
	for _, o := range orders {
		if o.StartDate.Compare(first) < 0 {
			first = o.StartDate
		}
		if o.EndDate.Compare(last) > 0 {
			last = o.EndDate
		}
	}
	// The devices under the places' closest common unit, each counted at
	// the deepest place on its unit's path (none: not counted).
	all, err := s.store.Devices().DashDevices(ctx, common)
	if err != nil {
		return nil, err
	}
	placeOf := map[int64]*place{}
	var devices []storage.DashDevice
	for _, d := range all {
		for path := d.UnitPath; len(path) > 1; path = path[:strings.LastIndexByte(path[:len(path)-1], '/')+1] {
			if c := byPath[path]; c != nil {
				placeOf[d.ID] = c
				devices = append(devices, d)
				break
			}
		}
	}
	prs, err := s.pairs(ctx, orders, devices, nil, first, last)
	if err != nil {
		return nil, err
	}
	out.Items = itemsOf(prs, func(pr pair) {
		placeOf[pr.device.ID].f.addPair(pr)
		out.Total.addPair(pr)
	})
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].unit.Name < ps[j].unit.Name })
	for _, c := range ps {
		c.f.finish()
		out.Places = append(out.Places, c.f)
	}
	out.Total.finish()
	return out, nil
}

// DayFigures are a commune's figures of one day.
type DayFigures struct {
	Day schedule.Date `json:"day"`
	// Scheduled slots, those due, plays reported (late ones among them)
	// and silences: due slots without a play.
	Scheduled int64 `json:"scheduled"`
	Due       int64 `json:"due"`
	Played    int64 `json:"played"`
	Late      int64 `json:"late"`
	Silent    int64 `json:"silent"`
	// Seconds in contact and expected online, over every device.
	ContactS  int64   `json:"contact_s"`
	ExpectedS int64   `json:"expected_s"`
	Uptime    float64 `json:"uptime"` // percent
}

func (d *DayFigures) add(o DayFigures) {
	d.Scheduled += o.Scheduled
	d.Due += o.Due
	d.Played += o.Played
	d.Late += o.Late
	d.Silent += o.Silent
	d.ContactS += o.ContactS
	d.ExpectedS += o.ExpectedS
}

func (d *DayFigures) finish() { d.Uptime = pct(d.ContactS, d.ExpectedS) }

// DeviceFigures are one device's figures of the week.
type DeviceFigures struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	UnitName string     `json:"unit_name"`
	Online   bool       `json:"online"`
	LastSeen *time.Time `json:"last_seen"`
	DayFigures
	// Items covered of the items targeting it with a slot due this week.
	Targeted int64 `json:"targeted"`
	Covered  int64 `json:"covered"`
}

// Commune is a commune's dashboard: its day, its week (the 7 days
// ending with the day) and its devices.
type Commune struct {
	Unit    *model.Unit     `json:"unit"`
	Parents []*model.Unit   `json:"parents"`
	Day     schedule.Date   `json:"day"`
	Today   DayFigures      `json:"today"` // the day asked for
	Week    []DayFigures    `json:"week"`  // oldest first
	Total   DayFigures      `json:"total"` // the week
	Devices []DeviceFigures `json:"devices"`
	// Items: the content items of the day (per item, all devices).
	Items       []ItemFigures `json:"items"`
	GeneratedAt time.Time     `json:"generated_at"`
}

// WeekDays is the length of a commune dashboard's week.
const WeekDays = 7

// Commune computes a commune's dashboard for the 7 days ending with day
// (zero: today).
func (s *Service) Commune(ctx context.Context, a model.Actor, unitID int64, day schedule.Date) (*Commune, error) {
	unit, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.BroadcastRead, unit.Path) && !s.policy.Can(a, authz.DirectiveRead, unit.Path) {
		return nil, fmt.Errorf("the dashboard of %q: %w", unit.Name, model.ErrForbidden)
	}
	now := s.cfg.Clock.Now()
	if day.IsZero() {
		day = schedule.DateOf(now.In(s.cfg.Loc))
	}
	first := day.AddDays(-(WeekDays - 1))
	c := &Commune{Unit: unit, Day: day, Devices: []DeviceFigures{}, GeneratedAt: now}
	units, err := s.store.Orgs().Subtree(ctx, unit.Path)
	if err != nil {
		return nil, err
	}
	paths, names := map[int64]string{}, map[int64]string{}
	for _, u := range units {
		paths[u.ID], names[u.ID] = u.Path, u.Name
	}
	orders, err := s.ordersFor(ctx, first, day)
	if err != nil {
		return nil, err
	}
	devices, err := s.store.Devices().DashDevices(ctx, unit.Path)
	if err != nil {
		return nil, err
	}
	// Coverage per device: the week's pairs (plays over the items' life).
	prs, err := s.pairs(ctx, orders, devices, paths, first, day)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(devices))
	for i, d := range devices {
		ids[i] = d.ID
	}
	plays, err := s.store.Broadcast().DeviceDayPlays(ctx, ids, first.String(), day.String())
	if err != nil {
		return nil, err
	}
	uptime, err := s.store.Devices().DeviceUptime(ctx, unit.Path, first.String(), day.String())
	if err != nil {
		return nil, err
	}
	type ddo struct {
		device, order int64
		day           string
	}
	played := make(map[ddo][2]int64, len(plays))
	for _, r := range plays {
		played[ddo{r.DeviceID, r.OrderID, r.Day}] = [2]int64{r.Plays, r.Late}
	}
	dayIdx := map[string]int{}
	c.Week = make([]DayFigures, WeekDays)
	for i := range WeekDays {
		c.Week[i].Day = first.AddDays(i)
		dayIdx[c.Week[i].Day.String()] = i
	}
	perDevice := map[int64]*DeviceFigures{}
	for i := range devices {
		d := &devices[i]
		df := &DeviceFigures{ID: d.ID, Name: d.Name, UnitName: names[d.UnitID], LastSeen: d.LastSeen,
			Online: d.RevokedAt == nil && d.LastSeen != nil && now.Sub(*d.LastSeen) <= s.cfg.OnlineWindow}
		perDevice[d.ID] = df
		for k := range WeekDays {
			start := c.Week[k].Day.In(s.cfg.Loc)
			end := c.Week[k].Day.AddDays(1).In(s.cfg.Loc)
			from, to := maxTime(start, d.Since), minTime(end, now)
			if d.RevokedAt != nil {
				to = minTime(to, *d.RevokedAt)
			}
			var fig DayFigures
			if to.After(from) {
				fig.ExpectedS = int64(to.Sub(from) / time.Second)
				fig.ContactS = min(uptime[d.ID][c.Week[k].Day.String()], fig.ExpectedS)
			}
			c.Week[k].add(fig)
			df.add(fig)
		}
	}
	dayItems := map[int64]*ItemFigures{}
	due := now.Add(-DueAfter)
	for _, pr := range prs {
		df := perDevice[pr.device.ID]
		if pr.required > 0 {
			df.Targeted++
			if pr.covered() {
				df.Covered++
			}
		}
		from, to := window(pr.order, pr.device)
		for k := range WeekDays {
			d := c.Week[k].Day
			n, dn := countIn(slotTimes(pr.order, d, d, s.cfg.Loc), from, to, due)
			pl := played[ddo{pr.device.ID, pr.order.ID, d.String()}]
			fig := DayFigures{Scheduled: n, Due: dn, Played: pl[0], Late: pl[1], Silent: max(0, dn-pl[0])}
			if n == 0 && pl[0] == 0 {
				continue
			}
			c.Week[k].add(fig)
			df.add(fig)
			if d == day {
				it := dayItems[pr.order.ID]
				if it == nil {
					it = &ItemFigures{ID: pr.order.ID, Name: pr.order.Title, Level: pr.order.Level}
					dayItems[pr.order.ID] = it
				}
				it.add(ItemFigures{Devices: 1, Planned: n, Due: dn, Played: pl[0], Late: pl[1], Missed: fig.Silent})
			}
		}
	}
	for k := range c.Week {
		c.Week[k].finish()
		c.Total.add(c.Week[k])
		if c.Week[k].Day == day {
			c.Today = c.Week[k]
		}
	}
	c.Total.finish()
	for i := range devices {
		df := perDevice[devices[i].ID]
		df.finish()
		c.Devices = append(c.Devices, *df)
	}
	sort.SliceStable(c.Devices, func(i, j int) bool {
		if c.Devices[i].UnitName != c.Devices[j].UnitName {
			return c.Devices[i].UnitName < c.Devices[j].UnitName
		}
		return c.Devices[i].Name < c.Devices[j].Name
	})
	c.Items = []ItemFigures{}
	for _, it := range dayItems {
		it.finish()
		c.Items = append(c.Items, *it)
	}
	sort.Slice(c.Items, func(i, j int) bool { return c.Items[i].ID < c.Items[j].ID })
	c.Parents = s.parents(ctx, a, unit)
	return c, nil
}

// parents are the units above one the actor may see, from the top.
func (s *Service) parents(ctx context.Context, a model.Actor, unit *model.Unit) []*model.Unit {
	var out []*model.Unit
	for pid := unit.ParentID; pid != nil; {
		pu, err := s.store.Orgs().Unit(ctx, *pid)
		if err != nil {
			break
		}
		if !s.policy.Can(a, authz.BroadcastRead, pu.Path) && !s.policy.Can(a, authz.DirectiveRead, pu.Path) {
			break
		}
		out = append([]*model.Unit{pu}, out...)
		pid = pu.ParentID
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
