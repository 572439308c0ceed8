package channels

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// Manual channel kinds (Decree 49/2024 channels carried out by people).
const (
	KindPress         = "press"          // báo chí
	KindRadioTV       = "radio_tv"       // phát thanh, truyền hình
	KindPropagandist  = "propagandist"   // tuyên truyền viên
	KindPrinted       = "printed"        // bản tin, tờ rơi, tài liệu in
	KindBulletinBoard = "bulletin_board" // bảng tin công cộng
)

// TaskKinds lists the manual channel kinds.
var TaskKinds = []string{KindPress, KindRadioTV, KindPropagandist, KindPrinted, KindBulletinBoard}

// Limits of tasks.
const (
	MaxTaskUnits        = 5000
	MaxTaskTitle        = 300
	MaxTaskInstructions = 4000
	MaxTaskNote         = 2000
	MaxDueDays          = 366
)

// TaskInput creates tasks: one per responsible unit and channel kind for
// the item of an order or a directive.
type TaskInput struct {
	UnitID       int64    `json:"unit_id"` // the issuing unit
	OrderID      int64    `json:"order_id,omitempty"`
	DirectiveID  int64    `json:"directive_id,omitempty"`
	ItemNo       int      `json:"item_no,omitempty"` // the directive's content item (1-based), 0 for the whole
	Kinds        []string `json:"kinds"`
	UnitIDs      []int64  `json:"unit_ids"` // responsible units, inside the issuing unit
	Title        string   `json:"title"`
	Instructions string   `json:"instructions"`
	DueDate      string   `json:"due_date"` // YYYY-MM-DD or DD/MM/YYYY, local
}

// TaskBatch is what CreateTasks did: the new tasks, and how many existed
// already (creating the same tasks twice is harmless).
type TaskBatch struct {
	Created  []*model.ChannelTask `json:"created"`
	Existing int                  `json:"existing"`
}

// TaskQuery selects tasks of a unit: those it is responsible for and
// those it issued (with the units below it when the actor reaches them).
type TaskQuery struct {
	UnitID      int64  `json:"unit_id"`
	OrderID     int64  `json:"order_id,omitempty"`
	DirectiveID int64  `json:"directive_id,omitempty"`
	Status      string `json:"status,omitempty"`
}

// CreateTasks creates the tasks of an order's or a directive item's
// content on manual channels.
func (s TaskOps) CreateTasks(ctx context.Context, a model.Actor, in TaskInput) (*TaskBatch, error) {
	issuer, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID, "unit_id")
	if err != nil {
		return nil, err
	}
	base, err := s.checkTaskInput(ctx, a, issuer, in)
	if err != nil {
		return nil, err
	}
	units, err := s.responsibleUnits(ctx, a, issuer, in.UnitIDs)
	if err != nil {
		return nil, err
	}
	batch := &TaskBatch{Created: []*model.ChannelTask{}}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		*batch = TaskBatch{Created: []*model.ChannelTask{}}
		return s.insertTasks(ctx, tx, a, base, in.Kinds, units, batch)
	})
	if err != nil {
		return nil, err
	}
	return batch, nil
}

