package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
)

// DocumentTrail is what the handling trail of stored incoming documents
// needs: the trail, passing a document on with an instruction (bút phê),
// refusing or finishing it, and the document's line in its unit's
// incoming register.
type DocumentTrail interface {
	Trail(ctx context.Context, a model.Actor, documentID int64) (*model.Trail, error)
	Pass(ctx context.Context, a model.Actor, documentID int64, in registry.PassInput) (*model.Trail, error)
	PassCandidates(ctx context.Context, a model.Actor, documentID int64) ([]*model.User, []*model.Unit, error)
	IncomingLine(ctx context.Context, a model.Actor, documentID int64) (*model.RegisterEntry, error)
	// Refuse refuses an unregistered incoming document received as edXML
	// (status 02 to its sender); MayRefuse tells whether the actor may.
	Refuse(ctx context.Context, a model.Actor, documentID int64, in registry.RefuseInput) (*model.Trail, error)
	MayRefuse(ctx context.Context, a model.Actor, documentID int64) error
	// Finish ends the handling of a registered incoming document (status
	// 06 to an edXML sender).
	Finish(ctx context.Context, a model.Actor, documentID int64, in registry.FinishInput) (*model.Trail, error)
}

// DeliveryTrails gives the handling trail of a delivery.
type DeliveryTrails interface {
	DeliveryTrail(ctx context.Context, a model.Actor, id int64) (*model.Trail, error)
}

func (s documentHandlers) registerTrailAPI(svc DocumentTrail) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/documents/{id}/trail", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DocumentTrail.Trail))))
	s.handle("POST /api/v1/documents/{id}/trail", true, j(jsonID(s.Server, "id", http.StatusCreated, bind4(svc, DocumentTrail.Pass))))
	s.handle("POST /api/v1/documents/{id}/refuse", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DocumentTrail.Refuse))))
	s.handle("POST /api/v1/documents/{id}/finish", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DocumentTrail.Finish))))
}

func (s directiveHandlers) registerDeliveryTrailAPI(svc DeliveryTrails) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/deliveries/{id}/trail", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DeliveryTrails.DeliveryTrail))))
}

// trailData is what the "trail" template draws: a handling trail and the
// page (language, time zone).
type trailData struct {
	P *pageData
	T *model.Trail
}

func trailOf(p *pageData, t *model.Trail) trailData { return trailData{P: p, T: t} }
