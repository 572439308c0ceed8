package broadcast_test

import (
	"context"
	"fmt"
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

// seedItems are the three content items of the seed letter
// 570/STTTT-TTBCBC (Kiên Giang, 4 June 2021).
var seedItems = []string{
	"Tuyên truyền trách nhiệm mỗi cá nhân, cơ quan, đơn vị, tổ chức thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ để chủ động chống dịch, sản xuất kinh doanh an toàn, đảm bảo thực hiện thắng lợi mục tiêu kép.",
	"Tiếp tục thông tin, tuyên truyền về sự cần thiết phải tiêm vắc xin, tổ chức thực hiện tiêm vắc xin theo thứ tự ưu tiên một cách hợp lý, hiệu quả, trước hết ưu tiên cho các lực lượng tuyến đầu và các địa bàn trọng điểm về dịch Covid-19 để người dân hiểu, tự giác và tích cực tham gia.",
	"Tiếp tục thông tin, tuyên truyền, kêu gọi, vận động cơ quan, đơn vị, tổ chức, doanh nghiệp và cá nhân trong và ngoài nước đóng góp cho Quỹ vắc xin phòng, chống Covid-19 Việt Nam (file âm thanh và tài liệu tuyên truyền tuyên truyền đã được gửi kèm Công văn số 576/STTTT-TTBCBC ngày 04/6/2021).",
}

const emergencyText = "Thông báo khẩn. Bão số hai đang tiến vào đất liền. Đề nghị bà con ở yên trong nhà, tránh xa bờ biển."

// ttsMedia creates a text bulletin through the API.
func (e *env) ttsMedia(token string, unitID int64, title, text string) model.Media {
	e.t.Helper()
	var m model.Media
	e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/media/tts", token,
		broadcast.TTSInput{UnitID: unitID, Title: title, Text: text, Voice: "vi-south"}, &m)
	return m
}

