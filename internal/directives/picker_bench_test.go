package directives_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// nationalTree adds the 34 provincial committees of the two-level
// administration (the repository's data file) with perProvince commune
// committees under each — a national-size tree for the picker (the real
// commune list is only in the repository for An Giang, so the communes
// here are generated, in the benchmark only). It returns the number of
// units added.
func nationalTree(b *testing.B, st *storage.Store, perProvince int) int {
	ctx := context.Background()
	f, err := os.Open(filepath.Join("..", "orgs", "data", "two-level-2025", "provinces-units.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	communes := []string{"xã", "phường"}
	added := 0
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		for _, row := range rows[1:] {
			p := &model.Unit{Code: "nat-" + row[0], Name: row[2], ShortName: row[3], Kind: row[4], Abbreviation: row[5], ActiveFrom: "2021-01-01"}
			if err := tx.Orgs().InsertUnit(ctx, p); err != nil {
				return err
			}
			added++
			for i := 0; i < perProvince; i++ {
				kind := communes[i%2]
				name := fmt.Sprintf("Ủy ban nhân dân %s Đông Hòa %d %s", kind, i+1, strings.TrimPrefix(row[3], "UBND "))
				if err := tx.Orgs().InsertUnit(ctx, &model.Unit{Code: fmt.Sprintf("nat-%s-%03d", row[0], i), ParentID: &p.ID, Name: name,
					ShortName: fmt.Sprintf("UBND %s Đông Hòa %d", kind, i+1), Kind: "commune_pc", ActiveFrom: "2021-01-01"}); err != nil {
					return err
				}
				added++
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return added
}

// benchLogin signs a user in through the handler and returns the
// session cookies.
func benchLogin(b *testing.B, h http.Handler, user string) []*http.Cookie {
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {user}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("login %s: %d", user, rec.Code)
	}
	return rec.Result().Cookies()
}

func benchGet(b *testing.B, h http.Handler, cookies []*http.Cookie, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String()[:min(rec.Body.Len(), 300)])
	}
	return rec
}

// BenchmarkDraftPageNationalTree measures the directive editor of the
// Sở's drafter with a national tree (34 provinces, 3,298 generated
// commune committees on top of the demo's units): the page's weight and
// time, and the picker's two endpoints (one province's children, a
// search typed without diacritics).
func BenchmarkDraftPageNationalTree(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine storage.Engine) {
		e := newBenchEnv(b, engine)
		added := nationalTree(b, e.st, 97)
		ctx := context.Background()
		v, err := e.svc.Drafts().Create(ctx, e.actor(b, "chuyenvien.so"), directives.CreateInput{Content: directives.Content{DocType: "Công văn", Subject: "Thử"}})
		if err != nil {
			b.Fatal(err)
		}
		units, err := e.st.Orgs().Units(ctx)
		if err != nil {
			b.Fatal(err)
		}
		province, err := e.st.Orgs().UnitByCode(ctx, "nat-ha-noi-ubnd")
		if err != nil {
			// The provinces file names its rows by province; take the first.
			province = nil
			for _, u := range units {
				if strings.HasPrefix(u.Code, "nat-") && u.ParentID == nil {
					province = u
					break
				}
			}
		}
		cookies := benchLogin(b, e.handler, "chuyenvien.so")
		page := fmt.Sprintf("/directives/%d", v.ID)
		b.Run("page", func(b *testing.B) {
			var size int
			var body string
			for i := 0; i < b.N; i++ {
				rec := benchGet(b, e.handler, cookies, page)
				size, body = rec.Body.Len(), rec.Body.String()
			}
			b.ReportMetric(float64(size), "bytes/page")
			b.ReportMetric(float64(strings.Count(body, "<option")), "options/page")
			b.ReportMetric(float64(strings.Count(body, `type="checkbox"`)), "checkboxes/page")
			b.ReportMetric(float64(len(units)), "units")
			b.Logf("%d units (%d added), page %d bytes", len(units), added, size)
		})
		b.Run("children", func(b *testing.B) {
			var size int
			for i := 0; i < b.N; i++ {
				size = benchGet(b, e.handler, cookies, fmt.Sprintf("/api/v1/directives/%d/recipients/children?parent=%d", v.ID, province.ID)).Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
		b.Run("search", func(b *testing.B) {
			var size int
			for i := 0; i < b.N; i++ {
				size = benchGet(b, e.handler, cookies, fmt.Sprintf("/api/v1/directives/%d/recipients/search?q=%s", v.ID, url.QueryEscape("dong hoa 17"))).Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	})
}
