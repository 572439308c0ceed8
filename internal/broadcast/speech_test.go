package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestSpeechRulesProfilesAndPreview: a bulletin with "5K", "14h30", "Đ/c"
// and a document code is read with the national dictionary, the
// dictionary of the unit above and the commune's own (which overrides
// the national one); a preview is synthesised with the commune's speech
// profile (rate per voice) and nothing is stored; bad rules are refused
// and change nothing.
func TestSpeechRulesProfilesAndPreview(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{})
		sp := e.svc.Speech()
		commune := e.unit("dtt-vinh-thanh-van")
		if commune.ParentID == nil {
			t.Fatal("the commune station has no parent unit")
		}
		parent := *commune.ParentID
		op := e.actor("phatthanh.vinhthanhvan")
		sys := model.System("test")
		bulletin := "Thực hiện Công văn số 570/STTTT-TTBCBC, đúng 14h30 hôm nay Đ/c Chủ tịch UBND phường (LĐVP) nhắc bà con thực hiện 5K."

		got, err := sp.SpokenText(ctx, op, commune.ID, bulletin)
		if err != nil {
			t.Fatal(err)
		}
		want := "Thực hiện Công văn số năm trăm bảy mươi, Sở Thông tin và Truyền thông, tê tê bê xê bê xê, đúng mười bốn giờ ba mươi phút hôm nay đồng chí Chủ tịch Ủy ban nhân dân phường (e lờ đê vê pê) nhắc bà con thực hiện năm ca."
		if got != want {
			t.Fatalf("national reading\n got  %q\n want %q", got, want)
		}

		// The unit above adds a rule; the commune adds one and overrides "5K".
		if _, err := sp.SaveLexiconRule(ctx, sys, broadcast.LexiconRuleInput{UnitID: parent, Term: "TTBCBC", Say: "phòng Thông tin, Báo chí, Bưu chính"}); err != nil {
			t.Fatal(err)
		}
		lr, err := sp.SaveLexiconRule(ctx, op, broadcast.LexiconRuleInput{UnitID: commune.ID, Term: "LĐVP", Say: "lãnh đạo  văn phòng"})
		if err != nil {
			t.Fatal(err)
		}
		if lr.Say != "lãnh đạo văn phòng" || lr.ID == 0 {
			t.Errorf("saved rule %+v", lr)
		}
		if _, err := sp.SaveLexiconRule(ctx, op, broadcast.LexiconRuleInput{UnitID: commune.ID, Term: "5K", Say: "năm chữ ca"}); err != nil {
			t.Fatal(err)
		}
		// Saving the same term again changes its reading (one rule per term).
		if _, err := sp.SaveLexiconRule(ctx, op, broadcast.LexiconRuleInput{UnitID: commune.ID, Term: "5K", Say: "năm ca của Bộ Y tế"}); err != nil {
			t.Fatal(err)
		}
		got, err = sp.SpokenText(ctx, op, commune.ID, bulletin)
		if err != nil {
			t.Fatal(err)
		}
		want = "Thực hiện Công văn số năm trăm bảy mươi, Sở Thông tin và Truyền thông, phòng Thông tin, Báo chí, Bưu chính, đúng mười bốn giờ ba mươi phút hôm nay đồng chí Chủ tịch Ủy ban nhân dân phường (lãnh đạo văn phòng) nhắc bà con thực hiện năm ca của Bộ Y tế."
		if got != want {
			t.Fatalf("with the unit dictionaries\n got  %q\n want %q", got, want)
		}
		view, err := sp.Lexicon(ctx, op, commune.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Own) != 2 || len(view.Inherited) != 1 || len(view.National) < 20 {
			t.Errorf("lexicon view: %d own, %d inherited, %d national", len(view.Own), len(view.Inherited), len(view.National))
		}

		// Refusals change nothing: the operator may not edit the unit above,
		// and a rule needs one word and a reading.
		if _, err := sp.SaveLexiconRule(ctx, op, broadcast.LexiconRuleInput{UnitID: parent, Term: "HU", Say: "Huyện ủy"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("operator on the unit above: err = %v", err)
		}
		for _, bad := range []broadcast.LexiconRuleInput{
			{UnitID: commune.ID, Term: "", Say: "x"},
			{UnitID: commune.ID, Term: "hai từ", Say: "x"},
			{UnitID: commune.ID, Term: "ATTP", Say: "  "},
			{UnitID: commune.ID, Term: strings.Repeat("A", 61), Say: "x"},
		} {
			var ve *model.ValidationError
			if _, err := sp.SaveLexiconRule(ctx, op, bad); !errors.As(err, &ve) {
				t.Errorf("rule %+v: err = %v, want a validation error", bad, err)
			}
		}
		if view2, _ := sp.Lexicon(ctx, op, commune.ID); len(view2.Own) != 2 {
			t.Errorf("refused rules changed the dictionary: %d own rules", len(view2.Own))
		}

		// Profiles: 120 words a minute for every voice, 180 for the southern one.
		if _, err := sp.SaveSpeechProfile(ctx, op, broadcast.SpeechProfileInput{UnitID: commune.ID, WordsPerMinute: 120, Pitch: 45, SentencePauseMS: 300, ParagraphPauseMS: 800}); err != nil {
			t.Fatal(err)
		}
		if _, err := sp.SaveSpeechProfile(ctx, op, broadcast.SpeechProfileInput{UnitID: commune.ID, Voice: tts.VoiceSouth, WordsPerMinute: 180, Pitch: 50, SentencePauseMS: 300, ParagraphPauseMS: 800}); err != nil {
			t.Fatal(err)
		}
		var ve *model.ValidationError
		if _, err := sp.SaveSpeechProfile(ctx, op, broadcast.SpeechProfileInput{UnitID: commune.ID, WordsPerMinute: 400, Pitch: 45}); !errors.As(err, &ve) {
			t.Errorf("400 words a minute: err = %v", err)
		}
		prof, err := sp.SpeechProfiles(ctx, op, commune.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prof.Effective[tts.VoiceNorth].WordsPerMinute != 120 || prof.Effective[tts.VoiceSouth].WordsPerMinute != 180 {
			t.Errorf("effective profiles %+v", prof.Effective)
		}
		// A unit without a profile gets the loudspeaker default.
		if p, err := sp.SpeechProfiles(ctx, sys, parent); err != nil || p.Effective[""].WordsPerMinute != tts.DefaultWordsPerMinute {
			t.Errorf("default profile %+v, %v", p.Effective[""], err)
		}

		mediaBefore := e.count("media", commune.ID)
		dur := func(voice string) time.Duration {
			t.Helper()
			pv, err := sp.PreviewSpeech(ctx, op, broadcast.PreviewInput{UnitID: commune.ID, Text: bulletin, Voice: voice})
			if err != nil {
				t.Fatal(err)
			}
			if pv.Spoken != got || pv.Format != "wav" {
				t.Errorf("preview spoke %q as %s", pv.Spoken, pv.Format)
			}
			d, err := tts.WAVDuration(pv.Audio)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		north, south := dur(tts.VoiceNorth), dur(tts.VoiceSouth)
		if r := float64(north) / float64(south); r < 1.3 || r > 1.7 {
			t.Errorf("120 vs 180 words a minute: %v vs %v (ratio %.2f, want about 1.5)", north, south, r)
		}
		if n := e.count("media", commune.ID); n != mediaBefore {
			t.Errorf("previews stored media: %d → %d", mediaBefore, n)
		}

		// A stored bulletin keeps the text as written.
		m := e.ttsMedia(e.tokenFor("phatthanh.vinhthanhvan"), commune.ID, "Nhắc 5K", bulletin)
		if !strings.Contains(m.TTSText, "14h30") || m.DurationMS < 5000 {
			t.Errorf("stored bulletin: text %q, %d ms", m.TTSText, m.DurationMS)
		}

		// Deleting a rule restores the reading above it.
		if err := sp.DeleteLexiconRule(ctx, op, lr.ID); err != nil {
			t.Fatal(err)
		}
		if s, _ := sp.SpokenText(ctx, op, commune.ID, "(LĐVP)"); s != "(e lờ đê vê pê)" {
			t.Errorf("after delete: %q", s)
		}
		if err := sp.DeleteLexiconRule(ctx, op, lr.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if err := sp.DeleteSpeechProfile(ctx, op, commune.ID, tts.VoiceSouth); err != nil {
			t.Fatal(err)
		}
	})
}
