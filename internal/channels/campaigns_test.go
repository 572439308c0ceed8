package channels_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// seedItem1 is the first content item of the seed letter, as an SMS.
const seedItem1 = "UBND phường: thực hiện nghiêm thông điệp 5K + vắc xin; tiêm vắc xin phòng Covid-19 theo thứ tự ưu tiên."

// subscribers makes a list of commune A with the given numbers.
func (e *env) subscribers(svc *channels.Service, name string, phones ...string) *model.ChannelList {
	e.t.Helper()
	l, err := svc.ListOps().CreateList(e.ctx, e.bcA, channels.ListInput{UnitID: e.communeA.ID, Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	var in []channels.SubscriberInput
	for i, p := range phones {
		in = append(in, channels.SubscriberInput{Phone: p, Name: fmt.Sprintf("Hộ dân %d", i+1), ConsentSource: "phiếu đăng ký tổ 3"})
	}
	if _, err := svc.ListOps().AddSubscribers(e.ctx, e.bcA, l.ID, in); err != nil {
		e.t.Fatal(err)
	}
	return l
}

func (e *env) post(h http.Handler, body []byte, sig string) int {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/receipts", bytes.NewReader(body))
	if sig != "" {
		r.Header.Set("X-Loa-Signature", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func (e *env) counts(svc *channels.Service, id int64) map[string]int {
	e.t.Helper()
	v, err := svc.CampaignOps().Campaign(e.ctx, e.admin, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Counts
}

func TestCampaignRetriesAndReceipts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		list := e.subscribers(svc, "Tổ dân phố 3", "0912345678", "0987 654 321")
		e.gw.set(func(g *fakeGateway) { g.failFirst = 2 })
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1,
			Phones: []string{"+84 353 334 444", "0912345678"}, ListIDs: []int64{list.ID}, DirectiveID: 570})
		if err != nil {
			t.Fatal(err)
		}
		if c.Recipients != 3 || c.Counts[model.MsgQueued] != 3 || c.Parts != 1 {
			t.Fatalf("campaign %+v counts %v", c.Campaign, c.Counts)
		}
		e.drain(svc, c.ID, 10)

		// Every recipient got the text once, in UTF-8, with the client
		// reference and the callback, despite two refused requests.
		per := e.gw.perPhone()
		if len(per) != 3 || per["0912345678"] != 1 || per["0987654321"] != 1 || per["0353334444"] != 1 {
			t.Fatalf("messages per phone at the gateway: %v", per)
		}
		if req, _ := e.gw.total(); req != 5 {
			t.Errorf("%d requests, want 3 + 2 refused", req)
		}
		for _, r := range e.gw.acceptedList() {
			if r.Message != seedItem1 || !r.Unicode || !strings.HasPrefix(r.Ref, "loa") || r.Callback != "https://loa.example.vn/api/v1/channels/receipts" {
				t.Errorf("gateway received %+v", r)
			}
		}
		msgs, err := svc.CampaignOps().CampaignMessages(e.ctx, e.bcA, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		retried := 0
		for _, m := range msgs {
			if m.Status != model.MsgSent || m.ProviderID == "" || m.SentAt == nil {
				t.Errorf("message %+v", m)
			}
			atts, err := e.store.Channels().Attempts(e.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(atts) > 1 {
				retried++
				if atts[0].Outcome != model.AttemptRetry || !strings.Contains(atts[0].Error, "503") || atts[len(atts)-1].Outcome != model.AttemptAccepted {
					t.Errorf("attempts of a retried message: %+v %+v", atts[0], atts[len(atts)-1])
				}
			}
		}
		if retried == 0 {
			t.Error("no message was retried although the gateway refused the first two requests")
		}
		if v, _ := svc.CampaignOps().Campaign(e.ctx, e.admin, c.ID); v.Status != model.CampaignDone || v.FinishedAt == nil {
			t.Errorf("campaign not done: %+v", v.Campaign)
		}
		if len(e.audit("channels.campaign.create")) != 1 || len(e.audit("channels.campaign.done")) != 1 {
			t.Error("campaign creation and completion not audited")
		}

		// Signed receipts update the recipients' states.
		cfg := e.receiptCf
		cfg.StatusMap = map[string]string{"DELIVRD": "delivered", "UNDELIV": "failed"}
		h, err := svc.TaskOps().ReceiptHandler(cfg)
		if err != nil {
			t.Fatal(err)
		}
		receipt := func(id, status string) []byte {
			return []byte(fmt.Sprintf(`{"provider_id":%q,"status":%q,"at":"2021-06-04T08:05:00+07:00"}`, id, status))
		}
		for i, m := range msgs {
			st := "DELIVRD"
			if i == 0 {
				st = "UNDELIV"
			}
			b := receipt(m.ProviderID, st)
			if code := e.post(h, b, channels.SignBody(testSecret, b)); code != http.StatusOK {
				t.Fatalf("receipt %s: %d", m.ProviderID, code)
			}
		}
		want := map[string]int{model.MsgDelivered: 2, model.MsgFailed: 1}
		if got := e.counts(svc, c.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counts after receipts %v, want %v", got, want)
		}
		// A repeated or contradicting receipt changes nothing; an unknown id is 404.
		b := receipt(msgs[1].ProviderID, "expired")
		if code := e.post(h, b, channels.SignBody(testSecret, b)); code != http.StatusOK {
			t.Fatalf("late receipt: %d", code)
		}
		b = receipt("pv-999", "delivered")
		if code := e.post(h, b, channels.SignBody(testSecret, b)); code != http.StatusNotFound {
			t.Fatalf("receipt for an unknown id: %d", code)
		}
		if got := e.counts(svc, c.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counts changed by a late receipt: %v", got)
		}
		m, err := e.store.Channels().OutMessage(e.ctx, msgs[1].ID)
		if err != nil || m.ReceiptAt == nil || !m.ReceiptAt.Equal(time.Date(2021, 6, 4, 8, 5, 0, 0, vn)) {
			t.Fatalf("receipt time %v, %v", m.ReceiptAt, err)
		}
	})
}

func TestCampaignSplitsLongText(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(func(c *channels.Config, _ *channels.HTTPGatewayConfig) { c.MaxChars, c.MaxParts = 70, 3 })
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1 + " Ủng hộ Quỹ vắc xin.", Phones: []string{"0912345678"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Parts != 2 || c.Counts[model.MsgQueued] != 2 {
			t.Fatalf("parts %d, counts %v", c.Parts, c.Counts)
		}
		e.drain(svc, c.ID, 3)
		got := e.gw.acceptedList()
		if len(got) != 2 || !strings.HasPrefix(got[0].Message, "(1/2) UBND") || !strings.HasPrefix(got[1].Message, "(2/2) ") || got[0].Ref == got[1].Ref {
			t.Fatalf("parts at the gateway: %+v", got)
		}
		_, err = svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: strings.Repeat(seedItem1+" ", 3), Phones: []string{"0912345678"}})
		if !isValidation(err) || !strings.Contains(err.Error(), "at most 3 messages") {
			t.Fatalf("text over 3 parts: %v", err)
		}
	})
}

