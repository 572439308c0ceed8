package web

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// Directives is what the directive pages and endpoints need (package
// directives implements it): the union of the small interfaces each
// handler group declares beside itself, so that the wiring in cmd/loa
// passes one service while each group depends only on what it calls.
type Directives interface {
	DirectiveDrafts
	DirectiveWorkflow
	DirectiveTracking
	DirectiveInbox
	DirectiveNotifications
	DeliveryTrails
}

// MaxAttachmentUpload bounds an attachment upload request.
const MaxAttachmentUpload = directives.MaxUpload + 1<<20

// registerDirectiveRoutes registers the directive API and pages.
func (s directiveHandlers) registerDirectiveRoutes() {
	svc := s.deps.Directives
	s.registerDirectiveDraftAPI(svc)
	s.registerDirectiveWorkflowAPI(svc)
	s.registerDirectiveTrackingAPI(svc)
	s.registerDirectiveInboxAPI(svc)
	s.registerDeliveryTrailAPI(svc)
	s.registerDirectiveNotificationAPI(svc)
	s.registerPickerAPI()
	s.registerDirectivePages()
}

func dirQueryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, model.Invalid(name, "%q is not a number", v)
	}
	return n, nil
}

// dirWriteFile sends generated content; name (optional) makes it a download.
func dirWriteFile(w http.ResponseWriter, ctype, name string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	_, _ = w.Write(b)
}
