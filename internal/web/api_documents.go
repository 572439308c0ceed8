package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/docparse"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/render"
)

// Documents is what the document endpoints need.
type Documents interface {
	Import(ctx context.Context, a model.Actor, in documents.ImportInput) (*documents.ImportResult, error)
	Detail(ctx context.Context, a model.Actor, id int64) (*documents.Detail, error)
	Get(ctx context.Context, a model.Actor, id int64) (*model.Document, error)
	// Readable tells which documents the actor may open (links are shown
	// only to those).
	Readable(ctx context.Context, a model.Actor, ids []int64) (map[int64]bool, error)
	Original(ctx context.Context, a model.Actor, id int64) (*model.Document, io.ReadSeekCloser, error)
	Correct(ctx context.Context, a model.Actor, id int64, c documents.Correction) (*model.Document, error)
	List(ctx context.Context, a model.Actor, f documents.ListFilter) ([]*model.Document, error)
	ExportEdXML(ctx context.Context, a model.Actor, id int64, toUnits []int64, w io.Writer) error
	ImportEdXML(ctx context.Context, a model.Actor, unitID int64, r io.Reader) (*documents.ImportResult, error)
	DocumentSearch
}

// MaxDocumentUpload bounds a document upload request (file + form).
const MaxDocumentUpload = documents.MaxUpload + 1<<20

func (s documentHandlers) registerDocumentAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("POST /api/v1/parse", true, s.api(MaxDocumentUpload, s.apiParse))
	s.handle("POST /api/v1/documents", true, s.api(MaxDocumentUpload, s.apiImportDocument))
	s.handle("POST /api/v1/documents/edxml", true, s.api(MaxDocumentUpload*2, s.apiImportEdXML))
	s.handle("GET /api/v1/documents", true, j(jsonList(s.Server, "documents", func(r *http.Request, p *principal) ([]*model.Document, error) {
		return apiDocuments(r, p, s.deps.Documents)
	})))
	s.handle("GET /api/v1/documents/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(s.deps.Documents, Documents.Detail))))
	s.handle("PUT /api/v1/documents/{id}/fields", true, j(s.apiCorrectDocument))
	s.handle("GET /api/v1/documents/{id}/original", true, j(s.apiDocumentOriginal))
	s.handle("GET /api/v1/documents/{id}/render", true, j(s.apiRenderDocument))
	s.handle("GET /api/v1/documents/{id}/edxml", true, j(s.apiExportEdXML))
	s.registerRegisterAPI(s.deps.Registry)
	s.registerTrailAPI(s.deps.Registry)
}

// uploadedFile reads the document from a multipart form (field "file") or
// from the raw body (name from ?filename=).
func uploadedFile(r *http.Request) (name string, body io.Reader, form func(string) string, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(formMaxMemory); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", nil, nil, err
			}
			return "", nil, nil, model.Invalid("file", "the upload could not be read: %v", err)
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return "", nil, nil, model.Invalid("file", "send the document in a form field named \"file\"")
		}
		return hdr.Filename, f, r.FormValue, nil
	}
	return r.URL.Query().Get("filename"), r.Body, r.URL.Query().Get, nil
}

// docErrorBody is the public body of a documents service error; a refusal
// the catalog explains carries its Vietnamese text, then the English.
func (s documentHandlers) docErrorBody(err error) (int, apiErrorBody) {
	code, body := errorStatus(err)
	if _, vi := s.publicError(i18n.VI, err); vi.Message != body.Message {
		_, en := s.publicError(i18n.EN, err)
		body.Message = vi.Message + " / " + en.Message
	}
	return code, body
}

// writeDocError writes a documents service error; a duplicate letter
// answers 409 with the id of the stored document.
func (s documentHandlers) writeDocError(w http.ResponseWriter, r *http.Request, err error) {
	var dup *documents.DuplicateError
	if errors.As(err, &dup) {
		_, body := s.docErrorBody(err)
		body.Code = "duplicate"
		writeJSON(w, http.StatusConflict, struct {
			apiError
			ExistingID int64 `json:"existing_id"`
		}{apiError{Error: body}, dup.Existing.ID})
		return
	}
	code, body := s.docErrorBody(err)
	if code >= 500 || code == http.StatusRequestEntityTooLarge {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, code, apiError{Error: body})
}

// keepDuplicate reads duplicate=keep: store a file that is the same
// letter as a stored document as another copy of it.
func keepDuplicate(v string) (bool, error) {
	switch v {
	case "":
		return false, nil
	case "keep":
		return true, nil
	}
	return false, model.Invalid("duplicate", "%q: use keep to store a duplicate as another copy", v)
}

func uploadError(err error) error {
	if errors.Is(err, documents.ErrTooLarge) || errors.Is(err, docparse.ErrTooLarge) {
		return &http.MaxBytesError{Limit: documents.MaxUpload}
	}
	return err
}

