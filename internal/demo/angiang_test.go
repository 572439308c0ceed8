package demo_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/registry"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func loadScenario(t *testing.T, st *storage.Store, scenario string) *orgs.Service {
	t.Helper()
	policy := authz.Default()
	o := orgs.New(st, policy)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	dir := directives.New(st, blobs, registry.New(st, policy, i18n.Zone()), policy, directives.Options{Log: log, Location: i18n.Zone()})
	l := &demo.Loader{Store: st, Orgs: o, Accounts: accounts.New(st, policy, log), Directives: dir, Scenario: scenario}
	if _, err := l.Ensure(context.Background(), t.TempDir(), "http://127.0.0.1"); err != nil {
		t.Fatalf("demo %q: %v", scenario, err)
	}
	return o
}

// issuer is the issuing authority as printed on a document, upper case.
func issuer(d *model.Document) string {
	return strings.ToUpper(docmodel.Val(d.Fields.ParentIssuer) + " / " + docmodel.Val(d.Fields.Issuer))
}

func unitByCode(t *testing.T, st *storage.Store, code string) *model.Unit {
	t.Helper()
	u, err := st.Orgs().UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

// TestDemoAnGiang2026: the 2021 tree carried through the 2025 reform —
// the province renamed with its former name kept for earlier days, wards
// merged into Phường Rạch Giá directly under the province, every district
// dissolved — while the default scenario stays 2021.
func TestDemoAnGiang2026(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		o := loadScenario(t, st, demo.ScenarioAnGiang2026)
		prov := unitByCode(t, st, "ubnd-kg")
		for day, want := range map[string]string{"2021-06-04": "Ủy ban nhân dân tỉnh Kiên Giang", "2025-06-30": "Ủy ban nhân dân tỉnh Kiên Giang",
			"2025-07-01": "Ủy ban nhân dân tỉnh An Giang", "2026-03-01": "Ủy ban nhân dân tỉnh An Giang"} {
			got, err := o.NameAt(ctx, prov.ID, day)
			if err != nil || got != want {
				t.Errorf("province on %s: %q %v, want %q", day, got, err, want)
			}
		}
		ward := unitByCode(t, st, "ubnd-vinh-thanh-van")
		if ward.Name != "Ủy ban nhân dân phường Rạch Giá" || ward.ParentID == nil || *ward.ParentID != prov.ID {
			t.Errorf("phường Rạch Giá: %q under %v, want directly under the province %d", ward.Name, ward.ParentID, prov.ID)
		}
		if old, err := o.NameAt(ctx, ward.ID, "2021-06-04"); err != nil || old != "Ủy ban nhân dân phường Vĩnh Thanh Vân" {
			t.Errorf("ward in 2021: %q %v", old, err)
		}
		former, err := o.FormerNames(ctx, ward.ID)
		if err != nil || len(former) != 1 || former[0].ValidTo != demo.ReformDay || former[0].Basis == "" {
			t.Errorf("former names of the ward: %+v %v", former, err)
		}
		for _, code := range []string{"ubnd-vinh-lac", "ubnd-an-hoa"} {
			u := unitByCode(t, st, code)
			if u.DissolvedOn != demo.ReformDay || u.MergedInto == nil || *u.MergedInto != ward.ID {
				t.Errorf("%s: dissolved %q into %v, want merged into phường Rạch Giá on %s", code, u.DissolvedOn, u.MergedInto, demo.ReformDay)
			}
		}
		// The commune radio of a merged ward now belongs to the new ward.
		if r := unitByCode(t, st, "dtt-vinh-lac"); r.ParentID == nil || *r.ParentID != ward.ID {
			t.Errorf("dtt-vinh-lac under %v, want %d", r.ParentID, ward.ID)
		}
		units, err := st.Orgs().Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		districts := 0
		for _, u := range units {
			if u.Kind == "district_pc" {
				districts++
				if u.DissolvedOn != demo.ReformDay {
					t.Errorf("district %s still active", u.Code)
				}
			}
			if u.Kind == "commune_pc" && u.DissolvedOn == "" && (u.ParentID == nil || *u.ParentID != prov.ID) {
				t.Errorf("commune %s is not directly under the province", u.Code)
			}
		}
		if districts == 0 {
			t.Error("no districts in the tree")
		}

		// The 2026 directive goes from the province straight to the ward.
		list, err := st.Directives().ListDirectives(ctx, model.DirectiveFilter{UnitIDs: []int64{prov.ID}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, d := range list {
			if d.Subject != demo.ProvinceToCommuneSubject {
				continue
			}
			found = true
			del, err := st.Deliveries().DeliveryOf(ctx, d.ID, ward.ID)
			if err != nil || del.SenderUnitID != prov.ID {
				t.Errorf("delivery to phường Rạch Giá: %+v %v", del, err)
			}
			if d.DocumentID == nil {
				t.Fatal("the 2026 directive has no issued document")
			}
			doc, err := st.Documents().Document(ctx, *d.DocumentID)
			if err != nil || !strings.Contains(issuer(doc), "AN GIANG") {
				t.Errorf("2026 document issuer: %q %v", issuer(doc), err)
			}
		}
		if !found {
			t.Fatalf("no province → commune directive among %d", len(list))
		}
		// The 2021 documents keep the names of their day.
		so := unitByCode(t, st, "so-tttt-kg")
		old, err := st.Directives().ListDirectives(ctx, model.DirectiveFilter{UnitIDs: []int64{so.ID}, Limit: 10})
		if err != nil || len(old) == 0 || old[0].DocumentID == nil {
			t.Fatalf("2021 directives of the Sở: %v %v", old, err)
		}
		doc, err := st.Documents().Document(ctx, *old[0].DocumentID)
		if err != nil || !strings.Contains(issuer(doc), "KIÊN GIANG") {
			t.Errorf("2021 document issuer: %q %v", issuer(doc), err)
		}
		day := docmodel.Val(doc.Fields.Date)
		if name, err := o.NameAt(ctx, prov.ID, day); err != nil || name != "Ủy ban nhân dân tỉnh Kiên Giang" {
			t.Errorf("province on %s: %q %v", day, name, err)
		}
	})
}

// TestDemoDefault2021: --demo alone keeps Kiên Giang 2021 with districts;
// an unknown scenario is refused.
func TestDemoDefault2021(t *testing.T) {
	st, _ := storetest.Open(t, storage.SQLite)
	loadScenario(t, st, "")
	if u := unitByCode(t, st, "ubnd-kg"); u.Name != "Ủy ban nhân dân tỉnh Kiên Giang" {
		t.Errorf("province: %q", u.Name)
	}
	if u := unitByCode(t, st, "ubnd-rach-gia"); u.DissolvedOn != "" {
		t.Errorf("district dissolved in 2021: %q", u.DissolvedOn)
	}
	l := &demo.Loader{Store: st, Scenario: "hanoi-1990"}
	if _, err := l.Ensure(context.Background(), t.TempDir(), ""); err == nil {
		t.Error("unknown scenario accepted")
	}
}
