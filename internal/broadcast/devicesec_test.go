package broadcast_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestInflatedPlayEvidence: a device reporting one scheduled occurrence as
// completed under 50 event ids (in one batch and one by one) is counted
// once in the order's report and in the day view.
func TestInflatedPlayEvidence(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.tokenFor("phatthanh.vinhthanhvan")
		dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		m := e.ttsMedia(op, commune.ID, "Bản tin sáng", seedItems[0])
		var o broadcast.OrderView
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
			"unit_id": commune.ID, "title": m.Title, "media_id": m.ID, "level": "normal", "start_date": "2021-06-07", "end_date": "2021-06-07",
			"slots": []map[string]string{{"at": "06:00"}}, "targets": []model.OrderTarget{{Kind: model.TargetUnit, ID: commune.ID}},
		}, &o)
		items := itemsOf(ptr(dev.schedule()), o.ID)
		if len(items) != 1 {
			t.Fatalf("%d items of the order, want 1", len(items))
		}
		it := items[0]
		clock.Set(time.Date(2021, 6, 7, 6, 30, 0, 0, vn))
		ev := func(i int) protocol.PlayEvent {
			return protocol.PlayEvent{EventID: fmt.Sprintf("ev-%02d", i), ItemID: it.ID, Status: protocol.PlayCompleted, StartedAt: it.Start.Add(time.Second), EndedAt: it.End}
		}
		var batch protocol.PlayLogBatch
		for i := range 25 {
			batch.Events = append(batch.Events, ev(i))
		}
		var res protocol.PlayLogResult
		e.mustDo(http.StatusOK, "POST", fmt.Sprintf(protocol.PathPlayLogs, dev.id), dev.cred, batch, &res)
		if res.Accepted != 1 || res.Duplicates != 24 {
			t.Errorf("batch of 25 reports of one occurrence: %+v, want 1 accepted and 24 duplicates", res)
		}
		for i := 25; i < 50; i++ {
			e.mustDo(http.StatusOK, "POST", fmt.Sprintf(protocol.PathPlayLogs, dev.id), dev.cred, protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev(i)}}, &res)
			if res.Accepted != 0 {
				t.Fatalf("report %d of an occurrence already completed was accepted", i)
			}
		}
		var rep broadcast.OrderReport
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/orders/%d/report", o.ID), op, nil, &rep)
		if rep.Plays != 1 || len(rep.Units) != 1 || rep.Units[0].Completed != 1 {
			t.Errorf("report after 50 completed reports of one occurrence: %d plays, units %+v; want 1", rep.Plays, rep.Units)
		}
		var day broadcast.DayView
		e.mustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/broadcast/units/%d/day?date=2021-06-07", commune.ID), op, nil, &day)
		for _, en := range day.Items {
			if en.ItemID == it.ID && en.Completed != 1 {
				t.Errorf("day view counts %d completed plays of the occurrence, want 1", en.Completed)
			}
		}
	})
}

// TestHeartbeatValidation: negative counters, unknown states and
// oversized fields are refused with 400 and the reason; a sane heartbeat
// passes.
func TestHeartbeatValidation(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		dev := e.enrolDevice("dtt-vinh-thanh-van", "Cụm loa chợ")
		path := fmt.Sprintf(protocol.PathHeartbeat, dev.id)
		for _, c := range []struct {
			name string
			body any
			want string
		}{
			{"unknown status", protocol.Heartbeat{Status: "pwned", Volume: 50}, "status"},
			{"negative uptime", protocol.Heartbeat{Status: "ok", Volume: 50, UptimeS: -1}, "uptime_s"},
			{"negative queue", protocol.Heartbeat{Status: "ok", Volume: 50, QueuedPlays: -5}, "queued_plays"},
			{"huge queue", protocol.Heartbeat{Status: "ok", Volume: 50, QueuedPlays: protocol.MaxQueuedPlays + 1}, "queued_plays"},
			{"negative volume", protocol.Heartbeat{Status: "ok", Volume: -3}, "volume"},
			{"long firmware", protocol.Heartbeat{Status: "ok", Volume: 50, Firmware: strings.Repeat("x", protocol.MaxFieldLen+1)}, "firmware"},
		} {
			r := e.do("POST", path, dev.cred, c.body)
			if r.code != http.StatusBadRequest || !strings.Contains(string(r.body), c.want) {
				t.Errorf("%s: %d %s, want 400 naming %s", c.name, r.code, r.body, c.want)
			}
		}
		for _, status := range []string{"", "ok", "degraded", "error"} {
			if r := e.do("POST", path, dev.cred, protocol.Heartbeat{Status: status, Volume: 50, Signal: -70, UptimeS: 3600, QueuedPlays: 2}); r.code != http.StatusOK {
				t.Errorf("heartbeat with status %q: %d %s", status, r.code, r.body)
			}
		}
	})
}

