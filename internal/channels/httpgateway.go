package channels

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Defaults of HTTPGatewayConfig.
const (
	DefaultGatewayTimeout   = 10 * time.Second
	DefaultMaxResponseBytes = 64 << 10
)

// HTTPGatewayConfig describes a provider's HTTP API, so that a new
// provider is configured, not programmed. Read it from JSON with
// ParseHTTPGatewayConfig.
type HTTPGatewayConfig struct {
	// URL receives one request per message; https, or http to a loopback
	// address (or anywhere with AllowInsecureHTTP).
	URL               string `json:"url"`
	AllowInsecureHTTP bool   `json:"allow_insecure_http"`
	// Method is POST (default) or PUT.
	Method string `json:"method"`
	// AuthHeader and AuthToken set one header carrying the credential,
	// e.g. "Authorization" and "Bearer …"; never logged.
	AuthHeader string `json:"auth_header"`
	AuthToken  string `json:"auth_token"`
	// Headers are added to every request.
	Headers map[string]string `json:"headers"`
	// BodyTemplate is the JSON body with placeholders {{phone}},
	// {{phone_national}}, {{phone_digits}}, {{text}}, {{client_ref}} and
	// {{callback}} inside string values.
	BodyTemplate string `json:"body_template"`
	// ProviderIDPath is the dot path of the provider's message id in the
	// JSON answer ("data.id", "messages.0.id").
	ProviderIDPath string `json:"provider_id_path"`
	// ResultPath, optional, names a result code in the answer: values in
	// SuccessValues mean accepted, in DuplicateValues already accepted,
	// anything else refused.
	ResultPath      string   `json:"result_path"`
	SuccessValues   []string `json:"success_values"`
	DuplicateValues []string `json:"duplicate_values"`
	// DuplicateStatus is the HTTP status the provider answers a repeated
	// client reference with (e.g. 409); 0 when it has none.
	DuplicateStatus int `json:"duplicate_status"`
	// Deduplicates says the provider never delivers two messages with the
	// same client reference (it answers the first one's id, a duplicate
	// status or a duplicate result). Only then are messages whose outcome
	// is in doubt sent again.
	Deduplicates bool `json:"deduplicates"`
	// Timeout bounds one request; MaxResponseBytes one answer.
	Timeout          Duration `json:"timeout"`
	MaxResponseBytes int64    `json:"max_response_bytes"`
}

// ParseHTTPGatewayConfig reads a gateway configuration from JSON,
// refusing unknown fields.
func ParseHTTPGatewayConfig(data []byte) (HTTPGatewayConfig, error) {
	var c HTTPGatewayConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("gateway configuration: %w", err)
	}
	return c, nil
}

// HTTPGateway sends messages with one HTTP request each.
type HTTPGateway struct {
	cfg    HTTPGatewayConfig
	tmpl   *bodyTemplate
	client *http.Client
	where  string // the URL without query, for messages
}

// NewHTTPGateway checks the configuration. client may be nil (a client
// with the configured timeout is made).
func NewHTTPGateway(cfg HTTPGatewayConfig, client *http.Client) (*HTTPGateway, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	tmpl, err := parseBodyTemplate(cfg.BodyTemplate)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		client = &http.Client{Transport: tr}
	}
	c := *client
	c.Timeout = time.Duration(cfg.Timeout)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	u, _ := url.Parse(cfg.URL)
	return &HTTPGateway{cfg: cfg, tmpl: tmpl, client: &c, where: u.Scheme + "://" + u.Host + u.Path}, nil
}

