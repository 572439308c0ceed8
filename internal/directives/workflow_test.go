package directives_test

import (
	"fmt"
	"testing"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
)

// TestApprovalStepsCorrectionsDecline: configured approval steps (one
// for a named approver), a replacement of an issued directive, a
// decline, and assignment to a sub-unit.
func TestApprovalStepsCorrectionsDecline(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		so := e.unit("so-tttt-kg")
		e.addUser("giamdoc.so", "so-tttt-kg", model.RoleApprover)
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directive-settings/%d", so.ID), "admin", directives.Settings{
			ApprovalSteps:      []directives.ApprovalStep{{Label: "Trưởng phòng xem xét"}, {Label: "Giám đốc ký", UserID: e.user("giamdoc.so").ID}},
			EmailNotifications: true}, nil)
		v := seedDraft(e)
		path := fmt.Sprintf("/api/v1/directives/%d", v.ID)
		e.must(200, "POST", path+"/submit", "chuyenvien.so", nil, &v)
		if v.Status != "submitted" || len(v.Steps) != 2 {
			t.Fatalf("submitted: %s, %d steps", v.Status, len(v.Steps))
		}
		e.must(200, "POST", path+"/approve", "lamvanson", map[string]string{"comment": "Đạt"}, &v)
		if v.Status != "submitted" || v.Step != 1 {
			t.Fatalf("after step 1: %s step %d", v.Status, v.Step)
		}
		// Step 2 is the director's.
		if r := e.do("POST", path+"/approve", "lamvanson", nil); r.code != 403 {
			t.Fatalf("step 2 by another approver: %d %s", r.code, r.body)
		}
		e.must(200, "POST", path+"/approve", "giamdoc.so", nil, &v)
		if v.Status != "approved" {
			t.Fatalf("after step 2: %s", v.Status)
		}
		e.at("2021-06-05")
		e.must(200, "POST", path+"/issue", "vanthu.so", directives.IssueInput{Date: "2021-06-05"}, &v)
		// The signer is who approved the last step.
		if docmodel.Val(v.Fields.SignerName) != e.user("giamdoc.so").FullName {
			t.Fatalf("signer %q", docmodel.Val(v.Fields.SignerName))
		}
		e.deliver()

		// Báo Kiên Giang declines it with a reason.
		del := e.inboxOf("xem.baokg", "")[0]
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/decline", del.ID), "xem.baokg", map[string]string{"reason": "Không thuộc lĩnh vực của Báo"}, nil)
		var tr directives.Tracking
		e.must(200, "GET", path+"/tracking?status=declined", "vanthu.so", nil, &tr)
		if tr.Progress.Declined != 1 || len(tr.Rows) != 1 || tr.Rows[0].DeclineReason != "Không thuộc lĩnh vực của Báo" {
			t.Fatalf("declined in tracking: %+v", tr.Progress)
		}

		// A replacement: a new draft citing the old one, which stays as it was.
		var repl directives.View
		e.must(201, "POST", path+"/corrections", "chuyenvien.so", map[string]string{"kind": "thay thế"}, &repl)
		if repl.CorrectionOf == nil || *repl.CorrectionOf != v.ID || repl.CorrectionKind != "thay thế" || len(repl.Content.References) == 0 ||
			docmodel.Val(repl.Content.References[0].Number) != docmodel.Val(v.Fields.Number) || repl.Status != "draft" {
			t.Fatalf("replacement draft: %+v", repl.Directive)
		}
		if r := e.do("POST", path+"/corrections", "chuyenvien.so", map[string]string{"kind": "sửa"}); r.code != 400 {
			t.Fatalf("unknown correction kind: %d", r.code)
		}
		rpath := fmt.Sprintf("/api/v1/directives/%d", repl.ID)
		e.must(200, "POST", rpath+"/submit", "chuyenvien.so", nil, nil)
		e.must(200, "POST", rpath+"/approve", "lamvanson", nil, nil)
		e.must(200, "POST", rpath+"/approve", "giamdoc.so", nil, nil)
		e.at("2021-06-06")
		e.must(200, "POST", rpath+"/issue", "vanthu.so", directives.IssueInput{Date: "2021-06-06"}, &repl)
		var old struct {
			directives.View
			Corrections []directives.View `json:"corrections"`
		}
		e.must(200, "GET", path, "vanthu.so", nil, &old)
		if len(old.Corrections) != 1 || old.Corrections[0].Code != repl.Code || old.Code != v.Code || old.PDFSHA != v.PDFSHA {
			t.Fatalf("the replaced directive: %+v", old.Corrections)
		}

		// Assigning to a sub-unit lets its staff see and handle it.
		issue355(e)
		e.deliver()
		d355 := e.inboxOf("vanthu.so", "")[0].ID
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/assign", d355), "vanthu.so", directives.AssignInput{UnitID: e.unit("so-tttt-kg-ttbcbc").ID}, nil)
		mine := e.inboxOf("chuyenvien.so", "assigned=1")
		if len(mine) != 1 || mine[0].ID != d355 || !mine[0].Can.Forward {
			t.Fatalf("sub-unit's assigned work: %+v", mine)
		}
	})
}
