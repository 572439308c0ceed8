package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/loa-project/loa/internal/broadcast"
)

// PublicFeeds is what the public e-portal feeds need: no sign-in, a
// unit's published bulletins and their audio.
type PublicFeeds interface {
	Feed(ctx context.Context, unitCode string) (*broadcast.Feed, error)
	OpenPublicMedia(ctx context.Context, unitCode, sha string) (io.ReadSeekCloser, error)
}

// feeds is the public feeds' handler group.
type feeds struct {
	s   *Server
	svc PublicFeeds
}

func (s broadcastAPI) registerPublicFeeds(svc PublicFeeds) {
	f := feeds{s: s.Server, svc: svc}
	s.handle("GET /feeds/{code}", false, f.page)
	s.handle("GET /feeds/{code}/bulletins.json", false, f.json)
	s.handle("GET /feeds/{code}/bulletins.atom", false, f.atom)
	s.handle("GET /feeds/{code}/audio/{sha}", false, f.audio)
}

func (f feeds) json(w http.ResponseWriter, r *http.Request) {
	feed, err := f.svc.Feed(r.Context(), r.PathValue("code"))
	if err != nil {
		f.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/feed+json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(feed.JSONFeed(f.s.publicURL))
}

func (f feeds) atom(w http.ResponseWriter, r *http.Request) {
	feed, err := f.svc.Feed(r.Context(), r.PathValue("code"))
	if err != nil {
		f.s.writeError(w, r, err)
		return
	}
	b, err := feed.Atom(f.s.publicURL)
	if err != nil {
		f.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(b)
}

func (f feeds) audio(w http.ResponseWriter, r *http.Request) {
	sha := strings.TrimSuffix(r.PathValue("sha"), ".mp3")
	file, err := f.svc.OpenPublicMedia(r.Context(), r.PathValue("code"), sha)
	if err != nil {
		f.s.writeError(w, r, err)
		return
	}
	defer file.Close()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	serveAudio(w, r, file, sha)
}
