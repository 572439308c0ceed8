package cli

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
)

// Open connections of `loa serve`: every connected device holds one (its
// push channel), and a cold start of thousands of devices opens their
// first fetches and heartbeats on top at once. A process that runs out of
// file descriptors refuses connections (accept: too many open files) and
// fails whatever else needs one (the database, a media file); instead the
// server admits at most its descriptor limit minus a reserve, and the
// connections beyond wait in the kernel's listen queue (and the clients'
// connection retries) until a slot frees. Under pressure the answers of
// ordinary requests close their connection, so a slot frees as soon as a
// fetch is answered rather than when the device's keep-alive ends.
const (
	// connReserve is kept free for everything but client connections
	// (database files and connections, media files, the debug listener).
	connReserve = 256
	// connPressure is the share of the limit above which answers close
	// their connection.
	connPressure = 0.8
)

// connLimiter is a listener admitting at most max connections at once.
type connLimiter struct {
	net.Listener
	slots  chan struct{}
	max    int
	open   atomic.Int64
	closed chan struct{}
	once   sync.Once
}

// limitConnections wraps ln so that it holds at most limit connections
// (limit <= 0: the process's open-file limit minus connReserve).
func limitConnections(ln net.Listener, limit int) *connLimiter {
	if limit <= 0 {
		limit = fileLimit() - connReserve
	}
	limit = max(limit, 64)
	return &connLimiter{Listener: ln, slots: make(chan struct{}, limit), max: limit, closed: make(chan struct{})}
}

// fileLimit is the soft limit of open files (Go raises it to the hard
// limit at start); 4096 when unknown.
func fileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 || rl.Cur > 1<<24 {
		return 4096
	}
	return int(rl.Cur)
}

// Accept waits for a free slot, then for a connection.
func (l *connLimiter) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	l.open.Add(1)
	return &limitedConn{Conn: c, l: l}, nil
}

// Close closes the listener; an Accept waiting for a slot returns.
func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// Pressed reports whether the open connections are above connPressure
// of the limit.
func (l *connLimiter) Pressed() bool {
	return float64(l.open.Load()) > connPressure*float64(l.max)
}

// Open returns the number of connections held and the limit.
func (l *connLimiter) Open() (open, max int) { return int(l.open.Load()), l.max }

// limitedConn frees its slot when closed (also when taken over by a
// handler: the push channel's hijacked connection).
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		<-c.l.slots
	})
	return err
}

// closeUnderPressure makes answers close their connection while the
// limiter is above its pressure mark. The push channel takes its
// connection over and is not affected.
func closeUnderPressure(l *connLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.Pressed() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
