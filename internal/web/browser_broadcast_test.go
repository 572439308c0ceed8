package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// seedItem1 is content item 1 of the seed letter 570/STTTT-TTBCBC.
const seedItem1 = "Tuyên truyền trách nhiệm mỗi cá nhân, cơ quan, đơn vị, tổ chức thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ để chủ động chống dịch, sản xuất kinh doanh an toàn, đảm bảo thực hiện thắng lợi mục tiêu kép."

// requireAudioTools fails (CI=true) or skips when Debian's ffmpeg or
// espeak-ng is missing.
func requireAudioTools(t testing.TB) {
	t.Helper()
	for _, tool := range [][2]string{{"ffmpeg", "ffmpeg"}, {"ffprobe", "ffmpeg"}, {"espeak-ng", "espeak-ng"}} {
		if _, err := media.LookTool("", tool[0], tool[1]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%v", err)
			}
			t.Skipf("skipping: %v", err)
		}
	}
}

// bcEnv is a running Loa with the broadcast service (media with ffmpeg,
// speech with espeak-ng) on a fresh store with the demo dataset.
type bcEnv struct {
	*env
	svc *broadcast.Service
}

// newBroadcastEnv is newEnv with the broadcast service.
func newBroadcastEnv(t *testing.T, st *storage.Store, opts ...func(*web.Deps)) *bcEnv {
	t.Helper()
	requireAudioTools(t)
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("LOA_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e := &env{t: t, store: st, orgs: orgs.New(st, policy), accounts: accounts.New(st, policy, log)}
	e.blobDir = filepath.Join(t.TempDir(), "blobs")
	blobs, err := blob.NewFS(e.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := media.New(media.Config{TempDir: t.TempDir(), MaxFileSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	esp, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		t.Fatal(err)
	}
	speech, err := tts.NewCached(esp, esp.ID(), t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: speech,
		Location: i18n.Zone(), MaxUpload: 8 << 20, FlushInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	e.documents = documents.New(st, blobs, policy, log)
	e.registry = registry.New(st, policy, i18n.Zone())
	deps := web.Deps{Accounts: e.accounts, Orgs: e.orgs, Documents: e.documents, Registry: e.registry, Broadcast: broadcast.NewAPI(svc),
		Health: st, Policy: policy, Log: log, Version: "test"}
	for _, o := range opts {
		o(&deps)
	}
	h, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.creds, err = (&demo.Loader{Store: st, Orgs: e.orgs, Accounts: e.accounts}).Ensure(context.Background(), t.TempDir(), e.srv.URL)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return &bcEnv{env: e, svc: svc}
}

// device is an enrolled device speaking the device protocol.
type device struct {
	e          *bcEnv
	id         int64
	credential string
}

// enrol creates an enrolment key for a unit through the service and
// enrols a device with it through the device API.
func (e *bcEnv) enrol(unitCode, name string) *device {
	e.t.Helper()
	unit := e.unit(unitCode)
	key, _, err := e.svc.Fleet().CreateEnrolmentKey(context.Background(), model.System("test"), unit.ID, "test", nil, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	res := e.do(http.MethodPost, protocol.PathEnrol, "", protocol.EnrolRequest{Key: key, Name: name, Kind: protocol.KindLoudspeaker})
	if res.code != http.StatusCreated {
		e.t.Fatalf("enrol: %d %s", res.code, res.body)
	}
	var out protocol.EnrolResponse
	res.json(e.t, &out)
	return &device{e: e, id: out.DeviceID, credential: out.Credential}
}

// call sends a device request.
func (d *device) call(method, path string, body any) result {
	d.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			d.e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, d.e.srv.URL+path, rd)
	if err != nil {
		d.e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.credential)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.e.srv.Client().Do(req)
	if err != nil {
		d.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

// schedule fetches the device's schedule (which also records its items
// for the day view, as a real device's poll does).
func (d *device) schedule() protocol.Schedule {
	d.e.t.Helper()
	res := d.call(http.MethodGet, fmt.Sprintf(protocol.PathSchedule, d.id), nil)
	if res.code != http.StatusOK {
		d.e.t.Fatalf("schedule: %d %s", res.code, res.body)
	}
	var s protocol.Schedule
	res.json(d.e.t, &s)
	return s
}

func (d *device) heartbeat() {
	d.e.t.Helper()
	if res := d.call(http.MethodPost, fmt.Sprintf(protocol.PathHeartbeat, d.id), protocol.Heartbeat{Status: "ok", Volume: 70, Signal: -67, Firmware: "loa-agent test"}); res.code != http.StatusOK {
		d.e.t.Fatalf("heartbeat: %d %s", res.code, res.body)
	}
}

func (d *device) played(it protocol.Item) {
	d.e.t.Helper()
	ev := protocol.PlayEvent{EventID: "ev-" + it.ID, ItemID: it.ID, Status: protocol.PlayCompleted, StartedAt: it.Start, EndedAt: it.End}
	if res := d.call(http.MethodPost, fmt.Sprintf(protocol.PathPlayLogs, d.id), protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev}}); res.code != http.StatusOK {
		d.e.t.Fatalf("play log: %d %s", res.code, res.body)
	}
}

// TestBrowserBroadcast is the broadcaster's day in the browser: a text
// bulletin from the seed's item 1, a priority order at 06:00 and 17:00 on
// the commune's loudspeaker, the day calendar with the order's items in
// the device's column, and an emergency with its confirmation step.
func TestBrowserBroadcast(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newBroadcastEnv(t, st)
	ctx := browsertest.New(t, 180*time.Second)
	dev := e.enrol("dtt-vinh-thanh-van", "Cụm loa tổ 3")
	dev.heartbeat()
	shots := os.Getenv("LOA_SCREENSHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		if err != nil {
			t.Logf("screenshot %s: %v", name, err)
			return
		}
		_ = os.WriteFile(filepath.Join(shots, name+".jpg"), png, 0o644)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login?next=/broadcast"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "phatthanh.vinhthanhvan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stats`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if units := text(`#units`); !strings.Contains(units, "Vĩnh Thanh Vân") {
		t.Fatalf("overview by unit: %q", units)
	}
	if nav := text(`nav.main a.active`); nav != "Phát thanh" {
		t.Fatalf("active nav link %q", nav)
	}
	shot("broadcast-overview")

	// A text bulletin from the seed's item 1.
	const bulletin = "Mục 1: trách nhiệm phòng, chống Covid-19"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/broadcast/media"),
		chromedp.WaitVisible(chromedp.CSS(`#tts-form`)),
		chromedp.SendKeys(chromedp.CSS(`#tts-form input[name="title"]`), bulletin),
		chromedp.SetValue(chromedp.CSS(`#tts-form textarea[name="text"]`), seedItem1),
		chromedp.SetValue(chromedp.CSS(`#tts-form select[name="voice"]`), "vi-south"),
		chromedp.Click(chromedp.CSS(`#tts-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	); err != nil {
		t.Fatalf("text-to-speech: %v", err)
	}
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var r=[...document.querySelectorAll('#media tbody tr')].find(r=>r.textContent.includes(`+jsString(bulletin)+`));return r?r.id:""})()`))
	if err != nil || row == "" {
		t.Fatalf("bulletin not in the library (%v): %s", err, text(`#media`))
	}
	mediaID := strings.TrimPrefix(row, "media-")
	if cells := text(`#` + row); !strings.Contains(cells, "Giọng đọc máy") || !strings.Contains(cells, "Giọng miền Nam") || !strings.Contains(cells, "Đã chỉnh âm lượng chuẩn") {
		t.Fatalf("library row: %q", cells)
	}
	// The player's audio is served to the signed-in user.
	dur, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise(function(ok){var a=document.querySelector('#`+row+` audio');a.preload='metadata';a.addEventListener('loadedmetadata',function(){ok(a.duration)});a.addEventListener('error',function(){ok(-1)});a.load()})`, chromedp.EvalAwaitPromise))
	if err != nil || dur < 5 {
		t.Fatalf("the player's audio lasts %.1f s (%v)", dur, err)
	}
	shot("broadcast-media")

	// A priority order at 06:00 and 17:00 on the commune's loudspeaker.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/broadcast/orders"),
		chromedp.WaitVisible(chromedp.CSS(`#order-form`)),
		chromedp.SetValue(chromedp.CSS(`#order-form select[name="media_id"]`), mediaID),
		chromedp.Click(chromedp.CSS(`#order-form input[name="level"][value="priority"]`)),
		chromedp.SetValue(chromedp.CSS(`#order-form input[name="slots"]`), "06:00, 17:00"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#order-form input[name="target"][value="device:%d"]`, dev.id))),
	); err != nil {
		t.Fatalf("fill the order form: %v", err)
	}
	shot("broadcast-orders-form")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#order-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#order-facts`)),
	); err != nil {
		t.Fatalf("create the order: %v", err)
	}
	if facts := text(`#order-facts`); !strings.Contains(facts, "06:00, 17:00") || !strings.Contains(facts, "Cụm loa tổ 3") || !strings.Contains(facts, bulletin) {
		t.Fatalf("order facts: %q", facts)
	}
	if h := text(`main h1`); !strings.Contains(h, "Ưu tiên") {
		t.Fatalf("order heading %q", h)
	}

	// The device polls its schedule; the day view shows the order's
	// items in its column.
	sched := dev.schedule()
	var slots []string
	for _, it := range sched.Items {
		if it.Level == "priority" {
			slots = append(slots, it.Requested.In(i18n.Zone()).Format("15:04"))
		}
	}
	if len(slots) < 2 || slots[0] != "06:00" || slots[1] != "17:00" {
		t.Fatalf("schedule of the device: %v", slots)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/broadcast/day"),
		chromedp.WaitVisible(chromedp.CSS(`#daygrid`)),
	); err != nil {
		t.Fatalf("day view: %v", err)
	}
	col := fmt.Sprintf(`#daygrid .col[data-device="%d"]`, dev.id)
	items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('`+col+` .item.level-priority')].map(i=>i.textContent.trim())`))
	if err != nil || len(items) != 2 || !strings.Contains(items[0], "06:00") || !strings.Contains(items[1], "17:00") || !strings.Contains(items[0], bulletin) {
		t.Fatalf("items in the device's column: %q (%v)", items, err)
	}
	// 17:00 lies below 06:00 on the time axis.
	tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('`+col+` .item')].map(i=>i.offsetTop)`))
	if err != nil || len(tops) != 2 || tops[1]-tops[0] < 10*48 {
		t.Fatalf("item positions %v (%v)", tops, err)
	}
	shot("broadcast-day")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#day-next`)), chromedp.WaitVisible(chromedp.CSS(`#day-prev`))); err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().In(i18n.Zone()).AddDate(0, 0, 1).Format("02/01/2006")
	if label := text(`#day-label`); !strings.Contains(label, tomorrow) {
		t.Fatalf("next day label %q, want %s", label, tomorrow)
	}

	// An emergency, with its confirmation step.
	const alarm = "Bão số 5 đổ bộ"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/broadcast"),
		chromedp.WaitVisible(chromedp.CSS(`#emergency summary`)),
		chromedp.Click(chromedp.CSS(`#emergency summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#emergency-form textarea[name="text"]`)),
		chromedp.SetValue(chromedp.CSS(`#emergency-form input[name="title"]`), alarm),
		chromedp.SetValue(chromedp.CSS(`#emergency-form textarea[name="text"]`), "Bão số 5 sắp đổ bộ. Đề nghị bà con chằng chống nhà cửa, không ra khơi."),
		chromedp.SetValue(chromedp.CSS(`#emergency-form input[name="repeats"]`), "2"),
	); err != nil {
		t.Fatalf("emergency form: %v", err)
	}
	shot("broadcast-emergency-form")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#emergency-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#emergency-send`)),
	); err != nil {
		t.Fatalf("emergency review: %v", err)
	}
	if got := text(`#confirm-devices`); !strings.Contains(got, "1 thiết bị") {
		t.Fatalf("confirmation says %q", got)
	}
	if orders, _ := e.svc.OrderBook().Orders(context.Background(), model.System("test"), e.unit("dtt-vinh-thanh-van").ID); len(orders) != 1 {
		t.Fatalf("the review step sent something: %d orders", len(orders))
	}
	shot("broadcast-emergency-confirm")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#emergency-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#order-facts`)),
	); err != nil {
		t.Fatalf("send the emergency: %v", err)
	}
	if h, flash := text(`main h1`), text(`.flash`); !strings.Contains(h, alarm) || !strings.Contains(h, "Khẩn cấp") || !strings.Contains(flash, "khẩn cấp") {
		t.Fatalf("after the emergency: %q / %q", h, flash)
	}
	// The device gets it, plays it and reports; the day view shows it
	// played, in red.
	var urgent *protocol.Item
	for _, it := range dev.schedule().Items {
		if it.Level == "emergency" {
			urgent = &it
			break
		}
	}
	if urgent == nil {
		t.Fatal("the emergency is not in the device's schedule")
	}
	dev.played(*urgent)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/broadcast/day"), chromedp.WaitVisible(chromedp.CSS(`#daygrid`))); err != nil {
		t.Fatal(err)
	}
	played, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('`+col+` .item.level-emergency.state-played')].map(i=>i.textContent.trim())`))
	if err != nil || len(played) != 1 || !strings.HasPrefix(played[0], "✓") || !strings.Contains(played[0], alarm) {
		t.Fatalf("played emergency in the day view: %q (%v)", played, err)
	}
	shot("broadcast-day-after")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/broadcast/devices"), chromedp.WaitVisible(chromedp.CSS(`#devices`))); err != nil {
		t.Fatal(err)
	}
	if row := text(fmt.Sprintf(`#device-%d`, dev.id)); !strings.Contains(row, "Trực tuyến") || !strings.Contains(row, "-67 dBm") {
		t.Fatalf("device row: %q", row)
	}
	shot("broadcast-devices")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/broadcast/orders"), chromedp.WaitVisible(chromedp.CSS(`#orders`))); err != nil {
		t.Fatal(err)
	}
	shot("broadcast-orders")
}

