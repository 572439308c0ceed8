package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// Directives is what the directive pages and endpoints need (package
// directives implements it).
type Directives interface {
	Create(ctx context.Context, a model.Actor, in directives.CreateInput) (*directives.View, error)
	Implement(ctx context.Context, a model.Actor, in directives.ImplementInput) (*directives.View, error)
	Save(ctx context.Context, a model.Actor, id int64, in directives.SaveInput) (*directives.View, error)
	Get(ctx context.Context, a model.Actor, id int64) (*directives.View, error)
	Detail(ctx context.Context, a model.Actor, id int64) (*directives.Detail, error)
	Version(ctx context.Context, a model.Actor, id int64, version int) (*directives.Content, error)
	List(ctx context.Context, a model.Actor, f directives.ListFilter) ([]*directives.View, error)
	Comment(ctx context.Context, a model.Actor, id int64, text string) (*model.DirectiveComment, error)
	Upload(ctx context.Context, a model.Actor, id int64, name, contentType string, r io.Reader) (*directives.Attachment, error)
	OpenAttachment(ctx context.Context, a model.Actor, id int64, sha string) (*directives.Attachment, io.ReadSeekCloser, error)
	Submit(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Approve(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Return(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Issue(ctx context.Context, a model.Actor, id int64, in directives.IssueInput) (*directives.View, error)
	Correct(ctx context.Context, a model.Actor, id int64, kind string) (*directives.View, error)
	Preview(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error)
	Track(ctx context.Context, a model.Actor, id int64, f directives.TrackingFilter) (*directives.Tracking, error)
	ExportTracking(ctx context.Context, a model.Actor, id int64, f directives.TrackingFilter, format string, w io.Writer) error
	Tree(ctx context.Context, a model.Actor, id int64) (*directives.Branch, error)
	Summary(ctx context.Context, a model.Actor, id int64) (*directives.Summary, error)
	SummaryDocument(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error)
	CreateSummaryDraft(ctx context.Context, a model.Actor, id int64) (*directives.View, error)
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
	Notifications(ctx context.Context, a model.Actor, unreadOnly bool, limit int) ([]model.Notification, error)
	MarkNotificationRead(ctx context.Context, a model.Actor, id int64) error
	GetSettings(ctx context.Context, a model.Actor, unitID int64) (*directives.Settings, error)
	SaveSettings(ctx context.Context, a model.Actor, unitID int64, in directives.Settings) (*directives.Settings, error)
}

// MaxAttachmentUpload bounds an attachment upload request.
const MaxAttachmentUpload = directives.MaxUpload + 1<<20

// registerDirectiveRoutes registers the directive API and pages.
func (s *Server) registerDirectiveRoutes() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	up := func(h apiHandler) http.HandlerFunc { return s.api(MaxAttachmentUpload, h) }
	s.handle("GET /api/v1/directives", true, j(s.apiDirectives))
	s.handle("POST /api/v1/directives", true, j(s.apiCreateDirective))
	s.handle("POST /api/v1/directives/implement", true, j(s.apiImplement))
	s.handle("GET /api/v1/directives/{id}", true, j(s.apiDirective))
	s.handle("PUT /api/v1/directives/{id}", true, j(s.apiSaveDirective))
	s.handle("GET /api/v1/directives/{id}/versions/{version}", true, j(s.apiDirectiveVersion))
	s.handle("GET /api/v1/directives/{id}/preview", true, j(s.apiDirectivePreview))
	s.handle("POST /api/v1/directives/{id}/comments", true, j(s.apiDirectiveComment))
	s.handle("POST /api/v1/directives/{id}/attachments", true, up(s.apiDirectiveUpload))
	s.handle("GET /api/v1/directives/{id}/attachments/{sha}", true, j(s.apiDirectiveAttachment))
	s.handle("POST /api/v1/directives/{id}/submit", true, j(s.apiDirectiveStep(func(ctx context.Context, a model.Actor, id int64, c string) (*directives.View, error) {
		return s.deps.Directives.Submit(ctx, a, id, c)
	})))
	s.handle("POST /api/v1/directives/{id}/approve", true, j(s.apiDirectiveStep(func(ctx context.Context, a model.Actor, id int64, c string) (*directives.View, error) {
		return s.deps.Directives.Approve(ctx, a, id, c)
	})))
	s.handle("POST /api/v1/directives/{id}/return", true, j(s.apiDirectiveStep(func(ctx context.Context, a model.Actor, id int64, c string) (*directives.View, error) {
		return s.deps.Directives.Return(ctx, a, id, c)
	})))
	s.handle("POST /api/v1/directives/{id}/issue", true, j(s.apiIssueDirective))
	s.handle("POST /api/v1/directives/{id}/corrections", true, j(s.apiCorrectDirective))
	s.handle("GET /api/v1/directives/{id}/tracking", true, j(s.apiTracking))
	s.handle("GET /api/v1/directives/{id}/tree", true, j(s.apiTree))
	s.handle("GET /api/v1/directives/{id}/summary", true, j(s.apiSummary))
	s.handle("POST /api/v1/directives/{id}/summary", true, j(s.apiSummaryDraft))
	s.handle("GET /api/v1/inbox", true, j(s.apiInbox))
	s.handle("GET /api/v1/deliveries/{id}", true, j(s.apiDelivery))
	s.handle("GET /api/v1/deliveries/{id}/files/{sha}", true, j(s.apiDeliveryFile))
	s.handle("POST /api/v1/deliveries/{id}/files", true, up(s.apiDeliveryUpload))
	s.handle("POST /api/v1/deliveries/{id}/read", true, j(s.apiDeliveryAction(s.deps.Directives.MarkRead)))
	s.handle("POST /api/v1/deliveries/{id}/acknowledge", true, j(s.apiDeliveryAction(s.deps.Directives.Acknowledge)))
	s.handle("POST /api/v1/deliveries/{id}/close", true, j(s.apiDeliveryAction(s.deps.Directives.Close)))
	s.handle("POST /api/v1/deliveries/{id}/assign", true, j(s.apiAssign))
	s.handle("POST /api/v1/deliveries/{id}/forward", true, j(s.apiForward))
	s.handle("POST /api/v1/deliveries/{id}/report", true, j(s.apiReport))
	s.handle("POST /api/v1/deliveries/{id}/decline", true, j(s.apiDecline))
	s.handle("GET /api/v1/notifications", true, j(s.apiNotifications))
	s.handle("POST /api/v1/notifications/{id}/read", true, j(s.apiNotificationRead))
	s.handle("GET /api/v1/directive-settings/{unit}", true, j(s.apiDirectiveSettings))
	s.handle("PUT /api/v1/directive-settings/{unit}", true, j(s.apiSaveDirectiveSettings))
	s.registerDirectivePages()
}

// dirOptionalBody decodes a JSON body when there is one.
func dirOptionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, v, MaxJSONBody)
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

func (s *Server) apiDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	limit, err := dirQueryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	before, err := optionalID(r, "before")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Directives.List(r.Context(), p.Actor, directives.ListFilter{Box: r.URL.Query().Get("box"), BeforeID: before, Limit: limit})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"directives": list})
}

