// Package deviceclient is the device side of Loa's device protocol
// (docs/device-protocol.md), shared by `loa agent` (the reference device
// for a small Linux box wired to an amplifier) and `loa device-sim` (many
// simulated devices without audio): enrolment, schedule fetches with
// If-None-Match, the push channel (server-sent events) with reconnection
// and backoff, media downloads with HTTP Range resume and sha256 checks, a
// local cache directory, and batched play-log uploads with retry from a
// persistent queue. Agent plays a cached schedule on time without the
// server: building a schedule and playing it are separate.
package deviceclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/broadcast/protocol"
)

// DefaultRequestTimeout bounds one ordinary request (not the push channel,
// not media downloads).
const DefaultRequestTimeout = 30 * time.Second

// APIError is an error answer of the server.
type APIError struct {
	Status   int
	Code     string
	Message  string
	Rejected []protocol.Rejection // for a refused play-log batch
	// RetryAfter is the server's Retry-After (in seconds) of a 503 or 429
	// answer; zero when it gave none.
	RetryAfter time.Duration
}

// MaxRetryAfter bounds how long a device honours a server's Retry-After.
const MaxRetryAfter = 5 * time.Minute

// Busy reports whether err is the server asking to come back later (503
// Service Unavailable or 429 Too Many Requests, as an overloaded server
// answers during a cold start of thousands of devices) and how long to
// wait: its Retry-After, or def when it named none.
func Busy(err error, def time.Duration) (time.Duration, bool) {
	var ae *APIError
	if !errors.As(err, &ae) || (ae.Status != http.StatusServiceUnavailable && ae.Status != http.StatusTooManyRequests) {
		return 0, false
	}
	if ae.RetryAfter > 0 {
		return ae.RetryAfter, true
	}
	return def, true
}

// Dropped reports whether err is a request whose connection ended before
// any answer: closed (EOF) or reset by the server's side. A server that
// answered (an *APIError) or could not be reached (refused, no route,
// timeout) is not a dropped request.
func Dropped(err error) bool {
	if err == nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		// net/http's errServerClosedIdle (unexported): a kept-alive
		// connection the server closed as the request went out, when the
		// transport's own retry failed too.
		strings.Contains(err.Error(), "http: server closed idle connection")
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("server answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("server answered %d: %s", e.Status, e.Message)
}

// Permanent reports whether retrying the same request cannot succeed
// (4xx other than 408 and 429).
func (e *APIError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// IsPermanent reports whether err is a permanent API error.
func IsPermanent(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Permanent()
}

// IsUnauthorized reports whether the server refused the credential.
func IsUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden)
}

// Client talks to a Loa server as one enrolled device.
type Client struct {
	base       string
	http       *http.Client
	DeviceID   int64
	Credential string
	UserAgent  string
}

// NewClient returns a client for an enrolled device. httpClient must not
// have a Timeout (the push channel stays open); nil means a default one.
func NewClient(server string, httpClient *http.Client, deviceID int64, credential string) (*Client, error) {
	base, err := normaliseServer(server)
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = DefaultHTTPClient()
	}
	return &Client{base: base, http: httpClient, DeviceID: deviceID, Credential: credential, UserAgent: "loa-device"}, nil
}

// DefaultHTTPClient returns a client suited to devices: no overall
// timeout (requests carry their own), keep-alive connections.
func DefaultHTTPClient() *http.Client { return &http.Client{Transport: NewTransport()} }

// IdleConnTimeout is how long a device keeps an idle connection for its
// next request. The requests of one poll (schedule, media, heartbeat, play
// logs) follow each other within it; between polls (every 30 s) the
// connection is closed by the device, so a server with 20,000 devices
// holds their push channels and only the connections of the polls in
// progress, not 20,000 idle ones. It is shorter than the server's idle
// timeout, so the device, not the server, closes: a request never races
// with the server closing its connection.
const IdleConnTimeout = 5 * time.Second

// NewTransport returns the HTTP transport of a device.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.IdleConnTimeout = IdleConnTimeout
	t.ResponseHeaderTimeout = DefaultRequestTimeout
	return t
}

func normaliseServer(server string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q: use http://HOST:PORT or https://HOST", server)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// Server returns the server's base URL.
func (c *Client) Server() string { return c.base }

// Enrol registers a device with a unit's enrolment key.
func Enrol(ctx context.Context, server string, httpClient *http.Client, req protocol.EnrolRequest) (*protocol.EnrolResponse, error) {
	c, err := NewClient(server, httpClient, 0, "")
	if err != nil {
		return nil, err
	}
	var resp protocol.EnrolResponse
	if err := c.do(ctx, http.MethodPost, protocol.PathEnrol, req, &resp, false); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if resp.DeviceID <= 0 || resp.Credential == "" {
		return nil, errors.New("enrol: the server's answer lacks the device id or credential")
	}
	return &resp, nil
}

func (c *Client) path(format string, args ...any) string {
	return fmt.Sprintf(format, append([]any{c.DeviceID}, args...)...)
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any, auth bool) error {
	ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.setHeaders(req, auth)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readAPIError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) setHeaders(req *http.Request, auth bool) {
	if auth {
		req.Header.Set("Authorization", "Bearer "+c.Credential)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
}

func readAPIError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var body struct {
		Error    protocol.ErrorBody   `json:"error"`
		Rejected []protocol.Rejection `json:"rejected"`
	}
	e := &APIError{Status: resp.StatusCode}
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if sec, err := strconv.Atoi(v); err == nil && sec > 0 {
			e.RetryAfter = min(time.Duration(sec)*time.Second, MaxRetryAfter)
		}
	}
	if json.Unmarshal(b, &body) == nil {
		e.Code, e.Message, e.Rejected = body.Error.Code, body.Error.Message, body.Rejected
	}
	return e
}

// FetchSchedule fetches the device's schedule. With the ETag of the copy
// the device holds, an unchanged schedule costs a 304 and returns
// notModified.
func (c *Client) FetchSchedule(ctx context.Context, etag string) (s *protocol.Schedule, newETag string, notModified bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+c.path(protocol.PathSchedule), nil)
	if err != nil {
		return nil, "", false, fmt.Errorf("build request: %w", err)
	}
	c.setHeaders(req, true)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", false, fmt.Errorf("fetch schedule: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, etag, true, nil
	case resp.StatusCode != http.StatusOK:
		return nil, "", false, fmt.Errorf("fetch schedule: %w", readAPIError(resp))
	}
	var sched protocol.Schedule
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&sched); err != nil {
		return nil, "", false, fmt.Errorf("fetch schedule: decode: %w", err)
	}
	return &sched, resp.Header.Get("ETag"), false, nil
}

// Heartbeat reports the device's state and returns waiting commands.
func (c *Client) Heartbeat(ctx context.Context, hb protocol.Heartbeat) (*protocol.HeartbeatResponse, error) {
	var resp protocol.HeartbeatResponse
	if err := c.do(ctx, http.MethodPost, c.path(protocol.PathHeartbeat), hb, &resp, true); err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	return &resp, nil
}

// UploadPlays sends one batch of play events. A refused batch returns an
// *APIError with the rejected events (nothing of it was stored).
func (c *Client) UploadPlays(ctx context.Context, events []protocol.PlayEvent) (*protocol.PlayLogResult, error) {
	var resp protocol.PlayLogResult
	if err := c.do(ctx, http.MethodPost, c.path(protocol.PathPlayLogs), protocol.PlayLogBatch{Events: events}, &resp, true); err != nil {
		return nil, fmt.Errorf("upload plays: %w", err)
	}
	return &resp, nil
}
