package media

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Normalisation modes reported in Result.Mode.
const (
	// ModeLinear: one constant gain computed by loudnorm from the first
	// pass; the waveform is otherwise untouched.
	ModeLinear = "linear"
	// ModeDynamic: loudnorm's dynamic mode, used when a constant gain would
	// push peaks over the ceiling or the loudness range exceeds 11 LU; it
	// compresses slightly and limits true peaks.
	ModeDynamic = "dynamic"
	// ModeGain: clips shorter than shortClip get a constant gain towards
	// the target, capped so that the true peak stays under the ceiling
	// (see package documentation).
	ModeGain = "gain"
)

// shortClip is the length below which loudnorm is not used for the second
// pass: its dynamic mode needs a 3 s look-ahead window.
const shortClip = 3 * time.Second

// mp3Headroom (dB) is kept between the loudnorm/gain ceiling and the
// requested true-peak ceiling, because MP3 encoding raises true peaks
// slightly (inter-sample overshoot of the decoded signal).
const mp3Headroom = 0.5

// Measurement is an EBU R128 measurement.
type Measurement struct {
	IntegratedLUFS float64 // integrated loudness (LUFS); -Inf for silence
	TruePeakDBTP   float64 // maximum true peak (dBTP); -Inf for silence
	RangeLU        float64 // loudness range (LU)
}

// Result describes a normalised file.
type Result struct {
	Info           Info        // the normalised MP3, as written
	Input          Info        // the validated input
	InputLoudness  Measurement // measured by the first loudnorm pass (after the mono downmix)
	OutputLoudness Measurement // measured on the written MP3 with the ebur128 filter
	Mode           string      // ModeLinear, ModeDynamic or ModeGain
	Limited        bool        // peaks were limited before the loudness gain
}

// loudnormReport holds the JSON printed by loudnorm with print_format=json.
type loudnormReport struct {
	InputI        string `json:"input_i"`
	InputTP       string `json:"input_tp"`
	InputLRA      string `json:"input_lra"`
	InputThresh   string `json:"input_thresh"`
	OutputI       string `json:"output_i"`
	Normalization string `json:"normalization_type"`
	TargetOffset  string `json:"target_offset"`
}

type loudnormValues struct {
	i, tp, lra, thresh, offset float64
}

func parseLoudnorm(lines []string) (loudnormValues, error) {
	if len(lines) == 0 {
		return loudnormValues{}, fmt.Errorf("loudnorm printed no measurement")
	}
	var r loudnormReport
	if err := json.Unmarshal([]byte("{"+strings.Join(lines, "\n")), &r); err != nil {
		return loudnormValues{}, fmt.Errorf("parse loudnorm measurement: %w", err)
	}
	var v loudnormValues
	for _, f := range []struct {
		s   string
		dst *float64
	}{{r.InputI, &v.i}, {r.InputTP, &v.tp}, {r.InputLRA, &v.lra}, {r.InputThresh, &v.thresh}, {r.TargetOffset, &v.offset}} {
		x, err := strconv.ParseFloat(strings.TrimSpace(f.s), 64)
		if err != nil {
			return loudnormValues{}, fmt.Errorf("parse loudnorm measurement %q: %w", f.s, err)
		}
		*f.dst = x
	}
	return v, nil
}

