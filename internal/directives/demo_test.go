package directives_test

import (
	"context"
	"testing"

	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/directives"
)

// TestLoadDemo puts the seed scenario half-way: 570 issued and partly
// handled downstream; loading again changes nothing.
func TestLoadDemo(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if err := demo.LoadDirectives(ctx, e.store, e.svc, demo.Password); err != nil {
			t.Fatal(err)
		}
		clerk := e.actor("vanthu.so")
		issued, err := e.svc.Drafts().List(ctx, clerk, directives.ListFilter{Box: "issued"})
		if err != nil || len(issued) != 1 || issued[0].Code != "570/STTTT-TTBCBC" || issued[0].IssuedDate != "2021-06-04" {
			t.Fatalf("issued by the Sở: %+v, %v", issued, err)
		}
		tr, err := e.svc.Tracker().Track(ctx, clerk, issued[0].ID, directives.TrackingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, r := range tr.Rows {
			states[r.RecipientName] = r.Status
			if r.Cascade != nil && r.RecipientName == "Ủy ban nhân dân thành phố Rạch Giá" && (r.Cascade.Total != 3 || r.Cascade.Done != 1 || r.Cascade.Code != "1235/UBND") {
				t.Errorf("Rạch Giá cascade: %+v", r.Cascade)
			}
		}
		for unit, want := range map[string]string{"Báo Kiên Giang": "reported", "Ủy ban nhân dân thành phố Rạch Giá": "forwarded",
			"Ủy ban nhân dân huyện Kiên Lương": "forwarded", "Ủy ban nhân dân huyện Kiên Hải": "delivered"} {
			if states[unit] != want {
				t.Errorf("%s is %q, want %q", unit, states[unit], want)
			}
		}
		if len(tr.Rows) != 34 || tr.Progress.Total != 18 || tr.Progress.Done != 1 {
			t.Fatalf("demo tracking: %d rows, %+v", len(tr.Rows), tr.Progress)
		}
		d := tr.Rows[0]
		if d.DeliveredAt == nil || d.DeliveredAt.Year() != 2021 {
			t.Errorf("demo timestamps are not those of the story: %v", d.DeliveredAt)
		}
		items, err := e.svc.Tracker().BroadcastItems(ctx, e.unit("ubnd-vinh-thanh-van").ID)
		if err != nil || len(items) != 3 || len(items[2].Broadcast.Audio) != 2 {
			t.Fatalf("broadcast items of Vĩnh Thanh Vân: %d, %v", len(items), err)
		}
		if _, _, err := e.store.Accounts().UserByUsername(ctx, "chuyenvien.cuc"); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadDirectives(ctx, e.store, e.svc, demo.Password); err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.Drafts().List(ctx, clerk, directives.ListFilter{Box: "issued"})
		if err != nil || len(again) != 1 {
			t.Fatalf("second load: %d issued, %v", len(again), err)
		}
	})
}
