package model

import "time"

// AuditFilter selects audit entries.
type AuditFilter struct {
	UnderPath string // only entries whose actor unit lies under this path
	Action    string // exact action, optional
	Username  string // exact username, optional
	Since     *time.Time
	Until     *time.Time
	BeforeID  int64 // keyset pagination: entries with id < BeforeID
	Limit     int
}
