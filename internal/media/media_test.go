package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/media/tts"
)

// checkDeviceFormat asserts the device format of a normalised file and
// measures its loudness independently of the Result.
func checkDeviceFormat(t *testing.T, p *Processor, res Result, out string, kbps int) {
	t.Helper()
	info := res.Info
	if info.Format != "mp3" || info.Codec != "mp3" {
		t.Errorf("output format/codec = %s/%s, want mp3/mp3", info.Format, info.Codec)
	}
	if info.Channels != 1 || info.SampleRate != 44100 {
		t.Errorf("output = %d ch %d Hz, want mono 44100 Hz", info.Channels, info.SampleRate)
	}
	if lo, hi := int64(kbps*1000-1000), int64(kbps*1000+1000); info.BitRate < lo || info.BitRate > hi {
		t.Errorf("output bitrate = %d, want %d kbps CBR", info.BitRate, kbps)
	}
	if d := res.Input.Duration - info.Duration; d > 200*time.Millisecond || d < -200*time.Millisecond {
		t.Errorf("output lasts %v, input %v", info.Duration, res.Input.Duration)
	}
	lufs, tp, err := p.Loudness(testContext(t), out)
	if err != nil {
		t.Fatalf("Loudness(output): %v", err)
	}
	if math.Abs(lufs-DefaultTargetLUFS) > LoudnessTolerance {
		t.Errorf("output loudness = %.1f LUFS, want %.0f±%.0f (result says %+v, mode %s)", lufs, DefaultTargetLUFS, LoudnessTolerance, res.OutputLoudness, res.Mode)
	}
	if tp > DefaultMaxTruePeak {
		t.Errorf("output true peak = %.1f dBTP, want <= %.1f", tp, DefaultMaxTruePeak)
	}
	if lufs != res.OutputLoudness.IntegratedLUFS || tp != res.OutputLoudness.TruePeakDBTP {
		t.Errorf("Result.OutputLoudness = %+v, measured %.1f/%.1f", res.OutputLoudness, lufs, tp)
	}
}

func TestNormalizeAcceptedFormats(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	src := speechSource(4, "0.3")
	cases := []struct {
		name      string
		path      string
		codec     string
		wantVideo bool
	}{
		{"mp3", generate(t, dir, "in.mp3", src, "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"), "mp3", false},
		// Cover art is a video stream with the attached_pic disposition.
		{"mp3-cover-art", generate(t, dir, "cover.mp3", src, "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1",
			"-map", "0:a", "-map", "1:v", "-frames:v", "1", "-c:v", "mjpeg", "-disposition:v", "attached_pic",
			"-c:a", "libmp3lame", "-id3v2_version", "3"), "mp3", false},
		{"wav", generate(t, dir, "in.wav", src, "-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le"), "pcm_s16le", false},
		{"ogg-vorbis", generate(t, dir, "in.ogg", src, "-c:a", "libvorbis"), "vorbis", false},
		{"ogg-opus", generate(t, dir, "in.opus", src, "-c:a", "libopus"), "opus", false},
		{"m4a-aac", generate(t, dir, "in.m4a", src, "-c:a", "aac"), "aac", false},
		{"aac-adts", generate(t, dir, "in.aac", src, "-c:a", "aac", "-f", "adts"), "aac", false},
		{"webm-opus", generate(t, dir, "in.webm", src, "-c:a", "libopus"), "opus", false},
		// Browser MediaRecorder output carries no duration in its header.
		{"webm-live", generate(t, dir, "live.webm", src, "-c:a", "libopus", "-live", "1"), "opus", false},
		{"flac", generate(t, dir, "in.flac", src, "-c:a", "flac"), "flac", false},
		{"amr-phone", "testdata/phone.amr", "amr_nb", false},
		{"mp4-video", generate(t, dir, "clip.mp4", src, "-f", "lavfi", "-i", "testsrc=d=4:s=64x64", "-c:v", "mpeg4", "-c:a", "aac", "-shortest"), "aac", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			info, err := p.Probe(ctx, tc.path)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if info.Codec != tc.codec || info.HasVideo != tc.wantVideo {
				t.Errorf("Probe: codec %q video %v, want %q %v", info.Codec, info.HasVideo, tc.codec, tc.wantVideo)
			}
			if info.Duration < 3*time.Second || info.Duration > 8*time.Second || info.SampleRate == 0 || info.Channels == 0 {
				t.Errorf("Probe: implausible %+v", info)
			}
			out := filepath.Join(t.TempDir(), "out.mp3")
			res, err := p.Normalize(ctx, tc.path, out, NormalizeOptions{})
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			checkDeviceFormat(t, p, res, out, DefaultBitrateKbps)
		})
	}
}

