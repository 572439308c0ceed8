package media

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These tests need no external tool.

func TestParseLogLine(t *testing.T) {
	cases := map[string]logLine{
		"[mp3 @ 0x55d0c] [error] Header missing":                 {level: "error", text: "Header missing"},
		"[error] Error while decoding stream #0:0: Invalid data": {level: "error", text: "Error while decoding stream #0:0: Invalid data"},
		"[Parsed_ebur128_0 @ 0x1] [info] Summary:":               {level: "info", text: "Summary:"},
		"    I:         -16.0 LUFS":                              {text: "    I:         -16.0 LUFS"},
		"{":                                                      {text: "{"},
	}
	for in, want := range cases {
		if got := parseLogLine(in); got != want {
			t.Errorf("parseLogLine(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestLineWriterSplitsAndBounds(t *testing.T) {
	var lines []string
	w := &lineWriter{fn: func(l string) { lines = append(lines, l) }}
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\r\nthree"))
	w.Write([]byte(strings.Repeat("x", 3*maxLineLength) + "\n"))
	w.Flush()
	// "\r\n" yields an empty line, which callers ignore.
	if len(lines) != 4 || lines[0] != "one" || lines[1] != "two" || lines[2] != "" ||
		!strings.HasPrefix(lines[3], "three") || len(lines[3]) != maxLineLength {
		t.Errorf("got %d lines, first three %q", len(lines), lines[:min(3, len(lines))])
	}
	c := &capBuffer{max: 4}
	if n, err := c.Write([]byte("abcdef")); n != 6 || err != nil || c.buf.String() != "abcd" || !c.truncated {
		t.Errorf("capBuffer: %d %v %q %v", n, err, c.buf.String(), c.truncated)
	}
}

func TestParseLoudnorm(t *testing.T) {
	lines := strings.Split(`	"input_i" : "-22.78",
	"input_tp" : "-2.72",
	"input_lra" : "3.40",
	"input_thresh" : "-32.78",
	"output_i" : "-18.21",
	"output_tp" : "+0.50",
	"output_lra" : "3.20",
	"output_thresh" : "-28.21",
	"normalization_type" : "dynamic",
	"target_offset" : "2.21"
}`, "\n")
	v, err := parseLoudnorm(lines)
	if err != nil || v.i != -22.78 || v.tp != -2.72 || v.lra != 3.4 || v.thresh != -32.78 || v.offset != 2.21 {
		t.Errorf("parseLoudnorm = %+v, %v", v, err)
	}
	if _, err := parseLoudnorm(nil); err == nil {
		t.Error("empty report accepted")
	}
	silent := strings.Replace(strings.Join(lines, "\n"), `"-22.78"`, `"-inf"`, 1)
	if v, err := parseLoudnorm(strings.Split(silent, "\n")); err != nil || v.i > -1e300 {
		t.Errorf("-inf: %+v %v", v, err)
	}
}

func TestCheckWAVLength(t *testing.T) {
	dir := t.TempDir()
	mk := func(declared uint32, have int) string {
		b := append([]byte{}, wavHeaderOnly...)
		binary.LittleEndian.PutUint32(b[40:], declared)
		b = append(b, make([]byte, have)...)
		p := filepath.Join(dir, "f.wav")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		declared uint32
		have     int
		bad      bool
	}{
		{88200, 88200, false}, // exact: 1 s
		{88201, 88200, false}, // missing pad byte
		{88200, 44100, true},  // truncated
		{0xffffffff, 100, false},
		{0, 100, false},
	} {
		p := mk(tc.declared, tc.have)
		st, _ := os.Stat(p)
		err := checkWAVLength(p, st.Size())
		if bad := errors.Is(err, ErrCorrupt); bad != tc.bad {
			t.Errorf("declared %d have %d: err = %v", tc.declared, tc.have, err)
		}
		if tc.bad && !strings.Contains(err.Error(), "1.0 s of sound but the file holds only 0.5 s") {
			t.Errorf("message: %v", err)
		}
	}
}

func TestCheckAMR(t *testing.T) {
	dir := t.TempDir()
	write := func(b []byte) string {
		p := filepath.Join(dir, "a.amr")
		os.WriteFile(p, b, 0o600)
		return p
	}
	frame := func(ft byte, n int) []byte { return append([]byte{ft << 3}, make([]byte, n)...) }
	var ok []byte
	ok = append(ok, "#!AMR\n"...)
	ok = append(ok, frame(7, 31)...)
	ok = append(ok, frame(8, 5)...)  // SID
	ok = append(ok, frame(15, 0)...) // no data
	ok = append(ok, frame(0, 12)...)
	st, err := checkAMR(write(ok))
	if err != nil || st.speech != 2 || st.dtx != 2 {
		t.Errorf("checkAMR = %+v, %v", st, err)
	}
	if _, err := checkAMR(write(append(append([]byte{}, ok...), frame(7, 30)...))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("cut frame: %v", err)
	}
	if _, err := checkAMR(write(append(append([]byte{}, ok...), frame(11, 0)...))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("reserved type: %v", err)
	}
	if _, err := checkAMR(write([]byte("#!AMR_MC1.0\n"))); !errors.Is(err, ErrNotAudio) {
		t.Errorf("multichannel: %v", err)
	}
}

func TestErrorMessageAndUnwrap(t *testing.T) {
	cause := errors.New("exit status 1")
	err := error(&Error{Kind: ErrCorrupt, Path: "/tmp/x.mp3", Reason: "truncated", Hint: "upload it again", Err: cause})
	if !errors.Is(err, ErrCorrupt) || !errors.Is(err, cause) || errors.Is(err, ErrNotAudio) {
		t.Errorf("errors.Is broken: %v", err)
	}
	want := `audio file "/tmp/x.mp3": damaged or truncated audio file: truncated; upload it again`
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestResolveOptions(t *testing.T) {
	def := NormalizeOptions{BitrateKbps: 96, TargetLUFS: -16, MaxTruePeak: -1.5}
	if o, err := resolveOptions(NormalizeOptions{}, def); err != nil || o != def {
		t.Errorf("zero options: %+v %v", o, err)
	}
	for _, o := range []NormalizeOptions{{BitrateKbps: 32}, {BitrateKbps: 160}, {TargetLUFS: -40}, {TargetLUFS: 2}, {MaxTruePeak: 1}} {
		if _, err := resolveOptions(o, def); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
