package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/model"
)

// Errors on the broadcast pages are shown in the user's language. The
// broadcast service attaches catalog messages to its refusals
// (i18n.Localise); the JSON API keeps their English text and code. For
// the refusals that carry no message yet (devices, media, the unit), the
// pages read the service's English text with the patterns below.

// bcKnownError is a pattern of an English service message and the
// catalog message saying the same; the pattern's groups are its arguments.
type bcKnownError struct {
	field string // "" for any field
	re    *regexp.Regexp
	key   string
}

// bcKnownErrors are read by (*Server).bcErrorTexts. They are immutable.
var bcKnownErrors = []bcKnownError{
	{"name", regexp.MustCompile(`^give the device a name of 1-(\d+) characters`), "bcx.device_name"},
	{"volume", regexp.MustCompile(`^volume (-?\d+) is out of range`), "bcx.volume"},
	{"kind", regexp.MustCompile(`^"(.*)" is not a command`), "bcx.command"},
	{"label", regexp.MustCompile(`^label is limited to (\d+) characters`), "bcx.key_label"},
	{"expires_at", regexp.MustCompile(`^the expiry lies in the past`), "bcx.key_expired"},
	{"unit_id", regexp.MustCompile(`^give the id of the unit`), "bcx.unit_missing"},
	{"unit_id", regexp.MustCompile(`^unit (\d+) does not exist`), "bcx.unit_unknown"},
	{"file", regexp.MustCompile(`^` + regexp.QuoteMeta(media.ErrNotAudio.Error())), "bcx.media_not_audio"},
	{"file", regexp.MustCompile(`^` + regexp.QuoteMeta(media.ErrCorrupt.Error())), "bcx.media_corrupt"},
	{"file", regexp.MustCompile(`^` + regexp.QuoteMeta(media.ErrTooLong.Error()) + `.*?the limit is ([0-9:hms.]+)`), "bcx.media_too_long"},
	{"file", regexp.MustCompile(`^` + regexp.QuoteMeta(media.ErrEmpty.Error())), "bcx.media_empty"},
	{"file", regexp.MustCompile(`^` + regexp.QuoteMeta(media.ErrLoudness.Error())), "bcx.media_loudness"},
}

// bcForbiddenRe reads the service's "<action> on unit "<name>": forbidden".
var bcForbiddenRe = regexp.MustCompile(`^([a-z_]+\.[a-z_]+) on unit "(.*)": forbidden$`)

// bcToolsRe reads the refusals of a server without ffmpeg or espeak-ng.
var bcToolsRe = regexp.MustCompile(`(audio processing|text-to-speech) is not available on this server`)

// bcLang is the language of the pages for the request.
func (s *Server) bcLang(r *http.Request, p *principal) string {
	pref := ""
	if p != nil && p.User != nil {
		pref = p.User.Lang
	}
	return i18n.FromRequest(r, pref)
}

// bcErrorTexts says err in the user's language, one text per problem, each
// validation problem led by the name of its field.
func (s *Server) bcErrorTexts(r *http.Request, p *principal, err error) []string {
	lang := s.bcLang(r, p)
	var out []string
	for _, leaf := range leafErrors(err) {
		if parts := i18n.Problems(leaf); len(parts) > 0 {
			for _, part := range parts {
				text, ok := s.msgs.Message(lang, part)
				if !ok {
					text = part.Error()
				}
				out = append(out, s.bcWithField(lang, part.Err, text))
			}
			continue
		}
		out = append(out, s.bcKnownText(lang, leaf))
	}
	return out
}

// bcKnownText says an error without a catalog message: known English
// texts are read with bcKnownErrors, the rest is shown as it is.
func (s *Server) bcKnownText(lang string, err error) string {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		for _, k := range bcKnownErrors {
			if k.field != "" && k.field != ve.Field {
				continue
			}
			if m := k.re.FindStringSubmatch(ve.Msg); m != nil {
				args := make([]any, 0, len(m)-1)
				for _, g := range m[1:] {
					args = append(args, g)
				}
				return s.bcWithField(lang, ve, s.msgs.T(lang, k.key, args...))
			}
		}
		return s.bcWithField(lang, ve, ve.Msg)
	}
	if errors.Is(err, model.ErrForbidden) {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": forbidden"); i >= 0 {
			msg = msg[:i+len(": forbidden")]
		}
		if m := bcForbiddenRe.FindStringSubmatch(msg); m != nil {
			action := "bcx.action." + m[1]
			if label := s.msgs.T(lang, action); label != action {
				return s.msgs.T(lang, "bcx.forbidden_unit", label, m[2])
			}
		}
	}
	if bcToolsRe.MatchString(err.Error()) {
		return s.msgs.T(lang, "bcx.media_tools")
	}
	return err.Error()
}

// bcWithField leads a validation problem's text with its field's name
// ("Giờ phát: …").
func (s *Server) bcWithField(lang string, err error, text string) string {
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
func (s *Server) bcLocalised(r *http.Request, p *principal, err error) (string, bool) {
	texts := s.bcErrorTexts(r, p, err)
	msg := strings.Join(texts, " ")
	return msg, msg != err.Error()
}

// bcRenderError is renderError for the broadcast pages: the same status
// and page, with the message in the user's language.
func (s *Server) bcRenderError(w http.ResponseWriter, r *http.Request, p *principal, err error) {
	code, body := errorStatus(err)
	if code >= 500 {
		s.renderError(w, r, p, err)
		return
	}
	msg, ok := s.bcLocalised(r, p, err)
	if !ok {
		s.renderError(w, r, p, err)
		return
	}
	body.Message = msg
	pd := s.newPage(r, p, "error.title", "")
	if p != nil {
		_ = s.withDirectory(r, pd)
	}
	pd.Data = map[string]string{"Title": pd.T(fmt.Sprintf("error.%d", code)), "Message": body.Message}
	s.render(w, r, "error", pd, code)
}
