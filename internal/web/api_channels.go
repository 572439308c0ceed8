package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// Channels is what the SMS/OTT and hand-confirmed channel endpoints need.
type Channels interface {
	CreateCampaign(ctx context.Context, a model.Actor, in channels.CampaignInput) (*channels.CampaignView, error)
	Campaign(ctx context.Context, a model.Actor, id int64) (*channels.CampaignView, error)
	Campaigns(ctx context.Context, a model.Actor, unitID int64) ([]*channels.CampaignView, error)
	CampaignMessages(ctx context.Context, a model.Actor, id, afterID int64, limit int) ([]*model.OutMessage, error)
	CancelCampaign(ctx context.Context, a model.Actor, id int64) (*channels.CampaignView, error)
	CreateList(ctx context.Context, a model.Actor, in channels.ListInput) (*model.ChannelList, error)
	Lists(ctx context.Context, a model.Actor, unitID int64) ([]*model.ChannelList, error)
	Subscribers(ctx context.Context, a model.Actor, listID int64, limit int) ([]*model.Subscriber, error)
	AddSubscribers(ctx context.Context, a model.Actor, listID int64, in []channels.SubscriberInput) (*channels.AddResult, error)
	RemoveSubscriber(ctx context.Context, a model.Actor, listID int64, phone string) error
	CreateTasks(ctx context.Context, a model.Actor, in channels.TaskInput) (*channels.TaskBatch, error)
	Task(ctx context.Context, a model.Actor, id int64) (*model.ChannelTask, error)
	Tasks(ctx context.Context, a model.Actor, q channels.TaskQuery) ([]*model.ChannelTask, error)
	ConfirmTask(ctx context.Context, a model.Actor, id int64, in channels.ConfirmInput) (*model.ChannelTask, error)
	DeclineTask(ctx context.Context, a model.Actor, id int64, reason string) (*model.ChannelTask, error)
	OpenEvidence(ctx context.Context, a model.Actor, evidenceID int64) (io.ReadSeekCloser, *model.TaskEvidence, error)
	Report(ctx context.Context, a model.Actor, orderID, directiveID int64) (*channels.Report, error)
}

// Hook is an endpoint called by an outside system (SMS provider receipts
// and inbound messages), authenticated by its own signature check.
type Hook struct {
	Pattern string // e.g. "POST /hooks/sms/receipt"
	Handler http.Handler
}

// MaxEvidenceUpload bounds a task confirmation with its files.
const MaxEvidenceUpload = 32 << 20

func (s *Server) registerChannelAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/channels/campaigns", true, j(s.apiCampaigns))
	s.handle("POST /api/v1/channels/campaigns", true, s.api(4<<20, s.apiCreateCampaign))
	s.handle("GET /api/v1/channels/campaigns/{id}", true, j(s.apiCampaign))
	s.handle("DELETE /api/v1/channels/campaigns/{id}", true, j(s.apiCancelCampaign))
	s.handle("GET /api/v1/channels/campaigns/{id}/messages", true, j(s.apiCampaignMessages))
	s.handle("GET /api/v1/channels/lists", true, j(s.apiLists))
	s.handle("POST /api/v1/channels/lists", true, j(s.apiCreateList))
	s.handle("GET /api/v1/channels/lists/{id}/subscribers", true, j(s.apiSubscribers))
	s.handle("POST /api/v1/channels/lists/{id}/subscribers", true, s.api(8<<20, s.apiAddSubscribers))
	s.handle("DELETE /api/v1/channels/lists/{id}/subscribers/{phone}", true, j(s.apiRemoveSubscriber))
	s.handle("GET /api/v1/channels/tasks", true, j(s.apiTasks))
	s.handle("POST /api/v1/channels/tasks", true, j(s.apiCreateTasks))
	s.handle("GET /api/v1/channels/tasks/{id}", true, j(s.apiTask))
	s.handle("POST /api/v1/channels/tasks/{id}/confirm", true, s.api(MaxEvidenceUpload, s.apiConfirmTask))
	s.handle("POST /api/v1/channels/tasks/{id}/decline", true, j(s.apiDeclineTask))
	s.handle("GET /api/v1/channels/evidence/{id}", true, j(s.apiEvidence))
	s.handle("GET /api/v1/channels/report", true, j(s.apiChannelReport))
	for _, h := range s.deps.Hooks {
		s.mux.Handle(h.Pattern, s.observe(h.Handler.ServeHTTP))
	}
}

// optionalID reads an optional numeric query parameter (0 when absent).
func optionalID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, model.Invalid(name, "%q is not an id", v)
	}
	return n, nil
}

