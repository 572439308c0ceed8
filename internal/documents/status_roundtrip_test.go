package documents_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
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
// transaction; A imports B's status packages and A's delivery state for
// B's agency follows them. A document that did not come as edXML has
// nobody to tell.
func TestStatusRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, stA *storage.Store) {
		ctx := context.Background()
		stB, _ := storetest.Open(t, stA.Engine())
		sys := model.System("test")
		svc := func(st *storage.Store) (*documents.Service, blob.Store) {
			bs, err := blob.NewFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return documents.New(st, bs, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil))), bs
		}
		a, _ := svc(stA)
		b, blobsB := svc(stB)
		regB := registry.New(stB, authz.Default(), time.UTC)
		regB.SetStatusSender(b)

		unitA := newUnit(t, stA, "000.00.00.H41")
		destInA := newUnit(t, stA, "000.00.00.H14") // B's agency in A's tree
		unitB := newUnit(t, stB, "000.00.00.H14")
		d := &model.Document{UnitID: unitA.ID, Direction: model.Outgoing, BodyText: "Đề nghị các đơn vị tuyên truyền phòng, chống dịch.",
			Fields: docmodel.Fields{DocType: docmodel.Str("Công văn"), Number: docmodel.Str("570"), Notation: docmodel.Str("STTTT-TTBCBC"),
				Date: docmodel.Str("2021-06-04"), Place: docmodel.Str("Kiên Giang"), SignerName: docmodel.Str("Lâm Văn Sơn"), Issuer: docmodel.Str("Sở Thông tin và Truyền thông"), Subject: docmodel.Str("V/v tuyên truyền phòng, chống Covid-19")}}
		if err := stA.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().InsertDocument(ctx, d) }); err != nil {
			t.Fatal(err)
		}
		var pkg bytes.Buffer
		if err := a.ExportEdXML(ctx, sys, d.ID, []int64{destInA.ID}, &pkg); err != nil {
			t.Fatal(err)
		}
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

		res, err := b.ReceiveEdXML(ctx, sys, unitB.ID, bytes.NewReader(pkg.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: res.Document.ID}); err != nil {
			t.Fatal(err)
		}
		pkgs, err := b.Exchange(ctx, sys, res.Document.ID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, p := range pkgs {
			if p.Direction != "out" || p.Kind != "status" {
				continue
			}
			codes = append(codes, p.StatusCode)
			rc, _, err := blobsB.Open(ctx, p.PackageSHA)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.ReceiveEdXML(ctx, sys, unitA.ID, bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("A imports B's status %s: %v", p.StatusCode, err)
			}
			if got.Action != documents.ActionStatus || got.Document.ID != d.ID {
				t.Fatalf("A applied status %s as %s to document %d", p.StatusCode, got.Action, got.Document.ID)
			}
		}
		if len(codes) != 2 || codes[0] != string(edxml.StatusArrived) || codes[1] != string(edxml.StatusAccepted) {
			t.Fatalf("B sent status packages %v, want 01 then 03", codes)
		}
		if s := states(); len(s) != 1 || s[0].StatusCode != string(edxml.StatusAccepted) || s[0].OrganName == "" {
			t.Fatalf("A after B registered the document: %+v", s)
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
