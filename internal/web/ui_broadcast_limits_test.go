package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestBroadcastLimitsPage: the station operator sets the unit's quiet
// hours, daily maximum and a volume cap on the page "Giới hạn phát", then a
// cluster's own cap; bad input is refused in Vietnamese and stores
// nothing; the cluster's schedule carries its caps (the agent enforces
// them offline); the API reads and writes the same limits; another
// commune's operator can neither read nor change them.
func TestBroadcastLimitsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newBroadcastEnv(t, st)
		commune := e.unit("dtt-vinh-thanh-van")
		dev := e.enrol("dtt-vinh-thanh-van", "Cụm loa chợ")
		p := e.signIn("phatthanh.vinhthanhvan")
		code, body := p.get("/broadcast/limits")
		if code != http.StatusOK {
			t.Fatalf("limits page: %d", code)
		}
		for _, want := range []string{"Giờ yên tĩnh và giới hạn âm lượng", "Không có giờ yên tĩnh", "Cụm loa: Cụm loa chợ", `name="quiet_start"`, "Lưu giới hạn"} {
			if !strings.Contains(body, want) {
				t.Errorf("limits page lacks %q", want)
			}
		}
		q := fmt.Sprintf("?unit=%d", commune.ID)
		// Half a quiet window, then a volume above 100 %: refused, nothing stored.
		code, _, body = p.post("/broadcast/limits"+q, url.Values{"device_id": {"0"}, "quiet_start": {"21:00"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "cả giờ bắt đầu và giờ kết thúc") {
			t.Errorf("half a quiet window: %d", code)
		}
		code, _, body = p.post("/broadcast/limits"+q, url.Values{"device_id": {"0"}, "cap_from_0": {"05:00"}, "cap_to_0": {"06:30"}, "cap_max_0": {"150"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "Âm lượng tối đa 150 % không hợp lệ") {
			t.Errorf("a cap of 150 %%: %d", code)
		}
		if n := countRows(t, st, `SELECT count(*) FROM broadcast_limits`); n != 0 {
			t.Fatalf("refused limits stored %d rows", n)
		}
		code, loc, _ := p.post("/broadcast/limits"+q, url.Values{"device_id": {"0"}, "quiet_start": {"21:00"}, "quiet_end": {"05:00"}, "max_daily_minutes": {"90"},
			"cap_from_0": {"05:00"}, "cap_to_0": {"06:30"}, "cap_max_0": {"60"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#limits-0") {
			t.Fatalf("save unit limits: %d %s", code, loc)
		}
		_, body = p.get("/broadcast/limits" + q)
		for _, want := range []string{"Giờ yên tĩnh 21:00–05:00", "Tối đa 90 phút mỗi ngày", "05:00–06:30: âm lượng tối đa 60 %", "Đặt riêng (người đặt: phatthanh.vinhthanhvan)"} {
			if !strings.Contains(body, want) {
				t.Errorf("after saving, the page lacks %q", want)
			}
		}
		// The cluster inherits the unit's caps; then gets its own.
		if l := dev.schedule().Limits; l == nil || l.QuietStart != "21:00" || len(l.VolumeCaps) != 1 || l.VolumeCaps[0].Max != 60 {
			t.Errorf("the cluster's schedule carries %+v, want the unit's limits", l)
		}
		code, loc, _ = p.post("/broadcast/limits"+q, url.Values{"device_id": {fmt.Sprint(dev.id)}, "quiet_start": {"22:00"}, "quiet_end": {"05:30"},
			"cap_from_0": {"11:00"}, "cap_to_0": {"13:30"}, "cap_max_0": {"40"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, fmt.Sprintf("#limits-%d", dev.id)) {
			t.Fatalf("save cluster limits: %d %s", code, loc)
		}
		if l := dev.schedule().Limits; l == nil || l.QuietStart != "22:00" || len(l.VolumeCaps) != 1 || l.VolumeCaps[0].Max != 40 {
			t.Errorf("the cluster's schedule carries %+v, want its own limits", l)
		}

		// The API: the same limits, read and written.
		api := func(method, path string, body any) (int, map[string]any) {
			t.Helper()
			var rd io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytes.NewReader(b)
			}
			req, err := http.NewRequest(method, e.srv.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", p.csrf)
			resp, err := p.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		path := fmt.Sprintf("/api/v1/broadcast/units/%d/limits", commune.ID)
		code, got := api(http.MethodGet, path+fmt.Sprintf("?device=%d", dev.id), nil)
		if code != http.StatusOK || got["quiet_start"] != "22:00" || got["quiet_end"] != "05:30" {
			t.Errorf("GET cluster limits: %d %v", code, got)
		}
		code, got = api(http.MethodPut, path, map[string]any{"quiet_start": "", "quiet_end": "", "max_daily_minutes": 0, "volume_caps": []any{}})
		if code != http.StatusOK || got["quiet_start"] != "" || got["max_daily_minutes"] != float64(0) {
			t.Errorf("PUT no unit limits: %d %v", code, got)
		}
		code, got = api(http.MethodPut, path, map[string]any{"quiet_start": "25:00", "quiet_end": "05:00"})
		if code != http.StatusBadRequest {
			t.Errorf("PUT 25:00: %d %v", code, got)
		}
		// Another commune's operator.
		other := e.signIn("phatthanh.honnghe")
		if code, _ := other.get("/broadcast/limits" + q); code != http.StatusForbidden {
			t.Errorf("another commune's operator reads the page: %d", code)
		}
		if code, _, _ := other.post("/broadcast/limits"+q, url.Values{"device_id": {"0"}, "max_daily_minutes": {"1"}}); code != http.StatusForbidden {
			t.Errorf("another commune's operator saves limits: %d", code)
		}
	})
}