// createKey creates an enrolment key through the API.
func (e *env) createKey(token string, body map[string]any) (string, model.EnrolmentKey) {
	e.t.Helper()
	var out struct {
		Key          string             `json:"key"`
		EnrolmentKey model.EnrolmentKey `json:"enrolment_key"`
	}
	e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/enrolment-keys", token, body, &out)
	return out.Key, out.EnrolmentKey
}

func (e *env) enrolWith(key, name string) result {
	e.t.Helper()
	return e.do("POST", protocol.PathEnrol, "", protocol.EnrolRequest{Key: key, Name: name})
}

// TestEnrolmentKeyExpiry: a key expires after 7 days unless its creator
// chose another expiry (at most a year ahead); an expired key is refused
// with the reason.
func TestEnrolmentKeyExpiry(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{})
		commune := e.unit("dtt-vinh-thanh-van")
		admin := e.creds.AdminToken
		key, k := e.createKey(admin, map[string]any{"unit_id": commune.ID, "label": "tổ 3"})
		if k.ExpiresAt == nil || !k.ExpiresAt.Equal(clock.Now().Add(7*24*time.Hour)) {
			t.Fatalf("default expiry %v, want 7 days after %v", k.ExpiresAt, clock.Now())
		}
		twoDays := clock.Now().Add(48 * time.Hour)
		short, _ := e.createKey(admin, map[string]any{"unit_id": commune.ID, "expires_at": twoDays})
		if r := e.do("POST", "/api/v1/broadcast/enrolment-keys", admin, map[string]any{"unit_id": commune.ID, "expires_at": clock.Now().AddDate(2, 0, 0)}); r.code != http.StatusBadRequest {
			t.Errorf("key valid for two years: %d %s, want 400", r.code, r.body)
		}

		clock.Set(twoDays.Add(-time.Minute))
		if r := e.enrolWith(short, "Cụm loa 1"); r.code != http.StatusCreated {
			t.Fatalf("enrol before the chosen expiry: %d %s", r.code, r.body)
		}
		clock.Set(twoDays)
		if r := e.enrolWith(short, "Cụm loa 2"); r.code != http.StatusUnauthorized || !strings.Contains(string(r.body), "expired") {
			t.Errorf("enrol with a key past its chosen expiry: %d %s, want 401 saying it expired", r.code, r.body)
		}
		clock.Set(time.Date(2021, 6, 14, 4, 59, 0, 0, vn))
		if r := e.enrolWith(key, "Cụm loa 3"); r.code != http.StatusCreated {
			t.Fatalf("enrol on the 7th day: %d %s", r.code, r.body)
		}
		clock.Set(time.Date(2021, 6, 14, 5, 0, 0, 0, vn))
		if r := e.enrolWith(key, "Cụm loa 4"); r.code != http.StatusUnauthorized || !strings.Contains(string(r.body), "expired") {
			t.Errorf("enrol after 7 days: %d %s, want 401 saying it expired", r.code, r.body)
		}
	})
}

// TestEnrolmentKeyMaxDevices: a key limited to two devices enrols two and
// refuses the third with the reason; a key without a limit keeps enrolling.
func TestEnrolmentKeyMaxDevices(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{})
		commune := e.unit("dtt-vinh-thanh-van")
		key, k := e.createKey(e.creds.AdminToken, map[string]any{"unit_id": commune.ID, "max_devices": 2})
		if k.MaxDevices == nil || *k.MaxDevices != 2 {
			t.Fatalf("max_devices %v, want 2", k.MaxDevices)
		}
		for i := range 2 {
			if r := e.enrolWith(key, fmt.Sprintf("Cụm loa %d", i)); r.code != http.StatusCreated {
				t.Fatalf("enrol %d of 2: %d %s", i+1, r.code, r.body)
			}
		}
		if r := e.enrolWith(key, "Cụm loa thừa"); r.code != http.StatusUnauthorized || !strings.Contains(string(r.body), "used up") {
			t.Errorf("third device on a key for two: %d %s, want 401 saying it is used up", r.code, r.body)
		}
		if r := e.do("POST", "/api/v1/broadcast/enrolment-keys", e.creds.AdminToken, map[string]any{"unit_id": commune.ID, "max_devices": -1}); r.code != http.StatusBadRequest {
			t.Errorf("negative max_devices: %d %s, want 400", r.code, r.body)
		}
		unlimited, _ := e.createKey(e.creds.AdminToken, map[string]any{"unit_id": commune.ID})
		for i := range 3 {
			if r := e.enrolWith(unlimited, fmt.Sprintf("Cụm loa tự do %d", i)); r.code != http.StatusCreated {
				t.Fatalf("enrol %d with an unlimited key: %d %s", i+1, r.code, r.body)
			}
		}
	})
}

