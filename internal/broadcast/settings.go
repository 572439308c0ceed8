package broadcast

import (
	"context"
	"fmt"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// SettingsInput changes a unit's broadcast settings; nil leaves a value as
// it is, and at least one must be given.
type SettingsInput struct {
	AutoPriority *bool `json:"auto_schedule_priority"`
}

// Settings returns a unit's broadcast settings.
func (s *Service) Settings(ctx context.Context, a model.Actor, unitID int64) (model.BroadcastSettings, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID)
	if err != nil {
		return model.BroadcastSettings{}, err
	}
	return s.store.Broadcast().BroadcastSettingsOf(ctx, unit.ID)
}

// SaveSettings changes a unit's broadcast settings (audited).
func (s *Service) SaveSettings(ctx context.Context, a model.Actor, unitID int64, in SettingsInput) (model.BroadcastSettings, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, unitID)
	if err != nil {
		return model.BroadcastSettings{}, err
	}
	if in.AutoPriority == nil {
		return model.BroadcastSettings{}, invalid("auto_schedule_priority", "bcsvc.settings_empty",
			"nothing to change: give auto_schedule_priority, true or false")
	}
	var out model.BroadcastSettings
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		st, err := tx.Broadcast().BroadcastSettingsOf(ctx, unit.ID)
		if err != nil {
			return err
		}
		st.AutoPriority = *in.AutoPriority
		at := s.clock()
		if err := tx.Broadcast().SaveBroadcastSettings(ctx, st, a.Username, at); err != nil {
			return err
		}
		st.UpdatedBy, st.UpdatedAt = a.Username, &at
		out = st
		return tx.Audit().AppendAudit(ctx, a, "broadcast.settings", "unit", fmt.Sprint(unit.ID), fmt.Sprintf("auto_schedule_priority=%t", st.AutoPriority))
	})
	return out, err
}
