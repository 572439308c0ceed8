package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDoctorMissingFFmpeg: with a PATH lacking ffmpeg, loa doctor says so
// in Vietnamese and English, names the Debian package, and exits non-zero;
// an unreachable SMTP server fails too.
func TestDoctorMissingFFmpeg(t *testing.T) {
	bin := t.TempDir()
	// espeak-ng stays reachable when installed: only ffmpeg is missing.
	if p, err := exec.LookPath("espeak-ng"); err == nil {
		if err := os.Symlink(p, filepath.Join(bin, "espeak-ng")); err != nil {
			t.Fatal(err)
		}
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := closed.Addr().String()
	closed.Close()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "PATH" {
			return bin
		}
		return ""
	}}
	code := Main(context.Background(), env, []string{"doctor", "--data", t.TempDir(), "--ntp-server", "", "--smtp-addr", smtpAddr})
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"[LỖI/FAIL]", "không tìm thấy ffmpeg trong PATH", "ffmpeg not found in PATH", "apt-get install ffmpeg",
		"ffprobe not found in PATH", "SMTP server " + smtpAddr + " unreachable",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errb.String(), "required check(s) failed") {
		t.Errorf("stderr: %q", errb.String())
	}
}

// TestDoctorClock: the clock check reads an NTP answer and warns when the
// clock is off by more than two seconds.
func TestDoctorClock(t *testing.T) {
	for _, c := range []struct {
		skew time.Duration
		want doctorLevel
	}{{0, levelOK}, {time.Hour, levelWarn}} {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			buf := make([]byte, 48)
			_ = pc.SetDeadline(time.Now().Add(10 * time.Second))
			_, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			resp := make([]byte, 48)
			resp[0] = 0x24 // version 4, server
			now := time.Now().Add(c.skew)
			sec := uint32(now.Unix() + 2208988800)
			frac := uint32(uint64(now.Nanosecond()) << 32 / 1e9)
			for _, off := range []int{32, 40} {
				binary.BigEndian.PutUint32(resp[off:], sec)
				binary.BigEndian.PutUint32(resp[off+4:], frac)
			}
			_, _ = pc.WriteTo(resp, addr)
		}()
		d := &doctor{ntpServer: pc.LocalAddr().String()}
		d.clock(context.Background())
		pc.Close()
		if len(d.out) != 1 || d.out[0].level != c.want {
			t.Fatalf("skew %s: %+v, want level %d", c.skew, d.out, c.want)
		}
	}
}
