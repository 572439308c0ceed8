package reports_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
)

// world is a province department (P) with a district (D), two communes
// (C1, C2) and C1's radio station (S), one user per unit who drafts,
// approves, issues and receives, and the services that make reports.
type world struct {
	t       *testing.T
	ctx     context.Context
	st      *storage.Store
	clock   *clock.Fake
	blobs   blob.Store
	dirs    *directives.Service
	stats   *stats.Service
	reports *reports.Service
	units   map[string]*model.Unit
	users   map[string]*model.User
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, i18n.Zone())
	if err != nil {
		panic(err)
	}
	return t
}

func newWorld(t *testing.T, st *storage.Store, start string) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), st: st, clock: clock.NewFake(at(start)), units: map[string]*model.Unit{}, users: map[string]*model.User{}}
	var err error
	if w.blobs, err = blob.NewFS(filepath.Join(t.TempDir(), "blobs")); err != nil {
		t.Fatal(err)
	}
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	reg := registry.New(st, policy, i18n.Zone())
	reg.SetClock(w.clock)
	w.dirs = directives.New(st, w.blobs, reg, policy, directives.Options{Log: log, Clock: w.clock})
	w.stats = stats.New(st, policy, stats.Config{Clock: w.clock, Loc: i18n.Zone(), OnlineWindow: time.Minute})
	w.reports = w.newReports()
	err = st.Tx(w.ctx, func(tx *storage.Tx) error {
		mk := func(code, kind, name, parent string) {
			u := &model.Unit{Code: "rp-" + code, Name: name, Kind: kind, Abbreviation: "RP" + code}
			if parent != "" {
				u.ParentID = &w.units[parent].ID
			}
			if err := tx.Orgs().InsertUnit(w.ctx, u); err != nil {
				t.Fatal(err)
			}
			w.units[code] = u
			user := &model.User{Username: "u-" + code, FullName: "Cán bộ " + name, Title: "Chuyên viên", Email: "u-" + code + "@example.vn",
				UnitID: u.ID, Roles: []model.Role{model.RoleAdmin, model.RoleDrafter, model.RoleClerk, model.RoleReceiver},
				Active: true, Lang: "vi"}
			if err := tx.Accounts().InsertUser(w.ctx, user, "x"); err != nil {
				t.Fatal(err)
			}
			w.users[code] = user
			boss := &model.User{Username: "a-" + code, FullName: "Lãnh đạo " + name, Title: "Chủ tịch", Email: "a-" + code + "@example.vn",
				UnitID: u.ID, Roles: []model.Role{model.RoleApprover}, Active: true, Lang: "vi"}
			if err := tx.Accounts().InsertUser(w.ctx, boss, "x"); err != nil {
				t.Fatal(err)
			}
			w.users["boss-"+code] = boss
		}
		mk("P", "provincial_pc", "Ủy ban nhân dân tỉnh Kiên Giang", "")
		mk("D", "district_pc", "Ủy ban nhân dân huyện Hòn Đất", "P")
		mk("C1", "commune_pc", "Ủy ban nhân dân xã Bình Sơn", "D")
		mk("S", "commune_radio", "Đài truyền thanh xã Bình Sơn", "C1")
		mk("C2", "commune_pc", "Ủy ban nhân dân xã Mỹ Lâm", "D")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// newReports is a reports service over the world's store (a restart
// makes a new one).
func (w *world) newReports() *reports.Service {
	w.t.Helper()
	r, err := reports.New(w.st, reports.Config{Clock: w.clock, Loc: i18n.Zone(), Policy: authz.Default(), Blobs: w.blobs, Stats: w.stats,
		Drafts: w.dirs.Drafts(), Log: slog.New(slog.NewTextHandler(testWriter{w.t}, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) actor(code string) model.Actor {
	u := w.users[code]
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: w.units[strings.TrimPrefix(code, "boss-")].Path, Roles: u.Roles}
}

func (w *world) set(s string) { w.clock.Set(at(s)) }

// issue drafts, approves and issues a directive of unit code to the
// recipients, and delivers it.
func (w *world) issue(code string, c directives.Content) *directives.View {
	w.t.Helper()
	a := w.actor(code)
	v, err := w.dirs.Drafts().Create(w.ctx, a, directives.CreateInput{UnitID: w.units[code].ID, Content: c})
	if err != nil {
		w.t.Fatalf("draft of %s: %v", code, err)
	}
	return w.approveIssue(code, v.ID)
}

func (w *world) approveIssue(code string, id int64) *directives.View {
	w.t.Helper()
	a := w.actor(code)
	if _, err := w.dirs.Workflow().Submit(w.ctx, a, id, ""); err != nil {
		w.t.Fatalf("submit %d: %v", id, err)
	}
	if _, err := w.dirs.Workflow().Approve(w.ctx, w.actor("boss-"+code), id, "Đồng ý"); err != nil {
		w.t.Fatalf("approve %d: %v", id, err)
	}
	v, err := w.dirs.Workflow().Issue(w.ctx, a, id, directives.IssueInput{})
	if err != nil {
		w.t.Fatalf("issue %d: %v", id, err)
	}
	if _, err := w.dirs.DeliverPending(w.ctx); err != nil {
		w.t.Fatalf("deliver: %v", err)
	}
	return v
}

// report answers the unit's delivery of a directive.
func (w *world) report(code string, directiveID int64) {
	w.t.Helper()
	a := w.actor(code)
	inbox, err := w.dirs.Deliveries().Inbox(w.ctx, a, directives.InboxFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, d := range inbox {
		if d.DirectiveID == directiveID {
			if _, err := w.dirs.Deliveries().SubmitReport(w.ctx, a, d.ID, directives.ReportInput{Text: "Đã triển khai thực hiện."}); err != nil {
				w.t.Fatalf("report of %s: %v", code, err)
			}
			return
		}
	}
	w.t.Fatalf("%s did not receive directive %d", code, directiveID)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func (w *world) must(err error, what string, args ...any) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
