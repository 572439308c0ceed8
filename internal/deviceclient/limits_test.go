package deviceclient

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// volumePlayer records the volume each item was played at.
type volumePlayer struct {
	mu     sync.Mutex
	volume int
	played map[string]int
}

func (p *volumePlayer) SetVolume(v int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.volume = v
	return nil
}

func (p *volumePlayer) Play(ctx context.Context, path string, it protocol.Item) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.played[it.ID] = p.volume
	return nil
}

// TestAgentCapsVolumeOffline: an agent that only has its cached schedule
// (the server unreachable) plays a normal item at night at the schedule's
// cap, under the volume the operator set, and an emergency at the
// operator's volume.
func TestAgentCapsVolumeOffline(t *testing.T) {
	dir := t.TempDir()
	vn := time.FixedZone("ICT", 7*3600)
	sched := &protocol.Schedule{DeviceID: 7, Timezone: "Asia/Ho_Chi_Minh", Items: []protocol.Item{},
		Limits: &protocol.Limits{QuietStart: "21:00", QuietEnd: "05:00", VolumeCaps: []protocol.VolumeCap{{From: "21:00", To: "05:00", Max: 30}, {From: "05:00", To: "07:00", Max: 70}}}}
	if err := writeJSON(dir+"/schedule.json", map[string]any{"etag": `"x"`, "schedule": sched}, 0o640); err != nil {
		t.Fatal(err)
	}
	night := time.Date(2021, 6, 7, 22, 15, 0, 0, vn)
	clock := NewManualClock(night)
	pl := &volumePlayer{played: map[string]int{}}
	a, err := NewAgent(AgentConfig{Server: "http://127.0.0.1:1", CacheDir: dir, Player: pl, Clock: clock, SkipMedia: true, Identity: &Identity{DeviceID: 7, Credential: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Schedule(); s == nil || s.Limits == nil {
		t.Fatal("the cached schedule or its limits were not loaded")
	}
	a.command(protocol.Command{Kind: protocol.CommandVolume, Volume: 80})
	ctx := context.Background()
	r := a.startPlayRunner()
	defer r.stop()
	a.play(ctx, r, protocol.Item{ID: "n1", Level: "normal", Start: night, End: night.Add(time.Second)})
	a.play(ctx, r, protocol.Item{ID: "e1", Level: "emergency", Start: night, End: night.Add(time.Second)})
	clock.Set(time.Date(2021, 6, 8, 6, 0, 0, 0, vn))
	a.play(ctx, r, protocol.Item{ID: "n2", Level: "priority"})
	clock.Set(time.Date(2021, 6, 8, 12, 0, 0, 0, vn))
	a.play(ctx, r, protocol.Item{ID: "n3", Level: "normal"})
	want := map[string]int{"n1": 30, "e1": 80, "n2": 70, "n3": 80}
	for id, v := range want {
		if pl.played[id] != v {
			t.Errorf("item %s played at volume %d, want %d", id, pl.played[id], v)
		}
	}
}
