package directives_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// detail is the JSON of GET /api/v1/directives/{id}.
type detail struct {
	directives.View
	Versions []model.DirectiveVersion `json:"versions"`
	Comments []model.DirectiveComment `json:"comments"`
}

type inbox struct {
	Deliveries []directives.DeliveryView `json:"deliveries"`
}

// group finds a demo recipient group by name.
func (e *env) group(name string) int64 {
	e.t.Helper()
	gs, err := e.store.Orgs().Groups(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, g := range gs {
		if g.Name == name {
			return g.ID
		}
	}
	e.t.Fatalf("no group %q", name)
	return 0
}

// inboxOf lists a unit's inbox as one of its users.
func (e *env) inboxOf(user, query string) []directives.DeliveryView {
	e.t.Helper()
	var in inbox
	e.must(200, "GET", "/api/v1/inbox?"+query, user, nil, &in)
	return in.Deliveries
}

// issue355 runs the Cục's side: draft, approve, issue as 355/TTCS-TTTH.
func issue355(e *env) int64 {
	t := e.t
	// chuyenvien.cuc, the Cục's drafter, is a demo user.
	cuc := e.unit("cuc-ttcs")
	e.must(200, "PUT", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing/counter", cuc.ID), "vanthu.cuc", map[string]int{"last": 354}, nil)
	c := demo.Seed355Content([]directives.Recipient{{UnitID: e.unit("so-tttt-kg").ID, Role: directives.RoleMain,
		Label: "Sở Thông tin và Truyền thông các tỉnh, thành phố trực thuộc Trung ương"}})
	c.SignerUserID = e.user("lanhdao.cuc").ID
	var v directives.View
	e.must(201, "POST", "/api/v1/directives", "chuyenvien.cuc", directives.CreateInput{Content: c}, &v)
	if v.UnitID != cuc.ID || v.DraftingUnitID != e.unit("cuc-ttcs-ttth").ID || v.Status != "draft" {
		t.Fatalf("355 draft: unit %d drafting %d status %s", v.UnitID, v.DraftingUnitID, v.Status)
	}
	e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", v.ID), "chuyenvien.cuc", nil, nil)
	e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", v.ID), "lanhdao.cuc", map[string]string{"comment": "Đồng ý"}, nil)
	e.at("2021-06-03")
	e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", v.ID), "vanthu.cuc", directives.IssueInput{Date: "2021-06-03"}, &v)
	if v.Code != "355/TTCS-TTTH" || v.Status != "issued" {
		t.Fatalf("355 issued as %q (%s)", v.Code, v.Status)
	}
	return v.ID
}

// TestSeedScenarioThroughAPI drives the chain of the seed letter through
// the HTTP API: 355 from the Cục → the Sở implements it as 570 with the
// seed's items → approval → issue → deliveries to 18 recipients (+ copies)
// → each district forwards to its communes → communes acknowledge and
// report → the Sở sees 100% and generates its summary report.
func TestSeedScenarioThroughAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		so := e.unit("so-tttt-kg")
		id355 := issue355(e)
		if n := e.deliver(); n != 1 {
			t.Fatalf("355 delivered %d times, want 1", n)
		}

		// The Sở receives 355: inbox, incoming register, notification.
		got := e.inboxOf("vanthu.so", "")
		if len(got) != 1 || got[0].Code != "355/TTCS-TTTH" || got[0].Status != "delivered" || got[0].SenderName != "Cục Thông tin cơ sở" {
			t.Fatalf("Sở inbox: %+v", got)
		}
		del355 := got[0].ID
		var reg struct {
			Entries []model.RegisterEntry `json:"entries"`
		}
		year := time.Now().In(time.FixedZone("ICT", 7*3600)).Year()
		e.must(200, "GET", fmt.Sprintf("/api/v1/registers/%d/%d/incoming", so.ID, year), "vanthu.so", nil, &reg)
		if len(reg.Entries) != 1 || reg.Entries[0].Code != "355/TTCS-TTTH" || reg.Entries[0].Number != 1 {
			t.Fatalf("Sở incoming register: %+v", reg.Entries)
		}
		var notes struct {
			Notifications []model.Notification `json:"notifications"`
		}
		e.must(200, "GET", "/api/v1/notifications", "vanthu.so", nil, &notes)
		if len(notes.Notifications) == 0 || !strings.Contains(notes.Notifications[0].Message, "355/TTCS-TTTH") {
			t.Fatalf("Sở notifications: %+v", notes.Notifications)
		}

		// The clerk acknowledges and assigns it to the drafter.
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", del355), "vanthu.so", nil, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/assign", del355), "vanthu.so",
			directives.AssignInput{UserID: e.user("chuyenvien.so").ID, Note: "Đề nghị Phòng TTBCBC tham mưu văn bản triển khai"}, nil)
		mine := e.inboxOf("chuyenvien.so", "assigned=1")
		if len(mine) != 1 || mine[0].ID != del355 || mine[0].Status != "assigned" {
			t.Fatalf("drafter's assigned work: %+v", mine)
		}

		// The drafter implements it: reference, subject, items pre-filled.
		var draft directives.View
		e.must(201, "POST", fmt.Sprintf("/api/v1/deliveries/%d/forward", del355), "chuyenvien.so", nil, &draft)
		if draft.UnitID != so.ID || draft.ParentDeliveryID == nil || *draft.ParentDeliveryID != del355 || draft.ImplementsDocumentID == nil {
			t.Fatalf("implementing draft links: %+v", draft.Directive)
		}
		wantIntro := "Thực hiện Công văn số 355/TTCS-TTTH ngày 03/6/2021 của Cục Thông tin cơ sở về việc đẩy mạnh tuyên truyền về phòng, chống Covid-19."
		if draft.Content.Intro != wantIntro || len(draft.Content.References) != 1 || docmodel.Val(draft.Content.References[0].Number) != "355" ||
			len(draft.Content.Items) != 3 || draft.Content.Deadline != "2021-06-30" {
			t.Fatalf("pre-filled content: %+v", draft.Content)
		}
		// Forwarding twice is refused.
		if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/forward", del355), "chuyenvien.so", nil); r.code != 409 {
			t.Fatalf("second forward: %d %s", r.code, r.body)
		}

		// The materials of 576: the letter (stored document) and audio files.
		b576, err := os.ReadFile("testdata/cv-576-STTTT-TTBCBC-2021.txt")
		if err != nil {
			t.Fatal(err)
		}
		var imp struct {
			Document model.Document `json:"document"`
		}
		r := e.upload("/api/v1/documents?direction=outgoing", "vanthu.so", "cv-576.txt", "text/plain", b576)
		if r.code != 201 {
			t.Fatalf("import 576: %d %s", r.code, r.body)
		}
		r.decode(t, &imp)
		var audio []string
		for i, name := range []string{"5K-vac-xin.wav", "quy-vac-xin.wav"} {
			r := e.upload(fmt.Sprintf("/api/v1/directives/%d/attachments", draft.ID), "chuyenvien.so", name, "audio/wav", wav(byte(i+1), 4000))
			if r.code != 201 {
				t.Fatalf("upload %s: %d %s", name, r.code, r.body)
			}
			var a directives.Attachment
			r.decode(t, &a)
			if a.Kind != "audio" || len(a.SHA256) != 64 {
				t.Fatalf("uploaded %+v", a)
			}
			audio = append(audio, a.SHA256)
		}
		var cur detail
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", nil, &cur)
		if len(cur.Content.Attachments) != 2 {
			t.Fatalf("attachments after upload: %+v", cur.Content.Attachments)
		}
		rec := demo.SeedRecipients(e.unit("bao-kg").ID, e.unit("dai-kg").ID, e.unit("cong-ttdt-kg").ID,
			e.group("Thường trực UBND các huyện, thành phố"), e.unit("ubnd-kg").ID, e.group("Trung tâm VH, TT và TT các huyện, thành phố"))
		c := demo.Seed570Content(cur.Content, rec, audio, e.user("lamvanson").ID)
		c.Attachments = append(c.Attachments, directives.Attachment{Kind: "document", DocumentID: imp.Document.ID})
		// An autosave, then an explicit save: versions keep both kinds.
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: cur.Version, Content: c, Autosave: true}, &draft)
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: draft.Version, Content: c, Note: "hoàn thiện dự thảo"}, &draft)
		// A stale base version is refused.
		if r := e.do("PUT", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: cur.Version, Content: c}); r.code != 409 {
			t.Fatalf("stale save: %d %s", r.code, r.body)
		}
		preview := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/preview?format=html", draft.ID), "chuyenvien.so", nil, nil)
		for _, want := range []string{"DỰ THẢO", "Số:", "STTTT-TTBCBC", "Kính gửi", "Lâm Văn Sơn", "trách nhiệm mỗi cá nhân"} {
			if !bytes.Contains(preview.body, []byte(want)) {
				t.Errorf("preview lacks %q", want)
			}
		}
		e.must(201, "POST", fmt.Sprintf("/api/v1/directives/%d/comments", draft.ID), "chuyenvien.so", map[string]string{"text": "Kính trình lãnh đạo xem xét"}, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", draft.ID), "chuyenvien.so", nil, nil)

		// The approver returns it once, then approves.
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/return", draft.ID), "lamvanson", map[string]string{"comment": "Bổ sung hạn báo cáo"}, nil)
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", nil, &cur)
		if cur.Status != "draft" {
			t.Fatalf("after return: %s", cur.Status)
		}
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: cur.Version, Content: c}, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", draft.ID), "chuyenvien.so", map[string]string{"comment": "Đã bổ sung"}, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", draft.ID), "lamvanson", nil, nil)

		// The clerk issues it as 570 (the register is at 569 for 2021).
		e.must(200, "PUT", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing/counter", so.ID), "vanthu.so", map[string]int{"last": 569}, nil)
		var issued detail
		e.at("2021-06-04")
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", draft.ID), "vanthu.so", directives.IssueInput{Date: "2021-06-04"}, &issued.View)
		if issued.Code != "570/STTTT-TTBCBC" || issued.Status != "issued" || issued.PDFSHA == "" || issued.DocumentID == nil {
			t.Fatalf("issued: %+v", issued.Directive)
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", nil, &issued)
		if len(issued.Versions) < 3 || !hasAutosave(issued.Versions) {
			t.Fatalf("versions: %+v", issued.Versions)
		}
		kinds := []string{}
		for _, cm := range issued.Comments {
			kinds = append(kinds, cm.Kind)
		}
		if strings.Join(kinds, ",") != "implement,comment,submit,return,submit,approve,issue" {
			t.Fatalf("workflow history %v", kinds)
		}
		checkSeedParse(t, e, *issued.DocumentID)
		pdf := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/preview?format=pdf", draft.ID), "vanthu.so", nil, nil)
		if !bytes.HasPrefix(pdf.body, []byte("%PDF")) {
			t.Fatalf("issued PDF starts %q", pdf.body[:10])
		}
		// Immutable: edits and a second issue are refused.
		if r := e.do("PUT", fmt.Sprintf("/api/v1/directives/%d", draft.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: issued.Version, Content: c}); r.code != 409 {
			t.Fatalf("edit after issue: %d %s", r.code, r.body)
		}
		// 570 resolves its reference to 355 (both ways).
		var d570 struct {
			References []model.DocRef `json:"references"`
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/documents/%d", *issued.DocumentID), "vanthu.so", nil, &d570)
		if len(d570.References) != 2 || d570.References[0].ResolvedID == nil {
			t.Fatalf("570 references: %+v", d570.References)
		}

		// Fan-out: 3 press/portal + 15 districts + b/c UBND tỉnh + 15 culture centres.
		if n := e.deliver(); n != 34 {
			t.Fatalf("570 delivered to %d units, want 34", n)
		}
		var tr directives.Tracking
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", draft.ID), "vanthu.so", nil, &tr)
		if tr.Progress.Total != 18 || tr.Progress.Done != 0 || len(tr.Rows) != 34 {
			t.Fatalf("tracking after fan-out: %+v (%d rows)", tr.Progress, len(tr.Rows))
		}
		var items []directives.BroadcastItem
		if items, err = e.svc.Tracker().BroadcastItems(ctx, e.unit("ubnd-rach-gia").ID); err != nil || len(items) != 3 ||
			items[0].Broadcast.Level != schedule.LevelPriority || items[2].Broadcast.TimesPerDay != 2 || len(items[2].Broadcast.Audio) != 2 {
			t.Fatalf("broadcast items of Rạch Giá: %+v, %v", items, err)
		}

		// Every district forwards to its communes. Rạch Giá keeps the
		// default approval (its leader approves, its clerk issues); the
		// others issue automatically without approval steps.
		districts := districtCodes(e)
		var rachGiaForward int64
		for _, d := range districts {
			clerk := "vanthu." + strings.ReplaceAll(d, "-", "")
			if d != "rach-gia" && d != "kien-luong" {
				e.addUser(clerk, "ubnd-"+d, model.RoleClerk, model.RoleReceiver, model.RoleDrafter)
			}
			if d != "rach-gia" {
				e.must(200, "PUT", fmt.Sprintf("/api/v1/directive-settings/%d", e.unit("ubnd-"+d).ID), "admin",
					directives.Settings{ApprovalSteps: []directives.ApprovalStep{}, AutoIssue: true, RemindAfterMinutes: 1440, RemindEveryMinutes: 1440, MaxReminders: 3}, nil)
			}
			in := e.inboxOf(clerk, "")
			if len(in) != 1 || in[0].Code != "570/STTTT-TTBCBC" {
				t.Fatalf("inbox of %s: %+v", d, in)
			}
			e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", in[0].ID), clerk, nil, nil)
			var fw directives.View
			e.must(201, "POST", fmt.Sprintf("/api/v1/deliveries/%d/forward", in[0].ID), clerk, nil, &fw)
			if len(fw.Content.Recipients) != 3 || len(fw.Content.Items) != 3 || fw.Content.Items[0].Broadcast == nil {
				t.Fatalf("forward of %s pre-filled %d recipients, %d items", d, len(fw.Content.Recipients), len(fw.Content.Items))
			}
			e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", fw.ID), clerk, nil, &fw)
			if d == "rach-gia" {
				if fw.Status != "submitted" {
					t.Fatalf("Rạch Giá draft is %s", fw.Status)
				}
				e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", fw.ID), "lanhdao.rachgia", nil, nil)
				e.at("2021-06-05")
				e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", fw.ID), clerk, directives.IssueInput{Date: "2021-06-05"}, &fw)
				rachGiaForward = fw.ID
			}
			if fw.Status != "issued" || !strings.HasSuffix(fw.Code, "/UBND") {
				t.Fatalf("forward of %s: %s %q", d, fw.Status, fw.Code)
			}
		}
		if n := e.deliver(); n != 45 {
			t.Fatalf("district forwards delivered to %d communes, want 45", n)
		}

		// Communes acknowledge and report; the press, radio/TV and portal report.
		reporters := map[string]string{"bao-kg": "xem.baokg", "dai-kg": "phongvien.dai", "cong-ttdt-kg": "bientap.cong"}
		e.addUser("phongvien.dai", "dai-kg", model.RoleReceiver)
		e.addUser("bientap.cong", "cong-ttdt-kg", model.RoleReceiver)
		for _, d := range districts {
			for _, c := range communesOf(e, d) {
				user := "xa." + c
				if c == "vinh-thanh-van" {
					user = "xaphuong.vinhthanhvan"
				} else {
					e.addUser(user, "ubnd-"+c, model.RoleClerk, model.RoleReceiver)
				}
				reporters["ubnd-"+c] = user
			}
		}
		e.clock.Advance(48 * time.Hour)
		for code, user := range reporters {
			in := e.inboxOf(user, "status=delivered")
			if len(in) != 1 {
				t.Fatalf("inbox of %s: %d deliveries", code, len(in))
			}
			e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/read", in[0].ID), user, nil, nil)
			e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", in[0].ID), user, nil, nil)
			var v directives.DeliveryView
			e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/report", in[0].ID), user, directives.Report{
				Text: "Đã phát trên hệ thống truyền thanh cơ sở 2 lần/ngày", Figures: map[string]float64{"broadcasts": 24}}, &v)
			if v.Status != "reported" || v.Late || v.ReadBy == nil || v.AcknowledgedAt == nil {
				t.Fatalf("report of %s: %+v", code, v.Delivery)
			}
		}

		// The Sở sees 100%, through the cascade, and generates its summary.
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", draft.ID), "vanthu.so", nil, &tr)
		if tr.Progress.Total != 18 || tr.Progress.Done != 18 || tr.Progress.Percent != 100 {
			t.Fatalf("tracking at the end: %+v", tr.Progress)
		}
		var tree directives.Branch
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tree", draft.ID), "chuyenvien.so", nil, &tree)
		forwards := 0
		for _, n := range tree.Nodes {
			if n.Forward != nil {
				forwards++
				if len(n.Forward.Nodes) != 3 || n.Forward.Progress.Percent != 100 || n.Forward.Nodes[0].Figures["broadcasts"] != 24 {
					t.Fatalf("cascade under %s: %+v", n.UnitName, n.Forward.Progress)
				}
			}
		}
		if forwards != 15 {
			t.Fatalf("%d districts forwarded in the tree, want 15", forwards)
		}
		var sum directives.Summary
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/summary", draft.ID), "vanthu.so", nil, &sum)
		if sum.Progress.Percent != 100 || sum.Below != 45 || sum.BelowDone != 45 || sum.Figures["broadcasts"] != 48*24 || sum.Forwarded != 15 {
			t.Fatalf("summary: %+v below %d/%d figures %v", sum.Progress, sum.BelowDone, sum.Below, sum.Figures)
		}
		spdf := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/summary?format=pdf", draft.ID), "vanthu.so", nil, nil)
		if !bytes.HasPrefix(spdf.body, []byte("%PDF")) {
			t.Fatal("summary PDF is not a PDF")
		}
		stext := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/summary?format=text", draft.ID), "vanthu.so", nil, nil)
		for _, want := range []string{"BÁO CÁO", "Kết quả thực hiện Công văn số 570/STTTT-TTBCBC", "18/18", "100.0%", "45/45", "broadcasts: 1152", "Cục Thông tin cơ sở"} {
			if !bytes.Contains(stext.body, []byte(want)) {
				t.Errorf("summary text lacks %q:\n%s", want, stext.body)
			}
		}
		var rep directives.View
		e.must(201, "POST", fmt.Sprintf("/api/v1/directives/%d/summary", draft.ID), "chuyenvien.so", nil, &rep)
		if rep.Content.DocType != "Báo cáo" || len(rep.Content.Recipients) != 2 || rep.Content.Recipients[0].UnitID != e.unit("cuc-ttcs").ID {
			t.Fatalf("summary draft: %+v", rep.Content)
		}

		// Exports: CSV and XLSX of the matrix.
		csvr := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking?format=csv", draft.ID), "vanthu.so", nil, nil)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvr.body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 35 || rows[0][0] != "Đơn vị nhận" {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		xr := e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking?format=xlsx&purpose=main", draft.ID), "vanthu.so", nil, nil)
		x, err := excelize.OpenReader(bytes.NewReader(xr.body))
		if err != nil {
			t.Fatal(err)
		}
		xrows, err := x.GetRows("Theo dõi")
		if err != nil || len(xrows) != 3+18 || !strings.Contains(xrows[0][0], "18/18") {
			t.Fatalf("XLSX: %d rows, %v", len(xrows), err)
		}

		// The Cục, two levels up, sees its 355 done through the cascade.
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", id355), "vanthu.cuc", nil, &tr)
		if tr.Progress.Done != 1 || tr.Rows[0].Status != "forwarded" || tr.Rows[0].Cascade == nil || tr.Rows[0].Cascade.Percent != 100 {
			t.Fatalf("Cục tracking: %+v", tr.Progress)
		}
		// Closing a report, then reporting on the closed delivery is refused.
		in := e.inboxOf("xem.baokg", "")
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/close", in[0].ID), "vanthu.so", nil, nil)
		if r := e.do("POST", fmt.Sprintf("/api/v1/deliveries/%d/report", in[0].ID), "xem.baokg", directives.Report{Text: "again"}); r.code != 409 {
			t.Fatalf("report on a closed delivery: %d %s", r.code, r.body)
		}

		// Rạch Giá reports with a letter: the summary of its implementing
		// letter, approved and issued, marks its delivery of 570 reported by
		// itself, and its communes' progress stays in the Sở's matrix.
		var rg directives.View
		e.must(201, "POST", fmt.Sprintf("/api/v1/directives/%d/summary", rachGiaForward), "vanthu.rachgia", nil, &rg)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", rg.ID), "vanthu.rachgia", nil, &rg)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", rg.ID), "lanhdao.rachgia", nil, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", rg.ID), "vanthu.rachgia", directives.IssueInput{}, &rg)
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", draft.ID), "vanthu.so", nil, &tr)
		found := false
		for _, r := range tr.Rows {
			if r.RecipientUnitID != e.unit("ubnd-rach-gia").ID {
				continue
			}
			found = true
			if r.Status != "reported" || r.Report == nil || r.Report.LetterCode != rg.Code || r.Report.LetterID != rg.ID || r.Cascade == nil || r.Cascade.Done != 3 {
				t.Fatalf("Rạch Giá after its report letter %s: %s report %+v cascade %+v", rg.Code, r.Status, r.Report, r.Cascade)
			}
		}
		if !found {
			t.Fatal("Rạch Giá is not in the Sở's matrix")
		}
	})
}

