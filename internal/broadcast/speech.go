package broadcast

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Speech: how bulletins are read out. Each unit has a pronunciation
// dictionary, applied on top of the national default and of the
// dictionaries of the units above it (the province's, then the
// district's), and speech profiles (rate, pitch, pauses) for all voices
// or for one voice, inherited the same way. Both apply before any speech
// engine, to stored bulletins and to previews alike.
type Speech struct{ *Service }

// Speech returns the sub-service for pronunciation dictionaries, speech
// profiles and previews.
func (s *Service) Speech() Speech { return Speech{s} }

// LexiconRuleInput adds or changes a rule of a unit's dictionary.
type LexiconRuleInput struct {
	UnitID int64  `json:"unit_id"`
	Term   string `json:"term"`
	Say    string `json:"say"`
	Note   string `json:"note,omitempty"`
}

// LexiconView is what a unit's readers see of the rules that apply to it.
type LexiconView struct {
	UnitID    int64                `json:"unit_id"`
	Own       []model.LexiconEntry `json:"own"`       // the unit's own rules (editable)
	Inherited []model.LexiconEntry `json:"inherited"` // rules of the units above it
	National  []tts.Rule           `json:"national"`  // the national default dictionary
}

// Lexicon returns the rules that apply to a unit.
func (s Speech) Lexicon(ctx context.Context, a model.Actor, unitID int64) (LexiconView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return LexiconView{}, err
	}
	v := LexiconView{UnitID: unit.ID, National: tts.DefaultRules()}
	for _, id := range storage.AncestorIDs(unit.Path) {
		list, err := s.store.Speech().LexiconOf(ctx, id)
		if err != nil {
			return LexiconView{}, err
		}
		if id == unit.ID {
			v.Own = list
		} else {
			v.Inherited = append(v.Inherited, list...)
		}
	}
	return v, nil
}

// checkRule validates a dictionary rule.
func checkRule(in *LexiconRuleInput) error {
	in.Term, in.Say, in.Note = strings.TrimSpace(in.Term), strings.Join(strings.Fields(in.Say), " "), strings.TrimSpace(in.Note)
	switch {
	case in.Term == "":
		return invalid("term", "speech.term_missing", "give the word or abbreviation as it is written, e.g. \"LĐVP\"")
	case utf8.RuneCountInString(in.Term) > tts.MaxRuleTermRunes:
		return invalid("term", "speech.term_long", "the term has more than %d characters", tts.MaxRuleTermRunes)
	case strings.ContainsFunc(in.Term, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return invalid("term", "speech.term_space", "the term %q contains a space: a rule reads one word or abbreviation (add one rule per word)", in.Term)
	case !utf8.ValidString(in.Term) || !utf8.ValidString(in.Say) || !utf8.ValidString(in.Note):
		return invalid("term", "speech.term_utf8", "the rule is not valid UTF-8 text")
	case in.Say == "":
		return invalid("say", "speech.say_missing", "give how %q should be read, in words, e.g. \"lãnh đạo văn phòng\"", in.Term)
	case utf8.RuneCountInString(in.Say) > tts.MaxRuleSayRunes:
		return invalid("say", "speech.say_long", "the reading has more than %d characters", tts.MaxRuleSayRunes)
	case utf8.RuneCountInString(in.Note) > 300:
		return invalid("note", "speech.note_long", "the note has more than %d characters", 300)
	case strings.ContainsFunc(in.Say, unicode.IsControl):
		return invalid("say", "speech.say_control", "the reading contains control characters")
	}
	return nil
}

// SaveLexiconRule adds a rule to a unit's dictionary, or changes the
// reading of the unit's rule for the same term (audited).
func (s Speech) SaveLexiconRule(ctx context.Context, a model.Actor, in LexiconRuleInput) (model.LexiconEntry, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return model.LexiconEntry{}, err
	}
	if err := checkRule(&in); err != nil {
		return model.LexiconEntry{}, err
	}
	e := model.LexiconEntry{UnitID: unit.ID, Term: in.Term, Say: in.Say, Note: in.Note, UpdatedBy: a.Username, UpdatedAt: s.clock()}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().SaveLexiconEntry(ctx, &e); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "speech.lexicon.save", "unit", fmt.Sprint(unit.ID), fmt.Sprintf("term=%q say=%q", e.Term, e.Say))
	})
	return e, err
}

