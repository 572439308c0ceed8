package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// The broadcast pages: overview and emergency (this file), the day
// calendar (ui_broadcast_day.go), the media library
// (ui_broadcast_media.go), orders and their reports
// (ui_broadcast_orders.go) and devices (ui_broadcast_devices.go). Every
// page is about one unit, chosen with ?unit=ID (the user's own unit by
// default) among the units whose broadcasts the user may follow. Forms
// carry the unit in their action URL, so that handlers never need to
// parse a request body to know it (the audio upload streams its body).

// registerBroadcastUI registers the broadcast pages.
func (s broadcastPages) registerBroadcastUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /broadcast", false, pg(s.uiBroadcast))
	s.handle("POST /broadcast/emergency", false, pg(s.uiBroadcastEmergency))
	s.handle("GET /broadcast/day", false, pg(s.uiBroadcastDay))
	s.handle("GET /broadcast/week", false, pg(s.uiBroadcastWeek))
	s.handle("GET /broadcast/month", false, pg(s.uiBroadcastMonth))
	s.handle("GET /broadcast/media", false, pg(s.uiBroadcastMedia))
	s.handle("POST /broadcast/media/upload", false, s.uploadPage(s.uiBroadcastUpload))
	s.handle("POST /broadcast/media/tts", false, pg(s.uiBroadcastSpeak))
	s.handle("GET /broadcast/orders", false, pg(s.uiBroadcastOrders))
	s.handle("POST /broadcast/orders", false, pg(s.uiBroadcastOrderCreate))
	s.handle("GET /broadcast/orders/{id}", false, pg(s.uiBroadcastOrder))
	s.handle("POST /broadcast/orders/{id}/cancel", false, pg(s.uiBroadcastOrderCancel))
	s.handle("GET /broadcast/devices", false, pg(s.uiBroadcastDevices))
	s.handle("POST /broadcast/devices/keys", false, pg(s.uiBroadcastKeyCreate))
	s.handle("POST /broadcast/devices/{id}/rename", false, pg(s.uiBroadcastDeviceRename))
	s.handle("POST /broadcast/devices/{id}/revoke", false, pg(s.uiBroadcastDeviceRevoke))
	s.handle("POST /broadcast/devices/{id}/command", false, pg(s.uiBroadcastDeviceCommand))
	s.registerSpeechUI()
	s.registerLimitsUI()
	s.registerLiveUI()
}

// HasBroadcast reports whether this server runs the broadcast service
// (the layout shows the "Broadcast" link only then).
func (p *pageData) HasBroadcast() bool { return p.s.deps.Broadcast != nil }

// BCClock shows an instant as HH:MM in Vietnam's time zone.
func (p *pageData) BCClock(t time.Time) string { return t.In(p.s.loc).Format("15:04") }

// BCDuration shows milliseconds as m:ss (h:mm:ss from an hour on).
func (p *pageData) BCDuration(ms int64) string {
	return fmtDuration(time.Duration(ms) * time.Millisecond)
}

// BCSeconds shows an instant as dd/mm/yyyy HH:MM:SS in Vietnam's time zone.
func (p *pageData) BCSeconds(t time.Time) string { return t.In(p.s.loc).Format("02/01/2006 15:04:05") }

// BCTimeSec shows an instant as HH:MM:SS in Vietnam's time zone.
func (p *pageData) BCTimeSec(t time.Time) string { return t.In(p.s.loc).Format("15:04:05") }

// BCDate shows an instant as dd/mm/yyyy in Vietnam's time zone.
func (p *pageData) BCDate(t time.Time) string { return i18n.Date(t, p.s.loc) }

// BCVoice names a text-to-speech voice in the page's language.
func (p *pageData) BCVoice(id string) string {
	key := "bc.voice." + strings.ReplaceAll(id, "-", "_")
	if v := p.T(key); v != key {
		return v
	}
	return id
}