// Normalize validates in (exactly as Probe does) and writes out in the
// device format: MP3 (libmp3lame), mono, 44.1 kHz, constant bitrate
// (default 96 kbps), integrated loudness at the target (default -16 LUFS)
// and true peak at most the ceiling (default -1.5 dBTP). Loudness is
// normalised with ffmpeg's loudnorm filter in two passes: the first pass
// (which is also the validating decode) measures, the second applies the
// measured values with linear=true; see the Mode* constants. out is
// written atomically (temporary file in the same directory, then rename);
// on error nothing is left behind. The output is measured again and its
// loudness reported in Result.OutputLoudness.
func (p *Processor) Normalize(ctx context.Context, in, out string, opt NormalizeOptions) (Result, error) {
	opt, err := resolveOptions(opt, p.output)
	if err != nil {
		return Result{}, fmt.Errorf("normalize audio: options: %w", err)
	}
	info, meta, err := p.inspect(ctx, in)
	if err != nil {
		return Result{}, err
	}
	ceiling := opt.MaxTruePeak - mp3Headroom
	dec, err := p.decode(ctx, in, info, meta, baseFilter+","+loudnormMeasure(opt.TargetLUFS, ceiling))
	if err != nil {
		return Result{}, err
	}
	if err := p.validateDecode(in, &info, meta, dec); err != nil {
		return Result{}, err
	}
	m, err := parseLoudnorm(dec.loudnormRaw)
	if err != nil {
		return Result{}, fmt.Errorf("normalize audio %q: %w", in, err)
	}
	if math.IsInf(m.i, -1) || math.IsNaN(m.i) || m.i < -70 || math.IsInf(m.tp, -1) {
		return Result{}, &Error{Kind: ErrEmpty, Path: in, Reason: "it contains only silence", Hint: hintRecording}
	}
	res := Result{
		Input:         info,
		InputLoudness: Measurement{IntegratedLUFS: m.i, TruePeakDBTP: m.tp, RangeLU: m.lra},
	}

	// Peaks too high above the loudness for a plain gain: condition the
	// signal with a gain and a true-peak limiter first, re-measuring until
	// the limited signal sits at the target.
	prefix := baseFilter
	if m.tp-m.i > ceiling-opt.TargetLUFS {
		res.Limited = true
		gain := opt.TargetLUFS - m.i
		maxGain := gain + maxLimiting
		var prevGain, prevI float64
		for round := range maxLimiterRounds {
			prefix = limiterFilter(gain, ceiling-limiterMargin)
			dec, err := p.decode(ctx, in, info, meta, prefix+","+loudnormMeasure(opt.TargetLUFS, ceiling))
			if err != nil {
				return Result{}, err
			}
			if dec.failed != nil {
				return Result{}, fmt.Errorf("normalize audio %q: limiter pass: %w (ffmpeg: %s)", in, dec.failed, excerpt(dec.errLines))
			}
			if m, err = parseLoudnorm(dec.loudnormRaw); err != nil {
				return Result{}, fmt.Errorf("normalize audio %q: limiter pass: %w", in, err)
			}
			miss := opt.TargetLUFS - m.i
			p.log.Debug("media: limiter round", "path", in, "round", round+1, "gain", gain, "lufs", m.i, "tp", m.tp)
			if math.Abs(miss) <= limiterMargin {
				break
			}
			// Limiting swallows part of any added gain: estimate how much
			// loudness one dB of gain buys (about half at first) and aim
			// with that (secant method).
			slope := 0.5
			if round > 0 && gain != prevGain {
				slope = max(0.2, min(1, (m.i-prevI)/(gain-prevGain)))
			}
			prevGain, prevI = gain, m.i
			gain = min(gain+miss/slope, maxGain)
		}
	}

	short := info.Duration < shortClip
	if short {
		res.Mode = ModeGain
	}
	filterFor := func(shift float64) string {
		if short {
			return fmt.Sprintf("%s,volume=%.2fdB,aresample=%d", prefix,
				min(opt.TargetLUFS-m.i, ceiling-m.tp)+shift, OutputSampleRate)
		}
		return fmt.Sprintf("%s,%s,aresample=%d", prefix,
			loudnormApply(m, opt.TargetLUFS+shift, ceiling+max(0, shift)), OutputSampleRate)
	}

	dir := filepath.Dir(out)
	best, err := p.attempt(ctx, in, dir, info, meta.stream, filterFor(0), opt.BitrateKbps)
	if err != nil {
		return Result{}, err
	}
	defer func() { os.Remove(best.path) }() // no-op once renamed
	// MP3 encoding and loudnorm's dynamic mode can miss the target a
	// little: correct once, within the remaining true-peak room.
	miss := opt.TargetLUFS - best.lufs
	if math.Abs(miss) > correctionThreshold || best.tp > opt.MaxTruePeak {
		shift := min(miss, opt.MaxTruePeak-best.tp-0.1)
		if math.Abs(shift) >= 0.1 {
			retry, err := p.attempt(ctx, in, dir, info, meta.stream, filterFor(shift), opt.BitrateKbps)
			if err != nil {
				return Result{}, err
			}
			better := math.Abs(opt.TargetLUFS-retry.lufs) < math.Abs(miss) || best.tp > opt.MaxTruePeak
			if better && retry.tp <= opt.MaxTruePeak {
				os.Remove(best.path)
				best = retry
			} else {
				os.Remove(retry.path)
			}
		}
	}
	if !short {
		if best.mode == "" {
			return Result{}, fmt.Errorf("normalize audio %q: loudnorm printed no report for the second pass", in)
		}
		res.Mode = best.mode
	}
	if math.Abs(opt.TargetLUFS-best.lufs) > LoudnessTolerance || best.tp > opt.MaxTruePeak {
		return Result{}, &Error{Kind: ErrLoudness, Path: in,
			Reason: fmt.Sprintf("it reaches %.1f LUFS at %.1f dBTP, outside the target %.1f±%.0f LUFS with peaks at most %.1f dBTP (input %.1f LUFS, %.1f dBTP)",
				best.lufs, best.tp, opt.TargetLUFS, LoudnessTolerance, opt.MaxTruePeak, res.InputLoudness.IntegratedLUFS, res.InputLoudness.TruePeakDBTP),
			Hint: "the sound is mostly short loud peaks (clicks, beeps) or very short: record the bulletin again speaking steadily, or upload a longer clip"}
	}
	if err := os.Rename(best.path, out); err != nil {
		return Result{}, fmt.Errorf("normalize audio: move output into place: %w", err)
	}
	outInfo, outMeta, err := p.inspect(ctx, out)
	if err != nil {
		os.Remove(out)
		return Result{}, fmt.Errorf("normalize audio %q: check written file: %w", in, err)
	}
	outInfo.Duration = outMeta.declared
	res.Info = outInfo
	res.OutputLoudness = Measurement{IntegratedLUFS: best.lufs, TruePeakDBTP: best.tp}
	p.log.Debug("media: normalised", "in", in, "mode", res.Mode, "limited", res.Limited,
		"input_lufs", res.InputLoudness.IntegratedLUFS, "input_tp", res.InputLoudness.TruePeakDBTP,
		"output_lufs", best.lufs, "output_tp", best.tp)
	return res, nil
}

