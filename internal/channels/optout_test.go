package channels_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

func (e *env) inbound(h http.Handler, from, text, at string) (int, channels.InboundResult) {
	e.t.Helper()
	body := []byte(fmt.Sprintf(`{"from":%q,"text":%q,"at":%q}`, from, text, at))
	if at == "" {
		body = []byte(fmt.Sprintf(`{"from":%q,"text":%q}`, from, text))
	}
	r := httptest.NewRequest(http.MethodPost, "/inbound", bytes.NewReader(body))
	r.Header.Set("X-Loa-Signature", channels.SignBody(testSecret, body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var res channels.InboundResult
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			e.t.Fatal(err)
		}
	}
	return w.Code, res
}

func TestOptOutAndOptIn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		list := e.subscribers(svc, "Tổ 3", "0912345678", "0987654321", "0353334444")
		h, err := svc.TaskOps().InboundHandler(e.receiptCf)
		if err != nil {
			t.Fatal(err)
		}
		code, res := e.inbound(h, "+84912345678", "Từ chối", "2021-06-04T08:10:00+07:00")
		if code != http.StatusOK || res.Action != channels.InboundOptOut || !res.Changed {
			t.Fatalf("opt-out: %d %+v", code, res)
		}
		if code, res := e.inbound(h, "0912345678", "Cho hỏi lịch tiêm vắc xin?", "2021-06-04T08:11:00+07:00"); code != http.StatusOK || res.Action != channels.InboundNone {
			t.Fatalf("a question: %d %+v", code, res)
		}
		if code, _ := e.inbound(h, "0912345678", "DONG Y", ""); code != http.StatusBadRequest {
			t.Fatalf("inbound without time: %d", code)
		}
		lists, _ := svc.ListOps().Lists(e.ctx, e.bcA, e.communeA.ID)
		if len(lists) != 1 || lists[0].Active != 2 {
			t.Fatalf("lists after opt-out: %+v", lists[0])
		}
		// The operator cannot put the number back; the citizen can.
		add, err := svc.ListOps().AddSubscribers(e.ctx, e.bcA, list.ID, []channels.SubscriberInput{{Phone: "0912345678", ConsentSource: "gọi điện"}})
		if err != nil || len(add.OptedOut) != 1 || add.Added+add.Renewed != 0 {
			t.Fatalf("re-adding an opted-out number: %+v, %v", add, err)
		}

		// Campaigns leave opted-out numbers out.
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678"}, ListIDs: []int64{list.ID}})
		if err != nil || c.Recipients != 2 || c.Excluded != 1 {
			t.Fatalf("campaign: %+v, %v", c, err)
		}
		if _, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678"}}); !isValidation(err) {
			t.Fatalf("campaign to an opted-out number only: %v", err)
		}
		// A number that opts out after the campaign was queued is skipped.
		if changed, err := svc.ListOps().OptOut(e.ctx, e.bcA, "0987 654 321", "gọi điện lên đài"); err != nil || !changed {
			t.Fatalf("operator opt-out: %v, %v", changed, err)
		}
		e.drain(svc, c.ID, 2)
		if per := e.gw.perPhone(); len(per) != 1 || per["0353334444"] != 1 {
			t.Fatalf("messages at the gateway: %v", per)
		}
		if got := e.counts(svc, c.ID); got[model.MsgSkipped] != 1 || got[model.MsgSent] != 1 {
			t.Fatalf("counts %v", got)
		}

		// An opt-in older than the opt-out (a replay) changes nothing; a newer one does.
		if _, res := e.inbound(h, "0912345678", "Đồng ý", "2021-06-04T08:00:00+07:00"); res.Action != channels.InboundOptIn || res.Changed {
			t.Fatalf("replayed opt-in: %+v", res)
		}
		if _, res := e.inbound(h, "0912345678", "Đồng ý", "2021-06-04T08:20:00+07:00"); !res.Changed {
			t.Fatalf("opt-in: %+v", res)
		}
		if lists, _ := svc.ListOps().Lists(e.ctx, e.bcA, e.communeA.ID); lists[0].Active != 2 {
			t.Fatalf("active subscribers after opt-in: %d, want 2 (one opted out by the operator)", lists[0].Active)
		}
		if n, m := len(e.audit("channels.optout")), len(e.audit("channels.optin")); n != 2 || m != 1 {
			t.Fatalf("audit: %d opt-outs, %d opt-ins", n, m)
		}
		if _, err := svc.ListOps().OptOut(e.ctx, e.viewerA, "0353334444", "x"); err == nil {
			t.Fatal("a viewer recorded an opt-out")
		}
	})
}
