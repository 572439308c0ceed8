package directives_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/schedule"
)

// pickerUnits is the answer of the picker's JSON endpoints.
type pickerUnits struct {
	Units []struct {
		ID       int64  `json:"id"`
		Value    string `json:"value"`
		Name     string `json:"name"`
		Trail    string `json:"trail"`
		Children int    `json:"children"`
		Communes int    `json:"communes"`
		Self     bool   `json:"self"`
	} `json:"units"`
}

// newDraft starts an empty draft through the pages and returns its id
// and editor.
func newDraft(t *testing.T, s *session) (string, string) {
	t.Helper()
	s.get("/directives")
	loc := s.post("/directives/new", url.Values{})
	page := s.get(loc)
	return strings.TrimPrefix(loc, "/directives/"), page
}

var versionRe = regexp.MustCompile(`name="base_version" value="(\d+)"`)

// pickerForm is the editor form as a browser without JavaScript sends
// it, with the picker's fields.
func pickerForm(page string, extra url.Values) url.Values {
	f := url.Values{"base_version": {versionRe.FindStringSubmatch(page)[1]}, "doc_type": {"Công văn"}, "subject": {"Tuyên truyền phòng, chống bão"},
		"items": {"1"}, "rec_picker": {"1"}}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// TestRecipientPickerWithoutJavaScript drafts through the picker as a
// plain form: branches open by reloading, search without diacritics,
// ticks with per-unit roles, "all communes" and saved groups, and the
// older three lists still accepted.
func TestRecipientPickerWithoutJavaScript(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		drafter := e.login("chuyenvien.so", demo.Password)
		id, page := newDraft(t, drafter)
		so, kl, hn, bao := e.unit("so-tttt-kg"), e.unit("ubnd-kien-luong"), e.unit("ubnd-hon-nghe"), e.unit("bao-kg")
		for _, want := range []string{`id="rec-search"`, `id="rec-tree"`, fmt.Sprintf(`data-self="%d"`, so.ID), fmt.Sprintf(`data-unit="u:%d"`, kl.ID),
			fmt.Sprintf(`data-unit="s:%d"`, kl.ID), fmt.Sprintf(`name="rec_open" value="%d"`, kl.ID), "Tất cả UBND xã, phường (3)", "Nhóm nơi nhận đã lưu"} {
			if !strings.Contains(page, want) {
				t.Fatalf("editor lacks %q", want)
			}
		}
		// Communes are not on the page until their district opens; the
		// issuing unit itself cannot be ticked.
		if strings.Contains(page, fmt.Sprintf(`value="u:%d"`, hn.ID)) || strings.Contains(page, fmt.Sprintf(`value="u:%d"`, so.ID)) || strings.Contains(page, `name="rec_main"`) {
			t.Fatal("the editor shows a closed district's communes, the issuing unit as a choice, or the old lists")
		}
		// The province of the issuing unit is open, its branch first.
		tree := page[strings.Index(page, `id="rec-tree"`):]
		if i, j := strings.Index(tree, fmt.Sprintf(`data-self="%d"`, so.ID)), strings.Index(tree, fmt.Sprintf(`data-unit="u:%d"`, kl.ID)); i < 0 || j < i {
			t.Fatalf("the issuing unit's branch does not come first (%d, %d)", i, j)
		}

		// Open Kiên Lương without JavaScript: the form is saved, the page
		// comes back with the branch open.
		loc := drafter.post("/directives/"+id, pickerForm(page, url.Values{"rec_open": {fmt.Sprint(kl.ID)}}))
		if want := fmt.Sprintf("/directives/%s?open=%d#rec-picker", id, kl.ID); loc != want {
			t.Fatalf("open a branch: redirected to %s, want %s", loc, want)
		}
		page = drafter.get(strings.TrimSuffix(loc, "#rec-picker"))
		if !strings.Contains(page, fmt.Sprintf(`data-unit="u:%d"`, hn.ID)) || !strings.Contains(page, fmt.Sprintf(`name="rec_opened" value="%d"`, kl.ID)) {
			t.Fatal("the opened branch does not show its communes")
		}
		// Pressing it again closes it.
		loc = drafter.post("/directives/"+id, pickerForm(page, url.Values{"rec_open": {fmt.Sprint(kl.ID)}, "rec_opened": {fmt.Sprint(kl.ID)}}))
		if loc != "/directives/"+id+"#rec-picker" {
			t.Fatalf("close a branch: redirected to %s", loc)
		}

		// Search typed without diacritics, sent with Enter (the form's
		// first button: a plain save with a new query).
		page = drafter.get("/directives/" + id)
		loc = drafter.post("/directives/"+id, pickerForm(page, url.Values{"rq": {"hon nghe"}, "rq_prev": {""}}))
		if !strings.Contains(loc, "rq=hon+nghe") {
			t.Fatalf("search: redirected to %s", loc)
		}
		page = drafter.get(strings.TrimSuffix(loc, "#rec-picker"))
		results := page[strings.Index(page, `id="rec-results"`):]
		results = results[:strings.Index(results, "</ul>")]
		if !strings.Contains(results, fmt.Sprintf(`data-result="u:%d"`, hn.ID)) || !strings.Contains(results, "Hòn Nghệ") || !strings.Contains(results, kl.Name) {
			t.Fatalf("search for \"hon nghe\" did not find Hòn Nghệ with its district:\n%s", results)
		}

		// Tick: Kiên Lương (Kính gửi), Báo Kiên Giang with the default
		// role (Đồng gửi), all communes of Kiên Lương (b/c), a saved group.
		grp := e.group("Cơ quan báo chí và cổng thông tin tỉnh")
		drafter.post("/directives/"+id, pickerForm(page, url.Values{
			"rec":                           {fmt.Sprintf("u:%d", kl.ID), fmt.Sprintf("u:%d", bao.ID), fmt.Sprintf("s:%d", kl.ID), fmt.Sprintf("g:%d", grp), fmt.Sprintf("u:%d", kl.ID)},
			"rec_role":                      {"copy"},
			fmt.Sprintf("role_u:%d", kl.ID): {"main"},
			fmt.Sprintf("role_s:%d", kl.ID): {"report"},
			fmt.Sprintf("role_g:%d", grp):   {"main"},
			fmt.Sprintf("role_u:%d", hn.ID): {"report"}, // a role without a tick chooses nothing
			"rq_prev":                       {"hon nghe"},
			"rq":                            {"hon nghe"},
		}))
		var v directives.View
		e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
		got := map[string]string{}
		for _, r := range v.Content.Recipients {
			switch {
			case r.UnitID != 0:
				got[fmt.Sprintf("u:%d", r.UnitID)] = r.Role
			case r.GroupID != 0:
				got[fmt.Sprintf("g:%d", r.GroupID)] = r.Role
			default:
				got[fmt.Sprintf("s:%d:%s", r.SubtreeOf, strings.Join(r.Kinds, ","))] = r.Role
			}
		}
		want := map[string]string{fmt.Sprintf("u:%d", kl.ID): "main", fmt.Sprintf("u:%d", bao.ID): "copy",
			fmt.Sprintf("s:%d:commune_pc", kl.ID): "report", fmt.Sprintf("g:%d", grp): "main"}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(v.Content.Recipients) != 4 {
			t.Fatalf("recipients from the picker: %v, want %v", got, want)
		}
		// The editor shows them ticked with their roles.
		page = drafter.get("/directives/" + id)
		for _, want := range []string{"Đã chọn 4 nơi nhận",
			fmt.Sprintf(`value="u:%d" checked`, kl.ID), fmt.Sprintf(`value="s:%d" checked`, kl.ID), fmt.Sprintf(`value="g:%d" checked`, grp),
			fmt.Sprintf(`name="role_u:%d"`, bao.ID)} {
			if !strings.Contains(page, want) {
				t.Fatalf("editor after saving lacks %q", want)
			}
		}
		if !regexp.MustCompile(fmt.Sprintf(`name="role_s:%d"[^>]*>(<option[^>]*>[^<]*</option>)*?<option value="report" selected>`, kl.ID)).MatchString(page) {
			t.Fatal("the role of \"all communes\" is not shown as b/c")
		}
		// A bad role is refused with the editor and a Vietnamese message.
		resp, err := drafter.c.PostForm(e.srv.URL+"/directives/"+id, withCSRF(drafter, pickerForm(page, url.Values{"rec": {fmt.Sprintf("u:%d", kl.ID)}, fmt.Sprintf("role_u:%d", kl.ID): {"boss"}})))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(html.UnescapeString(string(b)), "Vai trò \"boss\" không hợp lệ") {
			t.Fatalf("bad role: %d", resp.StatusCode)
		}
		// Unticking everything clears the choices.
		page = drafter.get("/directives/" + id)
		drafter.post("/directives/"+id, pickerForm(page, url.Values{}))
		e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
		if len(v.Content.Recipients) != 0 {
			t.Fatalf("after unticking all: %+v", v.Content.Recipients)
		}
		// The three lists of the older editor are still read.
		page = drafter.get("/directives/" + id)
		f := pickerForm(page, url.Values{"rec_main": {fmt.Sprintf("u:%d", kl.ID)}, "rec_copy": {fmt.Sprintf("g:%d", grp)}})
		f.Del("rec_picker")
		drafter.post("/directives/"+id, f)
		e.must(200, "GET", "/api/v1/directives/"+id, "chuyenvien.so", nil, &v)
		if len(v.Content.Recipients) != 2 || v.Content.Recipients[0].UnitID != kl.ID || v.Content.Recipients[1].Role != "copy" {
			t.Fatalf("older lists: %+v", v.Content.Recipients)
		}
	})
}

