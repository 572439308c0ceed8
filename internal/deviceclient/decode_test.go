package deviceclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// emergencyEvent is an emergency push as the server sends it.
func emergencyEvent() protocol.Event {
	at := time.Date(2026, 12, 7, 18, 15, 0, 0, time.UTC)
	exp := at.Add(time.Hour)
	return protocol.Event{Type: protocol.EventEmergency, IssuedAt: at, OrderID: 4, Items: []protocol.Item{{ID: "o4-20261207T181500Z", OrderID: 4,
		Title: "Cảnh báo bão số 3: sơ tán khẩn cấp các hộ dân ven biển", Level: "emergency", Interrupts: true,
		Requested: at, Start: at, End: at.Add(90 * time.Second), Expires: &exp,
		Media: protocol.Media{SHA256: "3f2a9c0e5b1d4e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f", Size: 723456, DurationMS: 90000}}}}
}

// The push decoder (JSON v2) reads what encoding/json writes into the
// same event, owns its strings (the stream's buffer is reused), and is
// as lenient as encoding/json.
func TestDecodeEvent(t *testing.T) {
	want := emergencyEvent()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeEvent(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, want)
	}
	var v1 protocol.Event
	for _, c := range []struct{ name, in string }{
		{"names in another case", `{"TYPE":"schedule","Order_ID":3}`},
		{"a repeated name", `{"type":"hello","type":"schedule","order_id":3}`},
		{"unknown members", `{"type":"schedule","order_id":3,"future":{"a":[1,2]}}`},
		{"invalid UTF-8", "{\"type\":\"schedule\",\"order_id\":3,\"items\":[{\"title\":\"B\xe3o\"}]}"},
	} {
		ev, err := decodeEvent([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		v1 = protocol.Event{}
		if err := json.Unmarshal([]byte(c.in), &v1); err != nil {
			t.Fatalf("%s: encoding/json: %v", c.name, err)
		}
		if !reflect.DeepEqual(ev, v1) {
			t.Errorf("%s: decoded %+v, encoding/json %+v", c.name, ev, v1)
		}
	}
	for _, bad := range []string{``, `{"type":`, `{"order_id":"x"}`, `[1]`} {
		if _, err := decodeEvent([]byte(bad)); err == nil {
			t.Errorf("%q decoded without an error", bad)
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	data, err := json.Marshal(emergencyEvent())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("jsonv2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeEvent(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev protocol.Event
			if err := json.Unmarshal(data, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEmergencyReaction measures what an emergency costs one device
// in memory, from the pushed event's data to the play begun (decode, the
// agent's reaction, the player's start), over many agents at once as in
// one simulator process: heap bytes and allocations per device, and the
// goroutine stack memory the plays added (docs/benchmarks.md, round 10).
func BenchmarkEmergencyReaction(b *testing.B) {
	ev := emergencyEvent() // issued now: due and not expired
	at := time.Now().UTC().Truncate(time.Second)
	exp := at.Add(time.Hour)
	it := &ev.Items[0]
	ev.IssuedAt, it.Requested, it.Start, it.End, it.Expires = at, at, at, at.Add(90*time.Second), &exp
	data, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	const n = 500
	var heap, mallocs, stack float64
	for b.Loop() {
		b.StopTimer()
		ctx, cancel := context.WithCancel(context.Background())
		agents := make([]*Agent, n)
		for i := range agents {
			a, err := NewAgent(AgentConfig{Server: srv.URL, Identity: &Identity{Server: srv.URL, DeviceID: 7, Credential: "loa_d_x"},
				Player: NullPlayer{}, HTTP: srv.Client(), SkipMedia: true})
			if err != nil {
				b.Fatal(err)
			}
			agents[i] = a
			go a.playerLoop(ctx)
		}
		time.Sleep(50 * time.Millisecond) // every player loop waiting
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		for _, a := range agents {
			ev, err := decodeEvent(data)
			if err != nil {
				b.Fatal(err)
			}
			a.onEvent(ev)
		}
		for _, a := range agents {
			for deadline := time.Now().Add(10 * time.Second); a.Playing() == nil; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					b.Fatal("an agent did not start the emergency")
				}
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		heap += float64(m1.TotalAlloc-m0.TotalAlloc) / n
		mallocs += float64(m1.Mallocs-m0.Mallocs) / n
		stack += float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / n
		cancel()
		b.StartTimer()
	}
	b.ReportMetric(heap/float64(b.N), "heap-B/device")
	b.ReportMetric(mallocs/float64(b.N), "allocs/device")
	b.ReportMetric(stack/float64(b.N), "stack-B/device")
}
