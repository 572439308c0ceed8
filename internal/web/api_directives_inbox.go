package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveInbox is what the endpoints of a receiving unit's inbox need:
// deliveries, their files and the steps of carrying them out.
type DirectiveInbox interface {
	Inbox(ctx context.Context, a model.Actor, f directives.InboxFilter) ([]*directives.DeliveryView, error)
	Delivery(ctx context.Context, a model.Actor, id int64) (*directives.DeliveryDetail, error)
	OpenDeliveryFile(ctx context.Context, a model.Actor, id int64, sha string) (string, string, io.ReadSeekCloser, error)
	MarkRead(ctx context.Context, a model.Actor, id int64) (*directives.DeliveryView, error)
	Acknowledge(ctx context.Context, a model.Actor, id int64) (*directives.DeliveryView, error)
	Assign(ctx context.Context, a model.Actor, id int64, in directives.AssignInput) (*directives.DeliveryView, error)
	Forward(ctx context.Context, a model.Actor, id int64) (*directives.View, error)
	SubmitReport(ctx context.Context, a model.Actor, id int64, in directives.Report) (*directives.DeliveryView, error)
	UploadReportFile(ctx context.Context, a model.Actor, id int64, name, contentType string, r io.Reader) (*directives.Attachment, error)
	Decline(ctx context.Context, a model.Actor, id int64, reason string) (*directives.DeliveryView, error)
	Close(ctx context.Context, a model.Actor, id int64) (*directives.DeliveryView, error)
}

func (s directiveHandlers) registerDirectiveInboxAPI(svc DirectiveInbox) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/inbox", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
		return apiInbox(r, p, svc)
	})))
	s.handle("GET /api/v1/deliveries/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveInbox.Delivery))))
	s.handle("GET /api/v1/deliveries/{id}/files/{sha}", true, j(s.apiDeliveryFile(svc)))
	s.handle("POST /api/v1/deliveries/{id}/files", true, s.api(MaxAttachmentUpload, apiUpload(s.Server, svc, DirectiveInbox.UploadReportFile)))
	s.handle("POST /api/v1/deliveries/{id}/read", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveInbox.MarkRead))))
	s.handle("POST /api/v1/deliveries/{id}/acknowledge", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveInbox.Acknowledge))))
	s.handle("POST /api/v1/deliveries/{id}/close", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveInbox.Close))))
	s.handle("POST /api/v1/deliveries/{id}/assign", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DirectiveInbox.Assign))))
	s.handle("POST /api/v1/deliveries/{id}/forward", true, j(jsonGetID(s.Server, "id", http.StatusCreated, bind(svc, DirectiveInbox.Forward))))
	s.handle("POST /api/v1/deliveries/{id}/report", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DirectiveInbox.SubmitReport))))
	s.handle("POST /api/v1/deliveries/{id}/decline", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in struct {
		Reason string `json:"reason"`
	}) (*directives.DeliveryView, error) {
		return svc.Decline(ctx, a, id, in.Reason)
	})))
}

func dirInboxFilter(r *http.Request) (directives.InboxFilter, error) {
	q := r.URL.Query()
	f := directives.InboxFilter{Assigned: queryBool(r, "assigned"), Status: q.Get("status"), Purpose: q.Get("purpose"), Query: q.Get("q"),
		Overdue: queryBool(r, "overdue"), Late: queryBool(r, "late")}
	var err error
	if f.UnitID, err = optionalID(r, "unit_id"); err != nil {
		return f, err
	}
	if f.BeforeID, err = optionalID(r, "before"); err != nil {
		return f, err
	}
	if f.Limit, err = dirQueryInt(r, "limit"); err != nil {
		return f, err
	}
	return f, nil
}

// apiInbox lists the deliveries, with the link to the next page when the
// list is full.
func apiInbox(r *http.Request, p *principal, svc DirectiveInbox) (map[string]any, error) {
	f, err := dirInboxFilter(r)
	if err != nil {
		return nil, err
	}
	list, err := svc.Inbox(r.Context(), p.Actor, f)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"deliveries": list}
	if n := len(list); n > 0 && (f.Limit == 0 || n >= f.Limit) && n >= 50 {
		v := url.Values{}
		for k, vs := range r.URL.Query() {
			v[k] = vs
		}
		v.Set("before", strconv.FormatInt(list[n-1].ID, 10))
		out["next"] = "/api/v1/inbox?" + v.Encode()
	}
	return out, nil
}

func (s directiveHandlers) apiDeliveryFile(svc DirectiveInbox) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		name, ctype, f, err := svc.OpenDeliveryFile(r.Context(), p.Actor, id, r.PathValue("sha"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		dirServeBlob(w, r, name, ctype, f)
	}
}
