package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastMedia is what the media library endpoints need: uploaded and
// synthesised audio of a unit.
type BroadcastMedia interface {
	MaxUpload() int64
	UploadMedia(ctx context.Context, a model.Actor, in broadcast.MediaInput, r io.Reader) (*model.Media, error)
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	Voices() []tts.Voice
	MediaLibrary(ctx context.Context, a model.Actor, unitID int64) ([]*model.Media, error)
	Media(ctx context.Context, a model.Actor, id int64) (*model.Media, error)
	OpenMedia(ctx context.Context, a model.Actor, id int64, original bool) (io.ReadSeekCloser, *model.Media, error)
}

func (s broadcastAPI) registerMediaAPI(svc BroadcastMedia) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/media", true, j(jsonUnitList(s.Server, "media", func(r *http.Request, p *principal, unit int64) ([]*model.Media, error) {
		return svc.MediaLibrary(r.Context(), p.Actor, unit)
	})))
	s.handle("POST /api/v1/broadcast/media", true, s.api(svc.MaxUpload()+64<<10, jsonCall(s.Server, http.StatusCreated, func(r *http.Request, p *principal, _ noBody) (*model.Media, error) {
		in, body, err := mediaUpload(r, p)
		if err != nil {
			return nil, err
		}
		return svc.UploadMedia(r.Context(), p.Actor, in, body)
	})))
	s.handle("POST /api/v1/broadcast/media/tts", true, j(jsonBody(s.Server, http.StatusCreated, func(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error) {
		if in.UnitID == 0 {
			in.UnitID = a.UnitID
		}
		return svc.SpeakText(ctx, a, in)
	})))
	s.handle("GET /api/v1/broadcast/media/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastMedia.Media))))
	s.handle("GET /api/v1/broadcast/media/{id}/audio", true, j(s.apiMediaAudio(svc)))
	s.handle("GET /api/v1/broadcast/voices", true, j(jsonList(s.Server, "voices", func(*http.Request, *principal) ([]tts.Voice, error) {
		return svc.Voices(), nil
	})))
}

// mediaUpload reads an audio upload: the audio as the raw request body
// (unit_id, title and source in the query) or as the "file" part of a
// multipart form (fields before the file). The body is streamed, never
// held in memory.
func mediaUpload(r *http.Request, p *principal) (broadcast.MediaInput, io.Reader, error) {
	q := r.URL.Query()
	in := broadcast.MediaInput{Title: q.Get("title"), Source: q.Get("source"), UnitID: p.Actor.UnitID}
	if q.Get("unit_id") != "" {
		id, err := queryID(r, "unit_id")
		if err != nil {
			return in, nil, err
		}
		in.UnitID = id
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return in, r.Body, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return in, nil, model.Invalid("file", "the multipart form could not be read: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, nil, err
			}
			return in, nil, model.Invalid("file", "the form has no \"file\" part with the audio")
		}
		name := part.FormName()
		if name == "file" {
			return in, part, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, 4096))
		if err != nil {
			return in, nil, model.Invalid(name, "could not read the form field: %v", err)
		}
		switch name {
		case "title":
			in.Title = string(v)
		case "source":
			in.Source = string(v)
		case "unit_id":
			id, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
			if err != nil {
				return in, nil, model.Invalid("unit_id", "%q is not a unit id", v)
			}
			in.UnitID = id
		}
	}
}

// apiMediaAudio streams a media item's audio, or its original upload as
// a download with ?original=1.
func (s broadcastAPI) apiMediaAudio(svc BroadcastMedia) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		original := queryBool(r, "original")
		f, m, err := svc.OpenMedia(r.Context(), p.Actor, id, original)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer f.Close()
		if original {
			w.Header().Set("Cache-Control", "private, max-age=3600")
			serveUserFile(w, r, f, fmt.Sprintf("media-%d-original.%s", m.ID, safeExt(m.OriginalFormat)), "application/octet-stream", time.Time{})
			return
		}
		serveAudio(w, r, f, m.SHA256)
	}
}

func safeExt(format string) string {
	f := strings.SplitN(format, ",", 2)[0]
	for _, c := range f {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "bin"
		}
	}
	if f == "" {
		return "bin"
	}
	return f
}
