package directives_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// seedDraft creates a draft by chuyenvien.so addressed to Báo Kiên Giang.
func seedDraft(e *env) directives.View {
	c := directives.Content{DocType: "Công văn", Subject: "Tuyên truyền phòng, chống dịch", Intro: "Đề nghị Báo Kiên Giang đăng tải.",
		Recipients: []directives.Recipient{{UnitID: e.unit("bao-kg").ID}}, Deadline: "2021-06-20"}
	var v directives.View
	e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c}, &v)
	return v
}

// TestNoUnitSeesAnotherUnitsInbox and drafts are visible to their parties only.
func TestAuthorization(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		issue355(e)
		e.deliver()
		del := e.inboxOf("vanthu.so", "")[0].ID
		so := e.unit("so-tttt-kg")

		// Inboxes: other units' staff, admins of other subtrees and the
		// sender get 403 on the recipient's inbox and its actions.
		for _, user := range []string{"vanthu.kienluong", "admin.rachgia", "vanthu.cuc", "xem.baokg"} {
			if r := e.do("GET", fmt.Sprintf("/api/v1/inbox?unit_id=%d", so.ID), user, nil); r.code != 403 {
				t.Errorf("%s reads the Sở inbox: %d %s", user, r.code, r.body)
			}
			if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", del), user, nil); r.code != 403 {
				t.Errorf("%s acknowledges for the Sở: %d %s", user, r.code, r.body)
			}
			if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/forward", del), user, nil); r.code != 403 {
				t.Errorf("%s forwards for the Sở: %d %s", user, r.code, r.body)
			}
		}
		for _, user := range []string{"vanthu.kienluong", "admin.rachgia", "xem.baokg"} {
			if r := e.do("GET", fmt.Sprintf("/api/v1/deliveries/%d", del), user, nil); r.code != 403 {
				t.Errorf("%s reads the Sở's delivery: %d %s", user, r.code, r.body)
			}
		}
		// Their own inboxes are empty; the Sở's staff and the sender see it.
		if got := e.inboxOf("vanthu.kienluong", ""); len(got) != 0 {
			t.Errorf("Kiên Lương inbox: %+v", got)
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/deliveries/%d", del), "vanthu.so", nil, nil)
		e.must(200, "GET", fmt.Sprintf("/api/v1/deliveries/%d", del), "vanthu.cuc", nil, nil)
		if r := e.do("GET", "/api/v1/inbox", "", nil); r.code != 401 {
			t.Errorf("anonymous inbox: %d", r.code)
		}

		// A draft is visible to its author only, then to the approvers
		// once submitted, then to the clerk once approved.
		v := seedDraft(e)
		path := fmt.Sprintf("/api/v1/directives/%d", v.ID)
		visible := func(user string, want bool) {
			t.Helper()
			r := e.do("GET", path, user, nil)
			if (r.code == 200) != want || (r.code != 200 && r.code != 403) {
				t.Errorf("%s reads the %s draft: %d %s", user, v.Status, r.code, r.body)
			}
			r = e.do("GET", path+"/preview", user, nil)
			if (r.code == 200) != want {
				t.Errorf("%s previews the %s draft: %d", user, v.Status, r.code)
			}
		}
		visible("chuyenvien.so", true)
		for _, u := range []string{"vanthu.so", "lamvanson", "vanthu.kienluong", "lanhdao.cuc", "admin"} {
			visible(u, false)
		}
		var box struct {
			Directives []directives.View `json:"directives"`
		}
		e.must(200, "GET", "/api/v1/directives?box=approve", "lamvanson", nil, &box)
		if len(box.Directives) != 0 {
			t.Errorf("approver's box before submission: %d", len(box.Directives))
		}
		e.must(200, "POST", path+"/submit", "chuyenvien.so", nil, &v)
		visible("lamvanson", true)
		visible("vanthu.so", false)
		visible("lanhdao.rachgia", false)
		e.must(200, "GET", "/api/v1/directives?box=approve", "lamvanson", nil, &box)
		if len(box.Directives) != 1 || box.Directives[0].ID != v.ID {
			t.Errorf("approver's box after submission: %+v", box.Directives)
		}
		e.must(200, "POST", path+"/approve", "lamvanson", nil, &v)
		visible("vanthu.so", true)
		visible("vanthu.kienluong", false)
		// Comments need the same: a stranger cannot comment.
		if r := e.do("POST", path+"/comments", "vanthu.kienluong", map[string]string{"text": "?"}); r.code != 403 {
			t.Errorf("stranger comments: %d", r.code)
		}
		// Issued: the unit and the recipients see it, others do not;
		// tracking is for the issuing unit.
		e.at("2021-06-05")
		e.must(200, "POST", path+"/issue", "vanthu.so", directives.IssueInput{Date: "2021-06-05"}, &v)
		e.deliver()
		visible("xem.baokg", true)
		visible("vanthu.kienluong", false)
		if r := e.do("GET", path+"/tracking", "vanthu.kienluong", nil); r.code != 403 {
			t.Errorf("stranger tracks: %d", r.code)
		}
		if r := e.do("GET", path+"/tracking", "xem.baokg", nil); r.code != 403 {
			t.Errorf("recipient tracks the issuer's matrix: %d", r.code)
		}
		e.must(200, "GET", path+"/tracking", "lamvanson", nil, nil)
	})
}

