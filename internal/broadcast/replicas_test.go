package broadcast_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func TestLocalNotifierDelivers(t *testing.T) {
	n := broadcast.NewLocalNotifier()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c1, _ := n.Subscribe(ctx)
	c2, _ := n.Subscribe(ctx)
	if err := n.Publish(ctx, broadcast.Notice{Kind: protocol.EventEmergency, OrderID: 7}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []<-chan broadcast.Notice{c1, c2} {
		select {
		case got := <-c:
			if got.OrderID != 7 {
				t.Fatalf("got %+v", got)
			}
		case <-time.After(time.Second):
			t.Fatal("notice not delivered")
		}
	}
}

// TestReplicasDeliverEmergency runs two servers on one PostgreSQL
// database: a device holds its push channel on replica B, the operator
// issues the emergency on replica A, and LISTEN/NOTIFY carries it across.
func TestReplicasDeliverEmergency(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", storetest.EnvPostgres)
		}
		t.Skipf("%s not set: the replica test needs PostgreSQL", storetest.EnvPostgres)
	}
	requireTools(t)
	ctx := context.Background()
	stA, dsn := storetest.Open(t, storage.Postgres)
	stB, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer stB.Close()
	nA, err := broadcast.NewPGNotifier(ctx, dsn, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	nB, err := broadcast.NewPGNotifier(ctx, dsn, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := deviceclient.NewManualClock(time.Now().In(vn))
	// Files live in the shared database, as `loa serve` keeps them on
	// PostgreSQL: each replica's own data directory is not used.
	a := newEnv(t, stA, clock, envOptions{notifier: nA, dbBlobs: true})
	b := newEnv(t, stB, clock, envOptions{notifier: nB, dbBlobs: true})

	commune := a.unit("dtt-vinh-thanh-van")
	op := a.tokenFor("phatthanh.vinhthanhvan")
	m := a.ttsMedia(op, commune.ID, "Thông báo khẩn", emergencyText)
	// The device enrols and listens on replica B.
	dev, err := deviceclient.Enrol(ctx, b.srv.URL, b.srv.Client(), protocol.EnrolRequest{Key: a.creds.EnrolmentKey, Name: "Cụm loa B"})
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := deviceclient.NewClient(b.srv.URL, &http.Client{}, dev.DeviceID, dev.Credential)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opened := make(chan struct{}, 1)
	got := make(chan protocol.Event, 4)
	go cl.Listen(lctx, func() { opened <- struct{}{} }, func(ev protocol.Event) { got <- ev })
	select {
	case <-opened:
	case <-time.After(5 * time.Second):
		t.Fatal("push channel on replica B did not open")
	}
	eventually(t, 2*time.Second, "the device to be connected to B", func() bool { c, _, _ := b.svc.Hub().Stats(); return c == 1 })
	// The operator uses replica A.
	click := time.Now()
	var er broadcast.EmergencyResult
	a.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/emergency", op, broadcast.EmergencyInput{UnitID: commune.ID, Title: "Bão số 2",
		MediaID: m.ID, Targets: []model.OrderTarget{{Kind: "subtree", ID: commune.ID}}, Repeats: 2, RepeatEveryMinutes: 5}, &er)
	deadline := time.After(2 * time.Second)
	for {
		select {
		case ev := <-got:
			if ev.Type == protocol.EventHello {
				continue
			}
			if ev.Type != protocol.EventEmergency || ev.OrderID != er.Order.ID || len(ev.Items) != 2 {
				t.Fatalf("replica B pushed %+v", ev)
			}
			t.Logf("emergency crossed replicas in %s", time.Since(click).Round(time.Millisecond))
			// The audio was made and stored on replica A; the device
			// downloads it through replica B (checked against its sha256).
			if ev.Items[0].Media.SHA256 != m.SHA256 {
				t.Fatalf("pushed audio %s, media %s", ev.Items[0].Media.SHA256, m.SHA256)
			}
			path, err := cl.Download(ctx, ev.Items[0].Media, t.TempDir())
			if err != nil {
				t.Fatalf("download the audio made on replica A through replica B: %v", err)
			}
			if st, err := os.Stat(path); err != nil || st.Size() != ev.Items[0].Media.Size || st.Size() == 0 {
				t.Fatalf("downloaded %v (%v), want %d bytes", st, err, ev.Items[0].Media.Size)
			}
			if n := a.blobFiles() + b.blobFiles(); n != 0 {
				t.Fatalf("%d files in the replicas' data directories; they belong in the database", n)
			}
			return
		case <-deadline:
			t.Fatal("the emergency issued on replica A did not reach the device on replica B within 2 s")
		}
	}
}

