package broadcast

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// Notice is what replicas tell each other: something happened that the
// devices they hold must hear about. It is small (PostgreSQL NOTIFY
// payloads are limited to 8000 bytes): receivers load the details.
type Notice struct {
	Kind    string  `json:"k"`           // protocol.EventEmergency, EventLive, EventSchedule, EventCommand
	OrderID int64   `json:"o,omitempty"` // emergency, live, schedule
	Devices []int64 `json:"d,omitempty"` // schedule, command: the devices concerned (empty: resolve from the order)
	Command int64   `json:"c,omitempty"` // command id
	// PlaysPending marks the notice of an emergency pushed before its
	// plays are written (its first transaction): no schedule changed yet,
	// so poll caches keep their entries; a NoticeStale follows the plays.
	PlaysPending bool `json:"p,omitempty"`
}

// maxNoticeDevices bounds the device list carried in a notice; larger sets
// are resolved by the receiver from the order.
const maxNoticeDevices = 400

// Notifier carries notices to every replica, this one included. Publish
// returns once the notice is handed over; Subscribe delivers every notice
// published by any replica after the call.
type Notifier interface {
	Publish(ctx context.Context, n Notice) error
	Subscribe(ctx context.Context) (<-chan Notice, error)
	Close() error
}

// LocalNotifier delivers notices within one process (a single server,
// SQLite deployments).
type LocalNotifier struct {
	mu   sync.Mutex
	subs []*localSub
}

// localSub is a subscription: done is closed when it ends. Its channel is
// never closed, so a Publish that read the list before the end cannot
// send on a closed channel; readers stop with their context.
type localSub struct {
	c    chan Notice
	done chan struct{}
}

// NewLocalNotifier returns an in-process notifier.
func NewLocalNotifier() *LocalNotifier { return &LocalNotifier{} }

// Publish hands the notice to every subscriber (waiting while one's
// buffer is full, not for an ended one).
func (l *LocalNotifier) Publish(ctx context.Context, n Notice) error {
	l.mu.Lock()
	subs := append([]*localSub(nil), l.subs...)
	l.mu.Unlock()
	for _, s := range subs {
		select {
		case s.c <- n:
		case <-s.done:
		case <-ctx.Done():
			return fmt.Errorf("publish notice: %w", ctx.Err())
		}
	}
	return nil
}

// Subscribe returns a channel of notices until ctx ends (the channel is
// then left open: stop reading when ctx ends).
func (l *LocalNotifier) Subscribe(ctx context.Context) (<-chan Notice, error) {
	s := &localSub{c: make(chan Notice, 256), done: make(chan struct{})}
	l.mu.Lock()
	l.subs = append(l.subs, s)
	l.mu.Unlock()
	go func() {
		<-ctx.Done()
		close(s.done)
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, x := range l.subs {
			if x == s {
				l.subs = append(l.subs[:i], l.subs[i+1:]...)
				return
			}
		}
	}()
	return s.c, nil
}

// Close does nothing: subscriptions end with their contexts.
func (l *LocalNotifier) Close() error { return nil }

func encodeNotice(n Notice) (string, error) {
	if len(n.Devices) > maxNoticeDevices {
		n.Devices = nil
	}
	b, err := json.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("encode notice: %w", err)
	}
	return string(b), nil
}

func decodeNotice(s string) (Notice, error) {
	var n Notice
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		return n, fmt.Errorf("decode notice %q: %w", s, err)
	}
	return n, nil
}
