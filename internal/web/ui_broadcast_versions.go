package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastVersions is what an order's language versions need: which
// version each unit reached plays, and adding, reading out and removing
// versions.
type BroadcastVersions interface {
	OrderLanguages(ctx context.Context, a model.Actor, orderID int64) (*broadcast.OrderLanguages, error)
	SetOrderVersion(ctx context.Context, a model.Actor, orderID int64, in broadcast.VersionInput) (*model.OrderVersion, error)
	SpeakOrderVersion(ctx context.Context, a model.Actor, orderID int64, in broadcast.VersionTextInput) (*model.OrderVersion, error)
	RemoveOrderVersion(ctx context.Context, a model.Actor, orderID int64, language string) error
	// DiscardMedia removes a recording made for a version that was then
	// refused, so it does not stay behind in the library.
	DiscardMedia(ctx context.Context, a model.Actor, id int64, reason string) error
}

// bcVersionForm is the language version forms, as typed.
type bcVersionForm struct {
	Language string
	Title    string
	Text     string
	MediaID  int64
}

// registerVersionUI registers the language version forms of an order.
func (s broadcastPages) registerVersionUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("POST /broadcast/orders/{id}/versions", false, pg(s.uiVersionFromLibrary))
	s.handle("POST /broadcast/orders/{id}/versions/speak", false, pg(s.uiVersionSpeak))
	s.handle("POST /broadcast/orders/{id}/versions/upload", false, s.uploadPage(s.uiVersionUpload))
	s.handle("POST /broadcast/orders/{id}/versions/{lang}/delete", false, pg(s.uiVersionDelete))
}

func (s broadcastPages) versions() BroadcastVersions { return s.deps.Broadcast }

// LangName names a language code in the page's language ("km" → "tiếng
// Khmer"); an unknown code is shown as it is.
func (p *pageData) LangName(code string) string {
	key := "lang.name." + code
	if v := p.T(key); v != key {
		return v
	}
	return code
}

// orderLanguages fills an order page's language versions: nothing for
// those who may only follow the order.
func (s broadcastPages) orderLanguages(ctx context.Context, p *principal, d *bcOrderData, vf bcVersionForm, errMsg string) error {
	ol, err := s.versions().OrderLanguages(ctx, p.Actor, d.Row.ID)
	if errors.Is(err, model.ErrForbidden) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Languages, d.Version, d.Error = ol, vf, errMsg
	for _, u := range ol.Units {
		if u.Missing != "" {
			d.Missing = append(d.Missing, u)
			if d.Version.Language == "" {
				d.Version.Language = u.Missing
			}
		}
	}
	for _, v := range s.deps.Broadcast.Voices() {
		if v.Language != broadcast.Vietnamese && !slices.Contains(d.Voices, v.Language) {
			d.Voices = append(d.Voices, v.Language)
		}
	}
	if d.Row.CanCancel && d.Media == nil {
		if d.Media, err = s.deps.Broadcast.MediaLibrary(ctx, p.Actor, d.Row.UnitID); err != nil && !errors.Is(err, model.ErrForbidden) {
			return err
		}
	}
	return nil
}

// versionDone goes back to the order's language versions.
func versionDone(w http.ResponseWriter, r *http.Request, id int64, flash string) {
	redirectFlash(w, r, fmt.Sprintf("/broadcast/orders/%d%s#languages", id, unitSuffix(r)), flash)
}

// versionFail shows a refused version form on the order page.
func (s broadcastPages) versionFail(w http.ResponseWriter, r *http.Request, p *principal, id int64, vf bcVersionForm, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = model.Invalid("file", "%s", s.tr(r, p, "bc.err.too_large", s.deps.Broadcast.MaxUpload()>>20))
	}
	s.bcFail(w, r, p, err, func(msg string, code int) { s.orderPage(w, r, p, id, vf, msg, code) })
}

func (s broadcastPages) uiVersionFromLibrary(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	vf := bcVersionForm{Language: strings.TrimSpace(r.PostFormValue("language"))}
	if vf.MediaID, err = strconv.ParseInt(r.PostFormValue("media"), 10, 64); err != nil || vf.MediaID <= 0 {
		s.versionFail(w, r, p, id, vf, model.Invalid("media", "%s", s.tr(r, p, "bc.version.pick_media")))
		return
	}
	if _, err := s.versions().SetOrderVersion(r.Context(), p.Actor, id, broadcast.VersionInput{Language: vf.Language, MediaID: vf.MediaID}); err != nil {
		s.versionFail(w, r, p, id, vf, err)
		return
	}
	versionDone(w, r, id, "flash.bc_version_saved")
}

