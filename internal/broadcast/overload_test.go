package broadcast_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestPoolExhaustedPollGets503: when every database connection stays in
// use, a device's schedule poll waits for the acquire timeout and is
// answered 503 with Retry-After (not 500, not an endless wait); once the
// connections are free the same poll succeeds.
func TestPoolExhaustedPollGets503(t *testing.T) {
	requirePG(t)
	ctx := context.Background()
	_, dsn := storetest.Open(t, storage.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "4")
	q.Set("pool_acquire_timeout", "500ms")
	u.RawQuery = q.Encode()
	st, err := storage.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := newEnv(t, st, deviceclient.NewManualClock(time.Now().In(vn)), envOptions{})
	dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa 1")
	path := fmt.Sprintf(protocol.PathSchedule, dev.id)
	if r := e.do("GET", path, dev.cred, nil); r.code != http.StatusOK {
		t.Fatalf("first poll: %d %s", r.code, r.body)
	}

	release := make(chan struct{})
	held := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holdConn(st, held, release)
		}()
	}
	for range 4 {
		<-held
	}
	r := e.do("GET", path, dev.cred, nil)
	close(release)
	wg.Wait()
	if r.code != http.StatusServiceUnavailable {
		t.Fatalf("poll with the pool exhausted: %d %s, want 503", r.code, r.body)
	}
	if ra, err := strconv.Atoi(r.hdr.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("503 without a usable Retry-After: %q", r.hdr.Get("Retry-After"))
	}
	if r := e.do("GET", path, dev.cred, nil); r.code != http.StatusOK {
		t.Fatalf("poll after the connections were freed: %d %s", r.code, r.body)
	}
}

func requirePG(t *testing.T) {
	t.Helper()
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", storetest.EnvPostgres)
		}
		t.Skipf("%s not set: this test needs PostgreSQL", storetest.EnvPostgres)
	}
}

// holdConn takes one connection of st and holds it until release closes,
// retrying while background work holds the others (the pool is small).
func holdConn(st *storage.Store, held chan<- struct{}, release <-chan struct{}) {
	ran := false
	for deadline := time.Now().Add(time.Minute); !ran && time.Now().Before(deadline); {
		_ = st.Tx(context.Background(), func(tx *storage.Tx) error {
			ran = true
			held <- struct{}{}
			<-release
			return nil
		})
	}
}
