package media

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"time"
)

// Defaults used when the corresponding Config or NormalizeOptions field is zero.
const (
	DefaultMaxFileSize   int64         = 1 << 30 // 1 GiB
	DefaultMaxDuration   time.Duration = 2 * time.Hour
	DefaultMinDuration   time.Duration = 500 * time.Millisecond
	DefaultBitrateKbps                 = 96
	MinBitrateKbps                     = 64
	MaxBitrateKbps                     = 128
	DefaultTargetLUFS                  = -16.0
	DefaultMaxTruePeak                 = -1.5
	DefaultLoudnessRange               = 11.0

	// OutputSampleRate and OutputChannels describe the device format.
	OutputSampleRate = 44100
	OutputChannels   = 1

	// LoudnessTolerance is the accepted distance (LU) between the
	// integrated loudness of a normalised file and the target.
	LoudnessTolerance = 1.0
)

// Config configures a Processor. The zero value is usable: tools are looked
// up in PATH and every limit takes its default.
type Config struct {
	// FFmpegPath and FFprobePath locate the Debian "ffmpeg" package's
	// binaries; empty means look them up in PATH.
	FFmpegPath  string
	FFprobePath string
	// TempDir holds spooled uploads and intermediate files; empty means
	// os.TempDir().
	TempDir string
	// MaxFileSize bounds the size of any input file (default 1 GiB).
	MaxFileSize int64
	// MaxDuration bounds the duration of any input (default 2 h).
	MaxDuration time.Duration
	// MinDuration is the shortest accepted input (default 0.5 s; loudness
	// cannot be measured on less than 0.4 s).
	MinDuration time.Duration
	// Output holds the default normalisation options used by Ingest and
	// for zero fields of the options passed to Normalize.
	Output NormalizeOptions
	// Logger receives debug information; nil discards it.
	Logger *slog.Logger
}

// NormalizeOptions describes the device format. Zero fields take the
// Processor's Config.Output value, then the package default.
type NormalizeOptions struct {
	BitrateKbps int     // constant MP3 bitrate, 64–128 (default 96)
	TargetLUFS  float64 // integrated loudness target, -30…-5 (default -16)
	MaxTruePeak float64 // true-peak ceiling in dBTP, -9…-0.1 (default -1.5)
}

// Processor validates, measures and converts audio with ffmpeg/ffprobe.
// It is safe for concurrent use.
type Processor struct {
	ffmpeg, ffprobe string
	tempDir         string
	maxFileSize     int64
	maxDuration     time.Duration
	minDuration     time.Duration
	output          NormalizeOptions
	log             *slog.Logger
}

// New checks the configuration and locates ffmpeg and ffprobe. A missing
// binary yields an error wrapping ErrToolMissing that names the Debian
// package to install.
func New(cfg Config) (*Processor, error) {
	p := &Processor{
		tempDir:     cfg.TempDir,
		maxFileSize: cfg.MaxFileSize,
		maxDuration: cfg.MaxDuration,
		minDuration: cfg.MinDuration,
		log:         cfg.Logger,
	}
	if p.maxFileSize == 0 {
		p.maxFileSize = DefaultMaxFileSize
	}
	if p.maxDuration == 0 {
		p.maxDuration = DefaultMaxDuration
	}
	if p.minDuration == 0 {
		p.minDuration = DefaultMinDuration
	}
	if p.maxFileSize < 0 || p.maxDuration < 0 || p.minDuration < 0 {
		return nil, errors.New("media config: MaxFileSize, MaxDuration and MinDuration must not be negative")
	}
	if p.minDuration >= p.maxDuration {
		return nil, fmt.Errorf("media config: MinDuration %v must be below MaxDuration %v", p.minDuration, p.maxDuration)
	}
	if p.tempDir == "" {
		p.tempDir = os.TempDir()
	}
	if st, err := os.Stat(p.tempDir); err != nil {
		return nil, fmt.Errorf("media config: temporary directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("media config: temporary directory %q is not a directory", p.tempDir)
	}
	out, err := resolveOptions(cfg.Output, NormalizeOptions{
		BitrateKbps: DefaultBitrateKbps,
		TargetLUFS:  DefaultTargetLUFS,
		MaxTruePeak: DefaultMaxTruePeak,
	})
	if err != nil {
		return nil, fmt.Errorf("media config: Output: %w", err)
	}
	p.output = out
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.ffmpeg, err = LookTool(cfg.FFmpegPath, "ffmpeg", "ffmpeg"); err != nil {
		return nil, err
	}
	if p.ffprobe, err = LookTool(cfg.FFprobePath, "ffprobe", "ffmpeg"); err != nil {
		return nil, err
	}
	return p, nil
}

// LookTool returns the executable to run: configured when non-empty,
// otherwise name looked up in PATH. The error wraps ErrToolMissing and
// names the Debian package that provides the tool.
func LookTool(configured, name, debianPackage string) (string, error) {
	if configured != "" {
		path, err := exec.LookPath(configured)
		if err != nil {
			return "", fmt.Errorf("%w: %s configured as %q cannot be run (%v); install the Debian package %q (apt-get install %s) or fix the configured path",
				ErrToolMissing, name, configured, err, debianPackage, debianPackage)
		}
		return path, nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found in PATH; install the Debian package %q (apt-get install %s) or configure the path to %s",
			ErrToolMissing, name, debianPackage, debianPackage, name)
	}
	return path, nil
}

// resolveOptions fills zero fields of o from def and validates the result.
func resolveOptions(o, def NormalizeOptions) (NormalizeOptions, error) {
	if o.BitrateKbps == 0 {
		o.BitrateKbps = def.BitrateKbps
	}
	if o.TargetLUFS == 0 {
		o.TargetLUFS = def.TargetLUFS
	}
	if o.MaxTruePeak == 0 {
		o.MaxTruePeak = def.MaxTruePeak
	}
	if o.BitrateKbps < MinBitrateKbps || o.BitrateKbps > MaxBitrateKbps {
		return o, fmt.Errorf("bitrate %d kbps is outside %d–%d kbps", o.BitrateKbps, MinBitrateKbps, MaxBitrateKbps)
	}
	if math.IsNaN(o.TargetLUFS) || o.TargetLUFS < -30 || o.TargetLUFS > -5 {
		return o, fmt.Errorf("loudness target %.1f LUFS is outside -30…-5 LUFS", o.TargetLUFS)
	}
	if math.IsNaN(o.MaxTruePeak) || o.MaxTruePeak < -9 || o.MaxTruePeak > -0.1 {
		return o, fmt.Errorf("true-peak ceiling %.1f dBTP is outside -9…-0.1 dBTP", o.MaxTruePeak)
	}
	return o, nil
}
