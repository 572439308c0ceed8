package web_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

// allowed lists, per API action and role, the scopes where the action
// succeeds; everywhere else it must be refused with 403. Written out by
// hand, independently of authz.Default, so a change of policy shows here.
var allowed = map[string]map[model.Role]string{
	"unit.read":   {"admin": "own below outside", "clerk": "own below outside", "drafter": "own below outside", "approver": "own below outside", "receiver": "own below outside", "broadcaster": "own below outside", "viewer": "own below outside"},
	"unit.update": {"admin": "own below"},
	"unit.create": {"admin": "own below"},
	"group.read":  {"admin": "own below", "clerk": "own", "drafter": "own", "approver": "own", "receiver": "own", "broadcaster": "own", "viewer": "own"},
	"group.write": {"admin": "own below", "clerk": "own", "drafter": "own"},
	"user.read":   {"admin": "own below", "clerk": "own", "approver": "own"},
	"user.update": {"admin": "own below"},
	"user.create": {"admin": "own below"},
	"token.admin": {"admin": "own below"},
	"audit.read":  {"admin": "own below outside"},
	"doc.read":    {"admin": "own below", "clerk": "own", "drafter": "own", "approver": "own", "receiver": "own", "broadcaster": "own", "viewer": "own"},
	"doc.import":  {"admin": "own below", "clerk": "own", "drafter": "own", "receiver": "own"},
	"reg.read":    {"admin": "own below", "clerk": "own", "approver": "own", "viewer": "own"},
	"reg.issue":   {"admin": "own below", "clerk": "own"},
	"bc.read":     {"admin": "own below", "clerk": "own", "drafter": "own", "approver": "own", "receiver": "own", "broadcaster": "own", "viewer": "own"},
	"bc.key":      {"admin": "own below", "broadcaster": "own"},
}