// respond writes v (or the error) as JSON.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, code int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, code, v)
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := optionalID(r, "unit_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Channels.Campaigns(r.Context(), p.Actor, unit)
	s.respond(w, r, http.StatusOK, map[string]any{"campaigns": c}, err)
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request, p *principal) {
	var in channels.CampaignInput
	if err := decodeJSON(w, r, &in, 4<<20); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Channels.CreateCampaign(r.Context(), p.Actor, in)
	s.respond(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Channels.Campaign(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, c, err)
}

func (s *Server) apiCancelCampaign(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.deps.Channels.CancelCampaign(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, c, err)
}

func (s *Server) apiCampaignMessages(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, err := optionalID(r, "after")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.deps.Channels.CampaignMessages(r.Context(), p.Actor, id, after, 500)
	s.respond(w, r, http.StatusOK, map[string]any{"messages": m}, err)
}

func (s *Server) apiLists(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, err := optionalID(r, "unit_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.deps.Channels.Lists(r.Context(), p.Actor, unit)
	s.respond(w, r, http.StatusOK, map[string]any{"lists": l}, err)
}

func (s *Server) apiCreateList(w http.ResponseWriter, r *http.Request, p *principal) {
	var in channels.ListInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.deps.Channels.CreateList(r.Context(), p.Actor, in)
	s.respond(w, r, http.StatusCreated, l, err)
}

func (s *Server) apiSubscribers(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.deps.Channels.Subscribers(r.Context(), p.Actor, id, 10000)
	s.respond(w, r, http.StatusOK, map[string]any{"subscribers": l}, err)
}

func (s *Server) apiAddSubscribers(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in []channels.SubscriberInput
	if err := decodeJSON(w, r, &in, 8<<20); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Channels.AddSubscribers(r.Context(), p.Actor, id, in)
	s.respond(w, r, http.StatusOK, res, err)
}

func (s *Server) apiRemoveSubscriber(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Channels.RemoveSubscriber(r.Context(), p.Actor, id, r.PathValue("phone")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request, p *principal) {
	var q channels.TaskQuery
	var err error
	for name, dst := range map[string]*int64{"unit_id": &q.UnitID, "order_id": &q.OrderID, "directive_id": &q.DirectiveID} {
		if *dst, err = optionalID(r, name); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	q.Status = r.URL.Query().Get("status")
	t, err := s.deps.Channels.Tasks(r.Context(), p.Actor, q)
	s.respond(w, r, http.StatusOK, map[string]any{"tasks": t}, err)
}

func (s *Server) apiCreateTasks(w http.ResponseWriter, r *http.Request, p *principal) {
	var in channels.TaskInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.deps.Channels.CreateTasks(r.Context(), p.Actor, in)
	s.respond(w, r, http.StatusCreated, b, err)
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.deps.Channels.Task(r.Context(), p.Actor, id)
	s.respond(w, r, http.StatusOK, t, err)
}

// apiConfirmTask takes a multipart form: note, link (repeatable) and
// file (repeatable) — or JSON {note, links} without files.
func (s *Server) apiConfirmTask(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in channels.ConfirmInput
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(formMaxMemory); err != nil {
			var mbe *http.MaxBytesError
			if !errors.As(err, &mbe) {
				err = model.Invalid("", "the form could not be read: %v", err)
			}
			s.writeError(w, r, err)
			return
		}
		in.Note = r.FormValue("note")
		in.Links = r.Form["link"]
		for _, fh := range r.MultipartForm.File["file"] {
			f, err := fh.Open()
			if err != nil {
				s.writeError(w, r, fmt.Errorf("open uploaded %s: %w", fh.Filename, err))
				return
			}
			defer f.Close()
			in.Files = append(in.Files, channels.EvidenceFile{Name: fh.Filename, Body: f})
		}
	} else if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.deps.Channels.ConfirmTask(r.Context(), p.Actor, id, in)
	s.respond(w, r, http.StatusOK, t, err)
}

type declineRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiDeclineTask(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in declineRequest
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.deps.Channels.DeclineTask(r.Context(), p.Actor, id, in.Reason)
	s.respond(w, r, http.StatusOK, t, err)
}

func (s *Server) apiEvidence(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, ev, err := s.deps.Channels.OpenEvidence(r.Context(), p.Actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	serveUserFile(w, r, f, ev.Filename, ev.MIME, ev.CreatedAt)
}

func (s *Server) apiChannelReport(w http.ResponseWriter, r *http.Request, p *principal) {
	order, err := optionalID(r, "order_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	directive, err := optionalID(r, "directive_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.deps.Channels.Report(r.Context(), p.Actor, order, directive)
	s.respond(w, r, http.StatusOK, rep, err)
}
