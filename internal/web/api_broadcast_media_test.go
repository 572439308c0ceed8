package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
)

// fakeMedia is a media library in memory: the media handler group needs
// only BroadcastMedia, so its test needs no database.
type fakeMedia struct {
	items map[int64]*model.Media
	spoke []broadcast.TTSInput
}

func (f *fakeMedia) MaxUpload() int64 { return 1 << 20 }

func (f *fakeMedia) UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error) {
	return nil, fmt.Errorf("not in this test: %w", model.ErrForbidden)
}

func (f *fakeMedia) SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error) {
	if strings.TrimSpace(in.Text) == "" {
		return nil, i18n.Localise(model.Invalid("text", "write the text to speak"), "bc.err.tts_empty")
	}
	f.spoke = append(f.spoke, in)
	m := &model.Media{ID: int64(len(f.items) + 1), UnitID: in.UnitID, Title: in.Title}
	f.items[m.ID] = m
	return m, nil
}

func (f *fakeMedia) Voices() []tts.Voice { return []tts.Voice{{ID: "vi-north"}} }

func (f *fakeMedia) MediaLibrary(ctx context.Context, a model.Actor, unitID int64) ([]*model.Media, error) {
	var out []*model.Media
	for _, m := range f.items {
		if m.UnitID == unitID {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeMedia) Media(ctx context.Context, a model.Actor, id int64) (*model.Media, error) {
	m, ok := f.items[id]
	if !ok {
		return nil, fmt.Errorf("media %d: %w", id, model.ErrNotFound)
	}
	return m, nil
}

func (f *fakeMedia) OpenMedia(ctx context.Context, a model.Actor, id int64, original bool) (io.ReadSeekCloser, *model.Media, error) {
	return nil, nil, fmt.Errorf("media %d: %w", id, model.ErrNotFound)
}

// mediaAccounts knows one API token with the write scope, of a user of
// unit 7.
type mediaAccounts struct{ Accounts }

func (mediaAccounts) TokenUser(_ context.Context, secret string) (*model.User, *model.Token, error) {
	if secret != "t" {
		return nil, nil, model.ErrUnauthorized
	}
	return &model.User{ID: 1, Username: "u", UnitID: 7}, &model.Token{ID: 1, UserID: 1, Scopes: []string{model.ScopeRead, model.ScopeWrite}}, nil
}

func (mediaAccounts) ActorFor(_ context.Context, u *model.User, _ string, _ []string) (model.Actor, error) {
	return model.Actor{UserID: u.ID, UnitID: u.UnitID}, nil
}

// TestMediaAPIWithFakeService shows the handler-group pattern: the group
// is registered with a fake of its small interface and served without a
// database.
func TestMediaAPIWithFakeService(t *testing.T) {
	s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: mediaAccounts{}})
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeMedia{items: map[int64]*model.Media{}}
	s.bcAPI().registerMediaAPI(fake)

	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		var out map[string]any
		if w.Body.Len() > 0 {
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, w.Body)
			}
		}
		return w.Code, out
	}

	// Created with the caller's unit by default.
	code, out := call("POST", "/api/v1/broadcast/media/tts", `{"text":"Thông báo","title":"Họp"}`)
	if code != http.StatusCreated || out["title"] != "Họp" {
		t.Fatalf("speak: %d %v", code, out)
	}
	if len(fake.spoke) != 1 || fake.spoke[0].UnitID != 7 {
		t.Fatalf("speak input: %+v", fake.spoke)
	}
	// Listed under "media" for ?unit_id= or the caller's unit.
	if code, out = call("GET", "/api/v1/broadcast/media", ""); code != http.StatusOK || len(out["media"].([]any)) != 1 {
		t.Fatalf("library: %d %v", code, out)
	}
	if code, out = call("GET", "/api/v1/broadcast/media?unit_id=x", ""); code != http.StatusBadRequest {
		t.Fatalf("bad unit: %d %v", code, out)
	}
	if code, out = call("GET", "/api/v1/broadcast/voices", ""); code != http.StatusOK || len(out["voices"].([]any)) != 1 {
		t.Fatalf("voices: %d %v", code, out)
	}
	// Errors map to statuses through the one error path; the API keeps
	// the English text.
	for _, c := range []struct {
		method, path, body string
		want               int
		code               string
	}{
		{"GET", "/api/v1/broadcast/media/99", "", http.StatusNotFound, "not_found"},
		{"GET", "/api/v1/broadcast/media/abc", "", http.StatusBadRequest, "invalid"},
		{"POST", "/api/v1/broadcast/media/tts", `{"text":" "}`, http.StatusBadRequest, "invalid"},
		{"POST", "/api/v1/broadcast/media/tts", `{"nope":1}`, http.StatusBadRequest, "invalid"},
		{"POST", "/api/v1/broadcast/media/tts", `{"text":`, http.StatusBadRequest, "invalid"},
	} {
		code, out := call(c.method, c.path, c.body)
		e, _ := out["error"].(map[string]any)
		if code != c.want || e["code"] != c.code {
			t.Errorf("%s %s %s: %d %v, want %d %s", c.method, c.path, c.body, code, out, c.want, c.code)
		}
	}
}
