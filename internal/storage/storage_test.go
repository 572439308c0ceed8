package storage_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func mustUnit(t *testing.T, q storage.Q, ctx context.Context, code string, parent *int64) *model.Unit {
	t.Helper()
	u := &model.Unit{Code: code, ParentID: parent, Name: "Unit " + code, Kind: "other"}
	if err := q.Orgs().InsertUnit(ctx, u); err != nil {
		t.Fatalf("insert %s: %v", code, err)
	}
	return u
}

func TestUnitsTreeAndMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		var a, b, c, d *model.Unit
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			a = mustUnit(t, tx.Q, ctx, "a", nil)
			b = mustUnit(t, tx.Q, ctx, "b", &a.ID)
			c = mustUnit(t, tx.Q, ctx, "c", &b.ID)
			d = mustUnit(t, tx.Q, ctx, "d", &a.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Depth != 2 || c.Path != a.Path+itoa(b.ID)+"/"+itoa(c.ID)+"/" {
			t.Fatalf("c path %q depth %d", c.Path, c.Depth)
		}
		sub, err := s.Orgs().Subtree(ctx, b.Path)
		if err != nil || len(sub) != 2 {
			t.Fatalf("subtree of b: %d units, %v", len(sub), err)
		}
		// Move b (with c) under d.
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().MoveUnit(ctx, b.ID, &d.ID) }); err != nil {
			t.Fatal(err)
		}
		c2, err := s.Orgs().Unit(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := a.Path + itoa(d.ID) + "/" + itoa(b.ID) + "/" + itoa(c.ID) + "/"
		if c2.Path != want || c2.Depth != 3 {
			t.Fatalf("after move c path %q depth %d, want %q depth 3", c2.Path, c2.Depth, want)
		}
		// Moving a unit under its own descendant is refused and changes nothing.
		err = s.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().MoveUnit(ctx, a.ID, &c.ID) })
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("move under descendant: %v", err)
		}
		a2, _ := s.Orgs().Unit(ctx, a.ID)
		if a2.Path != a.Path || a2.ParentID != nil {
			t.Fatalf("refused move changed a: %+v", a2)
		}
		// Duplicate code is a conflict; the transaction leaves nothing.
		err = s.Tx(ctx, func(tx *storage.Tx) error {
			mustUnit(t, tx.Q, ctx, "e", nil)
			return tx.Orgs().InsertUnit(ctx, &model.Unit{Code: "a", Name: "dup", Kind: "other"})
		})
		if !errors.Is(err, model.ErrConflict) {
			t.Fatalf("duplicate code: %v", err)
		}
		if _, err := s.Orgs().UnitByCode(ctx, "e"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("rolled back unit e still exists: %v", err)
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestUsersTokensSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		var unit *model.Unit
		u := &model.User{Username: "clerk1", FullName: "Nguyễn Thị Hoa", UnitID: 0, Roles: []model.Role{model.RoleClerk, model.RoleReceiver}, Active: true, Lang: "vi"}
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			unit = mustUnit(t, tx.Q, ctx, "so", nil)
			u.UnitID = unit.ID
			return tx.Accounts().InsertUser(ctx, u, "hash")
		})
		if err != nil {
			t.Fatal(err)
		}
		got, hash, err := s.Accounts().UserByUsername(ctx, "clerk1")
		if err != nil || hash != "hash" || got.FullName != "Nguyễn Thị Hoa" || len(got.Roles) != 2 || !got.Active {
			t.Fatalf("user round trip: %+v %q %v", got, hash, err)
		}
		if !got.CreatedAt.Equal(u.CreatedAt) {
			t.Fatalf("created_at round trip: stored %v, read %v", u.CreatedAt, got.CreatedAt)
		}
		users, err := s.Accounts().Users(ctx, unit.Path)
		if err != nil || len(users) != 1 {
			t.Fatalf("users under unit: %d %v", len(users), err)
		}

		exp := time.Now().Add(time.Hour)
		tok := &model.Token{UserID: u.ID, Name: "ci", Prefix: "loa_t_abc", Scopes: []string{"read", "write"}, ExpiresAt: &exp}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().InsertToken(ctx, tok, "th") }); err != nil {
			t.Fatal(err)
		}
		gt, err := s.Accounts().TokenByHash(ctx, "th")
		if err != nil || gt.ID != tok.ID || len(gt.Scopes) != 2 {
			t.Fatalf("token by hash: %+v %v", gt, err)
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().RevokeToken(ctx, tok.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accounts().TokenByHash(ctx, "th"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("revoked token still usable: %v", err)
		}
		past := time.Now().Add(-time.Minute)
		old := &model.Token{UserID: u.ID, Name: "old", Prefix: "p", Scopes: []string{"read"}, ExpiresAt: &past}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().InsertToken(ctx, old, "old") }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accounts().TokenByHash(ctx, "old"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("expired token usable: %v", err)
		}

		sess := model.Session{UserID: u.ID, CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().InsertSession(ctx, "sh", sess, "127.0.0.1") }); err != nil {
			t.Fatal(err)
		}
		if gs, err := s.Accounts().Session(ctx, "sh"); err != nil || gs.UserID != u.ID || gs.CSRF != "c" {
			t.Fatalf("session: %+v %v", gs, err)
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().DeleteUserSessions(ctx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accounts().Session(ctx, "sh"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("deleted session found: %v", err)
		}

		for i := 0; i < 3; i++ {
			if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().AddLoginAttempt(ctx, "clerk1", "10.0.0.1", false) }); err != nil {
				t.Fatal(err)
			}
		}
		byUser, byClient, err := s.Accounts().RecentFailures(ctx, "clerk1", "10.0.0.1", time.Now().Add(-time.Minute))
		if err != nil || byUser != 3 || byClient != 3 {
			t.Fatalf("failures %d %d %v", byUser, byClient, err)
		}
		byUser, _, _ = s.Accounts().RecentFailures(ctx, "clerk1", "x", time.Now().Add(time.Minute))
		if byUser != 0 {
			t.Fatalf("failures in the future window: %d", byUser)
		}
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a := model.Actor{UserID: 7, Username: "admin", UnitID: 1, UnitPath: "/1/", ClientAddr: "127.0.0.1"}
		for i := 0; i < 3; i++ {
			if err := s.Tx(ctx, func(tx *storage.Tx) error {
				return tx.Audit().AppendAudit(ctx, a, "unit.create", "unit", itoa(int64(i+1)), "")
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error {
			return tx.Audit().AppendAudit(ctx, model.Actor{Username: "x", UnitPath: "/2/"}, "login", "user", "9", "")
		}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Audit().AuditEntries(ctx, storage.AuditFilter{UnderPath: "/1/"})
		if err != nil || len(list) != 3 || list[0].ObjectID != "3" {
			t.Fatalf("audit under /1/: %d entries %v", len(list), err)
		}
		page, err := s.Audit().AuditEntries(ctx, storage.AuditFilter{BeforeID: list[0].ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != list[1].ID {
			t.Fatalf("keyset page: %+v %v", page, err)
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error {
			_, err := tx.ExecRaw(ctx, "UPDATE audit_log SET action = 'x'")
			return err
		}); err == nil {
			t.Fatal("audit_log update was allowed")
		}
		if err := s.Tx(ctx, func(tx *storage.Tx) error {
			_, err := tx.ExecRaw(ctx, "DELETE FROM audit_log")
			return err
		}); err == nil {
			t.Fatal("audit_log delete was allowed")
		}
		all, _ := s.Audit().AuditEntries(ctx, storage.AuditFilter{})
		if len(all) != 4 {
			t.Fatalf("audit entries after refused changes: %d", len(all))
		}
	})
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			s, _ := storetest.Open(t, e)
			if err := s.Migrate(context.Background(), nil); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
		})
	}
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	_, err := storage.Open(context.Background(), "mysql://x")
	if err == nil {
		t.Fatal("mysql URL accepted")
	}
	_, err = storage.Open(context.Background(), "postgres://loa:secret@127.0.0.1:1/x?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unreachable postgres: %v (password must be redacted)", err)
	}
}

func TestPurgeScheduleItemsOnEmptyStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		var n int64
		if err := s.Tx(ctx, func(tx *storage.Tx) error {
			var err error
			n, err = tx.Broadcast().PurgeScheduleItems(ctx, time.Now())
			return err
		}); err != nil || n != 0 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}
