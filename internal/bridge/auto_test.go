package bridge_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/bridge"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/media"
	"github.com/loa-project/loa/internal/media/tts"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// flakyBroadcast fails the speech synthesis calls it is told to fail (by
// their number, counting from 1).
type flakyBroadcast struct {
	bridge.Broadcast
	mu    sync.Mutex
	calls int
	fail  map[int]bool
}

func (f *flakyBroadcast) SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error) {
	f.mu.Lock()
	f.calls++
	fail := f.fail[f.calls]
	f.mu.Unlock()
	if fail {
		return nil, errors.New("speech engine crashed")
	}
	return f.Broadcast.SpeakText(ctx, a, in)
}

func (f *flakyBroadcast) failCalls(n ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = 0
	f.fail = map[int]bool{}
	for _, c := range n {
		f.fail[c] = true
	}
}

// TestAutoScheduleOnDelivery: the demo story delivers 570 (three priority
// items) down to the communes; each delivery queued in its transaction is
// put on the commune radio's loudspeakers without an operator, once,
// surviving a failed speech synthesis; an emergency item always plays,
// a station that turned automatic scheduling off keeps its priority items
// for its operator, and a job that gave up can be retried.
func TestAutoScheduleOnDelivery(t *testing.T) {
	requireTools(t)
	ttsCache := t.TempDir()
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		w := newStoryWorld(t, st, ttsCache)
		policy, log, loc, clock, blobs, bc, dirs := w.policy, w.log, w.loc, w.clock, w.blobs, w.bc, w.dirs
		unit := func(code string) *model.Unit {
			u, err := st.Orgs().UnitByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if err := st.Tx(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecRaw(ctx, query, args...)
				return err
			}); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		count := func(query string, args ...any) int {
			var n int
			if err := st.QueryRowRaw(ctx, query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		// Every delivery of 570 (and of the districts' forwards) was queued,
		// once, in its own transaction.
		jobs := count(`SELECT count(*) FROM broadcast_autoschedule`)
		if want := count(`SELECT count(*) FROM deliveries WHERE status <> 'pending' AND directive_id IN
			(SELECT directive_id FROM directive_items WHERE broadcast AND level IN ('priority', 'emergency'))`); jobs != want || jobs == 0 {
			t.Fatalf("%d jobs queued for %d deliveries with urgent items", jobs, want)
		}
		// Kiên Lương's forward makes its first item an emergency; Hòn Nghệ
		// turns automatic scheduling of priority items off.
		exec(`UPDATE directive_items SET level = 'emergency' WHERE position = 1 AND directive_id IN
			(SELECT directive_id FROM deliveries WHERE recipient_unit_id = ?)`, unit("ubnd-binh-an").ID)
		// Its second item asks for more plays a day than an order may have:
		// refused for Bình An, whose other items are scheduled all the same.
		exec(`UPDATE directive_items SET times_per_day = 100000 WHERE position = 2 AND directive_id IN
			(SELECT directive_id FROM deliveries WHERE recipient_unit_id = ?)`, unit("ubnd-binh-an").ID)
		honNghe := unit("dtt-hon-nghe")
		off := false
		if _, err := bc.SaveSettings(ctx, sys, honNghe.ID, broadcast.SettingsInput{AutoPriority: &off}); err != nil {
			t.Fatal(err)
		}
		if s, err := bc.Settings(ctx, sys, honNghe.ID); err != nil || s.AutoPriority || s.UpdatedBy != "system:test" {
			t.Fatalf("settings: %+v, %v", s, err)
		}
		if s, err := bc.Settings(ctx, sys, unit("dtt-binh-an").ID); err != nil || !s.AutoPriority {
			t.Fatalf("default settings: %+v, %v", s, err)
		}

		flaky := &flakyBroadcast{Broadcast: broadcast.NewAPI(bc)}
		b := &bridge.Bridge{Directives: directives.NewAPI(dirs), Broadcast: flaky, Blobs: blobs, Units: st.Orgs(), Policy: policy, Now: clock.Now, Location: loc, Store: st, Log: log}
		// The second synthesis fails: that job is retried later, the others
		// are done.
		flaky.failCalls(2)
		n, err := b.AutoSchedulePending(ctx)
		if err != nil || n != jobs {
			t.Fatalf("first pass: %d of %d jobs, %v", n, jobs, err)
		}
		if n, err := b.AutoSchedulePending(ctx); err != nil || n != 0 {
			t.Fatalf("a failed job was retried at once: %d, %v", n, err)
		}
		failed := count(`SELECT count(*) FROM broadcast_autoschedule WHERE done_at IS NULL AND attempts = 1 AND last_error LIKE '%speech engine crashed%'`)
		if failed != 1 {
			t.Fatalf("%d jobs wait for a retry, want 1", failed)
		}
		clock.Advance(time.Hour)
		flaky.failCalls()
		if n, err := b.AutoSchedulePending(ctx); err != nil || n != 1 {
			t.Fatalf("retry pass: %d, %v", n, err)
		}
		if pending := count(`SELECT count(*) FROM broadcast_autoschedule WHERE done_at IS NULL`); pending != 0 {
			t.Fatalf("%d jobs not done", pending)
		}

		// Every commune radio under a recipient plays the three items
		// once: priority at the directive's times, the emergency at once.
		ordersOf := func(code string) map[string][]*broadcast.OrderView {
			list, err := bc.OrderBook().Orders(ctx, sys, unit(code).ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][]*broadcast.OrderView{}
			for _, o := range list {
				if o.Source == "directive" && o.UnitID == unit(code).ID {
					out[o.Level] = append(out[o.Level], o)
					if o.CreatedBy != "system:auto-schedule" || !strings.HasPrefix(o.SourceRef, "directive:") {
						t.Errorf("%s: order %+v", code, o)
					}
				}
			}
			return out
		}
		// An item with several recordings has one order per recording
		// (source_part); items counts the items the orders play.
		items := func(list []*broadcast.OrderView) int {
			seen := map[int]bool{}
			for _, o := range list {
				seen[o.SourceItem] = true
			}
			return len(seen)
		}
		vtv := ordersOf("dtt-vinh-thanh-van")
		if items(vtv["priority"]) != 3 || len(vtv["emergency"]) != 0 {
			t.Fatalf("Vĩnh Thanh Vân: %d priority orders of %d items, %d emergency orders", len(vtv["priority"]), items(vtv["priority"]), len(vtv["emergency"]))
		}
		if p := vtv["priority"][0]; p.StartDate.String() != "2021-06-08" || p.EndDate.String() != "2021-06-20" {
			t.Errorf("period %s-%s, want from today to the directive's end", p.StartDate, p.EndDate)
		}
		ba := ordersOf("dtt-binh-an")
		if items(ba["priority"]) != 1 || len(ba["emergency"]) != 1 || ba["emergency"][0].IssuedAt == nil {
			t.Fatalf("Bình An: %d priority, %d emergency orders", len(ba["priority"]), len(ba["emergency"]))
		}
		baJobs, err := b.Jobs(ctx, sys, unit("dtt-binh-an").ID, 10)
		if err != nil || len(baJobs) != 1 || baJobs[0].State != "done" || baJobs[0].Outcome == nil || len(baJobs[0].Outcome.Units) != 1 {
			t.Fatalf("Bình An jobs: %+v, %v", baJobs, err)
		}
		if u := baJobs[0].Outcome.Units[0]; len(u.Created) != 2 || len(u.Skipped) != 1 || u.Skipped[0].Label != "2" ||
			!strings.Contains(u.Skipped[0].Problem, "more than one a second") || u.Skipped[0].ProblemVI == "" || u.Skipped[0].ProblemVI == u.Skipped[0].Problem {
			t.Fatalf("Bình An outcome (item 2 refused, the others scheduled): %+v", u)
		}
		if notes, err := st.Deliveries().Notifications(ctx, unit("dtt-binh-an").ID, 0, false, 10); err != nil || len(notes) != 1 ||
			!strings.Contains(notes[0].Message, "Không lên lịch được, đài cần xử lý: mục 2") {
			t.Fatalf("Bình An notifications: %+v, %v", notes, err)
		}
		hn := ordersOf("dtt-hon-nghe")
		if len(hn["priority"]) != 0 || len(hn["emergency"]) != 1 {
			t.Fatalf("Hòn Nghệ (automatic priority off): %d priority, %d emergency orders", len(hn["priority"]), len(hn["emergency"]))
		}
		// Units without devices of their own get nothing; nothing doubled.
		if n := count(`SELECT count(*) FROM broadcast_orders o JOIN units u ON u.id = o.unit_id WHERE o.source = 'directive' AND u.kind <> 'commune_radio'`); n != 0 {
			t.Errorf("%d directive orders on units without devices", n)
		}
		if n := count(`SELECT count(*) FROM (SELECT unit_id, source_ref FROM broadcast_orders WHERE source_ref <> '' GROUP BY unit_id, source_ref, source_part HAVING count(*) > 1) d`); n != 0 {
			t.Errorf("%d items scheduled twice", n)
		}

		// Each bulletin was converted once, however many communes play it:
		// one file per priority order of a commune (an item's recordings
		// are files of their own).
		if n := count(`SELECT count(DISTINCT m.sha256) FROM media m JOIN broadcast_orders o ON o.media_id = m.id WHERE o.source = 'directive'`); n != len(vtv["priority"]) {
			t.Errorf("the directive orders play %d distinct files, want %d", n, len(vtv["priority"]))
		}
		if n := count(`SELECT count(*) FROM audit_log WHERE action = 'media.create' AND detail LIKE '%converted_as=%'`); n < 10 {
			t.Errorf("%d media items reused a conversion", n)
		}

		// The stations are told, and see what happened.
		notes, err := st.Deliveries().Notifications(ctx, honNghe.ID, 0, false, 10)
		if err != nil || len(notes) != 1 || notes[0].Kind != "broadcast_scheduled" || !strings.Contains(notes[0].Message, "khẩn cấp") ||
			!strings.Contains(notes[0].Message, "Chờ đài lên lịch: mục 2, mục 3") {
			t.Fatalf("Hòn Nghệ notifications: %+v, %v", notes, err)
		}
		list, err := b.Jobs(ctx, sys, honNghe.ID, 10)
		if err != nil || len(list) != 1 || list[0].State != "done" || list[0].Outcome == nil || len(list[0].Outcome.Units) != 1 {
			t.Fatalf("Hòn Nghệ jobs: %+v, %v", list, err)
		}
		if u := list[0].Outcome.Units[0]; len(u.Created) != 1 || len(u.Skipped) != 2 || u.Skipped[0].Reason != bridge.ReasonAutoOff {
			t.Fatalf("Hòn Nghệ outcome: %+v", u)
		}
		viewer := model.Actor{UserID: 99, Username: "other", UnitID: unit("dtt-vinh-lac").ID, UnitPath: unit("dtt-vinh-lac").Path, Roles: []model.Role{model.RoleBroadcaster}}
		if _, err := b.Jobs(ctx, viewer, honNghe.ID, 10); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("another commune's operator read Hòn Nghệ's jobs: %v", err)
		}

		// The operator's button schedules nothing twice; it does schedule
		// what was left to the operator.
		res, err := b.Schedule(ctx, sys, unit("dtt-vinh-thanh-van").ID)
		if err != nil || len(res.Created) != 0 {
			t.Fatalf("manual scheduling after the automatic one: %+v, %v", res, err)
		}
		// By hand, the refused item is an error for the operator to see.
		var ve *model.ValidationError
		if _, err = b.Schedule(ctx, sys, honNghe.ID); !errors.As(err, &ve) || !strings.Contains(err.Error(), "item 2") {
			t.Fatalf("Hòn Nghệ's operator schedules an item that cannot be: %v", err)
		}

		// A job that gives up is shown failed and can be retried.
		var jobID int64
		if err := st.QueryRowRaw(ctx, `SELECT j.id FROM broadcast_autoschedule j JOIN units u ON u.id = j.unit_id WHERE u.code = 'ubnd-vinh-lac'`).Scan(&jobID); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE broadcast_orders SET source_ref = source_ref || ':old', source_directive_id = 0, source_item = 0 WHERE unit_id = ?`, unit("dtt-vinh-lac").ID)
		exec(`UPDATE broadcast_autoschedule SET done_at = NULL, attempts = ?, next_attempt_at = created_at WHERE id = ?`, bridge.MaxAutoAttempts-1, jobID)
		flaky.failCalls(1, 2, 3)
		if n, err := b.AutoSchedulePending(ctx); err != nil || n != 1 {
			t.Fatalf("last attempt: %d, %v", n, err)
		}
		vl := unit("dtt-vinh-lac")
		list, err = b.Jobs(ctx, sys, vl.ID, 10)
		if err != nil || len(list) != 1 || list[0].State != "failed" || !strings.Contains(list[0].LastError, "speech engine crashed") {
			t.Fatalf("a job that gave up: %+v, %v", list, err)
		}
		if err := b.Retry(ctx, sys, honNghe.ID, jobID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a station retried another's job: %v", err)
		}
		flaky.failCalls()
		if err := b.Retry(ctx, sys, vl.ID, jobID); err != nil {
			t.Fatal(err)
		}
		if err := b.Retry(ctx, sys, vl.ID, jobID); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("retrying a queued job: %v", err)
		}
		if n, err := b.AutoSchedulePending(ctx); err != nil || n != 1 {
			t.Fatalf("retried job: %d, %v", n, err)
		}
		if got := ordersOf("dtt-vinh-lac"); len(got["priority"]) != 2*len(vtv["priority"]) {
			t.Fatalf("Vĩnh Lạc after the retry: %d priority orders, want %d set aside + as many new", len(got["priority"]), len(vtv["priority"]))
		}
		if n := count(`SELECT count(*) FROM audit_log WHERE action = 'broadcast.autoschedule.retry'`); n != 1 {
			t.Errorf("%d retries audited", n)
		}
	})
}

// storyWorld is Loa with the demo story replayed (570 delivered down to
// the communes) and the broadcast service with real media tools, on
// 8 June 2021.
type storyWorld struct {
	policy authz.Policy
	log    *slog.Logger
	loc    *time.Location
	clock  *deviceclient.ManualClock
	blobs  blob.Store
	bc     *broadcast.Service
	dirs   *directives.Service
}

func newStoryWorld(t *testing.T, st *storage.Store, ttsCache string) *storyWorld {
	t.Helper()
	ctx := context.Background()
	w := &storyWorld{policy: authz.Default(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), loc: i18n.Zone()}
	w.clock = deviceclient.NewManualClock(time.Date(2021, 6, 8, 9, 0, 0, 0, w.loc)) // 570 plays 5-20 June
	proc, err := media.New(media.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	esp, err := tts.NewEspeak(tts.EspeakConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cached, err := tts.NewCached(esp, esp.ID(), ttsCache, w.log)
	if err != nil {
		t.Fatal(err)
	}
	if w.blobs, err = blob.NewFS(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	w.bc, err = broadcast.New(broadcast.Config{Store: st, Blobs: w.blobs, Policy: w.policy, Log: w.log, Media: proc, TTS: cached, Clock: w.clock, Location: w.loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.bc.Close() })
	o := orgs.New(st, w.policy)
	w.dirs = directives.New(st, w.blobs, registry.New(st, w.policy, w.loc), w.policy, directives.Options{Log: w.log, Location: w.loc, Clock: w.clock})
	acc := accounts.New(st, w.policy, w.log)
	if _, err := (&demo.Loader{Store: st, Orgs: o, Accounts: acc, Broadcast: broadcast.NewAPI(w.bc), Directives: w.dirs, Log: w.log}).Ensure(ctx, t.TempDir(), "http://127.0.0.1"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	return w
}