// correctionThreshold (LU) is the miss after which the encode is redone
// with a corrected target.
const correctionThreshold = 0.5

// encoded is one encode of the second pass, measured.
type encoded struct {
	path     string
	mode     string // loudnorm's normalization_type, "" without loudnorm
	lufs, tp float64
}

// attempt encodes into a new temporary file in dir and measures it.
func (p *Processor) attempt(ctx context.Context, in, dir string, info Info, stream int, filter string, kbps int) (encoded, error) {
	tmp, err := os.CreateTemp(dir, ".normalize-*.mp3")
	if err != nil {
		return encoded{}, fmt.Errorf("normalize audio: create output: %w", err)
	}
	e := encoded{path: tmp.Name()}
	tmp.Close()
	if e.mode, err = p.encode(ctx, in, e.path, info, stream, filter, kbps); err == nil {
		e.lufs, e.tp, err = p.Loudness(ctx, e.path)
	}
	if err != nil {
		os.Remove(e.path)
		return encoded{}, err
	}
	return e, nil
}

// baseFilter downmixes to mono before anything is measured, so that the
// measurements describe the signal that is encoded.
const baseFilter = "aformat=sample_fmts=dbl:channel_layouts=mono"

// Limiter settings (see Normalize).
const (
	maxLimiterRounds = 3
	limiterMargin    = 0.5  // dB under the ceiling; also the accepted miss of a limiter round
	maxLimiting      = 12.0 // dB of extra gain the limiter may be pushed by
)

// limiterFilter applies gain and then limits peaks, at 192 kHz so that
// sample peaks approximate true peaks (loudnorm works at 192 kHz anyway).
func limiterFilter(gain, limitDB float64) string {
	return fmt.Sprintf("%s,volume=%.2fdB,aresample=192000,alimiter=limit=%.4f:attack=5:release=80:level=false:latency=true",
		baseFilter, gain, math.Pow(10, limitDB/20))
}