// TestBrowserBroadcastRecording records a bulletin with the browser's
// (fake) microphone and saves it to the library through the media API.
func TestBrowserBroadcastRecording(t *testing.T) {
	if browsertest.ExecPath() == "" {
		browsertest.New(t, time.Second) // skips, or fails in CI
	}
	st, _ := storetest.Open(t, storage.SQLite)
	e := newBroadcastEnv(t, st)
	// The microphone hears a steady tone. (Chromium's default fake input,
	// short beeps at full scale, cannot be normalised to −16 LUFS within
	// the −1.5 dBTP ceiling, and package media refuses it.)
	mic := filepath.Join(t.TempDir(), "mic.wav")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-ac", "2", "-ar", "48000", mic).CombinedOutput(); err != nil {
		t.Fatalf("make the microphone's input: %v: %s", err, out)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browsertest.ExecPath()), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A synthetic microphone, granted without asking.
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", mic))
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })
	const title = "Thông báo lịch tiêm chủng (ghi âm)"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login?next=/broadcast/media"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "phatthanh.vinhthanhvan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recorder`)),
		chromedp.SetValue(chromedp.CSS(`#rec-title`), title),
		chromedp.Click(chromedp.CSS(`#rec-start`)),
		chromedp.WaitEnabled(chromedp.CSS(`#rec-stop`)),
		chromedp.Sleep(2500*time.Millisecond),
		chromedp.Click(chromedp.CSS(`#rec-stop`)),
		chromedp.WaitEnabled(chromedp.CSS(`#rec-save`)),
		chromedp.Click(chromedp.CSS(`#rec-save`)),
	); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rec-status`)))
		t.Fatalf("record: %v (status %q)", err, status)
	}
	// The page reloads with the recording in the library.
	deadline := time.Now().Add(60 * time.Second)
	for {
		list, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#media`)))
		if strings.Contains(list, title) {
			if !strings.Contains(list, "Ghi âm") || !strings.Contains(strings.ToLower(list), "webm") {
				t.Fatalf("recording in the library: %q", list)
			}
			break
		}
		failed, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#rec-status').classList.contains('bad')`))
		if failed || time.Now().After(deadline) {
			status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rec-status`)))
			t.Fatalf("the recording did not reach the library; status %q, list %q", status, list)
		}
		time.Sleep(200 * time.Millisecond)
	}
	lib, err := e.svc.Library().MediaLibrary(context.Background(), model.System("test"), e.unit("dtt-vinh-thanh-van").ID)
	if err != nil || len(lib) != 1 || lib[0].Source != broadcast.SourceRecording || lib[0].DurationMS < 1500 {
		t.Fatalf("library: %+v (%v)", lib, err)
	}
}

var alertRe = regexp.MustCompile(`(?s)role="alert">(.*?)</div>`)

// alertOf returns the error message shown on a page.
func alertOf(body string) string {
	if m := alertRe.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// jsString quotes a Go string for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ---- the pages over plain HTTP, on every engine ----

// page is a signed-in user's browser without JavaScript.
type page struct {
	e      *bcEnv
	client *http.Client
	csrf   string
}

func (e *bcEnv) signIn(username string) *page {
	e.t.Helper()
	p := &page{e: e, client: e.browser()}
	resp, err := p.client.PostForm(e.srv.URL+"/login", url.Values{"username": {username}, "password": {demo.Password}, "next": {"/broadcast"}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: %d", username, resp.StatusCode)
	}
	return p
}

// get fetches a page and remembers its CSRF token.
func (p *page) get(path string) (int, string) {
	p.e.t.Helper()
	resp, err := p.client.Get(p.e.srv.URL + path)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		p.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

// post sends a form (with the CSRF token unless the form sets one).
func (p *page) post(path string, form url.Values) (int, string, string) {
	p.e.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", p.csrf)
	}
	resp, err := p.client.PostForm(p.e.srv.URL+path, form)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// upload sends the audio upload form, fields in the order of the page.
func (p *page) upload(path, title, filename string, data []byte) (int, string, string) {
	p.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", p.csrf)
	_ = mw.WriteField("title", title)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		p.e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	// Like the form, the token is in the URL too (checked before the body
	// is read) and in the body.
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	resp, err := p.client.Post(p.e.srv.URL+path+sep+"csrf="+url.QueryEscape(p.csrf), mw.FormDataContentType(), &body)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// toneWAV is a 2-second 440 Hz tone, mono 16-bit 48 kHz.
func toneWAV() []byte {
	const rate, secs = 48000, 2
	n := rate * secs
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+n*2))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(n*2))
	for i := range n {
		_ = binary.Write(&b, binary.LittleEndian, int16(8000*math.Sin(2*math.Pi*440*float64(i)/rate)))
	}
	return b.Bytes()
}

// TestBroadcastPages drives the forms without a browser on every storage
// engine: upload, refused upload, order errors shown on the form, order,
// emergency review and send, device commands, enrolment key, and who may
// see what.
func TestBroadcastPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newBroadcastEnv(t, st)
		dev := e.enrol("dtt-vinh-thanh-van", "Cụm loa chợ")
		commune := e.unit("dtt-vinh-thanh-van")
		p := e.signIn("phatthanh.vinhthanhvan")
		for _, path := range []string{"/broadcast", "/broadcast/day", "/broadcast/media", "/broadcast/orders", "/broadcast/devices"} {
			code, body := p.get(path)
			if code != http.StatusOK || !strings.Contains(body, "Đài truyền thanh phường Vĩnh Thanh Vân") {
				t.Fatalf("GET %s: %d", path, code)
			}
		}

		// Upload: a tone is accepted, a text file named .mp3 is refused on
		// the form and stores nothing.
		p.get("/broadcast/media")
		code, loc, body := p.upload("/broadcast/media/upload", "Nhạc hiệu", "tone.wav", toneWAV())
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/broadcast/media#media-") {
			t.Fatalf("upload: %d %s %s", code, loc, alertOf(body))
		}
		toneID := strings.TrimPrefix(loc, "/broadcast/media#media-")
		code, _, body = p.upload("/broadcast/media/upload", "Giả mạo", "fake.mp3", []byte(strings.Repeat("không phải âm thanh\n", 200)))
		if code != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `id="upload-form"`) {
			t.Fatalf("fake mp3: %d", code)
		}
		lib, err := e.svc.Library().MediaLibrary(context.Background(), model.System("test"), commune.ID)
		if err != nil || len(lib) != 1 {
			t.Fatalf("library after the refused upload: %d items (%v)", len(lib), err)
		}
		if code, _, _ := p.upload("/broadcast/media/upload", "x", "tone.wav", toneWAV()); code != http.StatusSeeOther {
			t.Fatalf("second upload: %d", code)
		}
		p.csrf = "wrong"
		if code, _, _ := p.upload("/broadcast/media/upload", "x", "tone.wav", toneWAV()); code != http.StatusForbidden {
			t.Fatalf("upload with a wrong CSRF token: %d", code)
		}
		p.get("/broadcast/orders")

		// Order errors are shown on the form, in Vietnamese.
		target := fmt.Sprintf("device:%d", dev.id)
		form := url.Values{"media_id": {toneID}, "level": {"priority"}, "start_date": {time.Now().In(i18n.Zone()).Format("02/01/2006")},
			"end_date": {time.Now().In(i18n.Zone()).AddDate(0, 0, 3).Format("02/01/2006")}, "slots": {"06:00, 25:00"}, "target": {target}}
		code, _, body = p.post("/broadcast/orders", form)
		if code != http.StatusBadRequest || !strings.Contains(body, "“25:00” không phải giờ hợp lệ") || !strings.Contains(body, `value="06:00, 25:00"`) {
			t.Fatalf("bad slot: %d", code)
		}
		form.Set("slots", "06:00, 17:00")
		form.Del("target")
		if code, _, body = p.post("/broadcast/orders", form); code != http.StatusBadRequest || !strings.Contains(body, "Hãy chọn nơi phát") {
			t.Fatalf("no target: %d", code)
		}
		form.Set("target", target)
		form.Set("end_date", "31/02/2026")
		if code, _, body = p.post("/broadcast/orders", form); code != http.StatusBadRequest || !strings.Contains(body, "“31/02/2026” không phải ngày hợp lệ") {
			t.Fatalf("bad date: %d", code)
		}
		form.Set("end_date", time.Now().In(i18n.Zone()).AddDate(0, 0, 3).Format("02/01/2006"))
		code, loc, _ = p.post("/broadcast/orders", form)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/broadcast/orders/") {
			t.Fatalf("create order: %d %s", code, loc)
		}
		code, body = p.get(loc)
		if code != http.StatusOK || !strings.Contains(body, "Nhạc hiệu") || !strings.Contains(body, "06:00, 17:00") || !strings.Contains(body, "Đang hiệu lực") {
			t.Fatalf("order page: %d", code)
		}
		code, body = p.get("/broadcast/orders")
		if code != http.StatusOK || !strings.Contains(body, loc) {
			t.Fatalf("order list: %d", code)
		}

		// The emergency's review step sends nothing; the second step does.
		p.get("/broadcast")
		em := url.Values{"title": {"Cháy chợ"}, "mode": {"media"}, "media_id": {toneID}, "target_mode": {"all"}, "repeats": {"1"}}
		code, _, body = p.post("/broadcast/emergency", em)
		if code != http.StatusOK || !strings.Contains(body, `id="emergency-send"`) || !strings.Contains(body, "1 thiết bị") {
			t.Fatalf("emergency review: %d", code)
		}
		orders, _ := e.svc.OrderBook().Orders(context.Background(), model.System("test"), commune.ID)
		if len(orders) != 1 {
			t.Fatalf("orders after the review: %d", len(orders))
		}
		em.Set("repeats", "x")
		if code, _, body = p.post("/broadcast/emergency", em); code != http.StatusBadRequest || !strings.Contains(body, "“x” không phải là số") || !strings.Contains(body, `id="emergency" open`) {
			t.Fatalf("emergency with a bad number: %d", code)
		}
		em.Set("repeats", "50")
		if code, _, body = p.post("/broadcast/emergency", em); code != http.StatusBadRequest || !strings.Contains(body, "Số lần phát: từ 1 đến 20 lần.") {
			t.Fatalf("emergency repeated 50 times: %d %q", code, alertOf(body))
		}
		em.Set("repeats", "1")
		em.Set("confirm", "1")
		code, loc, _ = p.post("/broadcast/emergency", em)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/broadcast/orders/") {
			t.Fatalf("emergency: %d %s", code, loc)
		}
		if orders, _ = e.svc.OrderBook().Orders(context.Background(), model.System("test"), commune.ID); len(orders) != 2 || orders[0].Level != "emergency" && orders[1].Level != "emergency" {
			t.Fatalf("orders after the emergency: %d", len(orders))
		}
		// The device plays it; the overview names what it played last.
		for _, it := range dev.schedule().Items {
			if it.Level == "emergency" {
				dev.played(it)
			}
		}
		if err := e.svc.FlushSeen(context.Background()); err != nil {
			t.Fatal(err)
		}
		if code, body = p.get("/broadcast"); code != http.StatusOK || !regexp.MustCompile(`\d\d:\d\d · Cháy chợ</td>`).MatchString(body) {
			t.Fatalf("overview after the play: %d", code)
		}

		// Devices: a command, a bad volume shown on the page, a rename, a key.
		p.get("/broadcast/devices")
		if code, loc, _ = p.post(fmt.Sprintf("/broadcast/devices/%d/command", dev.id), url.Values{"kind": {"volume"}, "volume": {"55"}}); code != http.StatusSeeOther || loc != "/broadcast/devices" {
			t.Fatalf("volume command: %d %s", code, loc)
		}
		hb := dev.call(http.MethodPost, fmt.Sprintf(protocol.PathHeartbeat, dev.id), protocol.Heartbeat{Status: "ok", Volume: 80})
		var hbr protocol.HeartbeatResponse
		hb.json(t, &hbr)
		if len(hbr.Commands) != 1 || hbr.Commands[0].Kind != "volume" || hbr.Commands[0].Volume != 55 {
			t.Fatalf("commands delivered: %+v", hbr.Commands)
		}
		if code, _, body = p.post(fmt.Sprintf("/broadcast/devices/%d/command", dev.id), url.Values{"kind": {"volume"}, "volume": {"150"}}); code != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
			t.Fatalf("volume 150: %d", code)
		}
		if code, _, _ = p.post(fmt.Sprintf("/broadcast/devices/%d/rename", dev.id), url.Values{"name": {"Cụm loa chợ Vĩnh Thanh Vân"}}); code != http.StatusSeeOther {
			t.Fatalf("rename: %d", code)
		}
		code, _, body = p.post("/broadcast/devices/keys", url.Values{"label": {"tổ 5"}})
		key := regexp.MustCompile(`id="enrol-key">(loa_e_[^<]+)<`).FindStringSubmatch(body)
		if code != http.StatusCreated || key == nil || !strings.Contains(body, "Cụm loa chợ Vĩnh Thanh Vân") {
			t.Fatalf("enrolment key: %d", code)
		}
		if res := e.do(http.MethodPost, protocol.PathEnrol, "", protocol.EnrolRequest{Key: key[1], Name: "Cụm loa tổ 5"}); res.code != http.StatusCreated {
			t.Fatalf("enrol with the key from the page: %d %s", res.code, res.body)
		}
		if code, _, _ = p.post(fmt.Sprintf("/broadcast/devices/%d/command", dev.id), url.Values{"kind": {"stop"}, "csrf": {"forged"}}); code != http.StatusForbidden {
			t.Fatalf("forged form: %d", code)
		}

		// Who may see what: another unit's viewer is refused this commune;
		// the province administrator picks it among the units below.
		other := e.signIn("xem.baokg")
		if code, _ = other.get(fmt.Sprintf("/broadcast?unit=%d", commune.ID)); code != http.StatusForbidden {
			t.Fatalf("viewer of another unit: %d", code)
		}
		if code, body = other.get("/broadcast"); code != http.StatusOK || strings.Contains(body, `id="emergency"`) {
			t.Fatalf("viewer's own overview: %d (an emergency form shown: %v)", code, strings.Contains(body, `id="emergency"`))
		}
		admin := e.signIn("admin")
		code, body = admin.get(fmt.Sprintf("/broadcast/day?unit=%d", commune.ID))
		if code != http.StatusOK || !strings.Contains(body, "Cụm loa chợ Vĩnh Thanh Vân") || !strings.Contains(body, `class="autosubmit"`) {
			t.Fatalf("admin's day view of the commune: %d", code)
		}
		if code, body = admin.get("/broadcast/day?date=99/99/2021"); code != http.StatusOK || !strings.Contains(body, "“99/99/2021” không phải ngày hợp lệ") {
			t.Fatalf("bad date in the day view: %d", code)
		}
	})
}
