package directives_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// smtpSink is a tiny SMTP server on 127.0.0.1 that keeps what it receives.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []sunkMail
}

type sunkMail struct {
	From, To, Subject, Body string
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	reply := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	reply("220 sink.test ESMTP")
	var from, to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250-sink.test")
			reply("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			from = angle(line)
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			to = angle(line)
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m, err := mail.ReadMessage(strings.NewReader(data.String()))
			if err != nil {
				reply("554 bad message")
				continue
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
			s.mu.Lock()
			s.msgs = append(s.msgs, sunkMail{From: from, To: to, Subject: subject, Body: string(body)})
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

// angle takes the address between < and > of an SMTP command.
func angle(line string) string {
	_, rest, _ := strings.Cut(line, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

func (s *smtpSink) mails() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

// hookSink records signed webhook calls; it fails the first call to each
// unit to check retries.
type hookSink struct {
	mu     sync.Mutex
	calls  []hookCall
	failed map[string]bool
}

type hookCall struct {
	Path, Event, Signature, Timestamp, Delivery string
	Body                                        []byte
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failed[r.URL.Path] {
		h.failed[r.URL.Path] = true
		http.Error(w, "temporarily down", http.StatusServiceUnavailable)
		return
	}
	h.calls = append(h.calls, hookCall{Path: r.URL.Path, Event: r.Header.Get("X-Loa-Event"), Signature: r.Header.Get("X-Loa-Signature"),
		Timestamp: r.Header.Get("X-Loa-Timestamp"), Delivery: r.Header.Get("X-Loa-Delivery"), Body: b})
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookSink) received() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

// TestNotificationsRemindersEscalation: a delivery notifies the recipient
// in the app, by e-mail (to a local SMTP sink) and by a signed webhook;
// unacknowledged deliveries are reminded on schedule (by the injected
// clock) and escalated once to the recipient's superior.
func TestNotificationsRemindersEscalation(t *testing.T) {
	var sink *smtpSink
	var hooks *hookSink
	var hs *httptest.Server
	setup := func(t *testing.T) []envOption {
		sink = newSMTPSink(t)
		hooks = &hookSink{failed: map[string]bool{}}
		hs = httptest.NewServer(hooks)
		t.Cleanup(hs.Close)
		return []envOption{func(o *directives.Options) {
			o.SMTP = directives.SMTPConfig{Addr: sink.ln.Addr().String(), From: "loa@stttt.kiengiang.gov.vn"}
			o.BaseURL = "https://loa.kiengiang.gov.vn"
			o.WebhookAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} // the local sink
		}}
	}
	eachEnvWith(t, setup, func(t *testing.T, e *env) {
		ctx := context.Background()
		sent := func() int {
			t.Helper()
			n, err := e.svc.Notifier().SendNotifications(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		tick := func() directives.TickResult {
			t.Helper()
			r, err := e.svc.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		kl, rg, kg := e.unit("ubnd-kien-luong"), e.unit("ubnd-rach-gia"), e.unit("ubnd-kg")
		e.addUser("thuky.kienluong", "ubnd-kien-luong", model.RoleReceiver)
		e.addUser("vanphong.ubndtinh", "ubnd-kg", model.RoleClerk)
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directive-settings/%d", e.unit("so-tttt-kg").ID), "admin", directives.Settings{
			ApprovalSteps: nil, RemindAfterMinutes: 60, RemindEveryMinutes: 60, MaxReminders: 2, EscalateAfterMinutes: 180, EmailNotifications: true,
			WebhookURL: hs.URL + "/so", WebhookSecret: "so-secret"}, nil)
		var st directives.Settings
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directive-settings/%d", kl.ID), "admin", directives.Settings{EmailNotifications: true,
			WebhookURL: hs.URL + "/kienluong", WebhookSecret: "kl-secret", RemindAfterMinutes: 1}, &st)
		if !st.HasWebhookSecret || st.WebhookSecret != "" || len(st.ApprovalSteps) != 1 {
			t.Fatalf("settings answer: %+v", st)
		}
		if r := e.do("PUT", fmt.Sprintf("/api/v1/directive-settings/%d", kl.ID), "vanthu.kienluong", directives.Settings{}); r.code != 403 {
			t.Fatalf("a clerk changes settings: %d", r.code)
		}
		if r := e.do("PUT", fmt.Sprintf("/api/v1/directive-settings/%d", kl.ID), "admin", directives.Settings{WebhookURL: "ftp://x"}); r.code != 400 {
			t.Fatalf("bad webhook URL: %d", r.code)
		}

		// Issue to Kiên Lương and Rạch Giá.
		c := directives.Content{DocType: "Công văn", Subject: "Tuyên truyền phòng, chống dịch", Intro: "Đề nghị triển khai.",
			Recipients: []directives.Recipient{{UnitID: kl.ID}, {UnitID: rg.ID}}, Deadline: "2021-06-10"}
		var v directives.View
		e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c}, &v)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", v.ID), "chuyenvien.so", nil, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", v.ID), "lamvanson", nil, nil)
		e.at("2021-06-03")
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", v.ID), "vanthu.so", directives.IssueInput{Date: "2021-06-03"}, &v)
		e.deliver()

		// Delivered: e-mail to Kiên Lương's receiver, webhook (retried once).
		// One e-mail (the receiver has an address); the webhook call fails once.
		if n := sent(); n != 1 {
			t.Fatalf("%d notifications sent after delivery", n)
		}
		var gotMail *sunkMail
		for _, m := range sink.mails() {
			if m.To == "thuky.kienluong@example.vn" && strings.Contains(m.Subject, v.Code) {
				gotMail = &m
			}
		}
		if gotMail == nil || gotMail.From != "loa@stttt.kiengiang.gov.vn" || !strings.Contains(gotMail.Body, "Tuyên truyền phòng, chống dịch") ||
			!strings.Contains(gotMail.Body, "https://loa.kiengiang.gov.vn/inbox/") {
			t.Fatalf("delivery e-mail: %+v (all: %+v)", gotMail, sink.mails())
		}
		if len(hooks.received()) != 0 {
			t.Fatalf("the first webhook call should have failed")
		}
		e.clock.Advance(5 * time.Minute)
		if n := sent(); n != 1 {
			t.Fatalf("webhook retry sent %d", n)
		}
		calls := hooks.received()
		if len(calls) != 1 || calls[0].Path != "/kienluong" || calls[0].Event != directives.EventDelivered {
			t.Fatalf("webhook calls: %+v", calls)
		}
		ts, _ := strconv.ParseInt(calls[0].Timestamp, 10, 64)
		if calls[0].Signature != directives.Sign("kl-secret", ts, calls[0].Body) || calls[0].Signature == directives.Sign("other", ts, calls[0].Body) {
			t.Fatalf("webhook signature %q does not verify", calls[0].Signature)
		}
		var payload struct {
			Event    string `json:"event"`
			Delivery struct {
				RecipientUnitID int64  `json:"recipient_unit_id"`
				Status          string `json:"status"`
			} `json:"delivery"`
		}
		if err := json.Unmarshal(calls[0].Body, &payload); err != nil || payload.Delivery.RecipientUnitID != kl.ID || payload.Delivery.Status != "delivered" {
			t.Fatalf("webhook payload %s: %v", calls[0].Body, err)
		}
		var notes struct {
			Notifications []model.Notification `json:"notifications"`
		}
		e.must(200, "GET", "/api/v1/notifications?unread=1", "thuky.kienluong", nil, &notes)
		if len(notes.Notifications) != 1 || notes.Notifications[0].Kind != "delivered" {
			t.Fatalf("in-app notifications: %+v", notes.Notifications)
		}
		e.must(204, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", notes.Notifications[0].ID), "thuky.kienluong", nil, nil)
		if r := e.do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", notes.Notifications[0].ID), "vanthu.rachgia", nil); r.code != 404 {
			t.Fatalf("another unit marks the notification: %d", r.code)
		}

		// Nothing is due before an hour; then both are reminded.
		if r := tick(); r.Reminders != 0 || r.Escalations != 0 {
			t.Fatalf("early tick: %+v", r)
		}
		e.clock.Advance(61 * time.Minute)
		if r := tick(); r.Reminders != 2 || r.Escalations != 0 {
			t.Fatalf("tick after an hour: %+v", r)
		}
		if r := tick(); r.Reminders != 0 {
			t.Fatalf("a second tick at once reminds again: %+v", r)
		}
		sent()
		reminded := 0
		for _, m := range sink.mails() {
			if strings.Contains(m.Subject, "Nhắc việc") {
				reminded++
			}
		}
		if reminded != 1 {
			t.Fatalf("%d reminder e-mails (Kiên Lương's receiver has the only address)", reminded)
		}
		// Kiên Lương acknowledges; Rạch Giá stays silent.
		in := e.inboxOf("vanthu.kienluong", "")
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", in[0].ID), "vanthu.kienluong", nil, nil)
		e.clock.Advance(60 * time.Minute)
		if r := tick(); r.Reminders != 1 || r.Escalations != 0 {
			t.Fatalf("second reminder tick: %+v", r)
		}
		e.clock.Advance(60 * time.Minute)
		if r := tick(); r.Reminders != 0 || r.Escalations != 1 {
			t.Fatalf("escalation tick (max 2 reminders reached): %+v", r)
		}
		e.clock.Advance(24 * time.Hour)
		if r := tick(); r.Reminders != 0 || r.Escalations != 0 {
			t.Fatalf("after escalation: %+v", r)
		}
		sent()
		var escalated *sunkMail
		for _, m := range sink.mails() {
			if m.To == "vanphong.ubndtinh@example.vn" {
				escalated = &m
			}
		}
		if escalated == nil || !strings.Contains(escalated.Subject, rg.Name) {
			t.Fatalf("escalation e-mail to the superior: %+v", escalated)
		}
		e.must(200, "GET", "/api/v1/notifications", "vanphong.ubndtinh", nil, &notes)
		if len(notes.Notifications) != 1 || notes.Notifications[0].Kind != "escalation" || notes.Notifications[0].UnitID != kg.ID {
			t.Fatalf("superior's notifications: %+v", notes.Notifications)
		}
		var tr directives.Tracking
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking", v.ID), "vanthu.so", nil, &tr)
		for _, row := range tr.Rows {
			switch row.RecipientUnitID {
			case rg.ID:
				if row.Reminders != 2 || row.EscalatedAt == nil {
					t.Errorf("Rạch Giá row: %d reminders, escalated %v", row.Reminders, row.EscalatedAt)
				}
			case kl.ID:
				if row.Reminders != 1 || row.EscalatedAt != nil || row.Status != "acknowledged" {
					t.Errorf("Kiên Lương row: %+v", row.Delivery)
				}
			}
		}
		// The Sở's webhook saw Kiên Lương acknowledge (after one retry).
		e.clock.Advance(2 * time.Minute)
		sent()
		found := false
		for _, c := range hooks.received() {
			if c.Path == "/so" && c.Event == directives.EventStateChanged && strings.Contains(string(c.Body), `"acknowledged"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("the issuer's webhook did not get the acknowledgement: %+v", hooks.received())
		}
		// After the deadline both are overdue; a report now is late.
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking?overdue=1", v.ID), "vanthu.so", nil, &tr)
		if tr.Progress.Overdue != 0 || len(tr.Rows) != 0 {
			t.Fatalf("overdue before the deadline: %+v", tr.Progress)
		}
		e.clock.Advance(8 * 24 * time.Hour)
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking?overdue=1", v.ID), "vanthu.so", nil, &tr)
		if tr.Progress.Overdue != 2 || len(tr.Rows) != 2 {
			t.Fatalf("overdue after the deadline: %+v (%d rows)", tr.Progress, len(tr.Rows))
		}
		var dv directives.DeliveryView
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/report", in[0].ID), "vanthu.kienluong", directives.Report{Text: "Đã thực hiện"}, &dv)
		if !dv.Late {
			t.Fatal("a report after the deadline is not marked late")
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/tracking?late=1", v.ID), "vanthu.so", nil, &tr)
		if tr.Progress.Late != 1 || tr.Progress.Overdue != 1 || len(tr.Rows) != 1 || tr.Rows[0].RecipientUnitID != kl.ID {
			t.Fatalf("late filter: %+v", tr.Progress)
		}
		// A first acknowledgement after the deadline is late as well.
		rgIn := e.inboxOf("vanthu.rachgia", "")
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/acknowledge", rgIn[0].ID), "vanthu.rachgia", nil, &dv)
		if !dv.Late || dv.Status != "acknowledged" {
			t.Fatalf("acknowledged after the deadline: late %v, %s", dv.Late, dv.Status)
		}
	})
}

// eachEnvWith is eachEnv with service options made for each engine.
func eachEnvWith(t *testing.T, setup func(t *testing.T) []envOption, fn func(t *testing.T, e *env)) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			st, dsn := storetest.Open(t, engine)
			e := newEnv(t, st, setup(t)...)
			e.dsn = dsn
			fn(t, e)
		})
	}
}

// TestWebhookInternalAddressRefused: a unit administrator cannot point
// webhooks at the server's own or internal network. Saving such a URL is
// refused (in Vietnamese too); a stored URL that reaches such an address
// when dialled (e.g. a name rebinding to 127.0.0.1) fails with the reason
// and nothing reaches the server, unless the installation's allow-list
// names the address.
func TestWebhookInternalAddressRefused(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var hits atomic.Int32
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(hs.Close)
		kl := e.unit("ubnd-kien-luong")
		path := fmt.Sprintf("/api/v1/directive-settings/%d", kl.ID)
		for _, u := range []string{hs.URL + "/kl", strings.Replace(hs.URL, "127.0.0.1", "localhost", 1), "http://169.254.169.254/latest/meta-data/",
			"http://[fd00:ec2::254]/", "http://10.0.0.1/hook", "https://[::1]:8443/", "http://100.64.1.1/"} {
			r := e.do("PUT", path, "admin", directives.Settings{WebhookURL: u, WebhookSecret: "kl-secret"})
			if r.code != 400 || !strings.Contains(string(r.body), "webhook_url") || !strings.Contains(string(r.body), "not allowed") {
				t.Errorf("webhook URL %s: %d %s", u, r.code, r.body)
			}
		}
		for _, u := range []string{"ftp://203.113.131.1/", "javascript:alert(1)"} {
			if r := e.do("PUT", path, "admin", directives.Settings{WebhookURL: u}); r.code != 400 {
				t.Errorf("webhook URL %s: %d %s", u, r.code, r.body)
			}
		}
		_, err := e.svc.SaveSettings(ctx, model.System("test"), kl.ID, directives.Settings{WebhookURL: hs.URL})
		if msg, ok := i18n.Messages().Message(i18n.VI, err); !ok || !strings.Contains(msg, "Không thể gửi webhook tới 127.0.0.1") {
			t.Errorf("Vietnamese message of %v: %q", err, msg)
		}
		e.must(200, "PUT", path, "admin", directives.Settings{WebhookURL: "https://203.113.131.1/loa-hook"}, nil)

		// The stored URL reaches 127.0.0.1 when dialled.
		if err := e.store.Tx(ctx, func(tx *storage.Tx) error {
			return tx.Directives().SaveDirectiveSettings(ctx, model.DirectiveSettings{UnitID: kl.ID, ApprovalSteps: "null", WebhookURL: hs.URL + "/kl",
				WebhookSecret: "kl-secret"}, e.clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
		c := directives.Content{DocType: "Công văn", Subject: "Tuyên truyền phòng, chống dịch", Intro: "Đề nghị triển khai.",
			Recipients: []directives.Recipient{{UnitID: kl.ID}}, Deadline: "2021-06-10"}
		var v directives.View
		e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c}, &v)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", v.ID), "chuyenvien.so", nil, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", v.ID), "lamvanson", nil, nil)
		e.at("2021-06-03")
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", v.ID), "vanthu.so", directives.IssueInput{Date: "2021-06-03"}, &v)
		e.deliver()
		if n, err := e.svc.Notifier().SendNotifications(ctx); err != nil || n != 0 {
			t.Fatalf("sent %d (%v) to a loopback webhook", n, err)
		}
		if hits.Load() != 0 {
			t.Fatalf("the loopback server received %d webhook calls", hits.Load())
		}
		msgs, err := e.store.Deliveries().NotifyMessages(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var hook *model.NotifyMessage
		for _, m := range msgs {
			if m.Channel == "webhook" {
				hook = m
			}
		}
		if hook == nil || hook.SentAt != nil || !strings.Contains(hook.LastError, "127.0.0.1 is a loopback address") {
			t.Fatalf("refused webhook: %+v", hook)
		}

		// The installation allows 127.0.0.1: the retry goes through.
		allowed := directives.New(e.store, e.blobs, e.registry, authz.Default(), directives.Options{Clock: e.clock,
			WebhookAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		e.clock.Advance(5 * time.Minute)
		if n, err := allowed.Notifier().SendNotifications(ctx); err != nil || n != 1 || hits.Load() != 1 {
			t.Fatalf("allow-listed webhook: sent %d (%v), %d calls", n, err, hits.Load())
		}
	})
}
