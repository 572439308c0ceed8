package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// testDevice is a device enrolled through the device API.
type testDevice struct {
	e    *env
	id   int64
	cred string
}

func (e *env) enrolDevice(unitCode, name string) *testDevice {
	e.t.Helper()
	key, _, err := e.svc.Fleet().CreateEnrolmentKey(context.Background(), model.System("test"), e.unit(unitCode).ID, "test", nil, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out protocol.EnrolResponse
	e.mustDo(http.StatusCreated, "POST", protocol.PathEnrol, "", protocol.EnrolRequest{Key: key, Name: name, Kind: protocol.KindLoudspeaker}, &out)
	return &testDevice{e: e, id: out.DeviceID, cred: out.Credential}
}

func (d *testDevice) schedule() protocol.Schedule {
	d.e.t.Helper()
	var s protocol.Schedule
	d.e.mustDo(http.StatusOK, "GET", fmt.Sprintf(protocol.PathSchedule, d.id), d.cred, nil, &s)
	return s
}

func (d *testDevice) played(it protocol.Item) {
	d.e.t.Helper()
	ev := protocol.PlayEvent{EventID: "ev-" + it.ID, ItemID: it.ID, Status: protocol.PlayCompleted, StartedAt: it.Start.Add(2 * time.Second), EndedAt: it.End}
	d.e.mustDo(http.StatusOK, "POST", fmt.Sprintf(protocol.PathPlayLogs, d.id), d.cred, protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev}}, nil)
}

