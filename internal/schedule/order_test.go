package schedule

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func validOrder(t testing.TB) Order {
	return Order{
		ID: "570-1", ContentID: "5k-vaccine.mp3", Duration: 3 * time.Minute, Devices: []string{"d1"},
		StartDate: mustDate(t, "2021-06-05"), EndDate: mustDate(t, "2021-06-20"),
		Slots: []Slot{FixedSlot(ClockOf(6, 0, 0))}, Level: LevelPriority,
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Order)
		field  string // "" means valid
		limit  bool
		msg    string
	}{
		{"valid", func(*Order) {}, "", false, ""},
		{"valid spread and weekdays", func(o *Order) {
			o.Slots = []Slot{SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(18, 0, 0))}
			o.Weekdays = []time.Weekday{time.Monday, time.Saturday}
		}, "", false, ""},
		{"one-day period", func(o *Order) { o.EndDate = o.StartDate }, "", false, ""},
		{"missing id", func(o *Order) { o.ID = " " }, "id", false, "is empty"},
		{"missing content", func(o *Order) { o.ContentID = "" }, "content_id", false, "is empty"},
		{"id too long", func(o *Order) { o.ID = strings.Repeat("x", MaxIDLength+1) }, "id", true, "257 bytes"},
		{"zero duration", func(o *Order) { o.Duration = 0 }, "duration", false, "positive length"},
		{"negative duration", func(o *Order) { o.Duration = -time.Second }, "duration", false, "is -1s"},
		{"content longer than 4h", func(o *Order) { o.Duration = 4*time.Hour + time.Second }, "duration", true, "longer than the 4h0m0s limit"},
		{"content of exactly 4h", func(o *Order) { o.Duration = 4 * time.Hour }, "", false, ""},
		{"unknown level", func(o *Order) { o.Level = 0 }, "level", false, "unknown level 0"},
		{"level above emergency", func(o *Order) { o.Level = LevelEmergency + 1 }, "level", false, "unknown level 6"},
		{"no devices", func(o *Order) { o.Devices = nil }, "devices", false, "no target device"},
		{"empty device id", func(o *Order) { o.Devices = []string{"d1", ""} }, "devices[1]", false, "empty"},
		{"too many devices", func(o *Order) { o.Devices = make([]string, MaxTargets+1) }, "devices", true, "100001 target devices"},
		{"missing start date", func(o *Order) { o.StartDate = Date{} }, "start_date", false, "is missing"},
		{"impossible end date", func(o *Order) { o.EndDate = NewDate(2021, 2, 30) }, "end_date", false, "2021-02-30 is not a calendar date"},
		{"end before start", func(o *Order) { o.EndDate = mustDate(t, "2021-06-04") }, "end_date", false, "end date 2021-06-04 is before start date 2021-06-05"},
		{"no slots", func(o *Order) { o.Slots = nil }, "slots", false, "no time slot"},
		{"slot at 24:00", func(o *Order) { o.Slots = []Slot{FixedSlot(EndOfDay)} }, "slots[0].at", false, "outside 00:00–24:00"},
		{"negative slot", func(o *Order) { o.Slots = append(o.Slots, FixedSlot(-1)) }, "slots[1].at", false, "outside"},
		{"slot at 23:59:59", func(o *Order) { o.Slots = []Slot{FixedSlot(EndOfDay - 1)} }, "", false, ""},
		{"spread count 0", func(o *Order) { o.Slots = []Slot{SpreadSlot(0, ClockOf(6, 0, 0), ClockOf(7, 0, 0))} }, "slots[0].spread.count", false, "at least 1"},
		{"spread from = to", func(o *Order) { o.Slots = []Slot{SpreadSlot(2, ClockOf(6, 0, 0), ClockOf(6, 0, 0))} }, "slots[0].spread", false, "from 06:00 is not before to 06:00"},
		{"spread from > to", func(o *Order) { o.Slots = []Slot{SpreadSlot(2, ClockOf(18, 0, 0), ClockOf(6, 0, 0))} }, "slots[0].spread", false, "not before"},
		{"spread to after 24:00", func(o *Order) { o.Slots = []Slot{SpreadSlot(2, ClockOf(18, 0, 0), EndOfDay+1)} }, "slots[0].spread.to", false, "outside"},
		{"spread with a fixed time too", func(o *Order) {
			o.Slots = []Slot{{At: ClockOf(5, 0, 0), Spread: &Spread{Count: 1, From: 0, To: 60}}}
		}, "slots[0]", false, "set only one"},
		{"spread denser than a second", func(o *Order) { o.Slots = []Slot{SpreadSlot(11, ClockOf(6, 0, 0), ClockOf(6, 0, 10))} }, "slots[0].spread.count", false, "more than one a second"},
		{"1,000 a day", func(o *Order) { o.Slots = []Slot{SpreadSlot(999, 0, EndOfDay), FixedSlot(1)} }, "", false, ""},
		{"1,001 a day", func(o *Order) { o.Slots = []Slot{SpreadSlot(1000, 0, EndOfDay), FixedSlot(1)} }, "slots", true, "more than 1000 occurrences a day"},
		{"huge spread count", func(o *Order) { o.Slots = []Slot{SpreadSlot(1<<40, 0, EndOfDay)} }, "slots[0].spread.count", true, "more than 1000 occurrences a day"},
		{"too many slots", func(o *Order) { o.Slots = make([]Slot, MaxOccurrencesPerDay+1) }, "slots", true, "1001 slots"},
		{"bad weekday", func(o *Order) { o.Weekdays = []time.Weekday{7} }, "weekdays[0]", false, "not a day of the week"},
		{"unit too long", func(o *Order) { o.Unit = strings.Repeat("u", 300) }, "unit", true, "300 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := validOrder(t)
			tc.change(&o)
			err := o.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidOrder) {
				t.Fatalf("error %v does not match ErrInvalidOrder", err)
			}
			if errors.Is(err, ErrLimit) != tc.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !tc.limit, tc.limit)
			}
			var oe *OrderError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *OrderError", err)
			}
			if oe.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", oe.Field, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	o := Order{Duration: -1, Slots: make([]Slot, 40)}
	for i := range o.Slots {
		o.Slots[i].At = -1
	}
	err := o.Validate()
	var n int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		if _, ok := e.(*OrderError); !ok {
			t.Fatalf("unexpected error type %T", e)
		}
		n++
	}
	if n != maxProblems {
		t.Errorf("%d problems reported, want the cap %d", n, maxProblems)
	}
	for _, want := range []string{"id: is empty", "content_id: is empty", "duration: is -1ns", "level: unknown level 0", "devices: no target device", "start_date: is missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Level
	}{
		{"filler", LevelFiller}, {"normal", LevelNormal}, {" Priority ", LevelPriority},
		{"LIVE", LevelLive}, {"immediate", LevelLive}, {"emergency", LevelEmergency},
	} {
		got, err := ParseLevel(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if tc.in == tc.want.String() && got.String() != tc.in {
			t.Errorf("String() = %q", got.String())
		}
	}
	for _, bad := range []string{"", "urgent", "khẩn cấp", "0"} {
		if _, err := ParseLevel(bad); err == nil || !strings.Contains(err.Error(), "use filler, normal, priority, live or emergency") {
			t.Errorf("ParseLevel(%q) error %v", bad, err)
		}
	}
	if !(LevelFiller < LevelNormal && LevelNormal < LevelPriority && LevelPriority < LevelLive && LevelLive < LevelEmergency) {
		t.Error("levels are not ordered filler < normal < priority < live < emergency")
	}
	if s := Level(9).String(); s != "level(9)" {
		t.Errorf("Level(9).String() = %q", s)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	o := validOrder(t)
	o.Slots = append(o.Slots, SpreadSlot(3, ClockOf(6, 0, 0), ClockOf(18, 0, 0)))
	o.Weekdays = []time.Weekday{time.Monday}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"level":"priority"`, `"start_date":"2021-06-05"`, `"at":"06:00"`, `"spread":{"count":3,"from":"06:00","to":"18:00"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Order
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Level != o.Level || back.StartDate != o.StartDate || back.Slots[1].Spread.To != ClockOf(18, 0, 0) || back.Slots[0].At != ClockOf(6, 0, 0) {
		t.Errorf("round trip: %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"level":"urgent"}`), &back); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestParseClockAndDate(t *testing.T) {
	clocks := map[string]Clock{"06:00": ClockOf(6, 0, 0), "6:05": ClockOf(6, 5, 0), "17:30:15": ClockOf(17, 30, 15), "24:00": EndOfDay, "00:00": 0}
	for in, want := range clocks {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "6", "06:60", "25:00", "24:00:01", "06:0", "ab:cd", "06:00:00:00", "-1:00"} {
		if _, err := ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	if s := ClockOf(6, 0, 0).String() + " " + ClockOf(17, 2, 3).String(); s != "06:00 17:02:03" {
		t.Errorf("Clock.String: %s", s)
	}
	dates := map[string]Date{"2021-06-05": NewDate(2021, 6, 5), "05/6/2021": NewDate(2021, 6, 5), "20/06/2021": NewDate(2021, 6, 20), "29/2/2024": NewDate(2024, 2, 29)}
	for in, want := range dates {
		if got, err := ParseDate(in); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2021-6", "29/2/2021", "2021-13-01", "05.06.2021", "21-06-05", "x/y/z"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	d := NewDate(2021, 6, 30)
	if d.AddDays(1) != NewDate(2021, 7, 1) || d.AddDays(-30) != NewDate(2021, 5, 31) || d.Weekday() != time.Wednesday {
		t.Error("date arithmetic")
	}
	if d.Compare(NewDate(2021, 7, 1)) != -1 || d.Compare(d) != 0 || NewDate(2022, 1, 1).Compare(d) != 1 {
		t.Error("Date.Compare")
	}
	if dateFromDays(d.days()) != d {
		t.Error("days round trip")
	}
}
