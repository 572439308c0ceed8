// Package accounts manages users, sign-in, web sessions, API tokens and
// device enrolment keys, with access checks and audit records.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// SessionLifetime is how long a web session lasts.
const SessionLifetime = 12 * time.Hour

// Service is the accounts service.
type Service struct {
	store  *storage.Store
	policy authz.Policy
	log    *slog.Logger
	clock  clock.Clock

	dummyOnce sync.Once
	dummy     string // hash compared when the user does not exist (timing)
}

// New builds the service.
func New(store *storage.Store, policy authz.Policy, log *slog.Logger) *Service {
	return &Service{store: store, policy: policy, log: log, clock: clock.Real{}}
}

// dummyHash is the hash compared when the user does not exist, so that an
// unknown username costs the same time as a wrong password. It is made on
// the first such sign-in rather than with every service (an argon2id hash
// costs tens of milliseconds).
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = HashPassword("not-a-real-password") })
	return s.dummy
}

// SetClock replaces the clock that sign-in throttling and the expiry of
// sessions, tokens and enrolment keys read (tests).
func (s *Service) SetClock(c clock.Clock) { s.clock = c }

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ActorFor builds the actor for a signed-in user.
func (s *Service) ActorFor(ctx context.Context, u *model.User, client string, scopes []string) (model.Actor, error) {
	unit, err := s.store.Orgs().Unit(ctx, u.UnitID)
	if err != nil {
		return model.Actor{}, fmt.Errorf("unit of user %q: %w", u.Username, err)
	}
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: unit.Path, Roles: u.Roles, Scopes: scopes, ClientAddr: client}, nil
}

// Authenticate checks a username and password. Attempts are throttled
// per (username, client address) and per client address with growing
// delays (see ThrottleDelay); an attempt made too early is refused with a
// *ThrottleError without checking the password.
func (s *Service) Authenticate(ctx context.Context, username, password, client string) (*model.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if err := s.beginAttempt(ctx, username, client); err != nil {
		return nil, err
	}
	u, hash, err := s.store.Accounts().UserByUsername(ctx, username)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	ok := false
	if u != nil {
		ok = CheckPassword(hash, password) && u.Active
	} else {
		CheckPassword(s.dummyHash(), password)
	}
	if !ok {
		if err := s.store.Tx(ctx, func(tx *storage.Tx) error {
			if err := tx.Accounts().AddLoginAttempt(ctx, username, client, false); err != nil {
				return err
			}
			return tx.Audit().AppendAudit(ctx, model.Actor{Username: username, ClientAddr: client}, "login.failed", "user", username, "")
		}); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("wrong username or password: %w", model.ErrUnauthorized)
	}
	if err := s.attemptSucceeded(ctx, username, client); err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().TouchLogin(ctx, u.ID); err != nil {
			return err
		}
		a, err := s.actorTx(ctx, tx, u, client)
		if err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "login", "user", fmt.Sprint(u.ID), "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) actorTx(ctx context.Context, tx *storage.Tx, u *model.User, client string) (model.Actor, error) {
	unit, err := tx.Orgs().Unit(ctx, u.UnitID)
	if err != nil {
		return model.Actor{}, err
	}
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: unit.Path, Roles: u.Roles, ClientAddr: client}, nil
}

// StartSession creates a web session and returns its secret.
func (s *Service) StartSession(ctx context.Context, u *model.User, client string) (string, model.Session, error) {
	secret, err := NewSecret(PrefixSession)
	if err != nil {
		return "", model.Session{}, err
	}
	csrf, err := NewSecret("")
	if err != nil {
		return "", model.Session{}, err
	}
	sess := model.Session{UserID: u.ID, CSRF: csrf, ExpiresAt: s.clock.Now().Add(SessionLifetime)}
	if err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		return tx.Accounts().InsertSession(ctx, HashSecret(secret), sess, client)
	}); err != nil {
		return "", model.Session{}, err
	}
	return secret, sess, nil
}

// SessionUser resolves a session secret to its active user.
func (s *Service) SessionUser(ctx context.Context, secret string) (*model.User, *model.Session, error) {
	if !strings.HasPrefix(secret, PrefixSession) {
		return nil, nil, fmt.Errorf("not a session: %w", model.ErrUnauthorized)
	}
	sess, err := s.store.Accounts().Session(ctx, HashSecret(secret))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil, fmt.Errorf("session expired or signed out: %w", model.ErrUnauthorized)
		}
		return nil, nil, err
	}
	u, err := s.activeUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