func (s TaskOps) insertTasks(ctx context.Context, tx *storage.Tx, a model.Actor, base model.ChannelTask, kinds []string, units []*model.Unit, batch *TaskBatch) error {
	for _, u := range units {
		for _, k := range kinds {
			t := base
			t.UnitID, t.Kind, t.UnitName = u.ID, k, u.Name
			created, err := tx.Channels().InsertTask(ctx, &t)
			if err != nil {
				return err
			}
			if !created {
				batch.Existing++
				continue
			}
			batch.Created = append(batch.Created, &t)
			if err := tx.Audit().AppendAudit(ctx, a, "channels.task.create", "channel_task", fmt.Sprint(t.ID),
				fmt.Sprintf("unit=%s kind=%s order=%d directive=%d item=%d due=%s", u.Code, k, t.OrderID, t.DirectiveID, t.ItemNo, t.DueDate)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTaskInput validates everything but the responsible units and
// returns the task they share.
func (s TaskOps) checkTaskInput(ctx context.Context, a model.Actor, issuer *model.Unit, in TaskInput) (model.ChannelTask, error) {
	t := model.ChannelTask{IssuerUnitID: issuer.ID, OrderID: in.OrderID, DirectiveID: in.DirectiveID, ItemNo: in.ItemNo, CreatedBy: a.Username}
	if in.OrderID == 0 && in.DirectiveID == 0 {
		return t, model.Invalid("order_id", "link the tasks to a broadcast order (order_id) or a directive (directive_id)")
	}
	if in.ItemNo < 0 || in.ItemNo > 1000 {
		return t, model.Invalid("item_no", "the content item number is 1-1000 (0 for the whole directive)")
	}
	if err := s.CampaignOps().checkLinks(ctx, a, issuer, in.OrderID, in.DirectiveID); err != nil {
		return t, err
	}
	if err := checkKinds(in.Kinds); err != nil {
		return t, err
	}
	var err error
	if t.Title, err = shortText("title", in.Title, true, MaxTaskTitle); err != nil {
		return t, err
	}
	if t.Instructions, err = longText("instructions", in.Instructions, MaxTaskInstructions); err != nil {
		return t, err
	}
	t.DueDate, t.DueAt, err = s.dueDate(in.DueDate)
	return t, err
}

func checkKinds(kinds []string) error {
	if len(kinds) == 0 {
		return model.Invalid("kinds", "name at least one channel kind: %s", strings.Join(TaskKinds, ", "))
	}
	for i, k := range kinds {
		if !slices.Contains(TaskKinds, k) || slices.Index(kinds, k) != i {
			return model.Invalid(fmt.Sprintf("kinds[%d]", i), "%q is not a channel kind (or is repeated): use %s", k, strings.Join(TaskKinds, ", "))
		}
	}
	return nil
}

// longText checks a multi-line text field.
func longText(field, s string, max int) (string, error) {
	if len(s) > 4*max || !utf8.ValidString(s) {
		return "", model.Invalid(field, "use at most %d characters of UTF-8 text", max)
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if utf8.RuneCountInString(s) > max || strings.ContainsRune(s, 0) {
		return "", model.Invalid(field, "use at most %d characters of text", max)
	}
	return s, nil
}

// dueDate parses a due date (today or later) and returns it with the end
// of that day in the local zone.
func (s TaskOps) dueDate(v string) (string, time.Time, error) {
	d, err := schedule.ParseDate(v)
	if err != nil {
		return "", time.Time{}, model.Invalid("due_date", "%q is not a date: use YYYY-MM-DD or DD/MM/YYYY", v)
	}
	today := schedule.DateOf(s.now().In(s.loc))
	if d.String() < today.String() || d.String() > today.AddDays(MaxDueDays).String() {
		return "", time.Time{}, model.Invalid("due_date", "%s: give a date from today to %d days ahead", d, MaxDueDays)
	}
	end := time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, s.loc).UTC()
	return d.String(), end, nil
}

// responsibleUnits loads the responsible units: each inside the issuing
// unit's subtree.
func (s TaskOps) responsibleUnits(ctx context.Context, a model.Actor, issuer *model.Unit, ids []int64) ([]*model.Unit, error) {
	if len(ids) == 0 || len(ids) > MaxTaskUnits {
		return nil, model.Invalid("unit_ids", "name 1-%d responsible units", MaxTaskUnits)
	}
	seen := map[int64]bool{}
	var out []*model.Unit
	for i, id := range ids {
		field := fmt.Sprintf("unit_ids[%d]", i)
		u, err := s.store.Orgs().Unit(ctx, id)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return nil, model.Invalid(field, "unit %d does not exist", id)
			}
			return nil, err
		}
		if !strings.HasPrefix(u.Path, issuer.Path) {
			return nil, model.Invalid(field, "unit %q is not inside unit %q, which issues the tasks", u.Name, issuer.Name)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// mayRead reports whether the actor may see a task: as its responsible
// unit or as its issuer.
func (s TaskOps) mayRead(a model.Actor, t *model.ChannelTask) bool {
	return s.policy.Can(a, authz.BroadcastRead, t.UnitPath) || s.policy.Can(a, authz.BroadcastRead, t.IssuerPath)
}

// Task returns a task with its evidence.
func (s TaskOps) Task(ctx context.Context, a model.Actor, id int64) (*model.ChannelTask, error) {
	t, err := s.store.Channels().Task(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.mayRead(a, t) {
		return nil, fmt.Errorf("task %d: %w", id, model.ErrForbidden)
	}
	return t, nil
}

// Tasks lists the tasks a unit is responsible for or issued, by due time.
func (s TaskOps) Tasks(ctx context.Context, a model.Actor, q TaskQuery) ([]*model.ChannelTask, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, q.UnitID, "unit_id")
	if err != nil {
		return nil, err
	}
	if q.Status != "" && !slices.Contains([]string{model.TaskOpen, model.TaskDone, model.TaskLate, model.TaskDeclined}, q.Status) {
		return nil, model.Invalid("status", "%q: use open, done, late or declined", q.Status)
	}
	list, err := s.store.Channels().Tasks(ctx, model.TaskFilter{UnderPath: unit.Path, OrderID: q.OrderID, DirectiveID: q.DirectiveID, Status: q.Status, Limit: 5000})
	if err != nil {
		return nil, err
	}
	out := make([]*model.ChannelTask, 0, len(list))
	for _, t := range list {
		if s.mayRead(a, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// taskToClose loads an open task and checks the actor may act for its
// responsible unit.
func (s TaskOps) taskToClose(ctx context.Context, a model.Actor, id int64) (*model.ChannelTask, error) {
	t, err := s.store.Channels().Task(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.BroadcastWrite, t.UnitPath) {
		return nil, fmt.Errorf("task %d belongs to unit %q: %w", id, t.UnitName, model.ErrForbidden)
	}
	if t.Status != model.TaskOpen {
		return nil, fmt.Errorf("task %d is already %s: %w", id, t.Status, model.ErrConflict)
	}
	return t, nil
}

// DeclineTask refuses a task with a reason (the channel is not available,
// the content does not apply …).
func (s TaskOps) DeclineTask(ctx context.Context, a model.Actor, id int64, reason string) (*model.ChannelTask, error) {
	t, err := s.taskToClose(ctx, a, id)
	if err != nil {
		return nil, err
	}
	r, err := longText("reason", reason, MaxTaskNote)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(r) < 3 {
		return nil, model.Invalid("reason", "say why the task is declined")
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Channels().CloseTask(ctx, id, model.TaskDeclined, r, "", a.Username, s.now()); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "channels.task.declined", "channel_task", fmt.Sprint(id), r)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Channels().Task(ctx, t.ID)
}
