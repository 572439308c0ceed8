package broadcast_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestSilentOnlyWhenExpected: an order made at 10:00 with slots at 06:00,
// 12:00 and 17:00 says 06:00 had already passed; a device enrolled at
// 13:00 is not expected to have played 06:00 or 12:00, the 17:00 slot
// without a play while the device kept in contact is the only silence (in
// the day view and the overview's alerts), and after the device goes
// quiet its missed slots count as offline, not silent.
func TestSilentOnlyWhenExpected(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 10, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune := e.unit("dtt-vinh-thanh-van")
		tok := e.tokenFor("phatthanh.vinhthanhvan")
		m := e.ttsMedia(tok, commune.ID, "Nhạc hiệu", seedItems[0])
		var o broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", tok, map[string]any{
			"unit_id": commune.ID, "title": m.Title, "media_id": m.ID, "level": "normal", "start_date": "2021-06-07", "end_date": "2021-06-08",
			"slots": []map[string]string{{"at": "06:00"}, {"at": "12:00"}, {"at": "17:00"}}, "targets": []model.OrderTarget{{Kind: model.TargetUnit, ID: commune.ID}},
		}, &o)
		if !slices.Equal(o.PassedWhenMade, []string{"06:00"}) {
			t.Fatalf("order made at 10:00: passed_when_made %v, want [06:00]", o.PassedWhenMade)
		}
		clock.Set(time.Date(2021, 6, 7, 13, 0, 0, 0, vn))
		dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa mới")
		dev.schedule()
		clock.Set(time.Date(2021, 6, 7, 17, 55, 0, 0, vn))
		dev.schedule() // still in contact after the 17:00 slot
		clock.Set(time.Date(2021, 6, 7, 18, 0, 0, 0, vn))
		var day broadcast.DayView
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-07", commune.ID), tok, nil, &day)
		states := map[string]string{}
		for _, p := range day.Plans {
			if p.ID != dev.id {
				continue
			}
			for _, it := range p.Items {
				if it.OrderID == o.ID {
					states[it.Start.In(vn).Format("15:04")] = it.State
				}
			}
		}
		want := map[string]string{"12:00": broadcast.StateNotExpected, "17:00": broadcast.StateSilent}
		for k, v := range want {
			if states[k] != v {
				t.Errorf("slot %s: %q, want %q (all: %v)", k, states[k], v, states)
			}
		}
		if s, ok := states["06:00"]; ok && s != broadcast.StateNotExpected {
			t.Errorf("slot 06:00 (before the order): %q", s)
		}
		if day.Silent != 1 {
			t.Errorf("day view: %d silent, want 1", day.Silent)
		}
		ov, err := e.svc.Monitor().Overview(ctx, e.actor("phatthanh.vinhthanhvan"), commune.ID)
		if err != nil {
			t.Fatal(err)
		}
		silent := 0
		for _, a := range ov.Alerts {
			if a.Kind == broadcast.AlertSilent && a.DeviceID == dev.id {
				silent++
			}
		}
		if silent != 1 {
			t.Errorf("overview: %d silent alerts for the new device, want 1: %+v", silent, ov.Alerts)
		}
		// The next day the device never calls: its slots are offline.
		clock.Set(time.Date(2021, 6, 8, 20, 0, 0, 0, vn))
		day = broadcast.DayView{}
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-08", commune.ID), tok, nil, &day)
		if day.Silent != 0 {
			t.Errorf("8 June with the device quiet since 7 June: %d silent, want 0", day.Silent)
		}
		for _, it := range day.Items {
			if it.DeviceID == dev.id && it.OrderID == o.ID && it.State != broadcast.StateOffline {
				t.Errorf("8 June %s: %q, want offline", it.Start.In(vn).Format("15:04"), it.State)
			}
		}
	})
}
