package directives_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// newClock is a settable clock for the service standing at s (RFC 3339).
func newClock(s string) *clock.Fake {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return clock.NewFake(t)
}

// env is Loa with the demo dataset and the directives service behind an
// HTTP server.
type env struct {
	t         *testing.T
	store     *storage.Store
	svc       *directives.Service
	orgs      *orgs.Service
	accounts  *accounts.Service
	registry  *registry.Service
	documents *documents.Service
	blobs     blob.Store
	blobDir   string
	dsn       string
	srv       *httptest.Server
	clock     *clock.Fake
	tokens    map[string]string
	hash      string
}

type envOption func(*directives.Options)

func newEnv(t *testing.T, st *storage.Store, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	e := &env{t: t, store: st, orgs: orgs.New(st, policy), accounts: accounts.New(st, policy, log), tokens: map[string]string{},
		clock: newClock("2021-06-03T08:00:00+07:00")}
	var err error
	e.blobDir = filepath.Join(t.TempDir(), "blobs")
	if e.blobs, err = blob.NewFS(e.blobDir); err != nil {
		t.Fatal(err)
	}
	e.registry = registry.New(st, policy, i18n.Zone())
	e.documents = documents.New(st, e.blobs, policy, log)
	o := directives.Options{Log: log, Clock: e.clock}
	for _, f := range opts {
		f(&o)
	}
	e.svc = directives.New(st, e.blobs, e.registry, policy, o)
	h, err := web.New(web.Deps{Accounts: e.accounts, Orgs: e.orgs, Documents: e.documents, Registry: e.registry, Directives: directives.NewAPI(e.svc),
		Health: st, Policy: policy, Log: log, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	if _, err := (&demo.Loader{Store: st, Orgs: e.orgs, Accounts: e.accounts}).Ensure(ctx, t.TempDir(), e.srv.URL); err != nil {
		t.Fatalf("demo: %v", err)
	}
	if e.hash, err = accounts.HashPassword("test-password-1"); err != nil {
		t.Fatal(err)
	}
	return e
}

// eachEnv runs fn on every engine (storetest.Each, keeping the URL for
// direct checks).
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			st, dsn := storetest.Open(t, engine)
			e := newEnv(t, st)
			e.dsn = dsn
			fn(t, e)
		})
	}
}

func (e *env) unit(code string) *model.Unit {
	e.t.Helper()
	u, err := e.store.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func (e *env) user(username string) *model.User {
	e.t.Helper()
	u, _, err := e.store.Accounts().UserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// addUser creates a user (quickly: one password hash for all).
func (e *env) addUser(username, unitCode string, roles ...model.Role) *model.User {
	e.t.Helper()
	u := &model.User{Username: username, FullName: "Cán bộ " + username, Title: "Chuyên viên", Email: username + "@example.vn",
		UnitID: e.unit(unitCode).ID, Roles: roles, Active: true, Lang: "vi"}
	if err := e.store.Tx(context.Background(), func(tx *storage.Tx) error { return tx.Accounts().InsertUser(context.Background(), u, e.hash) }); err != nil {
		e.t.Fatalf("add user %s: %v", username, err)
	}
	return u
}

// token returns (and caches) a read-write API token of a user.
func (e *env) token(username string) string {
	e.t.Helper()
	if tok, ok := e.tokens[username]; ok {
		return tok
	}
	u := e.user(username)
	secret, _, err := e.accounts.CreateToken(context.Background(), model.System("test"), accounts.NewToken{UserID: u.ID, Name: "test", Scopes: []string{"read", "write"}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.tokens[username] = secret
	return secret
}

// actor is a user as the services see them.
func (e *env) actor(username string) model.Actor {
	e.t.Helper()
	a, err := e.accounts.ActorFor(context.Background(), e.user(username), "test", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

type result struct {
	code int
	body []byte
	hdr  http.Header
}

func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do calls the API as a user ("" = anonymous).
func (e *env) do(method, path, user string, body any) result {
	e.t.Helper()
	var rd io.Reader
	if raw, ok := body.(json.RawMessage); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.token(user))
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b, hdr: resp.Header}
}

// must calls the API and fails the test unless the status is want; it
// decodes the answer into out when given.
func (e *env) must(want int, method, path, user string, body, out any) result {
	e.t.Helper()
	r := e.do(method, path, user, body)
	if r.code != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, user, r.code, want, r.body)
	}
	if out != nil {
		r.decode(e.t, out)
	}
	return r
}

// upload posts a file as multipart form field "file".
func (e *env) upload(path, user, name, ctype string, data []byte) result {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
	h["Content-Type"] = []string{ctype}
	part, err := mw.CreatePart(h)
	if err != nil {
		e.t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.token(user))
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

// deliver runs the delivery worker until the outbox is empty.
func (e *env) deliver() int {
	e.t.Helper()
	n, err := e.svc.DeliverPending(context.Background())
	if err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
	return n
}

// wav is a short silent WAV file (distinct per seed).
func wav(seed byte, samples int) []byte {
	var b bytes.Buffer
	data := make([]byte, samples*2)
	for i := range data {
		data[i] = seed
	}
	le32 := func(v int) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le16 := func(v int) { b.Write([]byte{byte(v), byte(v >> 8)}) }
	b.WriteString("RIFF")
	le32(36 + len(data))
	b.WriteString("WAVEfmt ")
	le32(16)
	le16(1)
	le16(1)
	le32(8000)
	le32(16000)
	le16(2)
	le16(16)
	b.WriteString("data")
	le32(len(data))
	b.Write(data)
	return b.Bytes()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// testLogWriter sends the server's error log to the test log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// at moves the service's clock on to the given day (10:00 in Vietnam)
// unless it is already there or later: a document is issued on its date,
// never before (Decree 30 check).
func (e *env) at(day string) {
	e.t.Helper()
	t, err := time.Parse(time.RFC3339, day+"T10:00:00+07:00")
	if err != nil {
		e.t.Fatal(err)
	}
	if e.clock.Now().Before(t) {
		e.clock.Set(t)
	}
}
