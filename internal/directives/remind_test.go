package directives_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// TestRemindFromMatrix: the Sở reminds every overdue recipient at once
// (Đôn đốc, in-app and e-mail) and one row (Nhắc việc) from the tracking
// matrix; each reminder is a notification of the recipient, an e-mail to
// its staff, a line in the audit log and in the delivery's count;
// recipients that reported are skipped; bad requests and strangers are
// refused; the page offers the buttons and the reminder settings form
// saves the issuer's settings.
func TestRemindFromMatrix(t *testing.T) {
	setup := func(t *testing.T) []envOption {
		sink := newSMTPSink(t)
		return []envOption{func(o *directives.Options) {
			o.SMTP = directives.SMTPConfig{Addr: sink.ln.Addr().String(), From: "loa@stttt.kiengiang.gov.vn"}
		}}
	}
	eachEnvWith(t, setup, func(t *testing.T, e *env) {
		ctx := context.Background()
		so, rg, kl, ht := e.unit("so-tttt-kg"), e.unit("ubnd-rach-gia"), e.unit("ubnd-kien-luong"), e.unit("ubnd-ha-tien")
		e.addUser("thuky.hatien", "ubnd-ha-tien", model.RoleReceiver)
		deadline := e.clock.Now().Add(-time.Hour)
		var d *model.Directive
		dels := map[int64]*model.Delivery{}
		err := e.store.Tx(ctx, func(tx *storage.Tx) error {
			d = &model.Directive{UnitID: so.ID, DraftingUnitID: so.ID, Status: directives.StatusIssued, Content: "{}", DocType: "Công văn",
				Subject: "Tuyên truyền tiêm chủng", DeadlineAt: &deadline}
			if err := tx.Directives().InsertDirective(ctx, d, e.clock.Now(), "test"); err != nil {
				return err
			}
			var rows []model.NewDelivery
			for _, u := range []*model.Unit{rg, kl, ht} {
				rows = append(rows, model.NewDelivery{RecipientUnitID: u.ID, Purpose: directives.RoleMain})
			}
			if err := tx.Deliveries().InsertDeliveries(ctx, model.DeliveryHeader{DirectiveID: d.ID, SenderUnitID: so.ID, Code: "99/STTTT-TTBCBC",
				DocType: "Công văn", Subject: d.Subject, DocDate: "2021-06-03", DeadlineAt: &deadline}, rows, e.clock.Now()); err != nil {
				return err
			}
			list, err := tx.Deliveries().DirectiveDeliveries(ctx, d.ID)
			if err != nil {
				return err
			}
			for _, l := range list {
				dels[l.RecipientUnitID] = l
			}
			at := e.clock.Now().Add(-2 * time.Hour)
			for u, st := range map[int64]string{rg.ID: directives.Read, kl.ID: directives.Reported, ht.ID: directives.Acknowledged} {
				c := model.DeliveryChange{Status: st, At: at}
				if st == directives.Reported {
					c.Report = `{"text":"Đã thực hiện"}`
				}
				if err := tx.Deliveries().ChangeDelivery(ctx, dels[u].ID, []string{"pending"}, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/directives/%d/remind", d.ID)
		var res directives.RemindResult
		e.must(200, "POST", path, "vanthu.so", directives.RemindInput{AllOverdue: true, Kind: "urge", Channels: []string{"inapp", "email"}}, &res)
		if res.Sent != 2 {
			t.Fatalf("remind all overdue: sent %d, want 2 (Rạch Giá, Hà Tiên)", res.Sent)
		}
		for _, u := range []*model.Unit{rg, ht} {
			ns, err := e.store.Deliveries().Notifications(ctx, u.ID, 0, false, 50)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range ns {
				if n.Kind == "delivery_urge" && strings.HasPrefix(n.Message, "Đôn đốc: đề nghị "+u.Name) && strings.Contains(n.Message, "99/STTTT-TTBCBC") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s got no in-app urging: %+v", u.Name, ns)
			}
		}
		msgs, err := e.store.Deliveries().NotifyMessages(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		mails := 0
		for _, m := range msgs {
			if m.Channel == "email" && m.Event == directives.EventReminder && strings.Contains(m.Subject, "Đôn đốc") {
				mails++
				if m.Target == "" || m.UnitID != rg.ID && m.UnitID != ht.ID {
					t.Errorf("e-mail to %q of unit %d", m.Target, m.UnitID)
				}
			}
		}
		if mails == 0 {
			t.Error("no e-mail queued for the urging")
		}
		// One row, by hand; the reported recipient is skipped.
		e.must(200, "POST", path, "vanthu.so", directives.RemindInput{DeliveryIDs: []int64{dels[kl.ID].ID, dels[rg.ID].ID}, Message: "Đề nghị báo cáo trước 17 giờ."}, &res)
		if res.Sent != 1 || len(res.Skipped) != 1 || res.Skipped[0] != dels[kl.ID].ID {
			t.Fatalf("remind one row: %+v", res)
		}
		var list []model.DeliveryReminder
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/reminders", d.ID), "vanthu.so", nil, &list)
		if len(list) != 3 || list[0].Kind != "remind" || list[0].Message != "Đề nghị báo cáo trước 17 giờ." || list[0].Channels != "inapp" || list[0].SentBy == nil {
			t.Fatalf("reminders: %+v", list)
		}
		audit, err := e.store.Audit().AuditEntries(ctx, model.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, a := range audit {
			counts[a.Action]++
		}
		if counts["delivery.urge"] != 2 || counts["delivery.remind"] != 1 {
			t.Errorf("audit: %d urge, %d remind lines, want 2 and 1", counts["delivery.urge"], counts["delivery.remind"])
		}
		var tr directives.Tracking
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", d.ID), "vanthu.so", nil, &tr)
		for _, r := range tr.Rows {
			want := map[int64]int{rg.ID: 2, ht.ID: 1, kl.ID: 0}[r.RecipientUnitID]
			if r.Reminders != want || want > 0 && r.LastRemindedAt == nil {
				t.Errorf("%s: reminded %d times, want %d", r.RecipientName, r.Reminders, want)
			}
		}
		// Refusals.
		for _, c := range []struct {
			user string
			in   directives.RemindInput
			code int
		}{
			{"vanthu.so", directives.RemindInput{}, 400},
			{"vanthu.so", directives.RemindInput{AllOverdue: true, DeliveryIDs: []int64{dels[rg.ID].ID}}, 400},
			{"vanthu.so", directives.RemindInput{AllOverdue: true, Kind: "shout"}, 400},
			{"vanthu.so", directives.RemindInput{AllOverdue: true, Channels: []string{"sms"}}, 400},
			{"vanthu.so", directives.RemindInput{DeliveryIDs: []int64{999999}}, 400},
			{"vanthu.rachgia", directives.RemindInput{AllOverdue: true}, 403},
		} {
			if r := e.do("POST", path, c.user, c.in); r.code != c.code {
				t.Errorf("%s %+v: %d, want %d: %s", c.user, c.in, r.code, c.code, r.body)
			}
		}
		// The page: the buttons, a reminder by form, the settings form.
		clerk := e.login("vanthu.so", demo.Password)
		page := clerk.get(fmt.Sprintf("/directives/%d/tracking", d.ID))
		for _, want := range []string{`id="remind-overdue"`, "Nhắc tất cả 2 đơn vị quá hạn", `class="inline remind-row"`, "đã nhắc 2 lần"} {
			if !strings.Contains(page, want) {
				t.Errorf("tracking page lacks %q", want)
			}
		}
		to := clerk.post(fmt.Sprintf("/directives/%d/remind", d.ID), url.Values{"delivery": {fmt.Sprint(dels[ht.ID].ID)}, "kind": {"remind"}, "channel": {"inapp"}})
		if !strings.HasPrefix(to, fmt.Sprintf("/directives/%d/tracking", d.ID)) {
			t.Fatalf("remind form redirects to %q", to)
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/reminders", d.ID), "vanthu.so", nil, &list)
		if len(list) != 4 {
			t.Fatalf("after the form: %d reminders, want 4", len(list))
		}
		admin := e.login("admin", demo.Password)
		if page := admin.get(fmt.Sprintf("/directives/%d/tracking", d.ID)); !strings.Contains(page, `id="reminder-settings"`) {
			t.Error("the administrator's tracking page lacks the reminder settings")
		}
		admin.post(fmt.Sprintf("/directives/%d/settings", d.ID), url.Values{"unit": {fmt.Sprint(so.ID)}, "remind_after_minutes": {"120"},
			"remind_every_minutes": {"60"}, "max_reminders": {"4"}, "escalate_after_minutes": {"2880"}, "email_notifications": {"1"}})
		st, err := e.svc.GetSettings(ctx, model.System("test"), so.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.RemindAfterMinutes != 120 || st.RemindEveryMinutes != 60 || st.MaxReminders != 4 || st.EscalateAfterMinutes != 2880 || !st.EmailNotifications {
			t.Fatalf("settings after the form: %+v", st)
		}
	})
}
