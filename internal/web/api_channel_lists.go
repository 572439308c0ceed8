package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// ChannelLists is what the subscriber list endpoints need.
type ChannelLists interface {
	CreateList(ctx context.Context, a model.Actor, in channels.ListInput) (*model.ChannelList, error)
	Lists(ctx context.Context, a model.Actor, unitID int64) ([]*model.ChannelList, error)
	Subscribers(ctx context.Context, a model.Actor, listID int64, limit int) ([]*model.Subscriber, error)
	AddSubscribers(ctx context.Context, a model.Actor, listID int64, in []channels.SubscriberInput) (*channels.AddResult, error)
	RemoveSubscriber(ctx context.Context, a model.Actor, listID int64, phone string) error
}

// maxSubscribersBody bounds a request adding subscribers to a list.
const maxSubscribersBody = 8 << 20

// subscribersRequest is the subscribers added to a list, larger than
// ordinary API bodies.
type subscribersRequest []channels.SubscriberInput

func (subscribersRequest) bodyLimit() int64 { return maxSubscribersBody }

func (s channelHandlers) registerChannelListAPI(svc ChannelLists) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/channels/lists", true, j(jsonList(s.Server, "lists", func(r *http.Request, p *principal) ([]*model.ChannelList, error) {
		unit, err := optionalID(r, "unit_id")
		if err != nil {
			return nil, err
		}
		return svc.Lists(r.Context(), p.Actor, unit)
	})))
	s.handle("POST /api/v1/channels/lists", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, ChannelLists.CreateList))))
	s.handle("GET /api/v1/channels/lists/{id}/subscribers", true, j(jsonList(s.Server, "subscribers", func(r *http.Request, p *principal) ([]*model.Subscriber, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return svc.Subscribers(r.Context(), p.Actor, id, 10000)
	})))
	s.handle("POST /api/v1/channels/lists/{id}/subscribers", true, s.api(maxSubscribersBody, jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in subscribersRequest) (*channels.AddResult, error) {
		return svc.AddSubscribers(ctx, a, id, in)
	})))
	s.handle("DELETE /api/v1/channels/lists/{id}/subscribers/{phone}", true, j(jsonCall(s.Server, http.StatusNoContent, func(r *http.Request, p *principal, _ noBody) (noBody, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return noBody{}, err
		}
		return noBody{}, svc.RemoveSubscriber(r.Context(), p.Actor, id, r.PathValue("phone"))
	})))
}
