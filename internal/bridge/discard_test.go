package bridge_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
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

// refusingBroadcast is the real broadcast service whose scheduling
// refuses every item, as it does when an item breaks the unit's rules
// after its speech was made.
type refusingBroadcast struct {
	broadcast.API
}

func (r refusingBroadcast) ScheduleFromDirective(ctx context.Context, a model.Actor, in broadcast.DirectiveItemSchedule) (*broadcast.OrderView, error) {
	return nil, model.Invalid("slots", "refused by the broadcast service (test)")
}

// TestRefusedItemLeavesNoMedia: the speech made for an item that the
// broadcast service refuses does not stay in the station's library, and
// the removal is audited; media an order uses cannot be discarded.
func TestRefusedItemLeavesNoMedia(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		policy := authz.Default()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		o := orgs.New(st, policy)
		pc, err := o.CreateUnit(ctx, sys, orgs.UnitInput{Code: "ubnd-y", Name: "Ủy ban nhân dân xã Y", Kind: "commune_pc", Abbreviation: "UBND"})
		if err != nil {
			t.Fatal(err)
		}
		radio, err := o.CreateUnit(ctx, sys, orgs.UnitInput{Code: "dtt-y", ParentID: &pc.ID, Name: "Đài truyền thanh xã Y", Kind: "commune_radio"})
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
		now := func() time.Time {
			d := time.Now().In(loc)
			return time.Date(d.Year(), d.Month(), d.Day(), 6, 0, 0, 0, loc)
		}
		bc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: esp, Clock: clock.Func(now), Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		defer bc.Close()
		today := now().Format("2006-01-02")
		fake := fakeDirectives{pc.ID: {{DirectiveID: 9, Code: "15/UBND", Position: 1, Label: "1", ItemText: "Thông báo lịch tiêm vắc xin lúc 14h30 tại trạm y tế xã.",
			Broadcast: directives.BroadcastSpec{Level: schedule.LevelPriority, StartDate: today, EndDate: today, TimesPerDay: 1}}}}
		b := &bridge.Bridge{Directives: fake, Broadcast: refusingBroadcast{broadcast.NewAPI(bc)}, Blobs: blobs, Units: st.Orgs(), Policy: policy, Now: now, Location: loc}
		// The operator's button reports the refusal.
		var ve *model.ValidationError
		if _, err := b.Schedule(ctx, sys, radio.ID); !errors.As(err, &ve) {
			t.Fatalf("schedule: err = %v, want the service's refusal", err)
		}
		lib, err := st.Broadcast().MediaLibrary(ctx, radio.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(lib) != 0 {
			t.Fatalf("the refused item left %d media items in the library: %+v", len(lib), lib[0])
		}
		var n int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM audit_log WHERE action = 'media.discard'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("media.discard audit lines: %d (%v), want 1", n, err)
		}

		// Media that an order uses stays.
		m, err := bc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: radio.ID, Title: "Thử", Text: "Chú ý."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bc.OrderBook().CreateOrder(ctx, sys, broadcast.OrderInput{UnitID: radio.ID, Title: "Thử", MediaID: m.ID, Level: "normal",
			StartDate: today, EndDate: today, Slots: []schedule.Slot{schedule.FixedSlot(schedule.ClockOf(17, 0, 0))}, Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: radio.ID}}}); err != nil {
			t.Fatal(err)
		}
		if err := bc.Library().DiscardMedia(ctx, sys, m.ID, "test"); !errors.Is(err, model.ErrConflict) {
			t.Errorf("discard used media: %v", err)
		}
		if _, err := st.Broadcast().MediaItem(ctx, m.ID); err != nil {
			t.Errorf("used media gone: %v", err)
		}
	})
}
