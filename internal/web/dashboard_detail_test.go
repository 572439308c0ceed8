package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// TestCommuneDashboardAPI: the commune dashboard's JSON answers the
// district and the commune's own staff with the 7 days ending with the
// day asked for, refuses another commune's staff, and explains a bad day;
// the overview's JSON carries the coverage figures.
func TestCommuneDashboardAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnvWith(t, st, func(d *web.Deps) {
			d.Stats = statsFor(st)
		})
		ward := e.unit("ubnd-vinh-thanh-van")
		var c struct {
			Unit struct{ ID int64 } `json:"unit"`
			Day  string             `json:"day"`
			Week []struct {
				Day       string `json:"day"`
				Scheduled *int64 `json:"scheduled"`
			} `json:"week"`
			Devices []any `json:"devices"`
		}
		for _, who := range []string{"admin.rachgia", "xaphuong.vinhthanhvan"} {
			r := e.do("GET", fmt.Sprintf("/api/v1/stats/commune?unit=%d&day=2021-06-10", ward.ID), e.tokenFor(who), nil)
			if r.code != 200 {
				t.Fatalf("%s: %d %s", who, r.code, r.body)
			}
			r.json(t, &c)
			if c.Unit.ID != ward.ID || c.Day != "2021-06-10" || len(c.Week) != 7 || c.Week[0].Day != "2021-06-04" || c.Week[0].Scheduled == nil || c.Devices == nil {
				t.Errorf("%s: %s", who, r.body)
			}
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/stats/commune?unit=%d", ward.ID), e.tokenFor("phatthanh.honnghe"), nil); r.code != 403 {
			t.Errorf("another commune's broadcaster: %d %s", r.code, r.body)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/stats/commune?unit=%d&day=2021-13-45", ward.ID), e.tokenFor("admin.rachgia"), nil); r.code != 400 || !strings.Contains(string(r.body), "YYYY-MM-DD") {
			t.Errorf("a bad day: %d %s", r.code, r.body)
		}
		r := e.do("GET", "/api/v1/stats/overview?unit="+fmt.Sprint(e.unit("ubnd-rach-gia").ID), e.tokenFor("admin.rachgia"), nil)
		if r.code != 200 || !strings.Contains(string(r.body), `"coverage"`) || !strings.Contains(string(r.body), `"items"`) {
			t.Errorf("overview: %d %s", r.code, r.body)
		}
	})
}

// statsFor is the dashboards' service on a clock fixed at 10/06/2021.
func statsFor(st *storage.Store) web.Dashboards {
	return stats.New(st, authz.Default(), stats.Config{Clock: clock.Fixed(time.Date(2021, 6, 10, 12, 0, 0, 0, i18n.Zone())), Loc: i18n.Zone()})
}
