package feedback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

type env struct {
	t     *testing.T
	st    *storage.Store
	acc   *accounts.Service
	clock *clock.Fake
	svc   *feedback.Service
	// clusters of the commune radio of Vĩnh Thanh Vân
	clusters []int64
}

func newEnv(t *testing.T, st *storage.Store) *env {
	ctx := context.Background()
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, st: st, acc: accounts.New(st, policy, log), clock: clock.NewFake(time.Date(2021, 6, 8, 9, 0, 0, 0, time.UTC))}
	if _, err := (&demo.Loader{Store: st, Orgs: orgs.New(st, policy), Accounts: e.acc}).Ensure(ctx, t.TempDir(), "http://127.0.0.1"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	blobs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	api := broadcast.NewAPI(bc)
	radio := e.unit("dtt-vinh-thanh-van")
	key, _, err := api.CreateEnrolmentKey(ctx, model.System("test"), radio.ID, "test", nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		r, err := api.Enrol(ctx, protocol.EnrolRequest{Key: key, Name: fmt.Sprintf("Cụm loa số %d", i), Kind: "loudspeaker", HardwareID: fmt.Sprintf("t-%d", i)}, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.clusters = append(e.clusters, r.DeviceID)
	}
	e.svc = e.service(api)
	return e
}

// service is one replica's feedback service on the shared store.
func (e *env) service(b feedback.Bulletins) *feedback.Service {
	s, err := feedback.New(feedback.Config{Store: e.st, Policy: authz.Default(), Bulletins: b, Clock: e.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RatePerAddr: 3, RatePerDay: 5})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) unit(code string) *model.Unit {
	u, err := e.st.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func (e *env) actor(username string) model.Actor {
	ctx := context.Background()
	u, _, err := e.st.Accounts().UserByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.acc.ActorFor(ctx, u, "127.0.0.1", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func field(err error) string {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

// TestSubmitValidatesAndProtects: bad input is refused with the field
// named; the honeypot drops a message silently; text is stored as plain
// text; the per-address limit is counted in the database, so a second
// replica sees the first one's submissions.
func TestSubmitValidatesAndProtects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		ok := feedback.SubmitInput{UnitCode: "ubnd-vinh-thanh-van", Kind: model.FeedbackQuestion, Body: "Khi nào tiêm vắc xin?", ClientAddr: "203.0.113.1"}
		for _, c := range []struct {
			name, field string
			change      func(*feedback.SubmitInput)
		}{
			{"unknown kind", "kind", func(in *feedback.SubmitInput) { in.Kind = "spam" }},
			{"empty body", "body", func(in *feedback.SubmitInput) { in.Body = " \n " }},
			{"too long", "body", func(in *feedback.SubmitInput) { in.Body = strings.Repeat("á", feedback.MaxBodyRunes+1) }},
			{"phone without consent", "consent", func(in *feedback.SubmitInput) { in.Phone = "0912 345 678" }},
			{"bad phone", "phone", func(in *feedback.SubmitInput) { in.Phone = "call me"; in.Consent = true }},
			{"speaker without problem", "problem", func(in *feedback.SubmitInput) { in.Kind = model.FeedbackSpeaker; in.DeviceID = e.clusters[0] }},
			{"speaker of another commune", "device_id", func(in *feedback.SubmitInput) {
				in.Kind = model.FeedbackSpeaker
				in.Problem = model.SpeakerTooLoud
				in.DeviceID = 999999
			}},
			{"bulletin not on air", "order_id", func(in *feedback.SubmitInput) { in.OrderID = 12345 }},
		} {
			in := ok
			in.ClientAddr = "198.51.100." + fmt.Sprint(len(c.name)) // each case its own address
			c.change(&in)
			if _, err := e.svc.Submit(ctx, in); field(err) != c.field {
				t.Errorf("%s: got %v, want an error on %q", c.name, err, c.field)
			}
		}
		// Plain text: control characters dropped, markup kept as text.
		in := ok
		in.Body = "<b>Loa</b>\x00 kêu\r\nto quá"
		in.Name, in.Phone, in.Consent = "Nguyễn Văn A", "0912 345 678", true
		f, err := e.svc.Submit(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if f.Body != "<b>Loa</b> kêu\nto quá" || f.State != model.FeedbackNew || f.AssignedUnitID != nil {
			t.Errorf("stored %+v", f)
		}
		// Honeypot: accepted, not stored.
		in = ok
		in.ClientAddr, in.Honeypot = "192.0.2.50", "http://spam.example"
		if f, err := e.svc.Submit(ctx, in); err != nil || f != nil {
			t.Fatalf("honeypot: %v %v", f, err)
		}
		var n int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM feedback WHERE client_addr = '192.0.2.50'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("honeypot stored %d rows (%v)", n, err)
		}
		// Rate limit: 3 per window per address, shared by two replicas.
		other := e.service(nil)
		in = ok
		in.ClientAddr = "192.0.2.7"
		for i := range 3 {
			svc := e.svc
			if i%2 == 1 {
				svc = other
			}
			if _, err := svc.Submit(ctx, in); err != nil {
				t.Fatalf("submission %d: %v", i+1, err)
			}
		}
		if _, err := other.Submit(ctx, in); !errors.Is(err, model.ErrThrottled) {
			t.Fatalf("4th submission from one address: %v, want throttled", err)
		}
		in.ClientAddr = "192.0.2.8"
		if _, err := other.Submit(ctx, in); err != nil {
			t.Fatalf("another address is not limited: %v", err)
		}
		// The next window lets the address send again (day limit 5).
		e.clock.Advance(feedback.DefaultRateWindow)
		in.ClientAddr = "192.0.2.7"
		if _, err := e.svc.Submit(ctx, in); err != nil {
			t.Fatalf("next window: %v", err)
		}
	})
}

// TestHandlingFlowEscalationAndFigures: a loudspeaker complaint goes to
// the commune radio with the cluster named; officials of other communes
// neither see nor handle it; a question is assigned, answered, published
// and closed; an unanswered complaint escalates once, through the jobs
// engine, to the city; the figures count received, handled, open and the
// median handling time.
func TestHandlingFlowEscalationAndFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		start := e.clock.Now()
		radio, ward, city := e.unit("dtt-vinh-thanh-van"), e.unit("ubnd-vinh-thanh-van"), e.unit("ubnd-rach-gia")
		speaker, err := e.svc.Submit(ctx, feedback.SubmitInput{UnitCode: ward.Code, Kind: model.FeedbackSpeaker, Problem: model.SpeakerTooEarly,
			DeviceID: e.clusters[1], ClientAddr: "203.0.113.9"})
		if err != nil {
			t.Fatal(err)
		}
		if speaker.State != model.FeedbackAssigned || speaker.AssignedUnitID == nil || *speaker.AssignedUnitID != radio.ID || speaker.DeviceName != "Cụm loa số 2" {
			t.Fatalf("speaker complaint: %+v", speaker)
		}
		if !speaker.DueAt.Equal(start.Add(feedback.DefaultDueSpeaker)) {
			t.Errorf("due %v", speaker.DueAt)
		}
		q, err := e.svc.Submit(ctx, feedback.SubmitInput{UnitCode: ward.Code, Kind: model.FeedbackQuestion, Body: "Quỹ vắc xin nhận đóng góp ở đâu?", ClientAddr: "203.0.113.10"})
		if err != nil {
			t.Fatal(err)
		}
		broadcaster, wardClerk, outsider, cityLead := e.actor("phatthanh.vinhthanhvan"), e.actor("xaphuong.vinhthanhvan"), e.actor("vanthu.so"), e.actor("lanhdao.rachgia")
		list, err := e.svc.Inbox(ctx, broadcaster, "")
		if err != nil || len(list) != 1 || list[0].ID != speaker.ID {
			t.Fatalf("the station's inbox: %v %v", list, err)
		}
		if list, err := e.svc.Inbox(ctx, wardClerk, ""); err != nil || len(list) != 2 {
			t.Fatalf("the ward's inbox: %d %v", len(list), err)
		}
		if _, err := e.svc.Get(ctx, outsider, q.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("another unit reads it: %v", err)
		}
		if _, err := e.svc.Answer(ctx, broadcaster, q.ID, feedback.AnswerInput{Answer: "x"}); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the station answers the ward's question: %v", err)
		}
		// Assign the question to the ward itself, answer, publish, close.
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.Assign(ctx, wardClerk, q.ID, feedback.AssignInput{UnitID: e.unit("ubnd-kg").ID}); field(err) != "unit_id" {
			t.Fatalf("assign upwards: %v", err)
		}
		if f, err := e.svc.Assign(ctx, wardClerk, q.ID, feedback.AssignInput{UnitID: ward.ID}); err != nil || f.State != model.FeedbackAssigned {
			t.Fatalf("assign: %+v %v", f, err)
		}
		e.clock.Advance(2 * time.Hour)
		a, err := e.svc.Answer(ctx, wardClerk, q.ID, feedback.AnswerInput{Answer: "Tại UBND phường, giờ hành chính.", Publish: true})
		if err != nil || a.State != model.FeedbackAnswered || !a.AnswerPublic || a.AnsweredBy != "xaphuong.vinhthanhvan" {
			t.Fatalf("answer: %+v %v", a, err)
		}
		if _, err := e.svc.Close(ctx, wardClerk, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Assign(ctx, wardClerk, q.ID, feedback.AssignInput{UnitID: ward.ID}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("assign a closed one: %v", err)
		}
		page, err := e.svc.Page(ctx, ward.Code)
		if err != nil || len(page.Answers) != 1 || page.Answers[0].Answer != "Tại UBND phường, giờ hành chính." || len(page.Clusters) != 2 {
			t.Fatalf("public page: %+v %v", page, err)
		}
		// Escalation: nothing is due before the complaint's due time; after
		// it, one run escalates it to the city, once, with notifications
		// and an audit line.
		runner := jobs.New(st, e.svc.EscalationQueue(), jobs.Options{Now: e.clock.Now})
		if ran, err := runner.RunOne(ctx); err != nil || ran {
			t.Fatalf("escalated before due: %v %v", ran, err)
		}
		e.clock.Set(speaker.DueAt.Add(time.Minute))
		if ran, err := runner.RunOne(ctx); err != nil || !ran {
			t.Fatalf("escalation: %v %v", ran, err)
		}
		if ran, err := runner.RunOne(ctx); err != nil || ran {
			t.Fatalf("escalated twice: %v %v", ran, err)
		}
		f, err := e.svc.Get(ctx, cityLead, speaker.ID)
		if err != nil || f.EscalatedUnitID == nil || *f.EscalatedUnitID != city.ID || f.EscalatedAt == nil {
			t.Fatalf("the city sees the escalated complaint: %+v %v", f, err)
		}
		notes, err := st.Deliveries().Notifications(ctx, city.ID, 0, false, 10)
		if err != nil || len(notes) != 1 || notes[0].Kind != "feedback_overdue" || !strings.Contains(notes[0].Message, "Vĩnh Thanh Vân") {
			t.Fatalf("city notification: %+v %v", notes, err)
		}
		// The city answers it (it may now handle it).
		if _, err := e.svc.Answer(ctx, cityLead, speaker.ID, feedback.AnswerInput{Answer: "Đã chỉnh giờ phát của cụm loa số 2 sang 6 giờ.", Publish: true}); err != nil {
			t.Fatalf("the city answers: %v", err)
		}
		// Figures: 2 received and 2 answered over the day, none open; the
		// median of 4 h (question) and 2 days + 1 min (complaint).
		fig, err := e.svc.Figures(ctx, cityLead, city.ID, start.Add(-time.Hour), e.clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := (4*time.Hour + feedback.DefaultDueSpeaker + time.Minute) / 2
		if fig.Received != 2 || fig.Handled != 2 || fig.Open != 0 || fig.MedianHandle != want {
			t.Errorf("figures %+v, want 2/2/0 median %v", fig, want)
		}
		// At a time between the answers, one was still open.
		fig, err = feedback.FiguresOf(ctx, st, city, start.Add(-time.Hour), start.Add(5*time.Hour))
		if err != nil || fig.Received != 2 || fig.Handled != 1 || fig.Open != 1 || fig.MedianHandle != 4*time.Hour {
			t.Errorf("figures of the first hours %+v %v", fig, err)
		}
		if _, err := e.svc.Figures(ctx, outsider, city.ID, start, e.clock.Now()); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("another unit reads the city's figures: %v", err)
		}
	})
}
