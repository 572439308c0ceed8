package web

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/model"
)

// BroadcastLive is what the live broadcast endpoints need: sessions an
// operator starts from a browser, the chunks of their stream, their end,
// and the stream relayed to the devices.
type BroadcastLive interface {
	StartLive(ctx context.Context, a model.Actor, in broadcast.LiveInput) (*broadcast.LiveView, error)
	AppendLive(ctx context.Context, a model.Actor, id int64, seq int, data []byte) (bool, error)
	StopLive(ctx context.Context, a model.Actor, id int64) (*broadcast.LiveView, error)
	LiveSession(ctx context.Context, a model.Actor, id int64) (*broadcast.LiveView, error)
	LiveSessions(ctx context.Context, a model.Actor, unitID int64) ([]*broadcast.LiveView, error)
	StreamLive(ctx context.Context, da *broadcast.DeviceAuth, orderID int64, w io.Writer, flush func()) error
}

// liveChunkResult answers a chunk upload.
type liveChunkResult struct {
	Seq       int  `json:"seq"`
	Duplicate bool `json:"duplicate"`
}

func (s broadcastAPI) registerLiveAPI(svc BroadcastLive) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/broadcast/live", true, j(jsonUnitList(s.Server, "sessions", func(r *http.Request, p *principal, unit int64) ([]*broadcast.LiveView, error) {
		return svc.LiveSessions(r.Context(), p.Actor, unit)
	})))
	// The operator's page shows the answers of these three: a signed-in
	// browser gets refusals in its language (programs, with tokens, get
	// the API's English).
	fail := func(w http.ResponseWriter, r *http.Request, p *principal, err error) {
		if p.Session == nil {
			s.writeError(w, r, err)
			return
		}
		code, body := s.publicError(readerLang(r, p), err)
		if code >= 500 {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, code, apiError{Error: body})
	}
	s.handle("POST /api/v1/broadcast/live", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		var in broadcast.LiveInput
		if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
			fail(w, r, p, err)
			return
		}
		v, err := svc.StartLive(r.Context(), p.Actor, in)
		if err != nil {
			fail(w, r, p, err)
			return
		}
		writeJSON(w, http.StatusCreated, v)
	}))
	s.handle("GET /api/v1/broadcast/live/{id}", true, j(jsonGetID(s.Server, "id", http.StatusOK, bind(svc, BroadcastLive.LiveSession))))
	s.handle("POST /api/v1/broadcast/live/{id}/stop", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			fail(w, r, p, err)
			return
		}
		v, err := svc.StopLive(r.Context(), p.Actor, id)
		if err != nil {
			fail(w, r, p, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}))
	s.handle("POST /api/v1/broadcast/live/{id}/chunks", true, j(func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, "id")
		if err != nil {
			fail(w, r, p, err)
			return
		}
		seq, err := broadcast.ParseLiveSeq(r.URL.Query().Get("seq"))
		if err != nil {
			fail(w, r, p, err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, broadcast.MaxLiveChunk+1))
		if err != nil {
			fail(w, r, p, err)
			return
		}
		dup, err := svc.AppendLive(r.Context(), p.Actor, id, seq, data)
		if err != nil {
			fail(w, r, p, err)
			return
		}
		writeJSON(w, http.StatusOK, liveChunkResult{Seq: seq, Duplicate: dup})
	}))
	d := deviceAPI{s: s.Server, svc: s.deps.Broadcast}
	s.handle("GET /api/v1/device/{id}/live/{order}", true, func(w http.ResponseWriter, r *http.Request) {
		da, err := d.auth(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		order, err := pathID(r, "order")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rc := http.NewResponseController(w)
		started := false
		sw := writerFunc(func(b []byte) (int, error) {
			if !started {
				started = true
				h := w.Header()
				h.Set("Content-Type", "audio/webm")
				h.Set("Cache-Control", "no-store")
				h.Set("X-Accel-Buffering", "no")
				w.WriteHeader(http.StatusOK)
			}
			_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
			return w.Write(b)
		})
		err = svc.StreamLive(r.Context(), da, order, sw, func() { _ = rc.Flush() })
		if err != nil && !started && r.Context().Err() == nil {
			s.writeError(w, r, err)
			return
		}
		if err != nil && r.Context().Err() == nil {
			s.deps.Log.Debug("live stream to device ended", "device", da.Device.ID, "order", order, "err", err)
		}
	})
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
