package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/schedule"
)

// Geometry of the day calendar: one hour is hourPx pixels high; an item
// is at least itemMinPx high so that its label stays readable, and items
// that would overlap on screen are stacked below each other.
const (
	hourPx       = 48
	itemMinPx    = 20
	dayFirstHour = 6
	dayLastHour  = 22
)

// bcDayItem is an item placed on the calendar.
type bcDayItem struct {
	broadcast.DayEntry
	Style template.CSS
}

// bcDayColumn is one device's column.
type bcDayColumn struct {
	DeviceID int64
	Name     string
	UnitName string
	Online   bool
	Known    bool // a current device (not revoked)
	// NeverFetched: the device never fetched a schedule (its items are
	// the plan only).
	NeverFetched bool
	Items        []bcDayItem
}

// bcHour is a label of the time axis.
type bcHour struct {
	Label string
	Style template.CSS
}

type bcDayData struct {
	bcCommon
	Date, Prev, Next, Today string // YYYY-MM-DD
	DateInput               string // dd/mm/yyyy
	Weekday                 int
	IsToday                 bool
	Hours                   []bcHour
	Columns                 []bcDayColumn
	GridStyle               template.CSS
	NowStyle                template.CSS
	View                    *broadcast.DayView
	ManyUnits               bool
}

func (s broadcastPages) uiBroadcastDay(w http.ResponseWriter, r *http.Request, p *principal) {
	pd, c, err := s.broadcastPage(r, p, "bc.day.title", "day")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	now := time.Now().In(s.loc)
	day := schedule.DateOf(now)
	if v := strings.TrimSpace(r.URL.Query().Get("date")); v != "" {
		d, err := schedule.ParseDate(v)
		if err != nil {
			pd.Error = pd.T("bc.err.date", v)
		} else {
			day = d
		}
	}
	view, err := s.deps.Broadcast.DayView(r.Context(), p.Actor, c.Unit.ID, day.String())
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcDayData{bcCommon: c, View: view, Date: day.String(), Prev: day.AddDays(-1).String(), Next: day.AddDays(1).String(),
		Today: schedule.DateOf(now).String(), Weekday: int(day.Weekday()), DateInput: fmt.Sprintf("%02d/%02d/%04d", day.Day, int(day.Month), day.Year)}
	d.IsToday = d.Date == d.Today
	midnight := day.In(s.loc)
	first, last := dayFirstHour, dayLastHour
	for _, it := range view.Items {
		st, en := it.Start.In(s.loc).Sub(midnight), it.End.In(s.loc).Sub(midnight)
		first = min(first, max(0, int(st/time.Hour)))
		last = max(last, min(24, int((en+time.Hour-1)/time.Hour)))
	}
	cols := map[int64]*bcDayColumn{}
	var order []int64
	units := map[int64]bool{}
	for _, dv := range view.Plans {
		cols[dv.ID] = &bcDayColumn{DeviceID: dv.ID, Name: dv.Name, UnitName: dv.UnitName, Online: dv.Online, Known: true, NeverFetched: dv.NeverFetched}
		order = append(order, dv.ID)
		units[dv.UnitID] = true
	}
	for _, it := range view.Items {
		col := cols[it.DeviceID]
		if col == nil {
			// A device revoked since: its items still belong to the day.
			col = &bcDayColumn{DeviceID: it.DeviceID, Name: it.DeviceName, UnitName: pd.UnitName(it.UnitID)}
			cols[it.DeviceID] = col
			order = append(order, it.DeviceID)
		}
		units[it.UnitID] = true
		col.Items = append(col.Items, bcDayItem{DayEntry: it})
	}
	d.ManyUnits = len(units) > 1
	height := (last - first) * hourPx
	origin := time.Duration(first) * time.Hour
	for _, id := range order {
		col := cols[id]
		sort.SliceStable(col.Items, func(i, j int) bool { return col.Items[i].Start.Before(col.Items[j].Start) })
		bottom := -1
		for i := range col.Items {
			it := &col.Items[i]
			top := pxOf(it.Start.In(s.loc).Sub(midnight) - origin)
			h := max(itemMinPx, pxOf(it.End.Sub(it.Start)))
			if top <= bottom {
				top = bottom + 1
			}
			bottom = top + h
			height = max(height, bottom)
			it.Style = template.CSS(fmt.Sprintf("top:%dpx;height:%dpx", top, h))
		}
		d.Columns = append(d.Columns, *col)
	}
	for h := first; h <= last; h++ {
		d.Hours = append(d.Hours, bcHour{Label: fmt.Sprintf("%02d:00", h), Style: template.CSS(fmt.Sprintf("top:%dpx", (h-first)*hourPx))})
	}
	d.GridStyle = template.CSS(fmt.Sprintf("height:%dpx", height))
	if d.IsToday {
		if off := now.Sub(midnight) - origin; off >= 0 && off <= time.Duration(last-first)*time.Hour {
			d.NowStyle = template.CSS(fmt.Sprintf("top:%dpx", pxOf(off)))
		}
	}
	pd.Data = d
	s.render(w, r, "broadcast_day", pd, http.StatusOK)
}

// pxOf converts a time span to calendar pixels.
func pxOf(d time.Duration) int { return int(d * hourPx / time.Hour) }

// Mark is the sign of the item's state on the calendar.
func (it bcDayItem) Mark() string {
	switch it.State {
	case broadcast.StatePlayed:
		return "✓"
	case broadcast.StateInterrupted:
		return "⚠"
	case broadcast.StateFailed, broadcast.StateSilent:
		return "✗"
	case broadcast.StateNotExpected:
		return "–"
	case broadcast.StateOffline:
		return "⌁"
	}
	return "○"
}

// NotFetched reports a planned item the device has not fetched yet.
func (it bcDayItem) NotFetched() bool { return it.Planned && !it.Fetched }