// DeleteLexiconRule removes a rule of a unit's dictionary (audited).
func (s Speech) DeleteLexiconRule(ctx context.Context, a model.Actor, id int64) error {
	e, err := s.store.Speech().LexiconEntry(ctx, id)
	if err != nil {
		return err
	}
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, e.UnitID)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().DeleteLexiconEntry(ctx, id); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "speech.lexicon.delete", "unit", fmt.Sprint(unit.ID), fmt.Sprintf("term=%q", e.Term))
	})
}

// pronouncer builds the reading rules of a unit: national default, then
// each unit from the top of its branch down to it.
func (s *Service) pronouncer(ctx context.Context, unit *model.Unit) (*tts.Pronouncer, error) {
	layers := [][]tts.Rule{tts.DefaultRules()}
	for _, id := range storage.AncestorIDs(unit.Path) {
		list, err := s.store.Speech().LexiconOf(ctx, id)
		if err != nil {
			return nil, err
		}
		l := make([]tts.Rule, len(list))
		for i, e := range list {
			l[i] = tts.Rule{Term: e.Term, Say: e.Say}
		}
		layers = append(layers, l)
	}
	return tts.NewPronouncer(layers...), nil
}

// DefaultSpeechProfile is the profile of a unit that set none: suited to
// outdoor loudspeakers.
func DefaultSpeechProfile() model.SpeechProfile {
	return model.SpeechProfile{
		WordsPerMinute:   tts.DefaultWordsPerMinute,
		Pitch:            tts.DefaultPitch,
		SentencePauseMS:  int(tts.DefaultSentencePause / time.Millisecond),
		ParagraphPauseMS: int(tts.DefaultParagraphPause / time.Millisecond),
	}
}

// SpeechProfileInput sets a unit's profile for all voices (Voice "") or
// for one voice.
type SpeechProfileInput struct {
	UnitID           int64  `json:"unit_id"`
	Voice            string `json:"voice"`
	WordsPerMinute   int    `json:"words_per_minute"`
	Pitch            int    `json:"pitch"`
	SentencePauseMS  int    `json:"sentence_pause_ms"`
	ParagraphPauseMS int    `json:"paragraph_pause_ms"`
}

// SpeechProfileView is a unit's profiles: its own, and the one each voice
// gets (own, inherited or default).
type SpeechProfileView struct {
	UnitID    int64                          `json:"unit_id"`
	Own       []model.SpeechProfile          `json:"own"`
	Effective map[string]model.SpeechProfile `json:"effective"` // by voice; "" is every other voice
}

// SpeechProfiles returns a unit's speech profiles.
func (s Speech) SpeechProfiles(ctx context.Context, a model.Actor, unitID int64) (SpeechProfileView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return SpeechProfileView{}, err
	}
	own, err := s.store.Speech().SpeechProfilesOf(ctx, unit.ID)
	if err != nil {
		return SpeechProfileView{}, err
	}
	v := SpeechProfileView{UnitID: unit.ID, Own: own, Effective: map[string]model.SpeechProfile{}}
	voices := []string{""}
	for _, vo := range s.Library().Voices() {
		voices = append(voices, vo.ID)
	}
	for _, vo := range voices {
		p, err := s.profileFor(ctx, unit, vo)
		if err != nil {
			return SpeechProfileView{}, err
		}
		v.Effective[vo] = p
	}
	return v, nil
}

// profileFor resolves the profile of a voice at a unit: the nearest unit
// (itself first, then up its branch) with a profile for that voice or
// for all voices; the default when none has one.
func (s *Service) profileFor(ctx context.Context, unit *model.Unit, voice string) (model.SpeechProfile, error) {
	anc := storage.AncestorIDs(unit.Path)
	for i := len(anc) - 1; i >= 0; i-- {
		list, err := s.store.Speech().SpeechProfilesOf(ctx, anc[i])
		if err != nil {
			return model.SpeechProfile{}, err
		}
		var all *model.SpeechProfile
		for j := range list {
			if list[j].Voice == voice && voice != "" {
				return list[j], nil
			}
			if list[j].Voice == "" {
				all = &list[j]
			}
		}
		if all != nil {
			return *all, nil
		}
	}
	p := DefaultSpeechProfile()
	p.Voice = voice
	return p, nil
}

