package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/cap"
	"github.com/loa-project/loa/internal/capalert"
	"github.com/loa-project/loa/internal/model"
)

// CAPAlerts is what the CAP endpoints need of the CAP service (package
// capalert): the public feed of emergencies as CAP 1.2, and incoming
// alerts that become draft emergency orders.
type CAPAlerts interface {
	Atom(ctx context.Context, base string) ([]byte, error)
	Message(ctx context.Context, identifier, base string) (*cap.Alert, error)
	OpenAudio(ctx context.Context, orderID int64, sha string) (io.ReadSeekCloser, error)
	Receive(ctx context.Context, a model.Actor, raw []byte) (*model.CAPInbound, error)
	Inbound(ctx context.Context, a model.Actor) ([]*model.CAPInbound, error)
	Approve(ctx context.Context, a model.Actor, id int64) (*model.CAPInbound, error)
	Reject(ctx context.Context, a model.Actor, id int64) (*model.CAPInbound, error)
}

type capHandlers struct {
	*Server
	svc CAPAlerts
}

func (s *Server) registerCAP() {
	h := capHandlers{Server: s, svc: s.deps.CAP}
	svc := h.svc
	s.handle("GET /cap/alerts.atom", false, h.atom)
	s.handle("GET /cap/alerts/{file}", false, h.alert)
	s.handle("GET /cap/audio/{order}/{file}", false, h.audio)
	s.handle("POST /api/v1/cap/alerts", true, s.api(capalert.MaxAlertBytes, h.receive))
	s.handle("GET /api/v1/cap/inbound", true, s.api(MaxJSONBody, jsonList(s, "alerts", func(r *http.Request, p *principal) ([]*model.CAPInbound, error) {
		return svc.Inbound(r.Context(), p.Actor)
	})))
	s.handle("POST /api/v1/cap/inbound/{id}/approve", true, s.api(MaxJSONBody, jsonGetID(s, "id", http.StatusOK, bind(svc, CAPAlerts.Approve))))
	s.handle("POST /api/v1/cap/inbound/{id}/reject", true, s.api(MaxJSONBody, jsonGetID(s, "id", http.StatusOK, bind(svc, CAPAlerts.Reject))))
}

func (h capHandlers) atom(w http.ResponseWriter, r *http.Request) {
	b, err := h.svc.Atom(r.Context(), h.publicURL)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=30")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}

func (h capHandlers) alert(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	if !ok || id == "" || len(id) > 200 {
		h.writeError(w, r, model.Invalid("file", "ask for /cap/alerts/<identifier>.xml"))
		return
	}
	a, err := h.svc.Message(r.Context(), id, h.publicURL)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/cap+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=30")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if err := cap.Encode(w, a); err != nil {
		h.deps.Log.Error("encode CAP alert", "identifier", id, "err", err)
	}
}

func (h capHandlers) audio(w http.ResponseWriter, r *http.Request) {
	order, err := strconv.ParseInt(r.PathValue("order"), 10, 64)
	sha := strings.TrimSuffix(r.PathValue("file"), ".mp3")
	if err != nil || order <= 0 || len(sha) != 64 {
		h.writeError(w, r, model.Invalid("file", "ask for /cap/audio/<order>/<sha256>.mp3"))
		return
	}
	f, err := h.svc.OpenAudio(r.Context(), order, sha)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	serveAudio(w, r, f, sha)
}

// receive takes a CAP 1.2 XML document (Content-Type application/cap+xml,
// application/xml or text/xml).
func (h capHandlers) receive(w http.ResponseWriter, r *http.Request, p *principal) {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	if ct != "application/cap+xml" && ct != "application/xml" && ct != "text/xml" {
		h.writeError(w, r, model.Invalid("Content-Type", "send the CAP 1.2 alert as XML with Content-Type application/cap+xml (got %q)", ct))
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.writeError(w, r, err)
			return
		}
		h.writeError(w, r, model.Invalid("", "the body could not be read: %v", err))
		return
	}
	in, err := h.svc.Receive(r.Context(), p.Actor, raw)
	h.respond(w, r, http.StatusCreated, in, err)
}