func (e *env) actor(username string) model.Actor {
	e.t.Helper()
	u, _, err := e.store.Accounts().UserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.accounts.ActorFor(context.Background(), u, "test", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// TestOrdersFromAbove: the district's order on its whole area appears in a
// commune's order list marked as issued above, read-only; the commune
// opens its report and sees only its own devices; the day view plans the
// order on every device, marks the device that never fetched a schedule
// and the slots that passed without a play.
func TestOrdersFromAbove(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune, other, district := e.unit("dtt-vinh-thanh-van"), e.unit("dtt-vinh-lac"), e.unit("ubnd-rach-gia")
		fetching := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		silent := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa tổ 9")
		elsewhere := e.enrolDevice("dtt-vinh-lac", "Cụm loa Vĩnh Lạc")
		districtTok, communeTok := e.tokenFor("admin.rachgia"), e.tokenFor("phatthanh.vinhthanhvan")

		m := e.ttsMedia(districtTok, district.ID, "Tiêm vắc xin theo thứ tự ưu tiên", seedItems[1])
		var o broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", districtTok, map[string]any{
			"unit_id": district.ID, "title": m.Title, "media_id": m.ID, "level": "priority", "start_date": "2021-06-07", "end_date": "2021-06-08",
			"slots": []map[string]string{{"at": "06:00"}, {"at": "17:00"}}, "targets": []model.OrderTarget{{Kind: model.TargetSubtree, ID: district.ID}},
		}, &o)
		// The commune's own order, for comparison.
		own := e.ttsMedia(communeTok, commune.ID, "Nhạc hiệu", seedItems[0])
		var mine broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", communeTok, map[string]any{
			"unit_id": commune.ID, "title": own.Title, "media_id": own.ID, "level": "normal", "start_date": "2021-06-07",
			"slots": []map[string]string{{"at": "12:00"}}, "targets": []model.OrderTarget{{Kind: model.TargetUnit, ID: commune.ID}},
		}, &mine)

		// Two of the three devices fetch their schedule and play 06:00.
		var fetched [][]protocol.Item
		for _, d := range []*testDevice{fetching, elsewhere} {
			var items []protocol.Item
			for _, it := range itemsOf(ptr(d.schedule()), o.ID) {
				if it.Start.In(vn).Day() == 7 {
					items = append(items, it)
				}
			}
			if len(items) != 2 {
				t.Fatalf("device %d: %d items of the district's order, want 2", d.id, len(items))
			}
			fetched = append(fetched, items)
		}
		clock.Set(time.Date(2021, 6, 7, 6, 10, 0, 0, vn))
		fetching.played(fetched[0][0])
		elsewhere.played(fetched[1][0])

		// The commune's list holds its own order and the district's,
		// labelled with the issuer.
		var list struct {
			Orders []broadcast.OrderView `json:"orders"`
		}
		e.mustDo(http.StatusOK, "GET", "/api/v1/broadcast/orders", communeTok, nil, &list)
		var got *broadcast.OrderView
		for i := range list.Orders {
			switch list.Orders[i].ID {
			case o.ID:
				got = &list.Orders[i]
			case mine.ID:
				if list.Orders[i].Inbound {
					t.Errorf("the commune's own order is marked inbound")
				}
			}
		}
		if len(list.Orders) != 2 || got == nil {
			t.Fatalf("commune's orders: %+v, want its own and the district's %d", list.Orders, o.ID)
		}
		if !got.Inbound || !got.Restricted || got.IssuerName != district.Name || got.Devices != 2 {
			t.Fatalf("district's order in the commune's list: inbound=%v restricted=%v issuer=%q devices=%d, want true true %q 2",
				got.Inbound, got.Restricted, got.IssuerName, got.Devices, district.Name)
		}
		// The district's own list is unchanged: the order is its own.
		list.Orders = nil
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/orders?unit_id=%d", district.ID), districtTok, nil, &list)
		for _, v := range list.Orders {
			if v.ID == o.ID && (v.Inbound || v.Devices != 3) {
				t.Fatalf("district's view of its order: inbound=%v devices=%d, want false 3", v.Inbound, v.Devices)
			}
		}

		// Read-only for the commune: cancelling is refused, in Vietnamese
		// on the pages and with the forbidden code in the API.
		err := e.svc.OrderBook().CancelOrder(ctx, e.actor("phatthanh.vinhthanhvan"), o.ID)
		if !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("commune cancels the district's order: %v, want forbidden", err)
		}
		msgs := i18n.Messages()
		if vi, ok := msgs.Message(i18n.VI, err); !ok || vi != "Lệnh phát này do "+district.Name+" phát lệnh: đơn vị bạn chỉ theo dõi, không được sửa hay hủy. Cần thay đổi, hãy liên hệ "+district.Name+"." {
			t.Fatalf("Vietnamese refusal: %q (%v)", vi, ok)
		}
		if en, _ := msgs.Message(i18n.EN, err); en != "This order was issued by "+district.Name+": your unit follows it but may not change or cancel it. To change it, contact "+district.Name+"." {
			t.Fatalf("English refusal: %q", en)
		}
		r := e.do("DELETE", fmt.Sprintf("/api/v1/broadcast/orders/%d", o.ID), communeTok, nil)
		var apiErr struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		r.json(t, &apiErr)
		if r.code != http.StatusForbidden || apiErr.Error.Code != "forbidden" {
			t.Fatalf("API cancel by the commune: %d %s", r.code, r.body)
		}
		if v, err := e.svc.OrderBook().Order(ctx, model.System("test"), o.ID); err != nil || v.CancelledAt != nil {
			t.Fatalf("the order was cancelled: %v %v", v, err)
		}

		// Reports: the commune sees its devices only, the district all.
		var rep, full broadcast.OrderReport
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", o.ID), communeTok, nil, &rep)
		if len(rep.Units) != 1 || rep.Units[0].UnitID != commune.ID || rep.Plays != 1 || len(rep.Logs) != 1 || rep.Logs[0].DeviceID != fetching.id || rep.Order.Devices != 2 {
			t.Fatalf("commune's report: units %+v plays %d logs %+v devices %d", rep.Units, rep.Plays, rep.Logs, rep.Order.Devices)
		}
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", o.ID), districtTok, nil, &full)
		if len(full.Units) != 2 || full.Plays != 2 || len(full.Logs) != 2 || full.Order.Restricted || full.Order.Devices != 3 {
			t.Fatalf("district's report: units %+v plays %d logs %d restricted %v devices %d", full.Units, full.Plays, len(full.Logs), full.Order.Restricted, full.Order.Devices)
		}
		// A commune of another district is refused; so is the raw play log.
		if r := e.do("GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", o.ID), e.tokenFor("phatthanh.honnghe"), nil); r.code != http.StatusForbidden {
			t.Fatalf("report for another district's commune: %d %s", r.code, r.body)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/playlogs", o.ID), communeTok, nil); r.code != http.StatusForbidden {
			t.Fatalf("all play logs of the district's order for the commune: %d", r.code)
		}

		// The day view at 18:00: both devices have the plan; the one that
		// never fetched is marked. The passed slots without a play are
		// silent on the device that kept in contact (it fetches at 17:50),
		// and "offline" (not silent) on the one never heard from since
		// its enrolment.
		clock.Set(time.Date(2021, 6, 7, 17, 50, 0, 0, vn))
		fetching.schedule()
		clock.Set(time.Date(2021, 6, 7, 18, 0, 0, 0, vn))
		var day, past broadcast.DayView
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-07", commune.ID), communeTok, nil, &day)
		checkDay(t, day, fetching.id, silent.id, o.ID, mine.ID, other.ID)

		// A past day, outside the schedule horizon, is planned too.
		clock.Set(time.Date(2021, 6, 9, 10, 0, 0, 0, vn))
		fetching.schedule()
		day = past
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-08", commune.ID), communeTok, nil, &day)
		for _, p := range day.Plans {
			var n int
			want := broadcast.StateSilent
			if p.ID == silent.id {
				want = broadcast.StateOffline
			}
			for _, it := range p.Items {
				if it.OrderID == o.ID && it.Planned && it.State == want {
					n++
				}
			}
			if n != 2 {
				t.Fatalf("8 June, device %d: %d %s planned items of the district's order, want 2: %+v", p.ID, n, want, p.Items)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

func checkDay(t *testing.T, day broadcast.DayView, fetching, silent, orderID, ownID, otherUnit int64) {
	t.Helper()
	if !day.Planned || len(day.Plans) != 2 {
		t.Fatalf("day view: planned=%v, %d devices, want the commune's 2", day.Planned, len(day.Plans))
	}
	for _, p := range day.Plans {
		if p.UnitID == otherUnit {
			t.Fatalf("another commune's device %d in the day view", p.ID)
		}
		states := map[string]string{}
		for _, it := range p.Items {
			switch it.OrderID {
			case orderID:
				states[it.Start.In(vn).Format("15:04")] = it.State
			case ownID:
				states["own"] = it.State
			}
			if p.ID == silent && (it.Fetched || !it.Planned) {
				t.Errorf("never-fetched device: item %s fetched=%v planned=%v", it.ItemID, it.Fetched, it.Planned)
			}
			if p.ID == fetching && (!it.Fetched || !it.Planned) {
				t.Errorf("fetching device: item %s fetched=%v planned=%v", it.ItemID, it.Fetched, it.Planned)
			}
		}
		switch p.ID {
		case fetching:
			if p.NeverFetched || states["06:00"] != broadcast.StatePlayed || states["17:00"] != broadcast.StateSilent || states["own"] != broadcast.StateSilent {
				t.Fatalf("fetching device: never fetched=%v, states %v", p.NeverFetched, states)
			}
			for _, it := range p.Items {
				if it.State == broadcast.StatePlayed && (len(it.Plays) != 1 || it.Plays[0].Status != model.PlayCompleted) {
					t.Fatalf("played item without its play: %+v", it)
				}
			}
		case silent:
			if !p.NeverFetched || states["06:00"] != broadcast.StateOffline || states["17:00"] != broadcast.StateOffline || states["own"] != broadcast.StateOffline {
				t.Fatalf("never-fetched device: never fetched=%v, states %v", p.NeverFetched, states)
			}
		default:
			t.Fatalf("unexpected device %d", p.ID)
		}
	}
	if day.Played != 1 || day.Silent != 2 || day.NotFetched != 3 || len(day.Items) != 6 {
		t.Fatalf("day summary: played %d silent %d not fetched %d items %d, want 1 2 3 6", day.Played, day.Silent, day.NotFetched, len(day.Items))
	}
}
