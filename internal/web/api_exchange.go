package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
)

// DocumentExchange is what the document files and edXML exchange
// endpoints need from the documents service.
type DocumentExchange interface {
	Files(ctx context.Context, a model.Actor, id int64) ([]model.DocumentFile, error)
	File(ctx context.Context, a model.Actor, id int64, position int) (io.ReadSeekCloser, *model.DocumentFile, error)
	Exchange(ctx context.Context, a model.Actor, id int64) ([]model.ExchangePackage, error)
	SendStatus(ctx context.Context, a model.Actor, id int64, code edxml.StatusCode, description string, w io.Writer) error
}

type statusRequest struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

func (s documentHandlers) exchange() (DocumentExchange, error) {
	ex, ok := s.deps.Documents.(DocumentExchange)
	if !ok {
		return nil, fmt.Errorf("document files and edXML exchange are not available: %w", model.ErrNotFound)
	}
	return ex, nil
}

// registerExchangeAPI registers the document files and edXML exchange
// endpoints.
func (s documentHandlers) registerExchangeAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/documents/{id}/files", true, j(jsonList(s.Server, "files", func(r *http.Request, p *principal) ([]model.DocumentFile, error) {
		ex, err := s.exchange()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nonNil(ex.Files(r.Context(), p.Actor, id))
	})))
	s.handle("GET /api/v1/documents/{id}/exchange", true, j(jsonList(s.Server, "packages", func(r *http.Request, p *principal) ([]model.ExchangePackage, error) {
		ex, err := s.exchange()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nonNil(ex.Exchange(r.Context(), p.Actor, id))
	})))
	s.handle("GET /api/v1/documents/{id}/files/{position}", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		ex, err := s.exchange()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		pos, err := strconv.Atoi(r.PathValue("position"))
		if err != nil || pos < 1 {
			s.writeError(w, r, model.Invalid("position", "%q is not a file position (1, 2, …)", r.PathValue("position")))
			return
		}
		f, meta, err := ex.File(r.Context(), p.Actor, id, pos)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": meta.Name}))
		http.ServeContent(w, r, "", meta.CreatedAt, f)
	}))
	s.handle("POST /api/v1/documents/{id}/edxml/status", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		ex, err := s.exchange()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in, err := decodeInput[statusRequest](w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := ex.SendStatus(r.Context(), p.Actor, id, edxml.StatusCode(in.Code), in.Description, &buf); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="status-%s-%d.edxml"`, in.Code, id))
		_, _ = w.Write(buf.Bytes())
	}))
}
