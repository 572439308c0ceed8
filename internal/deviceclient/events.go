package deviceclient

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// Push channel timing.
const (
	// IdleTimeout: a push connection that carried nothing (not even the
	// server's keep-alive comment, every 20 s) for this long is dropped
	// and reopened.
	IdleTimeout = 65 * time.Second
	// MinBackoff and MaxBackoff bound the wait before reconnecting.
	MinBackoff = 500 * time.Millisecond
	MaxBackoff = 30 * time.Second
)

// ErrStreamClosed is returned when the server ends the push channel.
var ErrStreamClosed = errors.New("push channel closed by the server")

// Listen opens the push channel once and calls handle for every event
// until the connection ends (an error) or ctx is cancelled (nil).
// onOpen is called once the server accepted the connection.
func (c *Client) Listen(ctx context.Context, onOpen func(), handle func(protocol.Event)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+c.path(protocol.PathEvents), nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	c.setHeaders(req, true)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("open push channel: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("open push channel: %w", readAPIError(resp))
	}
	if onOpen != nil {
		onOpen()
	}
	// Watchdog: cancel the request when nothing arrives for IdleTimeout.
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	idle := make(chan struct{})
	go func() {
		t := time.NewTicker(IdleTimeout / 4)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if time.Since(time.Unix(0, last.Load())) > IdleTimeout {
					close(idle)
					cancel()
					return
				}
			}
		}
	}()
	err = readSSE(resp.Body, func() { last.Store(time.Now().UnixNano()) }, func(typ string, data []byte) {
		ev, err := decodeEvent(data)
		if err != nil {
			return
		}
		if ev.Type == "" {
			ev.Type = typ
		}
		handle(ev)
	})
	select {
	case <-idle:
		return fmt.Errorf("push channel silent for %s", IdleTimeout)
	default:
	}
	if ctx.Err() != nil {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return ErrStreamClosed
	}
	return fmt.Errorf("push channel: %w", err)
}

// eventJSON decodes push events as leniently as encoding/json does
// (names in any case, invalid UTF-8 replaced, a repeated name's last
// value), with the JSON v2 implementation (github.com/go-json-experiment/json,
// the future encoding/json/v2, already in the module graph): an emergency
// event decodes in less than half the time of encoding/json, with 3
// allocations instead of 16 (BenchmarkDecodeEvent), and it reaches
// thousands of devices at once.
var eventJSON = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// decodeEvent decodes one push event's data. The event owns its strings
// (data is the stream's reused buffer).
func decodeEvent(data []byte) (protocol.Event, error) {
	var ev protocol.Event
	err := jsonv2.Unmarshal(data, &ev, eventJSON)
	return ev, err
}

// Push stream limits (readSSE).
const (
	// sseBufferSize is the read buffer of a push connection: an event is
	// one line of JSON, a few hundred bytes; longer lines are put together
	// from several reads.
	sseBufferSize = 4 << 10
	// maxSSEEvent bounds one event's data.
	maxSSEEvent = 4 << 20
)

// errSSETooLarge: an event's data is over maxSSEEvent.
var errSSETooLarge = errors.New("push event larger than 4 MiB")

// readSSE parses a server-sent event stream. dispatch gets each event's
// type and data; data is only valid until it returns (the buffer is
// reused for the next event).
//
// Every device holds its push connection all day and reads every event
// from it at once (an emergency reaches thousands of them together), so
// a line is read in place: no copy and no allocation per line.
func readSSE(r io.Reader, alive func(), dispatch func(typ string, data []byte)) error {
	br := bufio.NewReaderSize(r, sseBufferSize)
	var typ string
	var data, long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: put together.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(long) > maxSSEEvent {
					return errSSETooLarge
				}
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			return err
		}
		alive()
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if len(data) > 0 {
				dispatch(typ, data)
			}
			typ, data = "", data[:0]
		case line[0] == ':':
		case bytes.HasPrefix(line, []byte("event:")):
			typ = string(bytes.TrimSpace(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			d := bytes.TrimPrefix(line[len("data:"):], []byte(" "))
			if len(data) > 0 {
				data = append(data, '\n')
			}
			if len(data)+len(d) > maxSSEEvent {
				return errSSETooLarge
			}
			data = append(data, d...)
		}
		if cap(long) > 64<<10 {
			long = nil // a rare long line does not stay in memory
		}
		if len(data) == 0 && cap(data) > 64<<10 {
			data = nil // nor a rare large event
		}
	}
}

// ListenLoop keeps the push channel open until ctx ends, reconnecting
// with exponential backoff and jitter. onOpen runs after every
// (re)connection: the device should fetch its schedule then, since events
// may have been missed while it was away. It stops early on an
// authorization error (the credential was revoked).
func (c *Client) ListenLoop(ctx context.Context, onOpen func(), handle func(protocol.Event), onError func(error)) error {
	backoff := MinBackoff
	for ctx.Err() == nil {
		start := time.Now()
		err := c.Listen(ctx, onOpen, handle)
		if ctx.Err() != nil {
			return nil
		}
		if IsUnauthorized(err) {
			return err
		}
		if onError != nil && err != nil {
			onError(err)
		}
		if time.Since(start) > 30*time.Second {
			backoff = MinBackoff
		}
		wait := jitter(backoff)
		if after, busy := Busy(err, 0); busy {
			// The server asked to come back later: not sooner than that.
			wait = max(wait, busyJitter(after))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, MaxBackoff)
	}
	return nil
}

// jitter spreads d by ±20% so that devices do not reconnect in step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
