package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// Automatic scheduling: when a directive with priority or emergency
// broadcast items is delivered, the delivery worker queues it (in the
// delivery's transaction, package directives) and the worker below puts
// the items on the devices of the recipient and of its radio station:
// emergency items always (they play at once), priority items unless the
// station turned "Tự động lên lịch nội dung ưu tiên" off; normal items
// wait for the station's operator. A job is leased, so one replica works
// on it at a time, retried with backoff when it fails (TTS or audio
// conversion), and idempotent: an item is scheduled at most once per unit.

const (
	// autoLease is how long a claimed job is left to its worker before
	// another may take it (speech synthesis of a long text takes a while).
	autoLease = 10 * time.Minute
	// MaxAutoAttempts: after this many failures a job is given up (shown
	// to the station, which may retry it or schedule by hand).
	MaxAutoAttempts = 8
	// DefaultAutoPoll is how often the worker looks for due jobs.
	DefaultAutoPoll = time.Second
)

// autoActor is who the automatic scheduling acts as (audit log, orders'
// created_by).
var autoActor = model.System("auto-schedule")

// Store is what the worker needs of storage.
type Store interface {
	Tx(ctx context.Context, fn func(*storage.Tx) error) error
	Broadcast() storage.BroadcastStore
}

// AutoResult is what a job did, per unit whose devices play the delivery.
type AutoResult struct {
	Units []AutoUnitResult `json:"units"`
}

// AutoUnitResult is what a job did on one unit's devices.
type AutoUnitResult struct {
	UnitID int64 `json:"unit_id"`
	Result
}

// Reasons the worker leaves an item to the station's operator.
const (
	ReasonAutoOff = "automatic scheduling of priority items is off"
	ReasonNormal  = "normal items are scheduled by the station"
)

// autoBackoff: 30 s after the first failure, doubling up to an hour.
var autoBackoff = jobs.Backoff{Base: 30 * time.Second, Max: 3840 * time.Second, Jitter: 0.1}

// jobs returns the runner of the automatic scheduling queue.
func (b *Bridge) jobs() *jobs.Runner {
	poll := b.Poll
	if poll <= 0 {
		poll = DefaultAutoPoll
	}
	return jobs.New(b.Store, jobs.Queue{Kind: "autoschedule", Table: storage.AutoScheduleQueue, Handler: b.autoSchedule, Lease: autoLease,
		MaxAttempts: MaxAutoAttempts, Backoff: autoBackoff}, jobs.Options{Poll: poll, Now: b.Now, Log: b.log()})
}

// AutoSchedulePending runs every due job and returns how many were
// processed (done or rescheduled after a failure). Run calls it; tests
// and the demo call it directly.
func (b *Bridge) AutoSchedulePending(ctx context.Context) (int, error) {
	return b.jobs().Drain(ctx)
}

// Run works the queue until ctx ends.
func (b *Bridge) Run(ctx context.Context) {
	r := b.jobs()
	r.Start(ctx)
	r.Wait()
}

// autoSchedule runs one leased job (package jobs) and records its result.
func (b *Bridge) autoSchedule(ctx context.Context, j jobs.Job) error {
	job, err := b.Store.Broadcast().AutoScheduleJob(ctx, j.ID)
	if err != nil {
		return err
	}
	res, err := b.runJob(ctx, job)
	if err != nil {
		return fmt.Errorf("delivery %d: %w", job.DeliveryID, err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result of automatic scheduling job %d: %w", job.ID, err)
	}
	return b.Store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().AutoScheduleDone(ctx, job.ID, string(out), b.Now()); err != nil {
			return err
		}
		return b.notify(ctx, tx, job, res)
	})
}

func (b *Bridge) log() *slog.Logger {
	if b.Log == nil {
		return slog.Default()
	}
	return b.Log
}

// runJob schedules the urgent items of the job's delivery on the devices
// of every unit that plays it: the recipient, and its children owning
// devices (the commune's radio station under its People's Committee).
func (b *Bridge) runJob(ctx context.Context, job *model.AutoScheduleJob) (*AutoResult, error) {
	res := &AutoResult{Units: []AutoUnitResult{}}
	owners, err := b.Store.Broadcast().DeviceOwners(ctx, job.UnitID)
	if err != nil || len(owners) == 0 {
		return res, err
	}
	items, err := b.Directives.DeliveryBroadcastItems(ctx, job.DeliveryID)
	if err != nil {
		return nil, err
	}
	for _, id := range owners {
		unit, err := b.Units.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		st, err := b.Store.Broadcast().BroadcastSettingsOf(ctx, id)
		if err != nil {
			return nil, err
		}
		var pick []directives.BroadcastItem
		var left []ItemResult
		for _, it := range items {
			r := ItemResult{Ref: it.Ref(), Code: it.Code, Label: it.Label, Level: it.Broadcast.Level.String()}
			switch {
			case it.Broadcast.Level == schedule.LevelEmergency:
				pick = append(pick, it)
			case it.Broadcast.Level == schedule.LevelPriority && st.AutoPriority:
				pick = append(pick, it)
			case it.Broadcast.Level == schedule.LevelPriority:
				r.Reason = ReasonAutoOff
				left = append(left, r)
			default:
				r.Reason = ReasonNormal
				left = append(left, r)
			}
		}
		ur, err := b.scheduleItems(ctx, autoActor, unit, pick, true)
		if err != nil {
			return nil, fmt.Errorf("scheduling for %s: %w", unit.Name, err)
		}
		ur.Skipped = append(ur.Skipped, left...)
		res.Units = append(res.Units, AutoUnitResult{UnitID: id, Result: *ur})
	}
	return res, nil
}