func itemsOf(s *protocol.Schedule, orderID int64) []protocol.Item {
	var out []protocol.Item
	if s == nil {
		return nil
	}
	for _, it := range s.Items {
		if it.OrderID == orderID {
			out = append(out, it)
		}
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		t0 := time.Date(2021, 6, 7, 5, 50, 0, 0, vn)
		clock := deviceclient.NewManualClock(t0)
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.tokenFor("phatthanh.vinhthanhvan")

		// The seed's three items, as text, become Vietnamese audio.
		var media []model.Media
		for i, text := range seedItems {
			m := e.ttsMedia(op, commune.ID, fmt.Sprintf("Mục %d – Công văn 570/STTTT-TTBCBC", i+1), text)
			if m.Source != broadcast.SourceTTS || m.DurationMS < 5000 || m.SHA256 == m.OriginalSHA256 {
				t.Fatalf("item %d: unexpected media %+v", i+1, m)
			}
			if m.LoudnessLUFS < -17.5 || m.LoudnessLUFS > -14.5 {
				t.Errorf("item %d: loudness %.1f LUFS, want about -16", i+1, m.LoudnessLUFS)
			}
			media = append(media, m)
		}
		em := e.ttsMedia(op, commune.ID, "Thông báo khẩn – bão số 2", emergencyText)

		// Scheduled with priority on the commune's clusters at 06:00, in the
		// seed's order.
		var orders []broadcast.OrderView
		for i, m := range media {
			var o broadcast.OrderView
			e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
				"unit_id": commune.ID, "title": m.Title, "media_id": m.ID, "level": "priority", "start_date": "2021-06-07", "end_date": "07/06/2021",
				"slots": []map[string]string{{"at": "06:00"}}, "unit_order": i + 1, "targets": []model.OrderTarget{{Kind: "unit", ID: commune.ID}},
				"source": "directive", "source_ref": fmt.Sprintf("570/STTTT-TTBCBC#%d", i+1),
			}, &o)
			orders = append(orders, o)
		}

		// The reference agent enrols with the demo key and caches its
		// schedule and media.
		netw := &netSwitch{base: e.srv.Client().Transport}
		player := &fakePlayer{t: t, clock: clock}
		agent, err := deviceclient.NewAgent(deviceclient.AgentConfig{Server: e.srv.URL, EnrolKey: e.creds.EnrolmentKey, Name: "Cụm loa tổ 1",
			CacheDir: t.TempDir(), Player: player, Clock: clock, HTTP: &http.Client{Transport: netw}, Log: e.log})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- agent.Run(runCtx) }()
		defer func() {
			stop()
			if err := <-done; err != nil {
				t.Errorf("agent: %v", err)
			}
		}()
		eventually(t, 10*time.Second, "the agent's first schedule and media", func() bool {
			s, _ := agent.Schedule()
			return s != nil && len(s.Items) == 3 && agent.Stats.Downloads.Load() >= 3
		})
		sched, etag := agent.Schedule()
		for i, it := range sched.Items {
			if it.OrderID != orders[i].ID || it.Level != "priority" {
				t.Fatalf("schedule item %d: %+v, want order %d at priority", i, it, orders[i].ID)
			}
		}
		if want := time.Date(2021, 6, 7, 6, 0, 0, 0, vn); !sched.Items[0].Start.Equal(want) || !sched.Items[1].Start.Equal(sched.Items[0].End) {
			t.Fatalf("items not played back to back from 06:00: %+v", sched.Items)
		}
		// Unchanged schedule: 304.
		if _, _, nm, err := agent.Client().FetchSchedule(ctx, etag); err != nil || !nm {
			t.Fatalf("second fetch with If-None-Match: notModified=%v err=%v, want 304", nm, err)
		}
		id := agent.Identity().DeviceID
		cred := agent.Identity().Credential
		if r := e.do("GET", fmt.Sprintf("/api/v1/device/%d/schedule", id), cred, nil); r.code != 200 || r.hdr.Get("ETag") != etag {
			t.Fatalf("fetch without If-None-Match: %d etag %q, want 200 %q", r.code, r.hdr.Get("ETag"), etag)
		}

		// 06:00: the first item plays.
		clock.Set(time.Date(2021, 6, 7, 6, 0, 0, 0, vn))
		eventually(t, 5*time.Second, "item 1 to play", func() bool { return len(player.snapshot()) == 1 })
		clock.Advance(5 * time.Second)
		time.Sleep(20 * time.Millisecond)

		// An emergency pre-empts it within 2 seconds over the push channel.
		click := time.Now()
		var er broadcast.EmergencyResult
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/emergency", op, broadcast.EmergencyInput{UnitID: commune.ID, Title: em.Title,
			MediaID: em.ID, Targets: []model.OrderTarget{{Kind: "unit", ID: commune.ID}}, ExpiresInMinutes: 60}, &er)
		if er.Devices != 1 {
			t.Fatalf("emergency reached %d devices, want 1", er.Devices)
		}
		eventually(t, 3*time.Second, "the emergency to play", func() bool {
			p := player.snapshot()
			return len(p) == 2 && p[1].item.Level == "emergency"
		})
		p := player.snapshot()
		if lat := p[1].realStart.Sub(click); lat > 2*time.Second {
			t.Errorf("emergency played %s after the operator's click, want < 2 s", lat)
		} else {
			t.Logf("emergency played %s after the operator's click", lat.Round(time.Millisecond))
		}
		eventually(t, 2*time.Second, "item 1 to be cut", func() bool { return player.snapshot()[0].done })
		if p := player.snapshot(); p[0].err == nil || p[0].item.OrderID != orders[0].ID {
			t.Fatalf("item 1 was not interrupted: %+v", p[0])
		}

		// The rest of the morning plays on the simulated clock.
		for range 24 {
			clock.Advance(10 * time.Second)
			time.Sleep(25 * time.Millisecond)
		}
		eventually(t, 5*time.Second, "items 2 and 3 to play", func() bool {
			p := player.snapshot()
			return len(p) == 4 && p[3].done
		})
		p = player.snapshot()
		if p[2].item.OrderID != orders[1].ID || p[3].item.OrderID != orders[2].ID || p[2].err != nil || p[3].err != nil {
			t.Fatalf("after the emergency: %+v", p)
		}

		// The play log shows up in the directive's tracking and the
		// commune's day.
		clock.Advance(20 * time.Second)
		eventually(t, 5*time.Second, "plays uploaded", func() bool { return e.count("plays", id) == 4 })
		var rep broadcast.OrderReport
		e.mustDo(200, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", orders[1].ID), op, nil, &rep)
		if rep.Plays != 1 || len(rep.Units) != 1 || rep.Units[0].UnitID != commune.ID {
			t.Fatalf("report of item 2: %+v", rep)
		}
		e.mustDo(200, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", orders[0].ID), op, nil, &rep)
		if rep.Plays != 0 || rep.Units[0].Interrupted != 1 {
			t.Fatalf("report of item 1 (interrupted): %+v", rep.Units)
		}
		var day broadcast.DayView
		e.mustDo(200, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-07", commune.ID), op, nil, &day)
		states := map[int64]string{}
		for _, it := range day.Items {
			states[it.OrderID] = it.State
		}
		if states[orders[0].ID] != "interrupted" || states[orders[1].ID] != "played" || states[orders[2].ID] != "played" || states[er.Order.ID] != "played" {
			t.Fatalf("day view states: %v", states)
		}

		// A device cut off for an hour plays from its cache and replays its
		// log once: nothing lost, nothing counted twice.
		var hourly broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
			"unit_id": commune.ID, "title": "Nhắc lại mục 1", "media_id": media[0].ID, "level": "normal", "start_date": "2021-06-07",
			"slots":   []map[string]any{{"spread": map[string]any{"count": 6, "from": "07:00", "to": "08:00"}}},
			"targets": []model.OrderTarget{{Kind: "device", ID: id}},
		}, &hourly)
		eventually(t, 5*time.Second, "the hourly order to reach the device", func() bool {
			s, _ := agent.Schedule()
			return len(itemsOf(s, hourly.ID)) == 6
		})
		netw.offline.Store(true)
		e.srv.CloseClientConnections()
		for clock.Now().Before(time.Date(2021, 6, 7, 8, 5, 0, 0, vn)) {
			clock.Advance(time.Minute)
			time.Sleep(15 * time.Millisecond)
		}
		played := 0
		for _, fp := range player.snapshot() {
			if fp.item.OrderID == hourly.ID && fp.done && fp.err == nil {
				played++
			}
		}
		if played != 6 {
			t.Fatalf("offline, the device played %d of the 6 items of the hour", played)
		}
		if n := agent.Queue().Len(); n != 6 {
			t.Fatalf("%d plays queued while offline, want 6", n)
		}
		var ov broadcast.Overview
		e.mustDo(200, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/overview", commune.ID), op, nil, &ov)
		if len(ov.Units) != 1 || ov.Units[0].Offline != 1 || !hasAlert(ov.Alerts, broadcast.AlertOffline, id) {
			t.Fatalf("overview while the device is away: %+v", ov)
		}
		// Back online; the answer to the first upload is lost, so the device
		// sends the same events again.
		netw.dropPlayAcks.Store(1)
		netw.offline.Store(false)
		for i := 0; agent.Queue().Len() > 0 && i < 60; i++ {
			clock.Advance(30 * time.Second)
			time.Sleep(20 * time.Millisecond)
		}
		eventually(t, 5*time.Second, "the queue to drain", func() bool { return agent.Queue().Len() == 0 })
		logs, err := st.Broadcast().PlayLogs(ctx, model.PlayLogFilter{OrderID: hourly.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(logs) != 6 {
			t.Fatalf("server holds %d plays of the hourly order, want exactly 6", len(logs))
		}
		if d := agent.Stats.Duplicates.Load(); d < 6 {
			t.Fatalf("the replayed batch was not recognised as duplicates (%d)", d)
		}
		if got, want := e.count("plays", id), len(player.snapshot()); got != want {
			t.Fatalf("server holds %d plays of the device, the device played %d", got, want)
		}
	})
}

func hasAlert(alerts []broadcast.Alert, kind string, device int64) bool {
	for _, a := range alerts {
		if a.Kind == kind && a.DeviceID == device {
			return true
		}
	}
	return false
}