// BCSize shows a byte count in KB or MB.
func (p *pageData) BCSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func fmtDuration(d time.Duration) string {
	sec := int64(d.Round(time.Second) / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// tr translates a message for the caller of a request (for errors built
// before a page exists).
func (s broadcastPages) tr(r *http.Request, p *principal, key string, args ...any) string {
	pref := ""
	if p != nil && p.User != nil {
		pref = p.User.Lang
	}
	return s.msgs.T(i18n.FromRequest(r, pref), key, args...)
}

// bcTab is a tab of the broadcast pages' sub-navigation.
type bcTab struct {
	Href, Label string
	Active      bool
}

// QWithCSRF is Q with the form's CSRF token added, for the action URL of
// an upload form (the token is checked before the body is read).
func (c bcCommon) QWithCSRF(csrf string) string {
	v := url.Values{"csrf": {csrf}}
	if c.Q == "" {
		return "?" + v.Encode()
	}
	return c.Q + "&" + v.Encode()
}

// bcCommon is what every broadcast page knows: the unit it is about, the
// units the user may switch to, the tabs, and what the user may do.
type bcCommon struct {
	Unit     *model.Unit
	Units    []unitOption // units whose broadcasts the user may follow
	Tabs     []bcTab
	Tab      string
	Q        string // "?unit=ID" to keep the chosen unit in links, or ""
	CanWrite bool   // media, orders and emergencies for Unit
	CanAdmin bool   // devices of Unit
	CanKey   bool   // enrolment keys for Unit
	// HasBelow: units lie below Unit (a subtree target differs from the
	// unit itself).
	HasBelow bool
}

// BCAllOf names "the unit and every unit below it" (or just the unit's
// devices when nothing lies below it).
func (p *pageData) BCAllOf(name string, below bool) string { return p.allOf(name, below) }

func (p *pageData) allOf(name string, below bool) string {
	if below {
		return p.T("bc.em.target_all_of", name)
	}
	return p.T("bc.em.target_unit_all", name)
}

// UnitQ appends the chosen unit to a link that has no query yet.
func (c bcCommon) UnitQ(path string) string { return path + c.Q }

// broadcastPage prepares a broadcast page about the unit named by
// ?unit= (the user's own unit by default).
func (s broadcastPages) broadcastPage(r *http.Request, p *principal, title, tab string) (*pageData, bcCommon, error) {
	pd := s.newPage(r, p, title, "broadcast")
	if err := s.withDirectory(r, pd); err != nil {
		return nil, bcCommon{}, err
	}
	var c bcCommon
	for _, o := range s.orgs().unitOptions(pd, p.Actor, false) {
		if u := pd.units[o.ID]; u != nil && s.deps.Policy.Can(p.Actor, authz.BroadcastRead, u.Path) {
			c.Units = append(c.Units, o)
		}
	}
	id := p.User.UnitID
	if v := r.URL.Query().Get("unit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, c, model.Invalid("unit", "%s", pd.T("bc.err.unit", v))
		}
		id = n
	}
	u := pd.units[id]
	if u == nil {
		return nil, c, fmt.Errorf("unit %d: %w", id, model.ErrNotFound)
	}
	if !s.deps.Policy.Can(p.Actor, authz.BroadcastRead, u.Path) {
		return nil, c, fmt.Errorf("broadcasts of unit %q: %w", u.Name, model.ErrForbidden)
	}
	c.Unit, c.Tab = u, tab
	if id != p.User.UnitID {
		c.Q = "?unit=" + strconv.FormatInt(id, 10)
	}
	c.CanWrite = s.deps.Policy.Can(p.Actor, authz.BroadcastWrite, u.Path)
	c.CanAdmin = s.deps.Policy.Can(p.Actor, authz.DeviceAdmin, u.Path)
	c.CanKey = s.deps.Policy.Can(p.Actor, authz.KeyWrite, u.Path)
	c.HasBelow = hasBelow(pd, u.ID)
	for _, t := range []struct{ name, href, label string }{
		{"overview", "/broadcast", "bc.tab.overview"},
		{"day", "/broadcast/day", "bc.tab.day"},
		{"week", "/broadcast/week", "bc.tab.week"},
		{"month", "/broadcast/month", "bc.tab.month"},
		{"media", "/broadcast/media", "bc.tab.media"},
		{"speech", "/broadcast/speech", "bc.tab.speech"},
		{"limits", "/broadcast/limits", "bc.tab.limits"},
		{"live", "/broadcast/live", "bc.tab.live"},
		{"orders", "/broadcast/orders", "bc.tab.orders"},
		{"devices", "/broadcast/devices", "bc.tab.devices"},
	} {
		c.Tabs = append(c.Tabs, bcTab{Href: t.href + c.Q, Label: t.label, Active: t.name == tab})
	}
	if u.ID != p.User.UnitID || len(c.Units) > 1 {
		pd.Title = pd.T(title) + " · " + u.Name
	}
	return pd, c, nil
}

// hasBelow reports whether units lie below the unit.
func hasBelow(pd *pageData, id int64) bool {
	for _, u := range pd.units {
		if u.ParentID != nil && *u.ParentID == id {
			return true
		}
	}
	return false
}

// BCMaxPlanned is the number of devices up to which the day view shows
// each device's plan.
func (p *pageData) BCMaxPlanned() int { return broadcast.MaxPlannedDevices }

// BCSpan shows the length of an item as m:ss.
func (p *pageData) BCSpan(start, end time.Time) string { return fmtDuration(end.Sub(start)) }

// ---- overview and emergency ----

// bcUnitRow is one unit of the overview.
type bcUnitRow struct {
	broadcast.UnitStatus
	LastTitle string
	DayHref   string
}

// bcAlertRow is one alert of the overview. Silent slots are grouped per
// device and day: Count items, at Times.
type bcAlertRow struct {
	broadcast.Alert
	UnitName string
	DayHref  string
	Count    int
	Times    string
}

// bcTargetUnit is a unit that may be targeted, with its devices.
type bcTargetUnit struct {
	ID      int64
	Name    string
	Devices int
	Checked bool
}

// bcEmergencyForm is the emergency form, as typed.
type bcEmergencyForm struct {
	Title      string
	Mode       string // "text" or "media"
	Text       string
	Voice      string
	MediaID    int64
	TargetMode string // "all" (the unit and every unit below) or "units"
	Targets    []int64
	Repeats    int
	Every      int // minutes between repeats
	Expires    int // minutes
}

// Targeted reports whether a unit was chosen.
func (f bcEmergencyForm) Targeted(id int64) bool {
	for _, t := range f.Targets {
		if t == id {
			return true
		}
	}
	return false
}

type bcOverviewData struct {
	bcCommon
	Ov                       *broadcast.Overview
	Rows                     []bcUnitRow
	Alerts                   []bcAlertRow
	Devices, Online, Offline int
	Form                     *bcEmergencyForm
	Media                    []*model.Media
	Voices                   []string
	TargetUnits              []bcTargetUnit
}

func (s broadcastPages) uiBroadcast(w http.ResponseWriter, r *http.Request, p *principal) {
	s.overviewPage(w, r, p, nil, "", http.StatusOK)
}

func (s broadcastPages) overviewPage(w http.ResponseWriter, r *http.Request, p *principal, form *bcEmergencyForm, errMsg string, code int) {
	ctx := r.Context()
	pd, c, err := s.broadcastPage(r, p, "bc.title", "overview")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	ov, err := s.deps.Broadcast.Overview(ctx, p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcOverviewData{bcCommon: c, Ov: ov}
	titles := s.playedTitles(ctx, pd, p, c.Unit.ID, ov)
	for _, st := range ov.Units {
		row := bcUnitRow{UnitStatus: st, DayHref: dayHref(st.UnitID, "")}
		if st.LastPlayedItem != "" {
			row.LastTitle = titles[st.LastPlayedItem]
		}
		d.Rows = append(d.Rows, row)
		d.Devices += st.Devices
		d.Online += st.Online
		d.Offline += st.Offline
		d.TargetUnits = append(d.TargetUnits, bcTargetUnit{ID: st.UnitID, Name: st.Name, Devices: st.Devices})
	}
	d.Alerts = s.alertRows(pd, ov.Alerts)
	if c.CanWrite {
		if form == nil {
			form = &bcEmergencyForm{Title: pd.T("bc.em.default_title"), Mode: "text", TargetMode: "all", Repeats: 3, Every: 10, Expires: 360}
		}
		for i := range d.TargetUnits {
			d.TargetUnits[i].Checked = form.Targeted(d.TargetUnits[i].ID)
		}
		d.Form = form
		if d.Media, err = s.deps.Broadcast.MediaLibrary(ctx, p.Actor, c.Unit.ID); err != nil {
			s.bcRenderError(w, r, p, err)
			return
		}
		for _, v := range s.deps.Broadcast.Voices() {
			d.Voices = append(d.Voices, v.ID)
		}
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast", pd, code)
}

// alertRows prepares the alerts for the page, one row per device and day
// for silent slots (the overview lists each silent item).
func (s broadcastPages) alertRows(pd *pageData, alerts []broadcast.Alert) []bcAlertRow {
	type key struct {
		device int64
		day    string
	}
	silent := map[key]int{}
	var out []bcAlertRow
	var times [][]string
	for _, a := range alerts {
		row := bcAlertRow{Alert: a, UnitName: pd.UnitName(a.UnitID), Count: 1}
		if a.Kind != broadcast.AlertSilent {
			out = append(out, row)
			times = append(times, nil)
			continue
		}
		local := a.At.In(s.loc)
		k := key{a.DeviceID, local.Format("2006-01-02")}
		at := local.Format("15:04")
		if i, ok := silent[k]; ok {
			out[i].Count++
			if !slices.Contains(times[i], at) {
				times[i] = append(times[i], at)
			}
			continue
		}
		row.DayHref = dayHref(a.UnitID, k.day)
		silent[k] = len(out)
		out = append(out, row)
		times = append(times, []string{at})
	}
	for i := range out {
		slices.Sort(times[i])
		out[i].Times = strings.Join(times[i], ", ")
	}
	return out
}

func dayHref(unitID int64, date string) string {
	v := url.Values{"unit": {strconv.FormatInt(unitID, 10)}}
	if date != "" {
		v.Set("date", date)
	}
	return "/broadcast/day?" + v.Encode()
}

// playedTitles names the items last played (the overview only has their
// ids, "o<order>-<unix time>"). Small overviews (a commune, a district)
// take the names from the day schedules of today and yesterday; the rest,
// and large overviews, from the orders the user may read.
func (s broadcastPages) playedTitles(ctx context.Context, pd *pageData, p *principal, unitID int64, ov *broadcast.Overview) map[string]string {
	titles := map[string]string{}
	missing := func() bool {
		for _, st := range ov.Units {
			if st.LastPlayedItem != "" && titles[st.LastPlayedItem] == "" {
				return true
			}
		}
		return false
	}
	if len(ov.Units) <= maxUnitsForDayTitles {
		today := time.Now().In(s.loc)
		for _, day := range []time.Time{today, today.AddDate(0, 0, -1)} {
			if !missing() {
				break
			}
			v, err := s.deps.Broadcast.DayView(ctx, p.Actor, unitID, day.Format("2006-01-02"))
			if err != nil {
				s.deps.Log.Warn("name the items last played", "unit", unitID, "err", err)
				break
			}
			for _, it := range v.Items {
				titles[it.ItemID] = it.OrderTitle
			}
		}
	}
	orders := map[int64]string{}
	for _, st := range ov.Units {
		item := st.LastPlayedItem
		if item == "" || titles[item] != "" {
			continue
		}
		id := orderOfItem(item)
		if id <= 0 {
			continue
		}
		title, ok := orders[id]
		if !ok {
			title = pd.T("bc.order_n", id)
			if o, err := s.deps.Broadcast.Order(ctx, p.Actor, id); err == nil {
				title = o.Title
			}
			orders[id] = title
		}
		titles[item] = title
	}
	return titles
}

// maxUnitsForDayTitles bounds the overviews whose item names come from
// day schedules (a province's would be too large to read each time).
const maxUnitsForDayTitles = 50

// orderOfItem returns the order id of a schedule item id ("o12-1623020400",
// possibly with a ".2" suffix), or 0.
func orderOfItem(item string) int64 {
	rest, ok := strings.CutPrefix(item, "o")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, "-")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// bcConfirmData is the confirmation step of an emergency.
type bcConfirmData struct {
	bcCommon
	Form    bcEmergencyForm
	Media   *model.Media
	Targets []string
	Devices int
	Online  int
}

// parseEmergencyForm reads the emergency form; number fields that are not
// numbers give a validation error in the user's language.
func (s broadcastPages) parseEmergencyForm(r *http.Request, p *principal) (bcEmergencyForm, error) {
	f := bcEmergencyForm{Title: strings.TrimSpace(r.PostFormValue("title")), Mode: r.PostFormValue("mode"), Text: strings.TrimSpace(r.PostFormValue("text")),
		Voice: r.PostFormValue("voice"), TargetMode: r.PostFormValue("target_mode")}
	if f.Mode != "media" {
		f.Mode = "text"
	}
	if f.TargetMode != "units" {
		f.TargetMode = "all"
	}
	num := func(name string, def int) (int, error) {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return def, model.Invalid(name, "%s", s.tr(r, p, "bc.err.number", v))
		}
		return n, nil
	}
	var errs []error
	var err error
	if f.Repeats, err = num("repeats", 1); err != nil {
		errs = append(errs, err)
	}
	if f.Every, err = num("every", 10); err != nil {
		errs = append(errs, err)
	}
	if f.Expires, err = num("expires", 360); err != nil {
		errs = append(errs, err)
	}
	if v := r.PostFormValue("media_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, model.Invalid("media_id", "%s", s.tr(r, p, "bc.err.number", v)))
		}
		f.MediaID = id
	}
	for _, v := range r.PostForm["target"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, model.Invalid("target", "%s", s.tr(r, p, "bc.err.number", v)))
			continue
		}
		f.Targets = append(f.Targets, id)
	}
	return f, errors.Join(errs...)
}

