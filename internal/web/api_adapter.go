package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/model"
)

// The JSON API handlers share one shape: read the path id and the JSON
// body, call a service, answer its result with a status or its error
// through writeError. The adapters below are that shape once; a handler
// group passes its service's method (or a small closure) and the status
// of success. Handlers that stream files or set special headers stay
// explicit apiHandlers.

// noBody is the input of a call that reads no request body, and the
// output of one that answers 204 No Content.
type noBody struct{}

// optionalBody is implemented by inputs whose JSON body may be absent.
type optionalBody interface{ optionalBody() }

// limitedBody is implemented by inputs whose JSON body may be larger than
// MaxJSONBody (the route's s.api limit must allow it too).
type limitedBody interface{ bodyLimit() int64 }

// validator is implemented by inputs that check themselves after decoding.
type validator interface{ Validate() error }

// decodeInput reads the request's JSON body into a new In with the strict
// decoder of decodeJSON and MaxJSONBody (or In's bodyLimit): nothing for
// noBody, only when there is a body for an optionalBody; then validates
// it.
func decodeInput[In any](w http.ResponseWriter, r *http.Request) (In, error) {
	var in In
	switch any(&in).(type) {
	case *noBody:
		return in, nil
	}
	if _, opt := any(in).(optionalBody); opt && r.ContentLength == 0 {
		return in, nil
	}
	limit := int64(MaxJSONBody)
	if l, ok := any(in).(limitedBody); ok {
		limit = l.bodyLimit()
	}
	if err := decodeJSON(w, r, &in, limit); err != nil {
		return in, err
	}
	if v, ok := any(&in).(validator); ok {
		if err := v.Validate(); err != nil {
			return in, err
		}
	}
	return in, nil
}

// respond answers a call's result: the error through writeError, 204
// without a body, anything else as JSON with code.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, code int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, v)
}

// jsonCall is the general adapter: decode In, call with the request (for
// its query and path) and the caller, answer Out with status.
func jsonCall[In, Out any](s *Server, status int, call func(r *http.Request, p *principal, in In) (Out, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		in, err := decodeInput[In](w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := call(r, p, in)
		s.respond(w, r, status, out, err)
	}
}

// jsonBody adapts a service method that takes the caller's actor and the
// decoded body.
func jsonBody[In, Out any](s *Server, status int, call func(ctx context.Context, a model.Actor, in In) (Out, error)) apiHandler {
	return jsonCall(s, status, func(r *http.Request, p *principal, in In) (Out, error) {
		return call(r.Context(), p.Actor, in)
	})
}

// jsonID adapts a service method on the resource named by the path
// parameter param, with the decoded body.
func jsonID[In, Out any](s *Server, param string, status int, call func(ctx context.Context, a model.Actor, id int64, in In) (Out, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		id, err := pathID(r, param)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in, err := decodeInput[In](w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := call(r.Context(), p.Actor, id, in)
		s.respond(w, r, status, out, err)
	}
}

// jsonGetID adapts a service method on the resource named by the path
// parameter param, without a body.
func jsonGetID[Out any](s *Server, param string, status int, call func(ctx context.Context, a model.Actor, id int64) (Out, error)) apiHandler {
	return jsonID(s, param, status, func(ctx context.Context, a model.Actor, id int64, _ noBody) (Out, error) {
		return call(ctx, a, id)
	})
}

// jsonDeleteID adapts a service method that acts on the resource named by
// the path parameter param and answers 204 No Content.
func jsonDeleteID(s *Server, param string, call func(ctx context.Context, a model.Actor, id int64) error) apiHandler {
	return jsonGetID(s, param, http.StatusNoContent, func(ctx context.Context, a model.Actor, id int64) (noBody, error) {
		return noBody{}, call(ctx, a, id)
	})
}

// jsonList adapts a listing: the list call answers is sent as the
// object {"<key>": list}.
func jsonList[T any](s *Server, key string, call func(r *http.Request, p *principal) (T, error)) apiHandler {
	return jsonCall(s, http.StatusOK, func(r *http.Request, p *principal, _ noBody) (map[string]any, error) {
		list, err := call(r, p)
		if err != nil {
			return nil, err
		}
		return map[string]any{key: list}, nil
	})
}

// The bind helpers turn a method expression (Iface.Method) into a call on
// svc made when a request comes, not when routes are registered, so that
// a service whose method is missing (a test fake embedding a nil
// interface) fails only the requests that reach it.

// bind binds a three-argument method.
func bind[S, A, B, C, Out any](svc S, m func(S, A, B, C) (Out, error)) func(A, B, C) (Out, error) {
	return func(a A, b B, c C) (Out, error) { return m(svc, a, b, c) }
}

// bind4 binds a four-argument method.
func bind4[S, A, B, C, D, Out any](svc S, m func(S, A, B, C, D) (Out, error)) func(A, B, C, D) (Out, error) {
	return func(a A, b B, c C, d D) (Out, error) { return m(svc, a, b, c, d) }
}

// bindErr binds a three-argument method that returns only an error.
func bindErr[S, A, B, C any](svc S, m func(S, A, B, C) error) func(A, B, C) error {
	return func(a A, b B, c C) error { return m(svc, a, b, c) }
}