func TestNormalizeQuietAndLoud(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	cases := map[string]string{
		// About -60 dBFS peaks, stereo: needs about +50 dB.
		"quiet": generate(t, dir, "quiet.wav", speechSource(8, "0.003"), "-ac", "2"),
		// Full scale with clipped noise on top: needs attenuation and peak control.
		"loud": generate(t, dir, "loud.wav", speechSource(8, "1")+"[a];anoisesrc=d=8:a=0.5[n];[a][n]amix=inputs=2:normalize=0,volume=6dB"),
		// Steady tone: loudness range 0 LU.
		"tone": generate(t, dir, "tone.wav", "sine=f=1000:d=6"),
	}
	if _, err := LookTool("", "espeak-ng", "espeak-ng"); err == nil || os.Getenv("CI") == "true" {
		cases["speech"] = espeakWAV(t, dir, "Ủy ban nhân dân xã thông báo: đề nghị bà con chủ động phòng, chống dịch bệnh và tiêm vắc xin đầy đủ.")
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.mp3")
			res, err := p.Normalize(testContext(t), in, out, NormalizeOptions{})
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			t.Logf("in %.1f LUFS %.1f dBTP -> out %.1f LUFS %.1f dBTP (%s, limited %v)",
				res.InputLoudness.IntegratedLUFS, res.InputLoudness.TruePeakDBTP,
				res.OutputLoudness.IntegratedLUFS, res.OutputLoudness.TruePeakDBTP, res.Mode, res.Limited)
			checkDeviceFormat(t, p, res, out, DefaultBitrateKbps)
		})
	}
}

// espeakWAV synthesises Vietnamese speech with espeak-ng (text on stdin).
func espeakWAV(t testing.TB, dir, text string) string {
	t.Helper()
	bin := requireTool(t, "espeak-ng", "espeak-ng")
	out := filepath.Join(dir, "speech.wav")
	cmd := exec.Command(bin, "-v", "vi", "-b", "1", "--stdin", "-w", out)
	cmd.Stdin = strings.NewReader(text)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, b)
	}
	return out
}

func TestNormalizeShortClip(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	in := generate(t, dir, "short.ogg", speechSource(1.5, "0.05"), "-c:a", "libvorbis")
	out := filepath.Join(dir, "out.mp3")
	res, err := p.Normalize(testContext(t), in, out, NormalizeOptions{})
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	if res.Mode != ModeGain {
		t.Errorf("mode = %q, want %q for a 1.5 s clip", res.Mode, ModeGain)
	}
	checkDeviceFormat(t, p, res, out, DefaultBitrateKbps)

	tiny := generate(t, dir, "tiny.wav", "sine=d=0.2")
	_, err = p.Normalize(testContext(t), tiny, filepath.Join(dir, "tiny.mp3"), NormalizeOptions{})
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("0.2 s clip: err = %v, want ErrEmpty", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "tiny.mp3")); !os.IsNotExist(statErr) {
		t.Errorf("refused input left an output file behind")
	}
}

func TestNormalizeBitrates(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	in := generate(t, dir, "in.wav", speechSource(4, "0.3"))
	for _, kbps := range []int{64, 128} {
		out := filepath.Join(dir, "out.mp3")
		res, err := p.Normalize(testContext(t), in, out, NormalizeOptions{BitrateKbps: kbps})
		if err != nil {
			t.Fatalf("Normalize %d kbps: %v", kbps, err)
		}
		checkDeviceFormat(t, p, res, out, kbps)
	}
	if _, err := p.Normalize(testContext(t), in, filepath.Join(dir, "x.mp3"), NormalizeOptions{BitrateKbps: 320}); err == nil || !strings.Contains(err.Error(), "64–128") {
		t.Errorf("320 kbps: err = %v, want a range error", err)
	}
}

