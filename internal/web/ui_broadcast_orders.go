package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Order states shown in lists.
const (
	orderActive    = "active"
	orderEnded     = "ended"
	orderCancelled = "cancelled"
)

// bcOrderForm is the order form, as typed.
type bcOrderForm struct {
	Title       string
	MediaID     int64
	Level       string
	Interrupts  bool
	StartDate   string // dd/mm/yyyy
	EndDate     string
	Slots       string // "06:00, 17:00"
	SpreadCount string
	SpreadFrom  string
	SpreadTo    string
	Weekdays    map[int]bool
	Targets     map[string]bool // "unit:12", "device:4", "subtree:3"
}

// bcTargetOption is a possible target of an order.
type bcTargetOption struct {
	Value   string
	Label   string
	Device  bool
	Devices int
	Checked bool
}

// bcWeekday is a weekday checkbox (Monday first).
type bcWeekday struct {
	Value   int
	Label   string
	Checked bool
}

// bcOrderRow is an order in a list.
type bcOrderRow struct {
	*broadcast.OrderView
	When      string
	Status    string
	CanCancel bool
	// FromAbove: issued by a unit above the page's unit (Issuer), which
	// may only follow it.
	FromAbove bool
	Issuer    string
}

type bcOrdersData struct {
	bcCommon
	Orders   []bcOrderRow
	Form     bcOrderForm
	Media    []*model.Media
	Targets  []bcTargetOption
	Levels   []string
	Weekdays []bcWeekday
	// Automatic scheduling of received directives: the unit's setting
	// and the recent jobs of deliveries it plays.
	Settings model.BroadcastSettings
	AutoJobs []bcAutoRow
}

func (s broadcastPages) uiBroadcastOrders(w http.ResponseWriter, r *http.Request, p *principal) {
	now := time.Now().In(s.loc)
	f := bcOrderForm{Level: schedule.LevelNormal.String(), StartDate: now.Format("02/01/2006"), EndDate: now.AddDate(0, 0, 6).Format("02/01/2006"),
		Slots: "06:00, 17:00", Weekdays: map[int]bool{}, Targets: map[string]bool{}}
	s.ordersPage(w, r, p, f, "", http.StatusOK)
}

// orderRow describes an order for lists: when it plays and its state.
func (s broadcastPages) orderRow(pd *pageData, o *broadcast.OrderView, canWrite bool) bcOrderRow {
	row := bcOrderRow{OrderView: o, When: s.orderWhen(pd, o), Status: orderActive}
	today := schedule.Today(time.Now(), s.loc)
	switch {
	case o.CancelledAt != nil:
		row.Status = orderCancelled
	case o.IssuedAt != nil && o.ExpiresAt != nil && time.Now().After(*o.ExpiresAt):
		row.Status = orderEnded
	case o.IssuedAt == nil && o.EndDate.Compare(today) < 0:
		row.Status = orderEnded
	}
	row.CanCancel = canWrite && row.Status == orderActive
	if o.Inbound {
		row.FromAbove = true
		row.Issuer = o.IssuerName
		if u := pd.units[o.UnitID]; u != nil {
			row.Issuer = u.Name
		}
	}
	return row
}

// orderWhen sums up when an order plays: its slots, or for an emergency
// when it was issued and how often it repeats.
func (s broadcastPages) orderWhen(pd *pageData, o *broadcast.OrderView) string {
	if o.IssuedAt != nil {
		return pd.T("bc.orders.issued_at", pd.DateTime(o.IssuedAt), max(o.Repeats, 1))
	}
	parts := make([]string, 0, len(o.Slots))
	for _, sl := range o.Slots {
		if sl.Spread != nil {
			parts = append(parts, pd.T("bc.orders.spread", sl.Spread.Count, sl.Spread.From.String(), sl.Spread.To.String()))
		} else {
			parts = append(parts, sl.At.String())
		}
	}
	when := strings.Join(parts, ", ")
	if len(o.Weekdays) > 0 && len(o.Weekdays) < 7 {
		days := make([]string, 0, len(o.Weekdays))
		for _, wd := range o.Weekdays {
			days = append(days, pd.T(fmt.Sprintf("bc.wd_short.%d", wd)))
		}
		when += " (" + strings.Join(days, ", ") + ")"
	}
	return when
}