// TestReplicasPollCache: an unchanged poll is answered 304 from memory
// (it is answered even while every database connection is taken), and a
// change made through the other replica (an order, a revocation) reaches
// the cache through LISTEN/NOTIFY: no replica keeps answering from a
// stale copy.
func TestReplicasPollCache(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", storetest.EnvPostgres)
		}
		t.Skipf("%s not set: the replica test needs PostgreSQL", storetest.EnvPostgres)
	}
	requireTools(t)
	ctx := context.Background()
	stA, dsn := storetest.Open(t, storage.Postgres)
	stB, err := storage.Open(ctx, dsn+"&pool_max_conns=3&pool_acquire_timeout=300ms")
	if err != nil {
		t.Fatal(err)
	}
	defer stB.Close()
	nA, err := broadcast.NewPGNotifier(ctx, dsn, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	nB, err := broadcast.NewPGNotifier(ctx, dsn, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
	a := newEnv(t, stA, clock, envOptions{notifier: nA, dbBlobs: true})
	b := newEnv(t, stB, clock, envOptions{notifier: nB, dbBlobs: true})
	commune := a.unit("dtt-vinh-thanh-van")
	op := a.tokenFor("phatthanh.vinhthanhvan")
	m := a.ttsMedia(op, commune.ID, "Bản tin sáng", emergencyText)

	dev := b.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
	path := fmt.Sprintf(protocol.PathSchedule, dev.id)
	first := b.do("GET", path, dev.cred, nil)
	etag := first.hdr.Get("ETag")
	if first.code != http.StatusOK || etag == "" {
		t.Fatalf("first poll: %d %q", first.code, etag)
	}
	if r := b.do("GET", path, dev.cred, nil, "If-None-Match", etag); r.code != http.StatusNotModified {
		t.Fatalf("unchanged poll: %d", r.code)
	}
	// Every connection of replica B taken: the unchanged poll is still
	// answered (from memory), a poll that needs the body is refused 503.
	release := make(chan struct{})
	held := make(chan struct{}, 3)
	done := make(chan struct{}, 3)
	for range 3 {
		go func() {
			defer func() { done <- struct{}{} }()
			holdConn(stB, held, release)
		}()
	}
	for range 3 {
		<-held
	}
	unchanged := b.do("GET", path, dev.cred, nil, "If-None-Match", etag)
	full := b.do("GET", path, dev.cred, nil)
	close(release)
	for range 3 {
		<-done
	}
	if unchanged.code != http.StatusNotModified || unchanged.hdr.Get("ETag") != etag {
		t.Fatalf("unchanged poll without a database connection: %d %s, want 304 from memory", unchanged.code, unchanged.body)
	}
	if full.code != http.StatusServiceUnavailable {
		t.Fatalf("a poll needing the database with none free: %d, want 503", full.code)
	}

	// An order issued on replica A: replica B's next polls see it.
	var o broadcast.OrderView
	a.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
		"unit_id": commune.ID, "title": m.Title, "media_id": m.ID, "level": "normal", "start_date": "2021-06-07", "end_date": "2021-06-07",
		"slots": []map[string]string{{"at": "06:00"}}, "targets": []model.OrderTarget{{Kind: model.TargetUnit, ID: commune.ID}},
	}, &o)
	var changed result
	eventually(t, 3*time.Second, "replica B to serve the order made on A", func() bool {
		changed = b.do("GET", path, dev.cred, nil, "If-None-Match", etag)
		return changed.code == http.StatusOK
	})
	var s protocol.Schedule
	changed.json(t, &s)
	if len(itemsOf(&s, o.ID)) != 1 || changed.hdr.Get("ETag") == etag {
		t.Fatalf("replica B served %d items of the order, ETag %s (was %s)", len(itemsOf(&s, o.ID)), changed.hdr.Get("ETag"), etag)
	}
	// A heartbeat on B finds no command (and B remembers it); a command
	// sent through A reaches the device's next heartbeat on B.
	hb := fmt.Sprintf(protocol.PathHeartbeat, dev.id)
	var none protocol.HeartbeatResponse
	b.mustDo(http.StatusOK, "POST", hb, dev.cred, protocol.Heartbeat{Status: "ok", Volume: 50}, &none)
	b.mustDo(http.StatusOK, "POST", hb, dev.cred, protocol.Heartbeat{Status: "ok", Volume: 50}, &none)
	if len(none.Commands) != 0 {
		t.Fatalf("heartbeat before any command: %+v", none.Commands)
	}
	a.mustDo(http.StatusAccepted, "POST", fmt.Sprintf("/api/v1/broadcast/devices/%d/commands", dev.id), op, map[string]any{"kind": "volume", "volume": 30}, nil)
	eventually(t, 3*time.Second, "replica B to hand over the command sent on A", func() bool {
		var got protocol.HeartbeatResponse
		b.mustDo(http.StatusOK, "POST", hb, dev.cred, protocol.Heartbeat{Status: "ok", Volume: 50}, &got)
		return len(got.Commands) == 1 && got.Commands[0].Kind == "volume"
	})
	// The device revoked on replica A is shut out of replica B.
	a.mustDo(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/broadcast/devices/%d", dev.id), op, nil, nil)
	eventually(t, 3*time.Second, "replica B to refuse the revoked device", func() bool {
		return b.do("GET", path, dev.cred, nil, "If-None-Match", changed.hdr.Get("ETag")).code == http.StatusUnauthorized
	})
}

// A subscription ending while notices are published neither races with
// nor blocks the publishers, even when its buffer is full (run with
// -race).
func TestLocalNotifierSubscriptionEndsDuringPublish(t *testing.T) {
	n := broadcast.NewLocalNotifier()
	for round := 0; round < 20; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := n.Subscribe(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer pcancel()
			var err error
			for i := 0; i < 400 && err == nil; i++ { // more than the buffer holds
				err = n.Publish(pctx, broadcast.Notice{Kind: protocol.EventSchedule, OrderID: int64(i)})
			}
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round %d: publish after the subscription ended: %v", round, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: publish blocked on an ended subscription", round)
		}
	}
}
