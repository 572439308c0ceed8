package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

type homeCard struct {
	Label, Href string
	Value       int
	Alert       bool // shown in red when not zero (overdue)
}

type homeTask struct {
	Label, Hint, Href string
}

// workItem is one thing that waits for the user, with the link that does
// the next action.
type workItem struct {
	Kind    string // card key: work.overdue, work.awaiting_approval …
	Title   string
	Detail  string
	When    string
	Href    string
	Action  string // catalog key of the link's label
	Overdue bool
	sortAt  time.Time
}

// stationHome is the home of a unit that runs loudspeakers: today's
// schedule, what waits to be scheduled, the devices offline.
type stationHome struct {
	UnitID   int64
	Today    []broadcastTodayRow
	Offline  []broadcastDeviceRow
	Devices  int
	Waiting  []workItem
	CanWrite bool
}

type broadcastTodayRow struct {
	At, Title, Device, State string
}

type broadcastDeviceRow struct {
	Name, Seen string
}

type homeData struct {
	Cards   []homeCard
	Work    []workItem
	Station *stationHome
	Tasks   []homeTask
	Admin   []homeCard
	Recent  []model.AuditEntry
}

// maxWorkItems bounds each list of the home page (the cards give the full
// counts and link to the full lists).
const maxWorkItems = 50

// uiHome shows "Việc cần làm": what waits for this user, overdue first,
// each with the link that does the next action. A broadcaster's home adds
// today's schedule, the devices offline and the emergency button;
// administration cards show to administrators only.
func (s *Server) uiHome(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "home.title", "home")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	var d homeData
	if s.deps.Directives != nil && p.Actor.UnitID != 0 {
		if err := s.homeWork(r.Context(), pd, p, &d); err != nil {
			s.renderError(w, r, p, err)
			return
		}
	}
	if s.deps.Broadcast != nil && p.User.HasRole(model.RoleBroadcaster) {
		st, err := s.homeStation(r.Context(), pd, p, &d)
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		d.Station = st
	}
	for _, role := range p.User.Roles {
		for _, t := range roleTasks(role) {
			if !hasTask(d.Tasks, t.Href) {
				d.Tasks = append(d.Tasks, t)
			}
		}
	}
	if p.User.HasRole(model.RoleAdmin) {
		below := 0
		for _, u := range pd.units {
			if u.ID != p.User.UnitID && strings.HasPrefix(u.Path, p.Actor.UnitPath) {
				below++
			}
		}
		users, err := s.deps.Accounts.Users(r.Context(), p.Actor)
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		d.Admin = []homeCard{{Label: "home.card.units_below", Href: "/org", Value: below}, {Label: "home.card.users", Href: "/users", Value: len(users)}}
		d.Tasks = append(d.Tasks, homeTask{Label: "task.tokens", Hint: "task.tokens.hint", Href: "/tokens"})
		recent, err := s.deps.Accounts.Audit(r.Context(), p.Actor, model.AuditFilter{Limit: 8})
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		d.Recent = recent
	}
	pd.Data = d
	s.render(w, r, "home", pd, http.StatusOK)
}

func hasTask(list []homeTask, href string) bool {
	for _, t := range list {
		if t.Href == href {
			return true
		}
	}
	return false
}

// skippable: a list the user's roles do not open is left out of the home
// page rather than failing it.
func skippable(err error) bool {
	return errors.Is(err, model.ErrForbidden) || errors.Is(err, model.ErrNotFound)
}

