package broadcast_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/web"
)

// testMaxUpload keeps the upload limit small so that refusing an
// oversized upload is quick.
const testMaxUpload = 8 << 20

// vn is Vietnam's time zone.
var vn = time.FixedZone("ICT", 7*3600)

// requireTools fails (CI=true) or skips when ffmpeg or espeak-ng is missing.
func requireTools(t testing.TB) {
	t.Helper()
	for _, tool := range [][2]string{{"ffmpeg", "ffmpeg"}, {"ffprobe", "ffmpeg"}, {"espeak-ng", "espeak-ng"}} {
		if _, err := media.LookTool("", tool[0], tool[1]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%v", err)
			}
			t.Skipf("skipping: %v", err)
		}
	}
}

// env is a running Loa with the broadcast service, on a simulated clock.
type env struct {
	t        *testing.T
	store    *storage.Store
	clock    *deviceclient.ManualClock
	svc      *broadcast.Service
	srv      *httptest.Server
	creds    *demo.Credentials
	accounts *accounts.Service
	blobDir  string
	log      *slog.Logger
}

type envOptions struct {
	notifier  broadcast.Notifier
	ttsDir    string
	publicURL string // web.Deps.PublicURL
	dbBlobs   bool   // files in the database (replicas), not in blobDir
}

func newEnv(t *testing.T, st *storage.Store, clock *deviceclient.ManualClock, opt envOptions) *env {
	t.Helper()
	requireTools(t)
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("LOA_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	proc, err := media.New(media.Config{TempDir: t.TempDir(), MaxFileSize: testMaxUpload})
	if err != nil {
		t.Fatal(err)
	}
	esp, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ttsDir := opt.ttsDir
	if ttsDir == "" {
		ttsDir = t.TempDir()
	}
	cached, err := tts.NewCached(esp, esp.ID(), ttsDir, log)
	if err != nil {
		t.Fatal(err)
	}
	blobDir := t.TempDir()
	var blobs blob.Store
	blobs, err = blob.NewFS(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	if opt.dbBlobs {
		blobs = storage.NewDBBlobs(st, 0, nil)
	}
	svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: cached,
		Notifier: opt.notifier, Clock: clock, Location: vn, MaxUpload: testMaxUpload, FlushInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	e := &env{t: t, store: st, clock: clock, svc: svc, accounts: accounts.New(st, policy, log), blobDir: blobDir, log: log}
	o := orgs.New(st, policy)
	h, err := web.New(web.Deps{Accounts: e.accounts, Orgs: o, Health: st, Broadcast: broadcast.NewAPI(svc), Policy: policy, Log: log, Version: "test", PublicURL: opt.publicURL})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.creds, err = (&demo.Loader{Store: st, Orgs: o, Accounts: e.accounts}).Ensure(context.Background(), t.TempDir(), e.srv.URL)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return e
}

func (e *env) unit(code string) *model.Unit {
	e.t.Helper()
	u, err := e.store.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

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
	hdr  http.Header
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request with a bearer token and a JSON (or raw) body.
func (e *env) do(method, path, token string, body any, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd, ct = b, "application/octet-stream"
	case []byte:
		rd = bytes.NewReader(b)
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
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b, hdr: resp.Header}
}

func (e *env) mustDo(want int, method, path, token string, body any, v any) {
	e.t.Helper()
	r := e.do(method, path, token, body)
	if r.code != want {
		e.t.Fatalf("%s %s: got %d %s, want %d", method, path, r.code, r.body, want)
	}
	if v != nil {
		r.json(e.t, v)
	}
}

// count runs a count(*) query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	switch query {
	case "media":
		ms, err := e.store.Broadcast().MediaLibrary(context.Background(), args[0].(int64), 1000)
		if err != nil {
			e.t.Fatal(err)
		}
		n = len(ms)
	case "plays":
		ls, err := e.store.Broadcast().PlayLogs(context.Background(), model.PlayLogFilter{DeviceID: args[0].(int64), Limit: 100000})
		if err != nil {
			e.t.Fatal(err)
		}
		n = len(ls)
	default:
		e.t.Fatalf("unknown count %q", query)
	}
	return n
}

// netSwitch is the device's network: it can be cut, and it can lose the
// answer of a play-log upload after the server processed it.
type netSwitch struct {
	base         http.RoundTripper
	offline      atomic.Bool
	dropPlayAcks atomic.Int32
}

var errUnreachable = errors.New("network unreachable (simulated)")

func (n *netSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	if n.offline.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errUnreachable
	}
	resp, err := n.base.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/playlogs") && resp.StatusCode == http.StatusOK && n.dropPlayAcks.Load() > 0 {
		n.dropPlayAcks.Add(-1)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("connection reset before the answer arrived (simulated)")
	}
	return resp, err
}

// fakePlayer is the null audio sink of the tests: it records what it was
// asked to play, checks the cached file, and "plays" for the item's
// duration on the simulated clock.
type fakePlayer struct {
	t     *testing.T
	clock deviceclient.Clock
	mu    sync.Mutex
	plays []*fakePlay
}

type fakePlay struct {
	item      protocol.Item
	realStart time.Time
	done      bool
	err       error
}

func (p *fakePlayer) Play(ctx context.Context, path string, item protocol.Item) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != item.Media.SHA256 {
		return errors.New("cached audio does not match its sha256")
	}
	fp := &fakePlay{item: item, realStart: time.Now()}
	p.mu.Lock()
	p.plays = append(p.plays, fp)
	p.mu.Unlock()
	var res error
	select {
	case <-ctx.Done():
		res = ctx.Err()
	case <-p.clock.After(item.Media.Duration()):
	}
	p.mu.Lock()
	fp.done, fp.err = true, res
	p.mu.Unlock()
	return res
}

// snapshot returns copies of the plays so far.
func (p *fakePlayer) snapshot() []fakePlay {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]fakePlay, len(p.plays))
	for i, fp := range p.plays {
		out[i] = *fp
	}
	return out
}

// eventually polls cond (real time) until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// byteSource produces n bytes without holding them. The count of bytes
// read is atomic: the HTTP transport may still be reading when the test
// looks at it.
type byteSource struct {
	n    int64
	read atomic.Int64
}

func (b *byteSource) Read(p []byte) (int, error) {
	done := b.read.Load()
	if done >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-done)
	for i := range p[:k] {
		p[i] = byte(i)
	}
	b.read.Add(k)
	return int(k), nil
}