// notify tells each unit what was put on its devices, or what waits for
// its operator.
func (b *Bridge) notify(ctx context.Context, tx *storage.Tx, job *model.AutoScheduleJob, res *AutoResult) error {
	for _, u := range res.Units {
		var created, waiting, refused []string
		for _, r := range u.Created {
			created = append(created, fmt.Sprintf("mục %s (%s)", r.Label, levelName(r.Level)))
		}
		for _, r := range u.Skipped {
			switch {
			case r.Problem != "":
				why := r.ProblemVI
				if why == "" {
					why = r.Problem
				}
				refused = append(refused, fmt.Sprintf("mục %s (%s)", r.Label, why))
			case r.Reason == ReasonAutoOff || r.Reason == ReasonNormal:
				waiting = append(waiting, "mục "+r.Label)
			}
		}
		var parts []string
		if len(created) > 0 {
			parts = append(parts, "Đã tự động lên lịch: "+strings.Join(created, ", ")+".")
		}
		if len(waiting) > 0 {
			parts = append(parts, "Chờ đài lên lịch: "+strings.Join(waiting, ", ")+".")
		}
		if len(refused) > 0 {
			parts = append(parts, "Không lên lịch được, đài cần xử lý: "+strings.Join(refused, "; ")+".")
		}
		if len(parts) == 0 {
			continue
		}
		msg := fmt.Sprintf("Văn bản %s có nội dung phát thanh. %s", job.Code, strings.Join(parts, " "))
		dir, del := job.DirectiveID, job.DeliveryID
		if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: u.UnitID, Kind: "broadcast_scheduled", DirectiveID: &dir, DeliveryID: &del,
			Message: msg, CreatedAt: b.Now()}); err != nil {
			return err
		}
	}
	return nil
}

func levelName(level string) string {
	switch level {
	case "emergency":
		return "khẩn cấp"
	case "priority":
		return "ưu tiên"
	}
	return "thông thường"
}

// AutoJob is a job as a station sees it.
type AutoJob struct {
	*model.AutoScheduleJob
	State   string      `json:"state"` // pending, done or failed
	Outcome *AutoResult `json:"outcome,omitempty"`
}

// Jobs lists the automatic scheduling of deliveries to the unit and to
// its parent (whose deliveries its devices play), newest first.
func (b *Bridge) Jobs(ctx context.Context, a model.Actor, unitID int64, limit int) ([]AutoJob, error) {
	unit, err := b.Units.Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if !b.Policy.Can(a, authz.BroadcastRead, unit.Path) {
		return nil, fmt.Errorf("automatic scheduling of %q: %w", unit.Name, model.ErrForbidden)
	}
	ids := []int64{unit.ID}
	if p := parentOf(unit); p != 0 {
		ids = append(ids, p)
	}
	list, err := b.Store.Broadcast().AutoScheduleJobs(ctx, ids, limit)
	if err != nil {
		return nil, err
	}
	out := make([]AutoJob, 0, len(list))
	for _, j := range list {
		aj := AutoJob{AutoScheduleJob: j, State: "pending"}
		switch {
		case j.DoneAt != nil:
			aj.State = "done"
		case j.FailedAt != nil:
			aj.State = "failed"
		}
		if j.Result != "" {
			var r AutoResult
			if err := json.Unmarshal([]byte(j.Result), &r); err != nil {
				return nil, fmt.Errorf("decode result of automatic scheduling job %d: %w", j.ID, err)
			}
			// Only what concerns this unit.
			var mine []AutoUnitResult
			for _, u := range r.Units {
				if u.UnitID == unit.ID {
					mine = append(mine, u)
				}
			}
			r.Units = mine
			aj.Outcome = &r
		}
		out = append(out, aj)
	}
	return out, nil
}

// Retry puts a job that gave up back in the queue. The unit is the
// station asking, which must play the job's delivery.
func (b *Bridge) Retry(ctx context.Context, a model.Actor, unitID, jobID int64) error {
	unit, err := b.Units.Unit(ctx, unitID)
	if err != nil {
		return err
	}
	if !b.Policy.Can(a, authz.BroadcastWrite, unit.Path) {
		return fmt.Errorf("retrying automatic scheduling for %q: %w", unit.Name, model.ErrForbidden)
	}
	return b.Store.Tx(ctx, func(tx *storage.Tx) error {
		j, err := tx.Broadcast().AutoScheduleJob(ctx, jobID)
		if err != nil {
			return err
		}
		if j.UnitID != unit.ID && j.UnitID != parentOf(unit) {
			return fmt.Errorf("automatic scheduling job %d: %w", jobID, model.ErrNotFound)
		}
		ok, err := jobs.Retry(ctx, tx.Q, storage.AutoScheduleQueue, jobID, b.Now())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("automatic scheduling job %d has not given up: nothing to retry: %w", jobID, model.ErrConflict)
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.autoschedule.retry", "autoschedule_job", fmt.Sprint(jobID), "")
	})
}
