package directives_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestHomeShowsWaitingWork: on the seed scenario half-way, each role's
// home page ("Việc cần làm") counts and lists what waits for that user,
// overdue first, each with the link that does the next action; the menu
// hides administration from those who cannot use it; deadlines show as
// the day they fall on.
func TestHomeShowsWaitingWork(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	e := newEnv(t, st)
	if err := demo.LoadDirectives(context.Background(), e.store, e.svc, demo.Password); err != nil {
		t.Fatal(err)
	}
	// The story's deadline (20/06/2021) has passed at the test's clock.
	e.clock.Set(e.clock.Now().AddDate(0, 1, 0))
	card := func(page, label string) string {
		m := regexp.MustCompile(`<span class="num">(\d+)</span><span>` + regexp.QuoteMeta(label) + `</span>`).FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return m[1]
	}

	// The district clerk: 570 arrived from the Sở and is overdue; the
	// next action opens it.
	district := e.login("vanthu.rachgia", demo.Password).get("/")
	if got := card(district, "Quá hạn xử lý"); got != "1" {
		t.Errorf("district clerk: overdue card %q", got)
	}
	work := district[strings.Index(district, `id="work"`):]
	first := regexp.MustCompile(`<li class="([^"]*)" data-kind="([^"]+)">.*?<a href="(/inbox/\d+)">([^<]*)</a>.*?<span class="when">([^<]*)</span>`).FindStringSubmatch(work)
	if first == nil || first[1] != "overdue" || !strings.Contains(first[4], "570/STTTT-TTBCBC") || first[5] != "Quá hạn từ 20/06/2021" {
		t.Fatalf("district clerk: first waiting item %q", first)
	}
	if !strings.Contains(work, `<a class="button go" href="`+first[3]+`">Xem và xử lý</a>`) {
		t.Errorf("district clerk: no next-action button to %s", first[3])
	}
	for _, admin := range []string{`href="/org"`, `href="/users"`, `href="/tokens"`, `href="/audit"`} {
		if strings.Contains(district[:strings.Index(district, "</nav>")], admin) {
			t.Errorf("district clerk: the menu offers %s", admin)
		}
	}
	// The inbox shows the deadline as the day entered, not the next midnight.
	inbox := e.login("vanthu.rachgia", demo.Password).get("/inbox")
	if !strings.Contains(inbox, "<td>20/06/2021</td>") || strings.Contains(inbox, "21/06/2021 00:00") {
		t.Error("the inbox does not show the deadline as 20/06/2021")
	}

	// The Sở clerk: 355 from the Cục waits (overdue first), nothing to issue.
	so := e.login("vanthu.so", demo.Password).get("/")
	if card(so, "Chờ phát hành") != "0" || card(so, "Quá hạn xử lý") == "" {
		t.Errorf("Sở clerk: cards issue=%q overdue=%q", card(so, "Chờ phát hành"), card(so, "Quá hạn xử lý"))
	}
	// A leader has the approvals card; a new draft submitted shows there.
	leader := e.login("lamvanson", demo.Password).get("/")
	if card(leader, "Chờ duyệt") != "0" {
		t.Errorf("Sở leader: approvals card %q", card(leader, "Chờ duyệt"))
	}
	// Administrators keep their cards and menu.
	admin := e.login("admin", demo.Password).get("/")
	if !strings.Contains(admin, `href="/users"`) || !strings.Contains(admin, "Người dùng bạn quản lý") {
		t.Error("administrator: no administration cards or menu")
	}
	if strings.Contains(admin, ">user.create<") || strings.Contains(admin, "system:demo") {
		t.Error("administrator: the recent activity shows action codes or system actor names")
	}
}
