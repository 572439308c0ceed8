package reports_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/reports"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestScheduleMonthBoundary: the scheduler makes each due report once per
// unit and period: before the boundary October's (and last week's), at
// the boundary November's, nothing on repeated runs, after a restart or
// when two replicas run at once; every report has its one draft in the
// drafter's box.
func TestScheduleMonthBoundary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		w := newWorld(t, st, "2026-11-30 23:58")
		ctx := w.ctx
		w.must2(w.reports.PutSettings(ctx, w.actor("D"), w.units["D"].ID, reports.SettingsInput{Periods: []string{"month", "week", "month"}}))
		w.must2(w.reports.PutSettings(ctx, w.actor("C1"), w.units["C1"].ID, reports.SettingsInput{Periods: []string{"month"}}))
		if _, err := w.reports.PutSettings(ctx, w.actor("D"), w.units["D"].ID, reports.SettingsInput{Periods: []string{"fortnight"}}); err == nil {
			t.Error("an unknown period was accepted")
		}
		if n, err := w.reports.RunDue(ctx); err != nil || n != 3 {
			t.Fatalf("before the boundary: %d reports, %v (want October's two and last week's)", n, err)
		}
		if n, err := w.reports.RunDue(ctx); err != nil || n != 0 {
			t.Fatalf("a second run: %d reports, %v", n, err)
		}
		w.set("2026-12-01 00:01")
		// Two replicas (or a restart racing the old process) at once.
		var wg sync.WaitGroup
		made := make([]int, 2)
		for i := range made {
			r := w.newReports()
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := r.RunDue(ctx)
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
				made[i] = n
			}()
		}
		wg.Wait()
		if made[0]+made[1] != 2 {
			t.Fatalf("at the boundary the replicas made %v reports, want 2 in all", made)
		}
		if n, err := w.newReports().RunDue(ctx); err != nil || n != 0 {
			t.Fatalf("after a restart: %d reports, %v", n, err)
		}
		want := map[string][]string{"D": {"week 2026-11-23", "month 2026-11-01", "month 2026-10-01"}, "C1": {"month 2026-11-01", "month 2026-10-01"}}
		for code, list := range want {
			got, err := w.reports.Reports(ctx, w.actor(code), w.units[code].ID)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, r := range got {
				keys = append(keys, r.Period+" "+r.From)
			}
			if strings.Join(keys, ",") != strings.Join(list, ",") {
				t.Errorf("%s's reports: %v, want %v", code, keys, list)
			}
			drafts, err := w.dirs.Drafts().List(ctx, w.actor(code), directives.ListFilter{Box: "mine"})
			if err != nil {
				t.Fatal(err)
			}
			if len(drafts) != len(list) {
				t.Errorf("%s has %d drafts for %d reports", code, len(drafts), len(list))
			}
		}
	})
}