// loudnormMeasure is a first-pass loudnorm that only reports.
func loudnormMeasure(target, ceiling float64) string {
	return fmt.Sprintf("loudnorm=I=%.1f:TP=%.1f:LRA=%.1f:print_format=json", target, ceiling, DefaultLoudnessRange)
}

// loudnormApply builds the second-pass filter from the first-pass values.
func loudnormApply(m loudnormValues, target, ceiling float64) string {
	pre := ""
	// loudnorm accepts measured_I only up to 0 LUFS: attenuate very loud
	// input first and shift the measurements accordingly.
	if m.i > -10 {
		const shift = 10.0
		pre = fmt.Sprintf("volume=-%.0fdB,", shift)
		m.i -= shift
		m.tp -= shift
		m.thresh -= shift
	}
	// loudnorm treats measured_LRA=0 as "not measured" and then refuses
	// linear mode; a steady signal (tone, hum) really measures 0 LU.
	lra := max(m.lra, 0.01)
	clamp := func(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
	return fmt.Sprintf("%sloudnorm=I=%.1f:TP=%.1f:LRA=%.1f:"+
		"measured_I=%.2f:measured_TP=%.2f:measured_LRA=%.2f:measured_thresh=%.2f:offset=%.2f:linear=true:print_format=json",
		pre, target, ceiling, DefaultLoudnessRange,
		clamp(m.i, -99, -0.01), clamp(m.tp, -99, 99), clamp(lra, 0.01, 99), clamp(m.thresh, -99, -0.01), clamp(m.offset, -99, 99))
}

// encode runs the second pass into dst (overwritten). It returns the
// normalization type reported by loudnorm ("linear" or "dynamic"), or ""
// when the filter has no loudnorm.
func (p *Processor) encode(ctx context.Context, in, dst string, info Info, stream int, filter string, kbps int) (string, error) {
	var (
		errLines []string
		mode     string
	)
	lw := &lineWriter{fn: func(line string) {
		ll := parseLogLine(line)
		if isErrorLevel(ll.level) && len(errLines) < 100 &&
			!(strings.HasPrefix(info.Codec, "amr") && containsAny(ll.text, benignAMRErrors)) {
			errLines = append(errLines, ll.text)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(ll.text), `"normalization_type" : "`); ok && ll.level == "" {
			mode = strings.TrimRight(v, `",`)
		}
	}}
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "repeat+level+info", "-y"}
	args = append(args, inputArgs(in)...)
	args = append(args,
		"-map", "0:"+strconv.Itoa(stream),
		"-af", filter,
		"-c:a", "libmp3lame", "-b:a", strconv.Itoa(kbps)+"k",
		"-ar", strconv.Itoa(OutputSampleRate), "-ac", strconv.Itoa(OutputChannels),
		"-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0",
		"-fflags", "+bitexact", "-flags", "+bitexact",
		"-f", "mp3", fileURL(dst))
	err := run(ctx, p.ffmpeg, args, nil, lw)
	lw.Flush()
	if err != nil {
		return "", fmt.Errorf("normalize audio %q: encode MP3: %w (ffmpeg: %s)", in, err, excerpt(errLines))
	}
	if len(errLines) > 0 {
		return "", fmt.Errorf("normalize audio %q: encode MP3: ffmpeg reported: %s", in, excerpt(errLines))
	}
	return mode, nil
}

// NormalizeReader spools r (at most maxBytes; <= 0 means the configured
// MaxFileSize) to a temporary file, normalises it into out and removes the
// temporary file. An over-long stream is refused with ErrTooLarge as soon
// as the limit is passed, without reading the rest.
func (p *Processor) NormalizeReader(ctx context.Context, r io.Reader, maxBytes int64, out string, opt NormalizeOptions) (Result, error) {
	sp, err := p.spool(ctx, r, maxBytes)
	if err != nil {
		return Result{}, err
	}
	defer os.Remove(sp.path)
	return p.Normalize(ctx, sp.path, out, opt)
}
