package web

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

const evilHTML = `<!doctype html><title>x</title><script>document.title="pwned"</script>`

// fileAccounts knows one API token.
type fileAccounts struct{ Accounts }

func (fileAccounts) TokenUser(_ context.Context, secret string) (*model.User, *model.Token, error) {
	if secret != "t" {
		return nil, nil, model.ErrUnauthorized
	}
	return &model.User{ID: 1, Username: "u"}, &model.Token{ID: 1, UserID: 1, Scopes: []string{"read"}}, nil
}

func (fileAccounts) ActorFor(_ context.Context, u *model.User, client string, _ []string) (model.Actor, error) {
	return model.Actor{UserID: u.ID}, nil
}

// fileStore serves one uploaded file, whose name and type the test sets,
// through every route that returns user-supplied files.
type fileStore struct {
	name, ctype string
}

type (
	fileDocs struct {
		stubDocuments
		*fileStore
	}
	fileDirectives struct {
		stubDirectives
		*fileStore
	}
	fileChannels struct {
		stubChannels
		*fileStore
	}
	fileBroadcast struct {
		stubBroadcast
		*fileStore
	}
)

func (f *fileStore) body() io.ReadSeekCloser { return nopSeekCloser{strings.NewReader(evilHTML)} }

func (f fileDocs) Original(context.Context, model.Actor, int64) (*model.Document, io.ReadSeekCloser, error) {
	return &model.Document{ID: 1, Original: &model.Original{SHA256: "abc", Name: f.name, ContentType: f.ctype}}, f.body(), nil
}

func (f fileDirectives) OpenAttachment(context.Context, model.Actor, int64, string) (*directives.Attachment, io.ReadSeekCloser, error) {
	return &directives.Attachment{Kind: "file", Name: f.name, ContentType: f.ctype}, f.body(), nil
}

func (f fileDirectives) OpenDeliveryFile(context.Context, model.Actor, int64, string) (string, string, io.ReadSeekCloser, error) {
	return f.name, f.ctype, f.body(), nil
}

func (f fileChannels) OpenEvidence(context.Context, model.Actor, int64) (io.ReadSeekCloser, *model.TaskEvidence, error) {
	return f.body(), &model.TaskEvidence{ID: 1, Kind: "file", MIME: f.ctype, Filename: f.name}, nil
}

func (f fileBroadcast) OpenMedia(context.Context, model.Actor, int64, bool) (io.ReadSeekCloser, *model.Media, error) {
	return f.body(), &model.Media{ID: 1, OriginalFormat: "html"}, nil
}

type nopSeekCloser struct{ io.ReadSeeker }

func (nopSeekCloser) Close() error { return nil }

// TestUserFilesNeverRunInLoaOrigin fetches an uploaded file through every
// route that serves one and checks it cannot run script in Loa's origin.
func TestUserFilesNeverRunInLoaOrigin(t *testing.T) {
	paths := map[string]string{
		"document original":    "/api/v1/documents/1/original",
		"directive attachment": "/api/v1/directives/1/attachments/abc",
		"delivery file":        "/api/v1/deliveries/1/files/abc",
		"channel evidence":     "/api/v1/channels/evidence/1",
		"media original":       "/api/v1/broadcast/media/1/audio?original=1",
	}
	cases := []struct {
		name, ctype     string
		wantType        string
		wantDisposition string
	}{
		{name: "a.html", ctype: "text/html", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "a.svg", ctype: "image/svg+xml", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "a.xhtml", ctype: "application/xhtml+xml; charset=utf-8", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "a.js", ctype: "TEXT/HTML;charset=utf-8", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "x", ctype: "", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "x", ctype: "not a type", wantType: "application/octet-stream", wantDisposition: "attachment"},
		{name: "công văn.pdf", ctype: "application/pdf", wantType: "application/pdf", wantDisposition: "inline"},
		{name: "a.png", ctype: "image/png", wantType: "image/png", wantDisposition: "inline"},
		{name: "a.jpg", ctype: "image/jpeg", wantType: "image/jpeg", wantDisposition: "inline"},
		{name: "a.mp3", ctype: "audio/mpeg", wantType: "audio/mpeg", wantDisposition: "inline"},
		{name: "a.txt", ctype: "text/plain; charset=windows-1252", wantType: "text/plain; charset=utf-8", wantDisposition: "inline"},
		{name: "a\"b\r\nSet-Cookie: x=1.html", ctype: "text/html", wantType: "application/octet-stream", wantDisposition: "attachment"},
	}
	for _, c := range cases {
		fs := &fileStore{name: c.name, ctype: c.ctype}
		s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: fileAccounts{},
			Documents: fileDocs{fileStore: fs}, Registry: stubRegistry{}, Broadcast: fileBroadcast{fileStore: fs}, Channels: fileChannels{fileStore: fs}, Directives: fileDirectives{fileStore: fs}, Scheduler: stubScheduler{}})
		if err != nil {
			t.Fatal(err)
		}
		for what, path := range paths {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Authorization", "Bearer t")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			h := w.Result().Header
			wantType, wantDisp := c.wantType, c.wantDisposition
			if what == "media original" { // always a download of the original upload
				wantType, wantDisp = "application/octet-stream", "attachment"
			}
			if w.Code != http.StatusOK {
				t.Errorf("%s (%s, %q): status %d %s", what, c.name, c.ctype, w.Code, w.Body)
				continue
			}
			if got := h.Get("Content-Type"); got != wantType {
				t.Errorf("%s (%s, %q): Content-Type %q, want %q", what, c.name, c.ctype, got, wantType)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s (%s): X-Content-Type-Options %q", what, c.name, got)
			}
			wantCSP := "sandbox"
			if wantType == "application/pdf" { // Chromium's PDF viewer refuses a sandbox
				wantCSP = ""
			}
			if got := h.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("%s (%s): Content-Security-Policy %q, want %q", what, c.name, got, wantCSP)
			}
			cd := h.Get("Content-Disposition")
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != wantDisp {
				t.Errorf("%s (%s, %q): Content-Disposition %q (%v), want %s", what, c.name, c.ctype, cd, err, wantDisp)
			}
			if what != "media original" && strings.ContainsAny(params["filename"], "\r\n/\\") {
				t.Errorf("%s (%s): unsafe filename %q", what, c.name, params["filename"])
			}
			if what == "document original" && c.name == "công văn.pdf" && params["filename"] != "công văn.pdf" {
				t.Errorf("non-ASCII file name round trip: %q → %q", cd, params["filename"])
			}
			if len(h.Values("Set-Cookie")) > 0 {
				t.Errorf("%s (%s): header injection: %v", what, c.name, h.Values("Set-Cookie"))
			}
		}
	}
}
