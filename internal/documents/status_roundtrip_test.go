package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestStatusRoundTrip: Loa A sends a document as edXML to Loa B (another
// database); B's import sends "arrived" (01) and registering it in B's
// incoming register writes an "accepted" (03) status package in the same
// transaction; passing it on sends "assigned" (04), passing it further
// "processing" (05), each once; A imports B's status packages and A's
// delivery state for B's agency follows them. A document that did not come as edXML has
// nobody to tell.
func TestStatusRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, stA *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		lp := newLoaPair(t, stA)
		a, b, regB, unitB, stB := lp.a, lp.b, lp.regB, lp.unitB, lp.stB
		d := lp.letter("570", "V/v tuyên truyền phòng, chống Covid-19", "Đề nghị các đơn vị tuyên truyền phòng, chống dịch.")
		pkg := lp.send(t, d)
		states := func() []documents.RecipientState {
			t.Helper()
			s, err := a.DeliveryStates(ctx, sys, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := states(); len(s) != 1 || s[0].OrganID != "000.00.00.H14" || s[0].StatusCode != "" {
			t.Fatalf("A before any status: %+v", s)
		}

		res, err := b.ReceiveEdXML(ctx, sys, unitB.ID, bytes.NewReader(pkg))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: res.Document.ID}); err != nil {
			t.Fatal(err)
		}
		// B passes it on to a department (04 assigned), which passes it
		// to another (05 processing); passing it once more sends nothing
		// new (each state goes once).
		dept := func(name string) *model.Unit {
			t.Helper()
			u := &model.Unit{Code: "u" + storetest.Unique(), Name: name, Kind: "dept_unit", ParentID: &unitB.ID}
			if err := stB.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
				t.Fatal(err)
			}
			return u
		}
		for _, u := range []*model.Unit{dept("Phòng Văn hóa"), dept("Phòng Y tế"), dept("Phòng Nội vụ")} {
			if _, err := regB.Pass(ctx, sys, res.Document.ID, registry.PassInput{UnitID: u.ID, Instruction: "Xử lý"}); err != nil {
				t.Fatalf("pass on to %s: %v", u.Name, err)
			}
		}
		codes := lp.relay(t, d.ID, res.Document.ID)
		if fmt.Sprint(codes) != "[01 03 04 05]" {
			t.Fatalf("B sent status packages %v, want 01, 03, 04, 05", codes)
		}
		if s := states(); len(s) != 1 || s[0].StatusCode != string(edxml.StatusProcessing) || s[0].OrganName == "" {
			t.Fatalf("A after B registered and passed on the document: %+v", s)
		}

		// A document typed in at B has no edXML sender: registering it
		// sends nothing.
		local := &model.Document{UnitID: unitB.ID, Direction: model.Incoming, Fields: docmodel.Fields{Subject: docmodel.Str("Giấy mời họp")}}
		if err := stB.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().InsertDocument(ctx, local) }); err != nil {
			t.Fatal(err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: local.ID}); err != nil {
			t.Fatal(err)
		}
		if p, err := b.Exchange(ctx, sys, local.ID); err != nil || len(p) != 0 {
			t.Fatalf("local document's packages: %v %v", p, err)
		}
	})
}
