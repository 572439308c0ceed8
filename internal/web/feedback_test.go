package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/capalert"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// fbEnv is a running Loa with broadcast (speech), citizens' feedback and
// CAP on the demo dataset with its loudspeaker clusters and the seed's
// three bulletins, on a fake clock (8 June 2021, 09:00 in Vietnam).
type fbEnv struct {
	*env
	bc    *broadcast.Service
	clock *clock.Fake
}

func newFeedbackEnv(t *testing.T, st *storage.Store) *fbEnv {
	t.Helper()
	requireAudioTools(t)
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clock.NewFake(time.Date(2021, 6, 8, 9, 0, 0, 0, i18n.Zone()))
	e := &env{t: t, store: st, orgs: orgs.New(st, policy), accounts: accounts.New(st, policy, log), clock: &testClock{}}
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
	bc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: speech, Clock: clk, Location: i18n.Zone()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bc.Close() })
	api := broadcast.NewAPI(bc)
	fb, err := feedback.New(feedback.Config{Store: st, Policy: policy, Bulletins: api, Clock: clk, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := capalert.New(capalert.Config{Store: st, Blobs: blobs, Policy: policy, Broadcast: api, Clock: clk, Log: log, Sender: "loa@kiengiang.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Deps{Accounts: e.accounts, Orgs: e.orgs, Broadcast: api, Feedback: fb, CAP: ca, Health: st, Policy: policy, Log: log, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.creds, err = (&demo.Loader{Store: st, Orgs: e.orgs, Accounts: e.accounts, Broadcast: api, Log: log, Clock: clk}).Ensure(context.Background(), t.TempDir(), e.srv.URL)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return &fbEnv{env: e, bc: bc, clock: clk}
}

// get fetches a page.
func (e *fbEnv) get(path string) (int, string, http.Header) {
	e.t.Helper()
	resp, err := e.srv.Client().Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// post sends the public form with an Origin header ("" for none).
func (e *fbEnv) post(path, origin string, form url.Values) (int, string, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := e.browser().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var (
	askRe     = regexp.MustCompile(`\?order=(\d+)&amp;lang=vi#gui`)
	clusterRe = regexp.MustCompile(`<option value="(\d+)"[^>]*>Cụm loa số 2</option>`)
)

// TestPublicCommunePageFlow is the two-way loop of the issue: a citizen
// opens the public page of Vĩnh Thanh Vân (no sign-in), sees the seed's
// bulletins with audio, asks about one and reports a loudspeaker; the
// ward answers the question and the station the complaint, both
// published; the answers show on the page, the citizen's markup is
// escaped and their name and phone stay private. Forms from other sites
// and robots filling the honeypot are refused or dropped.
func TestPublicCommunePageFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newFeedbackEnv(t, st)
		const page = "/xa/ubnd-vinh-thanh-van"
		code, body, hdr := e.get(page)
		if code != http.StatusOK {
			t.Fatalf("public page: %d %s", code, body)
		}
		for _, want := range []string{"Ủy ban nhân dân phường Vĩnh Thanh Vân", "Bản tin đang phát", "Trách nhiệm phòng, chống Covid-19 theo phương châm 5K",
			"Vận động đóng góp Quỹ vắc xin phòng, chống Covid-19", `<audio controls preload="none" src="/feeds/ubnd-vinh-thanh-van/audio/`, "Cụm loa số 1",
			"Báo loa có vấn đề", "Loa quá to", "Tôi đồng ý", `name="website"`, "Phát từ 08/06/2021 đến 22/06/2021"} {
			if !strings.Contains(body, want) {
				t.Errorf("public page lacks %q", want)
			}
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
			t.Errorf("CSP %q", csp)
		}
		if _, en, _ := e.get(page + "?lang=en"); !strings.Contains(en, "Current bulletins") || !strings.Contains(en, "Report a loudspeaker problem") {
			t.Errorf("English page")
		}
		audio := regexp.MustCompile(`src="(/feeds/ubnd-vinh-thanh-van/audio/[0-9a-f]+\.mp3)"`).FindStringSubmatch(body)
		if audio == nil {
			t.Fatal("no audio player")
		}
		if code, a, h := e.get(audio[1]); code != http.StatusOK || h.Get("Content-Type") != "audio/mpeg" || len(a) < 1000 {
			t.Fatalf("audio: %d %s %d bytes", code, h.Get("Content-Type"), len(a))
		}
		m := askRe.FindStringSubmatch(body)
		c := clusterRe.FindStringSubmatch(body)
		if m == nil || c == nil {
			t.Fatalf("no bulletin or cluster to choose on the page")
		}
		question := url.Values{"kind": {"question"}, "order_id": {m[1]}, "body": {"<script>alert(1)</script> Khi nào phường tiêm vắc xin cho người trên 65 tuổi?"},
			"name": {"Trần Thị Bé"}, "phone": {"0912 345 678"}, "consent": {"1"}}
		// Another site's form, or a post without Origin or Referer: refused.
		for _, origin := range []string{"", "https://evil.example"} {
			code, body, _ := e.post(page, origin, question)
			if code != http.StatusForbidden || !strings.Contains(body, "Biểu mẫu phải được gửi từ chính trang này") {
				t.Errorf("origin %q: %d", origin, code)
			}
		}
		// The form's own page.
		code, body, loc := e.post(page, e.srv.URL, question)
		if code != http.StatusSeeOther || loc != page+"?sent=1&lang=vi#gui" {
			t.Fatalf("question: %d %s %s", code, loc, body)
		}
		if _, sent, _ := e.get(page + "?sent=1"); !strings.Contains(sent, "Cảm ơn bà con!") {
			t.Error("no thanks after sending")
		}
		// A complaint without the cluster is refused with the page again,
		// the message kept.
		code, body, _ = e.post(page, e.srv.URL, url.Values{"kind": {"speaker"}, "problem": {"too_loud"}, "body": {"Loa ấp 3 mở to từ 5 giờ sáng"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "Hãy chọn cụm loa") || !strings.Contains(body, "Loa ấp 3 mở to từ 5 giờ sáng") {
			t.Fatalf("complaint without cluster: %d", code)
		}
		code, _, _ = e.post(page, e.srv.URL, url.Values{"kind": {"speaker"}, "problem": {"too_loud"}, "device_id": {c[1]}, "body": {"Loa ấp 3 mở to từ 5 giờ sáng"}})
		if code != http.StatusSeeOther {
			t.Fatalf("complaint: %d", code)
		}
		// A robot filling the honeypot is thanked and forgotten.
		code, _, _ = e.post(page, e.srv.URL, url.Values{"kind": {"feedback"}, "body": {"cheap pills"}, "website": {"http://spam.example"}})
		if code != http.StatusSeeOther {
			t.Fatalf("honeypot: %d", code)
		}
		// A body over the size limit.
		code, _, _ = e.post(page, e.srv.URL, url.Values{"kind": {"feedback"}, "body": {strings.Repeat("x", web.MaxPublicForm)}})
		if code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized form: %d", code)
		}

		// The ward's clerk sees both; answers the question and publishes it.
		ward := e.tokenFor("xaphuong.vinhthanhvan")
		var inbox struct{ Feedback []model.Feedback }
		r := e.do("GET", "/api/v1/feedback", ward, nil)
		r.json(t, &inbox)
		if r.code != 200 || len(inbox.Feedback) != 2 {
			t.Fatalf("ward inbox: %d %s", r.code, r.body)
		}
		var q, sp model.Feedback
		for _, f := range inbox.Feedback {
			switch f.Kind {
			case "question":
				q = f
			case "speaker":
				sp = f
			}
		}
		if q.OrderTitle == "" || q.SenderPhone != "0912 345 678" || q.State != "new" || sp.DeviceName != "Cụm loa số 2" || sp.State != "assigned" ||
			sp.AssignedName != "Đài truyền thanh phường Vĩnh Thanh Vân" {
			t.Fatalf("inbox items: %+v / %+v", q, sp)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/feedback/%d/answer", q.ID), ward, map[string]any{"answer": "Phường tiêm cho người trên 65 tuổi vào sáng thứ Bảy tại trạm y tế.", "publish": true})
		if r.code != 200 {
			t.Fatalf("answer: %d %s", r.code, r.body)
		}
		// The station handles the complaint assigned to it.
		station := e.tokenFor("phatthanh.vinhthanhvan")
		r = e.do("GET", "/api/v1/feedback?state=assigned", station, nil)
		r.json(t, &inbox)
		if len(inbox.Feedback) != 1 || inbox.Feedback[0].ID != sp.ID {
			t.Fatalf("station inbox: %s", r.body)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/feedback/%d/answer", sp.ID), station, map[string]any{"answer": "Đài đã giảm âm lượng cụm loa số 2 và dời giờ phát sáng sang 6 giờ.", "publish": true})
		if r.code != 200 {
			t.Fatalf("station answer: %d %s", r.code, r.body)
		}
		if r = e.do("POST", fmt.Sprintf("/api/v1/feedback/%d/close", sp.ID), station, nil); r.code != 200 {
			t.Fatalf("close: %d %s", r.code, r.body)
		}
		if r = e.do("POST", fmt.Sprintf("/api/v1/feedback/%d/answer", q.ID), station, map[string]any{"answer": "x"}); r.code != http.StatusNotFound {
			t.Errorf("the station answers the ward's question: %d", r.code)
		}
		if r = e.do("POST", fmt.Sprintf("/api/v1/feedback/%d/answer", q.ID), ward, map[string]any{"answer": "x", "extra": 1}); r.code != http.StatusBadRequest {
			t.Errorf("unknown field: %d", r.code)
		}
		// Both answers are on the public page; markup is escaped; the
		// sender's name and phone are not shown.
		_, body, _ = e.get(page)
		for _, want := range []string{"Giải đáp ý kiến người dân", "Phường tiêm cho người trên 65 tuổi vào sáng thứ Bảy tại trạm y tế.",
			"Đài đã giảm âm lượng cụm loa số 2 và dời giờ phát sáng sang 6 giờ.", "&lt;script&gt;alert(1)&lt;/script&gt; Khi nào phường tiêm", "trả lời ngày 08/06/2021"} {
			if !strings.Contains(body, want) {
				t.Errorf("public page after the answers lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>alert(1)", "0912 345 678", "Trần Thị Bé"} {
			if strings.Contains(body, bad) {
				t.Errorf("public page shows %q", bad)
			}
		}
		// Figures for the reports.
		var fig model.FeedbackFigures
		r = e.do("GET", fmt.Sprintf("/api/v1/units/%d/feedback-figures?from=2021-06-01&to=2021-06-30", e.unit("ubnd-vinh-thanh-van").ID), ward, nil)
		r.json(t, &fig)
		if r.code != 200 || fig.Received != 2 || fig.Handled != 2 || fig.Open != 0 {
			t.Errorf("figures: %d %s", r.code, r.body)
		}
		if r = e.do("GET", fmt.Sprintf("/api/v1/units/%d/feedback-figures?from=June", e.unit("ubnd-vinh-thanh-van").ID), ward, nil); r.code != http.StatusBadRequest {
			t.Errorf("bad period: %d", r.code)
		}
		if code, _, _ := e.get("/xa/no-such-commune"); code != http.StatusNotFound {
			t.Errorf("unknown commune: %d", code)
		}
		// The officials' inbox page: the ward's clerk sees both, with the
		// sender's contact, and closes the answered question by the form.
		cl, csrf := e.signIn("xaphuong.vinhthanhvan", demo.Password)
		resp, err := cl.Get(e.srv.URL + "/feedback")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"Ý kiến, phản ánh của người dân", "Báo loa có vấn đề", "Loa quá to", "Cụm loa số 2", "Trần Thị Bé 0912 345 678",
			"&lt;script&gt;", "Đã trả lời", `href="/feedback" class="active"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("inbox page lacks %q", want)
			}
		}
		resp, err = cl.PostForm(e.srv.URL+fmt.Sprintf("/feedback/%d/close", q.ID), url.Values{"csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close by the form: %d", resp.StatusCode)
		}
		resp, err = cl.PostForm(e.srv.URL+fmt.Sprintf("/feedback/%d/close", q.ID), url.Values{"csrf": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("form without the CSRF token: %d", resp.StatusCode)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/feedback/%d", q.ID), ward, nil)
		if r.json(t, &q); q.State != "closed" {
			t.Errorf("closed by the form: %s", r.body)
		}
	})
}

// TestCAPEndpoints: a CAP alert posted to the API becomes a draft, the
// city's administrator approves it through the API, and the emergency is
// in the public CAP feed; its CAP document validates against the official
// schema and its audio resource downloads.
func TestCAPEndpoints(t *testing.T) {
	requireXmllint(t)
	st, _ := storetest.Open(t, storage.SQLite)
	e := newFeedbackEnv(t, st)
	city := e.tokenFor("admin.rachgia")
	alert := `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>KTTV-77</identifier><sender>kttv@nchmf.gov.vn</sender>
<sent>2021-06-08T09:30:00+07:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><language>vi-VN</language><category>Met</category><event>Dông lốc</event><urgency>Immediate</urgency><severity>Severe</severity>
<certainty>Likely</certainty><headline>Dông lốc chiều nay</headline><description>Bà con không ra đồng.</description>
<area><areaDesc>Phường Vĩnh Thanh Vân</areaDesc></area></info></alert>`
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/cap/alerts", strings.NewReader(alert))
	req.Header.Set("Authorization", "Bearer "+city)
	req.Header.Set("Content-Type", "application/cap+xml")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var d model.CAPInbound
	r := result{code: resp.StatusCode, body: b}
	r.json(t, &d)
	if r.code != http.StatusCreated || d.State != "draft" || len(d.TargetUnits) != 1 {
		t.Fatalf("receive: %d %s", r.code, b)
	}
	if r := e.do("POST", "/api/v1/cap/alerts", city, alert); r.code != http.StatusBadRequest {
		t.Errorf("CAP sent as JSON: %d", r.code)
	}
	var list struct{ Alerts []model.CAPInbound }
	e.do("GET", "/api/v1/cap/inbound", city, nil).json(t, &list)
	if len(list.Alerts) != 1 {
		t.Fatalf("drafts: %+v", list)
	}
	r = e.do("POST", fmt.Sprintf("/api/v1/cap/inbound/%d/approve", d.ID), city, nil)
	r.json(t, &d)
	if r.code != 200 || d.OrderID == nil {
		t.Fatalf("approve: %d %s", r.code, r.body)
	}
	code, feed, _ := e.get("/cap/alerts.atom")
	id := fmt.Sprintf("loa-order-%d", *d.OrderID)
	if code != 200 || !strings.Contains(feed, "/cap/alerts/"+id+".xml") {
		t.Fatalf("feed: %d %s", code, feed)
	}
	code, doc, hdr := e.get("/cap/alerts/" + id + ".xml")
	if code != 200 || hdr.Get("Content-Type") != "application/cap+xml; charset=utf-8" {
		t.Fatalf("alert: %d %s", code, doc)
	}
	f := filepath.Join(t.TempDir(), "a.xml")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("..", "cap", "testdata", "CAP-v1.2.xsd"), f).CombinedOutput(); err != nil {
		t.Fatalf("schema: %v %s", err, out)
	}
	audio := regexp.MustCompile(`<uri>(/cap/audio/[^<]+)</uri>`).FindStringSubmatch(doc)
	if audio == nil {
		t.Fatalf("no audio resource: %s", doc)
	}
	if code, a, _ := e.get(audio[1]); code != 200 || len(a) < 1000 {
		t.Errorf("audio resource: %d", code)
	}
	if code, _, _ := e.get("/cap/alerts/nope.xml"); code != http.StatusNotFound {
		t.Errorf("unknown alert: %d", code)
	}
}

func requireXmllint(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is missing: install Debian's libxml2-utils")
		}
		t.Skip("xmllint is missing (libxml2-utils)")
	}
}