// targetOptions lists what an order of the unit may target: the unit's
// subtree (when it has units below), each unit with devices, each device.
func (s broadcastPages) targetOptions(r *http.Request, p *principal, pd *pageData, unit *model.Unit, chosen map[string]bool) ([]bcTargetOption, error) {
	devs, err := s.deps.Broadcast.Devices(r.Context(), p.Actor, unit.ID)
	if err != nil {
		return nil, err
	}
	var out []bcTargetOption
	if hasBelow(pd, unit.ID) {
		v := fmt.Sprintf("%s:%d", model.TargetSubtree, unit.ID)
		out = append(out, bcTargetOption{Value: v, Label: pd.allOf(unit.Name, true), Devices: len(devs), Checked: chosen[v]})
	}
	for i := 0; i < len(devs); {
		j := i
		for j < len(devs) && devs[j].UnitID == devs[i].UnitID {
			j++
		}
		v := fmt.Sprintf("%s:%d", model.TargetUnit, devs[i].UnitID)
		out = append(out, bcTargetOption{Value: v, Label: devs[i].UnitName, Devices: j - i, Checked: chosen[v]})
		for _, d := range devs[i:j] {
			v := fmt.Sprintf("%s:%d", model.TargetDevice, d.ID)
			out = append(out, bcTargetOption{Value: v, Label: d.Name, Device: true, Checked: chosen[v]})
		}
		i = j
	}
	return out, nil
}

