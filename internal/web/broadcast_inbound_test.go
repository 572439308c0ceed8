package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestBroadcastPagesFromAbove: on the commune broadcaster's pages, the
// district's order is listed as issued by the district, without a cancel
// button; its page opens with the commune's devices only; cancelling it is
// refused in Vietnamese; the day view plans it on a device that never
// fetched a schedule, marked as such; and the service's validation
// messages read in Vietnamese (English with the English UI).
func TestBroadcastPagesFromAbove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		e := newBroadcastEnv(t, st)
		commune, district := e.unit("dtt-vinh-thanh-van"), e.unit("ubnd-rach-gia")
		here := e.enrol("dtt-vinh-thanh-van", "Cụm loa bến đò")
		there := e.enrol("dtt-vinh-lac", "Cụm loa Vĩnh Lạc")
		m, err := e.svc.Library().UploadMedia(ctx, model.System("test"), broadcast.MediaInput{UnitID: district.ID, Title: "Lịch tiêm vắc xin"}, bytes.NewReader(toneWAV()))
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(i18n.Zone())
		o, err := e.svc.OrderBook().CreateOrder(ctx, model.System("test"), broadcast.OrderInput{UnitID: district.ID, Title: "Lịch tiêm vắc xin của thành phố",
			MediaID: m.ID, Level: "priority", StartDate: today.Format("2006-01-02"), EndDate: today.AddDate(0, 0, 2).Format("2006-01-02"),
			Slots: []schedule.Slot{clockSlot(t, "00:05"), clockSlot(t, "23:55")}, Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: district.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		// The other commune's device plays the order; the commune's never
		// fetches its schedule.
		for _, it := range there.schedule().Items {
			if it.OrderID == o.ID && it.Start.Before(time.Now()) {
				there.played(it)
			}
		}

		p := e.signIn("phatthanh.vinhthanhvan")
		code, body := p.get("/broadcast/orders")
		row := regexp.MustCompile(fmt.Sprintf(`(?s)<tr id="order-%d".*?</tr>`, o.ID)).FindString(body)
		if code != http.StatusOK || row == "" {
			t.Fatalf("commune's order list: %d, the district's order %d missing", code, o.ID)
		}
		if !strings.Contains(row, "Do "+district.Name+" phát lệnh") || strings.Contains(row, "/cancel") || !strings.Contains(row, "chỉ theo dõi") {
			t.Fatalf("district's order in the commune's list: %s", row)
		}
		code, body = p.get(fmt.Sprintf("/broadcast/orders/%d", o.ID))
		if code != http.StatusOK || !strings.Contains(body, `id="order-from-above"`) || strings.Contains(body, "/cancel") || strings.Contains(body, "Cụm loa Vĩnh Lạc") {
			t.Fatalf("district's order page for the commune: %d (cancel form %v, other commune's device %v)", code,
				strings.Contains(body, "/cancel"), strings.Contains(body, "Cụm loa Vĩnh Lạc"))
		}
		if got := regexp.MustCompile(`id="coverage">([^<]*)<`).FindStringSubmatch(body); got == nil || got[1] != "0/1" {
			t.Fatalf("commune's coverage: %v, want 0/1 (its one device, no play)", got)
		}
		code, _, body = p.post(fmt.Sprintf("/broadcast/orders/%d/cancel", o.ID), url.Values{})
		if code != http.StatusForbidden || !strings.Contains(body, "Lệnh phát này do "+district.Name+" phát lệnh: đơn vị bạn chỉ theo dõi, không được sửa hay hủy.") {
			t.Fatalf("commune cancels the district's order: %d %q", code, body)
		}
		if v, err := e.svc.OrderBook().Order(ctx, model.System("test"), o.ID); err != nil || v.CancelledAt != nil {
			t.Fatalf("order after the refused cancel: %+v %v", v, err)
		}

		// The district sees every device and may cancel.
		admin := e.signIn("admin.rachgia")
		code, body = admin.get(fmt.Sprintf("/broadcast/orders/%d?unit=%d", o.ID, district.ID))
		if code != http.StatusOK || !strings.Contains(body, "Cụm loa Vĩnh Lạc") || !strings.Contains(body, "/cancel") || strings.Contains(body, `id="order-from-above"`) {
			t.Fatalf("district's order page for the district: %d", code)
		}

		// The day view: the plan on the device that never fetched.
		code, body = p.get("/broadcast/day")
		col := regexp.MustCompile(fmt.Sprintf(`(?s)<div class="col" data-device="%d">.*?</div>\s*</div>`, here.id)).FindString(body)
		if code != http.StatusOK || !strings.Contains(col, "Thiết bị chưa nhận lịch") {
			t.Fatalf("day view: %d, column of the never-fetched device: %s", code, col)
		}
		if n := strings.Count(col, fmt.Sprintf(`data-order="%d"`, o.ID)); n != 2 || !strings.Contains(col, "not-fetched") {
			t.Fatalf("planned items in the never-fetched device's column: %d (%s)", n, col)
		}
		if !strings.Contains(body, "chưa tải về thiết bị") {
			t.Fatalf("day list does not say the items are not on the device")
		}

		// Validation messages of the service, in Vietnamese then English.
		p.get("/broadcast/orders")
		form := url.Values{"media_id": {fmt.Sprint(m.ID)}, "level": {"priority"}, "start_date": {today.AddDate(0, 0, 3).Format("02/01/2006")},
			"end_date": {today.Format("02/01/2006")}, "slots": {"06:00"}, "target": {fmt.Sprintf("device:%d", here.id)}}
		code, _, body = p.post("/broadcast/orders", form)
		wantVI := fmt.Sprintf("Đến ngày: Ngày kết thúc %s trước ngày bắt đầu %s: hãy chọn ngày kết thúc từ ngày bắt đầu trở đi.", today.Format("02/01/2006"), today.AddDate(0, 0, 3).Format("02/01/2006"))
		if code != http.StatusBadRequest || !strings.Contains(alertOf(body), wantVI) {
			t.Fatalf("end before start: %d %q, want %q", code, alertOf(body), wantVI)
		}
		form.Set("end_date", today.AddDate(0, 0, 3).Format("02/01/2006"))
		form.Set("target", fmt.Sprintf("device:%d", there.id))
		code, _, body = p.post("/broadcast/orders", form)
		if want := "Nơi phát: Nơi phát đã chọn không thuộc " + commune.Name + ", đơn vị phát lệnh"; code != http.StatusBadRequest || !strings.Contains(alertOf(body), want) {
			t.Fatalf("another commune's device: %d %q, want %q", code, alertOf(body), want)
		}
		p.client.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
		form.Set("target", fmt.Sprintf("device:%d", here.id))
		form.Set("end_date", today.Format("02/01/2006"))
		code, _, body = p.post("/broadcast/orders", form)
		if want := "To: The end date " + today.Format("02/01/2006") + " is before the start date"; code != http.StatusBadRequest || !strings.Contains(alertOf(body), want) {
			t.Fatalf("end before start in English: %d %q, want %q", code, alertOf(body), want)
		}
		// Device errors have no catalog key in the service yet: the page
		// reads them.
		p.client.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "lang", Value: "vi", Path: "/"}})
		p.get("/broadcast/devices")
		code, _, body = p.post(fmt.Sprintf("/broadcast/devices/%d/command", here.id), url.Values{"kind": {"volume"}, "volume": {"150"}})
		if want := "Âm lượng: Âm lượng 150 không hợp lệ: nhập từ 0 đến 100."; code != http.StatusBadRequest || !strings.Contains(alertOf(body), want) {
			t.Fatalf("volume 150: %d %q, want %q", code, alertOf(body), want)
		}
		// The API keeps English and its code.
		res := e.do(http.MethodPost, "/api/v1/broadcast/orders", e.tokenFor("phatthanh.vinhthanhvan"), map[string]any{"unit_id": commune.ID, "title": "x",
			"media_id": m.ID, "level": "priority", "start_date": "2021-06-09", "end_date": "2021-06-07", "slots": []map[string]string{{"at": "06:00"}},
			"targets": []model.OrderTarget{{Kind: model.TargetDevice, ID: here.id}}})
		if res.code != http.StatusBadRequest || !strings.Contains(string(res.body), `"code": "invalid"`) || !strings.Contains(string(res.body), "end date 2021-06-07 is before start date 2021-06-09") {
			t.Fatalf("API: %d %s", res.code, res.body)
		}
	})
}

func clockSlot(t *testing.T, s string) schedule.Slot {
	t.Helper()
	c, err := schedule.ParseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return schedule.FixedSlot(c)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