func (s *Service) activeUser(ctx context.Context, id int64) (*model.User, error) {
	u, err := s.store.Accounts().User(ctx, id)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, fmt.Errorf("user no longer exists: %w", model.ErrUnauthorized)
		}
		return nil, err
	}
	if !u.Active {
		return nil, fmt.Errorf("user %q is deactivated: %w", u.Username, model.ErrUnauthorized)
	}
	return u, nil
}

// EndSession signs a session out.
func (s *Service) EndSession(ctx context.Context, secret string, a model.Actor) error {
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().DeleteSession(ctx, HashSecret(secret)); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "logout", "user", fmt.Sprint(a.UserID), "")
	})
}

// TokenUser resolves an API token secret to its user and token.
func (s *Service) TokenUser(ctx context.Context, secret string) (*model.User, *model.Token, error) {
	if !strings.HasPrefix(secret, PrefixToken) {
		if strings.HasPrefix(secret, PrefixDevice) {
			return nil, nil, fmt.Errorf("a device credential is only accepted by the device endpoints: %w", model.ErrUnauthorized)
		}
		return nil, nil, fmt.Errorf("not an API token (tokens start with %q): %w", PrefixToken, model.ErrUnauthorized)
	}
	t, err := s.store.Accounts().TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil, fmt.Errorf("token unknown, revoked or expired: %w", model.ErrUnauthorized)
		}
		return nil, nil, err
	}
	u, err := s.activeUser(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	// The last use is recorded at most once a minute (TouchToken): a
	// token used within the minute does not wait for the database writer
	// at all (on SQLite the single writer may be busy, and an operator's
	// emergency request would wait behind every transaction queued there).
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) >= time.Minute {
		if err := s.store.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().TouchToken(ctx, t.ID) }); err != nil {
			s.log.Warn("token last-use not recorded", "token", t.ID, "err", err)
		}
	}
	return u, t, nil
}

// canOnUser checks an action on a user's data by the unit of that user.
func (s *Service) canOnUser(ctx context.Context, a model.Actor, action authz.Action, unitID int64) error {
	unit, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return err
	}
	if !s.policy.Can(a, action, unit.Path) {
		return fmt.Errorf("%s on users of unit %q: %w", action, unit.Name, model.ErrForbidden)
	}
	return nil
}

// NewUser is the input for creating a user.
type NewUser struct {
	Username string       `json:"username"`
	Password string       `json:"password"`
	FullName string       `json:"full_name"`
	Email    string       `json:"email"`
	Title    string       `json:"title"`
	UnitID   int64        `json:"unit_id"`
	Roles    []model.Role `json:"roles"`
	Lang     string       `json:"lang"`
	// PasswordHash, when set, is HashPassword(Password) made by the caller:
	// loaders that create many users with one password (the demo) hash it
	// once. Never read from a request.
	PasswordHash string `json:"-"`
}

func validateProfile(username, email, lang string, roles []model.Role) error {
	if !usernameRe.MatchString(username) {
		return model.Invalid("username", "%q is not a valid username: use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", username)
	}
	if email != "" {
		if _, err := mail.ParseAddress(email); err != nil {
			return model.Invalid("email", "%q is not an e-mail address", email)
		}
	}
	if lang != "vi" && lang != "en" {
		return model.Invalid("lang", "language must be \"vi\" or \"en\", not %q", lang)
	}
	if len(roles) == 0 {
		return model.Invalid("roles", "give the user at least one role")
	}
	for _, r := range roles {
		if _, err := model.ParseRole(string(r)); err != nil {
			return err
		}
	}
	return nil
}

