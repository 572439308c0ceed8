package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
)

// Registry is what the register endpoints need: the outgoing and incoming
// document registers (sổ văn bản) of a unit.
type Registry interface {
	DocumentTrail
	Issue(ctx context.Context, a model.Actor, in registry.OutgoingInput) (*registry.Issued, error)
	RegisterIncoming(ctx context.Context, a model.Actor, in registry.IncomingInput) (*model.RegisterEntry, error)
	Entries(ctx context.Context, a model.Actor, unitID int64, year int, series string) ([]model.RegisterEntry, error)
	SetCounter(ctx context.Context, a model.Actor, unitID int64, year int, series string, last int) error
	Export(ctx context.Context, a model.Actor, w io.Writer, unitID int64, year int, series, format string) error
	SaveSettings(ctx context.Context, a model.Actor, unitID int64, in registry.Settings) error
	GetSettings(ctx context.Context, a model.Actor, unitID int64) (registry.Settings, error)
}

func (s documentHandlers) registerRegisterAPI(svc Registry) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/registers/{unit}/settings", true, j(jsonGetID(s.Server, "unit", http.StatusOK, bind(svc, Registry.GetSettings))))
	s.handle("PUT /api/v1/registers/{unit}/settings", true, j(jsonID(s.Server, "unit", http.StatusOK, func(ctx context.Context, a model.Actor, unit int64, in registry.Settings) (registry.Settings, error) {
		if err := svc.SaveSettings(ctx, a, unit, in); err != nil {
			return registry.Settings{}, err
		}
		return svc.GetSettings(ctx, a, unit)
	})))
	s.handle("GET /api/v1/registers/{unit}/{year}/{series}", true, j(s.apiRegister(svc)))
	s.handle("POST /api/v1/registers/{unit}/{year}/{series}", true, j(jsonCall(s.Server, http.StatusCreated, func(r *http.Request, p *principal, in registerAddRequest) (any, error) {
		return registerAdd(r, p, svc, in)
	})))
	s.handle("PUT /api/v1/registers/{unit}/{year}/{series}/counter", true, j(jsonCall(s.Server, http.StatusOK, func(r *http.Request, p *principal, in counterRequest) (map[string]int, error) {
		unit, year, series, err := registerPath(r)
		if err != nil {
			return nil, err
		}
		if err := svc.SetCounter(r.Context(), p.Actor, unit, year, series, in.Last); err != nil {
			return nil, err
		}
		return map[string]int{"last": in.Last}, nil
	})))
}

// registerPath reads {unit}/{year}/{series}.
func registerPath(r *http.Request) (int64, int, string, error) {
	unit, err := pathID(r, "unit")
	if err != nil {
		return 0, 0, "", err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, 0, "", model.Invalid("year", "%q is not a year", r.PathValue("year"))
	}
	series := r.PathValue("series")
	if series != model.SeriesOutgoing && series != model.SeriesIncoming {
		return 0, 0, "", model.Invalid("series", "%q: use outgoing or incoming", series)
	}
	return unit, year, series, nil
}

// apiRegister answers a register's entries as JSON, or as an XLSX or PDF
// download with ?format=.
func (s documentHandlers) apiRegister(svc Registry) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		unit, year, series, err := registerPath(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		switch format := r.URL.Query().Get("format"); format {
		case "xlsx", "pdf":
			var buf bytes.Buffer
			if err := svc.Export(r.Context(), p.Actor, &buf, unit, year, series, format); err != nil {
				s.writeError(w, r, err)
				return
			}
			ctype := "application/pdf"
			if format == "xlsx" {
				ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			}
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d.%s"`, registerFileName(series), year, format))
			_, _ = w.Write(buf.Bytes())
		case "", "json":
			entries, err := svc.Entries(r.Context(), p.Actor, unit, year, series)
			if entries == nil {
				entries = []model.RegisterEntry{}
			}
			s.respond(w, r, http.StatusOK, map[string]any{"entries": entries}, err)
		default:
			s.writeError(w, r, model.Invalid("format", "%q: use json, xlsx or pdf", format))
		}
	}
}

// registerAddRequest numbers an outgoing document or registers an
// incoming one.
type registerAddRequest struct {
	DraftingUnitID int64  `json:"drafting_unit_id"`
	DocType        string `json:"doc_type"`
	Date           string `json:"date"`
	Subject        string `json:"subject"`
	Signer         string `json:"signer"`
	Recipients     string `json:"recipients"`
	Copies         int    `json:"copies"`
	DocumentID     *int64 `json:"document_id"`
	Handler        string `json:"handler"`
	Notes          string `json:"notes"`
	// ConfirmDuplicate registers an incoming letter the register already
	// holds (otherwise 409 with the existing line).
	ConfirmDuplicate bool `json:"confirm_duplicate"`
}

// registerAdd numbers an outgoing document or registers an incoming one.
func registerAdd(r *http.Request, p *principal, svc Registry, in registerAddRequest) (any, error) {
	unit, year, series, err := registerPath(r)
	if err != nil {
		return nil, err
	}
	if series == model.SeriesIncoming {
		if in.DocumentID == nil {
			return nil, model.Invalid("document_id", "give the stored document to register")
		}
		return svc.RegisterIncoming(r.Context(), p.Actor, registry.IncomingInput{UnitID: unit, DocumentID: *in.DocumentID, Handler: in.Handler,
			Notes: in.Notes, ConfirmDuplicate: in.ConfirmDuplicate})
	}
	if in.Date != "" && !strings.HasPrefix(in.Date, strconv.Itoa(year)) {
		return nil, model.Invalid("date", "%s is not in %d, the year of this register", in.Date, year)
	}
	return svc.Issue(r.Context(), p.Actor, registry.OutgoingInput{UnitID: unit, DraftingUnitID: in.DraftingUnitID, DocType: in.DocType,
		Date: in.Date, Subject: in.Subject, Signer: in.Signer, Recipients: in.Recipients, Copies: in.Copies, DocumentID: in.DocumentID, Notes: in.Notes})
}

type counterRequest struct {
	Last int `json:"last"`
}

// registerFileName names a register's export in Vietnamese (without
// diacritics, for every file system): so-van-ban-den, so-van-ban-di.
func registerFileName(series string) string {
	switch series {
	case model.SeriesIncoming:
		return "so-van-ban-den"
	case model.SeriesOutgoing:
		return "so-van-ban-di"
	}
	return "so-van-ban-" + series
}
