package capalert_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/cap"
	"github.com/loa-project/loa/internal/capalert"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// schema is the official OASIS CAP 1.2 schema
// (http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd).
var schema = filepath.Join("..", "cap", "testdata", "CAP-v1.2.xsd")

// requireTool fails in CI (CI=true) and skips elsewhere when a program is
// missing.
func requireTool(t testing.TB, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: install Debian's %s", name, pkg)
		}
		t.Skipf("skipping: %s is missing (Debian package %s)", name, pkg)
	}
}

// validate checks a CAP document against the official schema with
// xmllint.
func validate(t *testing.T, doc []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "alert.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func encode(t *testing.T, a *cap.Alert) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := cap.Encode(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type env struct {
	t     *testing.T
	st    *storage.Store
	acc   *accounts.Service
	clock *clock.Fake
	bc    broadcast.API
	svc   *capalert.Service
}

func newEnv(t *testing.T, st *storage.Store) *env {
	t.Helper()
	ctx := context.Background()
	policy := authz.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, st: st, acc: accounts.New(st, policy, log), clock: clock.NewFake(time.Date(2021, 6, 8, 9, 0, 0, 0, i18n.Zone()))}
	if _, err := (&demo.Loader{Store: st, Orgs: orgs.New(st, policy), Accounts: e.acc}).Ensure(ctx, t.TempDir(), "http://127.0.0.1"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	blobs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	proc, err := media.New(media.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	esp, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := broadcast.New(broadcast.Config{Store: st, Blobs: blobs, Policy: policy, Log: log, Media: proc, TTS: esp, Clock: e.clock, Location: i18n.Zone()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bc.Close() })
	e.bc = broadcast.NewAPI(bc)
	for _, code := range []string{"dtt-vinh-thanh-van", "dtt-vinh-lac"} {
		key, _, err := e.bc.CreateEnrolmentKey(ctx, model.System("test"), e.unit(code).ID, "test", nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.bc.Enrol(ctx, protocol.EnrolRequest{Key: key, Name: "Cụm loa số 1", Kind: "loudspeaker", HardwareID: code}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	e.svc, err = capalert.New(capalert.Config{Store: st, Blobs: blobs, Policy: policy, Broadcast: e.bc, Clock: e.clock, Log: log, Sender: "loa@kiengiang.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) unit(code string) *model.Unit {
	u, err := e.st.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		e.t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func (e *env) actor(username string) model.Actor {
	ctx := context.Background()
	u, _, err := e.st.Accounts().UserByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.acc.ActorFor(ctx, u, "127.0.0.1", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// messages returns the published messages, each checked against the
// official schema.
func (e *env) messages() []capalert.Message {
	e.t.Helper()
	msgs, err := e.svc.Messages(context.Background(), "https://loa.kiengiang.gov.vn")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs {
		if err := validate(e.t, encode(e.t, m.Alert)); err != nil {
			e.t.Errorf("%s does not validate against CAP-v1.2.xsd: %v", m.Alert.Identifier, err)
		}
	}
	return msgs
}

// TestEmergencyPublishedAsCAP: an emergency issued at a commune radio is
// published as a CAP 1.2 Alert (info in Vietnamese, the audio as a
// resource, the targeted unit as the area) that validates against the
// official schema; cancelling it adds a Cancel that references it; the
// Atom feed links both. xmllint refuses a broken alert, so the check can
// fail.
func TestEmergencyPublishedAsCAP(t *testing.T) {
	requireTool(t, "xmllint", "libxml2-utils")
	requireTool(t, "espeak-ng", "espeak-ng")
	requireTool(t, "ffmpeg", "ffmpeg")
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		if len(e.messages()) != 0 {
			t.Fatal("messages before any emergency")
		}
		a := e.actor("phatthanh.vinhthanhvan")
		radio := e.unit("dtt-vinh-thanh-van")
		m, err := e.bc.SpeakText(ctx, a, broadcast.TTSInput{UnitID: radio.ID, Title: "Cảnh báo triều cường", Text: "Triều cường dâng cao chiều nay, bà con khu phố 3 di chuyển tài sản lên cao."})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.bc.Emergency(ctx, a, broadcast.EmergencyInput{UnitID: radio.ID, Title: "Cảnh báo triều cường", MediaID: m.ID,
			Targets: []model.OrderTarget{{Kind: model.TargetUnit, ID: radio.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		msgs := e.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		al := msgs[0].Alert
		info := al.Info[0]
		if al.MsgType != cap.MsgAlert || al.Sender != "loa@kiengiang.gov.vn" || al.Identifier != fmt.Sprintf("loa-order-%d", res.Order.ID) ||
			info.Language != "vi-VN" || info.Headline != "Cảnh báo triều cường" || !strings.Contains(info.Description, "Triều cường dâng cao") ||
			len(info.Resource) != 1 || info.Resource[0].MimeType != "audio/mpeg" || info.Resource[0].Size != m.Size ||
			info.Resource[0].URI != fmt.Sprintf("https://loa.kiengiang.gov.vn/cap/audio/%d/%s.mp3", res.Order.ID, m.SHA256) ||
			len(info.Area) != 1 || info.Area[0].AreaDesc != radio.Name || info.Area[0].Geocode[0].Value != radio.Code || info.Expires.IsZero() {
			t.Fatalf("alert: %+v", al)
		}
		r, err := e.svc.OpenAudio(ctx, res.Order.ID, m.SHA256)
		if err != nil {
			t.Fatalf("audio resource: %v", err)
		}
		r.Close()
		// A broken alert fails the schema check.
		bad := bytes.Replace(encode(t, al), []byte("<status>Actual</status>"), []byte("<status>Real</status>"), 1)
		if err := validate(t, bad); err == nil {
			t.Fatal("xmllint accepted a wrong status")
		}
		// Cancelled: a Cancel referencing the Alert.
		e.clock.Advance(10 * time.Minute)
		if err := e.bc.CancelOrder(ctx, a, res.Order.ID); err != nil {
			t.Fatal(err)
		}
		msgs = e.messages()
		if len(msgs) != 2 || msgs[0].Alert.MsgType != cap.MsgCancel || msgs[1].Alert.MsgType != cap.MsgAlert {
			t.Fatalf("after cancel: %d messages", len(msgs))
		}
		want := fmt.Sprintf("loa@kiengiang.gov.vn,loa-order-%d,%s", res.Order.ID, cap.FormatTime(*res.Order.IssuedAt))
		if msgs[0].Alert.References != want || msgs[0].Alert.Identifier != fmt.Sprintf("loa-order-%d-cancel", res.Order.ID) {
			t.Errorf("cancel references %q, want %q", msgs[0].Alert.References, want)
		}
		// The Atom feed lists both, linking the CAP documents.
		b, err := e.svc.Atom(ctx, "https://loa.kiengiang.gov.vn")
		if err != nil {
			t.Fatal(err)
		}
		var feed struct {
			Entries []struct {
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
					Type string `xml:"type,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(b, &feed); err != nil {
			t.Fatal(err)
		}
		if len(feed.Entries) != 2 || feed.Entries[1].Link.Href != fmt.Sprintf("https://loa.kiengiang.gov.vn/cap/alerts/loa-order-%d.xml", res.Order.ID) ||
			feed.Entries[1].Link.Type != "application/cap+xml" || !strings.HasPrefix(feed.Entries[0].Title, "Cancel: ") {
			t.Errorf("feed: %s", b)
		}
	})
}

// incoming is a CAP alert of the hydro-meteorological service naming two
// wards, one by its Loa code, one by name, and an area Loa does not know.
func incoming(id, msgType, refs string) []byte {
	ref := ""
	if refs != "" {
		ref = "<references>" + refs + "</references>"
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>` + id + `</identifier>
  <sender>kttv@nchmf.gov.vn</sender>
  <sent>2021-06-08T09:30:00+07:00</sent>
  <status>Actual</status>
  <msgType>` + msgType + `</msgType>
  <scope>Public</scope>` + ref + `
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Áp thấp nhiệt đới</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2021-06-08T15:30:00+07:00</expires>
    <headline>Áp thấp nhiệt đới gần bờ biển Kiên Giang</headline>
    <description>Gió mạnh cấp 7, giật cấp 9; tàu thuyền không ra khơi.</description>
    <instruction>Bà con gia cố nhà cửa, neo đậu tàu thuyền an toàn.</instruction>
    <area>
      <areaDesc>Phường Vĩnh Thanh Vân</areaDesc>
      <geocode><valueName>LOA-UNIT</valueName><value>ubnd-vinh-thanh-van</value></geocode>
    </area>
    <area><areaDesc>Phường Vĩnh Lạc; Đảo Ngọc</areaDesc></area>
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Tropical depression</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>Tropical depression near the coast of Kien Giang</headline>
    <description>Strong winds force 7, gusts force 9; boats stay ashore.</description>
    <area><areaDesc>Vinh Thanh Van ward</areaDesc></area>
  </info>
</alert>
`)
}

// TestIncomingAlertBecomesApprovableOrder: a CAP alert posted by another
// system becomes a draft for the areas it names (by geocode and by name),
// waiting for an approver; approving issues the emergency order, which
// is then published with both its Vietnamese and English info; an Update
// replaces it (published as Update) and a Cancel ends it. Duplicates,
// alerts naming no known area and wrong documents are refused; only an
// emergency broadcaster of the receiving unit decides.
func TestIncomingAlertBecomesApprovableOrder(t *testing.T) {
	requireTool(t, "xmllint", "libxml2-utils")
	requireTool(t, "espeak-ng", "espeak-ng")
	requireTool(t, "ffmpeg", "ffmpeg")
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		city := e.actor("admin.rachgia")
		if err := validate(t, incoming("KTTV-1", "Alert", "")); err != nil {
			t.Fatalf("the test alert itself: %v", err)
		}
		d, err := e.svc.Receive(ctx, city, incoming("KTTV-1", "Alert", ""))
		if err != nil {
			t.Fatal(err)
		}
		ward, lac := e.unit("ubnd-vinh-thanh-van"), e.unit("ubnd-vinh-lac")
		if d.State != model.CAPDraft || d.OrderID != nil || len(d.TargetUnits) != 2 || d.TargetUnits[0] != ward.ID || d.TargetUnits[1] != lac.ID ||
			d.Unmatched != "Đảo Ngọc; Vinh Thanh Van ward" || d.Headline != "Áp thấp nhiệt đới gần bờ biển Kiên Giang" {
			t.Fatalf("draft: %+v", d)
		}
		// No order exists before approval.
		if msgs := e.messages(); len(msgs) != 0 {
			t.Fatalf("published before approval: %d", len(msgs))
		}
		if _, err := e.svc.Receive(ctx, city, incoming("KTTV-1", "Alert", "")); !errors.Is(err, model.ErrConflict) {
			t.Errorf("duplicate: %v", err)
		}
		var ve *model.ValidationError
		nowhere := bytes.ReplaceAll(bytes.ReplaceAll(incoming("KTTV-9", "Alert", ""), []byte("ubnd-vinh-thanh-van"), []byte("x")), []byte("Vĩnh"), []byte("Z"))
		if _, err := e.svc.Receive(ctx, city, nowhere); !errors.As(err, &ve) || ve.Field != "area" {
			t.Errorf("no known area: %v", err)
		}
		old := bytes.Replace(incoming("KTTV-8", "Alert", ""), []byte("cap:1.2"), []byte("cap:1.1"), 1)
		if _, err := e.svc.Receive(ctx, city, old); !errors.As(err, &ve) {
			t.Errorf("CAP 1.1: %v", err)
		}
		// Only an emergency broadcaster of the receiving unit decides.
		if _, err := e.svc.Approve(ctx, e.actor("lanhdao.rachgia"), d.ID); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("a leader without broadcast rights approves: %v", err)
		}
		if _, err := e.svc.Approve(ctx, e.actor("vanthu.so"), d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("another unit approves: %v", err)
		}
		if list, err := e.svc.Inbound(ctx, e.actor("phatthanh.vinhthanhvan")); err != nil || len(list) != 0 {
			t.Errorf("a ward's broadcaster lists the city's drafts: %d %v", len(list), err)
		}
		ok, err := e.svc.Approve(ctx, city, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok.State != model.CAPApproved || ok.OrderID == nil || ok.DecidedBy != "admin.rachgia" {
			t.Fatalf("approved: %+v", ok)
		}
		if _, err := e.svc.Approve(ctx, city, d.ID); !errors.Is(err, model.ErrConflict) {
			t.Errorf("approved twice: %v", err)
		}
		o, err := st.Broadcast().Order(ctx, *ok.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Level != "emergency" || o.Source != "cap" || len(o.Targets) != 2 || o.IssuedAt == nil ||
			!o.ExpiresAt.Equal(time.Date(2021, 6, 8, 15, 30, 0, 0, i18n.Zone())) {
			t.Fatalf("order: %+v", o)
		}
		msgs := e.messages()
		if len(msgs) != 1 || len(msgs[0].Alert.Info) != 2 || msgs[0].Alert.Info[0].Language != "vi-VN" || msgs[0].Alert.Info[1].Language != "en-US" ||
			msgs[0].Alert.Info[1].Headline != "Tropical depression near the coast of Kien Giang" || len(msgs[0].Alert.Info[1].Area) != 2 {
			t.Fatalf("published: %+v", msgs)
		}
		first := msgs[0].Alert
		// An Update replaces the order: the new one is published as an
		// Update referencing the first, which is cancelled without a
		// Cancel message of its own.
		e.clock.Advance(30 * time.Minute)
		up, err := e.svc.Receive(ctx, city, incoming("KTTV-2", "Update", "kttv@nchmf.gov.vn,KTTV-1,2021-06-08T09:30:00+07:00"))
		if err != nil {
			t.Fatal(err)
		}
		if up, err = e.svc.Approve(ctx, city, up.ID); err != nil {
			t.Fatal(err)
		}
		if o, _ := st.Broadcast().Order(ctx, *ok.OrderID); o.CancelledAt == nil {
			t.Error("the replaced order still plays")
		}
		msgs = e.messages()
		if len(msgs) != 2 || msgs[0].Alert.MsgType != cap.MsgUpdate || msgs[1].Alert.MsgType != cap.MsgAlert ||
			msgs[0].Alert.References != first.Sender+","+first.Identifier+","+first.Sent.String() {
			t.Fatalf("after the update: %d messages %+v", len(msgs), msgs[0].Alert)
		}
		// A Cancel of the update ends it.
		e.clock.Advance(30 * time.Minute)
		cn, err := e.svc.Receive(ctx, city, incoming("KTTV-3", "Cancel", "kttv@nchmf.gov.vn,KTTV-2,2021-06-08T09:30:00+07:00"))
		if err != nil {
			t.Fatal(err)
		}
		if cn, err = e.svc.Approve(ctx, city, cn.ID); err != nil || cn.OrderID != nil {
			t.Fatalf("cancel: %+v %v", cn, err)
		}
		if o, _ := st.Broadcast().Order(ctx, *up.OrderID); o.CancelledAt == nil {
			t.Error("the cancelled alert's order still plays")
		}
		msgs = e.messages()
		if len(msgs) != 3 || msgs[0].Alert.MsgType != cap.MsgCancel {
			t.Fatalf("after the cancel: %d messages", len(msgs))
		}
		// Rejecting.
		rj, err := e.svc.Receive(ctx, city, incoming("KTTV-4", "Alert", ""))
		if err != nil {
			t.Fatal(err)
		}
		if rj, err = e.svc.Reject(ctx, city, rj.ID); err != nil || rj.State != model.CAPRejected || rj.OrderID != nil {
			t.Fatalf("reject: %+v %v", rj, err)
		}
		if list, err := e.svc.Inbound(ctx, city); err != nil || len(list) != 4 {
			t.Errorf("the city's list: %d %v", len(list), err)
		}
	})
}

// TestPollFeed: a CAP Atom feed is polled; its new alerts become drafts
// once; a feed on a private address is refused by the SSRF guard.
func TestPollFeed(t *testing.T) {
	requireTool(t, "espeak-ng", "espeak-ng")
	requireTool(t, "ffmpeg", "ffmpeg")
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>KTTV</title>
<entry><title>a</title><link rel="alternate" type="application/cap+xml" href="/alerts/1.xml"/></entry>
<entry><title>b</title><link rel="alternate" type="application/cap+xml" href="alerts/2.xml"/></entry></feed>`)
	})
	mux.HandleFunc("GET /alerts/{n}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/cap+xml")
		_, _ = w.Write(incoming("POLL-"+strings.TrimSuffix(r.PathValue("n"), ".xml"), "Alert", ""))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	svc, err := capalert.New(capalert.Config{Store: st, Policy: authz.Default(), Broadcast: e.bc, Clock: e.clock, HTTP: srv.Client(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 0} {
		n, err := svc.Poll(ctx, "ubnd-rach-gia", srv.URL+"/feed.atom")
		if err != nil || n != want {
			t.Fatalf("poll %d: %d new, %v; want %d", i+1, n, err, want)
		}
	}
	list, err := svc.Inbound(ctx, e.actor("admin.rachgia"))
	if err != nil || len(list) != 2 || list[0].State != model.CAPDraft || list[0].ReceivedBy != "system:cap-poll" {
		t.Fatalf("polled drafts: %+v %v", list, err)
	}
	guarded, err := capalert.New(capalert.Config{Store: st, Policy: authz.Default(), Broadcast: e.bc, HTTP: netguard.New(nil).Client(5 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guarded.Poll(ctx, "ubnd-rach-gia", srv.URL+"/feed.atom"); !errors.Is(err, netguard.ErrForbidden) {
		t.Errorf("loopback feed through the guard: %v", err)
	}
}
