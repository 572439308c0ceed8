package model

import "time"

// ThrottleCounter is the sign-in failure counter of one bucket (an
// account at a client address, or a client address).
type ThrottleCounter struct {
	Failures     int
	Seq          int64 // changes on every update (compare-and-swap)
	LastFailure  time.Time
	BlockedUntil time.Time
}