func withCSRF(s *session, f url.Values) url.Values {
	f.Set("csrf", s.csrf)
	return f
}

// TestRecipientPickerAPI covers the picker's endpoints: lazy children,
// search without diacritics, and who may call them.
func TestRecipientPickerAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		var v directives.View
		e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: directives.Content{DocType: "Công văn", Subject: "Thử"}}, &v)
		base := fmt.Sprintf("/api/v1/directives/%d/recipients", v.ID)
		kg, so, kl := e.unit("ubnd-kg"), e.unit("so-tttt-kg"), e.unit("ubnd-kien-luong")

		var roots pickerUnits
		e.must(200, "GET", base+"/children", "chuyenvien.so", nil, &roots)
		if len(roots.Units) < 2 || roots.Units[0].ID != kg.ID || roots.Units[0].Children == 0 {
			t.Fatalf("roots: the issuing unit's province should come first: %+v", roots.Units)
		}
		var below pickerUnits
		e.must(200, "GET", fmt.Sprintf("%s/children?parent=%d", base, kg.ID), "chuyenvien.so", nil, &below)
		if below.Units[0].ID != so.ID || !below.Units[0].Self {
			t.Fatalf("children of the province: the issuing unit first, marked self: %+v", below.Units[0])
		}
		found := false
		for _, u := range below.Units {
			if u.ID == kl.ID {
				found = u.Communes == 3 && u.Children >= 3 && u.Value == fmt.Sprintf("u:%d", kl.ID)
			}
		}
		if !found {
			t.Fatalf("Kiên Lương is missing or miscounted below the province: %+v", below.Units)
		}
		var communes pickerUnits
		e.must(200, "GET", fmt.Sprintf("%s/children?parent=%d", base, kl.ID), "chuyenvien.so", nil, &communes)
		names := []string{}
		for _, u := range communes.Units {
			names = append(names, u.Name)
		}
		if !strings.Contains(strings.Join(names, "|"), "Hòn Nghệ") {
			t.Fatalf("communes of Kiên Lương: %v", names)
		}

		// Search ignores case and diacritics, đ as d.
		for q, want := range map[string]string{"hon nghe": "Hòn Nghệ", "DONG HO": "Đông Hồ", "vĩnh thanh vân": "Vĩnh Thanh Vân", "bao kien giang": "Báo Kiên Giang"} {
			var res pickerUnits
			e.must(200, "GET", base+"/search?q="+url.QueryEscape(q), "chuyenvien.so", nil, &res)
			if len(res.Units) == 0 || !strings.Contains(res.Units[0].Name, want) {
				t.Fatalf("search %q: %+v, want %q first", q, res.Units, want)
			}
			if res.Units[0].Trail == "" && strings.Contains(want, "Hòn") {
				t.Fatalf("search %q: no trail", q)
			}
		}
		// The issuing unit is never offered.
		var self pickerUnits
		e.must(200, "GET", base+"/search?q=so+thong+tin&limit=100", "chuyenvien.so", nil, &self)
		for _, u := range self.Units {
			if u.ID == so.ID {
				t.Fatal("search offers the issuing unit itself")
			}
		}
		// Bad input: 400 with what to fix.
		for _, path := range []string{base + "/search?q=", base + "/search?q=" + strings.Repeat("a", 101), base + "/search?q=a&limit=0", base + "/children?parent=x"} {
			if r := e.do("GET", path, "chuyenvien.so", nil); r.code != 400 {
				t.Fatalf("%s: %d %s", path, r.code, r.body)
			}
		}
		if r := e.do("GET", base+"/children?parent=999999", "chuyenvien.so", nil); r.code != 404 {
			t.Fatalf("unknown parent: %d", r.code)
		}
		// Only the draft's editors see its picker: not the approver (who
		// cannot edit it), not another unit's drafter, not anonymous.
		for user, code := range map[string]int{"lamvanson": 403, "vanthu.kienluong": 403, "": 401} {
			r := e.do("GET", base+"/children", user, nil)
			if r.code != code && !(user == "vanthu.kienluong" && r.code == 404) {
				t.Fatalf("%q opens the picker of another's draft: %d %s", user, r.code, r.body)
			}
		}
		// Once submitted, the drafter no longer edits it: no picker.
		e.must(200, "PUT", fmt.Sprintf("/api/v1/directives/%d", v.ID), "chuyenvien.so", directives.SaveInput{BaseVersion: v.Version,
			Content: directives.Content{DocType: "Công văn", Subject: "Thử", Recipients: []directives.Recipient{{UnitID: kl.ID, Role: "main"}},
				Items: []directives.Item{{Label: "1", Text: "Nội dung"}}, SignerUserID: e.user("lamvanson").ID}}, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", v.ID), "chuyenvien.so", nil, nil)
		if r := e.do("GET", base+"/search?q=hon", "chuyenvien.so", nil); r.code != 403 {
			t.Fatalf("picker of a submitted draft: %d", r.code)
		}
	})
}