// emergencyTargets turns the form's choice into order targets.
func (s broadcastPages) emergencyTargets(r *http.Request, p *principal, unit *model.Unit, f bcEmergencyForm) ([]model.OrderTarget, error) {
	if f.TargetMode == "all" {
		return []model.OrderTarget{{Kind: model.TargetSubtree, ID: unit.ID}}, nil
	}
	if len(f.Targets) == 0 {
		return nil, model.Invalid("target", "%s", s.tr(r, p, "bc.err.no_commune"))
	}
	out := make([]model.OrderTarget, 0, len(f.Targets))
	for _, id := range f.Targets {
		out = append(out, model.OrderTarget{Kind: model.TargetUnit, ID: id})
	}
	return out, nil
}

// uiBroadcastEmergency handles both steps of an emergency: the first
// post (without confirm) turns a text into speech and shows what will be
// sent where; the second (confirm=1) sends it.
func (s broadcastPages) uiBroadcastEmergency(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	f, err := s.parseEmergencyForm(r, p)
	reshow := func(err error) {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.overviewPage(w, r, p, &f, msg, code) })
	}
	if err != nil {
		reshow(err)
		return
	}
	pd, c, err := s.broadcastPage(r, p, "bc.em.confirm_title", "overview")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	targets, err := s.emergencyTargets(r, p, c.Unit, f)
	if err != nil {
		reshow(err)
		return
	}
	if r.PostFormValue("confirm") == "1" {
		res, err := s.deps.Broadcast.Emergency(ctx, p.Actor, broadcast.EmergencyInput{UnitID: c.Unit.ID, Title: f.Title, MediaID: f.MediaID,
			Targets: targets, Repeats: f.Repeats, RepeatEveryMinutes: f.Every, ExpiresInMinutes: f.Expires})
		if err != nil {
			reshow(err)
			return
		}
		redirectFlash(w, r, fmt.Sprintf("/broadcast/orders/%d%s", res.Order.ID, c.Q), "flash.bc_emergency_sent")
		return
	}
	switch {
	case f.Title == "":
		err = model.Invalid("title", "%s", pd.T("bc.err.title"))
	case f.Repeats < 1 || f.Repeats > broadcast.MaxRepeats:
		err = model.Invalid("repeats", "%s", pd.T("bc.err.repeats", broadcast.MaxRepeats))
	case f.Every < 1:
		err = model.Invalid("every", "%s", pd.T("bc.err.every"))
	case f.Expires < 1 || f.Expires > int(broadcast.MaxEmergencyTTL/time.Minute):
		err = model.Invalid("expires", "%s", pd.T("bc.err.expires", int(broadcast.MaxEmergencyTTL/time.Minute)))
	}
	if err != nil {
		reshow(err)
		return
	}
	var m *model.Media
	if f.Mode == "text" {
		if f.Text == "" {
			reshow(model.Invalid("text", "%s", pd.T("bc.err.text")))
			return
		}
		if m, err = s.deps.Broadcast.SpeakText(ctx, p.Actor, broadcast.TTSInput{UnitID: c.Unit.ID, Title: f.Title, Text: f.Text, Voice: f.Voice}); err != nil {
			reshow(err)
			return
		}
		// From here on the bulletin is a media item of the library.
		f.Mode, f.MediaID = "media", m.ID
	} else {
		if f.MediaID <= 0 {
			reshow(model.Invalid("media_id", "%s", pd.T("bc.err.media")))
			return
		}
		if m, err = s.deps.Broadcast.Media(ctx, p.Actor, f.MediaID); err != nil {
			reshow(err)
			return
		}
	}
	devs, err := s.deps.Broadcast.Devices(ctx, p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcConfirmData{bcCommon: c, Form: f, Media: m}
	chosen := map[int64]bool{}
	for _, t := range targets {
		chosen[t.ID] = true
		if t.Kind == model.TargetSubtree {
			d.Targets = append(d.Targets, pd.allOf(pd.UnitName(t.ID), hasBelow(pd, t.ID)))
		} else {
			d.Targets = append(d.Targets, pd.UnitName(t.ID))
		}
	}
	for _, dv := range devs {
		if f.TargetMode == "all" || chosen[dv.UnitID] {
			d.Devices++
			if dv.Online {
				d.Online++
			}
		}
	}
	pd.Data = d
	s.render(w, r, "broadcast_confirm", pd, http.StatusOK)
}

