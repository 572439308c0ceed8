// Package model holds the domain types shared by storage, services and the
// web layer, and the error kinds they use to talk to each other. It imports
// nothing from the project.
package model

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Services wrap them; the web layer maps them to HTTP codes.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrThrottled    = errors.New("too many attempts")
	// ErrOverloaded: the server is too busy to answer now (every database
	// connection stayed in use while the request waited for one); the
	// client should retry after a few seconds (HTTP 503 + Retry-After).
	ErrOverloaded = errors.New("server busy")
)

// BusyError is ErrOverloaded with the service's estimate of when to come
// back (the time its queue needs to drain): the web layer answers 503
// with a Retry-After around Wait.
type BusyError struct {
	Wait time.Duration
	Err  error // what was busy, wrapping ErrOverloaded
}

func (e *BusyError) Error() string { return e.Err.Error() }

// Unwrap makes a BusyError an ErrOverloaded.
func (e *BusyError) Unwrap() error { return e.Err }

// ValidationError names the input that is wrong, where, and how to fix it.
type ValidationError struct {
	Line  int    // 1-based line of an imported file, 0 when not applicable
	Field string // the field (JSON name or CSV column)
	Msg   string // what is wrong and how to fix it
}

func (e *ValidationError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, field %q: %s", e.Line, e.Field, e.Msg)
	}
	if e.Field != "" {
		return fmt.Sprintf("field %q: %s", e.Field, e.Msg)
	}
	return e.Msg
}

// Invalid builds a ValidationError for a field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Role is a user's function in Loa. A user may hold several.
type Role string

// The roles of Loa. Permissions are scoped to the user's unit and, where the
// role allows it, its subtree (see package authz).
const (
	RoleAdmin       Role = "admin"
	RoleClerk       Role = "clerk"
	RoleDrafter     Role = "drafter"
	RoleApprover    Role = "approver"
	RoleReceiver    Role = "receiver"
	RoleBroadcaster Role = "broadcaster"
	RoleViewer      Role = "viewer"
)

// AllRoles lists every role in display order.
var AllRoles = []Role{RoleAdmin, RoleClerk, RoleDrafter, RoleApprover, RoleReceiver, RoleBroadcaster, RoleViewer}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Invalid("roles", "unknown role %q; use one of admin, clerk, drafter, approver, receiver, broadcaster, viewer", s)
}

// Unit is one organisation unit (agency, department, committee, station…).
type Unit struct {
	ID           int64     `json:"id"`
	Code         string    `json:"code"` // stable external key used by imports
	ParentID     *int64    `json:"parent_id"`
	Path         string    `json:"path"` // materialised path of ids, "/1/5/23/"
	Depth        int       `json:"depth"`
	Name         string    `json:"name"`
	ShortName    string    `json:"short_name"`
	Kind         string    `json:"kind"`
	Abbreviation string    `json:"abbreviation"` // used in notations, e.g. STTTT
	AgencyID     string    `json:"agency_id"`    // national identifier (≤35 chars)
	ActiveFrom   string    `json:"active_from"`  // YYYY-MM-DD or ""
	DissolvedOn  string    `json:"dissolved_on"` // YYYY-MM-DD or ""
	MergedInto   *int64    `json:"merged_into"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Children     []*Unit   `json:"children,omitempty"`
}

// Active reports whether the unit exists (is not dissolved) on the given day.
func (u *Unit) Active(day string) bool {
	if u.ActiveFrom != "" && day < u.ActiveFrom {
		return false
	}
	return u.DissolvedOn == "" || day < u.DissolvedOn
}

// UnitKind is an administrator-editable classification of units.
type UnitKind struct {
	Code   string `json:"code"`
	NameVI string `json:"name_vi"`
	NameEN string `json:"name_en"`
	Level  int    `json:"level"` // suggested tier: 1 national, 2 province, 3 district, 4 commune
}

// UnitChange is one entry of a unit's history (rename, move, merge …).
type UnitChange struct {
	ID      int64     `json:"id"`
	UnitID  int64     `json:"unit_id"`
	At      time.Time `json:"at"`
	ActorID *int64    `json:"actor_id"`
	Change  string    `json:"change"`
	Before  string    `json:"before"` // JSON snapshot
	After   string    `json:"after"`  // JSON snapshot
}

// Group is a named set of recipient units, by list or by rule.
type Group struct {
	ID          int64      `json:"id"`
	OwnerUnitID int64      `json:"owner_unit_id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Rule        *GroupRule `json:"rule,omitempty"`
	Members     []int64    `json:"members,omitempty"` // explicit list
	CreatedAt   time.Time  `json:"created_at"`
}

// GroupRule selects units: every active unit of the given kinds below a root.
type GroupRule struct {
	UnderUnitID int64    `json:"under_unit_id"`
	Kinds       []string `json:"kinds"`
	MaxDepth    int      `json:"max_depth,omitempty"` // levels below the root, 0 = any
}

// User is a person who signs in to Loa.
type User struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Email       string     `json:"email"`
	Title       string     `json:"title"` // job title, e.g. "Phó Giám đốc"
	UnitID      int64      `json:"unit_id"`
	Roles       []Role     `json:"roles"`
	Active      bool       `json:"active"`
	Lang        string     `json:"lang"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Token is an API token (the secret itself is shown once and stored hashed).
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Session is a web session.
type Session struct {
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
}

// AuditEntry is one append-only record of a state-changing action.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     *int64    `json:"user_id"`
	Username   string    `json:"username"`
	UnitID     *int64    `json:"unit_id"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Detail     string    `json:"detail"`
	ClientAddr string    `json:"client_addr"`
}

// Actor is who performs an action, as the audit log records it.
type Actor struct {
	UserID     int64
	Username   string
	UnitID     int64
	UnitPath   string
	Roles      []Role
	Scopes     []string // nil for a web session (all scopes)
	ClientAddr string
}

// System is the actor for actions run by the command line or at start.
func System(what string) Actor { return Actor{Username: "system:" + what} }

// IsSystem reports whether the actor is the command line or the server
// itself rather than a signed-in user; such actors may do anything.
func (a Actor) IsSystem() bool {
	return a.UserID == 0 && len(a.Username) > 7 && a.Username[:7] == "system:"
}

// EnrolmentKey lets devices of a unit enrol (broadcast devices).
type EnrolmentKey struct {
	ID        int64      `json:"id"`
	UnitID    int64      `json:"unit_id"`
	Label     string     `json:"label"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	// MaxDevices is how many devices may enrol with the key; nil: no limit.
	MaxDevices *int `json:"max_devices"`
	// Uses is how many devices enrolled with it.
	Uses      int        `json:"uses"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
