package deviceclient

import (
	"encoding/json"
	"reflect"
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
