package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/i18n"
)

// Every order problem has a code that the catalog says in Vietnamese and
// English ("sched.<code>"), with its arguments.
func TestOrderProblemsHaveMessages(t *testing.T) {
	c := i18n.Messages()
	orders := []Order{
		{},
		{ID: "1", ContentID: "c", Duration: time.Hour, Devices: []string{""}, StartDate: Date{2021, 6, 9}, EndDate: Date{2021, 6, 7},
			Weekdays: []time.Weekday{9}, Level: Level(99), Slots: []Slot{{At: -1}, {At: 5, Spread: &Spread{Count: 0, From: -1, To: 0}},
				{Spread: &Spread{Count: 1, From: 7200, To: 3600}}, {Spread: &Spread{Count: 100, From: 0, To: 10}}}},
	}
	seen := map[string]bool{}
	for _, o := range orders {
		err := o.Validate()
		if err == nil {
			t.Fatal("no problem found")
		}
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var oe *OrderError
			if !errors.As(e, &oe) || oe.Code == "" {
				t.Fatalf("problem without a code: %v", e)
			}
			seen[oe.Code] = true
			for _, lang := range []string{i18n.VI, i18n.EN} {
				key := "sched." + oe.Code
				if got, ok := c.Message(lang, &i18n.Error{Key: key, Args: oe.Args, Err: oe}); !ok || containsBadVerb(got) {
					t.Errorf("%s [%s]: %q (known: %v)", key, lang, got, ok)
				}
			}
		}
	}
	if len(seen) < 12 {
		t.Fatalf("only %d problem codes exercised: %v", len(seen), seen)
	}
}

func containsBadVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '!' {
			return true
		}
	}
	return false
}
