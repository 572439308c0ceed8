package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
)

const guardCSRF = "the-right-csrf-token"

// guardAccounts knows one session ("sess", CSRF guardCSRF) and one API
// token ("t") of the same user.
type guardAccounts struct{ Accounts }

func (guardAccounts) SessionUser(_ context.Context, secret string) (*model.User, *model.Session, error) {
	if secret != "sess" {
		return nil, nil, model.ErrUnauthorized
	}
	return &model.User{ID: 7, Username: "u", Lang: "vi"}, &model.Session{UserID: 7, CSRF: guardCSRF, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (guardAccounts) TokenUser(_ context.Context, secret string) (*model.User, *model.Token, error) {
	if secret != "t" {
		return nil, nil, model.ErrUnauthorized
	}
	return &model.User{ID: 7, Username: "u"}, &model.Token{ID: 1, UserID: 7, Scopes: []string{"read", "write"}}, nil
}

func (guardAccounts) ActorFor(_ context.Context, u *model.User, _ string, _ []string) (model.Actor, error) {
	return model.Actor{UserID: u.ID}, nil
}

type guardOrgs struct{ Orgs }

func (guardOrgs) Units(context.Context) ([]*model.Unit, error)    { return nil, nil }
func (guardOrgs) Kinds(context.Context) ([]model.UnitKind, error) { return nil, nil }

func newGuarded(t *testing.T) *Server {
	t.Helper()
	s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: guardAccounts{}, Orgs: guardOrgs{},
		Documents: stubDocuments{}, Registry: stubRegistry{}, Broadcast: stubBroadcast{}, Channels: stubChannels{}, Directives: stubDirectives{}, Scheduler: stubScheduler{}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countingBody is a large multipart body that counts what is read of it.
type countingBody struct {
	head  io.Reader
	left  int64
	nRead atomic.Int64
}

const bigBoundary = "XbigX"

func newCountingBody(size int64) *countingBody {
	head := "--" + bigBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
	return &countingBody{head: strings.NewReader(head), left: size}
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.head.Read(p)
	if n == 0 && errors.Is(err, io.EOF) {
		if b.left <= 0 {
			return 0, io.EOF
		}
		n = int(min(int64(len(p)), b.left))
		for i := range p[:n] {
			p[i] = 'A'
		}
		b.left -= int64(n)
	}
	b.nRead.Add(int64(n))
	return n, nil
}

// TestFormBodyNotReadBeforeCSRF sends 45 MB bodies without a valid CSRF
// token (or without a session): they are refused having read at most a
// few kilobytes.
func TestFormBodyNotReadBeforeCSRF(t *testing.T) {
	s := newGuarded(t)
	const size = 45 << 20
	cases := []struct {
		name, path, cookie, header, ctype string
		want                              int
		maxRead                           int64
	}{
		{"page upload without token", "/documents/upload", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"page upload, wrong token in URL", "/documents/upload?csrf=wrong", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"page upload, wrong token header", "/documents/upload", "sess", "wrong", "multipart", http.StatusForbidden, 4 << 10},
		{"org import without token", "/org/import", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"directive attachment without token", "/directives/1/attachments", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"audio upload without token", "/broadcast/media/upload", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"page upload without a session", "/documents/upload", "", "", "multipart", http.StatusSeeOther, 4 << 10},
		{"page upload, unknown session", "/documents/upload", "nope", "", "multipart", http.StatusSeeOther, 4 << 10},
		{"API upload, session without header", "/api/v1/directives/1/attachments", "sess", "", "multipart", http.StatusForbidden, 4 << 10},
		{"API upload, session with wrong header", "/api/v1/directives/1/attachments", "sess", "wrong", "multipart", http.StatusForbidden, 4 << 10},
		{"API upload, anonymous", "/api/v1/directives/1/attachments", "", "", "multipart", http.StatusUnauthorized, 4 << 10},
		{"API document import, anonymous", "/api/v1/documents", "", "", "multipart", http.StatusUnauthorized, 4 << 10},
		// A small urlencoded form may be read to find its csrf field, but
		// no more than that bound.
		{"urlencoded form without token", "/tokens", "sess", "", "urlencoded", 0, maxPreCSRFForm + 4<<10},
	}
	for _, c := range cases {
		body := newCountingBody(size)
		req := httptest.NewRequest("POST", c.path, body)
		req.ContentLength = -1 // streamed, as a client may send it
		if c.ctype == "multipart" {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+bigBoundary)
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
		}
		if c.header != "" {
			req.Header.Set("X-CSRF-Token", c.header)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if c.want != 0 && w.Code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, w.Code, c.want)
		}
		if c.want == 0 && w.Code < 400 {
			t.Errorf("%s: status %d, want a refusal", c.name, w.Code)
		}
		if n := body.nRead.Load(); n > c.maxRead {
			t.Errorf("%s: read %d bytes of the body before refusing (at most %d allowed)", c.name, n, c.maxRead)
		}
	}
}

// blockingBody is a multipart upload that sends its head, then waits.
type blockingBody struct {
	head    io.Reader
	started chan struct{}
	once    sync.Once
	release chan struct{}
}

func newBlockingBody() *blockingBody {
	head := "--" + bigBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
	return &blockingBody{head: strings.NewReader(head), started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	if n, _ := b.head.Read(p); n > 0 {
		return n, nil
	}
	<-b.release
	return 0, io.ErrUnexpectedEOF
}

// TestUploadsPerUserCapped holds the user's upload slots with slow
// uploads (page forms and API): the next upload is refused with 429 and a
// Vietnamese message before its body is read; once the slow ones end, the
// user may upload again.
func TestUploadsPerUserCapped(t *testing.T) {
	s := newGuarded(t)
	send := func(path string, api bool, body io.Reader) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, body)
		req.ContentLength = -1
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+bigBoundary)
		if api {
			req.Header.Set("Authorization", "Bearer t")
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "sess"})
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	var slow []*blockingBody
	var wg sync.WaitGroup
	for i := range MaxUploadsPerUser {
		b := newBlockingBody()
		slow = append(slow, b)
		path, api := "/documents/upload?csrf="+guardCSRF, false
		if i%2 == 1 {
			path, api = "/api/v1/directives/1/attachments", true
		}
		wg.Go(func() { send(path, api, b) })
		select {
		case <-b.started:
		case <-time.After(10 * time.Second):
			t.Fatal("slow upload did not start")
		}
	}
	for _, c := range []struct {
		path string
		api  bool
	}{{"/documents/upload?csrf=" + guardCSRF, false}, {"/api/v1/directives/1/attachments", true}, {"/broadcast/media/upload?csrf=" + guardCSRF, false}} {
		body := newCountingBody(45 << 20)
		w := send(c.path, c.api, body)
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("%s beyond %d uploads: %d, want 429", c.path, MaxUploadsPerUser, w.Code)
		}
		if !strings.Contains(w.Body.String(), "Bạn đang tải lên quá nhiều tệp cùng lúc") {
			t.Errorf("%s: the 429 does not say why in Vietnamese: %.300s", c.path, w.Body.String())
		}
		if n := body.nRead.Load(); n > 4<<10 {
			t.Errorf("%s: read %d bytes of a refused upload", c.path, n)
		}
	}
	// Another user is not affected: the cap is per user.
	if release, ok := s.uploads.acquire(8); !ok {
		t.Error("another user's upload was refused")
	} else {
		release()
	}
	for _, b := range slow {
		close(b.release)
	}
	wg.Wait()
	// The slots are free again: the upload is read (and fails as a
	// truncated form, not as 429).
	if w := send("/documents/upload?csrf="+guardCSRF, false, newBlockingBodyDone()); w.Code == http.StatusTooManyRequests {
		t.Fatalf("after the slow uploads ended: %d", w.Code)
	}
}

func newBlockingBodyDone() io.Reader {
	b := newBlockingBody()
	close(b.release)
	return b
}