func (s documentHandlers) apiParse(w http.ResponseWriter, r *http.Request, p *principal) {
	name, body, _, err := uploadedFile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := io.ReadAll(body)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("read upload: %w", err))
		return
	}
	f, err := docparse.ParseFile(r.Context(), data, name)
	if err != nil {
		if errors.Is(err, docparse.ErrTooLarge) {
			s.writeError(w, r, uploadError(err))
			return
		}
		s.writeError(w, r, model.Invalid("file", "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s documentHandlers) apiImportDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	name, body, form, err := uploadedFile(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := documents.ImportInput{Filename: name, Data: body, Direction: form("direction")}
	dupParam := r.URL.Query().Get("duplicate")
	if dupParam == "" {
		dupParam = form("duplicate")
	}
	if in.KeepDuplicate, err = keepDuplicate(dupParam); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := form("unit_id"); v != "" {
		if in.UnitID, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.writeError(w, r, model.Invalid("unit_id", "%q is not a unit id", v))
			return
		}
	}
	res, err := s.deps.Documents.Import(r.Context(), p.Actor, in)
	if err != nil {
		s.writeDocError(w, r, uploadError(err))
		return
	}
	code := http.StatusCreated
	if res.Duplicate {
		code = http.StatusOK
	}
	writeJSON(w, code, res)
}

func (s documentHandlers) apiImportEdXML(w http.ResponseWriter, r *http.Request, p *principal) {
	var unitID int64
	if v := r.URL.Query().Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.writeError(w, r, model.Invalid("unit_id", "%q is not a unit id", v))
			return
		}
		unitID = id
	}
	res, err := s.deps.Documents.ImportEdXML(r.Context(), p.Actor, unitID, r.Body)
	if err != nil {
		s.writeError(w, r, uploadError(err))
		return
	}
	code := http.StatusCreated
	if res.Duplicate {
		code = http.StatusOK
	}
	writeJSON(w, code, res)
}

// apiDocuments lists documents by the query's filter (never null).
func apiDocuments(r *http.Request, p *principal, svc Documents) ([]*model.Document, error) {
	q := r.URL.Query()
	f := documents.ListFilter{Direction: q.Get("direction"), Number: q.Get("number"), Notation: q.Get("notation"), Query: q.Get("q")}
	for name, dst := range map[string]*int{"year": &f.Year, "limit": &f.Limit} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, model.Invalid(name, "%q is not a number", v)
			}
			*dst = n
		}
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, model.Invalid("before", "%q is not a document id", v)
		}
		f.BeforeID = n
	}
	docs, err := svc.List(r.Context(), p.Actor, f)
	if docs == nil {
		docs = []*model.Document{}
	}
	return docs, err
}

func (s documentHandlers) apiCorrectDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var c documents.Correction
	if err := decodeJSON(w, r, &c, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.deps.Documents.Correct(r.Context(), p.Actor, id, c)
	if err != nil {
		s.writeDocError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s documentHandlers) apiDocumentOriginal(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, f, err := s.deps.Documents.Original(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("ETag", `"`+d.Original.SHA256+`"`)
	serveUserFile(w, r, f, d.Original.Name, d.Original.ContentType, d.CreatedAt)
}

func (s documentHandlers) apiRenderDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.deps.Documents.Get(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRendered(w, r, d.Fields, r.URL.Query().Get("format"), fmt.Sprintf("document-%d", id), false)
}

// writeRendered renders fields in the official layout as PDF, HTML or text.
func (s documentHandlers) writeRendered(w http.ResponseWriter, r *http.Request, f docmodel.Fields, format, name string, draft bool) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "", "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
		err = render.PDF(&buf, f, render.Options{Title: docmodel.Val(f.Subject), Draft: draft})
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err = render.HTML(&buf, f, render.Options{Title: docmodel.Val(f.Subject), Draft: draft, StandalonePage: true})
	case "txt", "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		err = render.Text(&buf, f)
	default:
		s.writeError(w, r, model.Invalid("format", "%q: use pdf, html or txt", format))
		return
	}
	if err != nil {
		w.Header().Del("Content-Disposition")
		s.writeError(w, r, model.Invalid("fields", "cannot render: %v", err))
		return
	}
	_, _ = w.Write(buf.Bytes())
}

func (s documentHandlers) apiExportEdXML(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var to []int64
	for _, v := range strings.Split(r.URL.Query().Get("to"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		uid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.writeError(w, r, model.Invalid("to", "%q is not a unit id", v))
			return
		}
		to = append(to, uid)
	}
	var buf bytes.Buffer
	if err := s.deps.Documents.ExportEdXML(r.Context(), p.Actor, id, to, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="van-ban-%d.edxml"`, id))
	_, _ = w.Write(buf.Bytes())
}