func TestNormalizeSilenceRefused(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	in := generate(t, dir, "silence.wav", "anullsrc=r=44100:cl=mono:d=4")
	if _, err := p.Probe(testContext(t), in); err != nil {
		t.Fatalf("Probe(silence) = %v; silence is valid audio, only Normalize refuses it", err)
	}
	_, err := p.Normalize(testContext(t), in, filepath.Join(dir, "out.mp3"), NormalizeOptions{})
	if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), "silence") {
		t.Fatalf("err = %v, want ErrEmpty about silence", err)
	}
}

func TestProbeRefusals(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cut := func(name, src string, keep func(n int) int) string {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, data[:keep(len(data))])
	}
	mp3 := generate(t, dir, "good.mp3", speechSource(10, "0.3"), "-c:a", "libmp3lame", "-b:a", "128k")
	wav := generate(t, dir, "good.wav", speechSource(10, "0.3"))
	amr, err := os.ReadFile("testdata/phone.amr")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		want error
		text string // expected in the message
	}{
		{"text renamed .mp3", write("notes.mp3", []byte(strings.Repeat("Thông báo của UBND xã về lịch tiêm vắc xin.\n", 50))), ErrNotAudio, "MP3, WAV"},
		{"png image", generate(t, dir, "logo.png", "color=c=red:s=32x32", "-frames:v", "1"), ErrNotAudio, "png"},
		{"video without audio", generate(t, dir, "silent.mp4", "testsrc=d=2:s=64x64", "-c:v", "mpeg4"), ErrNotAudio, "video without an audio track"},
		// Playlists and concat scripts would make ffmpeg open other files.
		{"hls playlist", write("list.m3u8", []byte("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"+mp3+"\n#EXT-X-ENDLIST\n")), ErrNotAudio, "not"},
		{"concat script", write("concat.mp3", []byte("ffconcat version 1.0\nfile '"+mp3+"'\n")), ErrNotAudio, "not"},
		{"empty file", write("empty.wav", nil), ErrEmpty, "0 bytes"},
		{"wav header only", write("header.wav", wavHeaderOnly), ErrEmpty, "no decodable sound"},
		{"wav cut inside header", cut("cut-header.wav", wav, func(int) int { return 40 }), ErrCorrupt, "WAV"},
		{"truncated mp3", cut("half.mp3", mp3, func(n int) int { return n / 2 }), ErrCorrupt, "truncated"},
		{"truncated wav odd", cut("half-odd.wav", wav, func(n int) int { return n/2 | 1 }), ErrCorrupt, "truncated"},
		{"truncated wav even", cut("half-even.wav", wav, func(n int) int { return n / 2 &^ 1 }), ErrCorrupt, "truncated"},
		// A 12.2 kbit/s frame (type 7, 31 bytes) that stops after 10 bytes.
		{"truncated amr", write("cut.amr", append(append([]byte{}, amr...), append([]byte{7 << 3}, make([]byte, 10)...)...)), ErrCorrupt, "truncated"},
		{"garbage after amr header", write("junk.amr", append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x4c, 0xff, 0x13}, 300)...)), ErrCorrupt, "frame type"},
		{"too short", generate(t, dir, "blip.wav", "sine=d=0.3"), ErrEmpty, "minimum"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Probe(testContext(t), tc.path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var me *Error
			if !errors.As(err, &me) || me.Hint == "" {
				t.Errorf("err %v is not an *Error with a hint", err)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("message %q does not mention %q", err, tc.text)
			}
		})
	}
}