// TestGroupsPrintAsMembers checks that a recipient group prints as its
// member agencies in "Kính gửi" and "Nơi nhận" (a group with its own
// label prints the label).
func TestGroupsPrintAsMembers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		press := e.group("Cơ quan báo chí và cổng thông tin tỉnh")
		districts := e.group("Thường trực UBND các huyện, thành phố")
		c := directives.Content{DocType: "Công văn", Subject: "Thử in nhóm", Items: []directives.Item{{Label: "1", Text: "Nội dung"}},
			Recipients: []directives.Recipient{{GroupID: press, Role: "main"}, {GroupID: districts, Role: "report"},
				{GroupID: districts, Role: "copy", Label: "Các huyện, thành phố"}, {SubtreeOf: e.unit("ubnd-kien-luong").ID, Kinds: []string{"commune_pc"}, Role: "copy"}},
			SignerUserID: e.user("lamvanson").ID}
		var v directives.View
		e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: c}, &v)
		text := string(e.must(200, "GET", fmt.Sprintf("/api/v1/directives/%d/preview?format=text", v.ID), "chuyenvien.so", nil, nil).body)
		head := text[:strings.LastIndex(text, "Nơi nhận")]
		for _, name := range []string{e.unit("bao-kg").Name, e.unit("dai-kg").Name, e.unit("cong-ttdt-kg").Name} {
			if !strings.Contains(head, name) {
				t.Fatalf("Kính gửi lacks the member %q:\n%s", name, text)
			}
		}
		if strings.Contains(text, "Cơ quan báo chí và cổng thông tin tỉnh") || strings.Contains(text, "Thường trực UBND các huyện, thành phố") {
			t.Fatalf("a group prints as its name:\n%s", text)
		}
		nr := text[strings.LastIndex(text, "Nơi nhận"):]
		for _, want := range []string{e.unit("ubnd-kien-luong").Name + " (b/c)", "Các huyện, thành phố", "Ủy ban nhân dân các xã, phường thuộc huyện Kiên Lương"} {
			if !strings.Contains(nr, want) {
				t.Fatalf("Nơi nhận lacks %q:\n%s", want, nr)
			}
		}
		// The same lines when issued (the stored fields).
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/submit", v.ID), "chuyenvien.so", nil, nil)
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/approve", v.ID), "lamvanson", nil, nil)
		e.must(200, "PUT", fmt.Sprintf("/api/v1/registers/%d/2021/outgoing/counter", e.unit("so-tttt-kg").ID), "vanthu.so", map[string]int{"last": 10}, nil)
		var issued directives.View
		e.must(200, "POST", fmt.Sprintf("/api/v1/directives/%d/issue", v.ID), "vanthu.so", map[string]string{"date": "2021-06-03"}, &issued)
		if issued.Fields == nil || len(issued.Fields.Recipients) != 3 || !strings.Contains(strings.Join(issued.Fields.Recipients, "|"), e.unit("bao-kg").Name) {
			t.Fatalf("issued Kính gửi: %+v", issued.Fields)
		}
		n := 0
		for _, d := range issued.Fields.Distribution {
			if d.Purpose != nil && *d.Purpose == "b/c" {
				n++
			}
		}
		if n != 15 {
			t.Fatalf("issued Nơi nhận has %d b/c lines, want the 15 district committees: %+v", n, issued.Fields.Distribution)
		}
	})
}

