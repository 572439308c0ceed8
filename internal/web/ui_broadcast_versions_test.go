package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// versionUpload sends the recorded-version form of an order page.
func (p *page) versionUpload(path, language string, data []byte) (int, string, string) {
	p.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", p.csrf)
	_ = mw.WriteField("language", language)
	_ = mw.WriteField("title", "")
	fw, err := mw.CreateFormFile("file", "ban-tin-khmer.wav")
	if err != nil {
		p.e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := p.client.Post(p.e.srv.URL+path+"&csrf="+url.QueryEscape(p.csrf), mw.FormDataContentType(), &body)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestOrderLanguageVersions: the commune's broadcaster lists Khmer first
// among its languages; the district-wide order's page says the Khmer
// commune has no Khmer version and hears the Vietnamese one; a machine
// voice is refused for Khmer with the reason; the issuer uploads a
// recording as the Khmer version through the page, after which the page
// shows that the Khmer commune plays it, its cluster's schedule carries
// the Khmer audio while the other commune's keeps the Vietnamese one,
// and removing the version puts the Vietnamese one back. The commune
// following the order cannot change its versions.
func TestOrderLanguageVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newBroadcastEnv(t, st)
		ctx := context.Background()
		khmer, viet := e.unit("dtt-hon-nghe"), e.unit("dtt-vinh-thanh-van")
		var above int64
		for _, a := range storage.AncestorIDs(khmer.Path) {
			if strings.Contains(viet.Path, fmt.Sprintf("/%d/", a)) && a != khmer.ID {
				above = a
			}
		}
		if above == 0 {
			t.Fatalf("no unit above %s and %s", khmer.Path, viet.Path)
		}
		dk, dv := e.enrol("dtt-hon-nghe", "Cụm loa ấp Bãi Chướng"), e.enrol("dtt-vinh-thanh-van", "Cụm loa khu phố 1")

		// The commune's broadcaster sets its languages on the speech page.
		commune := e.signIn("phatthanh.honnghe")
		commune.get("/broadcast/speech")
		if code, _, _ := commune.post(fmt.Sprintf("/broadcast/speech/languages?unit=%d", khmer.ID), url.Values{"languages": {"km, vi"}}); code != http.StatusSeeOther {
			t.Fatalf("set languages: %d", code)
		}

		sys := model.System("test")
		vi, err := e.svc.Library().SpeakText(ctx, sys, broadcast.TTSInput{UnitID: above, Title: "Tiêm vắc xin", Text: "Bà con đi tiêm vắc xin lúc 7h30 tại trạm y tế."})
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(i18n.Zone())
		o, err := e.svc.OrderBook().CreateOrder(ctx, sys, broadcast.OrderInput{UnitID: above, Title: "Tiêm vắc xin", MediaID: vi.ID, Level: "normal",
			StartDate: today.Format("2006-01-02"), EndDate: today.AddDate(0, 0, 2).Format("2006-01-02"),
			Slots: []schedule.Slot{clockSlot(t, "00:05"), clockSlot(t, "23:55")}, Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: above}}})
		if err != nil {
			t.Fatal(err)
		}
		orderURL := fmt.Sprintf("/broadcast/orders/%d?unit=%d", o.ID, above)
		shaOf := func(d *device) string {
			t.Helper()
			for _, it := range d.schedule().Items {
				if it.OrderID == o.ID {
					return it.Media.SHA256
				}
			}
			t.Fatalf("device %d has no item of order %d", d.id, o.ID)
			return ""
		}

		admin := e.signIn("admin")
		code, body := admin.get(orderURL)
		if code != http.StatusOK {
			t.Fatalf("order page: %d", code)
		}
		for _, want := range []string{`id="missing-versions"`, "Hòn Nghệ: chưa có bản tiếng Khmer, đang phát bản tiếng Việt", `id="version-plan"`, "thiếu bản tiếng Khmer", `id="version-upload"`, "Máy chủ này chỉ có giọng đọc tiếng Việt"} {
			if !strings.Contains(body, want) {
				t.Errorf("order page lacks %q", want)
			}
		}
		// No machine voice reads Khmer: the form says why, nothing stored.
		code, _, body = admin.post(fmt.Sprintf("/broadcast/orders/%d/versions/speak?unit=%d", o.ID, above), url.Values{"language": {"km"}, "text": {"សូមបងប្អូនទៅចាក់វ៉ាក់សាំង"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "Bộ đọc máy không có giọng") || !strings.Contains(body, `id="version-error"`) {
			t.Errorf("Khmer machine voice: %d", code)
		}
		// A bad language code is refused before the file is converted.
		code, _, body = admin.versionUpload(fmt.Sprintf("/broadcast/orders/%d/versions/upload?unit=%d", o.ID, above), "vi", toneWAV())
		if code != http.StatusBadRequest || !strings.Contains(body, "không phải mã ngôn ngữ khác tiếng Việt") {
			t.Errorf("upload as vi: %d", code)
		}
		if n := countRows(t, st, `SELECT count(*) FROM broadcast_order_versions`); n != 0 {
			t.Fatalf("%d versions after refused forms", n)
		}
		if got := shaOf(dk); got != vi.SHA256 {
			t.Errorf("before the Khmer version the Khmer commune plays %s, want the Vietnamese %s", got, vi.SHA256)
		}

		// The recording becomes the Khmer version.
		code, loc, body := admin.versionUpload(fmt.Sprintf("/broadcast/orders/%d/versions/upload?unit=%d", o.ID, above), "km", toneWAV())
		if code != http.StatusSeeOther || !strings.HasSuffix(loc, "#languages") {
			t.Fatalf("upload the Khmer version: %d %s %s", code, loc, body)
		}
		code, body = admin.get(orderURL)
		if code != http.StatusOK || strings.Contains(body, `id="missing-versions"`) || !strings.Contains(body, `id="version-km"`) || !strings.Contains(body, "Đã lưu bản ngôn ngữ") {
			t.Errorf("order page after the upload: %d, missing notice or version row wrong", code)
		}
		var ol broadcast.OrderLanguages
		resp, err := admin.client.Get(e.srv.URL + fmt.Sprintf("/api/v1/broadcast/orders/%d/languages", o.ID))
		if err != nil {
			t.Fatal(err)
		}
		res, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(res, &ol); resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("languages: %v %s", err, res)
		}
		if len(ol.Versions) != 1 || ol.Versions[0].Language != "km" {
			t.Fatalf("versions: %+v", ol.Versions)
		}
		plays := map[int64]string{}
		for _, u := range ol.Units {
			plays[u.UnitID] = u.Plays
			if u.Missing != "" {
				t.Errorf("unit %s still misses %s", u.UnitName, u.Missing)
			}
		}
		if plays[khmer.ID] != "km" || plays[viet.ID] != "vi" {
			t.Errorf("plays: %v", plays)
		}
		if got := shaOf(dk); got != ol.Versions[0].MediaSHA256 {
			t.Errorf("Khmer commune plays %s, want the Khmer recording %s", got, ol.Versions[0].MediaSHA256)
		}
		if got := shaOf(dv); got != vi.SHA256 {
			t.Errorf("Vietnamese commune plays %s, want %s", got, vi.SHA256)
		}

		// The commune follows the order: it sees no version forms and may
		// not remove the version.
		if _, body = commune.get(fmt.Sprintf("/broadcast/orders/%d?unit=%d", o.ID, khmer.ID)); strings.Contains(body, `id="version-upload"`) {
			t.Error("the commune following the order is offered the version forms")
		}
		if code, _, _ = commune.post(fmt.Sprintf("/broadcast/orders/%d/versions/km/delete?unit=%d", o.ID, khmer.ID), url.Values{}); code != http.StatusForbidden {
			t.Errorf("the commune removed the version: %d", code)
		}

		// Removing the version puts the Vietnamese one back.
		admin.get(orderURL)
		if code, _, _ = admin.post(fmt.Sprintf("/broadcast/orders/%d/versions/km/delete?unit=%d", o.ID, above), url.Values{}); code != http.StatusSeeOther {
			t.Fatalf("remove: %d", code)
		}
		if got := shaOf(dk); got != vi.SHA256 {
			t.Errorf("after removal the Khmer commune plays %s, want %s", got, vi.SHA256)
		}
		if n := countRows(t, st, `SELECT count(*) FROM audit_log WHERE action IN ('broadcast.order.version', 'broadcast.order.version_remove')`); n != 2 {
			t.Errorf("%d audit lines, want 2", n)
		}

		// A recording for a cancelled order is refused and does not stay
		// behind in the library.
		if err := st.Tx(context.Background(), func(tx *storage.Tx) error {
			_, err := tx.ExecRaw(context.Background(), `UPDATE broadcast_orders SET cancelled_at = ? WHERE id = ?`, time.Now().UTC(), o.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		media := countRows(t, st, `SELECT count(*) FROM media`)
		if code, loc, _ := admin.versionUpload(fmt.Sprintf("/broadcast/orders/%d/versions/upload?unit=%d", o.ID, above), "km", toneWAV()); code == http.StatusSeeOther {
			t.Errorf("a version was added to a cancelled order: %d %s", code, loc)
		}
		if n := countRows(t, st, `SELECT count(*) FROM media`); n != media {
			t.Errorf("the refused recording stayed in the library: %d media items, want %d", n, media)
		}
	})
}