// CreateUser adds a user.
func (s *Service) CreateUser(ctx context.Context, a model.Actor, in NewUser) (*model.User, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if in.Lang == "" {
		in.Lang = "vi"
	}
	if err := validateProfile(in.Username, in.Email, in.Lang, in.Roles); err != nil {
		return nil, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		return nil, model.Invalid("password", "%v", err)
	}
	if in.UnitID == 0 {
		return nil, model.Invalid("unit_id", "every user belongs to a unit: give unit_id")
	}
	if _, err := s.store.Orgs().Unit(ctx, in.UnitID); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid("unit_id", "unit %d does not exist", in.UnitID)
		}
		return nil, err
	}
	if err := s.canOnUser(ctx, a, authz.UserWrite, in.UnitID); err != nil {
		return nil, err
	}
	hash := in.PasswordHash
	if hash == "" {
		var err error
		if hash, err = HashPassword(in.Password); err != nil {
			return nil, err
		}
	} else if !wellFormedHash(hash) {
		return nil, fmt.Errorf("create user %s: the given password hash is not an argon2id hash made by HashPassword", in.Username)
	}
	u := &model.User{Username: in.Username, FullName: strings.TrimSpace(in.FullName), Email: in.Email, Title: in.Title,
		UnitID: in.UnitID, Roles: in.Roles, Active: true, Lang: in.Lang}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().InsertUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "user.create", "user", fmt.Sprint(u.ID), fmt.Sprintf("username=%s roles=%v unit=%d", u.Username, u.Roles, u.UnitID))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserPatch changes some fields of a user; nil means unchanged.
type UserPatch struct {
	FullName *string       `json:"full_name"`
	Email    *string       `json:"email"`
	Title    *string       `json:"title"`
	UnitID   *int64        `json:"unit_id"`
	Roles    *[]model.Role `json:"roles"`
	Active   *bool         `json:"active"`
	Lang     *string       `json:"lang"`
}

// UpdateUser applies a patch.
func (s *Service) UpdateUser(ctx context.Context, a model.Actor, id int64, p UserPatch) (*model.User, error) {
	u, err := s.store.Accounts().User(ctx, id)
	if err != nil {
		return nil, err
	}
	self := a.UserID == id
	// Users may change their own name, e-mail and language; the rest needs user.write.
	needsAdmin := p.UnitID != nil || p.Roles != nil || p.Active != nil || p.Title != nil || !self
	if needsAdmin {
		if err := s.canOnUser(ctx, a, authz.UserWrite, u.UnitID); err != nil {
			return nil, err
		}
	}
	if p.FullName != nil {
		u.FullName = strings.TrimSpace(*p.FullName)
	}
	if p.Email != nil {
		u.Email = *p.Email
	}
	if p.Title != nil {
		u.Title = *p.Title
	}
	if p.Lang != nil {
		u.Lang = *p.Lang
	}
	if p.Roles != nil {
		u.Roles = *p.Roles
	}
	if p.Active != nil {
		if self && !*p.Active {
			return nil, model.Invalid("active", "you cannot deactivate your own account")
		}
		u.Active = *p.Active
	}
	if p.UnitID != nil && *p.UnitID != u.UnitID {
		if err := s.canOnUser(ctx, a, authz.UserWrite, *p.UnitID); err != nil {
			return nil, err
		}
		u.UnitID = *p.UnitID
	}
	if err := validateProfile(u.Username, u.Email, u.Lang, u.Roles); err != nil {
		return nil, err
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().UpdateUser(ctx, u); err != nil {
			return err
		}
		if !u.Active {
			if err := tx.Accounts().DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		return tx.Audit().AppendAudit(ctx, a, "user.update", "user", fmt.Sprint(u.ID), fmt.Sprintf("roles=%v unit=%d active=%v", u.Roles, u.UnitID, u.Active))
	})
	if err != nil {
		return nil, err
	}
	return s.store.Accounts().User(ctx, id)
}

// PasswordChange is the input for setting a password.
type PasswordChange struct {
	// Current is the user's present password, required when users change
	// their own; an administrator setting another user's password (or the
	// command line) does not give it.
	Current string
	New     string
	// RevokeTokens also revokes every API token of the user.
	RevokeTokens bool
	// KeepSession is the secret of the caller's own web session, kept when
	// users change their own password from it; every other session of
	// the user ends.
	KeepSession string
}

