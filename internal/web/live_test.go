package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// apiJSON sends an API request with the page's session cookie and CSRF
// header, as the page's JavaScript does.
func (p *page) apiJSON(path, contentType string, body []byte, csrf bool) (int, []byte) {
	p.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		p.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if csrf {
		req.Header.Set("X-CSRF-Token", p.csrf)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// webmTone is a few seconds of a tone as WebM/Opus, as MediaRecorder
// records it.
func webmTone(t *testing.T, secs int) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", fmt.Sprintf("sine=f=440:r=48000:d=%d", secs),
		"-c:a", "libopus", "-b:a", "32k", "-f", "webm", "-live", "1", "-cluster_time_limit", "250", "pipe:1").Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	return out
}

// TestLivePage: the live page offers the microphone panel and the
// clusters; going live through the API with the page's session (CSRF
// header required) and stopping lists the session with its kept
// recording, in Vietnamese; a reader sees the list without the panel.
func TestLivePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newBroadcastEnv(t, st)
		commune := e.unit("dtt-vinh-thanh-van")
		dev := e.enrol("dtt-vinh-thanh-van", "Cụm loa chợ")
		p := e.signIn("phatthanh.vinhthanhvan")
		code, body := p.get(fmt.Sprintf("/broadcast/live?unit=%d", commune.ID))
		if code != http.StatusOK {
			t.Fatalf("live page: %d", code)
		}
		for _, want := range []string{"Phát trực tiếp", `id="live-start"`, "Bắt đầu phát", "Cụm loa chợ", "Chưa có buổi phát trực tiếp nào.", fmt.Sprintf(`data-unit="%d"`, commune.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("live page lacks %q", want)
			}
		}
		in, _ := json.Marshal(broadcast.LiveInput{UnitID: commune.ID, Title: "Họp dân khẩn", MIME: "audio/webm;codecs=opus",
			Targets: []model.OrderTarget{{Kind: model.TargetDevice, ID: dev.id}}})
		if code, b := p.apiJSON("/api/v1/broadcast/live", "application/json", in, false); code != http.StatusForbidden {
			t.Fatalf("go live without the CSRF header: %d %s, want 403", code, b)
		}
		code, b := p.apiJSON("/api/v1/broadcast/live", "application/json", in, true)
		if code != http.StatusCreated {
			t.Fatalf("go live: %d %s", code, b)
		}
		var lv broadcast.LiveView
		if err := json.Unmarshal(b, &lv); err != nil || lv.Devices != 1 || !lv.OnAir {
			t.Fatalf("go live: %s (%v)", b, err)
		}
		if _, body = p.get(fmt.Sprintf("/broadcast/live?unit=%d", commune.ID)); !strings.Contains(body, "Họp dân khẩn") || !strings.Contains(body, "đang phát") {
			t.Errorf("the page does not show the session on air")
		}
		// The device finds the live item in its schedule, as a stream.
		s := dev.schedule()
		found := false
		for _, it := range s.Items {
			found = found || (it.OrderID == lv.OrderID && it.Stream && it.Level == "live")
		}
		if !found {
			t.Fatalf("the device's schedule lacks the live stream: %+v", s.Items)
		}
		data := webmTone(t, 3)
		if code, b := p.apiJSON(fmt.Sprintf("/api/v1/broadcast/live/%d/chunks?seq=0", lv.ID), "audio/webm", data, true); code != http.StatusOK {
			t.Fatalf("chunk: %d %s", code, b)
		}
		if code, b := p.apiJSON(fmt.Sprintf("/api/v1/broadcast/live/%d/chunks?seq=x", lv.ID), "audio/webm", data, true); code != http.StatusBadRequest || !strings.Contains(string(b), "hãy ghi số thứ tự của đoạn") {
			t.Errorf("chunk without a number: %d %s", code, b)
		}
		if code, b := p.apiJSON(fmt.Sprintf("/api/v1/broadcast/live/%d/stop", lv.ID), "application/json", nil, true); code != http.StatusOK {
			t.Fatalf("stop: %d %s", code, b)
		}
		_, body = p.get(fmt.Sprintf("/broadcast/live?unit=%d", commune.ID))
		if !strings.Contains(body, "đã lưu") || strings.Contains(body, "đang phát</strong>") {
			t.Errorf("the page does not show the ended session with its recording")
		}
		// A chunk after the end is refused, in Vietnamese on a page.
		if code, b := p.apiJSON(fmt.Sprintf("/api/v1/broadcast/live/%d/chunks?seq=1", lv.ID), "audio/webm", data, true); code != http.StatusConflict || !strings.Contains(string(b), "Buổi phát trực tiếp đã kết thúc") {
			t.Errorf("chunk after the end: %d %s, want 409", code, b)
		}
		// The recording is in the library; it cannot be used while empty.
		m, err := st.Broadcast().MediaItem(context.Background(), lv.MediaID)
		if err != nil || m.SHA256 == "" || m.DurationMS < 2000 {
			t.Fatalf("recording %+v %v", m, err)
		}
		// A reader (no broadcast write) sees the list, not the microphone.
		r := e.signIn("vanthu.rachgia")
		if code, body := r.get(fmt.Sprintf("/broadcast/live?unit=%d", commune.ID)); code == http.StatusOK && strings.Contains(body, `id="live-start"`) {
			t.Errorf("a user without broadcast rights gets the microphone panel")
		}
	})
}