func prosodyOf(p model.SpeechProfile) tts.Prosody {
	return tts.Prosody{
		WordsPerMinute: p.WordsPerMinute,
		Pitch:          p.Pitch,
		SentencePause:  time.Duration(p.SentencePauseMS) * time.Millisecond,
		ParagraphPause: time.Duration(p.ParagraphPauseMS) * time.Millisecond,
	}
}

func (s Speech) checkProfile(in SpeechProfileInput) error {
	if in.Voice != "" {
		known := false
		for _, v := range s.Library().Voices() {
			known = known || v.ID == in.Voice
		}
		if !known {
			return invalid("voice", "speech.voice_unknown", "unknown voice %q: leave it empty for every voice or choose one of the server's voices", in.Voice)
		}
	}
	if in.WordsPerMinute < tts.MinWordsPerMinute || in.WordsPerMinute > tts.MaxWordsPerMinute {
		return invalid("words_per_minute", "speech.rate_range", "speaking rate %d words a minute: use %d–%d (outdoor loudspeakers: 130–150)", in.WordsPerMinute, tts.MinWordsPerMinute, tts.MaxWordsPerMinute)
	}
	if in.Pitch < 1 || in.Pitch > 99 {
		return invalid("pitch", "speech.pitch_range", "pitch %d: use 1–99 (50 is neutral)", in.Pitch)
	}
	maxMS := int(tts.MaxPause / time.Millisecond)
	if in.SentencePauseMS < 0 || in.SentencePauseMS > maxMS {
		return invalid("sentence_pause_ms", "speech.pause_range", "pause %d ms: use 0–%d ms", in.SentencePauseMS, maxMS)
	}
	if in.ParagraphPauseMS < 0 || in.ParagraphPauseMS > maxMS {
		return invalid("paragraph_pause_ms", "speech.pause_range", "pause %d ms: use 0–%d ms", in.ParagraphPauseMS, maxMS)
	}
	return nil
}

// SaveSpeechProfile sets a unit's profile for all voices or one voice
// (audited).
func (s Speech) SaveSpeechProfile(ctx context.Context, a model.Actor, in SpeechProfileInput) (model.SpeechProfile, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return model.SpeechProfile{}, err
	}
	if err := s.checkProfile(in); err != nil {
		return model.SpeechProfile{}, err
	}
	at := s.clock()
	p := model.SpeechProfile{UnitID: unit.ID, Voice: in.Voice, WordsPerMinute: in.WordsPerMinute, Pitch: in.Pitch,
		SentencePauseMS: in.SentencePauseMS, ParagraphPauseMS: in.ParagraphPauseMS, UpdatedBy: a.Username, UpdatedAt: &at}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Speech().SaveSpeechProfile(ctx, p, at); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "speech.profile.save", "unit", fmt.Sprint(unit.ID),
			fmt.Sprintf("voice=%q wpm=%d pitch=%d sentence_pause_ms=%d paragraph_pause_ms=%d", p.Voice, p.WordsPerMinute, p.Pitch, p.SentencePauseMS, p.ParagraphPauseMS))
	})
	return p, err
}

// DeleteSpeechProfile removes a unit's profile for a voice ("" for all
// voices), so that the inherited or default one applies again (audited).
func (s Speech) DeleteSpeechProfile(ctx context.Context, a model.Actor, unitID int64, voice string) error {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, unitID)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		ok, err := tx.Speech().DeleteSpeechProfile(ctx, unit.ID, voice)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("speech profile %q of unit %q: %w", voice, unit.Name, model.ErrNotFound)
		}
		return tx.Audit().AppendAudit(ctx, a, "speech.profile.delete", "unit", fmt.Sprint(unit.ID), fmt.Sprintf("voice=%q", voice))
	})
}

