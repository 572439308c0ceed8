package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// Errors on the broadcast pages are shown in the user's language: the
// broadcast service attaches a catalog message to each of its refusals
// (i18n.Localise); the JSON API keeps their English text and code. An
// error without a message is shown as it is.

// bcErrorTexts says err in the user's language, one text per problem, each
// validation problem led by the name of its field.
func (s broadcastPages) bcErrorTexts(r *http.Request, p *principal, err error) []string {
	lang := readerLang(r, p)
	var out []string
	for _, leaf := range leafErrors(err) {
		if parts := i18n.Problems(leaf); len(parts) > 0 {
			for _, part := range parts {
				text, ok := s.msgs.Message(lang, part)
				if !ok {
					text = s.pageText(lang, part.Err)
				}
				out = append(out, s.bcWithField(lang, part.Err, text))
			}
			continue
		}
		out = append(out, s.bcKnownText(lang, leaf))
	}
	return out
}

// bcKnownText says an error without a catalog message: a validation
// problem led by its field's name, anything else as it is.
func (s broadcastPages) bcKnownText(lang string, err error) string {
	var ve *model.ValidationError
	if errors.As(err, &ve) && (lang == i18n.EN || i18n.LooksVietnamese(ve.Msg)) {
		return s.bcWithField(lang, ve, ve.Msg)
	}
	if lang != i18n.EN {
		return s.pageText(lang, err)
	}
	return err.Error()
}

// bcWithField leads a validation problem's text with its field's name
// ("Giờ phát: …").
func (s broadcastPages) bcWithField(lang string, err error, text string) string {
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Field == "" {
		return text
	}
	name := ve.Field
	if i := strings.IndexAny(name, "[."); i >= 0 {
		name = name[:i]
	}
	key := "bc.field." + name
	if label := s.msgs.T(lang, key); label != key {
		return label + ": " + text
	}
	return text
}

// bcLocalised reports whether err (or a part of it) has a reading in the
// user's language other than its English text.
func (s broadcastPages) bcLocalised(r *http.Request, p *principal, err error) (string, bool) {
	texts := s.bcErrorTexts(r, p, err)
	msg := strings.Join(texts, " ")
	return msg, msg != err.Error()
}

// bcRenderError is renderError for the broadcast pages: the same status
// and page, with every problem in the user's language, each led by its
// field's name.
func (s broadcastPages) bcRenderError(w http.ResponseWriter, r *http.Request, p *principal, err error) {
	code, body := s.publicError(readerLang(r, p), err)
	if msg, ok := s.bcLocalised(r, p, err); ok && code < 500 {
		body.Message = msg
	}
	s.errorPage(w, r, p, err, code, body.Message)
}
