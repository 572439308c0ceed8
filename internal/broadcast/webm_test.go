package broadcast

import (
	"bytes"
	"os/exec"
	"testing"
)

func TestWebMScannerFindsClusters(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=5",
		"-c:a", "libopus", "-b:a", "32k", "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	// Fed in small pieces, as chunks arrive.
	var w webmScanner
	clusters := map[int64]bool{}
	for n := 0; n < len(out); n += 700 {
		w.scan(out[:min(n+700, len(out))])
		if _, last, ok := w.joinAt(); ok {
			clusters[last] = true
		}
	}
	he, last, ok := w.joinAt()
	if !ok || w.broken {
		t.Fatalf("no cluster found (broken=%v)", w.broken)
	}
	if len(clusters) < 4 {
		t.Errorf("found %d clusters in 5 s with 1 s clusters, want at least 4", len(clusters))
	}
	for off := range clusters {
		if !bytes.HasPrefix(out[off:], []byte{0x1F, 0x43, 0xB6, 0x75}) {
			t.Errorf("offset %d is not a Cluster", off)
		}
	}
	if !bytes.HasPrefix(out, []byte{0x1A, 0x45, 0xDF, 0xA3}) || he <= 0 || last <= he {
		t.Errorf("header end %d, last cluster %d", he, last)
	}
	// A late listener's stream (header, then from a later cluster on)
	// decodes.
	second := last
	for off := range clusters {
		if off > he && off < second {
			second = off
		}
	}
	late := append(append([]byte{}, out[:he]...), out[second:]...)
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "webm", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "8000", "pipe:1")
	cmd.Stdin = bytes.NewReader(late)
	pcm, err := cmd.Output()
	if err != nil {
		t.Fatalf("decode the late listener's stream: %v", err)
	}
	if secs := float64(len(pcm)) / 16000; secs < 2.5 || secs > 4.5 {
		t.Errorf("late listener decoded %.2f s, want the 5 s stream less its first cluster (1 s)", secs)
	}
	// Not WebM: broken, listeners get everything.
	var b webmScanner
	b.scan([]byte("OggS\x00\x02 not webm at all"))
	if _, _, ok := b.joinAt(); ok || !b.broken {
		t.Errorf("an Ogg stream was taken for WebM")
	}
}