func (s *Server) apiCreateDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	var in directives.CreateInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Create(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) apiImplement(w http.ResponseWriter, r *http.Request, p *principal) {
	var in directives.ImplementInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Implement(r.Context(), p.Actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) apiDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.deps.Directives.Detail(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiSaveDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in directives.SaveInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Save(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiDirectiveVersion(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ver, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || ver <= 0 {
		s.writeError(w, r, model.Invalid("version", "%q is not a version number", r.PathValue("version")))
		return
	}
	c, err := s.deps.Directives.Version(r.Context(), p.Actor, id, ver)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": ver, "content": c})
}

func (s *Server) apiDirectivePreview(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, ctype, err := s.deps.Directives.Preview(r.Context(), p.Actor, id, r.URL.Query().Get("format"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dirWriteFile(w, ctype, "", b)
}

// dirWriteFile sends generated content; name (optional) makes it a download.
func dirWriteFile(w http.ResponseWriter, ctype, name string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	if name != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	_, _ = w.Write(b)
}

func (s *Server) apiDirectiveComment(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Directives.Comment(r.Context(), p.Actor, id, in.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// dirUploadError maps an oversized upload to 413.
func dirUploadError(err error) error {
	if errors.Is(err, directives.ErrTooLarge) {
		return &http.MaxBytesError{Limit: directives.MaxUpload}
	}
	return err
}

// dirUploadedFile reads a multipart field "file" or a raw body named by
// ?filename=.
func dirUploadedFile(r *http.Request) (string, string, io.Reader, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(formMaxMemory); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", "", nil, err
			}
			return "", "", nil, model.Invalid("file", "the upload could not be read: %v", err)
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return "", "", nil, model.Invalid("file", "send the file in a form field named \"file\"")
		}
		return hdr.Filename, hdr.Header.Get("Content-Type"), f, nil
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		return "", "", nil, model.Invalid("filename", "name the file with ?filename= or upload it as multipart form field \"file\"")
	}
	return name, r.Header.Get("Content-Type"), r.Body, nil
}

func (s *Server) apiDirectiveUpload(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, ctype, body, err := dirUploadedFile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.deps.Directives.Upload(r.Context(), p.Actor, id, name, ctype, body)
	if err != nil {
		s.writeError(w, r, dirUploadError(err))
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func dirServeBlob(w http.ResponseWriter, r *http.Request, name, ctype string, f io.ReadSeekCloser) {
	defer f.Close()
	w.Header().Set("Cache-Control", "private, max-age=3600")
	serveUserFile(w, r, f, name, ctype, time.Time{})
}

func (s *Server) apiDirectiveAttachment(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, f, err := s.deps.Directives.OpenAttachment(r.Context(), p.Actor, id, r.PathValue("sha"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctype := a.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	dirServeBlob(w, r, a.Name, ctype, f)
}

type dirStepRequest struct {
	Comment string `json:"comment"`
}

func (s *Server) apiDirectiveStep(fn func(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var in dirStepRequest
		if err := dirOptionalBody(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		v, err := fn(r.Context(), p.Actor, id, in.Comment)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) apiIssueDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in directives.IssueInput
	if err := dirOptionalBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Issue(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiCorrectDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Kind string `json:"kind"`
	}
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Correct(r.Context(), p.Actor, id, in.Kind)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func dirTrackingFilter(r *http.Request) directives.TrackingFilter {
	q := r.URL.Query()
	return directives.TrackingFilter{Status: q.Get("status"), Purpose: q.Get("purpose"), Query: q.Get("q"), Late: queryBool(r, "late"), Overdue: queryBool(r, "overdue")}
}

func (s *Server) apiTracking(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := dirTrackingFilter(r)
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		t, err := s.deps.Directives.Track(r.Context(), p.Actor, id, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	case "csv", "xlsx":
		var buf bytes.Buffer
		if err := s.deps.Directives.ExportTracking(r.Context(), p.Actor, id, f, format, &buf); err != nil {
			s.writeError(w, r, err)
			return
		}
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		dirWriteFile(w, ctype, fmt.Sprintf("theo-doi-%d.%s", id, format), buf.Bytes())
	default:
		s.writeError(w, r, model.Invalid("format", "%q: use json, csv or xlsx", format))
	}
}

func (s *Server) apiTree(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.deps.Directives.Tree(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" || format == "json" {
		sum, err := s.deps.Directives.Summary(r.Context(), p.Actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, sum)
		return
	}
	b, ctype, err := s.deps.Directives.SummaryDocument(r.Context(), p.Actor, id, format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := ""
	if format == "pdf" {
		name = fmt.Sprintf("bao-cao-ket-qua-%d.pdf", id)
	}
	dirWriteFile(w, ctype, name, b)
}

func (s *Server) apiSummaryDraft(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.CreateSummaryDraft(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
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

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request, p *principal) {
	f, err := dirInboxFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Directives.Inbox(r.Context(), p.Actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
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
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiDelivery(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.deps.Directives.Delivery(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiDeliveryFile(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, ctype, f, err := s.deps.Directives.OpenDeliveryFile(r.Context(), p.Actor, id, r.PathValue("sha"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dirServeBlob(w, r, name, ctype, f)
}

func (s *Server) apiDeliveryUpload(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, ctype, body, err := dirUploadedFile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.deps.Directives.UploadReportFile(r.Context(), p.Actor, id, name, ctype, body)
	if err != nil {
		s.writeError(w, r, dirUploadError(err))
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) apiDeliveryAction(fn func(ctx context.Context, a model.Actor, id int64) (*directives.DeliveryView, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v, err := fn(r.Context(), p.Actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in directives.AssignInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Assign(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiForward(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Forward(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in directives.Report
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.SubmitReport(r.Context(), p.Actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiDecline(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.deps.Directives.Decline(r.Context(), p.Actor, id, in.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request, p *principal) {
	limit, err := dirQueryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.deps.Directives.Notifications(r.Context(), p.Actor, queryBool(r, "unread"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": list})
}

func (s *Server) apiNotificationRead(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Directives.MarkNotificationRead(r.Context(), p.Actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiDirectiveSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := pathID(r, "unit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.deps.Directives.GetSettings(r.Context(), p.Actor, unit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) apiSaveDirectiveSettings(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := pathID(r, "unit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in directives.Settings
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.deps.Directives.SaveSettings(r.Context(), p.Actor, unit, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
