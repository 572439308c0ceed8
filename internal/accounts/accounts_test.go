package accounts_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// A caller that creates many users with one password may hash it once;
// each user signs in with it, and a malformed hash is refused without
// creating the user.
func TestCreateUserWithGivenHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		policy := authz.Default()
		acc := accounts.New(st, policy, slog.New(slog.NewTextHandler(io.Discard, nil)))
		sys := model.System("test")
		unit, err := orgs.New(st, policy).CreateUnit(ctx, sys, orgs.UnitInput{Code: "so", Name: "Sở Thông tin và Truyền thông", Kind: "provincial_dept"})
		if err != nil {
			t.Fatal(err)
		}
		hash, err := accounts.HashPassword("Mật-khẩu-chung-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"vanthu.a", "vanthu.b"} {
			if _, err := acc.CreateUser(ctx, sys, accounts.NewUser{Username: name, Password: "Mật-khẩu-chung-1", PasswordHash: hash,
				FullName: name, UnitID: unit.ID, Roles: []model.Role{model.RoleClerk}, Lang: "vi"}); err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
			if _, err := acc.Authenticate(ctx, name, "Mật-khẩu-chung-1", "127.0.0.1"); err != nil {
				t.Fatalf("%s signs in with the shared password: %v", name, err)
			}
			if _, err := acc.Authenticate(ctx, name, "sai-mat-khau-1", "127.0.0.1"); err == nil {
				t.Fatalf("%s signed in with a wrong password", name)
			}
		}
		if _, err := acc.CreateUser(ctx, sys, accounts.NewUser{Username: "vanthu.c", Password: "Mật-khẩu-chung-1", PasswordHash: "$argon2id$v=19$bad",
			FullName: "c", UnitID: unit.ID, Roles: []model.Role{model.RoleClerk}}); err == nil {
			t.Fatal("a malformed password hash was accepted")
		}
		if _, _, err := st.Accounts().UserByUsername(ctx, "vanthu.c"); err == nil {
			t.Fatal("the user with a malformed hash was stored")
		}
		// An unknown user is refused (the timing hash is made on demand).
		if _, err := acc.Authenticate(ctx, "khong-co", "Mật-khẩu-chung-1", "127.0.0.1"); err == nil {
			t.Fatal("an unknown user signed in")
		}
	})
}
