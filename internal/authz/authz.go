// Package authz decides who may do what where. A permission is a role's
// reach for an action: nothing, the user's own unit, the unit and its
// subtree, or anywhere. The table is the single place where access rules
// live; the authorization tests walk it role × action × scope.
package authz

import (
	"strings"

	"github.com/loa-project/loa/internal/model"
)

// Action is something a principal may be allowed to do to a unit's data.
type Action string

// Actions checked by services.
const (
	UnitRead   Action = "unit.read"
	UnitWrite  Action = "unit.write"
	GroupRead  Action = "group.read"
	GroupWrite Action = "group.write"
	UserRead   Action = "user.read"
	UserWrite  Action = "user.write"
	TokenAdmin Action = "token.admin" // manage other users' tokens
	AuditRead  Action = "audit.read"
	KeyWrite   Action = "enrolment_key.write"
	// Broadcast: media library, broadcast orders and schedules, play logs.
	BroadcastRead  Action = "broadcast.read"
	BroadcastWrite Action = "broadcast.write"
	// DeviceAdmin covers devices: rename, revoke, remote commands.
	DeviceAdmin Action = "device.admin"
	// Documents held by a unit, and its registers.
	DocRead  Action = "document.read"
	DocWrite Action = "document.write" // import, correct
	RegRead  Action = "register.read"
	RegWrite Action = "register.write" // allocate numbers, register documents
	// Archive: retention rules (administrators), legal holds and
	// disposal lists (clerks), approval of a disposal (leaders).
	ArchiveRules   Action = "archive.rules"
	ArchiveWrite   Action = "archive.write"
	ArchiveApprove Action = "archive.approve"
	// Directives: outgoing documents drafted, approved and issued by a
	// unit (its agency), and the deliveries they fan out to recipients.
	DirectiveRead     Action = "directive.read"     // issued directives and their tracking
	DirectiveDraft    Action = "directive.draft"    // create and edit drafts, forward deliveries
	DirectiveApprove  Action = "directive.approve"  // approve or return a submitted draft (signer)
	DirectiveIssue    Action = "directive.issue"    // number and send an approved draft
	DirectiveTrack    Action = "directive.track"    // close reported deliveries, summary reports
	DirectiveSettings Action = "directive.settings" // approval steps, reminders, webhooks
	DeliveryRead      Action = "delivery.read"      // a unit's inbox
	DeliveryHandle    Action = "delivery.handle"    // read, acknowledge, assign, report, decline
)

// Reach is how far from the user's own unit a permission extends.
type Reach int

// Reaches, from none to anywhere.
const (
	None    Reach = iota
	Own           // the user's own unit only
	Subtree       // own unit and every unit below it
	Any           // every unit
)

// Scope is where a target unit lies relative to the user's unit.
type Scope int

// Scopes of a target.
const (
	ScopeOwn     Scope = iota // the user's unit
	ScopeBelow                // strictly inside the user's subtree
	ScopeOutside              // anywhere else
)

func (s Scope) String() string {
	return [...]string{"own", "below", "outside"}[s]
}

// Policy maps action → role → reach. Missing entries mean None.
type Policy map[Action]map[model.Role]Reach