// TestEnrolmentRateLimit: after 20 failed enrolment attempts within ten
// minutes, a client address is refused with 429 even with a valid key,
// until the failures leave the window; successful enrolments do not count.
func TestEnrolmentRateLimit(t *testing.T) {
	requireTools(t)
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{})
		commune := e.unit("dtt-vinh-thanh-van")
		key, _ := e.createKey(e.creds.AdminToken, map[string]any{"unit_id": commune.ID})
		for i := range 25 {
			if r := e.enrolWith(key, fmt.Sprintf("Cụm loa %d", i)); r.code != http.StatusCreated {
				t.Fatalf("successful enrolment %d: %d %s", i+1, r.code, r.body)
			}
		}
		for i := range broadcast.DefaultEnrolFailures {
			if r := e.enrolWith("loa_e_wrong"+fmt.Sprint(i), "X"); r.code != http.StatusUnauthorized {
				t.Fatalf("failed attempt %d: %d %s, want 401", i+1, r.code, r.body)
			}
			clock.Advance(10 * time.Second)
		}
		r := e.enrolWith(key, "Cụm loa hợp lệ")
		if r.code != http.StatusTooManyRequests || !strings.Contains(string(r.body), "enrolment attempts") {
			t.Fatalf("attempt after %d failures: %d %s, want 429", broadcast.DefaultEnrolFailures, r.code, r.body)
		}
		clock.Advance(broadcast.DefaultEnrolWindow)
		if r := e.enrolWith(key, "Cụm loa hợp lệ"); r.code != http.StatusCreated {
			t.Fatalf("attempt once the failures left the window: %d %s", r.code, r.body)
		}
	})
}

// getFeed fetches a public feed URL with a forged Host header.
func (e *env) getFeed(path, host string) result {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		e.t.Fatal(err)
	}
	return result{code: resp.StatusCode, body: []byte(b.String()), hdr: resp.Header}
}

// TestPublicFeed: the public feeds never take their links from the Host
// header (relative links without a public URL, the public URL's otherwise)
// and publish a bulletin only from its start until its end.
func TestPublicFeed(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	const code = "dtt-vinh-thanh-van"
	feeds := []string{"/feeds/" + code + "/bulletins.atom", "/feeds/" + code + "/bulletins.json", "/feeds/" + code}
	for _, public := range []string{"", "https://loa.kiengiang.gov.vn/"} {
		t.Run("public-url="+public, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *storage.Store) {
				clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
				e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir, publicURL: public})
				commune := e.unit(code)
				op := e.tokenFor("phatthanh.vinhthanhvan")
				order := func(title, text, start, end, at string) model.Media {
					m := e.ttsMedia(op, commune.ID, title, text)
					e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
						"unit_id": commune.ID, "title": title, "media_id": m.ID, "level": "normal", "start_date": start, "end_date": end,
						"slots": []map[string]string{{"at": at}}, "targets": []model.OrderTarget{{Kind: model.TargetUnit, ID: commune.ID}},
					}, nil)
					return m
				}
				today := order("Bản tin sáng nay", seedItems[0], "2021-06-07", "2021-06-07", "06:00")
				tomorrow := order("Bản tin ngày mai", seedItems[1], "2021-06-08", "2021-06-08", "06:00")
				check := func(when string, wantToday, wantTomorrow bool) {
					t.Helper()
					for _, path := range feeds {
						r := e.getFeed(path, "evil.example")
						body := string(r.body)
						if r.code != http.StatusOK {
							t.Fatalf("%s %s: %d %s", when, path, r.code, body)
						}
						if strings.Contains(body, "evil.example") {
							t.Errorf("%s %s: the forged Host header appears in the feed:\n%s", when, path, body)
						}
						if got := strings.Contains(body, today.Title); got != wantToday {
							t.Errorf("%s %s: today's bulletin listed %v, want %v", when, path, got, wantToday)
						}
						if got := strings.Contains(body, tomorrow.Title); got != wantTomorrow {
							t.Errorf("%s %s: tomorrow's bulletin listed %v, want %v", when, path, got, wantTomorrow)
						}
						if strings.HasSuffix(path, ".atom") || strings.HasSuffix(path, ".json") {
							audio := "/feeds/" + code + "/audio/" + today.SHA256 + ".mp3"
							if public != "" {
								audio = strings.TrimSuffix(public, "/") + audio
							}
							if wantToday && !strings.Contains(body, `"`+audio+`"`) {
								t.Errorf("%s %s: no enclosure link %s in\n%s", when, path, audio, body)
							}
						}
					}
					for m, want := range map[*model.Media]bool{&today: wantToday, &tomorrow: wantTomorrow} {
						r := e.getFeed("/feeds/"+code+"/audio/"+m.SHA256+".mp3", "evil.example")
						if (r.code == http.StatusOK) != want {
							t.Errorf("%s: audio of %q: %d, want published=%v", when, m.Title, r.code, want)
						}
					}
				}
				check("before today's slot", false, false)
				clock.Set(time.Date(2021, 6, 7, 6, 0, 0, 0, vn))
				check("at today's slot", true, false)
				clock.Set(time.Date(2021, 6, 8, 6, 0, 0, 0, vn))
				check("the next day", false, true)
				clock.Set(time.Date(2021, 6, 9, 0, 0, 0, 0, vn))
				check("after both", false, false)
			})
		})
	}
}