func (c *HTTPGatewayConfig) check() error {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("gateway: url: give the provider's https:// address")
	}
	if u.Scheme == "http" && !c.AllowInsecureHTTP && !isLoopback(u.Hostname()) {
		return fmt.Errorf("gateway: url %s://%s%s sends credentials and phone numbers unencrypted: use https (or set allow_insecure_http)", u.Scheme, u.Host, u.Path)
	}
	c.Method = strings.ToUpper(c.Method)
	if c.Method == "" {
		c.Method = http.MethodPost
	}
	if c.Method != http.MethodPost && c.Method != http.MethodPut {
		return fmt.Errorf("gateway: method %q: use POST or PUT", c.Method)
	}
	if (c.AuthHeader == "") != (c.AuthToken == "") {
		return errors.New("gateway: set both auth_header and auth_token, or neither")
	}
	if c.ProviderIDPath == "" {
		return errors.New("gateway: provider_id_path is required: the path of the message id in the provider's JSON answer, e.g. data.id")
	}
	if c.ResultPath != "" && len(c.SuccessValues) == 0 {
		return errors.New("gateway: result_path needs success_values (the result codes that mean accepted)")
	}
	if c.DuplicateStatus != 0 && (c.DuplicateStatus < 200 || c.DuplicateStatus > 599) {
		return fmt.Errorf("gateway: duplicate_status %d is not an HTTP status", c.DuplicateStatus)
	}
	if c.Timeout <= 0 {
		c.Timeout = Duration(DefaultGatewayTimeout)
	}
	if time.Duration(c.Timeout) > 2*time.Minute {
		return fmt.Errorf("gateway: timeout %s: at most 2m", time.Duration(c.Timeout))
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.MaxResponseBytes > 10<<20 {
		return fmt.Errorf("gateway: max_response_bytes %d: at most 10 MiB", c.MaxResponseBytes)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DeduplicatesClientRef reports the configured Deduplicates.
func (g *HTTPGateway) DeduplicatesClientRef() bool { return g.cfg.Deduplicates }

// Timeout is the bound of one request.
func (g *HTTPGateway) Timeout() time.Duration { return time.Duration(g.cfg.Timeout) }

// Send posts one message.
func (g *HTTPGateway) Send(ctx context.Context, m Message) (string, error) {
	body, err := g.tmpl.render(map[string]string{PhPhone: m.Phone, PhPhoneNational: NationalPhone(m.Phone),
		PhPhoneDigits: strings.TrimPrefix(m.Phone, "+"), PhText: m.Text, PhClientRef: m.ClientRef, PhCallback: m.CallbackURL})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrRejected, err)
	}
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), g.cfg.Method, g.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: gateway request: %v", ErrRejected, err)
	}
	g.headers(req)
	resp, err := g.client.Do(req)
	if err != nil {
		if wrote.Load() {
			return "", fmt.Errorf("%w: gateway %s: %v", ErrInDoubt, g.where, scrub(err))
		}
		return "", fmt.Errorf("gateway %s unreachable: %v", g.where, scrub(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, g.cfg.MaxResponseBytes+1))
	if err != nil {
		return "", fmt.Errorf("%w: gateway %s: reading the answer: %v", ErrInDoubt, g.where, scrub(err))
	}
	if int64(len(data)) > g.cfg.MaxResponseBytes {
		return "", fmt.Errorf("%w: gateway %s answered more than %d bytes", ErrInDoubt, g.where, g.cfg.MaxResponseBytes)
	}
	return g.interpret(resp.StatusCode, data)
}

func (g *HTTPGateway) headers(req *http.Request) {
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Loa-Channels/1")
	for k, v := range g.cfg.Headers {
		req.Header.Set(k, v)
	}
	if g.cfg.AuthHeader != "" {
		req.Header.Set(g.cfg.AuthHeader, g.cfg.AuthToken)
	}
}

// interpret classifies the provider's answer.
func (g *HTTPGateway) interpret(status int, data []byte) (string, error) {
	doc, jsonErr := decodeJSON(data)
	id := ""
	if jsonErr == nil {
		id, _ = lookupPath(doc, g.cfg.ProviderIDPath)
	}
	switch {
	case g.cfg.DuplicateStatus != 0 && status == g.cfg.DuplicateStatus:
		return "", &DuplicateError{ProviderID: id}
	case status == http.StatusInternalServerError:
		return "", fmt.Errorf("%w: gateway answered %d: %s", ErrInDoubt, status, snippet(data))
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return "", fmt.Errorf("gateway answered %d (temporarily unavailable): %s", status, snippet(data))
	case status < 200 || status > 299:
		return "", fmt.Errorf("%w: gateway answered %d: %s", ErrRejected, status, snippet(data))
	case jsonErr != nil:
		return "", fmt.Errorf("%w: gateway answered %d with a body that is not JSON: %s", ErrInDoubt, status, snippet(data))
	}
	if g.cfg.ResultPath != "" {
		res, _ := lookupPath(doc, g.cfg.ResultPath)
		switch {
		case slices.Contains(g.cfg.DuplicateValues, res):
			return "", &DuplicateError{ProviderID: id}
		case !slices.Contains(g.cfg.SuccessValues, res):
			return "", fmt.Errorf("%w: result %s = %q: %s", ErrRejected, g.cfg.ResultPath, res, snippet(data))
		}
	}
	if id == "" {
		return "", fmt.Errorf("%w: gateway accepted the message but its answer has no id at %s: %s", ErrInDoubt, g.cfg.ProviderIDPath, snippet(data))
	}
	return id, nil
}

// snippet shortens an answer for an error message.
func snippet(b []byte) string {
	const n = 200
	s := strings.ToValidUTF8(string(b), "?")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return strings.TrimSpace(s)
}

// scrub drops the URL's query from transport errors, where providers
// sometimes put credentials.
func scrub(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
