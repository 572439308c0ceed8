package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/channels"
)

// provider answers every request with status and body, and keeps the
// last request body.
func provider(t *testing.T, status int, body string) (*httptest.Server, *[]byte) {
	var last []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last, _ = io.ReadAll(r.Body)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func gatewayOn(t *testing.T, url string, adjust func(*channels.HTTPGatewayConfig)) *channels.HTTPGateway {
	t.Helper()
	cfg := channels.HTTPGatewayConfig{URL: url, BodyTemplate: `{"phone":"{{phone_digits}}","sms":"{{text}}","ref":"{{client_ref}}"}`, ProviderIDPath: "result.0.msgid",
		Timeout: channels.Duration(time.Second)}
	if adjust != nil {
		adjust(&cfg)
	}
	g, err := channels.NewHTTPGateway(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var testMsg = channels.Message{ClientRef: "loa0123", Phone: "+84912345678", Text: "Quỹ vắc xin \"phòng\" Covid-19\nủng hộ <ngay>"}

func TestHTTPGatewayBodyAndID(t *testing.T) {
	srv, last := provider(t, 200, `{"result":[{"msgid":12345678901234567890}]}`)
	id, err := gatewayOn(t, srv.URL, nil).Send(context.Background(), testMsg)
	if err != nil || id != "12345678901234567890" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	var got map[string]string
	if err := json.Unmarshal(*last, &got); err != nil {
		t.Fatalf("body %s is not JSON: %v", *last, err)
	}
	if got["phone"] != "84912345678" || got["sms"] != testMsg.Text || got["ref"] != "loa0123" {
		t.Fatalf("body %s", *last)
	}
	if !strings.Contains(string(*last), "vắc xin") || !strings.Contains(string(*last), "<ngay>") {
		t.Errorf("Vietnamese text or markup escaped instead of sent as UTF-8: %s", *last)
	}
}

func TestHTTPGatewayOutcomes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		status int
		body   string
		adjust func(*channels.HTTPGatewayConfig)
		check  func(id string, err error) bool
	}{
		{"rejected 400", 400, `{"error":"invalid number"}`, nil, func(_ string, err error) bool {
			return errors.Is(err, channels.ErrRejected) && strings.Contains(err.Error(), "invalid number")
		}},
		{"unavailable 503", 503, `busy`, nil, func(_ string, err error) bool {
			return err != nil && !errors.Is(err, channels.ErrRejected) && !errors.Is(err, channels.ErrInDoubt)
		}},
		{"500 in doubt", 500, `oops`, nil, func(_ string, err error) bool { return errors.Is(err, channels.ErrInDoubt) }},
		{"no id in doubt", 200, `{"result":[]}`, nil, func(_ string, err error) bool { return errors.Is(err, channels.ErrInDoubt) }},
		{"not JSON in doubt", 200, `<html>ok</html>`, nil, func(_ string, err error) bool { return errors.Is(err, channels.ErrInDoubt) }},
		{"duplicate status", 409, `{"result":[{"msgid":"m-1"}]}`, func(c *channels.HTTPGatewayConfig) { c.DuplicateStatus = 409 }, func(_ string, err error) bool {
			var d *channels.DuplicateError
			return errors.As(err, &d) && d.ProviderID == "m-1"
		}},
		{"result code success", 200, `{"code":"100","result":[{"msgid":"m-2"}]}`, resultCodes, func(id string, err error) bool { return err == nil && id == "m-2" }},
		{"result code duplicate", 200, `{"code":"DUP","result":[{"msgid":"m-3"}]}`, resultCodes, func(_ string, err error) bool {
			var d *channels.DuplicateError
			return errors.As(err, &d) && d.ProviderID == "m-3"
		}},
		{"result code refused", 200, `{"code":"99","result":[{"msgid":"m-4"}]}`, resultCodes, func(_ string, err error) bool { return errors.Is(err, channels.ErrRejected) }},
		{"answer too large", 200, `{"result":[{"msgid":"m-5","pad":"` + strings.Repeat("x", 200) + `"}]}`, func(c *channels.HTTPGatewayConfig) { c.MaxResponseBytes = 100 },
			func(_ string, err error) bool {
				return errors.Is(err, channels.ErrInDoubt) && strings.Contains(err.Error(), "more than 100 bytes")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := provider(t, c.status, c.body)
			id, err := gatewayOn(t, srv.URL, c.adjust).Send(ctx, testMsg)
			if !c.check(id, err) {
				t.Fatalf("Send = %q, %v", id, err)
			}
		})
	}
}

func resultCodes(c *channels.HTTPGatewayConfig) {
	c.ResultPath, c.SuccessValues, c.DuplicateValues = "code", []string{"100"}, []string{"DUP"}
}

func TestHTTPGatewayTransport(t *testing.T) {
	ctx := context.Background()
	// Nothing listens: the message never left, so it is safe to retry.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = gatewayOn(t, "http://"+addr+"/send", nil).Send(ctx, testMsg)
	if err == nil || errors.Is(err, channels.ErrInDoubt) || errors.Is(err, channels.ErrRejected) {
		t.Fatalf("unreachable provider: %v, want a transient error", err)
	}
	// The request was sent but no answer came in time: in doubt.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(400 * time.Millisecond)
	}))
	defer slow.Close()
	_, err = gatewayOn(t, slow.URL, func(c *channels.HTTPGatewayConfig) { c.Timeout = channels.Duration(100 * time.Millisecond) }).Send(ctx, testMsg)
	if !errors.Is(err, channels.ErrInDoubt) {
		t.Fatalf("timeout: %v, want ErrInDoubt", err)
	}
}

