package directives

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/netguard"
	"github.com/loa-project/loa/internal/storage"
)

// ApprovalStep is one step a draft passes before it is issued. A step is
// approved by any approver of the issuing unit, or by the named user.
type ApprovalStep struct {
	Label  string `json:"label"`
	UserID int64  `json:"user_id,omitempty"`
}

// DefaultSteps is the approval of a unit that configured none: the
// signer approves.
func DefaultSteps() []ApprovalStep {
	return []ApprovalStep{{Label: "Lãnh đạo duyệt, ký"}}
}

// Settings is a unit's configuration of the directive workflow.
type Settings struct {
	UnitID int64 `json:"unit_id"`
	// ApprovalSteps in order; an empty list means a submitted draft is
	// approved at once. Null restores the default (one step).
	ApprovalSteps []ApprovalStep `json:"approval_steps"`
	// AutoIssue issues a directive as soon as its last step approves it.
	AutoIssue bool `json:"auto_issue"`
	// Reminders for recipients that did not acknowledge: the first after
	// RemindAfterMinutes, then every RemindEveryMinutes, at most
	// MaxReminders; escalation to the recipient's superior after
	// EscalateAfterMinutes. 0 disables.
	RemindAfterMinutes   int  `json:"remind_after_minutes"`
	RemindEveryMinutes   int  `json:"remind_every_minutes"`
	MaxReminders         int  `json:"max_reminders"`
	EscalateAfterMinutes int  `json:"escalate_after_minutes"`
	EmailNotifications   bool `json:"email_notifications"`
	// WebhookURL receives signed event notifications (HMAC-SHA256 with
	// WebhookSecret, which is write-only).
	WebhookURL       string `json:"webhook_url"`
	WebhookSecret    string `json:"webhook_secret,omitempty"`
	HasWebhookSecret bool   `json:"has_webhook_secret"`
}

func fromStored(st model.DirectiveSettings) (Settings, error) {
	out := Settings{UnitID: st.UnitID, AutoIssue: st.AutoIssue, RemindAfterMinutes: st.RemindAfterMin, RemindEveryMinutes: st.RemindEveryMin,
		MaxReminders: st.MaxReminders, EscalateAfterMinutes: st.EscalateAfterMin, EmailNotifications: st.EmailNotifications,
		WebhookURL: st.WebhookURL, HasWebhookSecret: st.WebhookSecret != ""}
	if !st.Stored || st.ApprovalSteps == "" || st.ApprovalSteps == "null" {
		out.ApprovalSteps = DefaultSteps()
		return out, nil
	}
	if err := json.Unmarshal([]byte(st.ApprovalSteps), &out.ApprovalSteps); err != nil {
		return out, fmt.Errorf("decode approval steps of unit %d: %w", st.UnitID, err)
	}
	if out.ApprovalSteps == nil {
		out.ApprovalSteps = []ApprovalStep{}
	}
	return out, nil
}

func (s *Service) settings(ctx context.Context, q storage.Q, unitID int64) (Settings, error) {
	st, err := q.Directives().DirectiveSettingsOf(ctx, unitID)
	if err != nil {
		return Settings{}, err
	}
	return fromStored(st)
}

// webhookSecret returns the secret a unit signs webhooks with.
func webhookSecret(ctx context.Context, q storage.Q, unitID int64) (string, string, error) {
	st, err := q.Directives().DirectiveSettingsOf(ctx, unitID)
	if err != nil {
		return "", "", err
	}
	return st.WebhookURL, st.WebhookSecret, nil
}

