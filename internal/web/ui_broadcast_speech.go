package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastSpeech is what the speech page needs: a unit's pronunciation
// dictionary and speech profiles, and previews.
type BroadcastSpeech interface {
	Lexicon(ctx context.Context, a model.Actor, unitID int64) (broadcast.LexiconView, error)
	SaveLexiconRule(ctx context.Context, a model.Actor, in broadcast.LexiconRuleInput) (model.LexiconEntry, error)
	DeleteLexiconRule(ctx context.Context, a model.Actor, id int64) error
	SpeechProfiles(ctx context.Context, a model.Actor, unitID int64) (broadcast.SpeechProfileView, error)
	SaveSpeechProfile(ctx context.Context, a model.Actor, in broadcast.SpeechProfileInput) (model.SpeechProfile, error)
	DeleteSpeechProfile(ctx context.Context, a model.Actor, unitID int64, voice string) error
	PreviewSpeech(ctx context.Context, a model.Actor, in broadcast.PreviewInput) (*broadcast.Preview, error)
	UnitLanguages(ctx context.Context, a model.Actor, unitID int64) ([]string, error)
	SetUnitLanguages(ctx context.Context, a model.Actor, unitID int64, langs []string) ([]string, error)
}

// registerSpeechUI registers the speech page ("Giọng đọc"): the unit's
// dictionary with a "listen" button per rule, its speaking rate, pitch
// and pauses, and a whole-bulletin preview.
func (s broadcastPages) registerSpeechUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /broadcast/speech", false, pg(s.uiSpeech))
	s.handle("POST /broadcast/speech/rules", false, pg(s.uiSpeechRuleSave))
	s.handle("POST /broadcast/speech/rules/{id}/delete", false, pg(s.uiSpeechRuleDelete))
	s.handle("POST /broadcast/speech/profile", false, pg(s.uiSpeechProfileSave))
	s.handle("POST /broadcast/speech/profile/reset", false, pg(s.uiSpeechProfileReset))
	s.handle("POST /broadcast/speech/preview", false, pg(s.uiSpeechPreview))
	s.handle("POST /broadcast/speech/languages", false, pg(s.uiSpeechLanguages))
}

// bcSpeechForm is the profile form, as typed.
type bcSpeechForm struct {
	Voice, WPM, Pitch, SentencePause, ParagraphPause string
}

// bcRuleForm is the new-rule form, as typed.
type bcRuleForm struct{ Term, Say, Note string }

type bcSpeechData struct {
	bcCommon
	Lexicon  broadcast.LexiconView
	Profiles broadcast.SpeechProfileView
	Voices   []string
	Profile  bcSpeechForm
	Rule     bcRuleForm
	Sample   string
	// Languages the unit's people listen to, in order of preference.
	Languages string
}

// defaultSample is the bulletin the page offers to listen to.
const defaultSample = "Thực hiện Công văn số 570/STTTT-TTBCBC ngày 04/6/2021, đúng 14h30 chiều nay Đ/c Chủ tịch UBND xã đề nghị bà con thực hiện nghiêm 5K, phòng chống SXH; mọi thông tin liên hệ đường dây nóng 1900 9095."

func (s broadcastPages) speech() BroadcastSpeech { return s.deps.Broadcast }

func (s broadcastPages) uiSpeech(w http.ResponseWriter, r *http.Request, p *principal) {
	s.speechPage(w, r, p, nil, bcRuleForm{}, "", http.StatusOK)
}

func (s broadcastPages) speechPage(w http.ResponseWriter, r *http.Request, p *principal, prof *bcSpeechForm, rule bcRuleForm, errMsg string, code int) {
	pd, c, err := s.broadcastPage(r, p, "bc.speech.title", "speech")
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	lex, err := s.speech().Lexicon(r.Context(), p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	profs, err := s.speech().SpeechProfiles(r.Context(), p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	langs, err := s.speech().UnitLanguages(r.Context(), p.Actor, c.Unit.ID)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	d := bcSpeechData{bcCommon: c, Lexicon: lex, Profiles: profs, Rule: rule, Sample: defaultSample, Languages: strings.Join(langs, ", ")}
	for _, v := range s.deps.Broadcast.Voices() {
		d.Voices = append(d.Voices, v.ID)
	}
	if prof != nil {
		d.Profile = *prof
	} else {
		e := profs.Effective[""]
		d.Profile = bcSpeechForm{WPM: strconv.Itoa(e.WordsPerMinute), Pitch: strconv.Itoa(e.Pitch),
			SentencePause: strconv.Itoa(e.SentencePauseMS), ParagraphPause: strconv.Itoa(e.ParagraphPauseMS)}
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "broadcast_speech", pd, code)
}

// BCProfile returns the effective profile of a voice ("" for all).
func (d bcSpeechData) BCProfile(voice string) model.SpeechProfile { return d.Profiles.Effective[voice] }

func speechRedirect(w http.ResponseWriter, r *http.Request, anchor, flash string) {
	q := ""
	if u := r.URL.Query().Get("unit"); u != "" {
		q = "?" + url.Values{"unit": {u}}.Encode()
	}
	redirectFlash(w, r, "/broadcast/speech"+q+anchor, flash)
}

func (s broadcastPages) uiSpeechRuleSave(w http.ResponseWriter, r *http.Request, p *principal) {
	f := bcRuleForm{Term: r.PostFormValue("term"), Say: r.PostFormValue("say"), Note: r.PostFormValue("note")}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	e, err := s.speech().SaveLexiconRule(r.Context(), p.Actor, broadcast.LexiconRuleInput{UnitID: unit, Term: f.Term, Say: f.Say, Note: f.Note})
	if err != nil {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.speechPage(w, r, p, nil, f, msg, code) })
		return
	}
	speechRedirect(w, r, fmt.Sprintf("#rule-%d", e.ID), "flash.bc_speech_rule_saved")
}

