package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

var channelRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// DefaultPGChannel is the PostgreSQL channel Loa's replicas talk on.
const DefaultPGChannel = "loa_broadcast"

// NoticeResync is delivered by a notifier after it lost and regained its
// connection: notices may have been missed, so recent emergencies are
// delivered again (devices ignore items they already played).
const NoticeResync = "resync"

// PGNotifier carries notices between replicas sharing one PostgreSQL
// database with LISTEN/NOTIFY. One connection listens (reconnecting with
// backoff); publishing uses a small pool.
type PGNotifier struct {
	pool    *pgxpool.Pool
	channel string
	log     *slog.Logger

	mu   sync.Mutex
	subs []chan Notice
	once sync.Once
	stop context.CancelFunc
	wg   sync.WaitGroup
	// ready is closed once the first LISTEN is in place.
	ready chan struct{}
}

// NewPGNotifier connects to the database at dsn (a postgres:// URL) and
// starts listening on channel ("" for DefaultPGChannel). It returns once
// LISTEN is in place, so that no notice published after it is missed.
func NewPGNotifier(ctx context.Context, dsn, channel string, log *slog.Logger) (*PGNotifier, error) {
	if channel == "" {
		channel = DefaultPGChannel
	}
	if !channelRe.MatchString(channel) {
		return nil, fmt.Errorf("notifier: channel %q: use lower-case letters, digits and '_' (at most 63), starting with a letter", channel)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("notifier: parse database URL: %w", err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("notifier: connect: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	n := &PGNotifier{pool: pool, channel: channel, log: log, stop: cancel, ready: make(chan struct{})}
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.listen(lctx) }()
	select {
	case <-n.ready:
		return n, nil
	case <-ctx.Done():
		n.Close()
		return nil, fmt.Errorf("notifier: LISTEN %s: %w", channel, ctx.Err())
	case <-time.After(15 * time.Second):
		n.Close()
		return nil, fmt.Errorf("notifier: LISTEN %s did not succeed within 15 s (is PostgreSQL reachable?)", channel)
	}
}

// Publish sends a notice to every replica (this one included).
func (n *PGNotifier) Publish(ctx context.Context, notice Notice) error {
	payload, err := encodeNotice(notice)
	if err != nil {
		return err
	}
	if _, err := n.pool.Exec(ctx, "SELECT pg_notify($1, $2)", n.channel, payload); err != nil {
		return fmt.Errorf("notifier: NOTIFY %s: %w", n.channel, err)
	}
	return nil
}

// Subscribe returns a channel of notices, closed when ctx ends.
func (n *PGNotifier) Subscribe(ctx context.Context) (<-chan Notice, error) {
	c := make(chan Notice, 1024)
	n.mu.Lock()
	n.subs = append(n.subs, c)
	n.mu.Unlock()
	go func() {
		<-ctx.Done()
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, x := range n.subs {
			if x == c {
				n.subs = append(n.subs[:i], n.subs[i+1:]...)
				close(c)
				return
			}
		}
	}()
	return c, nil
}

func (n *PGNotifier) deliver(notice Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.subs {
		select {
		case c <- notice:
		default:
			n.log.Warn("notifier: subscriber too slow, notice dropped", "kind", notice.Kind, "order", notice.OrderID)
		}
	}
}

func (n *PGNotifier) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := n.listenOnce(ctx, first)
		if ctx.Err() != nil {
			return
		}
		first = false
		n.log.Warn("notifier: listening connection lost; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (n *PGNotifier) listenOnce(ctx context.Context, first bool) error {
	conn, err := n.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN "`+n.channel+`"`); err != nil {
		conn.Conn().Close(context.Background())
		return fmt.Errorf("LISTEN: %w", err)
	}
	if first {
		close(n.ready)
	} else {
		n.deliver(Notice{Kind: NoticeResync})
	}
	for {
		msg, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			// The connection is in an unknown state: close it so that the
			// pool does not hand it out again.
			conn.Conn().Close(context.Background())
			if errors.Is(err, context.Canceled) {
				return err
			}
			return fmt.Errorf("wait for notification: %w", err)
		}
		notice, err := decodeNotice(msg.Payload)
		if err != nil {
			n.log.Warn("notifier: bad notice ignored", "err", err)
			continue
		}
		n.deliver(notice)
	}
}

// Close stops listening and closes the connections.
func (n *PGNotifier) Close() error {
	n.once.Do(func() {
		n.stop()
		n.wg.Wait()
		n.pool.Close()
	})
	return nil
}