// SetPassword changes a user's password (the user themself, giving the
// current password, or an admin over the user's unit), ends the user's
// other sessions and, when asked, revokes the user's API tokens. Wrong
// current passwords are audited and throttled like failed sign-ins.
func (s *Service) SetPassword(ctx context.Context, a model.Actor, id int64, in PasswordChange) error {
	u, err := s.store.Accounts().User(ctx, id)
	if err != nil {
		return err
	}
	self := a.UserID == id
	if !self {
		if err := s.canOnUser(ctx, a, authz.UserWrite, u.UnitID); err != nil {
			return err
		}
	}
	if self {
		if err := s.checkCurrentPassword(ctx, a, u, in.Current); err != nil {
			return err
		}
	}
	if err := ValidatePassword(in.New); err != nil {
		return model.Invalid("password", "%v", err)
	}
	hash, err := HashPassword(in.New)
	if err != nil {
		return err
	}
	detail := "by the user"
	if !self {
		detail = "reset by " + a.Username
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().SetPassword(ctx, id, hash); err != nil {
			return err
		}
		if self && in.KeepSession != "" {
			if err := tx.Accounts().DeleteOtherSessions(ctx, id, HashSecret(in.KeepSession)); err != nil {
				return err
			}
			detail += "; other sessions ended"
		} else {
			if err := tx.Accounts().DeleteUserSessions(ctx, id); err != nil {
				return err
			}
			detail += "; sessions ended"
		}
		if in.RevokeTokens {
			n, err := tx.Accounts().RevokeUserTokens(ctx, id)
			if err != nil {
				return err
			}
			detail += fmt.Sprintf("; %d API tokens revoked", n)
		}
		return tx.Audit().AppendAudit(ctx, a, "user.password", "user", fmt.Sprint(id), detail)
	})
}

// checkCurrentPassword verifies the password users give to change their
// own; failures count toward sign-in throttling from the caller's address.
func (s *Service) checkCurrentPassword(ctx context.Context, a model.Actor, u *model.User, current string) error {
	if current == "" {
		return i18n.Localise(model.Invalid("current_password", "give your current password to change it"), "users.current_password_missing")
	}
	if err := s.beginAttempt(ctx, u.Username, a.ClientAddr); err != nil {
		return err
	}
	_, hash, err := s.store.Accounts().UserByUsername(ctx, u.Username)
	if err != nil {
		return err
	}
	if !CheckPassword(hash, current) {
		if err := s.store.Tx(ctx, func(tx *storage.Tx) error {
			return tx.Audit().AppendAudit(ctx, a, "user.password.failed", "user", fmt.Sprint(u.ID), "wrong current password")
		}); err != nil {
			return err
		}
		return i18n.Localise(model.Invalid("current_password", "the current password is wrong"), "users.current_password_wrong")
	}
	return s.attemptSucceeded(ctx, u.Username, a.ClientAddr)
}