func TestAuthorizationTable(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		sys := model.System("test")
		targets := map[string]*model.Unit{
			"own":     e.unit("ubnd-rach-gia"),
			"below":   e.unit("ubnd-vinh-thanh-van"),
			"outside": e.unit("ubnd-kien-luong"),
		}
		// A user, a group and a document in each target unit.
		targetDoc := map[string]int64{}
		seed := fixture(t, "cv-570-STTTT-TTBCBC-2021.txt")
		for scope, u := range targets {
			res, err := e.documents.Import(ctx, sys, documents.ImportInput{UnitID: u.ID, Filename: "seed.txt", Data: bytes.NewReader(seed)})
			if err != nil {
				t.Fatal(err)
			}
			targetDoc[scope] = res.Document.ID
		}
		targetUser := map[string]int64{}
		targetGroup := map[string]int64{}
		for scope, u := range targets {
			nu, err := e.accounts.CreateUser(ctx, sys, accounts.NewUser{Username: "target-" + scope, Password: "password-123", FullName: "Target", UnitID: u.ID, Roles: []model.Role{model.RoleViewer}})
			if err != nil {
				t.Fatal(err)
			}
			targetUser[scope] = nu.ID
			g, err := e.orgs.CreateGroup(ctx, sys, orgs.GroupInput{OwnerUnitID: u.ID, Name: "group " + scope, Members: []int64{u.ID}})
			if err != nil {
				t.Fatal(err)
			}
			targetGroup[scope] = g.ID
		}
		home := targets["own"]
		n := 0
		for _, role := range model.AllRoles {
			name := "t-" + string(role)
			if _, err := e.accounts.CreateUser(ctx, sys, accounts.NewUser{Username: name, Password: "password-123", FullName: name, UnitID: home.ID, Roles: []model.Role{role}}); err != nil {
				t.Fatal(err)
			}
			tok := e.tokenFor(name)
			for action, byRole := range allowed {
				for scope, target := range targets {
					n++
					var r result
					switch action {
					case "unit.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/units/%d", target.ID), tok, nil)
					case "unit.update":
						in := orgs.UnitInput{Code: target.Code, ParentID: target.ParentID, Name: target.Name, ShortName: target.ShortName + " ", Kind: target.Kind, Abbreviation: target.Abbreviation, ActiveFrom: target.ActiveFrom}
						r = e.do("PUT", fmt.Sprintf("/api/v1/units/%d", target.ID), tok, in)
					case "unit.create":
						r = e.do("POST", "/api/v1/units", tok, orgs.UnitInput{Code: fmt.Sprintf("new-%d", n), ParentID: &target.ID, Name: "Tổ dân phố mới", Kind: "other"})
					case "group.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/groups/%d/units", targetGroup[scope]), tok, nil)
					case "group.write":
						r = e.do("POST", "/api/v1/groups", tok, orgs.GroupInput{OwnerUnitID: target.ID, Name: fmt.Sprintf("g-%d", n), Members: []int64{target.ID}})
					case "user.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/users/%d", targetUser[scope]), tok, nil)
					case "user.update":
						r = e.do("PATCH", fmt.Sprintf("/api/v1/users/%d", targetUser[scope]), tok, map[string]any{"title": "Cán bộ"})
					case "user.create":
						r = e.do("POST", "/api/v1/users", tok, accounts.NewUser{Username: fmt.Sprintf("new-%d", n), Password: "password-123", UnitID: target.ID, Roles: []model.Role{model.RoleViewer}})
					case "token.admin":
						r = e.do("GET", fmt.Sprintf("/api/v1/tokens?user_id=%d", targetUser[scope]), tok, nil)
					case "audit.read":
						r = e.do("GET", "/api/v1/audit?limit=5", tok, nil)
					case "bc.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/broadcast/devices?unit_id=%d", target.ID), tok, nil)
					case "bc.key":
						r = e.do("POST", "/api/v1/broadcast/enrolment-keys", tok, map[string]any{"unit_id": target.ID, "label": "test"})
					case "doc.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/documents/%d", targetDoc[scope]), tok, nil)
					case "doc.import":
						body := fmt.Sprintf("Số: %d/UBND-VX\nV/v thử nghiệm\n", n)
						r = e.upload("/api/v1/documents", tok, fmt.Sprintf("doc-%d.txt", n), strings.NewReader(body), map[string]string{"unit_id": fmt.Sprint(target.ID)})
					case "reg.read":
						r = e.do("GET", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing", target.ID), tok, nil)
					case "reg.issue":
						r = e.do("POST", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing", target.ID), tok, map[string]any{"doc_type": "Công văn", "date": "2021-06-04"})
					}
					want := strings.Contains(" "+byRole[role]+" ", " "+scope+" ")
					if want && (r.code < 200 || r.code > 299) {
						t.Errorf("%s as %s on %s unit: got %d %s, want success", action, role, scope, r.code, r.body)
					}
					if !want && r.code != 403 {
						t.Errorf("%s as %s on %s unit: got %d %s, want 403", action, role, scope, r.code, r.body)
					}
				}
			}
		}
		t.Logf("checked %d role × action × scope combinations", n)
	})
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u, _, _ := e.store.Accounts().UserByUsername(context.Background(), "admin")
		secret, _, err := e.accounts.CreateToken(context.Background(), model.System("test"), accounts.NewToken{UserID: u.ID, Name: "ro", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		root := e.unit("ubnd-kg")
		if r := e.do("GET", "/api/v1/units", secret, nil); r.code != 200 {
			t.Fatalf("read with read-only token: %d", r.code)
		}
		r := e.do("POST", "/api/v1/units", secret, orgs.UnitInput{Code: "ro-x", ParentID: &root.ID, Name: "X", Kind: "other"})
		if r.code != 403 {
			t.Fatalf("write with read-only token: %d %s", r.code, r.body)
		}
		if _, err := e.store.Orgs().UnitByCode(context.Background(), "ro-x"); err == nil {
			t.Fatal("unit created by read-only token")
		}
	})
}