func hasAutosave(vs []model.DirectiveVersion) bool {
	for _, v := range vs {
		if v.Autosave {
			return true
		}
	}
	return false
}

func districtCodes(e *env) []string {
	var out []string
	units, err := e.store.Orgs().Units(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range units {
		if u.Kind == "district_pc" {
			out = append(out, strings.TrimPrefix(u.Code, "ubnd-"))
		}
	}
	if len(out) != 15 {
		e.t.Fatalf("%d districts in the demo", len(out))
	}
	return out
}

func communesOf(e *env, district string) []string {
	var out []string
	units, err := e.store.Orgs().Subtree(context.Background(), e.unit("ubnd-"+district).Path)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range units {
		if u.Kind == "commune_pc" {
			out = append(out, strings.TrimPrefix(u.Code, "ubnd-"))
		}
	}
	return out
}

// checkSeedParse parses the issued document's text with the document
// parser and compares it with the expected parse of the real seed letter.
func checkSeedParse(t *testing.T, e *env, docID int64) {
	t.Helper()
	doc, err := e.store.Documents().Document(context.Background(), docID)
	if err != nil {
		t.Fatal(err)
	}
	got := docparse.Parse(doc.BodyText)
	// A copy of shared/samples/cv-570-STTTT-TTBCBC-2021.expected.json.
	b, err := os.ReadFile("testdata/cv-570-STTTT-TTBCBC-2021.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want docmodel.Fields
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]string{
		"parent_issuer": {docmodel.Val(got.ParentIssuer), docmodel.Val(want.ParentIssuer)},
		"issuer":        {docmodel.Val(got.Issuer), docmodel.Val(want.Issuer)},
		"doc_type":      {docmodel.Val(got.DocType), docmodel.Val(want.DocType)},
		"number":        {docmodel.Val(got.Number), docmodel.Val(want.Number)},
		"notation":      {docmodel.Val(got.Notation), docmodel.Val(want.Notation)},
		"place":         {docmodel.Val(got.Place), docmodel.Val(want.Place)},
		"date":          {docmodel.Val(got.Date), docmodel.Val(want.Date)},
		"subject":       {docmodel.Val(got.Subject), docmodel.Val(want.Subject)},
		"signer_name":   {docmodel.Val(got.SignerName), docmodel.Val(want.SignerName)},
		"recipients":    {strings.Join(got.Recipients, "|"), strings.Join(want.Recipients, "|")},
		"archive":       {strings.Join(got.Archive, "|"), strings.Join(want.Archive, "|")},
	} {
		if pair[0] != pair[1] {
			t.Errorf("issued 570 parses with %s %q, the seed has %q", name, pair[0], pair[1])
		}
	}
	if len(got.Items) != 3 || got.Items[2].Text != want.Items[2].Text {
		t.Errorf("issued 570 items: %+v", got.Items)
	}
	if len(got.Distribution) != 3 || got.Distribution[1].Name != "UBND tỉnh" || docmodel.Val(got.Distribution[1].Purpose) != "b/c" {
		t.Errorf("issued 570 distribution: %+v", got.Distribution)
	}
	if len(got.References) != 2 || docmodel.Val(got.References[0].Notation) != "TTCS-TTTH" || docmodel.Val(got.References[1].Number) != "576" {
		t.Errorf("issued 570 references: %+v", got.References)
	}
}
