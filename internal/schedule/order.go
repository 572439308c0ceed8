package schedule

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits that keep a bad or hostile order from making Build allocate
// unbounded memory or time.
const (
	// MaxContentDuration is the longest content an order may play.
	MaxContentDuration = 4 * time.Hour
	// MaxOccurrencesPerDay bounds the occurrences one order may have on one day.
	MaxOccurrencesPerDay = 1000
	// MaxWindow is the longest window Build accepts.
	MaxWindow = 31 * 24 * time.Hour
	// MaxTargets bounds the target devices of one order.
	MaxTargets = 100_000
	// MaxOrders bounds the orders of one Build call.
	MaxOrders = 200_000
	// MaxDevices bounds the devices of one Build call.
	MaxDevices = 200_000
	// MaxIDLength bounds order, content, unit and device identifiers (bytes).
	MaxIDLength = 256
	// MaxNoteLength bounds a playlist entry's note passed to Emergency (bytes).
	MaxNoteLength = 4096
	// DefaultTolerance is used when Options.Tolerance is zero.
	DefaultTolerance = 30 * time.Minute
	// MaxTolerance is the largest Options.Tolerance accepted.
	MaxTolerance = 24 * time.Hour
	// DefaultMaxOccurrences is used when Options.MaxOccurrences is zero: the
	// most device occurrences (occurrences × target devices) one Build call
	// may expand.
	DefaultMaxOccurrences = 2_000_000
	// maxProblems caps how many problems one validation error lists.
	maxProblems = 20
)

var (
	// ErrInvalidOrder is matched (errors.Is) by every order validation error.
	ErrInvalidOrder = errors.New("invalid broadcast order")
	// ErrInvalidInput is matched by errors about Build, Emergency or Day
	// arguments other than orders (window, devices, options, playlists).
	ErrInvalidInput = errors.New("invalid schedule input")
	// ErrLimit is matched by errors about a size limit being exceeded.
	ErrLimit = errors.New("schedule size limit exceeded")
)

// OrderError describes one problem with one field of an order.
type OrderError struct {
	OrderID string // may be empty when the id itself is missing
	Field   string // e.g. "slots[1].spread.count"
	Problem string // what is wrong and how to fix it
	Limit   bool   // the problem is a size limit (also matches ErrLimit)
	// Code is a stable name of the problem (e.g. "end_before_start") and
	// Args the values in Problem, in order, so that callers can say the
	// same in the user's language.
	Code string
	Args []any
}

