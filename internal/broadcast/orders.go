package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// Limits of orders.
const (
	MaxTargets      = 1000
	MaxTitleRunes   = 300
	MaxRepeats      = 20
	MaxEmergencyTTL = 48 * time.Hour
)

// OrderInput creates a scheduled broadcast order.
type OrderInput struct {
	UnitID     int64               `json:"unit_id"` // the issuing unit
	Title      string              `json:"title"`
	MediaID    int64               `json:"media_id"`
	Level      string              `json:"level"` // filler, normal, priority, live
	Interrupts bool                `json:"interrupts"`
	StartDate  string              `json:"start_date"` // YYYY-MM-DD or DD/MM/YYYY
	EndDate    string              `json:"end_date"`
	ExpiresAt  *time.Time          `json:"expires_at,omitempty"`
	Slots      []schedule.Slot     `json:"slots"`
	Weekdays   []time.Weekday      `json:"weekdays,omitempty"` // 0 = Sunday … 6 = Saturday
	UnitOrder  int                 `json:"unit_order"`
	Targets    []model.OrderTarget `json:"targets"`
	// Source and SourceRef link the order to what it implements, e.g.
	// "directive" and the directive's content item.
	Source    string `json:"source,omitempty"`
	SourceRef string `json:"source_ref,omitempty"`
	// Versions are the order's media in other languages than Vietnamese
	// (MediaID is the Vietnamese version); each device plays the version
	// of its unit's languages.
	Versions []VersionInput `json:"versions,omitempty"`
}

// EmergencyInput issues an emergency (or, with Live, a "play now") that
// devices play at once.
type EmergencyInput struct {
	UnitID  int64               `json:"unit_id"`
	Title   string              `json:"title"`
	MediaID int64               `json:"media_id"`
	Targets []model.OrderTarget `json:"targets"`
	// Repeats is the total number of plays (default 1); they are
	// RepeatEveryMinutes apart (default 10).
	Repeats            int `json:"repeats,omitempty"`
	RepeatEveryMinutes int `json:"repeat_every_minutes,omitempty"`
	// ExpiresInMinutes: devices that were offline play it when they come
	// back unless it expired (default 360).
	ExpiresInMinutes int  `json:"expires_in_minutes,omitempty"`
	Live             bool `json:"live,omitempty"`
	// Interrupts: cut what is playing (default true for emergencies;
	// false means play after the current item).
	Interrupts *bool `json:"interrupts,omitempty"`
	// Source and SourceRef, as for orders: what the emergency implements.
	Source    string `json:"source,omitempty"`
	SourceRef string `json:"source_ref,omitempty"`
}

// OrderView is an order with the number of devices it resolves to.
type OrderView struct {
	*model.BroadcastOrder
	Weekdays []time.Weekday `json:"weekdays"`
	Devices  int            `json:"devices"` // of those the reader may follow when Restricted
	// Inbound: listed for a unit below the issuing one (the district's
	// order in a commune's list), issued by IssuerName.
	Inbound    bool   `json:"inbound,omitempty"`
	IssuerName string `json:"issuer_name,omitempty"`
	// Restricted: the reader follows only some of the order's devices
	// (those of its own unit); counts and reports cover those.
	Restricted bool `json:"restricted,omitempty"`
	// PassedWhenMade lists the slots (HH:MM) of the order's first day that
	// were already past when it was made: they do not play and are not
	// counted as silences.
	PassedWhenMade []string `json:"passed_when_made,omitempty"`

	deviceIDs []int64
}

func (s OrderBook) orderView(ctx context.Context, o *model.BroadcastOrder) (*OrderView, error) {
	v := &OrderView{BroadcastOrder: o, PassedWhenMade: passedWhenMade(o, s.loc)}
	wd, err := decodeWeekdays(o)
	if err != nil {
		return nil, err
	}
	v.Weekdays = wd
	ids, err := s.store.Broadcast().OrderDeviceIDs(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	v.Devices, v.deviceIDs = len(ids), ids
	return v, nil
}

func decodeWeekdays(o *model.BroadcastOrder) ([]time.Weekday, error) {
	var wd []time.Weekday
	for _, f := range strings.Fields(o.Weekdays) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 6 {
			return nil, fmt.Errorf("order %d: stored weekday %q", o.ID, f)
		}
		wd = append(wd, time.Weekday(n))
	}
	return wd, nil
}

func encodeWeekdays(wd []time.Weekday) string {
	parts := make([]string, len(wd))
	for i, d := range wd {
		parts[i] = strconv.Itoa(int(d))
	}
	return strings.Join(parts, " ")
}

// checkTitle validates an order title.
func checkTitle(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" || utf8.RuneCountInString(t) > MaxTitleRunes || !utf8.ValidString(t) {
		return "", invalid("title", "bcsvc.title", "give a title of 1-%d characters (it is shown on boards and in reports)", MaxTitleRunes)
	}
	return t, nil
}

