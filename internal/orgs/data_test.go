package orgs_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestTwoLevelDataImports: the An Giang 2025 data imports as it is, and
// every unit has its creating act and a source recorded beside it.
func TestTwoLevelDataImports(t *testing.T) {
	dir := filepath.Join("data", "two-level-2025")
	f, err := os.Open(filepath.Join(dir, "an-giang-units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := orgs.ParseCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := os.Open(filepath.Join(dir, "an-giang-sources.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	rows, err := csv.NewReader(sf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]string{}
	for _, r := range rows[1:] {
		sources[r[0]] = r
	}
	kinds := map[string]int{}
	for _, r := range recs {
		s, ok := sources[r.Code]
		if !ok || !strings.HasPrefix(s[2], "Nghị quyết ") || !strings.HasPrefix(s[4], "https://") {
			t.Errorf("%s: no act or source recorded: %v", r.Code, s)
		}
		kinds[r.Kind]++
	}
	if len(sources) != len(recs) || kinds["provincial_pc"] != 1 || kinds["commune_pc"] != 58 {
		t.Fatalf("%d units, %d source rows, kinds %v", len(recs), len(sources), kinds)
	}
	st, _ := storetest.Open(t, storage.SQLite)
	svc := orgs.New(st, authz.Default())
	res, err := svc.Import(context.Background(), model.System("test"), recs)
	if err != nil || res.Created != len(recs) {
		t.Fatalf("import: %+v %v", res, err)
	}
	u, err := st.Orgs().UnitByCode(context.Background(), "ag-phuong-rach-gia")
	if err != nil || u.Name != "Ủy ban nhân dân phường Rạch Giá" || u.ActiveFrom != "2025-07-01" {
		t.Fatalf("phường Rạch Giá: %+v %v", u, err)
	}
}
