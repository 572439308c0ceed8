package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// env is a running Loa on a fresh store with the demo dataset.
type env struct {
	t        *testing.T
	store    *storage.Store
	orgs     *orgs.Service
	accounts *accounts.Service
	srv      *httptest.Server
	creds    *demo.Credentials

	documents *documents.Service
	broadcast *broadcast.Service
	channels  *channels.Service
	registry  *registry.Service
	blobDir   string
	// clock is what sign-in throttling reads as the time.
	clock *testClock
}

// testClock is the real time, or a time a test sets and advances.
type testClock struct{ fixed atomic.Int64 } // unix nanoseconds; 0: real time

func (c *testClock) now() time.Time {
	if n := c.fixed.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Now()
}

// freeze stops the clock at the present time.
func (c *testClock) freeze() { c.fixed.Store(time.Now().UnixNano()) }

// advance moves a frozen clock on.
func (c *testClock) advance(d time.Duration) { c.fixed.Add(int64(d)) }

func newEnv(t *testing.T, st *storage.Store) *env {
	t.Helper()
	return newEnvWith(t, st, nil)
}

// newEnvWith is newEnv with changes to the server's dependencies.
func newEnvWith(t *testing.T, st *storage.Store, change func(*web.Deps)) *env {
	t.Helper()
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, store: st, orgs: orgs.New(st, policy), accounts: accounts.New(st, policy, log), clock: &testClock{}}
	e.accounts.SetClock(clock.Func(e.clock.now))
	e.blobDir = filepath.Join(t.TempDir(), "blobs")
	blobs, err := blob.NewFS(e.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	e.documents = documents.New(st, blobs, policy, log)
	e.registry = registry.New(st, policy, i18n.Zone())
	e.broadcast, err = broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.broadcast.Close() })
	e.channels, err = channels.New(channels.Config{Store: st, Policy: policy, Blobs: blobs, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	deps := web.Deps{Accounts: e.accounts, Orgs: e.orgs, Documents: e.documents, Registry: e.registry, Broadcast: broadcast.NewAPI(e.broadcast), Channels: channels.NewAPI(e.channels),
		Health: st, Policy: policy, Log: log, Version: "test", Collectors: append(web.DBCollectors(st), web.QueueCollector(map[string]web.QueueCounter{
			"sms_messages": func(ctx context.Context) (map[string]int, error) { return st.QueueCounts(ctx, "sms_messages") }}))}
	if change != nil {
		change(&deps)
	}
	h, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.creds, err = (&demo.Loader{Store: st, Orgs: e.orgs, Accounts: e.accounts}).Ensure(context.Background(), t.TempDir(), e.srv.URL)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return e
}

// unit returns a demo unit by code.
func (e *env) unit(code string) *model.Unit {
	e.t.Helper()
	u, err := e.store.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

// tokenFor issues a read-write token for a user.
func (e *env) tokenFor(username string) string {
	e.t.Helper()
	u, _, err := e.store.Accounts().UserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatalf("user %s: %v", username, err)
	}
	secret, _, err := e.accounts.CreateToken(context.Background(), model.System("test"), accounts.NewToken{UserID: u.ID, Name: "test", Scopes: []string{"read", "write"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

type result struct {
	code int
	body []byte
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request with an optional bearer token and JSON body.
func (e *env) do(method, path, token string, body any) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

// browser is an HTTP client with cookies that does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) { fn(t, newEnv(t, st)) })
}