func TestProbeLimits(t *testing.T) {
	dir := t.TempDir()
	p := newTestProcessor(t, Config{MaxDuration: 3 * time.Second, MinDuration: 100 * time.Millisecond, MaxFileSize: 200_000})
	ctx := testContext(t)
	src := speechSource(5, "0.3")

	long := generate(t, dir, "long.mp3", src, "-c:a", "libmp3lame", "-b:a", "64k")
	if _, err := p.Probe(ctx, long); !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("5 s MP3 with a 3 s limit: err = %v, want ErrTooLong", err)
	}
	// No duration in the header: the decode pass must catch it.
	live := generate(t, dir, "long.webm", src, "-c:a", "libopus", "-live", "1")
	if _, err := p.Probe(ctx, live); !errors.Is(err, ErrTooLong) {
		t.Errorf("5 s WebM without duration: err = %v, want ErrTooLong", err)
	}
	if _, err := p.Normalize(ctx, live, filepath.Join(dir, "out.mp3"), NormalizeOptions{}); !errors.Is(err, ErrTooLong) {
		t.Errorf("Normalize 5 s WebM: err = %v, want ErrTooLong", err)
	}
	big := generate(t, dir, "big.wav", src) // ~440 kB
	if _, err := p.Probe(ctx, big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("440 kB WAV with a 200 kB limit: err = %v, want ErrTooLarge", err)
	}
	ok := generate(t, dir, "ok.mp3", speechSource(2, "0.3"), "-c:a", "libmp3lame", "-b:a", "64k")
	if info, err := p.Probe(ctx, ok); err != nil || info.Duration < 1900*time.Millisecond {
		t.Errorf("2 s MP3: %+v, %v", info, err)
	}
}

func TestLoudnessMeasuresKnownTone(t *testing.T) {
	p := newTestProcessor(t, Config{})
	// A 997 Hz sine at -20 dBFS (amplitude 0.1) on one channel measures
	// -23.0 LUFS (BS.1770: -20 - 3.01 + 0.69 - 0.691) and -20 dBTP.
	in := generate(t, t.TempDir(), "tone.wav", "aevalsrc=0.1*sin(2*PI*997*t):s=48000:d=10", "-c:a", "pcm_f32le")
	lufs, tp, err := p.Loudness(testContext(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lufs-(-23.0)) > 0.2 || math.Abs(tp-(-20.0)) > 0.2 {
		t.Errorf("Loudness = %.1f LUFS %.1f dBTP, want -23.0 / -20.0", lufs, tp)
	}
}

// wavHeaderOnly is a complete 44-byte WAV header announcing no samples.
var wavHeaderOnly = []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00data\x00\x00\x00\x00")

// endless is a never-ending upload that counts what was read from it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0x55
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestIngest(t *testing.T) {
	tmp := t.TempDir()
	p := newTestProcessor(t, Config{TempDir: tmp})
	src := generate(t, t.TempDir(), "upload.m4a", speechSource(5, "0.2"), "-c:a", "aac")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ing, err := p.Ingest(testContext(t), bytes.NewReader(data), 10<<20)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	defer ing.Remove()
	sum := sha256.Sum256(data)
	if ing.OriginalSHA256 != hex.EncodeToString(sum[:]) || ing.OriginalSize != int64(len(data)) {
		t.Errorf("original hash/size = %s/%d, want %x/%d", ing.OriginalSHA256, ing.OriginalSize, sum, len(data))
	}
	orig, err := os.ReadFile(ing.OriginalPath)
	if err != nil || !bytes.Equal(orig, data) {
		t.Errorf("original file differs from the upload (%v)", err)
	}
	norm, err := os.ReadFile(ing.NormalizedPath)
	if err != nil {
		t.Fatal(err)
	}
	nsum := sha256.Sum256(norm)
	if ing.NormalizedSHA256 != hex.EncodeToString(nsum[:]) || ing.NormalizedSize != int64(len(norm)) {
		t.Errorf("normalised hash/size mismatch")
	}
	if ing.Original.Codec != "aac" || ing.Normalized.Info.Codec != "mp3" {
		t.Errorf("infos: %+v / %+v", ing.Original, ing.Normalized.Info)
	}
	checkDeviceFormat(t, p, ing.Normalized, ing.NormalizedPath, DefaultBitrateKbps)
	if err := ing.Remove(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)
}

func TestIngestRefusesOversizeStreamWithoutReadingIt(t *testing.T) {
	tmp := t.TempDir()
	p := newTestProcessor(t, Config{TempDir: tmp})
	// Stands for a 2 GB upload: it never ends.
	up := &endless{}
	const limit = 1 << 20
	_, err := p.Ingest(testContext(t), up, limit)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1048576 bytes") {
		t.Fatalf("err = %v, want ErrTooLarge naming the limit", err)
	}
	if up.read > limit+64<<10 {
		t.Errorf("read %d bytes of the stream, want about the %d byte limit", up.read, limit)
	}
	assertEmptyDir(t, tmp)

	// A refused (non-audio) upload leaves nothing behind either.
	_, err = p.Ingest(testContext(t), strings.NewReader("<html>not audio</html>"), 0)
	if !errors.Is(err, ErrNotAudio) {
		t.Fatalf("html upload: err = %v, want ErrNotAudio", err)
	}
	assertEmptyDir(t, tmp)
	if _, err := p.Ingest(testContext(t), strings.NewReader(""), 0); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty upload: err = %v, want ErrEmpty", err)
	}
}

