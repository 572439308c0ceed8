package broadcast_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestEmergencyPushedOnceByIssuer: the replica that issues an emergency
// pushes it to its own devices as it is stored (no notifier round trip),
// with the same items, media and expiry as a push from the notice; the
// notice coming back to the replica does not push it a second time.
func TestEmergencyPushedOnceByIssuer(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Now().In(vn))
		e := newEnv(t, st, clock, envOptions{})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.tokenFor("phatthanh.vinhthanhvan")
		m := e.ttsMedia(op, commune.ID, "Thông báo khẩn", emergencyText)
		dev, err := deviceclient.Enrol(ctx, e.srv.URL, e.srv.Client(), protocol.EnrolRequest{Key: e.creds.EnrolmentKey, Name: "Cụm loa"})
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := deviceclient.NewClient(e.srv.URL, &http.Client{}, dev.DeviceID, dev.Credential)
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		got := make(chan protocol.Event, 8)
		go cl.Listen(lctx, nil, func(ev protocol.Event) { got <- ev })
		eventually(t, 5*time.Second, "the device to be connected", func() bool { c, _, _ := e.svc.Hub().Stats(); return c == 1 })

		var er broadcast.EmergencyResult
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/emergency", op, broadcast.EmergencyInput{UnitID: commune.ID, Title: "Bão số 2",
			MediaID: m.ID, Targets: []model.OrderTarget{{Kind: "subtree", ID: commune.ID}}, Repeats: 2, RepeatEveryMinutes: 5, ExpiresInMinutes: 30}, &er)
		var pushed []protocol.Event
		quiet := time.After(5 * time.Second)
	collect:
		for {
			select {
			case ev := <-got:
				if ev.Type == protocol.EventEmergency {
					pushed = append(pushed, ev)
					// Anything pushed twice comes within a moment.
					quiet = time.After(700 * time.Millisecond)
				}
			case <-quiet:
				break collect
			}
		}
		if len(pushed) != 1 {
			t.Fatalf("the device got %d emergency events, want exactly 1: %+v", len(pushed), pushed)
		}
		ev := pushed[0]
		o := er.Order.BroadcastOrder
		if ev.OrderID != o.ID || len(ev.Items) != 2 || !ev.IssuedAt.Equal(o.CreatedAt) {
			t.Fatalf("pushed %+v for order %d created %s", ev, o.ID, o.CreatedAt)
		}
		for i, it := range ev.Items {
			want := o.IssuedAt.Add(time.Duration(i*5) * time.Minute)
			if it.Media.SHA256 != m.SHA256 || it.Media.Size != m.Size || it.Media.DurationMS != m.DurationMS ||
				!it.Start.Equal(want) || it.End.Sub(it.Start) != m.Duration() || it.Expires == nil || !it.Expires.Equal(*o.ExpiresAt) ||
				it.ID != broadcast.ItemID(o.ID, want) || it.Level != "emergency" || !it.Interrupts {
				t.Errorf("item %d: %+v (media %+v, order issued %s, expires %v)", i, it, m, o.IssuedAt, o.ExpiresAt)
			}
		}
	})
}
