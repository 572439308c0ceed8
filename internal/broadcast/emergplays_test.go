package broadcast_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestEmergencyPlaysAfterPush: an emergency's plays on every targeted
// device are written after its push, before the answer; a server stopped
// between the two (only the order stored, marked "plays pending") writes
// them when it starts again, so that the device's play of the emergency
// is accepted and its schedule is rebuilt with it.
func TestEmergencyPlaysAfterPush(t *testing.T) {
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
		pending := func() []int64 {
			t.Helper()
			ids, err := st.Broadcast().OrdersWithPlaysPending(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		played := func(orderID int64, at time.Time) bool {
			t.Helper()
			got, err := st.Broadcast().PlayItems(ctx, dev.DeviceID, []string{broadcast.ItemID(orderID, at)})
			if err != nil {
				t.Fatal(err)
			}
			return len(got) == 1
		}
		version := func() int64 {
			t.Helper()
			d, err := st.Devices().Device(ctx, dev.DeviceID)
			if err != nil {
				t.Fatal(err)
			}
			return d.ScheduleVersion
		}

		// Through the API: both transactions before the answer.
		var er broadcast.EmergencyResult
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/emergency", op, broadcast.EmergencyInput{UnitID: commune.ID, Title: "Bão số 2",
			MediaID: m.ID, Targets: []model.OrderTarget{{Kind: "subtree", ID: commune.ID}}, ExpiresInMinutes: 30}, &er)
		if !played(er.Order.ID, *er.Order.IssuedAt) || len(pending()) != 0 {
			t.Fatalf("after the answer: play recorded %t, orders with plays pending %v", played(er.Order.ID, *er.Order.IssuedAt), pending())
		}

		// Stopped after the first transaction: the device already fetches
		// the audio it was pushed.
		m2 := e.ttsMedia(op, commune.ID, "Thông báo khẩn 2", emergencyText+" Tin thứ hai.")
		v0 := version()
		issued := clock.Now().UTC().Truncate(time.Second)
		expires := issued.Add(30 * time.Minute)
		day := schedule.DateOf(issued.In(vn))
		o := &model.BroadcastOrder{UnitID: commune.ID, Title: "Bão số 3", MediaID: m2.ID, Level: schedule.LevelEmergency.String(), Interrupts: true,
			StartDate: day, EndDate: day, ExpiresAt: &expires, Slots: schedule.Slots{}, IssuedAt: &issued, Repeats: 1,
			CreatedBy: "phatthanh.vinhthanhvan", Targets: []model.OrderTarget{{Kind: "subtree", ID: commune.ID}}, MadeAt: issued}
		devices, err := broadcast.StoreIssuedOnly(ctx, e.svc, model.System("test"), o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(devices, dev.DeviceID) {
			t.Fatalf("order %d targets %v, not device %d", o.ID, devices, dev.DeviceID)
		}
		if played(o.ID, issued) || !slices.Equal(pending(), []int64{o.ID}) || version() != v0 {
			t.Fatalf("after the first transaction: play recorded %t, pending %v, version %d (was %d)", played(o.ID, issued), pending(), version(), v0)
		}
		d, err := st.Devices().Device(ctx, dev.DeviceID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.svc.Library().OpenDeviceMedia(ctx, &broadcast.DeviceAuth{Device: d}, m2.SHA256)
		if err != nil {
			t.Fatalf("the pushed emergency's audio before its plays are written: %v", err)
		}
		f.Close()
		// Only the pending order's media, only for the devices it targets.
		for _, c := range []struct {
			device int64
			sha    string
		}{{dev.DeviceID, m.SHA256}, {dev.DeviceID + 1000, m2.SHA256}} {
			if ok, err := st.Broadcast().PendingOrderTargetsDevice(ctx, c.device, c.sha); err != nil || ok {
				t.Fatalf("device %d, media %.8s: pending order targets it = %t (%v), want false", c.device, c.sha, ok, err)
			}
		}

		// The server starts again.
		newEnv(t, st, clock, envOptions{})
		eventually(t, 10*time.Second, "the plays to be written at start", func() bool { return len(pending()) == 0 })
		if !played(o.ID, issued) || version() <= v0 {
			t.Fatalf("after the start: play recorded %t, version %d (was %d)", played(o.ID, issued), version(), v0)
		}
	})
}
