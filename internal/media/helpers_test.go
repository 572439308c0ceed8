package media

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// requireTool fails (CI=true) or skips the test when an external tool is
// missing, naming the Debian package.
func requireTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := LookTool("", name, debianPackage)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return path
}

// newTestProcessor returns a Processor using a per-test temp dir.
func newTestProcessor(t testing.TB, cfg Config) *Processor {
	t.Helper()
	requireTool(t, "ffmpeg", "ffmpeg")
	requireTool(t, "ffprobe", "ffmpeg")
	if cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// generate writes dir/name from an ffmpeg lavfi source with the given
// output arguments.
func generate(t testing.TB, dir, name, source string, outArgs ...string) string {
	t.Helper()
	ffmpeg := requireTool(t, "ffmpeg", "ffmpeg")
	out := filepath.Join(dir, name)
	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-y"}
	args = append(args, "-f", "lavfi", "-i", source)
	args = append(args, outArgs...)
	args = append(args, out)
	cmd := exec.Command(ffmpeg, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate %s: %v\n%s", name, err, b)
	}
	return out
}

// speechSource is a speech-like test signal: a 220 Hz tone with harmonics,
// amplitude-modulated in syllable-like bursts, so that its loudness range
// is not zero. amp scales the whole signal (1 = up to 0 dBFS).
func speechSource(seconds float64, amp string) string {
	return "aevalsrc=" + amp + "*(0.5*sin(2*PI*220*t)+0.25*sin(2*PI*440*t)+0.12*sin(2*PI*880*t))" +
		"*(0.55+0.45*sin(2*PI*3*t))*(0.6+0.4*sin(2*PI*0.25*t)):s=44100:d=" + ftoa(seconds)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
