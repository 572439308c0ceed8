package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// ChannelCampaigns is what the SMS/OTT campaign endpoints need: sending a
// message to lists of subscribers, its messages and the channels' report.
type ChannelCampaigns interface {
	CreateCampaign(ctx context.Context, a model.Actor, in channels.CampaignInput) (*channels.CampaignView, error)
	Campaign(ctx context.Context, a model.Actor, id int64) (*channels.CampaignView, error)
	Campaigns(ctx context.Context, a model.Actor, unitID int64) ([]*channels.CampaignView, error)
	CampaignMessages(ctx context.Context, a model.Actor, id, afterID int64, limit int) ([]*model.OutMessage, error)
	CancelCampaign(ctx context.Context, a model.Actor, id int64) (*channels.CampaignView, error)
	Report(ctx context.Context, a model.Actor, orderID, directiveID int64) (*channels.Report, error)
}

// maxCampaignBody bounds a campaign request (its message and recipients).
const maxCampaignBody = 4 << 20

// campaignRequest is a campaign's body, larger than ordinary API bodies.
type campaignRequest struct {
	channels.CampaignInput
}

func (campaignRequest) bodyLimit() int64 { return maxCampaignBody }

func (s channelHandlers) registerCampaignAPI(svc ChannelCampaigns) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/channels/campaigns", true, j(jsonList(s.Server, "campaigns", func(r *http.Request, p *principal) ([]*channels.CampaignView, error) {
		unit, err := optionalID(r, "unit_id")
		if err != nil {
			return nil, err
		}
		return svc.Campaigns(r.Context(), p.Actor, unit)
	})))
	s.handle("POST /api/v1/channels/campaigns", true, s.api(maxCampaignBody, jsonBody(s.Server, http.StatusCreated, func(ctx context.Context, a model.Actor, in campaignRequest) (*channels.CampaignView, error) {
		return svc.CreateCampaign(ctx, a, in.CampaignInput)
	})))
	s.handle("GET /api/v1/channels/campaigns/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, ChannelCampaigns.Campaign))))
	s.handle("DELETE /api/v1/channels/campaigns/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, ChannelCampaigns.CancelCampaign))))
	s.handle("GET /api/v1/channels/campaigns/{id}/messages", true, j(jsonList(s.Server, "messages", func(r *http.Request, p *principal) ([]*model.OutMessage, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		after, err := optionalID(r, "after")
		if err != nil {
			return nil, err
		}
		return svc.CampaignMessages(r.Context(), p.Actor, id, after, 500)
	})))
	s.handle("GET /api/v1/channels/report", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (*channels.Report, error) {
		order, err := optionalID(r, "order_id")
		if err != nil {
			return nil, err
		}
		directive, err := optionalID(r, "directive_id")
		if err != nil {
			return nil, err
		}
		return svc.Report(r.Context(), p.Actor, order, directive)
	})))
}