func (s broadcastPages) uiVersionSpeak(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	vf := bcVersionForm{Language: strings.TrimSpace(r.PostFormValue("language")), Title: strings.TrimSpace(r.PostFormValue("title")), Text: r.PostFormValue("text")}
	if _, err := s.versions().SpeakOrderVersion(r.Context(), p.Actor, id, broadcast.VersionTextInput{Language: vf.Language, Title: vf.Title, Text: vf.Text}); err != nil {
		s.versionFail(w, r, p, id, vf, err)
		return
	}
	versionDone(w, r, id, "flash.bc_version_saved")
}

func (s broadcastPages) uiVersionDelete(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	if err := s.versions().RemoveOrderVersion(r.Context(), p.Actor, id, r.PathValue("lang")); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	versionDone(w, r, id, "flash.bc_version_removed")
}

// uiVersionUpload takes a recording in the version's language: the form
// sends csrf, language and title before the file.
func (s broadcastPages) uiVersionUpload(w http.ResponseWriter, r *http.Request, p *principal, mr *multipart.Reader) {
	id, err := pathID(r, "id")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	var csrf string
	var vf bcVersionForm
	fail := func(err error) { s.versionFail(w, r, p, id, vf, err) }
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			fail(model.Invalid("file", "%s", s.tr(r, p, "bc.err.no_file")))
			return
		}
		if err != nil {
			fail(fmt.Errorf("read the upload: %w", toFormError(err)))
			return
		}
		switch part.FormName() {
		case "csrf", "language", "title":
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				fail(fmt.Errorf("read the upload: %w", toFormError(err)))
				return
			}
			switch part.FormName() {
			case "csrf":
				csrf = string(v)
			case "language":
				vf.Language = strings.TrimSpace(string(v))
			default:
				vf.Title = strings.TrimSpace(string(v))
			}
		case "file":
			if !csrfOK(p.Session.CSRF, csrf) {
				s.renderError(w, r, p, fmt.Errorf("the form expired or came from another site; reload the page and try again: %w", model.ErrForbidden))
				return
			}
			s.versionRecording(w, r, p, id, vf, part)
			return
		}
	}
}

// versionRecording stores an uploaded recording in the issuer's library
// and makes it the order's version in its language.
func (s broadcastPages) versionRecording(w http.ResponseWriter, r *http.Request, p *principal, id int64, vf bcVersionForm, part *multipart.Part) {
	fail := func(err error) { s.versionFail(w, r, p, id, vf, err) }
	name := part.FileName()
	if name == "" {
		fail(model.Invalid("file", "%s", s.tr(r, p, "bc.err.no_file")))
		return
	}
	o, err := s.deps.Broadcast.Order(r.Context(), p.Actor, id)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	// The language is checked before the file is converted.
	if err := broadcast.CheckVersionLanguage("language", vf.Language); err != nil {
		fail(err)
		return
	}
	title := vf.Title
	if title == "" {
		title = fmt.Sprintf("%s (%s)", o.Title, vf.Language)
		if len([]rune(title)) > 300 {
			title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		}
	}
	m, err := s.deps.Broadcast.UploadMedia(r.Context(), p.Actor, broadcast.MediaInput{UnitID: o.UnitID, Title: title, Source: broadcast.SourceRecording}, part)
	if err != nil {
		fail(err)
		return
	}
	if _, err := s.versions().SetOrderVersion(r.Context(), p.Actor, id, broadcast.VersionInput{Language: vf.Language, MediaID: m.ID}); err != nil {
		if derr := s.versions().DiscardMedia(context.WithoutCancel(r.Context()), p.Actor, m.ID, err.Error()); derr != nil {
			s.deps.Log.Warn("discard the recording of a refused version", "media", m.ID, "err", derr)
		}
		fail(err)
		return
	}
	versionDone(w, r, id, "flash.bc_version_saved")
}
