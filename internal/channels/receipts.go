package channels

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Receipt statuses a provider reports.
const (
	ReceiptDelivered = model.MsgDelivered
	ReceiptFailed    = model.MsgFailed
	ReceiptExpired   = model.MsgExpired
)

// maxProviderID bounds a provider's message id.
const maxProviderID = 200

// Receipt applies a provider's delivery receipt (delivered, failed or
// expired) to the message it accepted under providerID. A message keeps
// its first receipt: repeated or late receipts change nothing and are not
// errors. A receipt for an id no message has (yet) is ErrNotFound, so the
// provider retries it after the send is recorded.
func (s TaskOps) Receipt(ctx context.Context, providerID, status string, at time.Time) error {
	pid, err := checkProviderID(providerID)
	if err != nil {
		return err
	}
	st := strings.ToLower(strings.TrimSpace(status))
	if st != ReceiptDelivered && st != ReceiptFailed && st != ReceiptExpired {
		return model.Invalid("status", "%q is not a receipt status: use delivered, failed or expired", status)
	}
	now := s.now()
	if at.IsZero() || at.After(now.Add(time.Hour)) {
		at = now
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		msgs, err := tx.Channels().MessagesByProviderID(ctx, s.cfg.Channel, pid)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return fmt.Errorf("no %s message has provider id %q (if it was just sent, send the receipt again later): %w", s.cfg.Channel, pid, model.ErrNotFound)
		}
		for _, m := range msgs {
			changed, err := tx.Channels().SetReceipt(ctx, m.ID, st, at, now)
			if err != nil {
				return err
			}
			if changed && st != ReceiptDelivered {
				s.log.Info("message not delivered", "message", m.ID, "status", st)
			}
		}
		return nil
	})
}

func checkProviderID(id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > maxProviderID || strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", model.Invalid("provider_id", "give the provider's message id (1-%d printable characters)", maxProviderID)
	}
	return id, nil
}