// Default is Loa's access policy.
func Default() Policy {
	everyone := func(r Reach) map[model.Role]Reach {
		m := map[model.Role]Reach{}
		for _, role := range model.AllRoles {
			m[role] = r
		}
		return m
	}
	groupRead := everyone(Own)
	groupRead[model.RoleAdmin] = Subtree
	docRead := everyone(Own)
	docRead[model.RoleAdmin] = Subtree
	return Policy{
		UnitRead:   everyone(Any),
		UnitWrite:  {model.RoleAdmin: Subtree},
		GroupRead:  groupRead,
		GroupWrite: {model.RoleAdmin: Subtree, model.RoleClerk: Own, model.RoleDrafter: Own},
		UserRead:   {model.RoleAdmin: Subtree, model.RoleClerk: Own, model.RoleApprover: Own},
		UserWrite:  {model.RoleAdmin: Subtree},
		TokenAdmin: {model.RoleAdmin: Subtree},
		AuditRead:  {model.RoleAdmin: Subtree},
		KeyWrite:   {model.RoleAdmin: Subtree, model.RoleBroadcaster: Own},
		// Broadcasters act on their own (commune radio) unit; admins on
		// their subtree; everyone who works with directives may follow
		// the broadcasts of their unit.
		BroadcastRead:  {model.RoleAdmin: Subtree, model.RoleBroadcaster: Own, model.RoleViewer: Own, model.RoleClerk: Own, model.RoleDrafter: Own, model.RoleApprover: Own, model.RoleReceiver: Own},
		BroadcastWrite: {model.RoleAdmin: Subtree, model.RoleBroadcaster: Own},
		DeviceAdmin:    {model.RoleAdmin: Subtree, model.RoleBroadcaster: Own},
		DocRead:        docRead,
		DocWrite:       {model.RoleAdmin: Subtree, model.RoleClerk: Own, model.RoleDrafter: Own, model.RoleReceiver: Own},
		RegRead:        {model.RoleAdmin: Subtree, model.RoleClerk: Own, model.RoleApprover: Own, model.RoleViewer: Own},
		RegWrite:       {model.RoleAdmin: Subtree, model.RoleClerk: Own},
		// Directives are worked on by the unit's own staff; an
		// administrator configures them but does not draft, sign or
		// handle documents.
		DirectiveRead:     docRead,
		DirectiveDraft:    {model.RoleDrafter: Own},
		DirectiveApprove:  {model.RoleApprover: Own},
		DirectiveIssue:    {model.RoleClerk: Own},
		DirectiveTrack:    {model.RoleClerk: Own, model.RoleApprover: Own, model.RoleDrafter: Own},
		DirectiveSettings: {model.RoleAdmin: Subtree},
		DeliveryRead:      docRead,
		DeliveryHandle:    {model.RoleClerk: Own, model.RoleReceiver: Own, model.RoleApprover: Own},
		ArchiveRules:      {model.RoleAdmin: Subtree},
		ArchiveWrite:      {model.RoleAdmin: Subtree, model.RoleClerk: Own},
		ArchiveApprove:    {model.RoleApprover: Own},
	}
}

// Actions lists the actions the policy knows, for tests and docs.
func (p Policy) Actions() []Action {
	out := make([]Action, 0, len(p))
	for _, a := range []Action{UnitRead, UnitWrite, GroupRead, GroupWrite, UserRead, UserWrite, TokenAdmin, AuditRead, KeyWrite, BroadcastRead, BroadcastWrite, DeviceAdmin, DocRead, DocWrite, RegRead, RegWrite,
		DirectiveRead, DirectiveDraft, DirectiveApprove, DirectiveIssue, DirectiveTrack, DirectiveSettings, DeliveryRead, DeliveryHandle,
		ArchiveRules, ArchiveWrite, ArchiveApprove} {
		if _, ok := p[a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// ScopeOf tells where target lies relative to the user's unit path.
func ScopeOf(userPath, targetPath string) Scope {
	switch {
	case targetPath == userPath:
		return ScopeOwn
	case userPath != "" && strings.HasPrefix(targetPath, userPath):
		return ScopeBelow
	default:
		return ScopeOutside
	}
}

// Allows reports whether a reach covers a scope.
func (r Reach) Allows(s Scope) bool {
	switch r {
	case Any:
		return true
	case Subtree:
		return s == ScopeOwn || s == ScopeBelow
	case Own:
		return s == ScopeOwn
	default:
		return false
	}
}

// Can reports whether actor may perform action on data of the unit at
// targetPath. Token scopes further restrict: a read-only token cannot
// perform write actions.
func (p Policy) Can(a model.Actor, action Action, targetPath string) bool {
	if a.IsSystem() {
		return true
	}
	if a.Scopes != nil && IsWrite(action) && !hasScope(a.Scopes, model.ScopeWrite) {
		return false
	}
	scope := ScopeOf(a.UnitPath, targetPath)
	for _, role := range a.Roles {
		if widen(a, role, p[action][role]).Allows(scope) {
			return true
		}
	}
	return false
}

// widen applies the one rule that is not in the table: an administrator of
// a top-level unit administers the whole installation (other top-level
// units such as the ministry that sends directives included).
func widen(a model.Actor, role model.Role, r Reach) Reach {
	if role == model.RoleAdmin && r == Subtree && IsRootPath(a.UnitPath) {
		return Any
	}
	return r
}

// IsRootPath reports whether a unit path is that of a top-level unit.
func IsRootPath(path string) bool { return strings.Count(path, "/") == 2 }

// ReachOf returns the widest reach the actor's roles give for an action.
func (p Policy) ReachOf(a model.Actor, action Action) Reach {
	if a.IsSystem() {
		return Any
	}
	best := None
	for _, role := range a.Roles {
		if r := widen(a, role, p[action][role]); r > best {
			best = r
		}
	}
	return best
}

// IsWrite reports whether an action changes state.
func IsWrite(a Action) bool {
	return !strings.HasSuffix(string(a), ".read")
}

func hasScope(scopes []string, s string) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}
