package broadcast_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
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

// blobFiles counts the files in the blob store (temporary files aside).
func (e *env) blobFiles() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.Contains(path, string(filepath.Separator)+"tmp"+string(filepath.Separator)) {
			n++
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestBadInputChangesNothing(t *testing.T) {
	requireTools(t)
	ttsDir := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		clock := deviceclient.NewManualClock(time.Date(2021, 6, 7, 5, 0, 0, 0, vn))
		e := newEnv(t, st, clock, envOptions{ttsDir: ttsDir})
		commune := e.unit("dtt-vinh-thanh-van")
		op := e.tokenFor("phatthanh.vinhthanhvan")
		m := e.ttsMedia(op, commune.ID, "Bản tin thử", "Xin chào bà con phường Vĩnh Thanh Vân.")
		mediaBefore, blobsBefore := e.count("media", commune.ID), e.blobFiles()

		// A text file named .mp3 is refused with the reason.
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		mw.WriteField("unit_id", fmt.Sprint(commune.ID))
		mw.WriteField("title", "Bản tin giả")
		fw, _ := mw.CreateFormFile("file", "ban-tin.mp3")
		fw.Write([]byte(strings.Repeat("Đây là một tệp văn bản, không phải âm thanh.\n", 200)))
		mw.Close()
		r := e.do("POST", "/api/v1/broadcast/media", op, bytes.NewReader(form.Bytes()), "Content-Type", mw.FormDataContentType())
		if r.code != http.StatusBadRequest || !strings.Contains(string(r.body), "audio") {
			t.Fatalf("text file named .mp3: %d %s, want 400 saying it is not audio", r.code, r.body)
		}
		t.Logf("text as .mp3: %s", r.body)

		// A 2 GB upload is refused without being buffered, streamed
		// (chunked) or announced with its Content-Length.
		for _, announce := range []bool{false, true} {
			src := &byteSource{n: 2 << 30}
			req, _ := http.NewRequest("POST", e.srv.URL+fmt.Sprintf("/api/v1/broadcast/media?unit_id=%d&title=big", commune.ID), src)
			req.Header.Set("Authorization", "Bearer "+op)
			req.Header.Set("Content-Type", "audio/mpeg")
			if announce {
				req.ContentLength = src.n
			}
			resp, err := e.srv.Client().Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Fatalf("2 GB upload (announced=%v): %d, want 413", announce, resp.StatusCode)
				}
			} else {
				t.Logf("2 GB upload (announced=%v): client saw %v", announce, err)
			}
			if src.read.Load() > 4*testMaxUpload {
				t.Fatalf("2 GB upload (announced=%v): the server read %d bytes; it must stop at the %d-byte limit", announce, src.read.Load(), testMaxUpload)
			}
		}
		if got, gotBlobs := e.count("media", commune.ID), e.blobFiles(); got != mediaBefore || gotBlobs != blobsBefore {
			t.Fatalf("refused uploads stored something: media %d→%d, blobs %d→%d", mediaBefore, got, blobsBefore, gotBlobs)
		}

		// Two devices; an order for the first only.
		a, err := deviceclient.Enrol(ctx, e.srv.URL, e.srv.Client(), protocol.EnrolRequest{Key: e.creds.EnrolmentKey, Name: "Cụm loa A"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := deviceclient.Enrol(ctx, e.srv.URL, e.srv.Client(), protocol.EnrolRequest{Key: e.creds.EnrolmentKey, Name: "Cụm loa B"})
		if err != nil {
			t.Fatal(err)
		}
		e.mustDo(http.StatusCreated, "POST", "/api/v1/broadcast/orders", op, map[string]any{
			"unit_id": commune.ID, "title": "Chỉ cho cụm A", "media_id": m.ID, "level": "normal", "start_date": "2021-06-07",
			"slots": []map[string]string{{"at": "06:00"}}, "targets": []model.OrderTarget{{Kind: "device", ID: a.DeviceID}},
		}, nil)
		ca, _ := deviceclient.NewClient(e.srv.URL, e.srv.Client(), a.DeviceID, a.Credential)
		sa, _, _, err := ca.FetchSchedule(ctx, "")
		if err != nil || len(sa.Items) != 1 {
			t.Fatalf("device A schedule: %v %+v", err, sa)
		}
		itemA := sa.Items[0]

		// A device using another device's credential is refused.
		for _, path := range []string{"/api/v1/device/%d/schedule", "/api/v1/device/%d/events"} {
			if r := e.do("GET", fmt.Sprintf(path, a.DeviceID), b.Credential, nil); r.code != http.StatusForbidden {
				t.Fatalf("B's credential on A's %s: %d %s, want 403", path, r.code, r.body)
			}
		}
		ev := protocol.PlayEvent{EventID: "b-1", ItemID: itemA.ID, Status: "completed", StartedAt: itemA.Start, EndedAt: itemA.End}
		r = e.do("POST", fmt.Sprintf("/api/v1/device/%d/playlogs", a.DeviceID), b.Credential, protocol.PlayLogBatch{Events: []protocol.PlayEvent{ev}})
		if r.code != http.StatusForbidden {
			t.Fatalf("B's credential posting A's plays: %d %s, want 403", r.code, r.body)
		}
		// A play log for a schedule item the device never had is refused,
		// and so is the valid event sent with it: nothing is stored.
		clock.Set(time.Date(2021, 6, 7, 6, 1, 0, 0, vn))
		cb, _ := deviceclient.NewClient(e.srv.URL, e.srv.Client(), b.DeviceID, b.Credential)
		if sb, _, _, err := cb.FetchSchedule(ctx, ""); err != nil || len(sb.Items) != 0 {
			t.Fatalf("device B schedule: %v %+v", err, sb)
		}
		_, err = cb.UploadPlays(ctx, []protocol.PlayEvent{ev})
		var ae *deviceclient.APIError
		if !asAPIError(err, &ae) || ae.Status != http.StatusUnprocessableEntity || len(ae.Rejected) != 1 || !strings.Contains(ae.Rejected[0].Reason, "never scheduled") {
			t.Fatalf("play of an item B never had: %v %+v", err, ae)
		}
		good := protocol.PlayEvent{EventID: "a-1", ItemID: itemA.ID, Status: "completed", StartedAt: itemA.Start, EndedAt: itemA.End}
		_, err = ca.UploadPlays(ctx, []protocol.PlayEvent{good, {EventID: "a-2", ItemID: "o999-1623020400", Status: "completed", StartedAt: itemA.Start, EndedAt: itemA.End}})
		if !asAPIError(err, &ae) || len(ae.Rejected) != 1 || ae.Rejected[0].Index != 1 {
			t.Fatalf("batch with one unknown item: %v %+v", err, ae)
		}
		// Bad times are refused too.
		future := protocol.PlayEvent{EventID: "a-3", ItemID: itemA.ID, Status: "completed", StartedAt: itemA.Start.Add(3 * time.Hour), EndedAt: itemA.Start.Add(3*time.Hour + time.Second)}
		if _, err := ca.UploadPlays(ctx, []protocol.PlayEvent{future}); !asAPIError(err, &ae) || ae.Status != http.StatusUnprocessableEntity {
			t.Fatalf("play in the future: %v", err)
		}
		if n, m := e.count("plays", a.DeviceID), e.count("plays", b.DeviceID); n != 0 || m != 0 {
			t.Fatalf("refused plays were stored: A %d, B %d", n, m)
		}
		// The good event alone is accepted once, however often it is sent.
		for i := range 3 {
			res, err := ca.UploadPlays(ctx, []protocol.PlayEvent{good, good})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if i == 0 {
				want = 1
			}
			if res.Accepted != want || res.Accepted+res.Duplicates != 2 {
				t.Fatalf("upload %d: %+v", i, res)
			}
		}
		if n := e.count("plays", a.DeviceID); n != 1 {
			t.Fatalf("%d plays stored, want 1", n)
		}

		// User tokens do not open device endpoints, device credentials do
		// not open user endpoints, enrolment keys do neither.
		if r := e.do("GET", fmt.Sprintf("/api/v1/device/%d/schedule", a.DeviceID), op, nil); r.code != http.StatusUnauthorized {
			t.Fatalf("user token on a device endpoint: %d, want 401", r.code)
		}
		if r := e.do("GET", "/api/v1/broadcast/devices", a.Credential, nil); r.code != http.StatusUnauthorized {
			t.Fatalf("device credential on a user endpoint: %d, want 401", r.code)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/device/%d/schedule", a.DeviceID), e.creds.EnrolmentKey, nil); r.code != http.StatusUnauthorized {
			t.Fatalf("enrolment key on a device endpoint: %d, want 401", r.code)
		}
		if _, err := deviceclient.Enrol(ctx, e.srv.URL, e.srv.Client(), protocol.EnrolRequest{Key: "loa_e_wrong", Name: "X"}); !asAPIError(err, &ae) || ae.Status != http.StatusUnauthorized {
			t.Fatalf("enrol with a wrong key: %v", err)
		}
		// A revoked device is shut out.
		e.mustDo(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/broadcast/devices/%d", b.DeviceID), op, nil, nil)
		if _, _, _, err := cb.FetchSchedule(ctx, ""); !deviceclient.IsUnauthorized(err) {
			t.Fatalf("revoked device: %v, want 401", err)
		}
		// An order targeting a unit outside the operator's reach is refused.
		other := e.unit("dtt-hon-nghe")
		r = e.do("POST", "/api/v1/broadcast/orders", op, map[string]any{"unit_id": commune.ID, "title": "x", "media_id": m.ID, "level": "normal",
			"start_date": "2021-06-07", "slots": []map[string]string{{"at": "06:00"}}, "targets": []model.OrderTarget{{Kind: "unit", ID: other.ID}}})
		if r.code != http.StatusBadRequest && r.code != http.StatusForbidden {
			t.Fatalf("order for another commune: %d %s", r.code, r.body)
		}
		r = e.do("POST", "/api/v1/broadcast/emergency", op, broadcast.EmergencyInput{UnitID: other.ID, Title: "x", MediaID: m.ID, Targets: []model.OrderTarget{{Kind: "unit", ID: other.ID}}})
		if r.code != http.StatusForbidden {
			t.Fatalf("emergency issued for another commune: %d %s, want 403", r.code, r.body)
		}
	})
}

func asAPIError(err error, target **deviceclient.APIError) bool {
	if err == nil {
		return false
	}
	for e := err; e != nil; {
		if ae, ok := e.(*deviceclient.APIError); ok {
			*target = ae
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}
