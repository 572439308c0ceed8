package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

var vn = time.FixedZone("ICT", 7*3600)

// env is a store with a small tree: province ⊃ district ⊃ communes A, B.
type env struct {
	t         *testing.T
	ctx       context.Context
	store     *storage.Store
	clock     *clock.Fake
	blobs     *blob.FS
	blobDir   string
	province  *model.Unit
	district  *model.Unit
	communeA  *model.Unit
	communeB  *model.Unit
	admin     model.Actor // province administrator (subtree)
	bcA, bcB  model.Actor // broadcasters of communes A and B
	viewerA   model.Actor
	gw        *fakeGateway
	svc       *channels.Service
	receiptCf channels.WebhookConfig
}

const testSecret = "a-shared-secret-of-32-characters!"

func newEnv(t *testing.T, s *storage.Store) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), store: s, clock: clock.NewFake(time.Date(2021, 6, 4, 8, 0, 0, 0, vn))}
	err := s.Tx(e.ctx, func(tx *storage.Tx) error {
		e.province = e.unit(tx, "kien-giang", "Tỉnh Kiên Giang", nil)
		e.district = e.unit(tx, "rach-gia", "Thành phố Rạch Giá", &e.province.ID)
		e.communeA = e.unit(tx, "vinh-thanh-van", "Phường Vĩnh Thanh Vân", &e.district.ID)
		e.communeB = e.unit(tx, "vinh-lac", "Phường Vĩnh Lạc", &e.district.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = actor(1, "admin", e.province, model.RoleAdmin)
	e.bcA = actor(2, "phatthanh.a", e.communeA, model.RoleBroadcaster)
	e.bcB = actor(3, "phatthanh.b", e.communeB, model.RoleBroadcaster)
	e.viewerA = actor(4, "viewer.a", e.communeA, model.RoleViewer)
	e.blobDir = t.TempDir()
	e.blobs, err = blob.NewFS(e.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = newFakeGateway(t)
	e.receiptCf = channels.WebhookConfig{Secret: testSecret}
	return e
}

func (e *env) unit(tx *storage.Tx, code, name string, parent *int64) *model.Unit {
	u := &model.Unit{Code: code, Name: name, Kind: "other", ParentID: parent}
	if err := tx.Orgs().InsertUnit(e.ctx, u); err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func actor(id int64, name string, u *model.Unit, roles ...model.Role) model.Actor {
	return model.Actor{UserID: id, Username: name, UnitID: u.ID, UnitPath: u.Path, Roles: roles}
}

// gatewayConfig is the HTTP gateway pointed at the fake provider.
func (e *env) gatewayConfig() channels.HTTPGatewayConfig {
	return channels.HTTPGatewayConfig{
		URL:             e.gw.srv.URL + "/send",
		AuthHeader:      "Authorization",
		AuthToken:       "Bearer test-token",
		BodyTemplate:    `{"to":"{{phone_national}}","message":"{{text}}","ref":"{{client_ref}}","callback":"{{callback}}","opts":{"unicode":true}}`,
		ProviderIDPath:  "data.id",
		DuplicateStatus: http.StatusConflict,
		Deduplicates:    true,
		Timeout:         channels.Duration(300 * time.Millisecond),
	}
}

// start builds the service on the env's gateway with cfg adjustments.
func (e *env) start(adjust func(*channels.Config, *channels.HTTPGatewayConfig)) *channels.Service {
	e.t.Helper()
	gc := e.gatewayConfig()
	cfg := channels.Config{Store: e.store, Policy: authz.Default(), Blobs: e.blobs, Clock: e.clock, Location: vn,
		CallbackURL: "https://loa.example.vn/api/v1/channels/receipts", RetryBase: time.Minute, RetryMax: 10 * time.Minute,
		SendLease: 2 * time.Minute, MaxAttempts: 5, MaxEvidenceBytes: 1 << 20}
	if adjust != nil {
		adjust(&cfg, &gc)
	}
	gw, err := channels.NewHTTPGateway(gc, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg.Gateway = gw
	svc, err := channels.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
	return svc
}

// drain runs the worker until nothing is pending, advancing the clock
// past every backoff; it fails after rounds rounds.
func (e *env) drain(svc *channels.Service, campaignID int64, rounds int) {
	e.t.Helper()
	for range rounds {
		if _, err := svc.ProcessDue(e.ctx); err != nil {
			e.t.Fatalf("process: %v", err)
		}
		v, err := svc.CampaignOps().Campaign(e.ctx, e.admin, campaignID)
		if err != nil {
			e.t.Fatal(err)
		}
		if v.Status != model.CampaignSending {
			return
		}
		e.clock.Advance(11 * time.Minute)
	}
	e.t.Fatalf("campaign %d still sending after %d rounds", campaignID, rounds)
}

func (e *env) audit(action string) []model.AuditEntry {
	e.t.Helper()
	list, err := e.store.Audit().AuditEntries(e.ctx, model.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// fakeRequest is what the fake provider received.
type fakeRequest struct {
	To, Message, Ref, Callback, Auth string
	Unicode                          bool
}

// fakeGateway is an SMS provider on 127.0.0.1: it records accepted
// messages by client reference (a repeated reference gets 409 with the
// first id, as providers that deduplicate do), can fail the first N
// requests with 503, answer slowly, or run a hook after recording a
// message (to simulate a crash of the sender).
type fakeGateway struct {
	t   *testing.T
	srv *httptest.Server

	mu           sync.Mutex
	accepted     []fakeRequest
	byRef        map[string]string // client ref → provider id
	requests     int
	failFirst    int
	slowFirst    int // answer the first N accepted messages after slow
	slow         time.Duration
	afterRecord  func(fakeRequest) // called once per accepted message
	noDedupe     bool              // accept repeated references again (a provider without deduplication)
	rejectPhones map[string]bool   // 400 for these numbers (national form)
}

func newFakeGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{t: t, byRef: map[string]string{}, rejectPhones: map[string]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var in struct {
		To, Message, Ref, Callback string
		Opts                       struct{ Unicode bool }
	}
	if err := json.Unmarshal(body, &in); err != nil || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	req := fakeRequest{To: in.To, Message: in.Message, Ref: in.Ref, Callback: in.Callback, Auth: r.Header.Get("Authorization"), Unicode: in.Opts.Unicode}
	id, status, hook, delay := g.accept(req)
	if hook != nil {
		hook(req)
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"data":{"id":%q},"status":%d}`, id, status)
}

// accept decides the answer and records the message.
func (g *fakeGateway) accept(req fakeRequest) (id string, status int, hook func(fakeRequest), delay time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.requests <= g.failFirst {
		return "", http.StatusServiceUnavailable, nil, 0
	}
	if req.Auth != "Bearer test-token" {
		return "", http.StatusUnauthorized, nil, 0
	}
	if g.rejectPhones[req.To] {
		return "", http.StatusBadRequest, nil, 0
	}
	if prev, ok := g.byRef[req.Ref]; ok && !g.noDedupe {
		return prev, http.StatusConflict, nil, 0
	}
	g.accepted = append(g.accepted, req)
	id = fmt.Sprintf("pv-%d", len(g.accepted))
	g.byRef[req.Ref] = id
	if len(g.accepted) <= g.slowFirst {
		delay = g.slow
	}
	return id, http.StatusOK, g.afterRecord, delay
}

func (g *fakeGateway) set(fn func(g *fakeGateway)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(g)
}

// perPhone counts accepted messages per number.
func (g *fakeGateway) perPhone() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]int{}
	for _, r := range g.accepted {
		out[r.To]++
	}
	return out
}

func (g *fakeGateway) acceptedList() []fakeRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]fakeRequest(nil), g.accepted...)
}

func (g *fakeGateway) total() (requests, accepted int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests, len(g.accepted)
}

// each runs fn on every engine with a fresh env.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, s *storage.Store) { fn(t, newEnv(t, s)) })
}

func isValidation(err error) bool {
	var ve *model.ValidationError
	return errors.As(err, &ve)
}
