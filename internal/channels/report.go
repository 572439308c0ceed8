package channels

import (
	"context"
	"errors"
	"fmt"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
)

// TaskTotals counts tasks by state; Overdue is the part of Open past its
// due time.
type TaskTotals struct {
	Total    int `json:"total"`
	Open     int `json:"open"`
	Overdue  int `json:"overdue"`
	Done     int `json:"done"`
	Late     int `json:"late"`
	Declined int `json:"declined"`
}

func (t *TaskTotals) add(c model.TaskCount) {
	t.Total += c.N
	switch c.Status {
	case model.TaskOpen:
		t.Open += c.N
		if c.Overdue {
			t.Overdue += c.N
		}
	case model.TaskDone:
		t.Done += c.N
	case model.TaskLate:
		t.Late += c.N
	case model.TaskDeclined:
		t.Declined += c.N
	}
}

// UnitTotals are the task totals of one responsible unit (units in
// tree order).
type UnitTotals struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	TaskTotals
}

// Report is what the non-device channels did for an order or a
// directive: manual tasks by kind and unit, and the messaging campaigns
// with their messages by status.
type Report struct {
	OrderID     int64                 `json:"order_id,omitempty"`
	DirectiveID int64                 `json:"directive_id,omitempty"`
	Tasks       TaskTotals            `json:"tasks"`
	ByKind      map[string]TaskTotals `json:"by_kind"`
	ByUnit      []*UnitTotals         `json:"by_unit"`
	Campaigns   []*CampaignView       `json:"campaigns"`
	Messages    map[string]int        `json:"messages"` // over all campaigns
	Recipients  int                   `json:"recipients"`
}

// Report aggregates the tasks and campaigns of one order or directive
// (exactly one id non-zero) that the actor may read.
func (s CampaignOps) Report(ctx context.Context, a model.Actor, orderID, directiveID int64) (*Report, error) {
	if (orderID == 0) == (directiveID == 0) || orderID < 0 || directiveID < 0 {
		return nil, model.Invalid("order_id", "give either a broadcast order id or a directive id")
	}
	if orderID > 0 {
		if _, err := s.store.Broadcast().Order(ctx, orderID); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return nil, fmt.Errorf("broadcast order %d: %w", orderID, model.ErrNotFound)
			}
			return nil, err
		}
	}
	r := &Report{OrderID: orderID, DirectiveID: directiveID, ByKind: map[string]TaskTotals{}, ByUnit: []*UnitTotals{}, Campaigns: []*CampaignView{}, Messages: map[string]int{}}
	if err := s.reportTasks(ctx, a, r); err != nil {
		return nil, err
	}
	if err := s.reportCampaigns(ctx, a, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (s CampaignOps) reportTasks(ctx context.Context, a model.Actor, r *Report) error {
	counts, err := s.store.Channels().TaskCounts(ctx, r.OrderID, r.DirectiveID, s.now())
	if err != nil {
		return err
	}
	units := map[int64]*UnitTotals{}
	for _, c := range counts {
		if !s.policy.Can(a, authz.BroadcastRead, c.UnitPath) && !s.policy.Can(a, authz.BroadcastRead, c.IssuerPath) {
			continue
		}
		r.Tasks.add(c)
		k := r.ByKind[c.Kind]
		k.add(c)
		r.ByKind[c.Kind] = k
		u := units[c.UnitID]
		if u == nil {
			u = &UnitTotals{UnitID: c.UnitID, UnitName: c.UnitName}
			units[c.UnitID] = u
			r.ByUnit = append(r.ByUnit, u)
		}
		u.add(c)
	}
	return nil
}

func (s CampaignOps) reportCampaigns(ctx context.Context, a model.Actor, r *Report) error {
	list, err := s.store.Channels().Campaigns(ctx, model.CampaignFilter{OrderID: r.OrderID, DirectiveID: r.DirectiveID, Limit: 1000})
	if err != nil {
		return err
	}
	for _, c := range list {
		u, err := s.store.Orgs().Unit(ctx, c.UnitID)
		if err != nil {
			return err
		}
		if !s.policy.Can(a, authz.BroadcastRead, u.Path) {
			continue
		}
		v, err := s.campaignView(ctx, c)
		if err != nil {
			return err
		}
		r.Campaigns = append(r.Campaigns, v)
		r.Recipients += c.Recipients
		for st, n := range v.Counts {
			r.Messages[st] += n
		}
	}
	return nil
}
