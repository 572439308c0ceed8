package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveDrafts is what the directive draft endpoints need: writing,
// reading, commenting and attaching files.
type DirectiveDrafts interface {
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
	Preview(ctx context.Context, a model.Actor, id int64, format string) ([]byte, string, error)
}

func (s directiveHandlers) registerDirectiveDraftAPI(svc DirectiveDrafts) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/directives", true, j(jsonList(s.Server, "directives", func(r *http.Request, p *principal) ([]*directives.View, error) {
		limit, err := dirQueryInt(r, "limit")
		if err != nil {
			return nil, err
		}
		before, err := optionalID(r, "before")
		if err != nil {
			return nil, err
		}
		return svc.List(r.Context(), p.Actor, directives.ListFilter{Box: r.URL.Query().Get("box"), BeforeID: before, Limit: limit})
	})))
	s.handle("POST /api/v1/directives", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, DirectiveDrafts.Create))))
	s.handle("POST /api/v1/directives/implement", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, DirectiveDrafts.Implement))))
	s.handle("GET /api/v1/directives/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, DirectiveDrafts.Detail))))
	s.handle("PUT /api/v1/directives/{id}", true, j(jsonID(s.Server, "id", http.StatusOK, bind4(svc, DirectiveDrafts.Save))))
	s.handle("GET /api/v1/directives/{id}/versions/{version}", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		ver, err := strconv.Atoi(r.PathValue("version"))
		if err != nil || ver <= 0 {
			return nil, model.Invalid("version", "%q is not a version number", r.PathValue("version"))
		}
		c, err := svc.Version(r.Context(), p.Actor, id, ver)
		if err != nil {
			return nil, err
		}
		return map[string]any{"version": ver, "content": c}, nil
	})))
	s.handle("GET /api/v1/directives/{id}/preview", true, j(s.apiDirectivePreview(svc)))
	s.handle("POST /api/v1/directives/{id}/comments", true, j(jsonID(s.Server, "id", http.StatusCreated, func(ctx context.Context, a model.Actor, id int64, in struct {
		Text string `json:"text"`
	}) (*model.DirectiveComment, error) {
		return svc.Comment(ctx, a, id, in.Text)
	})))
	s.handle("POST /api/v1/directives/{id}/attachments", true, s.api(MaxAttachmentUpload, apiUpload(s.Server, svc, DirectiveDrafts.Upload)))
	s.handle("GET /api/v1/directives/{id}/attachments/{sha}", true, j(s.apiDirectiveAttachment(svc)))
}

func (s directiveHandlers) apiDirectivePreview(svc DirectiveDrafts) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		b, ctype, err := svc.Preview(r.Context(), p.Actor, id, r.URL.Query().Get("format"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		dirWriteFile(w, ctype, "", b)
	}
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

// apiUpload stores an uploaded file (a directive attachment or a report
// file) on the resource named by the path's id.
func apiUpload[S any](s *Server, svc S, upload func(svc S, ctx context.Context, a model.Actor, id int64, name, contentType string, r io.Reader) (*directives.Attachment, error)) apiHandler {
	return jsonCall(s, http.StatusCreated, func(r *http.Request, p *principal, _ noBody) (*directives.Attachment, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		name, ctype, body, err := dirUploadedFile(r)
		if err != nil {
			return nil, err
		}
		a, err := upload(svc, r.Context(), p.Actor, id, name, ctype, body)
		return a, dirUploadError(err)
	})
}

func dirServeBlob(w http.ResponseWriter, r *http.Request, name, ctype string, f io.ReadSeekCloser) {
	defer f.Close()
	w.Header().Set("Cache-Control", "private, max-age=3600")
	serveUserFile(w, r, f, name, ctype, time.Time{})
}

func (s directiveHandlers) apiDirectiveAttachment(svc DirectiveDrafts) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		a, f, err := svc.OpenAttachment(r.Context(), p.Actor, id, r.PathValue("sha"))
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
}