// homeWork fills the cards and the list of waiting work from the
// directives service: drafts waiting for the user's approval or for
// issue, the user's own drafts, new and overdue incoming documents,
// documents assigned to the user, unread notifications.
func (s *Server) homeWork(ctx context.Context, pd *pageData, p *principal, d *homeData) error {
	svc := s.deps.Directives
	u := p.User
	box := func(name, card, action string, want bool) error {
		if !want {
			return nil
		}
		list, err := svc.List(ctx, p.Actor, directives.ListFilter{Box: name, Limit: maxWorkItems})
		if err != nil {
			if skippable(err) {
				return nil
			}
			return fmt.Errorf("home: directives waiting (%s): %w", name, err)
		}
		d.Cards = append(d.Cards, homeCard{Label: card, Href: "/directives?box=" + name, Value: len(list)})
		for _, v := range list {
			title := v.Subject
			if title == "" {
				title = "—"
			}
			d.Work = append(d.Work, workItem{Kind: card, Title: title, Detail: v.DocType, When: pd.DateTime(v.UpdatedAt),
				Href: fmt.Sprintf("/directives/%d", v.ID), Action: action, sortAt: v.UpdatedAt})
		}
		return nil
	}
	if err := box("approve", "work.awaiting_approval", "work.action.approve", u.HasRole(model.RoleApprover)); err != nil {
		return err
	}
	if err := box("issue", "work.awaiting_issue", "work.action.issue", u.HasRole(model.RoleClerk)); err != nil {
		return err
	}
	if err := box("mine", "work.my_drafts", "work.action.edit", u.HasRole(model.RoleDrafter)); err != nil {
		return err
	}
	inbox := func(f directives.InboxFilter, card, href string) ([]*directives.DeliveryView, error) {
		f.Limit = maxWorkItems
		list, err := svc.Inbox(ctx, p.Actor, f)
		if err != nil {
			if skippable(err) {
				return nil, nil
			}
			return nil, fmt.Errorf("home: incoming documents (%s): %w", card, err)
		}
		d.Cards = append(d.Cards, homeCard{Label: card, Href: href, Value: len(list), Alert: card == "work.overdue"})
		return list, nil
	}
	seen := map[int64]bool{}
	addDelivery := func(v *directives.DeliveryView, card string) {
		if seen[v.ID] {
			return
		}
		seen[v.ID] = true
		it := workItem{Kind: card, Title: v.Subject, Href: fmt.Sprintf("/inbox/%d", v.ID), Action: "work.action.read", Overdue: v.Overdue}
		if v.Code != "" {
			it.Title = v.Code + " · " + v.Subject
		}
		it.Detail = pd.T("work.from", v.SenderName)
		switch {
		case v.Overdue && v.DeadlineAt != nil:
			it.When = pd.T("work.overdue_since", pd.DeadlineDate(v.DeadlineAt))
			it.sortAt = *v.DeadlineAt
		case v.DeadlineAt != nil:
			it.When = pd.T("work.due", pd.DeadlineDate(v.DeadlineAt))
			it.sortAt = *v.DeadlineAt
		case v.DeliveredAt != nil:
			it.When = pd.T("work.received", pd.DateTime(v.DeliveredAt))
			it.sortAt = *v.DeliveredAt
		}
		d.Work = append(d.Work, it)
	}
	if u.HasRole(model.RoleReceiver) || u.HasRole(model.RoleClerk) {
		over, err := inbox(directives.InboxFilter{Overdue: true}, "work.overdue", "/inbox?overdue=1")
		if err != nil {
			return err
		}
		for _, v := range over {
			addDelivery(v, "work.overdue")
		}
		fresh, err := inbox(directives.InboxFilter{Status: directives.Delivered}, "work.new_incoming", "/inbox?status=delivered")
		if err != nil {
			return err
		}
		for _, v := range fresh {
			addDelivery(v, "work.new_incoming")
		}
	}
	if u.HasRole(model.RoleDrafter) || u.HasRole(model.RoleReceiver) {
		mine, err := inbox(directives.InboxFilter{Assigned: true, Status: directives.Assigned}, "work.assigned", "/inbox?assigned=1")
		if err != nil {
			return err
		}
		for _, v := range mine {
			addDelivery(v, "work.assigned")
		}
	}
	unread, err := svc.Notifications(ctx, p.Actor, true, 100)
	if err != nil && !skippable(err) {
		return fmt.Errorf("home: notifications: %w", err)
	}
	d.Cards = append(d.Cards, homeCard{Label: "work.unread", Href: "/notifications", Value: len(unread)})
	// Overdue first, then by date (deadlines and drafts oldest first: what
	// waits longest comes first).
	sort.SliceStable(d.Work, func(i, j int) bool {
		a, b := d.Work[i], d.Work[j]
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		return a.sortAt.Before(b.sortAt)
	})
	return nil
}

// homeStation is the home of a broadcaster: today's items on the unit's
// loudspeakers, the devices offline, and the incoming documents that may
// carry items to schedule.
func (s *Server) homeStation(ctx context.Context, pd *pageData, p *principal, d *homeData) (*stationHome, error) {
	st := &stationHome{UnitID: p.User.UnitID, CanWrite: s.deps.Policy.Can(p.Actor, authz.BroadcastWrite, p.Actor.UnitPath)}
	today := schedule.Today(time.Now(), s.loc)
	view, err := s.deps.Broadcast.DayView(ctx, p.Actor, p.User.UnitID, today.String())
	if err != nil {
		if skippable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("home: today's schedule: %w", err)
	}
	// One row per bulletin and time, naming the loudspeakers that play it.
	index := map[string]int{}
	for _, it := range view.Items {
		at := pd.BCClock(it.Start)
		key := at + "\x00" + it.OrderTitle
		if i, ok := index[key]; ok {
			st.Today[i].Device += ", " + it.DeviceName
			if st.Today[i].State != it.State && it.State != "played" {
				st.Today[i].State = it.State
			}
			continue
		}
		index[key] = len(st.Today)
		st.Today = append(st.Today, broadcastTodayRow{At: at, Title: it.OrderTitle, Device: it.DeviceName, State: it.State})
	}
	st.Devices = len(view.Devices)
	for _, dv := range view.Devices {
		if dv.Online || dv.RevokedAt != nil {
			continue
		}
		row := broadcastDeviceRow{Name: dv.Name, Seen: pd.T("station.never")}
		if dv.LastSeenAt != nil {
			row.Seen = pd.T("station.last_seen", pd.DateTime(dv.LastSeenAt))
		}
		st.Offline = append(st.Offline, row)
	}
	for _, it := range d.Work {
		if it.Kind == "work.new_incoming" || it.Kind == "work.overdue" {
			st.Waiting = append(st.Waiting, it)
		}
	}
	return st, nil
}

