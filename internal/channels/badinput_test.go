package channels_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// snapshot is what bad input must not change.
func (e *env) snapshot(svc *channels.Service, campaignID int64) string {
	e.t.Helper()
	list, err := e.store.Channels().Campaigns(e.ctx, model.CampaignFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	audit, err := e.store.Audit().AuditEntries(e.ctx, model.AuditFilter{Limit: 10000})
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.store.Channels().CampaignMessages(e.ctx, campaignID, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "campaigns=%d audit=%d", len(list), len(audit))
	for _, m := range msgs {
		fmt.Fprintf(&b, " %s/%s/%v", m.Status, m.ProviderID, m.ReceiptAt)
	}
	return b.String()
}

func TestBadCampaignInputChangesNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(func(c *channels.Config, _ *channels.HTTPGatewayConfig) { c.MaxRecipients = 3 })
		c, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(svc, c.ID, 2)
		listB, err := svc.ListOps().CreateList(e.ctx, e.bcB, channels.ListInput{UnitID: e.communeB.ID, Name: "Tổ 1"})
		if err != nil {
			t.Fatal(err)
		}
		before := e.snapshot(svc, c.ID)
		ok := channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678"}}
		cases := []struct {
			name  string
			in    func(*channels.CampaignInput)
			field string
		}{
			{"invalid phone", func(in *channels.CampaignInput) { in.Phones = []string{"0912345678", "0212 345 678"} }, `phones[1]`},
			{"letters in phone", func(in *channels.CampaignInput) { in.Phones = []string{"09123abc78"} }, `phones[0]`},
			{"empty text", func(in *channels.CampaignInput) { in.Text = " \n\t" }, `text`},
			{"oversize text", func(in *channels.CampaignInput) { in.Text = strings.Repeat("Tiêm vắc xin. ", 20) }, `text`},
			{"invalid UTF-8", func(in *channels.CampaignInput) { in.Text = "Ti\xeam v\xe1c" }, `text`},
			{"no recipients", func(in *channels.CampaignInput) { in.Phones = nil }, `phones`},
			{"too many recipients", func(in *channels.CampaignInput) {
				in.Phones = []string{"0912345678", "0912345679", "0912345670", "0912345671"}
			}, `phones`},
			{"other commune's list", func(in *channels.CampaignInput) { in.ListIDs = []int64{listB.ID} }, `list_ids[0]`},
			{"unknown list", func(in *channels.CampaignInput) { in.ListIDs = []int64{9999} }, `list_ids[0]`},
			{"unknown order", func(in *channels.CampaignInput) { in.OrderID = 9999 }, `order_id`},
			{"negative directive", func(in *channels.CampaignInput) { in.DirectiveID = -1 }, `directive_id`},
			{"unknown unit", func(in *channels.CampaignInput) { in.UnitID = 9999 }, `unit_id`},
		}
		for _, tc := range cases {
			in := ok
			tc.in(&in)
			_, err := svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, in)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("%s: %v, want a validation error on %s", tc.name, err, tc.field)
			}
		}
		// Another commune's broadcaster and a viewer may not send for commune A.
		for _, a := range []model.Actor{e.bcB, e.viewerA} {
			if _, err := svc.CampaignOps().CreateCampaign(e.ctx, a, ok); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s sent for commune A: %v", a.Username, err)
			}
		}

		// Receipts: unsigned, forged, signed with another secret, oversized,
		// malformed or with an unknown status change nothing.
		h, err := svc.TaskOps().ReceiptHandler(e.receiptCf)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := e.store.Channels().CampaignMessages(e.ctx, c.ID, 0, 10)
		body := []byte(fmt.Sprintf(`{"provider_id":%q,"status":"delivered"}`, msgs[0].ProviderID))
		forged := append(bytes.Clone(body[:len(body)-1]), []byte(`,"x":1}`)...)
		big := append([]byte(`{"provider_id":"pv-1","status":"delivered","pad":"`), bytes.Repeat([]byte("x"), 70<<10)...)
		big = append(big, `"}`...)
		bad := []struct {
			name string
			body []byte
			sig  string
			code int
		}{
			{"unsigned", body, "", http.StatusUnauthorized},
			{"garbage signature", body, "sha256=zz", http.StatusUnauthorized},
			{"forged body", forged, channels.SignBody(testSecret, body), http.StatusUnauthorized},
			{"other secret", body, channels.SignBody("another-secret-of-enough-length", body), http.StatusUnauthorized},
			{"oversized", big, channels.SignBody(testSecret, big), http.StatusRequestEntityTooLarge},
			{"not JSON", []byte("status=delivered"), channels.SignBody(testSecret, []byte("status=delivered")), http.StatusBadRequest},
			{"unknown status", []byte(`{"provider_id":"pv-1","status":"read"}`), channels.SignBody(testSecret, []byte(`{"provider_id":"pv-1","status":"read"}`)), http.StatusBadRequest},
		}
		for _, b := range bad {
			if code := e.post(h, b.body, b.sig); code != b.code {
				t.Errorf("%s receipt: %d, want %d", b.name, code, b.code)
			}
		}
		if after := e.snapshot(svc, c.ID); after != before {
			t.Fatalf("bad input changed the data:\n%s\n%s", before, after)
		}
		// The genuine receipt is accepted.
		if code := e.post(h, body, channels.SignBody(testSecret, body)); code != http.StatusOK {
			t.Fatalf("genuine receipt: %d", code)
		}
		if got := e.counts(svc, c.ID); got[model.MsgDelivered] != 1 {
			t.Fatalf("counts %v", got)
		}
	})
}

func TestCampaignWithoutGateway(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc, err := channels.New(channels.Config{Store: e.store, Policy: authz.Default()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.CampaignOps().CreateCampaign(e.ctx, e.bcA, channels.CampaignInput{UnitID: e.communeA.ID, Text: seedItem1, Phones: []string{"0912345678"}})
		if !isValidation(err) || !strings.Contains(err.Error(), "no sms gateway") {
			t.Fatalf("campaign without gateway: %v", err)
		}
		if _, err := channels.New(channels.Config{Store: e.store, Policy: authz.Default(), Channel: "SMS VN"}); err == nil {
			t.Fatal("bad channel name accepted")
		}
		if _, err := svc.TaskOps().ReceiptHandler(channels.WebhookConfig{Secret: "short"}); err == nil {
			t.Fatal("short webhook secret accepted")
		}
	})
}
