package web_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
	"github.com/loa-project/loa/internal/web"
)

// TestReportsBuilderAndPackage: the builder page in Vietnamese with its
// table and download links, the PDF, XLSX and CSV downloads with
// Vietnamese file names, the JSON package for the upper level and the
// periodic report settings through the API.
func TestReportsBuilderAndPackage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		e := newEnvWith(t, st, func(d *web.Deps) {
			policy := authz.Default()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "report-blobs"))
			if err != nil {
				t.Fatal(err)
			}
			dirs := directives.New(st, blobs, registry.New(st, policy, i18n.Zone()), policy, directives.Options{Log: log})
			dash := stats.New(st, policy, stats.Config{Loc: i18n.Zone()})
			reps, err := reports.New(st, reports.Config{Loc: i18n.Zone(), Log: log, Policy: policy, Blobs: blobs, Stats: dash, Drafts: dirs.Drafts()})
			if err != nil {
				t.Fatal(err)
			}
			d.Stats, d.Reports = dash, reps
		})
		so := e.unit("so-tttt-kg")
		cl, csrf := e.signIn("vanthu.so", demo.Password)
		get := func(path string) (int, http.Header, []byte) {
			t.Helper()
			resp, err := cl.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header, b
		}
		q := url.Values{"unit": {fmt.Sprint(so.ID)}, "period": {"custom"}, "from": {"2021-06-01"}, "to": {"2021-06-30"}}
		code, _, page := get("/reports?" + q.Encode())
		if code != 200 {
			t.Fatalf("builder page: %d %s", code, page)
		}
		for _, want := range []string{"Báo cáo số liệu", `id="rep-table"`, "Tải XLSX", "Văn bản đến (sổ văn bản đến)", "Độ phủ", "0 %", `href="/reports" class="active"`,
			"Báo cáo định kỳ gửi cấp trên", "01/06/2021"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("builder page lacks %q", want)
			}
		}
		for _, english := range []string{"Download", "Reports", "is not a"} {
			if strings.Contains(string(page), ">"+english) {
				t.Errorf("English %q on the Vietnamese page", english)
			}
		}
		// A bad choice is explained in Vietnamese, with the form kept.
		code, _, page = get("/reports?period=custom&from=2021-06-30&to=2021-06-01")
		if code != 200 || !strings.Contains(string(page), "Lựa chọn chưa hợp lệ") || strings.Contains(string(page), `id="rep-table"`) {
			t.Errorf("bad period: %d", code)
		}
		// Downloads.
		code, h, body := get("/reports/export?format=xlsx&" + q.Encode())
		if code != 200 || h.Get("Content-Type") != reports.XLSXType || !strings.Contains(h.Get("Content-Disposition"), "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20s%E1%BB%91%20li%E1%BB%87u") {
			t.Fatalf("xlsx: %d %v", code, h)
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("xlsx does not open: %v", err)
		}
		rows, err := x.GetRows(reports.SheetName)
		x.Close()
		if err != nil || len(rows) < reports.XLSXHeaderRow+10 || rows[reports.XLSXHeaderRow-1][3] != so.Name {
			t.Errorf("xlsx rows: %d, %v", len(rows), err)
		}
		code, h, body = get("/reports/export?format=csv&" + q.Encode())
		if code != 200 || !bytes.HasPrefix(body, []byte("\ufeffNhóm,Chỉ tiêu,Đơn vị tính,")) || !strings.HasSuffix(h.Get("Content-Disposition"), ".csv") {
			t.Errorf("csv: %d %q", code, body[:min(len(body), 80)])
		}
		code, _, body = get("/reports/export?format=pdf&" + q.Encode())
		if code != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Errorf("pdf: %d", code)
		}
		if code, _, _ = get("/reports/export?format=doc&" + q.Encode()); code != 400 {
			t.Errorf("unknown format: %d", code)
		}
		// The settings form: the Sở's clerk has no settings right.
		resp, err := cl.PostForm(e.srv.URL+"/reports/settings", url.Values{"csrf": {csrf}, "period": {"month"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("settings by a clerk: %d", resp.StatusCode)
		}

		// The JSON package and the settings API.
		tok := e.tokenFor("admin")
		r := e.do("GET", "/api/v1/reports/package?"+q.Encode(), tok, nil)
		var pkg reports.Package
		r.json(t, &pkg)
		if r.code != 200 || pkg.Schema != "loa.reports.package/v1" || pkg.Source.ID != so.ID || len(pkg.Units) == 0 || pkg.Period.From.String() != "2021-06-01" {
			t.Errorf("package: %d %.300s", r.code, r.body)
		}
		rg := e.unit("ubnd-rach-gia")
		path := fmt.Sprintf("/api/v1/reports/settings/%d", rg.ID)
		if r := e.do("PUT", path, tok, map[string]any{"periods": []string{"month"}}); r.code != 400 {
			t.Errorf("settings with an administrator (not a drafter) as drafter: %d %s", r.code, r.body)
		}
		drafter, _, err := st.Accounts().UserByUsername(t.Context(), "vanthu.rachgia")
		if err != nil {
			t.Fatal(err)
		}
		var set model.ReportSetting
		r = e.do("PUT", path, e.tokenFor("admin.rachgia"), map[string]any{"periods": []string{"quarter", "month"}, "drafter_user_id": drafter.ID})
		r.json(t, &set)
		if r.code != 200 || strings.Join(set.Periods, ",") != "month,quarter" || set.DrafterUserID != drafter.ID {
			t.Errorf("settings: %d %s", r.code, r.body)
		}
		if r := e.do("PUT", path, e.tokenFor("admin.rachgia"), map[string]any{"periods": []string{"daily"}}); r.code != 400 {
			t.Errorf("unknown period: %d", r.code)
		}
		if r := e.do("PUT", path, e.tokenFor("vanthu.kienluong"), map[string]any{"periods": []string{"month"}}); r.code != 403 {
			t.Errorf("another district's settings: %d", r.code)
		}
		r = e.do("POST", "/api/v1/reports/build", tok, reports.BuildInput{UnitIDs: []int64{so.ID, rg.ID}, Period: "year", Groups: []string{"devices"}})
		var built reports.Built
		r.json(t, &built)
		if r.code != 200 || len(built.Table.Columns) != 3 || len(built.Table.Rows) != 5 {
			t.Errorf("build: %d %.300s", r.code, r.body)
		}
		var list struct {
			Reports []model.PeriodicReport `json:"reports"`
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/reports/periodic/%d", rg.ID), tok, nil)
		r.json(t, &list)
		if r.code != 200 || list.Reports == nil || len(list.Reports) != 0 {
			t.Errorf("periodic list: %d %s", r.code, r.body)
		}
	})
}
