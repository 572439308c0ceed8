package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
)

// Archive is what the archive pages and endpoints need: retention rules,
// legal holds and disposal lists.
type Archive interface {
	Rules(ctx context.Context, a model.Actor) ([]model.RetentionRule, error)
	SaveRule(ctx context.Context, a model.Actor, r model.RetentionRule) (*model.RetentionRule, error)
	DeleteRule(ctx context.Context, a model.Actor, docType string) error
	Due(ctx context.Context, a model.Actor, unitID int64) ([]model.DueDocument, error)
	Holds(ctx context.Context, a model.Actor, unitID int64) ([]model.LegalHold, error)
	PlaceHold(ctx context.Context, a model.Actor, documentID int64, reason string) (*model.LegalHold, error)
	ReleaseHold(ctx context.Context, a model.Actor, holdID int64, note string) error
	Propose(ctx context.Context, a model.Actor, in archive.ProposeInput) (*model.DisposalList, error)
	Decide(ctx context.Context, a model.Actor, listID int64, approve bool, note string) (*model.DisposalList, error)
	Execute(ctx context.Context, a model.Actor, listID int64) (*model.DisposalList, error)
	Lists(ctx context.Context, a model.Actor, unitID int64) ([]model.DisposalList, error)
	List(ctx context.Context, a model.Actor, listID int64) (*model.DisposalList, error)
	ListDocument(ctx context.Context, a model.Actor, listID int64) (io.ReadSeekCloser, int64, string, error)
}

// archiveHandlers holds the archive pages and API (api_archive.go,
// ui_archive.go).
type archiveHandlers struct{ *Server }

func (s *Server) archive() archiveHandlers { return archiveHandlers{s} }

type holdRequest struct {
	Reason string `json:"reason"`
}

type releaseRequest struct {
	Note string `json:"note"`
}

type decisionRequest struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

func (s archiveHandlers) registerArchiveAPI() {
	svc := s.deps.Archive
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/archive/rules", true, j(jsonList(s.Server, "rules", func(r *http.Request, p *principal) ([]model.RetentionRule, error) {
		return nonNil(svc.Rules(r.Context(), p.Actor))
	})))
	s.handle("PUT /api/v1/archive/rules", true, j(jsonBody(s.Server, http.StatusOK, svc.SaveRule)))
	s.handle("DELETE /api/v1/archive/rules/{doc_type}", true, j(jsonCall(s.Server, http.StatusNoContent, func(r *http.Request, p *principal, _ noBody) (noBody, error) {
		return noBody{}, svc.DeleteRule(r.Context(), p.Actor, r.PathValue("doc_type"))
	})))
	s.handle("GET /api/v1/archive/units/{unit}/due", true, j(jsonList(s.Server, "documents", func(r *http.Request, p *principal) ([]model.DueDocument, error) {
		unit, err := pathID(r, "unit")
		if err != nil {
			return nil, err
		}
		return nonNil(svc.Due(r.Context(), p.Actor, unit))
	})))
	s.handle("GET /api/v1/archive/units/{unit}/holds", true, j(jsonList(s.Server, "holds", func(r *http.Request, p *principal) ([]model.LegalHold, error) {
		unit, err := pathID(r, "unit")
		if err != nil {
			return nil, err
		}
		return nonNil(svc.Holds(r.Context(), p.Actor, unit))
	})))
	s.handle("GET /api/v1/archive/units/{unit}/disposals", true, j(jsonList(s.Server, "lists", func(r *http.Request, p *principal) ([]model.DisposalList, error) {
		unit, err := pathID(r, "unit")
		if err != nil {
			return nil, err
		}
		return nonNil(svc.Lists(r.Context(), p.Actor, unit))
	})))
	s.handle("POST /api/v1/documents/{id}/holds", true, j(jsonID(s.Server, "id", http.StatusCreated, func(ctx context.Context, a model.Actor, id int64, in holdRequest) (*model.LegalHold, error) {
		return svc.PlaceHold(ctx, a, id, in.Reason)
	})))
	s.handle("POST /api/v1/archive/holds/{id}/release", true, j(jsonID(s.Server, "id", http.StatusNoContent, func(ctx context.Context, a model.Actor, id int64, in releaseRequest) (noBody, error) {
		return noBody{}, svc.ReleaseHold(ctx, a, id, in.Note)
	})))
	s.handle("POST /api/v1/archive/disposals", true, j(jsonBody(s.Server, http.StatusCreated, svc.Propose)))
	s.handle("GET /api/v1/archive/disposals/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, svc.List)))
	s.handle("POST /api/v1/archive/disposals/{id}/decision", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in decisionRequest) (*model.DisposalList, error) {
		return svc.Decide(ctx, a, id, in.Approve, in.Note)
	})))
	s.handle("POST /api/v1/archive/disposals/{id}/execute", true, j(jsonGetID(s.Server, "id", http.StatusOK, svc.Execute)))
	s.handle("GET /api/v1/archive/disposals/{id}/document", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f, size, name, err := svc.ListDocument(r.Context(), p.Actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
		_, _ = io.Copy(w, f)
	}))
}

// nonNil turns a nil list into an empty one (JSON [] rather than null).
func nonNil[T any](list []T, err error) ([]T, error) {
	if list == nil {
		list = []T{}
	}
	return list, err
}

// archiveUnits are the units whose archive the actor may work on.
func (s archiveHandlers) archiveUnits(pd *pageData, a model.Actor) []unitOption {
	var out []unitOption
	for _, o := range s.orgs().unitOptions(pd, a, false) {
		path := pd.units[o.ID].Path
		if s.deps.Policy.Can(a, authz.ArchiveWrite, path) || s.deps.Policy.Can(a, authz.ArchiveApprove, path) {
			out = append(out, o)
		}
	}
	return out
}

// formIDs reads the checked document ids of a form.
func formIDs(values []string) []int64 {
	var ids []int64
	for _, v := range values {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}
