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

// TestTwoLevelDataImports: the 34 provinces and cities and An Giang's 102
// commune-level units of 2025 import as they are; every unit has its
// official code (two digits for a province, five for a commune), its
// creating act and a source beside it.
func TestTwoLevelDataImports(t *testing.T) {
	dir := filepath.Join("data", "two-level-2025")
	st, _ := storetest.Open(t, storage.SQLite)
	svc := orgs.New(st, authz.Default())
	load := func(units, sources string, codeAt, actAt, srcAt int) []orgs.Record {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, units))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := orgs.ParseCSV(f)
		if err != nil {
			t.Fatal(err)
		}
		sf, err := os.Open(filepath.Join(dir, sources))
		if err != nil {
			t.Fatal(err)
		}
		defer sf.Close()
		rows, err := csv.NewReader(sf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		byCode, official := map[string][]string{}, map[string]bool{}
		for _, r := range rows[1:] {
			byCode[r[0]] = r
		}
		for _, r := range recs {
			s, ok := byCode[r.Code]
			if !ok || !strings.HasPrefix(s[actAt], "Nghị quyết ") || !strings.HasPrefix(s[srcAt], "https://") {
				t.Errorf("%s: no act or source recorded: %v", r.Code, s)
				continue
			}
			code, codeLen := s[codeAt], 5
			if r.Kind == "provincial_pc" {
				codeLen = 2
			}
			if len(code) != codeLen || strings.Trim(code, "0123456789") != "" || official[code] {
				t.Errorf("%s: official code %q is not a unique %d-digit code", r.Code, code, codeLen)
			}
			official[code] = true
		}
		if len(byCode) != len(recs) {
			t.Fatalf("%s: %d units, %d source rows", units, len(recs), len(byCode))
		}
		return recs
	}
	provinces := load("provinces-units.csv", "provinces-sources.csv", 1, 3, 4)
	kinds := map[string]int{}
	for _, r := range provinces {
		kinds[r.Kind]++
	}
	if len(provinces) != 34 || kinds["provincial_pc"] != 34 {
		t.Fatalf("provinces: %d units, kinds %v", len(provinces), kinds)
	}
	res, err := svc.Import(context.Background(), model.System("test"), provinces)
	if err != nil || res.Created != 34 {
		t.Fatalf("import provinces: %+v %v", res, err)
	}
	communes := load("an-giang-units.csv", "an-giang-sources.csv", 2, 3, 5)
	kinds = map[string]int{}
	for _, r := range communes[1:] {
		kinds[r.Kind]++
	}
	if communes[0].Code != "ag-ubnd-tinh" || len(communes) != 103 || kinds["commune_pc"] != 102 {
		t.Fatalf("An Giang: %d units, kinds %v", len(communes), kinds)
	}
	// The province row is the same unit in both files: importing An Giang
	// after the provinces adds only its 102 communes, wards and zones.
	res, err = svc.Import(context.Background(), model.System("test"), communes)
	if err != nil || res.Created != 102 {
		t.Fatalf("import An Giang: %+v %v", res, err)
	}
	u, err := st.Orgs().UnitByCode(context.Background(), "ag-phuong-rach-gia")
	if err != nil || u.Name != "Ủy ban nhân dân phường Rạch Giá" || u.ActiveFrom != "2025-07-01" {
		t.Fatalf("phường Rạch Giá: %+v %v", u, err)
	}
}
