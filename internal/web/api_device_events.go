package web

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
)

// sseWriteTimeout bounds one write to a push connection: a device that
// stops reading is disconnected instead of holding a goroutine.
const sseWriteTimeout = 15 * time.Second

// events is the push channel: server-sent events, one JSON
// protocol.Event per message, a comment line every sseKeepAlive.
//
// Every connected device holds one open, so what a push connection costs
// bounds how many devices one server carries. On HTTP/1.x the handler takes
// the connection over from net/http (hijack) and serves the stream from
// two fresh goroutines: net/http's per-connection read and write buffers
// and the grown stack of its handler goroutine are released, which is most
// of the memory of an idle device (docs/benchmarks.md). The response is
// the same bytes a streaming handler would send, delimited by the
// connection's end. Other protocols keep an ordinary streaming response.
func (d deviceAPI) events(w http.ResponseWriter, r *http.Request) {
	s := d.s
	da, err := d.auth(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Subscribed before the hello: the hello may queue the device for a
	// call to fetch (a cold start's admission), sent on this subscription.
	sub := d.svc.Subscribe(da)
	hello, err := broadcast.NewFrame(d.svc.Hello(da))
	if err != nil {
		sub.Close()
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	if r.ProtoMajor == 1 {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			head := &bytes.Buffer{}
			head.WriteString("HTTP/1.1 200 OK\r\n")
			h.Del("Content-Length")
			h.Set("Connection", "close")
			if err := h.Write(head); err == nil {
				head.WriteString("\r\n")
				go serveHijackedEvents(conn, sub, append(head.Bytes(), sseMessage(1, hello)...))
				return
			}
			conn.Close()
			sub.Close()
			return
		}
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	seq := 1
	write := func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if write(sseMessage(seq, hello)) != nil {
		return
	}
	pumpEvents(r.Context().Done(), sub, seq, write)
}

// pumpEvents writes the subscription's events (numbered after seq) and a
// keep-alive every sseKeepAlive until done, a write fails, the device lags
// or the hub closes the subscription (shutdown); the device then
// reconnects and refetches.
func pumpEvents(done <-chan struct{}, sub *broadcast.Subscription, seq int, write func([]byte) error) {
	ping := time.NewTicker(sseKeepAlive)
	defer ping.Stop()
	for {
		select {
		case <-done:
			return
		case f, ok := <-sub.C:
			if !ok {
				return
			}
			if sub.Lagged() {
				sub.Delivered()
				return
			}
			seq++
			// The message is built in a pooled buffer: a push to every
			// device writes one message per connection, and 10,000 of
			// them as garbage would bring the next collection forward into
			// the fan-out. The writes copy it out before returning.
			buf := sseBuffers.Get().(*[]byte)
			*buf = appendSSEMessage((*buf)[:0], seq, f)
			err := write(*buf)
			if cap(*buf) <= 64<<10 {
				sseBuffers.Put(buf)
			}
			sub.Delivered()
			if err != nil {
				return
			}
		case <-ping.C:
			if write(ssePing) != nil {
				return
			}
		}
	}
}

// ssePing is the keep-alive comment.
var ssePing = []byte(": ping\n\n")

// sseBuffers holds the buffers push messages are built in (pumpEvents).
var sseBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// sseMessage is the server-sent event of one frame.
func sseMessage(seq int, f *broadcast.Frame) []byte {
	return appendSSEMessage(make([]byte, 0, 32+len(f.Event.Type)+len(f.Data)), seq, f)
}

// appendSSEMessage appends the server-sent event of one frame to b.
func appendSSEMessage(b []byte, seq int, f *broadcast.Frame) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, "\nevent: "...)
	b = append(b, f.Event.Type...)
	b = append(b, "\ndata: "...)
	b = append(b, f.Data...)
	return append(b, "\n\n"...)
}

// serveHijackedEvents writes the response head and hello (first), then the
// subscription's events and keep-alives to a hijacked connection until the
// device closes it, a write fails or times out, the device lags or the hub
// closes the subscription (shutdown).
func serveHijackedEvents(conn net.Conn, sub *broadcast.Subscription, first []byte) {
	defer conn.Close()
	defer sub.Close()
	// net/http's read and write deadlines do not apply to the stream.
	_ = conn.SetDeadline(time.Time{})
	// The device sends nothing more on this connection: the read returns
	// when it closes it (or breaks the protocol), and ends the stream.
	go func() {
		var b [1]byte
		_, _ = conn.Read(b[:])
		sub.Close()
	}()
	write := func(b []byte) error {
		if err := conn.SetWriteDeadline(time.Now().Add(sseWriteTimeout)); err != nil {
			return err
		}
		_, err := conn.Write(b)
		return err
	}
	if write(first) != nil {
		return
	}
	pumpEvents(nil, sub, 1, write)
}