// checkContent loads the media item and checks the issuing unit may use
// it: media of the unit itself or of a unit above it (content sent down),
// or media the actor may read.
func (s OrderBook) checkContent(ctx context.Context, a model.Actor, unit *model.Unit, mediaID int64) (*model.Media, error) {
	if mediaID <= 0 {
		return nil, invalid("media_id", "bcsvc.media_missing", "give the id of a media item of the library (upload audio or create a text bulletin first)")
	}
	m, err := s.store.Broadcast().MediaItem(ctx, mediaID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, invalid("media_id", "bcsvc.media_unknown", "media %d does not exist", mediaID)
		}
		return nil, err
	}
	mu, err := s.store.Orgs().Unit(ctx, m.UnitID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(unit.Path, mu.Path) && !s.policy.Can(a, authz.BroadcastRead, mu.Path) {
		return nil, i18n.Localise(fmt.Errorf("media %d belongs to unit %q, which unit %q may not use: %w", mediaID, mu.Name, unit.Name, model.ErrForbidden),
			"bcsvc.media_foreign", mu.Name, unit.Name)
	}
	if m.SHA256 == "" {
		return nil, invalid("media_id", "bcsvc.media_live", "media %d is the recording of a live broadcast that is on air or was not kept", mediaID)
	}
	if time.Duration(m.DurationMS)*time.Millisecond > schedule.MaxContentDuration {
		return nil, invalid("media_id", "bcsvc.media_too_long", "media %d lasts longer than %s", mediaID, schedule.MaxContentDuration)
	}
	return m, nil
}