func (s broadcastPages) uiSpeechRuleDelete(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.bcRenderError(w, r, p, fmt.Errorf("pronunciation rule %q: %w", r.PathValue("id"), model.ErrNotFound))
		return
	}
	if err := s.speech().DeleteLexiconRule(r.Context(), p.Actor, id); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	speechRedirect(w, r, "#rules", "flash.bc_speech_rule_deleted")
}

// profileInput reads the numbers of the profile form.
func (s broadcastPages) profileInput(r *http.Request, p *principal, unit int64, f bcSpeechForm) (broadcast.SpeechProfileInput, error) {
	in := broadcast.SpeechProfileInput{UnitID: unit, Voice: f.Voice}
	for _, fld := range []struct {
		name, val string
		dst       *int
	}{{"words_per_minute", f.WPM, &in.WordsPerMinute}, {"pitch", f.Pitch, &in.Pitch},
		{"sentence_pause_ms", f.SentencePause, &in.SentencePauseMS}, {"paragraph_pause_ms", f.ParagraphPause, &in.ParagraphPauseMS}} {
		n, err := strconv.Atoi(strings.TrimSpace(fld.val))
		if err != nil {
			return in, model.Invalid(fld.name, "%s", s.tr(r, p, "bc.speech.err_number", fld.val))
		}
		*fld.dst = n
	}
	return in, nil
}

func speechFormOf(r *http.Request) bcSpeechForm {
	return bcSpeechForm{Voice: r.PostFormValue("voice"), WPM: r.PostFormValue("words_per_minute"), Pitch: r.PostFormValue("pitch"),
		SentencePause: r.PostFormValue("sentence_pause_ms"), ParagraphPause: r.PostFormValue("paragraph_pause_ms")}
}

func (s broadcastPages) uiSpeechProfileSave(w http.ResponseWriter, r *http.Request, p *principal) {
	f := speechFormOf(r)
	reshow := func(err error) {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.speechPage(w, r, p, &f, bcRuleForm{}, msg, code) })
	}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	in, err := s.profileInput(r, p, unit, f)
	if err != nil {
		reshow(err)
		return
	}
	if _, err := s.speech().SaveSpeechProfile(r.Context(), p.Actor, in); err != nil {
		reshow(err)
		return
	}
	speechRedirect(w, r, "#profile", "flash.bc_speech_profile_saved")
}

func (s broadcastPages) uiSpeechProfileReset(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	if err := s.speech().DeleteSpeechProfile(r.Context(), p.Actor, unit, r.PostFormValue("voice")); err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	speechRedirect(w, r, "#profile", "flash.bc_speech_profile_reset")
}

// uiSpeechPreview answers the audio of a text read with the unit's rules
// (and, when the form sends them, the profile being edited); the text as
// given to the engine comes URL-encoded in X-Loa-Spoken. Nothing is
// stored. Errors are plain text for the page's script to show.
func (s broadcastPages) uiSpeechPreview(w http.ResponseWriter, r *http.Request, p *principal) {
	fail := func(err error) {
		code, body := s.publicError(readerLang(r, p), err)
		if msg, ok := s.bcLocalised(r, p, err); ok && code < 500 {
			body.Message = msg
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(code)
		fmt.Fprint(w, body.Message)
	}
	unit, err := s.unitQuery(r, p)
	if err != nil {
		fail(err)
		return
	}
	in := broadcast.PreviewInput{UnitID: unit, Text: r.PostFormValue("text"), Voice: r.PostFormValue("voice")}
	if v := strings.TrimSpace(r.PostFormValue("speed")); v != "" {
		sp, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			fail(model.Invalid("speed", "%s", s.tr(r, p, "bc.err.speed", v)))
			return
		}
		in.Speed = sp
	}
	if r.PostFormValue("words_per_minute") != "" {
		prof, err := s.profileInput(r, p, unit, speechFormOf(r))
		if err != nil {
			fail(err)
			return
		}
		in.Profile = &prof
	}
	pv, err := s.speech().PreviewSpeech(r.Context(), p.Actor, in)
	if err != nil {
		fail(err)
		return
	}
	ct := "audio/wav"
	if pv.Format == "mp3" {
		ct = "audio/mpeg"
	} else if pv.Format != "wav" {
		ct = "audio/" + pv.Format
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if spoken := url.PathEscape(pv.Spoken); len(spoken) <= 32<<10 {
		w.Header().Set("X-Loa-Spoken", spoken)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(pv.Audio)))
	w.Write(pv.Audio)
}

func (s broadcastPages) uiSpeechLanguages(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := s.unitQuery(r, p)
	if err != nil {
		s.bcRenderError(w, r, p, err)
		return
	}
	langs := strings.FieldsFunc(r.PostFormValue("languages"), func(c rune) bool { return c == ',' || c == ' ' || c == ';' })
	if _, err := s.speech().SetUnitLanguages(r.Context(), p.Actor, unit, langs); err != nil {
		s.bcFail(w, r, p, err, func(msg string, code int) { s.speechPage(w, r, p, nil, bcRuleForm{}, msg, code) })
		return
	}
	speechRedirect(w, r, "#languages", "flash.bc_speech_languages_saved")
}
