package broadcast

import (
	"context"

	"github.com/loa-project/loa/internal/model"
)

// StoreIssuedOnly runs the first transaction of an emergency and stops
// there, as a server stopped between its two transactions would.
func StoreIssuedOnly(ctx context.Context, s *Service, a model.Actor, o *model.BroadcastOrder) ([]int64, error) {
	devices, _, err := s.OrderBook().storeIssued(ctx, a, o)
	return devices, err
}
