package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
)

// ChannelTasks is what the hand-confirmed channel task endpoints need:
// tasks for people (a notice board, a meeting), confirmed with evidence.
type ChannelTasks interface {
	CreateTasks(ctx context.Context, a model.Actor, in channels.TaskInput) (*channels.TaskBatch, error)
	Task(ctx context.Context, a model.Actor, id int64) (*model.ChannelTask, error)
	Tasks(ctx context.Context, a model.Actor, q channels.TaskQuery) ([]*model.ChannelTask, error)
	ConfirmTask(ctx context.Context, a model.Actor, id int64, in channels.ConfirmInput) (*model.ChannelTask, error)
	DeclineTask(ctx context.Context, a model.Actor, id int64, reason string) (*model.ChannelTask, error)
	OpenEvidence(ctx context.Context, a model.Actor, evidenceID int64) (io.ReadSeekCloser, *model.TaskEvidence, error)
}

// MaxEvidenceUpload bounds a task confirmation with its files.
const MaxEvidenceUpload = 32 << 20

type declineRequest struct {
	Reason string `json:"reason"`
}

func (s channelHandlers) registerChannelTaskAPI(svc ChannelTasks) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/channels/tasks", true, j(jsonList(s.Server, "tasks", func(r *http.Request, p *principal) ([]*model.ChannelTask, error) {
		var q channels.TaskQuery
		var err error
		for name, dst := range map[string]*int64{"unit_id": &q.UnitID, "order_id": &q.OrderID, "directive_id": &q.DirectiveID} {
			if *dst, err = optionalID(r, name); err != nil {
				return nil, err
			}
		}
		q.Status = r.URL.Query().Get("status")
		return svc.Tasks(r.Context(), p.Actor, q)
	})))
	s.handle("POST /api/v1/channels/tasks", true, j(jsonBody(s.Server, http.StatusCreated, bind(svc, ChannelTasks.CreateTasks))))
	s.handle("GET /api/v1/channels/tasks/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, ChannelTasks.Task))))
	s.handle("POST /api/v1/channels/tasks/{id}/confirm", true, s.api(MaxEvidenceUpload, s.apiConfirmTask(svc)))
	s.handle("POST /api/v1/channels/tasks/{id}/decline", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in declineRequest) (*model.ChannelTask, error) {
		return svc.DeclineTask(ctx, a, id, in.Reason)
	})))
	s.handle("GET /api/v1/channels/evidence/{id}", true, j(s.apiEvidence(svc)))
}

// apiConfirmTask takes a multipart form: note, link (repeatable) and
// file (repeatable) — or JSON {note, links} without files.
func (s channelHandlers) apiConfirmTask(svc ChannelTasks) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
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
		t, err := svc.ConfirmTask(r.Context(), p.Actor, id, in)
		s.respond(w, r, http.StatusOK, t, err)
	}
}

func (s channelHandlers) apiEvidence(svc ChannelTasks) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f, ev, err := svc.OpenEvidence(r.Context(), p.Actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer f.Close()
		serveUserFile(w, r, f, ev.Filename, ev.MIME, ev.CreatedAt)
	}
}
