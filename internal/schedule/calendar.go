package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a time of day in whole seconds after local midnight:
// 0 is 00:00 and 86400 (EndOfDay) is 24:00.
type Clock int32

// EndOfDay is 24:00, valid only as the end of a Spread.
const EndOfDay Clock = 24 * 60 * 60

// ClockOf returns the clock time hour:min:sec. It does not check ranges;
// Order.Validate does.
func ClockOf(hour, min, sec int) Clock {
	return Clock(hour*3600 + min*60 + sec)
}

// ParseClock parses "HH:MM" or "HH:MM:SS" (one-digit hours allowed, "24:00"
// allowed for the end of a spread).
func ParseClock(s string) (Clock, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, fmt.Errorf("time of day %q: want HH:MM or HH:MM:SS, e.g. 06:00 or 17:30:00", s)
	}
	limits := [3]int{24, 59, 59}
	var v [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || (i > 0 && len(p) != 2) {
			return 0, fmt.Errorf("time of day %q: want HH:MM or HH:MM:SS, e.g. 06:00 or 17:30:00", s)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > limits[i] {
			return 0, fmt.Errorf("time of day %q: field %q is not a number between 0 and %d", s, p, limits[i])
		}
		v[i] = n
	}
	c := ClockOf(v[0], v[1], v[2])
	if c > EndOfDay {
		return 0, fmt.Errorf("time of day %q is after 24:00", s)
	}
	return c, nil
}

// String formats the clock as HH:MM, or HH:MM:SS when seconds are not zero.
func (c Clock) String() string {
	if c < 0 {
		return fmt.Sprintf("-%s", (-c).String())
	}
	h, m, s := int(c)/3600, int(c)/60%60, int(c)%60
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// MarshalText encodes the clock as HH:MM[:SS].
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes HH:MM[:SS].
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Date is a civil (calendar) date without a time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d as given (see Valid).
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO date "2006-01-02" or the Vietnamese form
// "02/01/2006" (day first; one-digit day and month allowed: "5/6/2021").
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	var y, m, d string
	switch {
	case strings.Count(s, "-") == 2:
		p := strings.Split(s, "-")
		y, m, d = p[0], p[1], p[2]
	case strings.Count(s, "/") == 2:
		p := strings.Split(s, "/")
		d, m, y = p[0], p[1], p[2]
	default:
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD or DD/MM/YYYY, e.g. 2021-06-05 or 05/6/2021", s)
	}
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	di, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || len(y) != 4 || len(m) > 2 || len(d) > 2 {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD or DD/MM/YYYY, e.g. 2021-06-05 or 05/6/2021", s)
	}
	dt := Date{yi, time.Month(mi), di}
	if !dt.Valid() {
		return Date{}, fmt.Errorf("date %q does not exist in the calendar", s)
	}
	return dt, nil
}

// IsZero reports whether d is the zero Date (unset).
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar date in years 1..9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)) == d
}

// days returns the number of days since 1970-01-01 (proleptic Gregorian).
func (d Date) days() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func dateFromDays(n int64) Date { return DateOf(time.Unix(n*86400, 0).UTC()) }

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	default:
		return sign(d.Day - e.Day)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
}

// In returns local midnight of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText encodes d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes YYYY-MM-DD or DD/MM/YYYY.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
