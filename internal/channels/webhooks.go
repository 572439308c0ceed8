package channels

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/model"
)

// Defaults of WebhookConfig.
const (
	DefaultSignatureHeader = "X-Loa-Signature"
	DefaultWebhookMaxBody  = 64 << 10
	minSecretLen           = 16
)

// WebhookConfig configures the endpoints a provider calls: delivery
// receipts and inbound messages. The provider signs each body with
// HMAC-SHA256 under the shared secret and sends the hex digest (optionally
// prefixed "sha256=") in SignatureHeader. Field paths name the values in
// the provider's JSON body (dot paths, as in the gateway configuration).
type WebhookConfig struct {
	Secret          string `json:"secret"`
	SignatureHeader string `json:"signature_header"`
	MaxBody         int64  `json:"max_body"`
	// Receipts: message id, status, time (defaults provider_id, status, at).
	IDPath     string `json:"id_path"`
	StatusPath string `json:"status_path"`
	// StatusMap maps the provider's status words (case-insensitive) to
	// delivered, failed or expired; unmapped words are used as they are.
	StatusMap map[string]string `json:"status_map"`
	// Inbound: sender and text (defaults from, text).
	FromPath string `json:"from_path"`
	TextPath string `json:"text_path"`
	// TimePath is the event time in both (default at): RFC 3339, local
	// "2006-01-02 15:04:05", or Unix seconds.
	TimePath string `json:"time_path"`
}

func (c *WebhookConfig) defaults() error {
	if len(c.Secret) < minSecretLen {
		return fmt.Errorf("channels: webhook secret: use a shared secret of at least %d characters", minSecretLen)
	}
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.SignatureHeader, DefaultSignatureHeader)
	def(&c.IDPath, "provider_id")
	def(&c.StatusPath, "status")
	def(&c.FromPath, "from")
	def(&c.TextPath, "text")
	def(&c.TimePath, "at")
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultWebhookMaxBody
	}
	if c.MaxBody > 1<<20 {
		return fmt.Errorf("channels: webhook max body %d: at most 1 MiB", c.MaxBody)
	}
	m := make(map[string]string, len(c.StatusMap))
	for k, v := range c.StatusMap {
		v = strings.ToLower(v)
		if v != ReceiptDelivered && v != ReceiptFailed && v != ReceiptExpired {
			return fmt.Errorf("channels: webhook status_map[%q] = %q: map to delivered, failed or expired", k, v)
		}
		m[strings.ToLower(k)] = v
	}
	c.StatusMap = m
	return nil
}

// SignBody returns the signature of a webhook body: "sha256=" and the hex
// HMAC-SHA256 of the body under the secret.
func SignBody(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func verifySignature(secret string, body []byte, header string) bool {
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(header), "sha256="))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// webhookEvent is a verified, decoded webhook body.
type webhookEvent struct {
	doc any
	cfg *WebhookConfig
	loc *time.Location
}

func (e webhookEvent) str(path string) string {
	v, _ := lookupPath(e.doc, path)
	return v
}

func (e webhookEvent) time() (time.Time, error) {
	v, ok := lookupPath(e.doc, e.cfg.TimePath)
	if !ok || v == "" {
		return time.Time{}, nil
	}
	return parseEventTime(v, e.loc)
}

func parseEventTime(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", v, loc); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0), nil
	}
	return time.Time{}, model.Invalid("at", "%q is not a time: use RFC 3339, \"2006-01-02 15:04:05\" or Unix seconds", v)
}

// ReceiptHandler returns the endpoint for delivery receipts: a POST with
// a signed JSON body. Unsigned or forged bodies get 401, bodies above
// MaxBody 413, and neither changes anything.
func (s TaskOps) ReceiptHandler(cfg WebhookConfig) (http.Handler, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return s.webhook(&cfg, func(ctx context.Context, e webhookEvent) (any, error) {
		at, err := e.time()
		if err != nil {
			return nil, err
		}
		status := strings.ToLower(strings.TrimSpace(e.str(cfg.StatusPath)))
		if mapped, ok := cfg.StatusMap[status]; ok {
			status = mapped
		}
		if err := s.Receipt(ctx, e.str(cfg.IDPath), status, at); err != nil {
			return nil, err
		}
		return map[string]bool{"ok": true}, nil
	}), nil
}

// InboundHandler returns the endpoint for messages citizens send to the
// service's number (opt-out and opt-in keywords), signed like receipts.
func (s TaskOps) InboundHandler(cfg WebhookConfig) (http.Handler, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return s.webhook(&cfg, func(ctx context.Context, e webhookEvent) (any, error) {
		at, err := e.time()
		if err != nil {
			return nil, err
		}
		if at.IsZero() {
			return nil, model.Invalid(cfg.TimePath, "the time the message was received is required (it orders opt-outs and opt-ins)")
		}
		return s.ListOps().Inbound(ctx, e.str(cfg.FromPath), e.str(cfg.TextPath), at)
	}), nil
}

// webhook wraps a handler function with the method, size and signature
// checks and maps its errors to HTTP statuses.
func (s TaskOps) webhook(cfg *WebhookConfig, fn func(context.Context, webhookEvent) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("use POST"))
			return
		}
		body, status, msg := readSigned(r, cfg)
		if status != 0 {
			writeJSON(w, status, errorBody(msg))
			return
		}
		doc, err := decodeJSON(body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody("the body is not JSON: "+err.Error()))
			return
		}
		out, err := fn(r.Context(), webhookEvent{doc: doc, cfg: cfg, loc: s.loc})
		if err != nil {
			st := errorStatus(err)
			if st == http.StatusInternalServerError {
				s.log.Error("webhook", "path", r.URL.Path, "err", err)
				err = errors.New("internal error; try again later")
			}
			writeJSON(w, st, errorBody(err.Error()))
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// readSigned reads a body of at most cfg.MaxBody bytes and checks its
// signature; on failure it returns the HTTP status and a message.
func readSigned(r *http.Request, cfg *WebhookConfig) ([]byte, int, string) {
	tooLarge := fmt.Sprintf("the body is larger than %d bytes", cfg.MaxBody)
	if r.ContentLength > cfg.MaxBody {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, cfg.MaxBody+1))
	if err != nil {
		return nil, http.StatusBadRequest, "reading the body: " + err.Error()
	}
	if int64(len(body)) > cfg.MaxBody {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	sig := r.Header.Get(cfg.SignatureHeader)
	if sig == "" {
		return nil, http.StatusUnauthorized, "missing signature: send the HMAC-SHA256 of the body in " + cfg.SignatureHeader
	}
	if !verifySignature(cfg.Secret, body, sig) {
		return nil, http.StatusUnauthorized, "bad signature: sign the exact body with HMAC-SHA256 under the shared secret"
	}
	return body, 0, ""
}

func errorStatus(err error) int {
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		return http.StatusBadRequest
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
