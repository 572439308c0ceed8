package broadcast_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestInflatedPlayEvidence: a device reporting one scheduled occurrence as
// completed under 50 event ids (in one batch and one by one) is counted
// once in the order's report and in the day view.
func TestInflatedPlayEvidence(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.tokenFor("phatthanh.vinhthanhvan")
		dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		m := e.ttsMedia(op, commune.ID, "Bản tin sáng", seedItems[0])
		var o broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
			"unit_id": commune.ID, "title": m.Title, "media_id": m.ID, "level": "normal", "start_date": "2021-06-07", "end_date": "2021-06-07",
			"slots": []map[string]string{{"at": "06:00"}}, "targets": []storage.OrderTarget{{Kind: storage.TargetUnit, ID: commune.ID}},
		}, &o)
		items := itemsOf(ptr(dev.schedule()), o.ID)
		if len(items) != 1 {
			t.Fatalf("%d items of the order, want 1", len(items))
		}
		it := items[0]
		clock.Set(time.Date(2021, 6, 7, 6, 30, 0, 0, vn))
		ev := func(i int) protocol.PlayEvent {
			return protocol.PlayEvent{EventID: fmt.Sprintf("ev-%02d", i), ItemID: it.ID, Status: protocol.PlayCompleted, StartedAt: it.Start.Add(time.Second), EndedAt: it.End}
		}
		var batch protocol.PlayLogBatch
		for i := range 25 {
			batch.Events = append(batch.Events, ev(i))
		}
		var res protocol.PlayLogResult
		e.mustDo(http.StatusOK, "POST", fmt.Sprintf(protocol.PathPlayLogs, dev.id), dev.cred, batch, &res)
		if res.Accepted != 1 || res.Duplicates != 24 {
			t.Errorf("batch of 25 reports of one occurrence: %+v, want 1 accepted and 24 duplicates", res)
		}
		for i := 25; i < 50; i++ {
			e.mustDo(http.StatusOK, "POST", fmt.Sprintf(protocol.PathPlayLogs, dev.id), dev.cred, protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev(i)}}, &res)
			if res.Accepted != 0 {
				t.Fatalf("report %d of an occurrence already completed was accepted", i)
			}
		}
		var rep broadcast.OrderReport
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", o.ID), op, nil, &rep)
		if rep.Plays != 1 || len(rep.Units) != 1 || rep.Units[0].Completed != 1 {
			t.Errorf("report after 50 completed reports of one occurrence: %d plays, units %+v; want 1", rep.Plays, rep.Units)
		}
		var day broadcast.DayView
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-07", commune.ID), op, nil, &day)
		for _, en := range day.Items {
			if en.ItemID == it.ID && en.Completed != 1 {
				t.Errorf("day view counts %d completed plays of the occurrence, want 1", en.Completed)
			}
		}
	})
}

// TestHeartbeatValidation: negative counters, unknown states and
// oversized fields are refused with 400 and the reason; a sane heartbeat
// passes.
func TestHeartbeatValidation(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		path := fmt.Sprintf(protocol.PathHeartbeat, dev.id)
		for _, c := range []struct {
			name string
			body any
			want string
		}{
			{"unknown status", protocol.Heartbeat{Status: "pwned", Volume: 50}, "status"},
			{"negative uptime", protocol.Heartbeat{Status: "ok", Volume: 50, UptimeS: -1}, "uptime_s"},
			{"negative queue", protocol.Heartbeat{Status: "ok", Volume: 50, QueuedPlays: -5}, "queued_plays"},
			{"huge queue", protocol.Heartbeat{Status: "ok", Volume: 50, QueuedPlays: protocol.MaxQueuedPlays + 1}, "queued_plays"},
			{"negative volume", protocol.Heartbeat{Status: "ok", Volume: -3}, "volume"},
			{"long firmware", protocol.Heartbeat{Status: "ok", Volume: 50, Firmware: strings.Repeat("x", protocol.MaxFieldLen+1)}, "firmware"},
		} {
			r := e.do("POST", path, dev.cred, c.body)
			if r.code != http.StatusBadRequest || !strings.Contains(string(r.body), c.want) {
				t.Errorf("%s: %d %s, want 400 naming %s", c.name, r.code, r.body, c.want)
			}
		}
		for _, status := range []string{"", "ok", "degraded", "error"} {
			if r := e.do("POST", path, dev.cred, protocol.Heartbeat{Status: status, Volume: 50, Signal: -70, UptimeS: 3600, QueuedPlays: 2}); r.code != http.StatusOK {
				t.Errorf("heartbeat with status %q: %d %s", status, r.code, r.body)
			}
		}
	})
}