// ---- shared by the order and emergency forms ----

// levelsForOrders are the levels an operator may choose for a scheduled
// order (emergencies go through the emergency form).
var levelsForOrders = []string{schedule.LevelNormal.String(), schedule.LevelPriority.String(), schedule.LevelFiller.String()}

// bcFail shows a form again with what is wrong, in the user's language
// (the service's messages through the catalog, see bcErrorTexts, each led
// by its field's name), or an error page for errors that are not about
// the input.
func (s broadcastPages) bcFail(w http.ResponseWriter, r *http.Request, p *principal, err error, reshow func(msg string, code int)) {
	var ve *model.ValidationError
	if !errors.As(err, &ve) && !errors.Is(err, model.ErrConflict) {
		s.bcRenderError(w, r, p, err)
		return
	}
	code, _ := errorStatus(err)
	reshow(strings.Join(s.bcErrorTexts(r, p, err), " "), code)
}

// leafErrors flattens errors joined with errors.Join.
func leafErrors(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, leafErrors(e)...)
	}
	return out
}

// canBroadcast reports whether the user may broadcast for a unit.
func (s broadcastPages) canBroadcast(p *principal, u *model.Unit) bool {
	return s.deps.Policy.Can(p.Actor, authz.BroadcastWrite, u.Path)
}