// TestLastCompleted: the periods that ended before a day.
func TestLastCompleted(t *testing.T) {
	day := func(s string) schedule.Date {
		d, err := schedule.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct{ kind, today, from, to string }{
		{"week", "2026-12-07", "2026-11-30", "2026-12-06"}, // a Monday
		{"week", "2026-12-06", "2026-11-23", "2026-11-29"}, // a Sunday
		{"month", "2026-12-01", "2026-11-01", "2026-11-30"},
		{"month", "2026-01-15", "2025-12-01", "2025-12-31"},
		{"month", "2024-03-01", "2024-02-01", "2024-02-29"},
		{"quarter", "2026-12-07", "2026-07-01", "2026-09-30"},
		{"quarter", "2026-01-01", "2025-10-01", "2025-12-31"},
		{"year", "2026-01-01", "2025-01-01", "2025-12-31"},
	} {
		p, err := reports.LastCompleted(c.kind, day(c.today))
		if err != nil || p.From.String() != c.from || p.To.String() != c.to {
			t.Errorf("%s before %s: %s..%s, %v; want %s..%s", c.kind, c.today, p.From, p.To, err, c.from, c.to)
		}
	}
	if _, err := reports.LastCompleted("fortnight", day("2026-12-07")); err == nil {
		t.Error("an unknown period kind was accepted")
	}
}

// TestBuilderExports: the builder's table for a district and one of its
// communes, with the total counting the commune once; the CSV, XLSX and
// PDF carry the same figures in Vietnamese notation.
func TestBuilderExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		w := newWorld(t, st, "2026-11-01 09:00")
		seedBroadcast(w)
		w.set("2026-12-02 09:00")
		ctx := w.ctx
		b, err := w.reports.Build(ctx, w.actor("D"), reports.BuildInput{UnitIDs: []int64{w.units["D"].ID, w.units["C1"].ID}, Period: "month",
			Groups: []string{"broadcasts", "coverage", "feedback"}})
		if err != nil {
			t.Fatal(err)
		}
		tb := b.Table
		if len(tb.Columns) != 3 || tb.Columns[2] != "Tổng cộng" || tb.Period.From.String() != "2026-11-01" {
			t.Fatalf("columns %v, period %v", tb.Columns, tb.Period)
		}
		for _, r := range tb.Rows {
			if r.Group != "broadcasts" && r.Group != "coverage" && r.Group != "feedback" {
				t.Errorf("row of an unchosen group: %+v", r)
			}
			// C1 is under D: the total is D's figure, not D + C1.
			if r.Values[2] != r.Values[0] {
				t.Errorf("%s: total %v, district %v (the commune counted twice?)", r.Label, r.Values[2], r.Values[0])
			}
		}
		plays := b.Figures[0].Channels[0].Broadcasts
		if plays == 0 {
			t.Fatal("no plays in the district")
		}
		var csvBuf bytes.Buffer
		if err := tb.CSV(&csvBuf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBuf.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(tb.Rows)+1 || recs[0][3] != w.units["D"].Name || recs[1][3] != reports.Int(plays) {
			t.Errorf("csv: %q", recs[:2])
		}
		for i, r := range tb.Rows {
			if r.Unit == "%" && recs[i+1][3] != reports.Decimal(r.Values[0])+" %" {
				t.Errorf("csv percentage %q", recs[i+1][3])
			}
		}
		var x bytes.Buffer
		if err := tb.XLSX(&x); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(reports.SheetName, excelize.Options{RawCellValue: true})
		if err != nil || len(rows) != reports.XLSXHeaderRow+len(tb.Rows) || rows[reports.XLSXHeaderRow][3] != strconv.FormatInt(plays, 10) {
			t.Errorf("xlsx rows %d, first %q, %v", len(rows), rows[reports.XLSXHeaderRow], err)
		}
		var pdf bytes.Buffer
		if err := tb.PDF(&pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) || pdf.Len() < 2000 {
			t.Errorf("pdf: %d bytes, %v", pdf.Len(), err)
		}
		// Choices are checked.
		for _, in := range []reports.BuildInput{{Period: "month"}, {UnitIDs: []int64{w.units["D"].ID}, Period: "fortnight"},
			{UnitIDs: []int64{w.units["D"].ID}, Period: "custom", From: "2026-11-30", To: "2026-11-01"},
			{UnitIDs: []int64{w.units["D"].ID}, Groups: []string{"weather"}}} {
			if _, err := w.reports.Build(ctx, w.actor("D"), in); err == nil {
				t.Errorf("accepted %+v", in)
			}
		}
		if _, err := w.reports.Build(ctx, w.actor("C1"), reports.BuildInput{UnitIDs: []int64{w.units["C2"].ID}}); err == nil {
			t.Error("a commune read another commune's figures")
		}
		if got := reports.AnnexName("quarter", tb.Period, "Xã Vĩnh Hòa/Hiệp"); got != "Phụ lục số liệu quý 4-2026 - Xã Vĩnh Hòa Hiệp.xlsx" {
			t.Errorf("annex name %q", got)
		}
		if reports.Decimal(33.333) != "33,3" || reports.Int(1234567) != "1.234.567" || reports.Decimal(1234.5) != "1.234,5" || reports.Decimal(12) != "12" {
			t.Error("Vietnamese number notation")
		}
	})
}

func (w *world) must2(_ any, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}
