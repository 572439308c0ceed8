package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/loa-project/loa/internal/model"
)

// apiError is the JSON shape of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorStatus maps a service error to an HTTP status and a public body.
func errorStatus(err error) (int, apiErrorBody) {
	var ve *model.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ve):
		return http.StatusBadRequest, apiErrorBody{Code: "invalid", Message: ve.Error(), Field: ve.Field, Line: ve.Line}
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, apiErrorBody{Code: "too_large", Message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
	case errors.Is(err, model.ErrUnauthorized):
		return http.StatusUnauthorized, apiErrorBody{Code: "unauthorized", Message: err.Error()}
	case errors.Is(err, model.ErrForbidden):
		return http.StatusForbidden, apiErrorBody{Code: "forbidden", Message: "you are not allowed to do this: " + err.Error()}
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound, apiErrorBody{Code: "not_found", Message: err.Error()}
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict, apiErrorBody{Code: "conflict", Message: err.Error()}
	case errors.Is(err, model.ErrThrottled):
		return http.StatusTooManyRequests, apiErrorBody{Code: "throttled", Message: err.Error()}
	default:
		return http.StatusInternalServerError, apiErrorBody{Code: "internal", Message: "internal error; the server log has the details"}
	}
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, body := errorStatus(err)
	if code >= 500 {
		s.deps.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="loa"`)
	}
	writeJSON(w, code, apiError{Error: body})
}

// decodeJSON reads a JSON body of at most limit bytes into v, refusing
// unknown fields and trailing data, with errors that say where.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return model.Invalid("", "send the body as JSON with Content-Type: application/json (got %q)", ct)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return model.Invalid("", "malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return model.Invalid("", "malformed JSON: the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return model.Invalid("", "malformed JSON: the body ends in the middle of a value")
	case errors.As(err, &se):
		return model.Invalid("", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return model.Invalid(te.Field, "wrong type: expected %s, got JSON %s", te.Type, te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return model.Invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field; check the OpenAPI document at /api/v1/openapi.json")
	default:
		return model.Invalid("", "malformed JSON: %v", err)
	}
}

// clientAddr is the remote IP of a request.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func slogLevel(code int) slog.Level {
	switch {
	case code >= 500:
		return slog.LevelError
	case code >= 400:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
