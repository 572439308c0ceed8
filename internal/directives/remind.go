package directives

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Reminder kinds sent by hand from the tracking matrix.
const (
	RemindKind = "remind" // Nhắc việc
	UrgeKind   = "urge"   // Đôn đốc
)

// Reminder channels.
const (
	ChannelInApp = "inapp"
	ChannelEmail = "email"
)

// RemindInput asks to remind recipients of a directive: the deliveries
// named, or every overdue main recipient (AllOverdue).
type RemindInput struct {
	DeliveryIDs []int64  `json:"delivery_ids,omitempty"`
	AllOverdue  bool     `json:"all_overdue,omitempty"`
	Kind        string   `json:"kind"`               // remind (default) or urge
	Message     string   `json:"message,omitempty"`  // default: a standard text naming the letter and deadline
	Channels    []string `json:"channels,omitempty"` // inapp (default), email
}

// RemindResult tells how many recipients were reminded.
type RemindResult struct {
	Sent int `json:"sent"`
	// Skipped lists the deliveries named that need no reminder (reported,
	// closed, declined or not delivered yet).
	Skipped []int64 `json:"skipped"`
}

// MaxRemindTargets bounds the deliveries one request names.
const MaxRemindTargets = 1000

func (in *RemindInput) validate() error {
	switch in.Kind {
	case "":
		in.Kind = RemindKind
	case RemindKind, UrgeKind:
	default:
		return model.Invalid("kind", "%q: use remind (nhắc việc) or urge (đôn đốc)", in.Kind)
	}
	var err error
	if in.Message, err = checkText("message", in.Message, MaxComment); err != nil {
		return err
	}
	if len(in.Channels) == 0 {
		in.Channels = []string{ChannelInApp}
	}
	for _, c := range in.Channels {
		if c != ChannelInApp && c != ChannelEmail {
			return model.Invalid("channels", "%q: use inapp and/or email", c)
		}
	}
	slices.Sort(in.Channels)
	in.Channels = slices.Compact(in.Channels)
	if in.AllOverdue == (len(in.DeliveryIDs) > 0) {
		return model.Invalid("delivery_ids", "name the deliveries to remind, or ask for all overdue recipients (all_overdue), not both")
	}
	if len(in.DeliveryIDs) > MaxRemindTargets {
		return model.Invalid("delivery_ids", "at most %d deliveries at once", MaxRemindTargets)
	}
	return nil
}

// Remind sends a reminder (Nhắc việc) or an urging (Đôn đốc) to recipients
// of an issued directive, in-app and/or by e-mail, and records it (audit
// log, the delivery's reminder count, delivery_reminders), in one
// transaction. Only the issuer's staff may remind.
func (s Tracker) Remind(ctx context.Context, a model.Actor, id int64, in RemindInput) (*RemindResult, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if slices.Contains(in.Channels, ChannelEmail) && s.smtp.Addr == "" {
		return nil, model.Invalid("channels", "e-mail is not configured on this server (serve --smtp-addr); send the reminder in-app")
	}
	out := &RemindResult{Skipped: []int64{}}
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := s.Deliveries().mayTrack(ctx, tx.Q, a, id, true)
		if err != nil {
			return err
		}
		if d.Status != StatusIssued {
			return fmt.Errorf("directive %d is not issued yet; there is no one to remind: %w", id, model.ErrConflict)
		}
		list, err := tx.Deliveries().DirectiveDeliveries(ctx, id)
		if err != nil {
			return err
		}
		byID := make(map[int64]*model.Delivery, len(list))
		for _, del := range list {
			byID[del.ID] = del
		}
		var targets []*model.Delivery
		if in.AllOverdue {
			for _, del := range list {
				if overdue(del, s.now()) {
					targets = append(targets, del)
				}
			}
		} else {
			for i, did := range in.DeliveryIDs {
				del := byID[did]
				if del == nil {
					return model.Invalid(fmt.Sprintf("delivery_ids[%d]", i), "delivery %d is not a recipient of directive %d", did, id)
				}
				switch del.Status {
				case Reported, Closed, Declined, Pending, Failed:
					out.Skipped = append(out.Skipped, did)
					continue
				}
				targets = append(targets, del)
			}
		}
		channels := strings.Join(in.Channels, ",")
		for _, del := range targets {
			rec, err := tx.Orgs().Unit(ctx, del.RecipientUnitID)
			if err != nil {
				return err
			}
			msg := in.Message
			if msg == "" {
				msg = s.remindText(in.Kind, rec.Name, del)
			}
			if slices.Contains(in.Channels, ChannelInApp) {
				dir, did := del.DirectiveID, del.ID
				if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: del.RecipientUnitID, Kind: "delivery_" + in.Kind,
					DirectiveID: &dir, DeliveryID: &did, Message: msg, CreatedAt: s.now()}); err != nil {
					return err
				}
			}
			if slices.Contains(in.Channels, ChannelEmail) {
				users, err := usersWithRoles(ctx, tx.Q, rec, model.RoleClerk, model.RoleReceiver, model.RoleApprover)
				if err != nil {
					return err
				}
				for _, u := range users {
					if err := s.Notifier().queueEmail(ctx, tx, rec.ID, u, EventReminder, "[Loa] "+msg, msg+s.Notifier().link(fmt.Sprintf("/inbox/%d", del.ID))); err != nil {
						return err
					}
				}
			}
			if err := tx.Deliveries().InsertDeliveryReminder(ctx, &model.DeliveryReminder{DeliveryID: del.ID, Kind: in.Kind, Message: msg,
				Channels: channels, SentBy: userPtr(a), SentAt: s.now()}); err != nil {
				return err
			}
			if err := tx.Audit().AppendAudit(ctx, a, "delivery."+in.Kind, "delivery", fmt.Sprint(del.ID),
				fmt.Sprintf("%s → %s (%s): %s", del.Code, rec.Name, channels, truncate(msg, 200))); err != nil {
				return err
			}
			out.Sent++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// remindText is the standard message of a reminder.
func (s Tracker) remindText(kind, unit string, del *model.Delivery) string {
	verb := "Nhắc việc"
	if kind == UrgeKind {
		verb = "Đôn đốc"
	}
	msg := fmt.Sprintf("%s: đề nghị %s khẩn trương thực hiện và báo cáo kết quả thực hiện văn bản %s (%s)", verb, unit, del.Code, del.Subject)
	if del.DeadlineAt != nil {
		msg += ", hạn báo cáo " + del.DeadlineAt.In(s.loc).Format("02/01/2006 15:04")
	}
	return msg + "."
}

// Reminders lists the reminders sent by hand for a directive.
func (s Tracker) Reminders(ctx context.Context, a model.Actor, id int64) ([]model.DeliveryReminder, error) {
	if _, err := s.Deliveries().mayTrack(ctx, s.store.Q, a, id, false); err != nil {
		return nil, err
	}
	return s.store.Deliveries().DeliveryReminders(ctx, id)
}
