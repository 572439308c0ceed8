package tts

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// The numbered content items of the seed letter
// (testdata/cv-570-STTTT-TTBCBC-2021.txt, a copy of the shared sample); TestSeedItemsMatchSample
// checks the copy.
var seedItems = []string{
	"Tuyên truyền trách nhiệm mỗi cá nhân, cơ quan, đơn vị, tổ chức thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ để chủ động chống dịch, sản xuất kinh doanh an toàn, đảm bảo thực hiện thắng lợi mục tiêu kép.",
	"Tiếp tục thông tin, tuyên truyền về sự cần thiết phải tiêm vắc xin, tổ chức thực hiện tiêm vắc xin theo thứ tự ưu tiên một cách hợp lý, hiệu quả, trước hết ưu tiên cho các lực lượng tuyến đầu và các địa bàn trọng điểm về dịch Covid-19 để người dân hiểu, tự giác và tích cực tham gia.",
	"Tiếp tục thông tin, tuyên truyền, kêu gọi, vận động cơ quan, đơn vị, tổ chức, doanh nghiệp và cá nhân trong và ngoài nước đóng góp cho Quỹ vắc xin phòng, chống Covid-19 Việt Nam (file âm thanh và tài liệu tuyên truyền tuyên truyền đã được gửi kèm Công văn số 576/STTTT-TTBCBC ngày 04/6/2021).",
}

// seedItem returns the text of numbered item n of the seed letter.
func seedItem(t *testing.T, n int) string {
	t.Helper()
	return seedItems[n-1]
}

func TestSeedItemsMatchSample(t *testing.T) {
	b, err := os.ReadFile("testdata/cv-570-STTTT-TTBCBC-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, item := range seedItems {
		if !strings.Contains(string(b), fmt.Sprintf("%d. %s\n", i+1, item)) {
			t.Errorf("item %d differs from the seed letter", i+1)
		}
	}
}

