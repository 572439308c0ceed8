package archive_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func actor(t *testing.T, e *env, name string, role model.Role) model.Actor {
	t.Helper()
	ctx := context.Background()
	u := &model.User{Username: name + storetest.Unique(), FullName: name, UnitID: e.unit.ID, Roles: []model.Role{role}, Active: true, Lang: "vi"}
	if err := e.st.Tx(ctx, func(tx *storage.Tx) error { return tx.Accounts().InsertUser(ctx, u, "x") }); err != nil {
		t.Fatal(err)
	}
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: e.unit.ID, UnitPath: e.unit.Path, Roles: u.Roles}
}

func at(s string) func() time.Time {
	return func() time.Time { t, _ := time.ParseInLocation("2006-01-02", s, i18n.Zone()); return t }
}

// TestRetentionHoldAndApprovedDisposal: the seed Công văn of 2021 (10
// years) is due from 2032; a legal hold takes it off the review list and
// blocks its disposal; disposal needs a list drawn up by a clerk, approved
// by a leader who is someone else, then executed — recorded, audited,
// with the list document kept and the document's identity kept.
func TestRetentionHoldAndApprovedDisposal(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, eng)
			for i := range 2 {
				if err := e.addLetter(ctx, i, letter(t, i)); err != nil {
					t.Fatal(err)
				}
			}
			svc := archive.New(e.st, e.blobs, authz.Default(), i18n.Zone())
			clerk := actor(t, e, "vanthu", model.RoleClerk)
			leader := actor(t, e, "lanhdao", model.RoleApprover)
			admin := actor(t, e, "admin", model.RoleAdmin)

			rules, err := svc.Rules(ctx, clerk)
			if err != nil {
				t.Fatal(err)
			}
			years := map[string]int{}
			for _, r := range rules {
				years[r.DocType] = r.Years
			}
			if years["Công văn"] != 10 || years["Quyết định"] != 0 || !strings.Contains(rules[0].Basis, "10/2022/TT-BNV") {
				t.Fatalf("default rules: %v", years)
			}
			if _, err := svc.SaveRule(ctx, clerk, model.RetentionRule{DocType: "Công văn", Years: 1}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("a clerk edits a rule: %v", err)
			}
			if _, err := svc.SaveRule(ctx, admin, model.RetentionRule{DocType: "Công văn", Years: -3}); !errors.As(err, new(*model.ValidationError)) {
				t.Fatalf("negative years: %v", err)
			}

			svc.SetNow(at("2031-12-31"))
			if due, err := svc.Due(ctx, clerk, 0); err != nil || len(due) != 0 {
				t.Fatalf("due in 2031: %v %v", due, err)
			}
			svc.SetNow(at("2032-01-02"))
			due, err := svc.Due(ctx, clerk, 0)
			if err != nil || len(due) != 2 || due[0].DueOn != "2032-01-01" || due[0].Years != 10 {
				t.Fatalf("due in 2032: %+v %v", due, err)
			}
			// An administrator makes Công văn permanent: nothing is due.
			if _, err := svc.SaveRule(ctx, admin, model.RetentionRule{DocType: "Công văn", Years: 0, Basis: "giữ lâu dài"}); err != nil {
				t.Fatal(err)
			}
			if due, _ := svc.Due(ctx, clerk, 0); len(due) != 0 {
				t.Fatalf("permanent type still due: %+v", due)
			}
			if _, err := svc.SaveRule(ctx, admin, model.RetentionRule{DocType: "Công văn", Years: 10, Basis: "TT 10/2022"}); err != nil {
				t.Fatal(err)
			}

			held, other := due[0].DocumentID, due[1].DocumentID
			h, err := svc.PlaceHold(ctx, clerk, held, "Thanh tra đang xem xét")
			if err != nil {
				t.Fatal(err)
			}
			if due, _ := svc.Due(ctx, clerk, 0); len(due) != 1 || due[0].DocumentID != other {
				t.Fatalf("held document still due: %+v", due)
			}
			if _, err := svc.Propose(ctx, clerk, archive.ProposeInput{DocumentIDs: []int64{held}}); !errors.As(err, new(*model.ValidationError)) {
				t.Fatalf("a held document put on a list: %v", err)
			}
			if err := svc.ReleaseHold(ctx, clerk, h.ID, "Thanh tra kết thúc"); err != nil {
				t.Fatal(err)
			}
			l, err := svc.Propose(ctx, clerk, archive.ProposeInput{DocumentIDs: []int64{held, other}})
			if err != nil {
				t.Fatal(err)
			}
			if l.Status != model.DisposalProposed || len(l.Items) != 2 {
				t.Fatalf("list: %+v", l)
			}
			f, _, err := e.blobs.Open(ctx, l.ListSHA)
			if err != nil {
				t.Fatal(err)
			}
			listDoc, _ := io.ReadAll(f)
			f.Close()
			if !strings.Contains(string(listDoc), "DANH MỤC TÀI LIỆU HẾT GIÁ TRỊ") || !strings.Contains(string(listDoc), "1000/STTTT-TTBCBC") {
				t.Fatalf("list document:\n%s", listDoc)
			}
			if due, _ := svc.Due(ctx, clerk, 0); len(due) != 0 {
				t.Fatalf("documents on an open list still offered: %+v", due)
			}
			// Not executable before approval; the clerk cannot approve.
			if _, err := svc.Execute(ctx, clerk, l.ID); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("execute before approval: %v", err)
			}
			if _, err := svc.Decide(ctx, clerk, l.ID, true, ""); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("clerk approves: %v", err)
			}
			if _, err := svc.Decide(ctx, leader, l.ID, true, "Đồng ý hủy"); err != nil {
				t.Fatal(err)
			}
			// A hold placed after approval blocks the execution.
			h2, err := svc.PlaceHold(ctx, clerk, other, "Khiếu nại mới")
			if err != nil {
				t.Fatal(err)
			}
			var he *archive.HeldError
			if _, err := svc.Execute(ctx, clerk, l.ID); !errors.As(err, &he) || len(he.IDs) != 1 || he.IDs[0] != other {
				t.Fatalf("execute with a held document: %v", err)
			}
			if d, _ := e.st.Documents().Document(ctx, other); d.Original == nil || d.BodyText == "" {
				t.Fatal("a held document lost its content")
			}
			if err := svc.ReleaseHold(ctx, clerk, h2.ID, "Đã giải quyết"); err != nil {
				t.Fatal(err)
			}
			done, err := svc.Execute(ctx, clerk, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != model.DisposalExecuted || done.ExecutedAt == nil || done.DecidedBy == nil || *done.DecidedBy != leader.UserID {
				t.Fatalf("executed list: %+v", done)
			}
			for _, id := range []int64{held, other} {
				d, err := e.st.Documents().Document(ctx, id)
				if err != nil {
					t.Fatalf("a disposed document's record is kept: %v", err)
				}
				if d.Original != nil || d.BodyText != "" || d.Code() == "" {
					t.Fatalf("document %d after disposal: %+v", id, d)
				}
			}
			if _, err := svc.Execute(ctx, clerk, l.ID); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("executed twice: %v", err)
			}
			var n int
			if err := e.st.QueryRowRaw(ctx, `SELECT count(*) FROM audit_log WHERE action LIKE 'retention.%'`).Scan(&n); err != nil || n < 9 {
				t.Fatalf("audit entries: %d %v", n, err)
			}
			// The originals are now unreferenced: fsck lists them, the
			// list document stays referenced.
			rep, err := archive.Fsck(ctx, e.st, e.data, archive.FsckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			k := kinds(rep)
			if len(k[archive.ProblemOrphan]) != 2 || len(k[archive.ProblemMissing]) != 0 {
				t.Fatalf("fsck after disposal: %+v", rep.Problems)
			}
		})
	}
}
