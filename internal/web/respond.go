package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
)

// apiError is the JSON shape of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
	// Existing is the register line a duplicate registration was
	// refused for (409).
	Existing *model.RegisterEntry `json:"existing,omitempty"`
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

// rateLog lets a frequent log line through at most once a second and
// counts the ones held back.
type rateLog struct {
	last atomic.Int64 // unix second of the last line
	held atomic.Int64
}

// due reports whether a line may be logged now, and how many were held
// back since the last one.
func (l *rateLog) due(now time.Time) (int64, bool) {
	sec := now.Unix()
	last := l.last.Load()
	if last == sec || !l.last.CompareAndSwap(last, sec) {
		l.held.Add(1)
		return 0, false
	}
	return l.held.Swap(0), true
}

// StatusClientClosedRequest is the status recorded (in logs and metrics)
// for a request its client abandoned; the nginx convention.
const StatusClientClosedRequest = 499

// overloadRetryAfter is the Retry-After of a 503 answered when the
// database is saturated: a few seconds, spread so that the refused
// clients do not all come back at once.
func overloadRetryAfter() string { return strconv.Itoa(2 + rand.IntN(4)) }

// busyRetryAfter is the Retry-After of a 503 whose service estimated when
// its queue drains (model.BusyError): that estimate spread over 100-150 %,
// so that the clients refused together come back spread out.
func busyRetryAfter(wait time.Duration) string {
	sec := wait.Seconds() * (1 + 0.5*rand.Float64())
	return strconv.Itoa(max(1, int(math.Ceil(sec))))
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
	case errors.Is(err, model.ErrOverloaded):
		return http.StatusServiceUnavailable, apiErrorBody{Code: "overloaded", Message: "the server is busy; retry after the number of seconds in the Retry-After header"}
	case errors.Is(err, context.Canceled):
		// The client went away (closed the connection or gave up): nobody
		// reads the answer, and it is not the server's fault.
		return StatusClientClosedRequest, apiErrorBody{Code: "canceled", Message: "the request was abandoned by the client"}
	default:
		return http.StatusInternalServerError, apiErrorBody{Code: "internal", Message: "internal error; the server log has the details"}
	}
}

// publicError is what a reader is told of err, for API responses and
// pages alike: the status and body of errorStatus, with the message in
// lang when lang is not empty and the catalog explains err (the service
// attached a message with i18n.Localise). Server errors keep their
// generic message.
func (s *Server) publicError(lang string, err error) (int, apiErrorBody) {
	code, body := errorStatus(err)
	if lang == "" || code >= 500 {
		return code, body
	}
	if texts := s.msgs.Texts(lang, err); len(texts) > 0 {
		body.Message = strings.Join(texts, " ")
	}
	return code, body
}

// readerLang is the language of the pages for the request.
func readerLang(r *http.Request, p *principal) string {
	pref := ""
	if p != nil && p.User != nil {
		pref = p.User.Lang
	}
	return i18n.FromRequest(r, pref)
}

// writeError answers an API error: the status and English body of
// errorStatus (the JSON API speaks English to programs; see
// writeDocError for the documents API's bilingual messages).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if browserNavigation(r) {
		// A link in a page (an export, a download) that fails shows the
		// error page in the reader's language, not the API's JSON.
		p, aerr := s.authenticate(r)
		if aerr != nil || p == nil || p.Session == nil {
			p = nil
		}
		s.renderError(w, r, p, err)
		return
	}
	code, body := errorStatus(err)
	switch {
	case code == http.StatusServiceUnavailable:
		if n, ok := s.busyLog.due(time.Now()); ok {
			// Once a second at most: thousands of devices may be refused
			// within one during a cold start.
			s.deps.Log.Warn("request refused: server busy", "method", r.Method, "path", r.URL.Path, "err", err, "refused_since_last_line", n)
		}
		var be *model.BusyError
		if errors.As(err, &be) && be.Wait > 0 {
			w.Header().Set("Retry-After", busyRetryAfter(be.Wait))
		} else {
			w.Header().Set("Retry-After", overloadRetryAfter())
		}
	case code >= 500:
		s.deps.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="loa"`)
	}
	var te *accounts.ThrottleError
	if errors.As(err, &te) {
		w.Header().Set("Retry-After", strconv.Itoa(int(te.Wait.Seconds())))
	}
	out := apiError{Error: body}
	var dup *registry.DuplicateRegistrationError
	if errors.As(err, &dup) {
		out.Existing = &dup.Existing
	}
	writeJSON(w, code, out)
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

// clientAddr is the address of the client that sent a request: the
// direct peer, unless the peer is a trusted proxy (Deps.TrustedProxies);
// then the right-most X-Forwarded-For address that is not itself a trusted
// proxy. A peer outside the trusted proxies cannot choose its address by
// sending the header. Audit lines, sign-in throttling and sessions all use
// this one function.
func (s *Server) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		peer = host
	}
	ip, err := netip.ParseAddr(peer)
	if err != nil || !s.trustedProxy(ip) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := ip
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			// A garbled hop: trust nothing left of it.
			break
		}
		client = hop
		if !s.trustedProxy(hop) {
			break
		}
	}
	return client.String()
}

// parseHop reads one X-Forwarded-For entry: an IP address, possibly with
// a port.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func (s *Server) trustedProxy(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.deps.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func slogLevel(code int) slog.Level {
	switch {
	case code == http.StatusServiceUnavailable:
		return slog.LevelWarn
	case code >= 500:
		return slog.LevelError
	case code >= 400:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
