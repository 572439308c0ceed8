package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
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

// TestKhmerVersionPlaysOnKhmerCommune: an order of the unit above two
// communes has a Vietnamese bulletin and a recorded Khmer version; the
// Khmer commune (languages km, vi) gets the Khmer audio in its clusters'
// schedules and may download it, the other commune gets the Vietnamese
// one; before the Khmer version exists the order reports it missing.
func TestKhmerVersionPlaysOnKhmerCommune(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 6, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{})
		sys := model.System("test")
		khmer, viet := e.unit("dtt-hon-nghe"), e.unit("dtt-vinh-thanh-van")
		// The nearest unit above both.
		var above int64
		for _, a := range storage.AncestorIDs(khmer.Path) {
			if strings.Contains(viet.Path, fmt.Sprintf("/%d/", a)) && a != khmer.ID {
				above = a
			}
		}
		if above == 0 {
			t.Fatalf("no common unit above %s and %s", khmer.Path, viet.Path)
		}
		dk := e.enrolDevice("dtt-hon-nghe", "Cụm loa ấp Bãi Chướng")
		dv := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa khu phố 1")
		if _, err := e.svc.Scheduler().SetUnitLanguages(ctx, sys, khmer.ID, []string{"km", "vi"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Scheduler().SetUnitLanguages(ctx, sys, khmer.ID, []string{"khmer language"}); err == nil {
			t.Error("a bad language code was accepted")
		}
		vi, err := e.svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: above, Title: "Tiêm vắc xin", Text: "Bà con đi tiêm vắc xin lúc 7h30 tại trạm y tế."})
		if err != nil {
			t.Fatal(err)
		}
		// A recorded Khmer reading (a tone stands in for the voice).
		wav, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-f", "wav", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		km, err := e.svc.Library().UploadMedia(ctx, sys, broadcast.MediaInput{UnitID: above, Title: "Tiêm vắc xin (tiếng Khmer)", Source: broadcast.SourceRecording}, bytes.NewReader(wav))
		if err != nil {
			t.Fatal(err)
		}
		day := schedule.DateOf(clock.Now()).String()
		input := broadcast.OrderInput{UnitID: above, Title: "Tiêm vắc xin", MediaID: vi.ID, Level: "normal", StartDate: day, EndDate: day,
			Slots: []schedule.Slot{schedule.FixedSlot(schedule.ClockOf(17, 0, 0))}, Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: above}}}
		plain, err := e.svc.OrderBook().CreateOrder(ctx, sys, input)
		if err != nil {
			t.Fatal(err)
		}
		missing, err := e.svc.OrderBook().MissingVersions(ctx, sys, plain.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) != 1 || missing[0].UnitID != khmer.ID || missing[0].Language != "km" {
			t.Errorf("missing versions: %+v", missing)
		}
		if err := e.svc.OrderBook().CancelOrder(ctx, sys, plain.ID); err != nil {
			t.Fatal(err)
		}
		input.Versions = []broadcast.VersionInput{{Language: "km", MediaID: km.ID}}
		o, err := e.svc.OrderBook().CreateOrder(ctx, sys, input)
		if err != nil {
			t.Fatal(err)
		}
		if missing, _ := e.svc.OrderBook().MissingVersions(ctx, sys, o.ID); len(missing) != 0 {
			t.Errorf("missing versions with the Khmer one: %+v", missing)
		}
		shaOf := func(d *testDevice) string {
			t.Helper()
			for _, it := range d.schedule().Items {
				if it.OrderID == o.ID {
					return it.Media.SHA256
				}
			}
			t.Fatalf("device %d has no item of order %d", d.id, o.ID)
			return ""
		}
		if got := shaOf(dk); got != km.SHA256 {
			t.Errorf("Khmer commune plays %s, want the Khmer version %s", got, km.SHA256)
		}
		if got := shaOf(dv); got != vi.SHA256 {
			t.Errorf("Vietnamese commune plays %s, want %s", got, vi.SHA256)
		}
		// Each device may download the audio it plays (any version of an
		// order of its schedule), not audio outside its schedule.
		other, err := e.svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: above, Title: "Khác", Text: "Bản tin khác."})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			d    *testDevice
			sha  string
			want int
		}{{dk, km.SHA256, 200}, {dv, vi.SHA256, 200}, {dk, other.SHA256, 404}} {
			r := e.do("GET", fmt.Sprintf(protocol.PathMedia, c.d.id, c.sha), c.d.cred, nil)
			if r.code != c.want {
				t.Errorf("device %d fetching %s: %d, want %d", c.d.id, c.sha[:8], r.code, c.want)
			}
		}
		// Bad versions are refused.
		for _, v := range []broadcast.VersionInput{{Language: "vi", MediaID: km.ID}, {Language: "km", MediaID: 999999}, {Language: "Khmer!", MediaID: km.ID}} {
			input.Versions = []broadcast.VersionInput{v}
			var ve *model.ValidationError
			if _, err := e.svc.OrderBook().CreateOrder(ctx, sys, input); !errors.As(err, &ve) && !errors.Is(err, model.ErrNotFound) {
				t.Errorf("version %+v: err = %v", v, err)
			}
		}
	})
}