// roleTasks lists what a role typically does next, linking to the pages
// that exist for it.
func roleTasks(role model.Role) []homeTask {
	switch role {
	case model.RoleAdmin:
		return []homeTask{
			{Label: "task.org", Hint: "task.org.hint", Href: "/org"},
			{Label: "task.users", Hint: "task.users.hint", Href: "/users"},
			{Label: "task.audit", Hint: "task.audit.hint", Href: "/audit"},
			{Label: "task.broadcast", Hint: "task.broadcast.hint", Href: "/broadcast"},
		}
	case model.RoleClerk:
		return []homeTask{
			{Label: "task.import", Hint: "task.import.hint", Href: "/documents"},
			{Label: "task.registers", Hint: "task.registers.hint", Href: "/registers"},
		}
	case model.RoleReceiver, model.RoleDrafter, model.RoleApprover, model.RoleViewer:
		return []homeTask{{Label: "task.documents", Hint: "task.documents.hint", Href: "/documents"}}
	case model.RoleBroadcaster:
		return []homeTask{
			{Label: "task.broadcast", Hint: "task.broadcast.hint", Href: "/broadcast"},
			{Label: "task.bc_day", Hint: "task.bc_day.hint", Href: "/broadcast/day"},
			{Label: "task.bc_orders", Hint: "task.bc_orders.hint", Href: "/broadcast/orders"},
			{Label: "task.bc_media", Hint: "task.bc_media.hint", Href: "/broadcast/media"},
			{Label: "task.bc_devices", Hint: "task.bc_devices.hint", Href: "/broadcast/devices"},
		}
	}
	return nil
}

// DeadlineDate shows a deadline as the day it falls on: deadlines are
// stored as the end of that day (midnight local time of the next day), so
// "20/12/2026" entered is shown as 20/12/2026, not 21/12/2026 00:00.
func (p *pageData) DeadlineDate(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	return i18n.Date(t.Add(-time.Nanosecond), p.s.loc)
}

// AuditAction names an audit action code in the page's language.
func (p *pageData) AuditAction(code string) string { return i18n.AuditAction(p.Lang, code) }

// AuditObject names an audit object type in the page's language.
func (p *pageData) AuditObject(kind string) string { return i18n.AuditObject(p.Lang, kind) }

// ActorName names the author of an action (system parts in words).
func (p *pageData) ActorName(username string) string { return i18n.ActorName(p.Lang, username) }

var issuedNoteRe = regexp.MustCompile(`^(.*), (\d+) recipients?$`)

// VersionNote says a draft version's note in the page's language: the
// notes the service writes itself ("created", "attached x.wav") are
// translated; what a person typed is shown as typed.
func (p *pageData) VersionNote(note string) string {
	switch {
	case note == "created":
		return p.T("dir.note.created")
	case strings.HasPrefix(note, "attached "):
		return p.T("dir.note.attached", strings.TrimPrefix(note, "attached "))
	}
	return note
}

// EventText says the text of a process-log entry in the page's language
// (the issue entry "570/STTTT-TTBCBC, 34 recipients" the service writes).
func (p *pageData) EventText(kind, text string) string {
	if kind == "issue" {
		if m := issuedNoteRe.FindStringSubmatch(text); m != nil {
			return p.T("dir.note.issued", m[1], m[2])
		}
	}
	return text
}

// BCLoudness says in words how loud a bulletin is after levelling (the
// operator needs no LUFS figure): levelled, quiet or loud.
func (p *pageData) BCLoudness(lufs float64) string {
	switch {
	case lufs == 0:
		return p.T("bc.loudness.unknown")
	case lufs < -19:
		return p.T("bc.loudness.quiet")
	case lufs > -13:
		return p.T("bc.loudness.loud")
	}
	return p.T("bc.loudness.ok")
}

// BCFormat names an audio file's format as people know it (MP3, WAV …),
// never the codec's technical name.
func (p *pageData) BCFormat(format string) string {
	f := strings.ToLower(strings.TrimSpace(format))
	for _, k := range []struct{ in, out string }{{"m4a", "M4A"}, {"webm", "WebM"}, {"amr", "AMR"}, {"flac", "FLAC"}, {"ogg", "OGG"}, {"wav", "WAV"}, {"mp3", "MP3"}} {
		if strings.Contains(f, k.in) {
			return k.out
		}
	}
	if i := strings.IndexAny(f, ",;/ "); i > 0 {
		f = f[:i]
	}
	return strings.ToUpper(f)
}

// UnreadCount is the number of the user's unread notifications, for the
// badge of the menu (0 when there is no directives service or no user).
func (p *pageData) UnreadCount() int {
	if p.User == nil || p.req == nil || p.s.deps.Directives == nil || p.actor.UnitID == 0 {
		return 0
	}
	list, err := p.s.deps.Directives.Notifications(p.req.Context(), p.actor, true, 100)
	if err != nil {
		return 0
	}
	return len(list)
}