// PreviewInput asks to hear a text (a rule's term, a sentence, a whole
// bulletin) as the unit's devices would, without storing it. Profile,
// when set, is tried instead of the unit's (the settings form's "listen").
type PreviewInput struct {
	UnitID  int64               `json:"unit_id"`
	Text    string              `json:"text"`
	Voice   string              `json:"voice,omitempty"`
	Speed   float64             `json:"speed,omitempty"`
	Profile *SpeechProfileInput `json:"profile,omitempty"`
}

// Preview is synthesised audio that is not stored.
type Preview struct {
	Spoken string // the text as the engine was given it, after the rules
	Audio  []byte
	Format string // "wav", "mp3", …
}

// PreviewSpeech reads a text with the unit's rules and profile.
func (s Speech) PreviewSpeech(ctx context.Context, a model.Actor, in PreviewInput) (*Preview, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, in.UnitID)
	if err != nil {
		return nil, err
	}
	if s.cfg.TTS == nil {
		return nil, i18n.Localise(errNoTTS, "bcx.media_tools")
	}
	req, err := s.speechRequest(ctx, unit, in.Text, in.Voice, in.Speed)
	if err != nil {
		return nil, err
	}
	if in.Profile != nil {
		p := *in.Profile
		p.Voice = in.Voice
		if err := s.checkProfile(p); err != nil {
			return nil, err
		}
		req.Prosody = prosodyOf(model.SpeechProfile{WordsPerMinute: p.WordsPerMinute, Pitch: p.Pitch, SentencePauseMS: p.SentencePauseMS, ParagraphPauseMS: p.ParagraphPauseMS})
	}
	audio, format, err := s.cfg.TTS.Synthesize(ctx, req)
	if err != nil {
		return nil, ttsError(err)
	}
	return &Preview{Spoken: req.Text, Audio: audio, Format: format}, nil
}

// SpokenText returns a text as the unit's rules rewrite it for the engine.
func (s Speech) SpokenText(ctx context.Context, a model.Actor, unitID int64, text string) (string, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return "", err
	}
	p, err := s.pronouncer(ctx, unit)
	if err != nil {
		return "", err
	}
	return p.Apply(tts.CleanText(text)), nil
}

// speechRequest prepares a synthesis request for a unit: the text through
// its pronunciation rules, the voice's profile.
func (s *Service) speechRequest(ctx context.Context, unit *model.Unit, text, voice string, speed float64) (tts.Request, error) {
	clean := tts.CleanText(text)
	if clean == "" {
		return tts.Request{}, model.Invalid("text", "%v: give the bulletin text to read out", tts.ErrEmptyText)
	}
	if n := utf8.RuneCountInString(clean); n > tts.DefaultMaxTextRunes {
		return tts.Request{}, model.Invalid("text", "%v: %d characters, the limit is %d; split the bulletin into several parts", tts.ErrTextTooLong, n, tts.DefaultMaxTextRunes)
	}
	p, err := s.pronouncer(ctx, unit)
	if err != nil {
		return tts.Request{}, err
	}
	if voice == "" {
		if vs := s.cfg.TTS.Voices(); len(vs) > 0 {
			voice = vs[0].ID
		}
	}
	prof, err := s.profileFor(ctx, unit, voice)
	if err != nil {
		return tts.Request{}, err
	}
	return tts.Request{Text: p.Apply(clean), Voice: voice, Speed: speed, Prosody: prosodyOf(prof)}, nil
}

var errNoTTS = errors.New("text-to-speech is not available on this server: install Debian's espeak-ng package (or configure a speech service) and restart Loa")

// ttsError maps an engine's refusal to an error for the caller.
func ttsError(err error) error {
	switch {
	case errors.Is(err, tts.ErrEmptyText), errors.Is(err, tts.ErrTextTooLong):
		return model.Invalid("text", "%v", err)
	case errors.Is(err, tts.ErrUnknownVoice):
		return model.Invalid("voice", "%v (use vi-north, vi-central or vi-south)", err)
	case errors.Is(err, tts.ErrBadSpeed):
		return model.Invalid("speed", "%v (use 0.5-2)", err)
	}
	return fmt.Errorf("text-to-speech: %w", err)
}