func TestHTTPGatewayConfig(t *testing.T) {
	base := channels.HTTPGatewayConfig{URL: "https://sms.example.vn/api", BodyTemplate: `{"to":"{{phone}}","text":"{{text}}"}`, ProviderIDPath: "id"}
	bad := []struct {
		why    string
		adjust func(*channels.HTTPGatewayConfig)
	}{
		{"https", func(c *channels.HTTPGatewayConfig) { c.URL = "http://sms.example.vn/api" }},
		{"https", func(c *channels.HTTPGatewayConfig) { c.URL = "sms.example.vn" }},
		{"unknown placeholder", func(c *channels.HTTPGatewayConfig) {
			c.BodyTemplate = `{"to":"{{phone}}","text":"{{text}}","x":"{{secret}}"}`
		}},
		{"must contain", func(c *channels.HTTPGatewayConfig) { c.BodyTemplate = `{"to":"{{phone}}"}` }},
		{"not JSON", func(c *channels.HTTPGatewayConfig) { c.BodyTemplate = `to={{phone}}&text={{text}}` }},
		{"provider_id_path", func(c *channels.HTTPGatewayConfig) { c.ProviderIDPath = "" }},
		{"method", func(c *channels.HTTPGatewayConfig) { c.Method = "DELETE" }},
		{"auth_header", func(c *channels.HTTPGatewayConfig) { c.AuthToken = "Bearer x" }},
		{"success_values", func(c *channels.HTTPGatewayConfig) { c.ResultPath = "code" }},
		{"timeout", func(c *channels.HTTPGatewayConfig) { c.Timeout = channels.Duration(time.Hour) }},
	}
	for _, b := range bad {
		c := base
		b.adjust(&c)
		if _, err := channels.NewHTTPGateway(c, nil); err == nil || !strings.Contains(err.Error(), b.why) {
			t.Errorf("%s: NewHTTPGateway = %v", b.why, err)
		}
	}
	if _, err := channels.NewHTTPGateway(base, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := channels.ParseHTTPGatewayConfig([]byte(`{"url":"https://sms.example.vn/api","timeout":"5s","body_template":"{\"to\":\"{{phone}}\",\"t\":\"{{text}}\"}","provider_id_path":"id","deduplicates":true}`))
	if err != nil || time.Duration(cfg.Timeout) != 5*time.Second || !cfg.Deduplicates {
		t.Fatalf("ParseHTTPGatewayConfig = %+v, %v", cfg, err)
	}
	if _, err := channels.ParseHTTPGatewayConfig([]byte(`{"url":"https://x.vn","tokn":"typo"}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := channels.ParseHTTPGatewayConfig([]byte(`{"timeout":"soon"}`)); err == nil {
		t.Error("bad duration accepted")
	}
}
