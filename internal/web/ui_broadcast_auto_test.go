package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// fakeScheduler stands in for package bridge: canned jobs, recorded
// retries.
type fakeScheduler struct {
	mu      sync.Mutex
	jobs    []bridge.AutoJob
	retried []int64
}

func (f *fakeScheduler) Schedule(ctx context.Context, a model.Actor, unitID int64) (*bridge.Result, error) {
	return &bridge.Result{}, nil
}

func (f *fakeScheduler) Jobs(ctx context.Context, a model.Actor, unitID int64, limit int) ([]bridge.AutoJob, error) {
	return f.jobs, nil
}

func (f *fakeScheduler) Retry(ctx context.Context, a model.Actor, unitID, jobID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if jobID != 2 {
		return fmt.Errorf("job %d: %w", jobID, model.ErrNotFound)
	}
	f.retried = append(f.retried, jobID)
	return nil
}

// TestAutoSchedulingSettings: the orders page shows the station's setting
// (on by default) and saves it; the API reads and writes it and refuses a
// viewer; the recent jobs read in Vietnamese with what was scheduled and
// what waits, and one that gave up has a retry button that works.
func TestAutoSchedulingSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		now := time.Now().UTC()
		fake := &fakeScheduler{}
		e := newBroadcastEnv(t, st, func(d *web.Deps) { d.Scheduler = fake })
		commune := e.unit("dtt-vinh-thanh-van")
		ward := e.unit("ubnd-vinh-thanh-van")
		fake.jobs = []bridge.AutoJob{
			{AutoScheduleJob: &model.AutoScheduleJob{ID: 1, DeliveryID: 11, UnitID: commune.ID, Code: "1235/UBND", CreatedAt: now, DoneAt: &now}, State: "done",
				Outcome: &bridge.AutoResult{Units: []bridge.AutoUnitResult{{UnitID: commune.ID, Result: bridge.Result{
					Created: []bridge.ItemResult{{Label: "1", Level: "emergency", OrderID: 5}},
					Skipped: []bridge.ItemResult{{Label: "2", Level: "priority", Reason: bridge.ReasonAutoOff}, {Label: "3", Level: "normal", Reason: bridge.ReasonNormal},
						{Label: "4", Level: "priority", Problem: "repeats 90: play it 1-48 times", ProblemVI: "Số lần phát 90 không hợp lệ"}}}}}}},
			// Delivered to the ward's People's Committee: its inbox is not the station's.
			{AutoScheduleJob: &model.AutoScheduleJob{ID: 2, DeliveryID: 12, UnitID: ward.ID, Code: "77/UBND", CreatedAt: now, FailedAt: &now, Attempts: 8,
				LastError: "text-to-speech: engine crashed"}, State: "failed"},
		}
		p := e.signIn("phatthanh.vinhthanhvan")
		code, body := p.get("/broadcast/orders")
		if code != http.StatusOK {
			t.Fatalf("orders page: %d", code)
		}
		box := regexp.MustCompile(`(?s)<form method="post" action="/broadcast/settings".*?</form>`).FindString(body)
		if !strings.Contains(box, "Tự động lên lịch nội dung ưu tiên") || !strings.Contains(box, `value="1" checked`) {
			t.Fatalf("settings form (on by default): %s", box)
		}
		jobs := regexp.MustCompile(`(?s)<table class="grid" id="auto-jobs">.*?</table>`).FindString(body)
		for _, want := range []string{"1235/UBND", "Đã lên lịch: mục 1 (Khẩn cấp)", "Chờ đài lên lịch: mục 2 (Ưu tiên), mục 3 (Thông thường)",
			"Không lên lịch được, đài cần xử lý: mục 4 (Số lần phát 90 không hợp lệ)",
			"Không thành công", "không lên lịch được do lỗi hệ thống", `action="/broadcast/auto-schedule/2/retry"`, `href="/inbox/11"`} {
			if !strings.Contains(jobs, want) {
				t.Errorf("jobs table lacks %q:\n%s", want, jobs)
			}
		}
		if strings.Contains(jobs, "/broadcast/auto-schedule/1/retry") {
			t.Error("a job that is done has a retry button")
		}
		if strings.Contains(jobs, `href="/inbox/12"`) {
			t.Error("a link to the inbox of the ward's People's Committee, which the station cannot open")
		}

		// Turning it off (checkbox unticked) is saved and audited.
		code, loc, _ := p.post("/broadcast/settings", url.Values{"unit": {fmt.Sprint(commune.ID)}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#auto-schedule") {
			t.Fatalf("save settings: %d %s", code, loc)
		}
		_, body = p.get("/broadcast/orders")
		if box := regexp.MustCompile(`(?s)<form method="post" action="/broadcast/settings".*?</form>`).FindString(body); strings.Contains(box, "checked") {
			t.Fatalf("setting still on: %s", box)
		}
		token := e.tokenFor("phatthanh.vinhthanhvan")
		var got model.BroadcastSettings
		e.do("GET", fmt.Sprintf("/api/v1/broadcast/units/%d/settings", commune.ID), token, nil).json(t, &got)
		if got.AutoPriority || got.UpdatedBy != "phatthanh.vinhthanhvan" {
			t.Fatalf("settings after the form: %+v", got)
		}
		r := e.do("PUT", fmt.Sprintf("/api/v1/broadcast/units/%d/settings", commune.ID), token, map[string]any{"auto_schedule_priority": true})
		r.json(t, &got)
		if r.code != http.StatusOK || !got.AutoPriority {
			t.Fatalf("PUT settings: %d %s", r.code, r.body)
		}
		for _, bad := range []any{map[string]any{"auto_schedule_priority": "yes"}, map[string]any{}, map[string]any{"auto_priority": false}} {
			if r := e.do("PUT", fmt.Sprintf("/api/v1/broadcast/units/%d/settings", commune.ID), token, bad); r.code != http.StatusBadRequest {
				t.Fatalf("settings %v: %d %s", bad, r.code, r.body)
			}
		}
		e.do("GET", fmt.Sprintf("/api/v1/broadcast/units/%d/settings", commune.ID), token, nil).json(t, &got)
		if !got.AutoPriority {
			t.Fatalf("refused changes changed the settings: %+v", got)
		}
		other := e.unit("dtt-vinh-lac")
		if r := e.do("PUT", fmt.Sprintf("/api/v1/broadcast/units/%d/settings", other.ID), token, map[string]any{"auto_schedule_priority": false}); r.code != http.StatusForbidden {
			t.Fatalf("another commune's settings: %d %s", r.code, r.body)
		}
		if n := countRows(t, st, `SELECT count(*) FROM audit_log WHERE action = 'broadcast.settings'`); n != 2 {
			t.Errorf("%d settings changes audited, want 2", n)
		}

		// Retry from the page and through the API.
		code, loc, _ = p.post("/broadcast/auto-schedule/2/retry", url.Values{"unit": {fmt.Sprint(commune.ID)}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "#auto-schedule") {
			t.Fatalf("retry: %d %s", code, loc)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/broadcast/units/%d/auto-schedule/2/retry", commune.ID), token, nil); r.code != http.StatusAccepted {
			t.Fatalf("API retry: %d %s", r.code, r.body)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/broadcast/units/%d/auto-schedule/9/retry", commune.ID), token, nil); r.code != http.StatusNotFound {
			t.Fatalf("retry of an unknown job: %d %s", r.code, r.body)
		}
		var list struct {
			Jobs []bridge.AutoJob `json:"jobs"`
		}
		e.do("GET", fmt.Sprintf("/api/v1/broadcast/units/%d/auto-schedule?limit=5", commune.ID), token, nil).json(t, &list)
		if len(list.Jobs) != 2 || list.Jobs[1].State != "failed" {
			t.Fatalf("API jobs: %+v", list)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/broadcast/units/%d/auto-schedule?limit=0", commune.ID), token, nil); r.code != http.StatusBadRequest {
			t.Fatalf("limit 0: %d", r.code)
		}
		fake.mu.Lock()
		defer fake.mu.Unlock()
		if len(fake.retried) != 2 {
			t.Fatalf("retries: %v", fake.retried)
		}
	})
}

func countRows(t *testing.T, st *storage.Store, query string) int {
	t.Helper()
	var n int
	if err := st.QueryRowRaw(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