func (s broadcastPages) ordersPage(w http.ResponseWriter, r *http.Request, p *principal, f bcOrderForm, errMsg string, code int) {
	ctx := r.Context()
	pd, c, err := s.broadcastPage(r, p, "bc.orders.title", "orders")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	list, err := s.deps.Broadcast.Orders(ctx, p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcOrdersData{bcCommon: c, Form: f, Levels: levelsForOrders}
	for _, o := range list {
		issuer := pd.units[o.UnitID]
		d.Orders = append(d.Orders, s.orderRow(pd, o, issuer != nil && s.canBroadcast(p, issuer)))
	}
	if d.Settings, err = s.deps.Broadcast.Settings(ctx, p.Actor, c.Unit.ID); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	if s.deps.Scheduler != nil {
		jobs, err := s.deps.Scheduler.Jobs(ctx, p.Actor, c.Unit.ID, 8)
		if err != nil {
			s.bcRenderError(w, r, p, err)
			return
		}
		for _, j := range jobs {
			d.AutoJobs = append(d.AutoJobs, autoRow(pd, j, c.Unit.ID, c.CanWrite))
		}
	}
	if c.CanWrite {
		if d.Media, err = s.deps.Broadcast.MediaLibrary(ctx, p.Actor, c.Unit.ID); err != nil {
			s.bcRenderError(w, r, p, err)
			return
		}
		if d.Targets, err = s.targetOptions(r, p, pd, c.Unit, f.Targets); err != nil {
			s.bcRenderError(w, r, p, err)
			return
		}
		for _, wd := range []int{1, 2, 3, 4, 5, 6, 0} {
			d.Weekdays = append(d.Weekdays, bcWeekday{Value: wd, Label: pd.T(fmt.Sprintf("bc.wd_short.%d", wd)), Checked: f.Weekdays[wd]})
		}
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast_orders", pd, code)
}

// parseOrderForm reads the order form into the form (to show it again)
// and the service's input.
func (s broadcastPages) parseOrderForm(r *http.Request, p *principal, unitID int64) (bcOrderForm, broadcast.OrderInput, error) {
	f := bcOrderForm{Title: strings.TrimSpace(r.PostFormValue("title")), Level: r.PostFormValue("level"), Interrupts: r.PostFormValue("interrupts") == "1",
		StartDate: strings.TrimSpace(r.PostFormValue("start_date")), EndDate: strings.TrimSpace(r.PostFormValue("end_date")),
		Slots: strings.TrimSpace(r.PostFormValue("slots")), SpreadCount: strings.TrimSpace(r.PostFormValue("spread_count")),
		SpreadFrom: strings.TrimSpace(r.PostFormValue("spread_from")), SpreadTo: strings.TrimSpace(r.PostFormValue("spread_to")),
		Weekdays: map[int]bool{}, Targets: map[string]bool{}}
	in := broadcast.OrderInput{UnitID: unitID, Title: f.Title, Level: f.Level, Interrupts: f.Interrupts}
	invalid := func(field, key string, args ...any) error {
		return model.Invalid(field, "%s", s.tr(r, p, key, args...))
	}
	if v := r.PostFormValue("media_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, in, invalid("media_id", "bc.err.number", v)
		}
		f.MediaID, in.MediaID = id, id
	}
	for _, v := range r.PostForm["weekday"] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 6 {
			return f, in, invalid("weekday", "bc.err.number", v)
		}
		f.Weekdays[n] = true
		in.Weekdays = append(in.Weekdays, time.Weekday(n))
	}
	for _, v := range r.PostForm["target"] {
		kind, idText, ok := strings.Cut(v, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil || id <= 0 || (kind != model.TargetUnit && kind != model.TargetDevice && kind != model.TargetSubtree) {
			return f, in, invalid("target", "bc.err.target", v)
		}
		f.Targets[v] = true
		in.Targets = append(in.Targets, model.OrderTarget{Kind: kind, ID: id})
	}
	if in.MediaID <= 0 {
		return f, in, invalid("media_id", "bc.err.media")
	}
	if len(in.Targets) == 0 {
		return f, in, invalid("target", "bc.err.no_target")
	}
	for _, dt := range []struct {
		field string
		v     *string
		dst   *string
	}{{"start_date", &f.StartDate, &in.StartDate}, {"end_date", &f.EndDate, &in.EndDate}} {
		d, err := schedule.ParseDate(*dt.v)
		if err != nil {
			return f, in, invalid(dt.field, "bc.err.date", *dt.v)
		}
		*dt.dst = d.String()
	}
	for _, t := range strings.FieldsFunc(f.Slots, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		c, err := schedule.ParseClock(t)
		if err != nil {
			return f, in, invalid("slots", "bc.err.clock", t)
		}
		in.Slots = append(in.Slots, schedule.FixedSlot(c))
	}
	if f.SpreadCount != "" && f.SpreadCount != "0" {
		n, err := strconv.Atoi(f.SpreadCount)
		if err != nil || n <= 0 {
			return f, in, invalid("spread_count", "bc.err.number", f.SpreadCount)
		}
		from, err := schedule.ParseClock(f.SpreadFrom)
		if err != nil {
			return f, in, invalid("spread_from", "bc.err.clock", f.SpreadFrom)
		}
		to, err := schedule.ParseClock(f.SpreadTo)
		if err != nil {
			return f, in, invalid("spread_to", "bc.err.clock", f.SpreadTo)
		}
		in.Slots = append(in.Slots, schedule.SpreadSlot(n, from, to))
	}
	if len(in.Slots) == 0 {
		return f, in, invalid("slots", "bc.err.no_slot")
	}
	return f, in, nil
}

func (s broadcastPages) uiBroadcastOrderCreate(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	f, in, err := s.parseOrderForm(r, p, unit)
	if err == nil && in.Title == "" {
		// Untitled: the order is named after its content.
		var m *model.Media
		if m, err = s.deps.Broadcast.Media(r.Context(), p.Actor, in.MediaID); err == nil {
			in.Title = m.Title
		}
	}
	if err == nil {
		var o *broadcast.OrderView
		if o, err = s.deps.Broadcast.CreateOrder(r.Context(), p.Actor, in); err == nil {
			redirectFlash(w, r, fmt.Sprintf("/broadcast/orders/%d%s", o.ID, unitSuffix(r)), "flash.bc_order_created")
			return
		}
	}
	s.bcFail(w, r, p, err, func(msg string, code int) { s.ordersPage(w, r, p, f, msg, code) })
}

// unitSuffix keeps ?unit= of the request in a redirect.
func unitSuffix(r *http.Request) string {
	if v := r.URL.Query().Get("unit"); v != "" {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return "?unit=" + v
		}
	}
	return ""
}

