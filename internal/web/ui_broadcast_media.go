package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// bcTTSForm is the text-to-speech form, as typed.
type bcTTSForm struct {
	Title, Text, Voice, Speed string
}

type bcMediaData struct {
	bcCommon
	Media       []*model.Media
	Voices      []string
	TTS         bcTTSForm
	UploadTitle string
	MaxMB       int64
}

func (s broadcastPages) uiBroadcastMedia(w http.ResponseWriter, r *http.Request, p *principal) {
	s.mediaPage(w, r, p, bcTTSForm{Speed: "1"}, "", "", http.StatusOK)
}

func (s broadcastPages) mediaPage(w http.ResponseWriter, r *http.Request, p *principal, tts bcTTSForm, uploadTitle, errMsg string, code int) {
	pd, c, err := s.broadcastPage(r, p, "bc.media.title", "media")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	list, err := s.deps.Broadcast.MediaLibrary(r.Context(), p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcMediaData{bcCommon: c, Media: list, TTS: tts, UploadTitle: uploadTitle, MaxMB: s.deps.Broadcast.MaxUpload() >> 20}
	for _, v := range s.deps.Broadcast.Voices() {
		d.Voices = append(d.Voices, v.ID)
	}
	if d.TTS.Voice == "" && len(d.Voices) > 0 {
		d.TTS.Voice = d.Voices[0]
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast_media", pd, code)
}

// mediaCreated redirects to the library after a new item.
func mediaCreated(w http.ResponseWriter, r *http.Request, m *model.Media) {
	q := ""
	if u := r.URL.Query().Get("unit"); u != "" {
		q = "?" + url.Values{"unit": {u}}.Encode()
	}
	redirectFlash(w, r, fmt.Sprintf("/broadcast/media%s#media-%d", q, m.ID), "flash.bc_media_created")
}

// unitQuery reads ?unit= for a form's handler: the unit the page was
// about, the user's own unit by default.
func (s broadcastPages) unitQuery(r *http.Request, p *principal) (int64, error) {
	v := r.URL.Query().Get("unit")
	if v == "" {
		return p.User.UnitID, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid("unit", "%s", s.tr(r, p, "bc.err.unit", v))
	}
	return id, nil
}

func (s broadcastPages) uiBroadcastSpeak(w http.ResponseWriter, r *http.Request, p *principal) {
	f := bcTTSForm{Title: strings.TrimSpace(r.PostFormValue("title")), Text: r.PostFormValue("text"), Voice: r.PostFormValue("voice"),
		Speed: strings.TrimSpace(r.PostFormValue("speed"))}
	reshow := func(err error) {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.mediaPage(w, r, p, f, "", msg, code) })
	}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	speed := 1.0
	if f.Speed != "" {
		v, err := strconv.ParseFloat(strings.ReplaceAll(f.Speed, ",", "."), 64)
		if err != nil {
			reshow(model.Invalid("speed", "%s", s.tr(r, p, "bc.err.speed", f.Speed)))
			return
		}
		speed = v
	}
	if strings.TrimSpace(f.Text) == "" {
		reshow(model.Invalid("text", "%s", s.tr(r, p, "bc.err.text")))
		return
	}
	m, err := s.deps.Broadcast.SpeakText(r.Context(), p.Actor, broadcast.TTSInput{UnitID: unit, Title: f.Title, Text: f.Text, Voice: f.Voice, Speed: speed})
	if err != nil {
		reshow(err)
		return
	}
	mediaCreated(w, r, m)
}

// uploadPage wraps the audio upload form: like page, but the multipart
// body is streamed to the handler instead of being parsed (an upload may
// be hundreds of megabytes). The CSRF token must come in the form's URL
// (or the X-CSRF-Token header), checked before the body is read, and the
// upload takes one of the user's upload slots; the form's csrf field,
// sent before the file, is checked again.
func (s broadcastPages) uploadPage(h func(w http.ResponseWriter, r *http.Request, p *principal, mr *multipart.Reader)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := s.deps.Broadcast.MaxUpload() + 64<<10
		p, err := s.authenticate(r)
		if err != nil && !errors.Is(err, model.ErrUnauthorized) {
			s.renderError(w, r, nil, err)
			return
		}
		if p == nil || p.Session == nil {
			s.clearSession(w, r)
			http.Redirect(w, r, "/login?next="+url.QueryEscape("/broadcast/media"), http.StatusSeeOther)
			return
		}
		if r.ContentLength > limit {
			s.mediaPage(w, r, p, bcTTSForm{Speed: "1"}, "", s.tr(r, p, "bc.err.too_large", s.deps.Broadcast.MaxUpload()>>20), http.StatusRequestEntityTooLarge)
			return
		}
		if !csrfOK(p.Session.CSRF, requestCSRF(r)) {
			s.renderError(w, r, p, fmt.Errorf("%w: %w", errFormCSRF, model.ErrForbidden))
			return
		}
		release, ok := s.uploads.acquire(p.User.ID)
		if !ok {
			s.renderBusy(w, r, p)
			return
		}
		defer release()
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		mr, err := r.MultipartReader()
		if err != nil {
			s.renderError(w, r, p, model.Invalid("file", "%s", s.tr(r, p, "bc.err.form", err)))
			return
		}
		h(w, r, p, mr)
	}
}

func (s broadcastPages) uiBroadcastUpload(w http.ResponseWriter, r *http.Request, p *principal, mr *multipart.Reader) {
	var csrf, title string
	reshow := func(err error) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = model.Invalid("file", "%s", s.tr(r, p, "bc.err.too_large", s.deps.Broadcast.MaxUpload()>>20))
		}
		s.bcFail(w, r, p, err, func(msg string, code int) { s.mediaPage(w, r, p, bcTTSForm{Speed: "1"}, title, msg, code) })
	}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			reshow(model.Invalid("file", "%s", s.tr(r, p, "bc.err.no_file")))
			return
		}
		if err != nil {
			reshow(fmt.Errorf("read the upload: %w", toFormError(err)))
			return
		}
		switch part.FormName() {
		case "csrf", "title":
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				reshow(fmt.Errorf("read the upload: %w", toFormError(err)))
				return
			}
			if part.FormName() == "csrf" {
				csrf = string(v)
			} else {
				title = strings.TrimSpace(string(v))
			}
		case "file":
			if !csrfOK(p.Session.CSRF, csrf) {
				s.renderError(w, r, p, fmt.Errorf("the form expired or came from another site; reload the page and try again: %w", model.ErrForbidden))
				return
			}
			name := part.FileName()
			if name == "" {
				reshow(model.Invalid("file", "%s", s.tr(r, p, "bc.err.no_file")))
				return
			}
			if title == "" {
				title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
			}
			m, err := s.deps.Broadcast.UploadMedia(r.Context(), p.Actor, broadcast.MediaInput{UnitID: unit, Title: title, Source: broadcast.SourceUpload}, part)
			if err != nil {
				reshow(err)
				return
			}
			mediaCreated(w, r, m)
			return
		}
	}
}
