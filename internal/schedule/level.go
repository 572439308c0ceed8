package schedule

import (
	"fmt"
	"strings"
)

// Level is the broadcast level of an order. Higher levels play first.
// The zero value is not a valid level, so an order whose level was never set
// fails validation.
type Level int8

// Broadcast levels, lowest first.
const (
	// LevelFiller is the commune's own background material; it only plays in gaps.
	LevelFiller Level = iota + 1
	// LevelNormal bulletins are fitted into the commune's schedule.
	LevelNormal
	// LevelPriority bulletins play before the commune's own items.
	LevelPriority
	// LevelLive covers relays of higher-level programmes and "play now" requests.
	LevelLive
	// LevelEmergency bulletins (disaster, fire, epidemic) play at once.
	LevelEmergency
)

var levelNames = [...]string{
	LevelFiller:    "filler",
	LevelNormal:    "normal",
	LevelPriority:  "priority",
	LevelLive:      "live",
	LevelEmergency: "emergency",
}

// Valid reports whether l is one of the defined levels.
func (l Level) Valid() bool { return l >= LevelFiller && l <= LevelEmergency }

// String returns the lower-case name of the level ("normal", "emergency", …),
// or "level(N)" for an undefined value.
func (l Level) String() string {
	if l.Valid() {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel parses a level name: "filler", "normal", "priority", "live"
// (alias "immediate") or "emergency", ignoring case and surrounding space.
func ParseLevel(s string) (Level, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "immediate" {
		return LevelLive, nil
	}
	for l := LevelFiller; l <= LevelEmergency; l++ {
		if levelNames[l] == name {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown broadcast level %q: use filler, normal, priority, live or emergency", s)
}

// MarshalText encodes the level by name.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("marshal broadcast level: %s is not a defined level", l)
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText decodes a level name (see ParseLevel).
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
