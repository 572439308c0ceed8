package deviceclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// Player plays one audio file to the end, or until ctx is cancelled
// (then it returns ctx's error).
type Player interface {
	Play(ctx context.Context, path string, item protocol.Item) error
}

// VolumeSetter is implemented by players that control the output volume.
type VolumeSetter interface {
	SetVolume(percent int) error
}

// NullPlayer plays nothing: it waits for the item's duration on its clock
// (simulated devices, and `loa agent --player null`).
type NullPlayer struct {
	Clock Clock
}

// Play waits for the duration of the item.
func (p NullPlayer) Play(ctx context.Context, path string, item protocol.Item) error {
	c := p.Clock
	if c == nil {
		c = SystemClock{}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.After(item.Media.Duration()):
		return nil
	}
}

// CommandPlayer plays through an external program: ffplay (Debian package
// "ffmpeg"), or ffmpeg decoding into aplay (Debian package "alsa-utils").
type CommandPlayer struct {
	// Kind is "ffplay" or "aplay".
	Kind string
	// Device is the ALSA device for aplay ("" for the default).
	Device string

	mu     sync.Mutex
	volume int // 0-100; 100 means unchanged
}

// NewCommandPlayer checks that the programs are installed.
func NewCommandPlayer(kind, device string) (*CommandPlayer, error) {
	var need []string
	switch kind {
	case "ffplay":
		need = []string{"ffplay"}
	case "aplay":
		need = []string{"ffmpeg", "aplay"}
	default:
		return nil, fmt.Errorf("player %q: use ffplay, aplay or null", kind)
	}
	for _, bin := range need {
		if _, err := exec.LookPath(bin); err != nil {
			pkg := "ffmpeg"
			if bin == "aplay" {
				pkg = "alsa-utils"
			}
			return nil, fmt.Errorf("player %s needs %s: install the Debian package %s", kind, bin, pkg)
		}
	}
	return &CommandPlayer{Kind: kind, Device: device, volume: 100}, nil
}

// SetVolume sets the playback volume used from the next item on.
func (p *CommandPlayer) SetVolume(percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("volume %d: use 0-100", percent)
	}
	p.mu.Lock()
	p.volume = percent
	p.mu.Unlock()
	return nil
}

// Play runs the program until the file ends or ctx is cancelled.
func (p *CommandPlayer) Play(ctx context.Context, path string, item protocol.Item) error {
	p.mu.Lock()
	vol := p.volume
	p.mu.Unlock()
	filter := fmt.Sprintf("volume=%.2f", float64(vol)/100)
	var err error
	switch p.Kind {
	case "ffplay":
		cmd := exec.CommandContext(ctx, "ffplay", "-nodisp", "-autoexit", "-loglevel", "error", "-af", filter, path)
		err = runCmd(cmd)
	case "aplay":
		err = p.playAplay(ctx, path, filter)
	default:
		return fmt.Errorf("player %q: use ffplay or aplay", p.Kind)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (p *CommandPlayer) playAplay(ctx context.Context, path, filter string) error {
	dec := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-af", filter, "-f", "wav", "-")
	args := []string{"-q"}
	if p.Device != "" {
		args = append(args, "-D", p.Device)
	}
	play := exec.CommandContext(ctx, "aplay", args...)
	pr, pw := io.Pipe()
	dec.Stdout = pw
	play.Stdin = pr
	var decErr, playErr strings.Builder
	dec.Stderr, play.Stderr = &decErr, &playErr
	if err := play.Start(); err != nil {
		return fmt.Errorf("start aplay: %w", err)
	}
	if err := dec.Start(); err != nil {
		pw.Close()
		play.Wait()
		return fmt.Errorf("start ffmpeg: %w", err)
	}
	errDec := dec.Wait()
	pw.Close()
	errPlay := play.Wait()
	if errDec != nil {
		return fmt.Errorf("ffmpeg: %w: %s", errDec, strings.TrimSpace(decErr.String()))
	}
	if errPlay != nil {
		return fmt.Errorf("aplay: %w: %s", errPlay, strings.TrimSpace(playErr.String()))
	}
	return nil
}

func runCmd(cmd *exec.Cmd) error {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s: %w: %s", cmd.Path, err, strings.TrimSpace(stderr.String()))
		}
		return fmt.Errorf("%s: %w", cmd.Path, err)
	}
	return nil
}