// checkTargets validates targets: each must exist, lie inside the issuing
// unit's subtree and be within the actor's broadcast reach.
func (s OrderBook) checkTargets(ctx context.Context, a model.Actor, unit *model.Unit, targets []model.OrderTarget) ([]model.OrderTarget, error) {
	if len(targets) == 0 {
		return nil, invalid("targets", "bcsvc.no_target", "name at least one target: {\"kind\":\"device\"|\"unit\"|\"subtree\",\"id\":N}")
	}
	if len(targets) > MaxTargets {
		return nil, invalid("targets", "bcsvc.too_many_targets", "%d targets: at most %d (use subtree targets for many communes)", len(targets), MaxTargets)
	}
	seen := map[model.OrderTarget]bool{}
	var out []model.OrderTarget
	for i, t := range targets {
		field := fmt.Sprintf("targets[%d]", i)
		var path, name string
		switch t.Kind {
		case model.TargetDevice:
			d, err := s.store.Devices().Device(ctx, t.ID)
			if err != nil || d.RevokedAt != nil {
				return nil, invalid(field, "bcsvc.target_device", "device %d does not exist or was revoked", t.ID)
			}
			u, err := s.store.Orgs().Unit(ctx, d.UnitID)
			if err != nil {
				return nil, err
			}
			path, name = u.Path, fmt.Sprintf("device %q", d.Name)
		case model.TargetUnit, model.TargetSubtree:
			u, err := s.store.Orgs().Unit(ctx, t.ID)
			if err != nil {
				return nil, invalid(field, "bcsvc.target_unit", "unit %d does not exist", t.ID)
			}
			path, name = u.Path, fmt.Sprintf("unit %q", u.Name)
		default:
			return nil, invalid(field, "bcsvc.target_kind", "%q is not a target kind: use device, unit or subtree", t.Kind)
		}
		if !strings.HasPrefix(path, unit.Path) {
			return nil, invalid(field, "bcsvc.target_outside", "%s is not inside unit %q, which issues the order", name, unit.Name)
		}
		if !s.policy.Can(a, authz.BroadcastWrite, path) {
			return nil, i18n.Localise(fmt.Errorf("broadcasting to %s: %w", name, model.ErrForbidden), "bcsvc.target_forbidden", name)
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// sourceOf is the source an order records: "local" unless said.
func sourceOf(s string) string {
	if s == "" {
		return "local"
	}
	return s
}

// levelInvalid: a scheduled order's level is not one of its levels.
func levelInvalid(level string) error {
	return invalid("level", "bcsvc.level", "%q is not a level: use normal, priority or filler (live for relays; emergencies go through the emergency endpoint)", level)
}

// invalid is a validation error of a field: format (with args) is its
// English text, for the API and the logs; the catalog message key, with
// the same args, says it in the user's language on the pages.
func invalid(field, key, format string, args ...any) error {
	return i18n.Localise(model.Invalid(field, format, args...), key, args...)
}

// orderError turns schedule validation errors into one validation error
// naming the first field and listing every problem (the API's message),
// each problem also in the user's language (package schedule names them
// with codes; the catalog has them as "sched.<code>").
func orderError(err error) error {
	var oe *schedule.OrderError
	if !errors.As(err, &oe) {
		return invalid("", "bcsvc.order_invalid", "%v", err)
	}
	var msgs []string
	var parts []*i18n.Error
	for _, e := range unjoin(err) {
		msgs = append(msgs, e.Error())
		var one *schedule.OrderError
		if errors.As(e, &one) {
			parts = append(parts, &i18n.Error{Key: "sched." + one.Code, Args: readableArgs(one.Args), Err: model.Invalid(one.Field, "%s", one.Problem)})
		} else {
			parts = append(parts, &i18n.Error{Key: "bcsvc.order_invalid", Args: []any{e}, Err: e})
		}
	}
	return &i18n.Errors{Err: model.Invalid(oe.Field, "%s", strings.Join(msgs, "; ")), Parts: parts}
}

// readableArgs shows the dates of schedule problems as dd/mm/yyyy.
func readableArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if d, ok := a.(schedule.Date); ok {
			a = i18n.ISODate(d.String())
		}
		out[i] = a
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// CreateOrder stores a scheduled order and tells the targeted devices
// that their schedule changed.
func (s OrderBook) CreateOrder(ctx context.Context, a model.Actor, in OrderInput) (*OrderView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	title, err := checkTitle(in.Title)
	if err != nil {
		return nil, err
	}
	level, err := schedule.ParseLevel(in.Level)
	if err != nil {
		return nil, levelInvalid(in.Level)
	}
	if level == schedule.LevelEmergency {
		return nil, invalid("level", "bcsvc.level_emergency", "emergencies are issued with POST /api/v1/broadcast/emergency, which pushes them to the devices at once")
	}
	start, err := schedule.ParseDate(in.StartDate)
	if err != nil {
		return nil, invalid("start_date", "bcsvc.date", "%q is not a date: use YYYY-MM-DD or DD/MM/YYYY", in.StartDate)
	}
	end := start
	if in.EndDate != "" {
		if end, err = schedule.ParseDate(in.EndDate); err != nil {
			return nil, invalid("end_date", "bcsvc.date", "%q is not a date: use YYYY-MM-DD or DD/MM/YYYY", in.EndDate)
		}
	}
	return s.createOrder(ctx, a, unit, orderSpec{title: title, mediaID: in.MediaID, level: level, interrupts: in.Interrupts, start: start, end: end,
		expires: in.ExpiresAt, slots: in.Slots, weekdays: in.Weekdays, unitOrder: in.UnitOrder, targets: in.Targets,
		source: in.Source, sourceRef: in.SourceRef, versions: in.Versions})
}

// orderSpec is a scheduled order in typed values, its title and level
// checked: what CreateOrder parses from its input and what
// ScheduleFromDirective is given.
type orderSpec struct {
	title      string
	mediaID    int64
	level      schedule.Level
	interrupts bool
	start, end schedule.Date
	expires    *time.Time
	slots      schedule.Slots
	weekdays   []time.Weekday
	unitOrder  int
	targets    []model.OrderTarget
	source     string
	sourceRef  string
	from       directiveSource
	versions   []VersionInput
}

// createOrder checks the order's source, content, targets and plan, and
// stores it.
func (s OrderBook) createOrder(ctx context.Context, a model.Actor, unit *model.Unit, in orderSpec) (*OrderView, error) {
	if len(in.source) > 40 || len(in.sourceRef) > protocol.MaxFieldLen {
		return nil, invalid("source", "bcsvc.source", "source is limited to 40 bytes and source_ref to %d", protocol.MaxFieldLen)
	}
	m, err := s.checkContent(ctx, a, unit, in.mediaID)
	if err != nil {
		return nil, err
	}
	targets, err := s.checkTargets(ctx, a, unit, in.targets)
	if err != nil {
		return nil, err
	}
	versions, err := s.checkVersions(ctx, a, unit, in.versions)
	if err != nil {
		return nil, err
	}
	plan := schedule.Plan{Duration: m.Duration(), StartDate: in.start, EndDate: in.end, Slots: in.slots, Weekdays: in.weekdays, Level: in.level}
	if err := plan.Validate(); err != nil {
		return nil, orderError(err)
	}
	source := sourceOf(in.source)
	from := in.from.or(source, in.sourceRef)
	o := &model.BroadcastOrder{UnitID: unit.ID, Title: in.title, MediaID: m.ID, Level: in.level.String(), Interrupts: in.interrupts,
		StartDate: in.start, EndDate: in.end, ExpiresAt: in.expires, Slots: in.slots, Weekdays: encodeWeekdays(in.weekdays),
		UnitOrder: in.unitOrder, Source: source, SourceRef: in.sourceRef, SourceDirectiveID: from.directiveID, SourceItem: from.item, SourcePart: from.part,
		SourceDeliveryID: from.deliveryID, CreatedBy: a.Username, Targets: targets, MadeAt: s.clock()}
	title := in.title
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
			return err
		}
		for _, v := range versions {
			if err := tx.Speech().InsertOrderVersion(ctx, o.ID, v.Language, v.MediaID); err != nil {
				return err
			}
		}
		if devices, err = tx.Broadcast().OrderDeviceIDs(ctx, o.ID); err != nil {
			return err
		}
		if err := s.checkLimits(ctx, tx, o, in.level, m.Duration(), devices); err != nil {
			return err
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, devices); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.order.create", "broadcast_order", fmt.Sprint(o.ID),
			fmt.Sprintf("level=%s media=%d devices=%d title=%q", o.Level, m.ID, len(devices), title))
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, Notice{Kind: protocol.EventSchedule, OrderID: o.ID, Devices: devices})
	stored, err := s.store.Broadcast().Order(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	return &OrderView{BroadcastOrder: stored, Weekdays: in.weekdays, Devices: len(devices), PassedWhenMade: passedWhenMade(stored, s.loc)}, nil
}

// publish hands a notice to the notifier, logging failures: the change is
// stored, and devices will see it at their next poll anyway.
func (s OrderBook) publish(ctx context.Context, n Notice) {
	// This replica's poll cache forgets at once (its next poll sees the
	// change); the others forget when the notice reaches them.
	s.polls.invalidate(n)
	if err := s.notify.Publish(ctx, n); err != nil {
		s.log.Warn("publish notice; devices will see the change at their next poll", "kind", n.Kind, "order", n.OrderID, "err", err)
	}
}

// EmergencyResult says what an emergency reached.
type EmergencyResult struct {
	Order   *OrderView `json:"order"`
	Devices int        `json:"devices"` // targeted devices
}

// emergencyTimes returns the instants an emergency order plays at.
func emergencyTimes(o *model.BroadcastOrder) []time.Time {
	if o.IssuedAt == nil {
		return nil
	}
	n := max(o.Repeats, 1)
	out := make([]time.Time, 0, n)
	for i := range n {
		out = append(out, o.IssuedAt.Add(time.Duration(i*o.RepeatEveryS)*time.Second))
	}
	return out
}

// ItemID is the stable id of the occurrence of an order requested at t.
func ItemID(orderID int64, requested time.Time) string {
	return "o" + strconv.FormatInt(orderID, 10) + "-" + strconv.FormatInt(requested.Unix(), 10)
}

// Emergency issues an emergency (or live "play now") order: it is stored
// with its items for every targeted device and pushed at once to the
// devices connected to any replica; the others play it when they come
// back, unless it expired.
func (s OrderBook) Emergency(ctx context.Context, a model.Actor, in EmergencyInput) (*EmergencyResult, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	return s.emergency(ctx, a, unit, in, directiveSource{})
}

// emergency issues the emergency for the unit; from is the directive item
// it implements, if any (else read from in.SourceRef).
func (s OrderBook) emergency(ctx context.Context, a model.Actor, unit *model.Unit, in EmergencyInput, from directiveSource) (*EmergencyResult, error) {
	start := time.Now()
	title, err := checkTitle(in.Title)
	if err != nil {
		return nil, err
	}
	if len(in.Source) > 40 || len(in.SourceRef) > protocol.MaxFieldLen {
		return nil, invalid("source", "bcsvc.source", "source is limited to 40 bytes and source_ref to %d", protocol.MaxFieldLen)
	}
	m, err := s.checkContent(ctx, a, unit, in.MediaID)
	if err != nil {
		return nil, err
	}
	targets, err := s.checkTargets(ctx, a, unit, in.Targets)
	if err != nil {
		return nil, err
	}
	repeats := in.Repeats
	if repeats == 0 {
		repeats = 1
	}
	if repeats < 1 || repeats > MaxRepeats {
		return nil, invalid("repeats", "bcsvc.repeats", "repeats %d: play it 1-%d times", in.Repeats, MaxRepeats)
	}
	every := time.Duration(in.RepeatEveryMinutes) * time.Minute
	if repeats > 1 {
		if in.RepeatEveryMinutes == 0 {
			every = 10 * time.Minute
		}
		if every < m.Duration() || every <= 0 {
			return nil, invalid("repeat_every_minutes", "bcsvc.repeat_every", "repeats must be at least the length of the audio (%s) apart", m.Duration().Round(time.Second))
		}
	}
	ttl := time.Duration(in.ExpiresInMinutes) * time.Minute
	if in.ExpiresInMinutes == 0 {
		ttl = DefaultEmergencyTTL
	}
	if ttl <= 0 || ttl > MaxEmergencyTTL {
		return nil, invalid("expires_in_minutes", "bcsvc.expires", "an emergency expires within 1 minute to %d hours", int(MaxEmergencyTTL.Hours()))
	}
	if last := time.Duration(repeats-1) * every; last >= ttl {
		return nil, invalid("expires_in_minutes", "bcsvc.last_repeat", "the last repeat (after %s) comes after the expiry (%s)", last, ttl)
	}
	level := schedule.LevelEmergency
	if in.Live {
		level = schedule.LevelLive
	}
	interrupts := true
	if in.Interrupts != nil {
		interrupts = *in.Interrupts
	}
	issued := s.clock().Truncate(time.Second)
	expires := issued.Add(ttl)
	lastDay := schedule.DateOf(issued.Add(time.Duration(repeats-1) * every).In(s.loc))
	source := sourceOf(in.Source)
	from = from.or(source, in.SourceRef)
	o := &model.BroadcastOrder{UnitID: unit.ID, Title: title, MediaID: m.ID, Level: level.String(), Interrupts: interrupts,
		StartDate: schedule.DateOf(issued.In(s.loc)), EndDate: lastDay, ExpiresAt: &expires, Slots: schedule.Slots{},
		IssuedAt: &issued, Repeats: repeats, RepeatEveryS: int(every / time.Second), Source: source, SourceRef: in.SourceRef,
		SourceDirectiveID: from.directiveID, SourceItem: from.item, SourcePart: from.part, SourceDeliveryID: from.deliveryID, CreatedBy: a.Username, Targets: targets,
		MadeAt: issued}
	// The order goes out in two transactions, both before every ordinary
	// one waiting for SQLite's single writer (TxRetryUrgent) and before
	// the schedule writer's next batch (yieldToUrgent): the first stores
	// the order, marked "plays pending", and the devices connected here
	// get it at once; the second writes its plays on every targeted device
	// and marks their schedules stale (a cost that grows with the
	// devices), then clears the mark. A server stopped in between finishes
	// the marked orders when it starts (finishPendingPlays). The phases
	// are timed for the log.
	asked := time.Now()
	devices, began, err := s.storeIssued(ctx, a, o)
	if err != nil {
		return nil, err
	}
	committed := time.Now()
	o.MediaSHA256, o.MediaSize, o.MediaDurationMS = m.SHA256, m.Size, m.DurationMS
	connections := s.Fleet().pushIssued(o, devices)
	pushed := time.Now()
	s.publish(ctx, Notice{Kind: pushKind(o.Level), OrderID: o.ID, PlaysPending: true})
	// The plays wait (a moment) for the connections' writers to take the
	// event: the fan-out gets the CPU first.
	s.Fleet().awaitFanOut(ctx, maxFanOutWait)
	fannedOut := time.Now()
	var playsErr error
	runLowPriority(func() { playsErr = s.recordPlays(ctx, a, o, m.Duration(), devices) })
	if playsErr != nil {
		// Pushed and stored: the plays are written by the periodic check.
		s.log.Error("write the plays of an emergency; retried in the background", "order", o.ID, "err", playsErr)
	}
	recorded := time.Now()
	stored, err := s.store.Broadcast().Order(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	s.log.Info("emergency issued", "order", o.ID, "level", o.Level, "devices", len(devices), "connections_here", connections, "by", a.Username,
		"checks_ms", ms(asked.Sub(start)), "writer_wait_ms", ms(began.Sub(asked)), "tx_ms", ms(committed.Sub(began)), "push_ms", ms(pushed.Sub(committed)),
		"fanout_ms", ms(fannedOut.Sub(committed)), "plays_ms", ms(recorded.Sub(fannedOut)), "total_ms", ms(time.Since(asked)))
	return &EmergencyResult{Order: &OrderView{BroadcastOrder: stored, Devices: len(devices)}, Devices: len(devices)}, nil
}

// storeIssued is the first transaction of an emergency (see emergency):
// the order, marked "plays pending", and its audit line. It returns the
// devices the order targets and when the transaction began (it had the
// writer).
func (s OrderBook) storeIssued(ctx context.Context, a model.Actor, o *model.BroadcastOrder) (devices []int64, began time.Time, err error) {
	s.urgent.Add(1)
	defer s.urgent.Add(-1)
	err = s.store.TxRetryUrgent(ctx, func(tx *storage.Tx) error {
		began = time.Now()
		if devices, err = s.insertIssuedTx(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.Broadcast().SetOrderPlaysPending(ctx, o.ID, true); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast."+o.Level, "broadcast_order", fmt.Sprint(o.ID),
			fmt.Sprintf("media=%d devices=%d repeats=%d title=%q", o.MediaID, len(devices), o.Repeats, o.Title))
	})
	return devices, began, err
}

// issueTx stores an emergency or live order o whose plays last d, with
// its plays on every targeted device, and returns those devices.
func (s OrderBook) issueTx(ctx context.Context, tx *storage.Tx, a model.Actor, o *model.BroadcastOrder, d time.Duration) ([]int64, error) {
	devices, err := s.insertIssuedTx(ctx, tx, o)
	if err != nil {
		return nil, err
	}
	return devices, s.recordPlaysTx(ctx, tx, a, o, d, devices)
}

// insertIssuedTx stores an emergency or live order and returns the
// devices its targets resolve to.
func (s OrderBook) insertIssuedTx(ctx context.Context, tx *storage.Tx, o *model.BroadcastOrder) ([]int64, error) {
	if err := tx.Broadcast().InsertOrder(ctx, o); err != nil {
		return nil, err
	}
	return tx.Broadcast().OrderDeviceIDs(ctx, o.ID)
}

// recordPlaysTx writes the plays (lasting d) of a stored emergency or
// live order on its devices and marks their schedules stale, and audits
// the quiet hours it overrides.
func (s OrderBook) recordPlaysTx(ctx context.Context, tx *storage.Tx, a model.Actor, o *model.BroadcastOrder, d time.Duration, devices []int64) error {
	// The plays and the stale schedules are written set-based (in the
	// database, from the order's targets): the cost of the transaction
	// does not grow with per-device rows built here.
	times := emergencyTimes(o)
	plays := make([]storage.OrderPlay, len(times))
	for i, t := range times {
		plays[i] = storage.OrderPlay{ItemID: ItemID(o.ID, t), Start: t, End: t.Add(d)}
	}
	if err := tx.Broadcast().RecordOrderPlays(ctx, o.ID, o.Level, plays); err != nil {
		return err
	}
	// Emergencies and live broadcasts override quiet hours: say so.
	over, err := s.quietOverrides(ctx, tx, devices, *o.IssuedAt)
	if err != nil {
		return err
	}
	if len(over) > 0 {
		if err := tx.Audit().AppendAudit(ctx, a, "broadcast.quiet_override", "broadcast_order", fmt.Sprint(o.ID),
			fmt.Sprintf("level=%s plays in the quiet hours of %d device(s): %s", o.Level, len(over), clipList(over, 50))); err != nil {
			return err
		}
	}
	return nil
}

// NoticeStale tells every replica that schedules changed (their poll
// caches forget them) without an event to the devices: the plays of an
// emergency, written after its push.
const NoticeStale = "stale"

// recordPlays is the second transaction of an emergency (see emergency):
// the plays on its devices, the stale schedules, the "plays pending"
// mark cleared; then every replica's poll cache forgets the schedules it
// held, so that a device polling meanwhile does not keep the old one.
func (s OrderBook) recordPlays(ctx context.Context, a model.Actor, o *model.BroadcastOrder, d time.Duration, devices []int64) error {
	s.urgent.Add(1)
	defer s.urgent.Add(-1)
	err := s.store.TxRetryUrgent(ctx, func(tx *storage.Tx) error {
		if err := s.recordPlaysTx(ctx, tx, a, o, d, devices); err != nil {
			return err
		}
		return tx.Broadcast().SetOrderPlaysPending(ctx, o.ID, false)
	})
	if err != nil {
		return fmt.Errorf("write the plays of order %d: %w", o.ID, err)
	}
	s.publish(ctx, Notice{Kind: NoticeStale, OrderID: o.ID})
	return nil
}

// pendingPlaysEvery is how often orders whose plays were not written
// (a stop or an error between an emergency's two transactions) are
// looked for, besides at start.
const pendingPlaysEvery = time.Minute

// pendingPlaysLoop finishes such orders at start and then periodically.
func (s OrderBook) pendingPlaysLoop(ctx context.Context) {
	t := time.NewTicker(pendingPlaysEvery)
	defer t.Stop()
	minAge := time.Duration(0) // at start: all of them
	for {
		if err := s.finishPendingPlays(ctx, minAge); err != nil && ctx.Err() == nil {
			s.log.Error("write the plays of emergencies left pending", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Later, not those an emergency under way is writing itself.
		minAge = pendingPlaysEvery / 2
	}
}

// finishPendingPlays writes the plays of the orders still marked "plays
// pending": an emergency pushed whose second transaction did not run
// (the server stopped) or failed, created at least minAge ago. A
// cancelled order only loses its mark.
func (s OrderBook) finishPendingPlays(ctx context.Context, minAge time.Duration) error {
	ids, err := s.store.Broadcast().OrdersWithPlaysPending(ctx, 100)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		o, err := s.store.Broadcast().Order(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if time.Since(o.CreatedAt) < minAge {
			continue
		}
		if o.CancelledAt != nil || o.IssuedAt == nil {
			if err := s.store.TxRetry(ctx, func(tx *storage.Tx) error {
				return tx.Broadcast().SetOrderPlaysPending(ctx, id, false)
			}); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		devices, err := s.store.Broadcast().OrderDeviceIDs(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.recordPlays(ctx, model.System("emergency-plays"), o, time.Duration(o.MediaDurationMS)*time.Millisecond, devices); err != nil {
			errs = append(errs, err)
			continue
		}
		s.log.Warn("plays of an emergency written after a stop or an error", "order", id, "devices", len(devices))
	}
	return errors.Join(errs...)
}

// ms is d in milliseconds with a tenth of a millisecond (log fields).
func ms(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}

func pushKind(level string) string {
	if level == schedule.LevelLive.String() {
		return protocol.EventLive
	}
	return protocol.EventEmergency
}

// Orders lists the orders of a unit: those it issued (and, for
// administrators, those of the units below it), and those issued above it
// (by the district, the province, …) that play on its devices, marked
// Inbound with the issuer's name. The actor may follow inbound orders but
// not change them.
func (s OrderBook) Orders(ctx context.Context, a model.Actor, unitID int64) ([]*OrderView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Broadcast().OrdersOfUnits(ctx, unit.Path, 500)
	if err != nil {
		return nil, err
	}
	out := make([]*OrderView, 0, len(list))
	for _, o := range list {
		if o.UnitID != unit.ID && !s.policy.Can(a, authz.BroadcastRead, pathOfUnit(ctx, s.store, o.UnitID)) {
			continue
		}
		v, err := s.orderView(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	inbound, err := s.store.Broadcast().OrdersReachingUnit(ctx, unit.Path, 500)
	if err != nil {
		return nil, fmt.Errorf("orders issued above unit %q: %w", unit.Name, err)
	}
	if len(inbound) == 0 {
		return out, nil
	}
	visible, err := s.visibleDevices(ctx, a, unit.Path)
	if err != nil {
		return nil, err
	}
	for _, o := range inbound {
		v, err := s.orderView(ctx, o)
		if err != nil {
			return nil, err
		}
		n := countVisible(v.deviceIDs, visible)
		if n == 0 && !s.targetsVisibleUnit(ctx, a, o, unit.Path) {
			continue // plays only on devices the actor may not follow
		}
		v.Inbound, v.Restricted = true, !s.policy.Can(a, authz.BroadcastRead, pathOfUnit(ctx, s.store, o.UnitID))
		if v.Restricted {
			v.Devices = n
		}
		v.IssuerName = unitName(ctx, s.store, o.UnitID)
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(x, y *OrderView) int { return cmp.Compare(y.ID, x.ID) })
	return out, nil
}

// visibleDevices returns the devices (revoked ones included, for past
// plays) of units under path whose broadcasts the actor may follow, with
// their unit.
func (s OrderBook) visibleDevices(ctx context.Context, a model.Actor, path string) (map[int64]int64, error) {
	devs, err := s.store.Devices().ListDevices(ctx, path, true)
	if err != nil {
		return nil, err
	}
	units, err := s.store.Orgs().Subtree(ctx, path)
	if err != nil {
		return nil, err
	}
	readable := map[int64]bool{}
	for _, u := range units {
		readable[u.ID] = s.policy.Can(a, authz.BroadcastRead, u.Path)
	}
	out := map[int64]int64{}
	for _, d := range devs {
		if readable[d.UnitID] {
			out[d.ID] = d.UnitID
		}
	}
	return out, nil
}

func countVisible(ids []int64, visible map[int64]int64) int {
	n := 0
	for _, id := range ids {
		if _, ok := visible[id]; ok {
			n++
		}
	}
	return n
}

// targetsVisibleUnit reports whether the order targets a unit the actor
// may follow, or a subtree holding the unit at path that the actor may
// follow (an order sent to a commune that has no devices yet).
func (s OrderBook) targetsVisibleUnit(ctx context.Context, a model.Actor, o *model.BroadcastOrder, path string) bool {
	for _, t := range o.Targets {
		if t.Kind == model.TargetDevice {
			continue
		}
		tp := pathOfUnit(ctx, s.store, t.ID)
		if tp == "" {
			continue
		}
		if s.policy.Can(a, authz.BroadcastRead, tp) {
			return true
		}
		if t.Kind == model.TargetSubtree && path != "" && strings.HasPrefix(path, tp) && s.policy.Can(a, authz.BroadcastRead, path) {
			return true
		}
	}
	return false
}

func pathOfUnit(ctx context.Context, st *storage.Store, id int64) string {
	u, err := st.Orgs().Unit(ctx, id)
	if err != nil {
		return ""
	}
	return u.Path
}

func unitName(ctx context.Context, st *storage.Store, id int64) string {
	u, err := st.Orgs().Unit(ctx, id)
	if err != nil {
		return fmt.Sprintf("unit %d", id)
	}
	return u.Name
}

// Order returns one order, to those who may follow the broadcasts of its
// issuing unit.
func (s OrderBook) Order(ctx context.Context, a model.Actor, id int64) (*OrderView, error) {
	o, err := s.store.Broadcast().Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, o.UnitID); err != nil {
		return nil, err
	}
	return s.orderView(ctx, o)
}

// orderAccess loads an order for an actor who follows either its issuing
// unit (restricted is false: every device) or some of the devices it plays
// on (restricted: visible holds those devices, with their unit).
func (s OrderBook) orderAccess(ctx context.Context, a model.Actor, id int64) (v *OrderView, restricted bool, visible map[int64]int64, err error) {
	o, err := s.store.Broadcast().Order(ctx, id)
	if err != nil {
		return nil, false, nil, err
	}
	issuer, err := s.store.Orgs().Unit(ctx, o.UnitID)
	if err != nil {
		return nil, false, nil, err
	}
	if v, err = s.orderView(ctx, o); err != nil {
		return nil, false, nil, err
	}
	if s.policy.Can(a, authz.BroadcastRead, issuer.Path) {
		return v, false, nil, nil
	}
	forbidden := i18n.Localise(fmt.Errorf("broadcast order %d of unit %q plays on none of your devices: %w", id, issuer.Name, model.ErrForbidden),
		"bcsvc.order_forbidden", issuer.Name)
	if a.UnitPath == "" || s.policy.ReachOf(a, authz.BroadcastRead) == authz.None {
		return nil, false, nil, forbidden
	}
	if visible, err = s.visibleDevices(ctx, a, a.UnitPath); err != nil {
		return nil, false, nil, err
	}
	n := countVisible(v.deviceIDs, visible)
	if n == 0 && !s.targetsVisibleUnit(ctx, a, o, a.UnitPath) {
		return nil, false, nil, forbidden
	}
	v.Devices, v.Inbound, v.Restricted, v.IssuerName = n, true, true, issuer.Name
	return v, true, visible, nil
}

// CancelOrder stops an order; devices drop its future items. Only the
// issuing unit's broadcasters (and administrators above it) may; a unit
// the order was sent down to gets an error saying who to ask.
func (s OrderBook) CancelOrder(ctx context.Context, a model.Actor, id int64) error {
	o, err := s.store.Broadcast().Order(ctx, id)
	if err != nil {
		return err
	}
	issuer, err := s.store.Orgs().Unit(ctx, o.UnitID)
	if err != nil {
		return err
	}
	if !s.policy.Can(a, authz.BroadcastWrite, issuer.Path) {
		err := fmt.Errorf("broadcast order %d was issued by %q; only that unit may change or cancel it: %w", id, issuer.Name, model.ErrForbidden)
		if _, _, _, aerr := s.orderAccess(ctx, a, id); aerr == nil {
			return i18n.Localise(err, "bcsvc.order_read_only", issuer.Name)
		}
		return i18n.Localise(err, "bcsvc.order_cancel_forbidden", issuer.Name)
	}
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().CancelOrder(ctx, id); err != nil {
			return err
		}
		if devices, err = tx.Broadcast().OrderDeviceIDs(ctx, id); err != nil {
			return err
		}
		if err := tx.Devices().BumpScheduleVersion(ctx, devices); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.order.cancel", "broadcast_order", fmt.Sprint(id), "")
	})
	if err != nil {
		return err
	}
	s.publish(ctx, Notice{Kind: protocol.EventSchedule, OrderID: id, Devices: devices})
	return nil
}

// MaxReportLogs bounds the plays listed in a report (newest first).
const MaxReportLogs = 100

// OrderReport is the evidence of one order: plays per unit, and the
// latest plays. A report opened by a unit the order was sent down to
// (Order.Restricted) holds only that unit's devices.
type OrderReport struct {
	Order *OrderView            `json:"order"`
	Units []model.UnitPlayStats `json:"units"`
	Plays int                   `json:"plays"` // completed plays in all
	Logs  []model.PlayLog       `json:"logs"`  // the latest plays, at most MaxReportLogs
}

// Report aggregates an order's play logs (a directive's tracking shows
// it). The issuing unit (and those above it) sees every device; a unit
// the order plays on sees its own devices only.
func (s OrderBook) Report(ctx context.Context, a model.Actor, orderID int64) (*OrderReport, error) {
	v, restricted, visible, err := s.orderAccess(ctx, a, orderID)
	if err != nil {
		return nil, err
	}
	stats, err := s.store.Broadcast().OrderPlayStats(ctx, orderID)
	if err != nil {
		return nil, err
	}
	limit := MaxReportLogs
	if restricted {
		limit = 100000 // filtered below
	}
	logs, err := s.store.Broadcast().PlayLogs(ctx, model.PlayLogFilter{OrderID: orderID, Limit: limit})
	if err != nil {
		return nil, err
	}
	r := &OrderReport{Order: v, Units: []model.UnitPlayStats{}, Logs: []model.PlayLog{}}
	units := map[int64]bool{}
	for _, u := range visible {
		units[u] = true
	}
	for _, st := range stats {
		if restricted && !units[st.UnitID] {
			continue
		}
		r.Units = append(r.Units, st)
		r.Plays += st.Completed
	}
	for _, l := range logs {
		if _, ok := visible[l.DeviceID]; restricted && !ok {
			continue
		}
		if len(r.Logs) == MaxReportLogs {
			break
		}
		r.Logs = append(r.Logs, l)
	}
	return r, nil
}

// passedWhenMade returns the slots of the day the order was made that were
// already past then, when that day is in the order's period.
func passedWhenMade(o *model.BroadcastOrder, loc *time.Location) []string {
	if o.MadeAt.IsZero() || len(o.Slots) == 0 {
		return nil
	}
	made := o.MadeAt.In(loc)
	day := schedule.DateOf(made)
	if day.Compare(o.StartDate) < 0 || day.Compare(o.EndDate) > 0 {
		return nil
	}
	now := schedule.Clock(made.Sub(day.In(loc)) / time.Second)
	var out []string
	for _, c := range o.Slots.Times() {
		if c < now {
			out = append(out, c.String())
		}
	}
	return out
}

// clipList joins at most n entries, saying how many more there are.
func clipList(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, " ")
	}
	return strings.Join(list[:n], " ") + fmt.Sprintf(" … and %d more", len(list)-n)
}