// bcPlayRow is one unit of an order's report.
type bcPlayRow struct {
	model.UnitPlayStats
	Name string
}

// bcLogRow is one play of an order.
type bcLogRow struct {
	model.PlayLog
	Device string
}

type bcOrderData struct {
	bcCommon
	Row     bcOrderRow
	Report  *broadcast.OrderReport
	Targets []string
	Units   []bcPlayRow
	Logs    []bcLogRow
	Played  int // devices that reported a play
	// Languages: the order's versions and the version each unit reached
	// plays (nil for those who only follow the order); Missing lists the
	// units whose first language has no version.
	Languages *broadcast.OrderLanguages
	Missing   []broadcast.UnitVersion
	Version   bcVersionForm
	Voices    []string       // languages the speech engine reads, besides Vietnamese
	Media     []*model.Media // the issuer's library, for a version
	Error     string         // a refused language version form
}

func (s broadcastPages) uiBroadcastOrder(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	s.orderPage(w, r, p, id, bcVersionForm{}, "", http.StatusOK)
}

// orderPage shows an order, with a refused language version form.
func (s broadcastPages) orderPage(w http.ResponseWriter, r *http.Request, p *principal, id int64, vf bcVersionForm, errMsg string, code int) {
	ctx := r.Context()
	pd, c, err := s.broadcastPage(r, p, "bc.order.title", "orders")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	rep, err := s.deps.Broadcast.Report(ctx, p.Actor, id)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	o := rep.Order
	pd.Title = o.Title
	issuer := pd.units[o.UnitID]
	canWrite := issuer != nil && s.canBroadcast(p, issuer)
	d := bcOrderData{bcCommon: c, Row: s.orderRow(pd, o, canWrite), Report: rep}
	names := map[int64]string{}
	for _, unit := range []int64{o.UnitID, c.Unit.ID} {
		// The issuer's devices, or (an order sent down) the page's unit's.
		if devs, err := s.deps.Broadcast.Devices(ctx, p.Actor, unit); err == nil {
			for _, dv := range devs {
				names[dv.ID] = dv.Name
			}
		}
	}
	deviceName := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return pd.T("bc.device_n", id)
	}
	for _, t := range o.Targets {
		switch t.Kind {
		case model.TargetSubtree:
			d.Targets = append(d.Targets, pd.allOf(pd.UnitName(t.ID), hasBelow(pd, t.ID)))
		case model.TargetUnit:
			d.Targets = append(d.Targets, pd.UnitName(t.ID))
		default:
			d.Targets = append(d.Targets, deviceName(t.ID))
		}
	}
	for _, st := range rep.Units {
		d.Units = append(d.Units, bcPlayRow{UnitPlayStats: st, Name: pd.UnitName(st.UnitID)})
		d.Played += st.Devices
	}
	for _, l := range rep.Logs {
		d.Logs = append(d.Logs, bcLogRow{PlayLog: l, Device: deviceName(l.DeviceID)})
	}
	// Language versions, for those who may follow the issuer's orders (a
	// commune viewing an order sent down sees its report only).
	if err := s.orderLanguages(ctx, p, &d, vf, errMsg); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	pd.Data = d
	s.render(w, r, "broadcast_order", pd, code)
}

func (s broadcastPages) uiBroadcastOrderCancel(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	if err := s.deps.Broadcast.CancelOrder(r.Context(), p.Actor, id); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders/%d%s", id, unitSuffix(r)), "flash.bc_order_cancelled")
}