func TestGatewayTimeoutThenDuplicate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		// The provider accepts the first message but answers after the
		// sender gave up (300 ms): the outcome is in doubt, the message is
		// sent again under the same client reference, and the provider
		// answers "duplicate" with the first id.
		e.gw.set(func(g *fakeGateway) { g.slowFirst, g.slow = 1, 700*time.Millisecond })
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678", "0987654321"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(svc, c.ID, 5)
		for p, n := range e.gw.perPhone() {
			if n != 1 {
				t.Errorf("%s received %d messages", p, n)
			}
		}
		msgs, _ := svc.CampaignOps().CampaignMessages(e.ctx, e.admin, c.ID, 0, 10)
		var outcomes []string
		for _, m := range msgs {
			if m.Status != model.MsgSent {
				t.Errorf("message %d is %s (%s)", m.ID, m.Status, m.LastError)
			}
			atts, _ := e.store.Channels().Attempts(e.ctx, m.ID)
			for _, a := range atts {
				outcomes = append(outcomes, a.Outcome)
			}
			if m.ProviderID != "pv-1" && m.ProviderID != "pv-2" {
				t.Errorf("provider id %q", m.ProviderID)
			}
		}
		if got := strings.Join(outcomes, ","); got != "retry,duplicate,accepted" && got != "accepted,retry,duplicate" {
			t.Fatalf("attempt outcomes %s", got)
		}
	})
}

func TestWorkerLoop(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(func(c *channels.Config, _ *channels.HTTPGatewayConfig) { c.PollInterval = 20 * time.Millisecond })
		ctx, cancel := context.WithCancel(e.ctx)
		svc.Start(ctx)
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678", "0987654321", "0353334444"}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			v, err := svc.CampaignOps().Campaign(e.ctx, e.admin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Status == model.CampaignDone {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("campaign not sent by the workers: %v", v.Counts)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		svc.Wait()
		if _, n := e.gw.total(); n != 3 {
			t.Fatalf("%d messages accepted, want 3", n)
		}
	})
}

func TestCancelCampaign(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678", "0987654321"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CampaignOps().CancelCampaign(e.ctx, e.bcB, c.ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("commune B cancelled commune A's campaign: %v", err)
		}
		v, err := svc.CampaignOps().CancelCampaign(e.ctx, e.bcA, c.ID)
		if err != nil || v.Status != model.CampaignCancelled || v.Counts[model.MsgCancelled] != 2 {
			t.Fatalf("cancel: %+v %v", v, err)
		}
		if n, err := svc.ProcessDue(e.ctx); err != nil || n != 0 {
			t.Fatalf("process after cancel: %d, %v", n, err)
		}
		if req, _ := e.gw.total(); req != 0 {
			t.Fatalf("%d requests after cancel", req)
		}
		if _, err := svc.CampaignOps().CancelCampaign(e.ctx, e.bcA, c.ID); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("second cancel: %v", err)
		}
	})
}
