package deviceclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// OpenLive opens the stream of a live broadcast (an item with Stream
// set): WebM/Opus from "now" until the operator stops. The caller closes
// it; cancelling ctx ends it.
func (c *Client) OpenLive(ctx context.Context, orderID int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+c.path(protocol.PathLive, orderID), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	c.setHeaders(req, true)
	req.Header.Set("Accept", "audio/webm")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("open live broadcast %d: %w", orderID, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, fmt.Errorf("open live broadcast %d: %w", orderID, readAPIError(resp))
	}
	return resp.Body, nil
}

// StreamPlayer is implemented by players that play a live stream as it
// arrives (WebM/Opus on r) until r ends or ctx is cancelled.
type StreamPlayer interface {
	PlayStream(ctx context.Context, r io.Reader, item protocol.Item) error
}

// PlayStream consumes the stream at the pace it arrives (simulated
// devices hear nothing but keep the connection as a real device would).
func (p NullPlayer) PlayStream(ctx context.Context, r io.Reader, item protocol.Item) error {
	_, err := io.Copy(io.Discard, r)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// LiveDecodeArgs are ffmpeg's input options for a live stream on stdin:
// no probing delay, no input buffering, so that sound leaves the decoder
// as soon as its packet arrives.
var LiveDecodeArgs = []string{"-nostdin", "-loglevel", "error", "-fflags", "nobuffer", "-flags", "low_delay",
	"-probesize", "32", "-analyzeduration", "0", "-f", "webm", "-i", "pipe:0"}

// PlayStream decodes the stream with ffmpeg as it arrives and plays it
// (ffplay, or aplay fed with WAV).
func (p *CommandPlayer) PlayStream(ctx context.Context, r io.Reader, item protocol.Item) error {
	p.mu.Lock()
	vol := p.volume
	p.mu.Unlock()
	filter := fmt.Sprintf("volume=%.2f", float64(vol)/100)
	var cmds []*exec.Cmd
	switch p.Kind {
	case "ffplay":
		args := []string{"-nodisp", "-autoexit", "-loglevel", "error", "-fflags", "nobuffer", "-flags", "low_delay",
			"-probesize", "32", "-analyzeduration", "0", "-f", "webm", "-af", filter, "-i", "pipe:0"}
		cmd := exec.CommandContext(ctx, "ffplay", args...)
		cmd.Stdin = r
		cmds = append(cmds, cmd)
	case "aplay":
		dec := exec.CommandContext(ctx, "ffmpeg", append(append([]string{}, LiveDecodeArgs...), "-af", filter, "-flush_packets", "1", "-f", "wav", "-")...)
		dec.Stdin = r
		args := []string{"-q"}
		if p.Device != "" {
			args = append(args, "-D", p.Device)
		}
		play := exec.CommandContext(ctx, "aplay", args...)
		pipe, err := dec.StdoutPipe()
		if err != nil {
			return fmt.Errorf("connect ffmpeg to aplay: %w", err)
		}
		play.Stdin = pipe
		cmds = append(cmds, play, dec)
	default:
		return fmt.Errorf("player %q: use ffplay or aplay", p.Kind)
	}
	var stderr strings.Builder
	lw := &lockedWriter{w: &stderr}
	for _, c := range cmds {
		c.Stderr = lw
		if err := c.Start(); err != nil {
			return fmt.Errorf("start %s: %w", c.Path, err)
		}
	}
	var first error
	for i := len(cmds) - 1; i >= 0; i-- {
		if err := cmds[i].Wait(); err != nil && first == nil {
			first = fmt.Errorf("%s: %w: %s", cmds[i].Path, err, strings.TrimSpace(stderr.String()))
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// lockedWriter serialises writes of several processes' stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// playLive plays a live item: it opens the stream and hands it to the
// player; the bytes received are counted in Stats.LiveBytes.
func (a *Agent) playLive(ctx context.Context, it protocol.Item) error {
	sp, ok := a.cfg.Player.(StreamPlayer)
	if !ok {
		return fmt.Errorf("this player cannot play live broadcasts")
	}
	body, err := a.client.OpenLive(ctx, it.OrderID)
	if err != nil {
		return err
	}
	defer body.Close()
	return sp.PlayStream(ctx, &countingReader{r: body, n: &a.Stats.LiveBytes}, it)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
