package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/schedule"
)

// The week and month views of a station's broadcasts, next to the day
// view: each day lists its bulletins (one line per time and bulletin,
// whatever the number of loudspeakers playing it), coloured by level,
// with a link to that day.

// bcCalEntry is one bulletin at one time of a day.
type bcCalEntry struct {
	At, Title, Level, State string
}

// bcCalDay is one day of the calendar.
type bcCalDay struct {
	Date, Label, Href string
	Weekday           int
	Entries           []bcCalEntry
	More              int // entries beyond those shown (month view)
	Today, Outside    bool
}

type bcCalendarData struct {
	bcCommon
	Mode              string // week or month
	Title             string
	Prev, Next, Today string // dates (YYYY-MM-DD) to navigate to
	Weeks             [][]bcCalDay
	Weekdays          []int // the columns, Monday first
	Total             int
}

// maxMonthEntries bounds the lines shown in a day of the month view.
const maxMonthEntries = 4

func (s broadcastPages) uiBroadcastWeek(w http.ResponseWriter, r *http.Request, p *principal) {
	s.calendarPage(w, r, p, "week")
}

func (s broadcastPages) uiBroadcastMonth(w http.ResponseWriter, r *http.Request, p *principal) {
	s.calendarPage(w, r, p, "month")
}

func (s broadcastPages) calendarPage(w http.ResponseWriter, r *http.Request, p *principal, mode string) {
	pd, c, err := s.broadcastPage(r, p, "bc."+mode+".title", mode)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	today := schedule.DateOf(time.Now().In(s.loc))
	day := today
	if v := strings.TrimSpace(r.URL.Query().Get("date")); v != "" {
		d, err := schedule.ParseDate(v)
		if err != nil {
			pd.Error = pd.T("bc.err.date", v)
		} else {
			day = d
		}
	}
	// Weeks start on Monday, as Vietnamese calendars do.
	monday := func(d schedule.Date) schedule.Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }
	var first, last schedule.Date
	d := bcCalendarData{bcCommon: c, Mode: mode, Today: today.String(), Weekdays: []int{1, 2, 3, 4, 5, 6, 0}}
	if mode == "week" {
		first, last = monday(day), monday(day).AddDays(6)
		d.Title = pd.T("bc.week.range", i18nDate(first), i18nDate(last))
		d.Prev, d.Next = first.AddDays(-7).String(), first.AddDays(7).String()
	} else {
		start := schedule.Date{Year: day.Year, Month: day.Month, Day: 1}
		end := schedule.DateOf(time.Date(day.Year, day.Month+1, 1, 12, 0, 0, 0, time.UTC)).AddDays(-1)
		first, last = monday(start), monday(end).AddDays(6)
		d.Title = pd.T("bc.month.label", int(day.Month), day.Year)
		prev := time.Date(day.Year, day.Month-1, 1, 12, 0, 0, 0, time.UTC)
		next := time.Date(day.Year, day.Month+1, 1, 12, 0, 0, 0, time.UTC)
		d.Prev, d.Next = schedule.DateOf(prev).String(), schedule.DateOf(next).String()
	}
	var week []bcCalDay
	for cur := first; cur.Compare(last) <= 0; cur = cur.AddDays(1) {
		cd := bcCalDay{Date: cur.String(), Label: fmt.Sprintf("%02d/%02d", cur.Day, int(cur.Month)), Weekday: int(cur.Weekday()),
			Href: fmt.Sprintf("/broadcast/day?unit=%d&date=%s", c.Unit.ID, cur.String()), Today: cur == today,
			Outside: mode == "month" && cur.Month != day.Month}
		if !cd.Outside {
			view, err := s.deps.Broadcast.DayView(r.Context(), p.Actor, c.Unit.ID, cur.String())
			if err != nil {
				s.bcRenderError(w, r, p, err)
				return
			}
			seen := map[string]bool{}
			for _, it := range view.Items {
				at := pd.BCClock(it.Start)
				if seen[at+"\x00"+it.OrderTitle] {
					continue
				}
				seen[at+"\x00"+it.OrderTitle] = true
				d.Total++
				if mode == "month" && len(cd.Entries) >= maxMonthEntries {
					cd.More++
					continue
				}
				cd.Entries = append(cd.Entries, bcCalEntry{At: at, Title: it.OrderTitle, Level: it.Level, State: it.State})
			}
		}
		week = append(week, cd)
		if len(week) == 7 {
			d.Weeks = append(d.Weeks, week)
			week = nil
		}
	}
	pd.Data = d
	s.render(w, r, "broadcast_calendar", pd, http.StatusOK)
}

// i18nDate shows a calendar date as dd/mm/yyyy.
func i18nDate(d schedule.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}