func TestNormalizeReader(t *testing.T) {
	p := newTestProcessor(t, Config{})
	dir := t.TempDir()
	src := generate(t, dir, "in.flac", speechSource(4, "0.3"))
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := filepath.Join(dir, "out.mp3")
	res, err := p.NormalizeReader(testContext(t), f, 0, out, NormalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkDeviceFormat(t, p, res, out, DefaultBitrateKbps)
	if _, err := p.NormalizeReader(testContext(t), io.LimitReader(&endless{}, 5000), 4000, out, NormalizeOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temporary directory: %s", e.Name())
	}
}

func TestMissingToolNamesDebianPackage(t *testing.T) {
	_, err := New(Config{FFmpegPath: "/nonexistent/ffmpeg"})
	if !errors.Is(err, ErrToolMissing) || !strings.Contains(err.Error(), `Debian package "ffmpeg"`) {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkNormalize normalises a 60 s clip: a synthetic voice-like
// signal that needs only a gain, and espeak-ng speech whose peaks need the
// limiter passes.
func BenchmarkNormalize(b *testing.B) {
	p := newTestProcessor(b, Config{})
	dir := b.TempDir()
	inputs := []struct{ name, path string }{
		{"60s-plain", generate(b, dir, "in.mp3", speechSource(60, "0.3"), "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k")},
	}
	if _, err := LookTool("", "espeak-ng", "espeak-ng"); err == nil {
		speech := espeakWAV(b, dir, strings.Repeat("Ủy ban nhân dân xã thông báo lịch tiêm vắc xin phòng Covid mười chín cho người dân trong xã. ", 12))
		clip := filepath.Join(dir, "speech60.mp3")
		cmd := exec.Command(requireTool(b, "ffmpeg", "ffmpeg"), "-v", "error", "-i", speech, "-t", "60", "-c:a", "libmp3lame", clip)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("cut speech: %v\n%s", err, out)
		}
		inputs = append(inputs, struct{ name, path string }{"60s-espeak-limited", clip})
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "out.mp3")
			ctx := testContext(b)
			var res Result
			for b.Loop() {
				var err error
				if res, err = p.Normalize(ctx, in.path, out, NormalizeOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.Input.Duration.Seconds()/(b.Elapsed().Seconds()/float64(b.N)), "x-realtime")
		})
	}
}

// A synthesised bulletin is normalised like any recording.
func TestNormalizeSynthesizedBulletin(t *testing.T) {
	p := newTestProcessor(t, Config{})
	eng, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		if errors.Is(err, tts.ErrToolMissing) && os.Getenv("CI") != "true" {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
	cache, err := tts.NewCached(eng, eng.ID(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	text := "Thường trực UBND xã đề nghị bà con thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin”."
	audio, format, err := cache.Synthesize(ctx, tts.Request{Text: text, Voice: tts.VoiceSouth})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "bulletin."+format)
	if err := os.WriteFile(in, audio, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bulletin.mp3")
	res, err := p.Normalize(ctx, in, out, NormalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Input.Duration < 4*time.Second {
		t.Errorf("bulletin lasts %v", res.Input.Duration)
	}
	checkDeviceFormat(t, p, res, out, DefaultBitrateKbps)
}