func (e *OrderError) Error() string {
	if e.OrderID == "" { // a Plan, checked before the order exists
		return fmt.Sprintf("broadcast order: %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("broadcast order %q: %s: %s", e.OrderID, e.Field, e.Problem)
}

// Is makes errors.Is(err, ErrInvalidOrder) true, and errors.Is(err, ErrLimit)
// true for limit problems.
func (e *OrderError) Is(target error) bool {
	return target == ErrInvalidOrder || (e.Limit && target == ErrLimit)
}

// Order is one broadcast order: a content item played on target devices at
// time slots during a period.
type Order struct {
	ID        string        `json:"id"`
	ContentID string        `json:"content_id"`
	Duration  time.Duration `json:"duration"`
	// Devices are the target device ids, already resolved by the caller.
	// Duplicates are ignored.
	Devices []string `json:"devices"`
	// StartDate and EndDate bound the period, both days included, in the
	// location passed to Build.
	StartDate Date `json:"start_date"`
	EndDate   Date `json:"end_date"`
	// Expires, when not zero, is an instant at or after which the order
	// never starts (or resumes) an occurrence.
	Expires time.Time `json:"expires,omitzero"`
	Slots   []Slot    `json:"slots"`
	// Weekdays restricts the days the order plays on; empty means every day.
	Weekdays   []time.Weekday `json:"weekdays,omitempty"`
	Level      Level          `json:"level"`
	Interrupts bool           `json:"interrupts"`
	// Unit is the originating unit (agency or commune station).
	Unit string `json:"unit,omitempty"`
	// UnitOrder is the unit's ordering key among items of equal level that
	// want the same start: lower plays first.
	UnitOrder int `json:"unit_order"`
}

// Slot is either a fixed time of day (At) or, when Spread is set, Count
// occurrences spread evenly over a part of the day.
type Slot struct {
	At     Clock   `json:"at,omitzero"`
	Spread *Spread `json:"spread,omitempty"`
}

// Spread places Count occurrences at From + i·(To−From)/Count for
// i = 0..Count−1 (rounded down to the second): 3 times between 06:00 and
// 18:00 plays at 06:00, 10:00 and 14:00.
type Spread struct {
	Count int   `json:"count"`
	From  Clock `json:"from"`
	To    Clock `json:"to"`
}

// FixedSlot returns a slot at the clock time c every day.
func FixedSlot(c Clock) Slot { return Slot{At: c} }

// SpreadSlot returns a slot of count occurrences spread over [from, to).
func SpreadSlot(count int, from, to Clock) Slot {
	return Slot{Spread: &Spread{Count: count, From: from, To: to}}
}

// times returns the slot's clock times (the slot must be valid).
func (s Slot) times(dst []Clock) []Clock {
	if s.Spread == nil {
		return append(dst, s.At)
	}
	span := int64(s.Spread.To - s.Spread.From)
	for i := range int64(s.Spread.Count) {
		dst = append(dst, s.Spread.From+Clock(i*span/int64(s.Spread.Count)))
	}
	return dst
}

// Times returns the sorted, de-duplicated times of day of valid slots.
func (ss Slots) Times() []Clock {
	o := Order{Slots: ss}
	return o.clocks()
}

// clocks returns the sorted, de-duplicated times of day of a valid order.
func (o *Order) clocks() []Clock {
	n := 0
	for _, s := range o.Slots {
		if s.Spread != nil {
			n += s.Spread.Count
		} else {
			n++
		}
	}
	cs := make([]Clock, 0, n)
	for _, s := range o.Slots {
		cs = s.times(cs)
	}
	slices.Sort(cs)
	return slices.Compact(cs)
}

// weekdayMask returns a bit set of allowed weekdays (all when none given).
func (o *Order) weekdayMask() uint8 {
	if len(o.Weekdays) == 0 {
		return 0x7f
	}
	var m uint8
	for _, w := range o.Weekdays {
		m |= 1 << uint(w)
	}
	return m
}

type problems struct {
	id   string
	errs []error
}

func (p *problems) add(field string, limit bool, code, format string, args ...any) {
	if len(p.errs) < maxProblems {
		p.errs = append(p.errs, &OrderError{OrderID: p.id, Field: field, Problem: fmt.Sprintf(format, args...), Limit: limit, Code: code, Args: args})
	}
}

func (p *problems) err() error { return errors.Join(p.errs...) }

func (p *problems) ident(field, value, what string) {
	switch {
	case strings.TrimSpace(value) == "":
		p.add(field, false, "empty", "is empty; give the %s", what)
	case len(value) > MaxIDLength:
		p.add(field, true, "too_long", "is %d bytes long, more than the %d-byte limit; use a shorter %s", len(value), MaxIDLength, what)
	}
}

// Validate checks the order and reports every problem found (up to 20) as
// *OrderError values joined with errors.Join. The errors match
// ErrInvalidOrder, and limit problems also match ErrLimit.
func (o Order) Validate() error {
	p := problems{id: o.ID}
	o.validateContent(&p)
	o.validateSchedule(&p)
	return p.err()
}

func (o *Order) validateContent(p *problems) {
	p.ident("id", o.ID, "order its identifier")
	p.ident("content_id", o.ContentID, "identifier of the content to play")
	if len(o.Unit) > MaxIDLength {
		p.add("unit", true, "too_long", "is %d bytes long, more than the %d-byte limit", len(o.Unit), MaxIDLength)
	}
	validateLength(p, o.Duration, o.Level)
}

func validateLength(p *problems, d time.Duration, level Level) {
	switch {
	case d <= 0:
		p.add("duration", false, "duration_missing", "is %s; set the positive length of the content", d)
	case d > MaxContentDuration:
		p.add("duration", true, "duration_too_long", "is %s, longer than the %s limit; split the content into parts of at most %s", d, MaxContentDuration, MaxContentDuration)
	}
	if !level.Valid() {
		p.add("level", false, "level_unknown", "unknown level %d; use filler, normal, priority, live or emergency", int(level))
	}
}

// Plan is when and how an order plays, as a broadcaster gives it before
// the order has an identifier or resolved devices: what the broadcast
// service checks when it creates an order.
type Plan struct {
	Duration  time.Duration // length of the content
	StartDate Date
	EndDate   Date
	Slots     []Slot
	Weekdays  []time.Weekday
	Level     Level
}

// Validate checks the plan as Order.Validate checks an order's content
// length, level, period, weekdays and slots, with the same errors.
func (pl Plan) Validate() error {
	p := problems{}
	validateLength(&p, pl.Duration, pl.Level)
	validatePeriod(&p, pl.StartDate, pl.EndDate, pl.Weekdays, pl.Slots)
	return p.err()
}

func (o *Order) validateSchedule(p *problems) {
	switch {
	case len(o.Devices) == 0:
		p.add("devices", false, "no_device", "no target device; resolve the order's targets to at least one device id")
	case len(o.Devices) > MaxTargets:
		p.add("devices", true, "too_many_devices", "%d target devices, more than the %d limit; split the order", len(o.Devices), MaxTargets)
	default:
		for i, d := range o.Devices {
			if strings.TrimSpace(d) == "" || len(d) > MaxIDLength {
				p.add(fmt.Sprintf("devices[%d]", i), len(d) > MaxIDLength, "device_id", "device id %q is empty or longer than %d bytes", truncate(d, 40), MaxIDLength)
			}
		}
	}
	validatePeriod(p, o.StartDate, o.EndDate, o.Weekdays, o.Slots)
}

func validatePeriod(p *problems, start, end Date, weekdays []time.Weekday, slots []Slot) {
	startOK := validDate(p, "start_date", start)
	endOK := validDate(p, "end_date", end)
	if startOK && endOK && end.Compare(start) < 0 {
		p.add("end_date", false, "end_before_start", "end date %s is before start date %s; set the end date on or after the start date", end, start)
	}
	for i, w := range weekdays {
		if w < time.Sunday || w > time.Saturday {
			p.add(fmt.Sprintf("weekdays[%d]", i), false, "weekday", "%d is not a day of the week; use 0 (Sunday) to 6 (Saturday)", int(w))
		}
	}
	validateSlots(p, slots)
}

func validDate(p *problems, field string, d Date) bool {
	switch {
	case d.IsZero():
		p.add(field, false, "date_missing", "is missing; set the date (YYYY-MM-DD)")
		return false
	case !d.Valid():
		p.add(field, false, "date_invalid", "%s is not a calendar date", d)
		return false
	}
	return true
}

func validateSlots(p *problems, slots []Slot) {
	if len(slots) == 0 {
		p.add("slots", false, "no_slot", "no time slot; add at least one time of day (e.g. 06:00) or a spread (e.g. 3 times between 06:00 and 18:00)")
		return
	}
	if len(slots) > MaxOccurrencesPerDay {
		p.add("slots", true, "too_many_slots", "%d slots, more than the %d occurrences a day allowed per order", len(slots), MaxOccurrencesPerDay)
		return
	}
	var perDay int64
	for i, s := range slots {
		field := fmt.Sprintf("slots[%d]", i)
		if s.Spread == nil {
			if s.At < 0 || s.At >= EndOfDay {
				p.add(field+".at", false, "time_outside", "time %s is outside 00:00–24:00 (24:00 excluded); use a time of day such as 06:00", s.At)
			}
			perDay++
			continue
		}
		sp := s.Spread
		ok := true
		if s.At != 0 {
			p.add(field, false, "slot_both", "has both a fixed time (%s) and a spread; set only one of them", s.At)
		}
		if sp.Count < 1 {
			p.add(field+".spread.count", false, "spread_count", "count %d must be at least 1", sp.Count)
			ok = false
		}
		if sp.From < 0 || sp.From >= EndOfDay {
			p.add(field+".spread.from", false, "spread_from", "time %s is outside 00:00–24:00 (24:00 excluded)", sp.From)
			ok = false
		}
		if sp.To <= 0 || sp.To > EndOfDay {
			p.add(field+".spread.to", false, "spread_to", "time %s is outside 00:00–24:00", sp.To)
			ok = false
		}
		if ok && sp.From >= sp.To {
			p.add(field+".spread", false, "spread_order", "from %s is not before to %s; the spread must lie within one day with from before to", sp.From, sp.To)
			ok = false
		}
		if ok && sp.Count > int(sp.To-sp.From) {
			p.add(field+".spread.count", false, "spread_dense", "count %d is more than one a second between %s and %s; lower the count or widen the spread", sp.Count, sp.From, sp.To)
		}
		if sp.Count > 0 {
			perDay += int64(min(sp.Count, MaxOccurrencesPerDay+1)) // no overflow
		}
	}
	if perDay > MaxOccurrencesPerDay {
		p.add("slots", true, "too_many_occurrences", "more than %d occurrences a day, the limit per order; use fewer slots or lower the spread counts", MaxOccurrencesPerDay)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// SlotClocks returns the sorted, de-duplicated times of day of valid
// slots (a spread gives each of its occurrences).
func SlotClocks(slots []Slot) []Clock {
	o := Order{Slots: slots}
	return o.clocks()
}
