package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestSpeechPage: the operator sees the dictionaries and the rate, adds
// a rule (a bad one is refused in Vietnamese and changes nothing), and
// the "listen" endpoint answers WAV audio of a bulletin with "5K",
// "14h30", "Đ/c" and a document code, with the text as the engine read
// it; the media page's text-to-speech form has a listen button too.
func TestSpeechPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newBroadcastEnv(t, st)
		commune := e.unit("dtt-vinh-thanh-van")
		p := e.signIn("phatthanh.vinhthanhvan")
		code, body := p.get("/broadcast/speech")
		if code != http.StatusOK {
			t.Fatalf("speech page: %d", code)
		}
		for _, want := range []string{"Giọng đọc và cách đọc", "Từ điển chung cả nước", "<code>UBND</code>", "Ủy ban nhân dân", `name="words_per_minute" value="140"`, "data-speak-text=\"Đ/c\"", "Nghe thử bản tin"} {
			if !strings.Contains(body, want) {
				t.Errorf("speech page lacks %q", want)
			}
		}
		q := fmt.Sprintf("?unit=%d", commune.ID)
		code, loc, _ := p.post("/broadcast/speech/rules"+q, url.Values{"term": {"TTBCBC"}, "say": {"phòng Thông tin, Báo chí, Bưu chính"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#rule-") {
			t.Fatalf("add rule: %d %s", code, loc)
		}
		code, _, body = p.post("/broadcast/speech/rules"+q, url.Values{"term": {"hai từ"}, "say": {"x"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "mỗi quy tắc chỉ cho một từ") {
			t.Errorf("bad rule: %d, message missing", code)
		}
		if n := countRows(t, st, `SELECT count(*) FROM speech_lexicon`); n != 1 {
			t.Errorf("%d rules stored, want 1", n)
		}
		code, _, body = p.post("/broadcast/speech/profile"+q, url.Values{"words_per_minute": {"400"}, "pitch": {"45"}, "sentence_pause_ms": {"300"}, "paragraph_pause_ms": {"800"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "loa ngoài trời: 130–150") {
			t.Errorf("400 words a minute: %d", code)
		}
		code, loc, _ = p.post("/broadcast/speech/profile"+q, url.Values{"words_per_minute": {"135"}, "pitch": {"45"}, "sentence_pause_ms": {"300"}, "paragraph_pause_ms": {"800"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#profile") {
			t.Fatalf("save profile: %d %s", code, loc)
		}
		if _, body = p.get("/broadcast/speech"); !strings.Contains(body, `name="words_per_minute" value="135"`) || !strings.Contains(body, "<code>TTBCBC</code>") {
			t.Error("the page does not show the saved profile and rule")
		}

		preview := func(form url.Values) (*http.Response, []byte) {
			t.Helper()
			form.Set("csrf", p.csrf)
			resp, err := p.client.PostForm(e.srv.URL+"/broadcast/speech/preview"+q, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, b
		}
		resp, audio := preview(url.Values{"text": {"Công văn số 570/STTTT-TTBCBC: đúng 14h30, Đ/c Chủ tịch nhắc bà con thực hiện 5K."}, "voice": {tts.VoiceNorth}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("preview: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), audio)
		}
		spoken, err := url.PathUnescape(resp.Header.Get("X-Loa-Spoken"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "Công văn số năm trăm bảy mươi, Sở Thông tin và Truyền thông, phòng Thông tin, Báo chí, Bưu chính: đúng mười bốn giờ ba mươi phút, đồng chí Chủ tịch nhắc bà con thực hiện năm ca."; spoken != want {
			t.Errorf("spoken\n got  %q\n want %q", spoken, want)
		}
		if d, err := tts.WAVDuration(audio); err != nil || d < 5e9 {
			t.Errorf("preview audio: %v, %v", d, err)
		}
		// The profile form's values are tried without saving them.
		resp, _ = preview(url.Values{"text": {"Chú ý."}, "words_per_minute": {"abc"}, "pitch": {"45"}, "sentence_pause_ms": {"0"}, "paragraph_pause_ms": {"0"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("preview with a bad rate: %d", resp.StatusCode)
		}
		resp, msg := preview(url.Values{"text": {"  "}})
		if resp.StatusCode != http.StatusBadRequest || len(msg) == 0 {
			t.Errorf("empty preview: %d %s", resp.StatusCode, msg)
		}
		if n := countRows(t, st, `SELECT count(*) FROM media`); n != 0 {
			t.Errorf("previews stored %d media items", n)
		}
		if _, body = p.get("/broadcast/media"); !strings.Contains(body, "data-speak") || !strings.Contains(body, `data-preview="/broadcast/speech/preview`) {
			t.Error("the media page's text-to-speech form has no listen button")
		}
		// The unit's languages.
		code, loc, _ = p.post("/broadcast/speech/languages"+q, url.Values{"languages": {"km, vi"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#languages") {
			t.Fatalf("save languages: %d %s", code, loc)
		}
		if _, body = p.get("/broadcast/speech"); !strings.Contains(body, `name="languages" value="km, vi"`) {
			t.Error("the page does not show the languages")
		}
		if code, _, body = p.post("/broadcast/speech/languages"+q, url.Values{"languages": {"khmer"}}); code != http.StatusBadRequest || !strings.Contains(body, "không phải mã ngôn ngữ") {
			t.Errorf("bad language: %d", code)
		}
		// Another commune's operator cannot read this unit's page.
		other := e.signIn("phatthanh.honnghe")
		if code, _ := other.get("/broadcast/speech" + q); code != http.StatusForbidden {
			t.Errorf("another commune's operator: %d", code)
		}
	})
}
