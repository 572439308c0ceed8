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
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// loaPair is two Loa installations exchanging edXML: A (on stA) sends,
// B (another database on the same engine) receives, and B's registry
// tells the sender of a received document how its handling goes.
type loaPair struct {
	a, b    *documents.Service
	stA     *storage.Store
	stB     *storage.Store
	blobsB  blob.Store
	regB    *registry.Service
	unitA   *model.Unit // the sending agency, 000.00.00.H41
	destInA *model.Unit // B's agency in A's tree
	unitB   *model.Unit // B's agency, 000.00.00.H14
}

func newLoaPair(t *testing.T, stA *storage.Store) *loaPair {
	t.Helper()
	stB, _ := storetest.Open(t, stA.Engine())
	svc := func(st *storage.Store) (*documents.Service, blob.Store) {
		bs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return documents.New(st, bs, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil))), bs
	}
	p := &loaPair{stA: stA, stB: stB}
	p.a, _ = svc(stA)
	p.b, p.blobsB = svc(stB)
	p.regB = registry.New(stB, authz.Default(), time.UTC)
	p.regB.SetStatusSender(p.b)
	p.unitA = newUnit(t, stA, "000.00.00.H41")
	p.destInA = newUnit(t, stA, "000.00.00.H14")
	p.unitB = newUnit(t, stB, "000.00.00.H14")
	return p
}

// letter is an outgoing Công văn of A's agency.
func (p *loaPair) letter(number, subject, body string) *model.Document {
	return &model.Document{UnitID: p.unitA.ID, Direction: model.Outgoing, BodyText: body,
		Fields: docmodel.Fields{DocType: docmodel.Str("Công văn"), Number: docmodel.Str(number), Notation: docmodel.Str("STTTT-TTBCBC"),
			Date: docmodel.Str("2021-06-04"), Place: docmodel.Str("Kiên Giang"), SignerName: docmodel.Str("Lâm Văn Sơn"),
			Issuer: docmodel.Str("Sở Thông tin và Truyền thông"), Subject: docmodel.Str(subject)}}
}

// send stores d at A, sends it as edXML to B's agency and returns the
// package.
func (p *loaPair) send(t *testing.T, d *model.Document) []byte {
	t.Helper()
	ctx := context.Background()
	if err := p.stA.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().InsertDocument(ctx, d) }); err != nil {
		t.Fatal(err)
	}
	var pkg bytes.Buffer
	if err := p.a.ExportEdXML(ctx, model.System("test"), d.ID, []int64{p.destInA.ID}, &pkg); err != nil {
		t.Fatal(err)
	}
	return pkg.Bytes()
}

// statusesOut lists the status packages B sent about its document docB,
// oldest first, with their bytes.
func (p *loaPair) statusesOut(t *testing.T, docB int64) (codes []string, raws [][]byte) {
	t.Helper()
	ctx := context.Background()
	pkgs, err := p.b.Exchange(ctx, model.System("test"), docB)
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range pkgs {
		if pk.Direction != "out" || pk.Kind != "status" {
			continue
		}
		rc, _, err := p.blobsB.Open(ctx, pk.PackageSHA)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		codes, raws = append(codes, pk.StatusCode), append(raws, raw)
	}
	return codes, raws
}

// relay imports at A every status package B sent about docB; each must
// apply to A's document atA. It returns the codes.
func (p *loaPair) relay(t *testing.T, atA, docB int64) []string {
	t.Helper()
	codes, raws := p.statusesOut(t, docB)
	for i, raw := range raws {
		got, err := p.a.ReceiveEdXML(context.Background(), model.System("test"), p.unitA.ID, bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("A imports B's status %s: %v", codes[i], err)
		}
		if got.Action != documents.ActionStatus || got.Document.ID != atA {
			t.Fatalf("A applied status %s as %s to document %d", codes[i], got.Action, got.Document.ID)
		}
	}
	return codes
}
