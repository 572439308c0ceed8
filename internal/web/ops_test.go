package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHealthMetricsAndLanguage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/healthz", "", nil)
		if r.code != 200 || !strings.Contains(string(r.body), `"ok"`) {
			t.Fatalf("healthz: %d %s", r.code, r.body)
		}
		e.do("GET", "/api/v1/units", e.creds.AdminToken, nil)
		r = e.do("GET", "/metrics", "", nil)
		for _, want := range []string{"loa_http_request_duration_seconds_bucket", `route="GET /api/v1/units"`, "loa_db_open_connections", "go_goroutines", `loa_queue_items{queue="sms_messages",state="queued"} 0`} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// The login page speaks Vietnamese by default and English on request.
		resp, err := http.Get(e.srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "Đăng nhập") || !strings.Contains(string(b), `lang="vi"`) {
			t.Fatalf("login page is not Vietnamese")
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/login", nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "Sign in") || strings.Contains(string(b), "Mật khẩu") {
			t.Fatalf("login page did not switch to English")
		}
	})
}
