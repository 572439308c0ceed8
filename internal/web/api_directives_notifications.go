package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveNotifications is what the notification and per-unit directive
// settings endpoints need.
type DirectiveNotifications interface {
	Notifications(ctx context.Context, a model.Actor, unreadOnly bool, limit int) ([]model.Notification, error)
	MarkNotificationRead(ctx context.Context, a model.Actor, id int64) error
	GetSettings(ctx context.Context, a model.Actor, unitID int64) (*directives.Settings, error)
	SaveSettings(ctx context.Context, a model.Actor, unitID int64, in directives.Settings) (*directives.Settings, error)
}

func (s directiveHandlers) registerDirectiveNotificationAPI(svc DirectiveNotifications) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/notifications", true, j(jsonList(s.Server, "notifications", func(r *http.Request, p *principal) ([]model.Notification, error) {
		limit, err := dirQueryInt(r, "limit")
		if err != nil {
			return nil, err
		}
		return svc.Notifications(r.Context(), p.Actor, queryBool(r, "unread"), limit)
	})))
	s.handle("POST /api/v1/notifications/{id}/read", true, j(jsonDeleteID(s.Server, "id", bindErr(svc, DirectiveNotifications.MarkNotificationRead))))
	s.handle("GET /api/v1/directive-settings/{unit}", true, j(jsonGetID(s.Server, "unit", http.StatusOK, bind(svc, DirectiveNotifications.GetSettings))))
	s.handle("PUT /api/v1/directive-settings/{unit}", true, j(jsonID(s.Server, "unit", http.StatusOK, bind4(svc, DirectiveNotifications.SaveSettings))))
}
