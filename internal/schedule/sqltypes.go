package schedule

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Storage and JSON encodings of the schedule's value types: a Date is
// stored as its ISO text (YYYY-MM-DD, empty when unset) and slots as the
// JSON array of their objects, so stores decode them once, on scan.

// Value stores d as YYYY-MM-DD ("" for the zero date).
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return "", nil
	}
	return d.String(), nil
}

// Scan reads a date stored as text ("" or NULL is the zero date) or, for
// drivers that return dates as time values, as a time.Time.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case []byte:
		return d.scanText(string(v))
	case string:
		return d.scanText(v)
	}
	return fmt.Errorf("scan date: unsupported %T", src)
}

func (d *Date) scanText(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*d = v
	return nil
}

// Today returns the calendar date of now in loc (Loa's calendar is
// Asia/Ho_Chi_Minh, i18n.Zone()).
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }

// Slots is an order's list of slots, as stored (a JSON array).
type Slots []Slot

// Value stores the slots as a JSON array ("[]" when there are none).
func (s Slots) Value() (driver.Value, error) {
	if s == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]Slot(s))
	if err != nil {
		return nil, fmt.Errorf("encode slots: %w", err)
	}
	return string(b), nil
}

// Scan reads slots stored as a JSON array ("" or NULL is none).
func (s *Slots) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*s = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("scan slots: unsupported %T", src)
	}
	if len(b) == 0 {
		*s = nil
		return nil
	}
	var out []Slot
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("scan slots: %w", err)
	}
	*s = out
	return nil
}

// slotJSON is the JSON form of a slot: a fixed slot always carries "at"
// (00:00 included), a spread slot carries "spread" only.
type slotJSON struct {
	At     *Clock  `json:"at,omitempty"`
	Spread *Spread `json:"spread,omitempty"`
}

// MarshalJSON encodes a fixed slot as {"at":"HH:MM"}, midnight included,
// and a spread slot as {"spread":{…}}.
func (s Slot) MarshalJSON() ([]byte, error) {
	j := slotJSON{Spread: s.Spread}
	if s.Spread == nil || s.At != 0 {
		at := s.At
		j.At = &at
	}
	return json.Marshal(j)
}