// GetSettings returns a unit's settings.
func (s *Service) GetSettings(ctx context.Context, a model.Actor, unitID int64) (*Settings, error) {
	u, err := unitOr(ctx, s.store.Q, unitID, "unit_id")
	if err != nil {
		return nil, err
	}
	if !s.policy.Can(a, authz.DirectiveSettings, u.Path) && !s.policy.Can(a, authz.DirectiveRead, u.Path) {
		return nil, fmt.Errorf("directive settings of %q: %w", u.Name, model.ErrForbidden)
	}
	st, err := s.settings(ctx, s.store.Q, unitID)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// checkWebhookURL refuses a webhook URL that is not http(s) or whose host
// resolves to an address webhooks may not reach (loopback, private, cloud
// metadata, … unless the installation allows it). The dialler checks
// again on every call, so a name that changes address later is refused
// then.
func (s *Service) checkWebhookURL(ctx context.Context, raw string) error {
	var ue *netguard.URLError
	switch err := s.guard.CheckURL(ctx, nil, raw); {
	case err == nil && len(raw) <= 2000:
		return nil
	case err == nil || errors.As(err, &ue) && ue.Scheme:
		return i18n.Localise(model.Invalid("webhook_url", "give an http(s) URL such as https://example.org/loa-hook"), "dirsvc.webhook_url")
	case ue != nil:
		return i18n.Localise(model.Invalid("webhook_url", "%s: webhooks may not call the server's own or internal network addresses; "+
			"use the receiver's public address, or ask the installation to allow it (loa serve --webhook-allow)", ue.Error()), "dirsvc.webhook_forbidden", ue.Host)
	default:
		return fmt.Errorf("webhook URL: %w", err)
	}
}

// SaveSettings replaces a unit's settings. An empty webhook secret keeps
// the stored one.
func (s *Service) SaveSettings(ctx context.Context, a model.Actor, unitID int64, in Settings) (*Settings, error) {
	if len(in.ApprovalSteps) > 10 {
		return nil, model.Invalid("approval_steps", "at most 10 approval steps")
	}
	for i := range in.ApprovalSteps {
		var err error
		if in.ApprovalSteps[i].Label, err = checkLine(fmt.Sprintf("approval_steps[%d].label", i), in.ApprovalSteps[i].Label); err != nil {
			return nil, err
		}
		if in.ApprovalSteps[i].Label == "" {
			in.ApprovalSteps[i].Label = fmt.Sprintf("Bước %d", i+1)
		}
	}
	for name, v := range map[string]int{"remind_after_minutes": in.RemindAfterMinutes, "remind_every_minutes": in.RemindEveryMinutes,
		"escalate_after_minutes": in.EscalateAfterMinutes} {
		if v < 0 || v > 60*24*365 {
			return nil, model.Invalid(name, "give 0 (off) to 525600 minutes")
		}
	}
	if in.MaxReminders < 0 || in.MaxReminders > 100 {
		return nil, model.Invalid("max_reminders", "give 0 to 100")
	}
	in.WebhookURL = strings.TrimSpace(in.WebhookURL)
	if in.WebhookURL != "" {
		if err := s.checkWebhookURL(ctx, in.WebhookURL); err != nil {
			return nil, err
		}
	}
	if len(in.WebhookSecret) > 200 {
		return nil, model.Invalid("webhook_secret", "at most 200 bytes")
	}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		u, err := unitOr(ctx, tx.Q, unitID, "unit_id")
		if err != nil {
			return err
		}
		if !s.policy.Can(a, authz.DirectiveSettings, u.Path) {
			return fmt.Errorf("directive settings of %q are set by an administrator: %w", u.Name, model.ErrForbidden)
		}
		for i, st := range in.ApprovalSteps {
			if st.UserID == 0 {
				continue
			}
			usr, err := tx.Accounts().User(ctx, st.UserID)
			if err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid(fmt.Sprintf("approval_steps[%d].user_id", i), "user %d does not exist", st.UserID)
				}
				return err
			}
			if usr.UnitID != unitID || !usr.HasRole(model.RoleApprover) {
				return model.Invalid(fmt.Sprintf("approval_steps[%d].user_id", i), "%s is not an approver of %q", usr.FullName, u.Name)
			}
		}
		old, err := tx.Directives().DirectiveSettingsOf(ctx, unitID)
		if err != nil {
			return err
		}
		steps := "null"
		if in.ApprovalSteps != nil {
			if steps, err = encodeJSON(in.ApprovalSteps); err != nil {
				return err
			}
		}
		secret := in.WebhookSecret
		if secret == "" {
			secret = old.WebhookSecret
		}
		st := model.DirectiveSettings{UnitID: unitID, ApprovalSteps: steps, AutoIssue: in.AutoIssue, RemindAfterMin: in.RemindAfterMinutes,
			RemindEveryMin: in.RemindEveryMinutes, MaxReminders: in.MaxReminders, EscalateAfterMin: in.EscalateAfterMinutes,
			EmailNotifications: in.EmailNotifications, WebhookURL: in.WebhookURL, WebhookSecret: secret}
		if err := tx.Directives().SaveDirectiveSettings(ctx, st, s.now()); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "directive.settings", "unit", fmt.Sprint(unitID), fmt.Sprintf("steps=%d auto_issue=%v", len(in.ApprovalSteps), in.AutoIssue))
	})
	if err != nil {
		return nil, err
	}
	return s.GetSettings(ctx, model.System("directives"), unitID)
}
