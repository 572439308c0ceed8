package tts

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The rate a listener hears matches the words-a-minute asked for (within
// 15 %), the default suits outdoor loudspeakers (130–150), and pauses
// lengthen the audio by what they add.
func TestEspeakProsody(t *testing.T) {
	e := newEspeak(t, EspeakConfig{})
	ctx := testContext(t)
	// One sentence, already as words (no pause inside).
	sentence := ExpandForSpeech("Sở Thông tin và Truyền thông đề nghị các cơ quan đơn vị địa phương thực hiện tốt nội dung theo yêu cầu trên người dân cần chủ động phòng chống dịch bệnh giữ vệ sinh nơi ở và thực hiện tốt các biện pháp phòng dịch theo hướng dẫn của ngành y tế")
	words := len(strings.Fields(sentence))
	rate := func(p Prosody) float64 {
		t.Helper()
		audio, _, err := e.Synthesize(ctx, Request{Text: sentence, Prosody: p})
		if err != nil {
			t.Fatal(err)
		}
		d, err := WAVDuration(audio)
		if err != nil {
			t.Fatal(err)
		}
		return float64(words) / d.Minutes()
	}
	if got := rate(Prosody{}); got < 130*0.85 || got > 150*1.15 {
		t.Errorf("default rate %.0f words a minute, want about 130–150", got)
	}
	for _, want := range []int{120, 180} {
		if got := rate(Prosody{WordsPerMinute: want}); got < float64(want)*0.85 || got > float64(want)*1.15 {
			t.Errorf("asked %d words a minute, heard %.0f", want, got)
		}
	}

	// Three sentences: two sentence pauses.
	three := "Người dân chú ý. Người dân chú ý. Người dân chú ý."
	short, _, err := e.Synthesize(ctx, Request{Text: three, Prosody: Prosody{SentencePause: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	long, _, err := e.Synthesize(ctx, Request{Text: three, Prosody: Prosody{SentencePause: 1100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := WAVDuration(short)
	dl, _ := WAVDuration(long)
	if diff := dl - ds; diff < 1900*time.Millisecond || diff > 2100*time.Millisecond {
		t.Errorf("two pauses of +1 s lengthened the audio by %v, want 2 s", diff)
	}

	// Pitch changes the sound.
	low, _, err := e.Synthesize(ctx, Request{Text: "Người dân chú ý.", Prosody: Prosody{Pitch: 20}})
	if err != nil {
		t.Fatal(err)
	}
	high, _, err := e.Synthesize(ctx, Request{Text: "Người dân chú ý.", Prosody: Prosody{Pitch: 80}})
	if err != nil {
		t.Fatal(err)
	}
	if string(low) == string(high) {
		t.Error("pitch 20 and 80 gave the same audio")
	}

	for _, bad := range []Prosody{{WordsPerMinute: 50}, {WordsPerMinute: 400}, {Pitch: 120}, {SentencePause: -time.Second}, {ParagraphPause: time.Minute}} {
		if _, _, err := e.Synthesize(ctx, Request{Text: "Chú ý.", Prosody: bad}); !errors.Is(err, ErrBadSpeed) {
			t.Errorf("prosody %+v: err = %v", bad, err)
		}
	}
}
