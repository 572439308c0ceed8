package schedule

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestDateScanValue: a date stores as YYYY-MM-DD and scans back from text,
// bytes, a time value or NULL; the zero date stores as "".
func TestDateScanValue(t *testing.T) {
	d := NewDate(2021, time.June, 5)
	v, err := d.Value()
	if err != nil || v != "2021-06-05" {
		t.Fatalf("value %v, %v", v, err)
	}
	for _, src := range []any{"2021-06-05", []byte("2021-06-05"), "05/6/2021", time.Date(2021, 6, 5, 0, 0, 0, 0, time.UTC)} {
		var got Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("scan %#v: %v, %v", src, got, err)
		}
	}
	var z Date
	if v, _ := z.Value(); v != "" {
		t.Errorf("zero date stored as %q", v)
	}
	for _, src := range []any{nil, ""} {
		got := d
		if err := got.Scan(src); err != nil || !got.IsZero() {
			t.Errorf("scan %#v: %v, %v", src, got, err)
		}
	}
	if err := z.Scan("2021-02-30"); err == nil {
		t.Error("scanned a date the calendar lacks")
	}
	if err := z.Scan(42); err == nil {
		t.Error("scanned a number as a date")
	}
	if b, _ := json.Marshal(d); string(b) != `"2021-06-05"` {
		t.Errorf("JSON %s", b)
	}
	if got := Today(time.Date(2021, 6, 4, 18, 0, 0, 0, time.UTC), time.FixedZone("ICT", 7*3600)); got != d {
		t.Errorf("today in Hanoi at 18:00 UTC on 4 June: %v", got)
	}
}

// TestSlotsScanValue: slots store as a JSON array and scan back equal.
func TestSlotsScanValue(t *testing.T) {
	in := Slots{FixedSlot(0), FixedSlot(ClockOf(17, 30, 0)), SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(18, 0, 0))}
	v, err := in.Value()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []any{v, []byte(v.(string))} {
		var got Slots
		if err := got.Scan(src); err != nil || !reflect.DeepEqual(got, in) {
			t.Errorf("scan %#v: %+v, %v", src, got, err)
		}
	}
	if v, _ := Slots(nil).Value(); v != "[]" {
		t.Errorf("no slots stored as %v", v)
	}
	var got Slots
	if err := got.Scan("{"); err == nil {
		t.Error("scanned broken JSON")
	}
}

// TestSlotAtMidnightJSON: a fixed slot at 00:00 keeps its "at" in JSON
// (it used to be dropped as a zero value, leaving {}), a spread slot has
// none, and both decode back.
func TestSlotAtMidnightJSON(t *testing.T) {
	slots := []Slot{FixedSlot(0), FixedSlot(ClockOf(6, 0, 0)), SpreadSlot(2, 0, EndOfDay)}
	b, err := json.Marshal(slots)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"at":"00:00"},{"at":"06:00"},{"spread":{"count":2,"from":"00:00","to":"24:00"}}]`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var back []Slot
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, slots) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
}

// TestPlanValidate: a plan is checked like an order, without one.
func TestPlanValidate(t *testing.T) {
	d := NewDate(2021, time.June, 5)
	ok := Plan{Duration: time.Minute, StartDate: d, EndDate: d, Slots: []Slot{FixedSlot(0)}, Level: LevelNormal}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.EndDate, bad.Slots = d.AddDays(-1), nil
	err := bad.Validate()
	var oe *OrderError
	if !errors.As(err, &oe) || oe.Field != "end_date" {
		t.Fatalf("bad plan: %v", err)
	}
	if got := err.Error(); got != "broadcast order: end_date: end date 2021-06-04 is before start date 2021-06-05; set the end date on or after the start date\nbroadcast order: slots: no time slot; add at least one time of day (e.g. 06:00) or a spread (e.g. 3 times between 06:00 and 18:00)" {
		t.Errorf("message %q", got)
	}
}
