package directives_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// session is a signed-in browser without JavaScript.
type session struct {
	e    *env
	c    *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) login(user, password string) *session {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {user}, "password": {password}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d", user, resp.StatusCode)
	}
	return &session{e: e, c: c}
}

// get fetches a page, fails unless it is 200, and remembers its CSRF token.
func (s *session) get(path string) string {
	s.e.t.Helper()
	resp, err := s.c.Get(s.e.srv.URL + path)
	if err != nil {
		s.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.e.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	if m := csrfRe.FindSubmatch(b); m != nil {
		s.csrf = string(m[1])
	}
	return string(b)
}

// post submits a form and returns the redirect target (failing unless
// the answer is a redirect).
func (s *session) post(path string, form url.Values) string {
	s.e.t.Helper()
	form.Set("csrf", s.csrf)
	resp, err := s.c.PostForm(s.e.srv.URL+path, form)
	if err != nil {
		s.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		s.e.t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
	}
	return resp.Header.Get("Location")
}

// TestPagesWithoutJavaScript walks the core of the scenario through the
// HTML forms: implement 355, fill in the draft, submit, approve, issue,
// track, handle a delivery in a district.
func TestPagesWithoutJavaScript(t *testing.T) {
	st, dsn := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	e.dsn = dsn
	issue355(e)
	e.deliver()
	del := e.inboxOf("vanthu.so", "")[0].ID
	e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/assign", del), "vanthu.so", directives.AssignInput{UserID: e.user("chuyenvien.so").ID}, nil)

	drafter := e.login("chuyenvien.so", demo.Password)
	page := drafter.get("/inbox?assigned=1")
	if !strings.Contains(page, "355/TTCS-TTTH") {
		t.Fatalf("assigned work page lacks 355:\n%s", page)
	}
	page = drafter.get(fmt.Sprintf("/inbox/%d", del))
	if !strings.Contains(page, `id="forward"`) {
		t.Fatalf("the drafter cannot forward 355:\n%s", page)
	}
	loc := drafter.post(fmt.Sprintf("/inbox/%d/forward", del), url.Values{})
	page = drafter.get(loc)
	for _, want := range []string{`id="directive-form"`, "Thực hiện Công văn số 355/TTCS-TTTH", `data-src="/api/v1/directives/`, "/ui/directives.js"} {
		if !strings.Contains(page, want) {
			t.Fatalf("editor lacks %q", want)
		}
	}
	id := strings.TrimPrefix(loc, "/directives/")
	version := regexp.MustCompile(`name="base_version" value="(\d+)"`).FindStringSubmatch(page)[1]
	form := url.Values{"base_version": {version}, "doc_type": {"Công văn"}, "subject": {"Đẩy mạnh thông tin, tuyên truyền về phòng, chống Covid-19"},
		"intro": {"Thực hiện Công văn số 355/TTCS-TTTH."}, "items": {"2"}, "item_label_0": {"1"}, "item_text_0": {"Tuyên truyền 5K."},
		"item_bc_0": {"1"}, "item_level_0": {"priority"}, "item_start_0": {"2021-06-05"}, "item_end_0": {"2021-06-20"}, "item_times_0": {"2"},
		"rec_main":   {fmt.Sprintf("u:%d", e.unit("bao-kg").ID), fmt.Sprintf("g:%d", e.group("Thường trực UBND các huyện, thành phố"))},
		"rec_report": {fmt.Sprintf("u:%d", e.unit("ubnd-kg").ID)}, "archive": {"VT, TTBCBC"}, "deadline": {"2021-06-20"},
		"signer_user_id": {fmt.Sprint(e.user("lamvanson").ID)}}
	drafter.post("/directives/"+id, form)
	var v directives.View
	e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
	if len(v.Content.Recipients) != 3 || len(v.Content.Items) != 1 || v.Content.Items[0].Broadcast == nil || v.Content.Items[0].Broadcast.TimesPerDay != 2 ||
		len(v.Content.References) != 1 || v.Content.SignerUserID != e.user("lamvanson").ID {
		t.Fatalf("saved from the form: %+v", v.Content)
	}
	// A bad form value re-shows the editor with the error (400).
	bad := url.Values{"base_version": {fmt.Sprint(v.Version)}, "items": {"1"}, "item_text_0": {"x"}, "item_bc_0": {"1"}, "item_level_0": {"loud"}, "csrf": {drafter.csrf}}
	resp, err := drafter.c.PostForm(e.srv.URL+"/directives/"+id, bad)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("bad level from the form: %d", resp.StatusCode)
	}
	drafter.get("/directives/" + id)
	drafter.post("/directives/"+id+"/submit", url.Values{})

	approver := e.login("lamvanson", demo.Password)
	if page := approver.get("/directives?box=approve"); !strings.Contains(page, "/directives/"+id) {
		t.Fatalf("approval box lacks the draft:\n%s", page)
	}
	approver.get("/directives/" + id)
	approver.post("/directives/"+id+"/approve", url.Values{"comment": {"Đồng ý"}})

	e.must(200, "PUT", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing/counter", e.unit("so-tttt-kg").ID), "vanthu.so", map[string]int{"last": 569}, nil)
	clerk := e.login("vanthu.so", demo.Password)
	if page := clerk.get("/directives?box=issue"); !strings.Contains(page, "/directives/"+id) {
		t.Fatalf("issue box lacks the draft")
	}
	clerk.get("/directives/" + id)
	e.at("2021-06-04")
	loc = clerk.post("/directives/"+id+"/issue", url.Values{"date": {"2021-06-04"}})
	if loc != "/directives/"+id+"/tracking" {
		t.Fatalf("after issue, redirected to %s", loc)
	}
	e.deliver()
	page = clerk.get(loc)
	for _, want := range []string{"570/STTTT-TTBCBC", "Báo Kiên Giang", "Ủy ban nhân dân huyện Kiên Lương", `id="cascade-tree"`, "format=xlsx"} {
		if !strings.Contains(page, want) {
			t.Errorf("tracking page lacks %q", want)
		}
	}
	clerk.get("/directives/" + id)
	clerk.get("/notifications")

	// A district clerk reads, acknowledges, reports through the forms.
	kl := e.login("vanthu.kienluong", demo.Password)
	in := e.inboxOf("vanthu.kienluong", "")
	page = kl.get(fmt.Sprintf("/inbox/%d", in[0].ID))
	if !strings.Contains(page, "Tuyên truyền 5K.") || !strings.Contains(page, `id="acknowledge"`) {
		t.Fatalf("delivery page:\n%s", page)
	}
	kl.post(fmt.Sprintf("/inbox/%d/acknowledge", in[0].ID), url.Values{})
	kl.get(fmt.Sprintf("/inbox/%d", in[0].ID))
	kl.post(fmt.Sprintf("/inbox/%d/report", in[0].ID), url.Values{"text": {"Đã chỉ đạo các xã"}, "figures": {"Lượt phát thanh = 30\nBài viết = 2"}})
	var d directives.DeliveryDetail
	e.must(200, "GET", fmt.Sprintf("/api/v1/deliveries/%d", in[0].ID), "vanthu.kienluong", nil, &d)
	if d.Status != "reported" || d.Report.Figures["Lượt phát thanh"] != 30 || d.ReadBy == nil {
		t.Fatalf("delivery after the forms: %s %+v", d.Status, d.Report)
	}
	// Someone of another district gets 403 on it.
	other := e.login("vanthu.rachgia", demo.Password)
	resp, err = other.c.Get(e.srv.URL + fmt.Sprintf("/inbox/%d", in[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("another district opens the delivery: %d", resp.StatusCode)
	}
}