// TestBadInputChangesNothing: unknown recipient, approval without the
// role, issuing twice, a report on a closed delivery and other bad input
// get a clear 4xx and change nothing.
func TestBadInputChangesNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		raw := rawDB(t, e.dsn)
		count := func(query string) int {
			t.Helper()
			var n int
			if err := raw.QueryRow(query).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		errorOf := func(r result) (field, msg string) {
			var body struct {
				Error struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"error"`
			}
			_ = json.Unmarshal(r.body, &body)
			return body.Error.Field, body.Error.Message
		}
		before := count(`SELECT count(*) FROM directives`)

		// Unknown recipient: 400 naming the field; nothing stored.
		c := directives.Content{DocType: "Công văn", Subject: "X", Intro: "Y", Recipients: []directives.Recipient{{UnitID: 999999}}}
		r := e.do("POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c})
		if f, m := errorOf(r); r.code != 400 || f != "recipients[0].unit_id" || !strings.Contains(m, "999999 does not exist") {
			t.Errorf("unknown recipient: %d %s", r.code, r.body)
		}
		c.Recipients = []directives.Recipient{{GroupID: 424242}}
		if r := e.do("POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c}); r.code != 400 {
			t.Errorf("unknown group: %d %s", r.code, r.body)
		}
		if n := count(`SELECT count(*) FROM directives`); n != before {
			t.Errorf("bad drafts stored: %d → %d directives", before, n)
		}
		// Other shapes of bad content.
		for name, body := range map[string]string{
			"malformed":          `{"content": {"subject": `,
			"unknown field":      `{"content": {"subjekt": "x"}}`,
			"level":              `{"content": {"doc_type": "Công văn", "items": [{"text": "a", "broadcast": {"level": "filler"}}]}}`,
			"period":             `{"content": {"doc_type": "Công văn", "items": [{"text": "a", "broadcast": {"level": "priority", "start_date": "2021-06-20", "end_date": "2021-06-05"}}]}}`,
			"urgency":            `{"content": {"urgency": "RẤT KHẨN"}}`,
			"two kinds":          `{"content": {"recipients": [{"unit_id": 3, "group_id": 1}]}}`,
			"audio not uploaded": `{"content": {"items": [{"text": "a", "broadcast": {"level": "normal", "audio": ["` + strings.Repeat("ab", 32) + `"]}}]}}`,
		} {
			r := e.do("POST", "/api/v1/directives", "chuyenvien.so", json.RawMessage(body))
			if r.code != 400 {
				t.Errorf("%s: %d %s", name, r.code, r.body)
			}
		}
		if n := count(`SELECT count(*) FROM directives`); n != before {
			t.Errorf("bad drafts stored: %d → %d directives", before, n)
		}
		// A non-drafter cannot draft.
		if r := e.do("POST", "/api/v1/directives", "vanthu.so", directives.CreateInput{Content: directives.Content{Subject: "x"}}); r.code != 403 {
			t.Errorf("clerk drafts: %d %s", r.code, r.body)
		}

		v := seedDraft(e)
		path := fmt.Sprintf("/api/v1/directives/%d", v.ID)
		// Saving an unknown recipient: 400, version unchanged.
		bad := v.Content
		bad.Recipients = append(bad.Recipients, directives.Recipient{SubtreeOf: 987654})
		if r := e.do("PUT", path, "chuyenvien.so", directives.SaveInput{BaseVersion: v.Version, Content: bad}); r.code != 400 {
			t.Errorf("save unknown subtree: %d %s", r.code, r.body)
		}
		var now directives.View
		e.must(200, "GET", path, "chuyenvien.so", nil, &now)
		if now.Version != v.Version {
			t.Errorf("version moved to %d after a refused save", now.Version)
		}
		// Submitting needs a complete draft.
		incomplete := v.Content
		incomplete.Recipients = nil
		e.must(200, "PUT", path, "chuyenvien.so", directives.SaveInput{BaseVersion: v.Version, Content: incomplete}, &now)
		if r := e.do("POST", path+"/submit", "chuyenvien.so", nil); r.code != 400 {
			t.Errorf("submit without recipients: %d %s", r.code, r.body)
		}
		e.must(200, "PUT", path, "chuyenvien.so", directives.SaveInput{BaseVersion: now.Version, Content: v.Content}, &now)
		e.must(200, "POST", path+"/submit", "chuyenvien.so", nil, nil)

		// Approval by someone without the role (or of another unit): 403,
		// still submitted, no approval recorded.
		for _, user := range []string{"vanthu.so", "chuyenvien.so", "lanhdao.rachgia", "xem.baokg"} {
			r := e.do("POST", path+"/approve", user, nil)
			if r.code != 403 {
				t.Errorf("approve by %s: %d %s", user, r.code, r.body)
			}
		}
		e.must(200, "GET", path, "chuyenvien.so", nil, &now)
		if now.Status != "submitted" || now.Step != 0 || count(fmt.Sprintf(`SELECT count(*) FROM directive_comments WHERE directive_id = %d AND kind = 'approve'`, v.ID)) != 0 {
			t.Errorf("after refused approvals: %s step %d", now.Status, now.Step)
		}
		// Issuing before approval: the clerk is not yet a party (403).
		if r := e.do("POST", path+"/issue", "vanthu.so", nil); r.code != 403 {
			t.Errorf("issue before approval: %d %s", r.code, r.body)
		}
		e.must(200, "POST", path+"/approve", "lamvanson", nil, nil)
		// Issuing by a non-clerk: 403.
		if r := e.do("POST", path+"/issue", "lamvanson", nil); r.code != 403 {
			t.Errorf("issue by the approver: %d %s", r.code, r.body)
		}
		e.at("2021-06-05")
		e.must(200, "POST", path+"/issue", "vanthu.so", directives.IssueInput{Date: "2021-06-05"}, &now)
		so := e.unit("so-tttt-kg")
		regs := func() int {
			return count(fmt.Sprintf(`SELECT count(*) FROM register_entries WHERE unit_id = %d AND series = 'outgoing'`, so.ID))
		}
		dels := count(fmt.Sprintf(`SELECT count(*) FROM deliveries WHERE directive_id = %d`, v.ID))
		regBefore := regs()
		// Issuing twice: 409 saying so; no second number, no new deliveries.
		r = e.do("POST", path+"/issue", "vanthu.so", nil)
		if _, m := errorOf(r); r.code != 409 || !strings.Contains(m, "already issued as "+now.Code) {
			t.Errorf("second issue: %d %s", r.code, r.body)
		}
		if regs() != regBefore || count(fmt.Sprintf(`SELECT count(*) FROM deliveries WHERE directive_id = %d`, v.ID)) != dels {
			t.Error("the second issue changed the register or the deliveries")
		}
		n, _ := e.store.Registers().Counter(ctx, so.ID, 2021, model.SeriesOutgoing)
		if n != 1 {
			t.Errorf("outgoing counter at %d after one issue", n)
		}

		// A report on a closed delivery: 409, report unchanged.
		e.deliver()
		del := e.inboxOf("xem.baokg", "")[0]
		path = fmt.Sprintf("/api/v1/deliveries/%d", del.ID)
		if r := e.do("POST", path+"/report", "xem.baokg", directives.Report{}); r.code != 400 {
			t.Errorf("empty report: %d %s", r.code, r.body)
		}
		if r := e.do("POST", path+"/close", "vanthu.so", nil); r.code != 409 {
			t.Errorf("closing an unreported delivery: %d %s", r.code, r.body)
		}
		e.must(200, "POST", path+"/report", "xem.baokg", directives.Report{Text: "Đã đăng 3 bài", Figures: map[string]float64{"articles": 3}}, nil)
		if r := e.do("POST", path+"/close", "xem.baokg", nil); r.code != 403 {
			t.Errorf("the recipient closes its own delivery: %d %s", r.code, r.body)
		}
		e.must(200, "POST", path+"/close", "vanthu.so", nil, nil)
		r = e.do("POST", path+"/report", "xem.baokg", directives.Report{Text: "Báo cáo lại"})
		if _, m := errorOf(r); r.code != 409 || !strings.Contains(m, "closed") {
			t.Errorf("report on a closed delivery: %d %s", r.code, r.body)
		}
		if r := e.do("POST", path+"/decline", "xem.baokg", map[string]string{"reason": "nhầm"}); r.code != 409 {
			t.Errorf("decline a closed delivery: %d %s", r.code, r.body)
		}
		var d directives.DeliveryDetail
		e.must(200, "GET", path, "xem.baokg", nil, &d)
		if d.Status != "closed" || d.Report == nil || d.Report.Text != "Đã đăng 3 bài" {
			t.Errorf("closed delivery changed: %s %+v", d.Status, d.Report)
		}
		// Assigning to someone outside the unit: 400.
		issue355(e)
		e.deliver()
		d355 := e.inboxOf("vanthu.so", "")[0].ID
		if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/assign", d355), "vanthu.so", directives.AssignInput{UserID: e.user("vanthu.kienluong").ID}); r.code != 400 {
			t.Errorf("assign outside the unit: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/decline", d355), "vanthu.so", map[string]string{"reason": " "}); r.code != 400 {
			t.Errorf("decline without reason: %d %s", r.code, r.body)
		}
	})
}
