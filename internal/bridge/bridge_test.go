package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// fakeDirectives stands in for the directive workflow: what was delivered
// to which unit.
type fakeDirectives map[int64][]directives.BroadcastItem

func (f fakeDirectives) BroadcastItems(ctx context.Context, unitID int64) ([]directives.BroadcastItem, error) {
	return f[unitID], nil
}

func (f fakeDirectives) DeliveryBroadcastItems(ctx context.Context, deliveryID int64) ([]directives.BroadcastItem, error) {
	var out []directives.BroadcastItem
	for _, list := range f {
		for _, it := range list {
			if it.DeliveryID == deliveryID {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

func requireTools(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "espeak-ng"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (Debian packages ffmpeg, espeak-ng)", tool)
			}
			t.Skipf("%s not found: install Debian's ffmpeg and espeak-ng", tool)
		}
	}
}

// TestScheduleDirectiveItems: the items of a directive the commune
// received become orders on the commune radio's loudspeakers, once.
func TestScheduleDirectiveItems(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		policy := authz.Default()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		o := orgs.New(st, policy)
		pc, err := o.CreateUnit(ctx, sys, orgs.UnitInput{Code: "ubnd-x", Name: "Ủy ban nhân dân xã X", Kind: "commune_pc", Abbreviation: "UBND"})
		if err != nil {
			t.Fatal(err)
		}
		radio, err := o.CreateUnit(ctx, sys, orgs.UnitInput{Code: "dtt-x", ParentID: &pc.ID, Name: "Đài truyền thanh xã X", Kind: "commune_radio"})
		if err != nil {
			t.Fatal(err)
		}
		proc, err := media.New(media.Config{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		esp, err := tts.NewEspeak(tts.EspeakConfig{})
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		loc := i18n.Zone()
		// The evening of today: the morning's bulletins have played.
		now := func() time.Time {
			d := time.Now().In(loc)
			return time.Date(d.Year(), d.Month(), d.Day(), 20, 0, 0, 0, loc)
		}
		bc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: esp, Clock: clock.Func(now), Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		defer bc.Close()
		key, _, err := bc.Fleet().CreateEnrolmentKey(ctx, sys, radio.ID, "test", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		dev, err := bc.Fleet().Enrol(ctx, protocol.EnrolRequest{Key: key, Name: "Cụm loa 1"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		today := now()
		day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
		item := func(pos int, level schedule.Level, text, start, end string) directives.BroadcastItem {
			return directives.BroadcastItem{DirectiveID: 7, Code: "12/UBND-VX", Position: pos, Label: string(rune('0' + pos)), ItemText: text,
				Broadcast: directives.BroadcastSpec{Level: level, StartDate: start, EndDate: end, TimesPerDay: 2}}
		}
		fake := fakeDirectives{pc.ID: {
			item(1, schedule.LevelPriority, "Tuyên truyền trách nhiệm mỗi cá nhân thực hiện phòng, chống dịch theo phương châm 5K cộng vắc xin.", day(0), day(3)),
			item(2, schedule.LevelNormal, "Thông tin về lịch tiêm vắc xin tại trạm y tế xã.", day(-30), day(-20)),
			item(3, schedule.LevelEmergency, "Bão số 5 sắp đổ bộ, người dân khẩn trương gia cố nhà cửa.", day(0), day(0)),
		}}
		b := &bridge.Bridge{Directives: fake, Broadcast: broadcast.NewAPI(bc), Blobs: blobs, Units: st.Orgs(), Policy: policy, Now: now, Location: loc}
		// A viewer of the commune may not schedule (and sees no item).
		viewer := model.Actor{UserID: 99, Username: "viewer", UnitID: radio.ID, UnitPath: radio.Path, Roles: []model.Role{model.RoleViewer}}
		if _, err := b.Schedule(ctx, viewer, radio.ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("viewer scheduled: %v", err)
		}
		if orders, _ := bc.OrderBook().Orders(ctx, sys, radio.ID); len(orders) != 0 {
			t.Fatalf("a refused call created %d orders", len(orders))
		}
		res, err := b.Schedule(ctx, sys, radio.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 2 || len(res.Skipped) != 1 || res.Skipped[0].Label != "2" {
			t.Fatalf("first run: %+v", res)
		}
		orders, err := bc.OrderBook().Orders(ctx, sys, radio.ID)
		if err != nil {
			t.Fatal(err)
		}
		levels := map[string]bool{}
		for _, o := range orders {
			levels[o.Level] = true
		}
		if !levels["priority"] || !levels["emergency"] {
			t.Fatalf("orders: %+v", orders)
		}
		// Running again schedules nothing twice.
		res, err = b.Schedule(ctx, sys, radio.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 0 || len(res.Skipped) != 3 {
			t.Fatalf("second run: %+v", res)
		}
		// The device's schedule carries the priority bulletin.
		da, err := bc.Fleet().AuthenticateDevice(ctx, dev.Credential, dev.DeviceID)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := bc.Scheduler().DeviceSchedule(ctx, da, "")
		if err != nil {
			t.Fatal(err)
		}
		var sched protocol.Schedule
		if err := json.Unmarshal(sr.Body, &sched); err != nil {
			t.Fatal(err)
		}
		var played *protocol.Item
		for i, it := range sched.Items {
			if it.Level == "priority" && strings.HasSuffix(it.Title, "(12/UBND-VX, mục 1)") && played == nil {
				played = &sched.Items[i]
			}
		}
		if played == nil {
			t.Fatalf("the device's schedule lacks the directive's item: %s", sr.Body)
		}
		// The device plays it: the play counts as evidence of directive 7
		// for the commune (the recipient), and for nobody else.
		ev := protocol.PlayEvent{EventID: "e1", ItemID: played.ID, Status: protocol.PlayCompleted, StartedAt: played.Start, EndedAt: played.End}
		if _, err := bc.Library().IngestPlays(ctx, da, protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev, ev}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			directive int64
			path      string
			want      int
		}{{7, pc.Path, 1}, {7, radio.Path, 1}, {8, pc.Path, 0}, {7, "/999999/", 0}} {
			n, err := st.Broadcast().DirectivePlays(ctx, c.directive, c.path)
			if err != nil || n != c.want {
				t.Errorf("plays of directive %d under %s: %d (%v), want %d", c.directive, c.path, n, err, c.want)
			}
		}
	})
}
