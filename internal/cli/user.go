package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/model"
)

func runUser(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stderr, "Usage: loa user add|list|passwd [flags]   (loa user add --help for flags)")
		if len(args) == 0 {
			return fmt.Errorf("%w: name a subcommand: add, list or passwd", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "add":
		return userAdd(ctx, env, args[1:])
	case "list":
		return userList(ctx, env, args[1:])
	case "passwd":
		return userPasswd(ctx, env, args[1:])
	}
	return fmt.Errorf("%w: unknown subcommand %q: use add, list or passwd", errUsage, args[0])
}

// readPassword takes the password from a flag, or else the first line of
// standard input (so it stays out of the shell history).
func readPassword(env Env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("%w: give --password or write the password on standard input (%v)", errUsage, err)
	}
	return line, nil
}

func userAdd(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "user add", "user add --username NAME --unit UNIT_CODE --roles ROLE[,ROLE] [--password PW | < password-file]")
	var d dbFlags
	d.register(fs)
	username := fs.String("username", "", "login name (lower-case letters, digits, . _ -)")
	unit := fs.String("unit", "", "code of the user's unit (see loa org export)")
	roles := fs.String("roles", "", "comma-separated roles: admin, clerk, drafter, approver, receiver, broadcaster, viewer")
	fullName := fs.String("full-name", "", "full name")
	title := fs.String("title", "", "job title, e.g. Phó Giám đốc")
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", "", "password (default: read from standard input)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *unit == "" || *roles == "" {
		return fmt.Errorf("%w: --username, --unit and --roles are required", errUsage)
	}
	pw, err := readPassword(env, *password)
	if err != nil {
		return err
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	u, err := svc.store.Orgs().UnitByCode(ctx, *unit)
	if err != nil {
		return fmt.Errorf("--unit %q: %w (list codes with: loa org export)", *unit, err)
	}
	var rs []model.Role
	for _, r := range splitList(*roles) {
		role, err := model.ParseRole(r)
		if err != nil {
			return fmt.Errorf("--roles: %w", err)
		}
		rs = append(rs, role)
	}
	name := *fullName
	if name == "" {
		name = *username
	}
	created, err := svc.accounts.CreateUser(ctx, model.System("cli"), accounts.NewUser{Username: *username, Password: pw, FullName: name,
		Title: *title, Email: *email, UnitID: u.ID, Roles: rs})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created user %s (id %d) in %s\n", created.Username, created.ID, u.Name)
	return nil
}

func userList(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "user list", "user list [--data DIR] [--db URL]")
	var d dbFlags
	d.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	users, err := svc.accounts.Users(ctx, model.System("cli"))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tUNIT\tROLES\tACTIVE\tLAST SIGN-IN")
	for _, u := range users {
		unit, err := svc.store.Orgs().Unit(ctx, u.UnitID)
		if err != nil {
			return err
		}
		last := "-"
		if u.LastLoginAt != nil {
			last = u.LastLoginAt.Format(time.RFC3339)
		}
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Username, u.FullName, unit.Code, strings.Join(roles, ","), u.Active, last)
	}
	return tw.Flush()
}

func userPasswd(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "user passwd", "user passwd USERNAME [--password PW | < password-file] [--revoke-tokens]")
	var d dbFlags
	d.register(fs)
	password := fs.String("password", "", "new password (default: read from standard input)")
	revoke := fs.Bool("revoke-tokens", false, "also revoke every API token of the user")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name exactly one user: loa user passwd USERNAME", errUsage)
	}
	pw, err := readPassword(env, *password)
	if err != nil {
		return err
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	u, _, err := svc.store.Accounts().UserByUsername(ctx, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("%w (list users with: loa user list)", err)
	}
	// An administrator's action: no current password is asked.
	if err := svc.accounts.SetPassword(ctx, model.System("cli"), u.ID, accounts.PasswordChange{New: pw, RevokeTokens: *revoke}); err != nil {
		return err
	}
	if *revoke {
		fmt.Fprintf(env.Stdout, "password of %s changed; their sessions were ended and their API tokens revoked\n", u.Username)
	} else {
		fmt.Fprintf(env.Stdout, "password of %s changed; their sessions were ended\n", u.Username)
	}
	return nil
}

func runToken(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stderr, "Usage: loa token create --user USERNAME --name NAME [--scopes read,write] [--expires YYYY-MM-DD]")
			return nil
		}
		return fmt.Errorf("%w: use: loa token create --user USERNAME --name NAME [--scopes read,write]", errUsage)
	}
	fs := newFlags(env, "token create", "token create --user USERNAME --name NAME [--scopes read,write] [--expires YYYY-MM-DD]")
	var d dbFlags
	d.register(fs)
	user := fs.String("user", "", "the user the token acts as")
	name := fs.String("name", "", "what the token is for")
	scopes := fs.String("scopes", "read", "comma-separated scopes: read, write")
	expires := fs.String("expires", "", "last day the token is valid (YYYY-MM-DD); default: no expiry")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *user == "" || *name == "" {
		return fmt.Errorf("%w: --user and --name are required", errUsage)
	}
	in := accounts.NewToken{Name: *name, Scopes: splitList(*scopes)}
	if *expires != "" {
		t, err := time.Parse("2006-01-02", *expires)
		if err != nil {
			return fmt.Errorf("%w: --expires %q: use YYYY-MM-DD", errUsage, *expires)
		}
		end := t.AddDate(0, 0, 1)
		in.ExpiresAt = &end
	}
	svc, err := d.open(ctx, env, quietLogger(env))
	if err != nil {
		return err
	}
	defer svc.store.Close()
	u, _, err := svc.store.Accounts().UserByUsername(ctx, *user)
	if err != nil {
		return fmt.Errorf("--user %q: %w", *user, err)
	}
	in.UserID = u.ID
	secret, _, err := svc.accounts.CreateToken(ctx, model.System("cli"), in)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, secret)
	return nil
}