// User returns a user visible to the actor.
func (s *Service) User(ctx context.Context, a model.Actor, id int64) (*model.User, error) {
	u, err := s.store.Accounts().User(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.UserID != id {
		if err := s.canOnUser(ctx, a, authz.UserRead, u.UnitID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Users lists the users the actor may see.
func (s *Service) Users(ctx context.Context, a model.Actor) ([]*model.User, error) {
	switch s.policy.ReachOf(a, authz.UserRead) {
	case authz.Any:
		return s.store.Accounts().Users(ctx, "")
	case authz.Subtree:
		return s.store.Accounts().Users(ctx, a.UnitPath)
	case authz.Own:
		all, err := s.store.Accounts().Users(ctx, a.UnitPath)
		if err != nil {
			return nil, err
		}
		out := all[:0]
		for _, u := range all {
			if u.UnitID == a.UnitID {
				out = append(out, u)
			}
		}
		return out, nil
	default:
		u, err := s.store.Accounts().User(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		return []*model.User{u}, nil
	}
}

// NewToken is the input for creating an API token.
type NewToken struct {
	UserID    int64      `json:"user_id"` // 0 = the actor
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// CreateToken issues an API token and returns its secret, shown once.
func (s *Service) CreateToken(ctx context.Context, a model.Actor, in NewToken) (string, *model.Token, error) {
	if in.UserID == 0 {
		in.UserID = a.UserID
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return "", nil, model.Invalid("name", "give the token a name of 1-100 characters saying what it is for")
	}
	if len(in.Scopes) == 0 {
		in.Scopes = []string{model.ScopeRead}
	}
	for _, sc := range in.Scopes {
		if sc != model.ScopeRead && sc != model.ScopeWrite {
			return "", nil, model.Invalid("scopes", "unknown scope %q: use \"read\" and/or \"write\"", sc)
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.clock.Now()) {
		return "", nil, model.Invalid("expires_at", "expiry must be in the future")
	}
	u, err := s.store.Accounts().User(ctx, in.UserID)
	if err != nil {
		return "", nil, err
	}
	if a.UserID != u.ID {
		if err := s.canOnUser(ctx, a, authz.TokenAdmin, u.UnitID); err != nil {
			return "", nil, err
		}
	}
	if a.Scopes != nil {
		return "", nil, fmt.Errorf("tokens can only be created from a signed-in session or the command line: %w", model.ErrForbidden)
	}
	secret, err := NewSecret(PrefixToken)
	if err != nil {
		return "", nil, err
	}
	t := &model.Token{UserID: u.ID, Name: in.Name, Prefix: DisplayPrefix(secret), Scopes: in.Scopes, ExpiresAt: in.ExpiresAt}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().InsertToken(ctx, t, HashSecret(secret)); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "token.create", "token", fmt.Sprint(t.ID), fmt.Sprintf("user=%s name=%s scopes=%v", u.Username, t.Name, t.Scopes))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Tokens lists a user's tokens.
func (s *Service) Tokens(ctx context.Context, a model.Actor, userID int64) ([]*model.Token, error) {
	if userID == 0 {
		userID = a.UserID
	}
	if userID != a.UserID {
		u, err := s.store.Accounts().User(ctx, userID)
		if err != nil {
			return nil, err
		}
		if err := s.canOnUser(ctx, a, authz.TokenAdmin, u.UnitID); err != nil {
			return nil, err
		}
	}
	return s.store.Accounts().Tokens(ctx, userID)
}

// RevokeToken revokes a token of the actor's or, for admins, of a user in
// their subtree.
func (s *Service) RevokeToken(ctx context.Context, a model.Actor, id int64) error {
	t, err := s.store.Accounts().Token(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != a.UserID {
		u, err := s.store.Accounts().User(ctx, t.UserID)
		if err != nil {
			return err
		}
		if err := s.canOnUser(ctx, a, authz.TokenAdmin, u.UnitID); err != nil {
			return err
		}
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().RevokeToken(ctx, id); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "token.revoke", "token", fmt.Sprint(id), "")
	})
}

// DefaultEnrolmentKeyLifetime is the validity of an enrolment key issued
// without an expiry.
const DefaultEnrolmentKeyLifetime = 7 * 24 * time.Hour

// CreateEnrolmentKey issues a key with which devices of a unit enrol; it
// expires after DefaultEnrolmentKeyLifetime unless expires says when.
func (s *Service) CreateEnrolmentKey(ctx context.Context, a model.Actor, unitID int64, label string, expires *time.Time) (string, *model.EnrolmentKey, error) {
	if expires == nil {
		e := s.clock.Now().Add(DefaultEnrolmentKeyLifetime)
		expires = &e
	}
	unit, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return "", nil, err
	}
	if !s.policy.Can(a, authz.KeyWrite, unit.Path) {
		return "", nil, fmt.Errorf("enrolment keys of unit %q: %w", unit.Name, model.ErrForbidden)
	}
	secret, err := NewSecret(PrefixEnrolment)
	if err != nil {
		return "", nil, err
	}
	k := &model.EnrolmentKey{UnitID: unitID, Label: label, Prefix: DisplayPrefix(secret), ExpiresAt: expires}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Devices().InsertEnrolmentKey(ctx, k, HashSecret(secret)); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "enrolment_key.create", "enrolment_key", fmt.Sprint(k.ID), "unit="+unit.Code)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// Audit lists audit entries the actor may read.
func (s *Service) Audit(ctx context.Context, a model.Actor, f model.AuditFilter) ([]model.AuditEntry, error) {
	switch s.policy.ReachOf(a, authz.AuditRead) {
	case authz.Any:
		f.UnderPath = ""
	case authz.Subtree:
		f.UnderPath = a.UnitPath
	default:
		return nil, fmt.Errorf("reading the audit log needs the admin role: %w", model.ErrForbidden)
	}
	return s.store.Audit().AuditEntries(ctx, f)
}