// TestBrowserLiveBroadcast goes live from the page in Chromium with a fake
// microphone; a cluster listening on the device API receives the stream
// (WebM that decodes to the microphone's tone), and after "Kết thúc" the
// session is listed with its recording. Screenshots at 1366 and 390 px go
// to LOA_SCREENSHOTS when set.
func TestBrowserLiveBroadcast(t *testing.T) {
	if browsertest.ExecPath() == "" {
		browsertest.New(t, time.Second) // skips, or fails in CI
	}
	st, _ := storetest.Open(t, storage.SQLite)
	e := newBroadcastEnv(t, st)
	commune := e.unit("dtt-vinh-thanh-van")
	dev := e.enrol("dtt-vinh-thanh-van", "Cụm loa ấp Vĩnh Thành")
	mic := filepath.Join(t.TempDir(), "mic.wav")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=20", "-ac", "2", "-ar", "48000", mic).CombinedOutput(); err != nil {
		t.Fatalf("make the microphone's input: %v: %s", err, out)
	}
	shots := os.Getenv("LOA_SCREENSHOTS")
	width := 1366
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browsertest.ExecPath()), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", mic))
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if shots == "" {
				return nil
			}
			b, err := chromedp.FullScreenshot(80)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), b, 0o644)
		})
	}
	status := func() string {
		s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#live-status`)))
		return s
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+fmt.Sprintf("/login?next=/broadcast/live%%3Funit%%3D%d", commune.ID)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "phatthanh.vinhthanhvan"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-start`)),
		chromedp.SetValue(chromedp.CSS(`#live-title`), "Thông báo trực tiếp của xã"),
		chromedp.Click(chromedp.CSS(`#live-start`)),
		chromedp.WaitEnabled(chromedp.CSS(`#live-stop`)),
		shot("live17-live-1366.png"),
	); err != nil {
		t.Fatalf("go live: %v (status %q)", err, status())
	}
	sessionID, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#live`), "data-session"))
	if err != nil || sessionID.Value == "" {
		t.Fatalf("session id: %q %v", sessionID.Value, err)
	}
	lv, err := e.svc.Live().LiveSession(context.Background(), model.System("test"), mustAtoi(t, sessionID.Value))
	if err != nil {
		t.Fatal(err)
	}
	// The cluster listens to the stream.
	var mu sync.Mutex
	var got []byte
	streamDone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+fmt.Sprintf("/api/v1/device/%d/live/%d", dev.id, lv.OrderID), nil)
		req.Header.Set("Authorization", "Bearer "+dev.credential)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			streamDone <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			streamDone <- fmt.Errorf("stream: %d %s", resp.StatusCode, b)
			return
		}
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			mu.Lock()
			got = append(got, buf[:n]...)
			mu.Unlock()
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				streamDone <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 6000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster received %d bytes in 30 s (page status %q)", n, status())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The phone-sized view while on air.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), shot("live17-live-390.png"), chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#live-stop`))); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-streamDone:
		if err != nil {
			t.Fatalf("the cluster's stream: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the cluster's stream did not end within 60 s after the operator stopped (page status %q)", status())
	}
	mu.Lock()
	stream := append([]byte(nil), got...)
	mu.Unlock()
	cmd := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "webm", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "8000", "pipe:1")
	cmd.Stdin = bytes.NewReader(stream)
	pcm, err := cmd.Output()
	if err != nil || len(pcm) < 16000 {
		t.Fatalf("the cluster's stream (%d bytes) does not decode to sound: %d bytes of PCM, %v", len(stream), len(pcm), err)
	}
	// The page reloads with the session and its recording.
	deadline = time.Now().Add(60 * time.Second)
	for {
		list, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#live-sessions`)))
		if strings.Contains(list, "Thông báo trực tiếp của xã") && strings.Contains(list, "đã lưu") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ended session is not listed with its recording: %q (status %q)", list, status())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, shot("live17-ended-1366.png"), chromedp.EmulateViewport(390, 844), shot("live17-ended-390.png")); err != nil {
		t.Fatal(err)
	}
	lv, err = e.svc.Live().LiveSession(context.Background(), model.System("test"), lv.ID)
	if err != nil || lv.OnAir || lv.Error != "" || lv.Chunks < 4 {
		t.Fatalf("session after stop: %+v %v", lv, err)
	}
	m, err := st.Broadcast().MediaItem(context.Background(), lv.MediaID)
	if err != nil || m.SHA256 == "" || m.Source != broadcast.SourceLive {
		t.Fatalf("recording: %+v %v", m, err)
	}
	t.Logf("live from Chromium: %d chunks, %d bytes, recording %d ms; the cluster received %d bytes", lv.Chunks, lv.Bytes, m.DurationMS, len(stream))
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}
