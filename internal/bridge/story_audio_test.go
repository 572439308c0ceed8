package bridge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestUpperLevelAudioReachesTheLoudspeaker: the Sở attaches the recorded
// bulletin of 576 to item 3 of 570; Rạch Giá's implementing draft carries
// it (item and attachment, by blob hash) to its wards; automatic
// scheduling at Vĩnh Thanh Vân's radio makes the order from that audio,
// titled by its content, and a loudspeaker fetching its schedule and media
// gets the Sở's recordings (original sha256), both of them, the second
// right after the first — speech only for the items without audio.
func TestUpperLevelAudioReachesTheLoudspeaker(t *testing.T) {
	requireTools(t)
	ttsCache := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		w := newStoryWorld(t, st, ttsCache)
		itemAudio := func(code, unitCode string, position int) ([]string, string) {
			t.Helper()
			var audio, content string
			if err := st.QueryRowRaw(ctx, `SELECT i.audio, d.content FROM directive_items i JOIN directives d ON d.id = i.directive_id
				JOIN units u ON u.id = d.unit_id WHERE d.code LIKE ? AND u.code = ? AND i.position = ?`, code+"%", unitCode, position).Scan(&audio, &content); err != nil {
				t.Fatalf("item %d of %s at %s: %v", position, code, unitCode, err)
			}
			var shas []string
			if err := json.Unmarshal([]byte(audio), &shas); err != nil {
				t.Fatal(err)
			}
			return shas, content
		}
		// The Sở's 570: item 3 carries the two recordings of 576.
		soAudio, _ := itemAudio("570/STTTT", "so-tttt-kg", 3)
		if len(soAudio) != 2 {
			t.Fatalf("570 item 3 carries %d audio files, want 2", len(soAudio))
		}
		// Rạch Giá's implementing letter carries them by hash, item and
		// attachment alike (its editor lists them, saving keeps them).
		var rgCode string
		if err := st.QueryRowRaw(ctx, `SELECT d.code FROM directives d JOIN units u ON u.id = d.unit_id WHERE u.code = 'ubnd-rach-gia' AND d.status = 'issued'`).Scan(&rgCode); err != nil {
			t.Fatal(err)
		}
		rgAudio, rgContent := itemAudio(rgCode, "ubnd-rach-gia", 3)
		if strings.Join(rgAudio, ",") != strings.Join(soAudio, ",") {
			t.Fatalf("Rạch Giá's item 3 audio %v, want the Sở's %v", rgAudio, soAudio)
		}
		var c directives.Content
		if err := json.Unmarshal([]byte(rgContent), &c); err != nil {
			t.Fatal(err)
		}
		attached := map[string]string{}
		for _, a := range c.Attachments {
			if a.Kind == "audio" {
				attached[a.SHA256] = a.Name
			}
		}
		if attached[soAudio[0]] != "5K-vac-xin.wav" || attached[soAudio[1]] != "quy-vac-xin-covid-19.wav" {
			t.Fatalf("Rạch Giá's attachments %v lack the Sở's recordings", attached)
		}

		// The ward's radio schedules the delivery automatically.
		b := &bridge.Bridge{Directives: directives.NewAPI(w.dirs), Broadcast: broadcast.NewAPI(w.bc), Blobs: w.blobs, Units: st.Orgs(), Policy: w.policy,
			Now: w.clock.Now, Location: w.loc, Store: st, Log: w.log}
		if _, err := b.AutoSchedulePending(ctx); err != nil {
			t.Fatal(err)
		}
		radio, err := st.Orgs().UnitByCode(ctx, "dtt-vinh-thanh-van")
		if err != nil {
			t.Fatal(err)
		}

		// A loudspeaker of the ward enrols and fetches as a device does.
		api := broadcast.NewAPI(w.bc)
		key, _, err := api.CreateEnrolmentKey(ctx, sys, radio.ID, "test", nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		enr, err := api.Enrol(ctx, protocol.EnrolRequest{Key: key, Name: "Cụm loa khu phố 1", Kind: protocol.KindLoudspeaker}, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		da, err := api.AuthenticateDevice(ctx, enr.Credential, enr.DeviceID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := api.DeviceSchedule(ctx, da, "")
		if err != nil {
			t.Fatal(err)
		}
		var sched protocol.Schedule
		if err := json.Unmarshal(res.Body, &sched); err != nil {
			t.Fatal(err)
		}
		var recorded, spoken int
		// Item 3's two recordings: at each of its times the first, then
		// the second as soon as the first ends.
		parts := map[time.Time][]protocol.Item{}
		for _, it := range sched.Items {
			if !strings.Contains(it.Title, rgCode) {
				continue
			}
			if strings.Contains(it.Title, ", mục 3, bản ghi ") {
				recorded++
				parts[it.Requested] = append(parts[it.Requested], it)
				if !strings.HasPrefix(it.Title, "Tiếp tục thông tin, tuyên truyền") {
					t.Errorf("order titled %q, want its content first", it.Title)
				}
				if it.Media.OriginalSHA256 != soAudio[0] && it.Media.OriginalSHA256 != soAudio[1] {
					t.Fatalf("the loudspeaker plays %q made from %q, want the Sở's recordings %v", it.Media.SHA256, it.Media.OriginalSHA256, soAudio)
				}
				f, err := api.OpenDeviceMedia(ctx, da, it.Media.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.New()
				n, err := io.Copy(h, f)
				f.Close()
				if err != nil || n != it.Media.Size || hex.EncodeToString(h.Sum(nil)) != it.Media.SHA256 {
					t.Fatalf("media download: %d bytes, %v, sha256 mismatch", n, err)
				}
			} else {
				spoken++
				if it.Media.OriginalSHA256 != "" {
					t.Errorf("item without audio %q plays a recording %s", it.Title, it.Media.OriginalSHA256)
				}
			}
		}
		if recorded == 0 || spoken == 0 {
			t.Fatalf("schedule of the ward's loudspeaker: %d plays of the recording, %d of speech: %+v", recorded, spoken, sched.Items)
		}
		for at, its := range parts {
			sort.Slice(its, func(i, j int) bool { return its[i].Start.Before(its[j].Start) })
			if len(its) != 2 || its[0].Media.OriginalSHA256 != soAudio[0] || its[1].Media.OriginalSHA256 != soAudio[1] ||
				!strings.HasSuffix(its[0].Title, "bản ghi 1/2)") || !strings.HasSuffix(its[1].Title, "bản ghi 2/2)") {
				t.Fatalf("at %s item 3 plays %+v, want the Sở's two recordings in order", at, its)
			}
			if its[1].Start.Before(its[0].End) || its[1].Start.Sub(its[0].End) > time.Second {
				t.Errorf("at %s the second recording starts at %s, the first ends at %s: want it right after", at, its[1].Start, its[0].End)
			}
		}
	})
}