// TestApproverFullView: the leader approving a draft sees the whole
// rendered PDF, every attachment and the broadcast plan of each item.
func TestApproverFullView(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		var v directives.View
		e.must(201, "POST", "/api/v1/directives", "chuyenvien.so", directives.CreateInput{Content: directives.Content{DocType: "Công văn", Subject: "Tuyên truyền phòng, chống dịch"}}, &v)
		path := fmt.Sprintf("/api/v1/directives/%d", v.ID)
		var audio, sheet directives.Attachment
		if r := e.upload(path+"/attachments", "chuyenvien.so", "ban-tin-5k.wav", "audio/wav", wav(7, 8000)); r.code != 201 {
			t.Fatalf("upload audio: %d %s", r.code, r.body)
		} else {
			r.decode(t, &audio)
		}
		if r := e.upload(path+"/attachments", "chuyenvien.so", "ke-hoach.txt", "text/plain", []byte("Kế hoạch chi tiết")); r.code != 201 {
			t.Fatalf("upload file: %d %s", r.code, r.body)
		} else {
			r.decode(t, &sheet)
		}
		e.must(200, "GET", path, "chuyenvien.so", nil, &v)
		c := v.Content
		c.Recipients = []directives.Recipient{{UnitID: e.unit("ubnd-kien-luong").ID, Role: "main"}}
		c.SignerUserID = e.user("lamvanson").ID
		c.Items = []directives.Item{
			{Label: "1", Text: "Phát bản tin 5K.", Broadcast: &directives.BroadcastSpec{Audio: []string{audio.SHA256}, Level: schedule.LevelPriority, StartDate: "2021-06-05", EndDate: "2021-06-20", TimesPerDay: 2}},
			{Label: "2", Text: "Đọc thông báo tiêm chủng.", Broadcast: &directives.BroadcastSpec{Level: schedule.LevelNormal, StartDate: "2021-06-06", EndDate: "2021-06-08", TimesPerDay: 3}},
			{Label: "3", Text: "Báo cáo kết quả."},
		}
		e.must(200, "PUT", path, "chuyenvien.so", directives.SaveInput{BaseVersion: v.Version, Content: c}, nil)
		e.must(200, "POST", path+"/submit", "chuyenvien.so", nil, nil)

		leader := e.login("lamvanson", demo.Password)
		page := leader.get(fmt.Sprintf("/directives/%d", v.ID))
		plan := page[strings.Index(page, `id="broadcast-plan"`):]
		plan = plan[:strings.Index(plan, "</table>")]
		for _, want := range []string{`id="approve-directive"`, `id="full-pdf"`, fmt.Sprintf(`src="%s/preview?format=pdf"`, path),
			fmt.Sprintf(`href="%s/attachments/%s"`, path, sheet.SHA256), "ke-hoach.txt"} {
			if !strings.Contains(page, want) {
				t.Fatalf("approver's page lacks %q", want)
			}
		}
		for _, want := range []string{"Phát bản tin 5K.", "ban-tin-5k.wav", "05/06/2021", "20/06/2021", ">2<", "Đọc thông báo tiêm chủng.", "đọc bằng giọng máy", ">3<"} {
			if !strings.Contains(plan, want) {
				t.Fatalf("broadcast plan lacks %q:\n%s", want, plan)
			}
		}
		if strings.Contains(plan, "Báo cáo kết quả.") {
			t.Fatal("the plan lists an item that is not broadcast")
		}
		// What the links open: the PDF inline, the files for download.
		for link, ctype := range map[string]string{path + "/preview?format=pdf": "application/pdf", path + "/attachments/" + audio.SHA256: "audio/", path + "/attachments/" + sheet.SHA256: "text/plain"} {
			resp, err := leader.c.Get(e.srv.URL + link)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || resp.Header.Get("X-Content-Type-Options") != "nosniff" || len(b) == 0 {
				t.Fatalf("%s: %d %s %q", link, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"))
			}
			if ctype == "application/pdf" && !strings.HasPrefix(string(b), "%PDF") {
				t.Fatalf("%s is not a PDF", link)
			}
		}
		// Someone of another unit cannot open them.
		other := e.login("vanthu.kienluong", demo.Password)
		resp, err := other.c.Get(e.srv.URL + path + "/preview?format=pdf")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another unit opens the draft's PDF: %d", resp.StatusCode)
		}
	})
}
