package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// unknownPage reports whether a GET of a page (not the API) matches no
// route at all: the reader gets the error page in their language instead
// of Go's plain "404 page not found". A path that another method serves
// is left to the mux (405).
func (s *Server) unknownPage(r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	if _, pattern := s.mux.Handler(r); pattern != "" {
		return false
	}
	probe := r.Clone(r.Context())
	probe.Method = http.MethodPost
	_, pattern := s.mux.Handler(probe)
	return pattern == ""
}

// notFoundPage draws the 404 page, with the menu when the reader is
// signed in.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.authenticate(r)
	if err != nil || p == nil || p.Session == nil {
		p = nil
	}
	s.renderError(w, r, p, fmt.Errorf("page %s: %w", r.URL.Path, model.ErrNotFound))
}

// browserNavigation reports whether a request is a person following a
// link or button in the browser with a session (not a program with a
// bearer token, not a script's fetch): an API error is then shown as a
// page in the reader's language instead of raw JSON.
func browserNavigation(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Method != http.MethodGet {
		return false
	}
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/html") && !strings.Contains(accept, "application/json")
}

// pageText is what a page tells its reader of err: the catalogue's text
// when a service explained it, else (on Vietnamese pages) a Vietnamese
// sentence from the error's kind and field — never a service's English
// text; English pages keep the service's text.
func (s *Server) pageText(lang string, err error) string {
	if texts := s.msgs.Texts(lang, err); len(texts) > 0 {
		return strings.Join(texts, " ")
	}
	code, body := errorStatus(err)
	if lang == i18n.EN || code >= 500 {
		return body.Message
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) && i18n.LooksVietnamese(ve.Msg) {
		// Already worded for people (the page's own form checks).
		if name, ok := i18n.FieldName(lang, ve.Field); ok {
			return name + ": " + ve.Msg
		}
		return ve.Msg
	}
	return i18n.Fallback(lang, body.Code, body.Field, body.Line)
}

// reqText is pageText in the language of the request's reader.
func (s *Server) reqText(r *http.Request, p *principal, err error) string {
	return s.pageText(readerLang(r, p), err)
}