func newEspeak(t *testing.T, cfg EspeakConfig) *Espeak {
	t.Helper()
	e, err := NewEspeak(cfg)
	if err != nil {
		if errors.Is(err, ErrToolMissing) && os.Getenv("CI") != "true" {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
	return e
}

func TestEspeakSeedItemInEachVoice(t *testing.T) {
	e := newEspeak(t, EspeakConfig{})
	text := seedItem(t, 1)
	if !strings.Contains(text, "5K+ vắc xin") {
		t.Fatalf("unexpected item 1: %q", text)
	}
	seen := map[string]bool{}
	for _, v := range e.Voices() {
		t.Run(v.ID, func(t *testing.T) {
			audio, format, err := e.Synthesize(testContext(t), Request{Text: text, Voice: v.ID})
			if err != nil {
				t.Fatal(err)
			}
			if format != "wav" {
				t.Errorf("format = %q", format)
			}
			f, data, err := readWAV(audio)
			if err != nil {
				t.Fatal(err)
			}
			if f.channels != 1 || f.bits != 16 || f.sampleRate < 16000 {
				t.Errorf("WAV format %+v", f)
			}
			d, _ := WAVDuration(audio)
			// About 50 words at 150 words per minute: some 20 s.
			if d < 5*time.Second || d > 60*time.Second {
				t.Errorf("duration %v, want a plausible reading time", d)
			}
			if rms(data) < 500 {
				t.Errorf("RMS %.0f: the audio is (nearly) silent", rms(data))
			}
			sum := string(audio[44:min(len(audio), 44+20000)])
			if seen[sum] {
				t.Errorf("voice %s sounds exactly like another voice", v.ID)
			}
			seen[sum] = true
			t.Logf("%s: %v of speech", v.ID, d)
		})
	}
}

// rms of 16-bit little-endian samples.
func rms(pcm []byte) float64 {
	var sum float64
	n := len(pcm) / 2
	for i := range n {
		s := float64(int16(binary.LittleEndian.Uint16(pcm[2*i:])))
		sum += s * s
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

func TestEspeakSpeedAndLongText(t *testing.T) {
	e := newEspeak(t, EspeakConfig{})
	ctx := testContext(t)
	text := seedItem(t, 2)
	normal, _, err := e.Synthesize(ctx, Request{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	fast, _, err := e.Synthesize(ctx, Request{Text: text, Speed: 1.6})
	if err != nil {
		t.Fatal(err)
	}
	dn, _ := WAVDuration(normal)
	df, _ := WAVDuration(fast)
	if df > dn*3/4 {
		t.Errorf("speed 1.6 lasts %v, speed 1 %v: want clearly shorter", df, dn)
	}

	// Three items as paragraphs, repeated: > maxChunkRunes, so several runs.
	long := strings.Repeat(seedItem(t, 1)+"\n\n"+seedItem(t, 2)+"\n\n"+seedItem(t, 3)+"\n\n", 2)
	if n := len(splitText(CleanText(long), maxChunkRunes)); n < 6 {
		t.Fatalf("long text split into %d chunks", n)
	}
	audio, _, err := e.Synthesize(ctx, Request{Text: long, Voice: VoiceSouth})
	if err != nil {
		t.Fatal(err)
	}
	dl, _ := WAVDuration(audio)
	if dl < 2*dn {
		t.Errorf("long text lasts %v, item 2 alone %v", dl, dn)
	}
}

func TestEspeakRefusals(t *testing.T) {
	e := newEspeak(t, EspeakConfig{MaxTextRunes: 100})
	ctx := testContext(t)
	cases := []struct {
		req  Request
		want error
	}{
		{Request{Text: " \n\t "}, ErrEmptyText},
		{Request{Text: strings.Repeat("a ", 60)}, ErrTextTooLong},
		{Request{Text: "xin chào", Voice: "en-us"}, ErrUnknownVoice},
		{Request{Text: "xin chào", Speed: 5}, ErrBadSpeed},
		{Request{Text: "xin chào", Speed: math.NaN()}, ErrBadSpeed},
	}
	for _, tc := range cases {
		if _, _, err := e.Synthesize(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%+v: err = %v, want %v", tc.req, err, tc.want)
		}
	}
	if _, err := NewEspeak(EspeakConfig{Path: "/nonexistent/espeak-ng"}); !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), `Debian package "espeak-ng"`) {
		t.Errorf("missing binary: err = %v", err)
	}
}

func TestExpandForSpeech(t *testing.T) {
	cases := map[string]string{
		"Thường trực UBND các huyện":      "Thường trực Ủy ban nhân dân các huyện",
		"phòng, chống Covid-19 theo":      "phòng, chống Cô vít mười chín theo",
		"dịch COVID-19.":                  "dịch Cô vít mười chín.",
		"TP. Rạch Giá":                    "thành phố Rạch Giá",
		"ngày 03/6/2021 của Cục":          "ngày ba tháng sáu năm hai nghìn không trăm hai mươi mốt của Cục",
		"Công văn 355 (03/06/2021)":       "Công văn ba trăm năm mươi lăm (ngày ba tháng sáu năm hai nghìn không trăm hai mươi mốt)",
		"V/v Đẩy mạnh thông tin":          "về việc Đẩy mạnh thông tin",
		"theo phương châm “5K+ vắc xin”":  "theo phương châm năm ca cộng vắc xin",
		"yêu cầu trên./.":                 "yêu cầu trên.",
		"UBNDX và HĐND tỉnh":              "UBNDX và Hội đồng nhân dân tỉnh",
		"Sở TTTT; MTTQ xã; học sinh THPT": "Sở Thông tin và Truyền thông; Mặt trận Tổ quốc xã; học sinh trung học phổ thông",
		"số 570/STTTT-TTBCBC":             "số năm trăm bảy mươi, Sở Thông tin và Truyền thông, tê tê bê xê bê xê",
		"Quỹ vắc xin một triệu năm trăm nghìn đồng, tỷ lệ mười phần trăm": "Quỹ vắc xin một triệu năm trăm nghìn đồng, tỷ lệ mười phần trăm",
	}
	for in, want := range cases {
		if got := ExpandForSpeech(in); got != want {
			t.Errorf("ExpandForSpeech(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	// "Ủy" decomposed (U + combining hook above + y), stray spaces, CRLF.
	in := "  U\u0309y   ban\r\n\r\n\r\n\tnhân\x07 dân  \n"
	want := "Ủy ban\n\nnhân dân"
	if got := CleanText(in); got != want {
		t.Errorf("CleanText = %q, want %q", got, want)
	}
}

func TestSplitText(t *testing.T) {
	text := "Dòng một bị\ngãy giữa câu. Câu hai!\n\nĐoạn hai: " + strings.Repeat("một câu khá dài, có dấu phẩy, ", 40) + "hết."
	chunks := splitText(text, 200)
	if chunks[0].text != "Dòng một bị gãy giữa câu. Câu hai!" || !chunks[0].paragraph {
		t.Errorf("first chunk = %+v", chunks[0])
	}
	for _, c := range chunks {
		if n := utf8.RuneCountInString(c.text); n > 200 || n == 0 {
			t.Errorf("chunk of %d runes: %q", n, c.text)
		}
	}
	if !chunks[len(chunks)-1].paragraph || len(chunks) < 6 {
		t.Errorf("got %d chunks, last %+v", len(chunks), chunks[len(chunks)-1])
	}
	var joined []string
	for _, c := range chunks {
		joined = append(joined, c.text)
	}
	if got := strings.Join(strings.Fields(strings.Join(joined, " ")), " "); got != strings.Join(strings.Fields(text), " ") {
		t.Errorf("splitting lost text:\n%s", got)
	}
}

func TestWAVRoundTripAndStreamingHeader(t *testing.T) {
	f := pcmFormat{channels: 1, sampleRate: 22050, bits: 16}
	data := bytes.Repeat([]byte{1, 2}, 22050) // 1 s
	var buf bytes.Buffer
	if err := writeWAV(&buf, f, data); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if d, err := WAVDuration(b); err != nil || d != time.Second {
		t.Fatalf("duration = %v, %v", d, err)
	}
	// espeak-ng --stdout writes placeholder sizes.
	binary.LittleEndian.PutUint32(b[40:], 0x7ffff000)
	if _, got, err := readWAV(b); err != nil || !bytes.Equal(got, data) {
		t.Errorf("streaming header: %v", err)
	}
	if _, _, err := readWAV([]byte("RIFF....WAVEjunk")); err == nil {
		t.Error("junk accepted")
	}
}

// fakeEngine returns a short WAV tone whose pitch depends on the request,
// and counts calls.
type fakeEngine struct {
	calls atomic.Int32
	delay time.Duration
	fail  bool
}

func (f *fakeEngine) Voices() []Voice { return VietnameseVoices }

func (f *fakeEngine) Synthesize(ctx context.Context, req Request) ([]byte, string, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
	if f.fail {
		return nil, "", fmt.Errorf("%w: fake failure", ErrEngine)
	}
	pcm := make([]byte, 2*8000)
	for i := range 8000 {
		v := int16(8000 * math.Sin(float64(i)*float64(len(req.Text)+len(req.Voice))/50))
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
	}
	var buf bytes.Buffer
	err := writeWAV(&buf, pcmFormat{channels: 1, sampleRate: 8000, bits: 16}, pcm)
	return buf.Bytes(), "wav", err
}

func TestCachedSynthesizesOnce(t *testing.T) {
	dir := t.TempDir()
	eng := &fakeEngine{}
	c, err := NewCached(eng, "fake/1", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	req := Request{Text: "Ủy ban nhân dân xã thông báo.", Voice: VoiceNorth, Speed: 1}
	first, format, err := c.Synthesize(ctx, req)
	if err != nil || format != "wav" {
		t.Fatal(err, format)
	}
	// Same bulletin: spacing and Unicode normalisation do not matter, nor
	// do default voice/speed spelt out or left empty.
	for _, r := range []Request{
		req,
		{Text: "  U\u0309y ban nhân   dân xã thông báo.\n", Voice: VoiceNorth, Speed: 1},
		{Text: req.Text},
	} {
		again, _, err := c.Synthesize(ctx, r)
		if err != nil || !bytes.Equal(again, first) {
			t.Fatalf("cache hit for %+v: %v", r, err)
		}
	}
	if n := eng.calls.Load(); n != 1 {
		t.Fatalf("engine called %d times, want 1", n)
	}
	// A different voice or speed is a different bulletin.
	c.Synthesize(ctx, Request{Text: req.Text, Voice: VoiceSouth})
	c.Synthesize(ctx, Request{Text: req.Text, Speed: 1.2})
	if n := eng.calls.Load(); n != 3 {
		t.Fatalf("engine called %d times, want 3", n)
	}
	// Persisted: a new wrapper on the same directory does not call the engine.
	eng2 := &fakeEngine{}
	c2, _ := NewCached(eng2, "fake/1", dir, nil)
	if got, _, err := c2.Synthesize(ctx, req); err != nil || !bytes.Equal(got, first) || eng2.calls.Load() != 0 {
		t.Fatalf("persisted entry not used: %v, calls %d", err, eng2.calls.Load())
	}
	// Another engine ID does not share entries.
	c3, _ := NewCached(eng2, "fake/2", dir, nil)
	c3.Synthesize(ctx, req)
	if eng2.calls.Load() != 1 {
		t.Fatalf("engine ID not part of the key")
	}
	// No temporary files are left.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestCachedConcurrentAndFailures(t *testing.T) {
	eng := &fakeEngine{delay: 200 * time.Millisecond}
	c, err := NewCached(eng, "fake/1", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, err := c.Synthesize(ctx, Request{Text: "Thông báo khẩn."}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := eng.calls.Load(); n != 1 {
		t.Fatalf("8 concurrent requests called the engine %d times, want 1", n)
	}

	bad := &fakeEngine{fail: true}
	cb, _ := NewCached(bad, "bad/1", t.TempDir(), nil)
	for range 2 {
		if _, _, err := cb.Synthesize(ctx, Request{Text: "x"}); !errors.Is(err, ErrEngine) {
			t.Fatalf("err = %v", err)
		}
	}
	if bad.calls.Load() != 2 {
		t.Errorf("failures must not be cached: %d calls", bad.calls.Load())
	}
}

func TestHTTPEngine(t *testing.T) {
	audio := bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x00}, 100)
	var got struct {
		Text  string  `json:"text"`
		Voice string  `json:"voice"`
		Speed float64 `json:"speed"`
	}
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			auth = r.Header.Get("Authorization")
			if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&got) != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "audio/mpeg")
			w.Write(audio)
		case "/fail":
			http.Error(w, "model not loaded: out of memory", http.StatusInternalServerError)
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<html><body>Đăng nhập</body></html>")
		case "/big":
			w.Header().Set("Content-Type", "audio/wav")
			w.Header().Set("Content-Length", "5000")
			w.Write(make([]byte, 5000))
		case "/big-chunked":
			w.Header().Set("Content-Type", "audio/wav")
			for range 5 {
				w.Write(make([]byte, 1000))
				w.(http.Flusher).Flush()
			}
		case "/slow":
			io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want loopback", srv.URL)
	}
	engine := func(path string) *HTTP {
		e, err := NewHTTP(HTTPConfig{URL: srv.URL + path, Token: "s3cret", MaxResponseBytes: 2000, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ctx := testContext(t)

	b, format, err := engine("/ok").Synthesize(ctx, Request{Text: "UBND  xã\n thông báo", Voice: VoiceCentral, Speed: 1.25})
	if err != nil || format != "mp3" || !bytes.Equal(b, audio) {
		t.Fatalf("ok: %v %q %d bytes", err, format, len(b))
	}
	if got.Text != "UBND xã\nthông báo" || got.Voice != VoiceCentral || got.Speed != 1.25 || auth != "Bearer s3cret" {
		t.Errorf("request = %+v, auth %q", got, auth)
	}

	for _, tc := range []struct {
		path string
		want error
		text string
	}{
		{"/fail", ErrEngine, "500 Internal Server Error: \"model not loaded: out of memory\""},
		{"/html", ErrEngine, `Content-Type "text/html; charset=utf-8"`},
		{"/big", ErrResponseLarge, "5000 bytes"},
		{"/big-chunked", ErrResponseLarge, "more than 2000 bytes"},
		{"/slow", ErrEngine, "deadline exceeded"},
	} {
		_, _, err := engine(tc.path).Synthesize(ctx, Request{Text: "xin chào"})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: err = %v, want %v mentioning %q", tc.path, err, tc.want, tc.text)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error leaks the token", tc.path)
		}
	}
	if _, _, err := engine("/ok").Synthesize(ctx, Request{Text: "x", Voice: "robot"}); !errors.Is(err, ErrUnknownVoice) {
		t.Errorf("unknown voice: %v", err)
	}
	for _, u := range []string{"", "ftp://x/y", "/relative", "http://user:pw@host/"} {
		if _, err := NewHTTP(HTTPConfig{URL: u}); err == nil {
			t.Errorf("NewHTTP(%q) accepted", u)
		}
	}
}
